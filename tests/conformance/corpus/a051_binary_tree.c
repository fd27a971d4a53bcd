/* Binary search tree: insert, traverse, height, free. */
#include <stdio.h>
#include <stdlib.h>

typedef struct tree {
    int key;
    struct tree *left, *right;
} tree;

static tree *insert(tree *t, int key)
{
    if (t == NULL) {
        t = calloc(1, sizeof *t);
        if (t == NULL)
            abort();
        t->key = key;
    } else if (key < t->key) {
        t->left = insert(t->left, key);
    } else if (key > t->key) {
        t->right = insert(t->right, key);
    }
    return t;
}

static void inorder(const tree *t)
{
    if (!t)
        return;
    inorder(t->left);
    printf(" %d", t->key);
    inorder(t->right);
}

static int height(const tree *t)
{
    if (!t)
        return 0;
    int l = height(t->left), r = height(t->right);
    return 1 + (l > r ? l : r);
}

static int contains(const tree *t, int key)
{
    while (t && t->key != key)
        t = key < t->key ? t->left : t->right;
    return t != NULL;
}

static void destroy(tree *t)
{
    if (t) {
        destroy(t->left);
        destroy(t->right);
        free(t);
    }
}

int main(void)
{
    static const int keys[] = { 50, 30, 70, 20, 40, 60, 80, 35, 45, 65, 30 };
    tree *root = NULL;

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        root = insert(root, keys[i]);
    printf("inorder:");
    inorder(root);
    printf("\n");
    printf("height = %d\n", height(root));
    printf("contains 45: %d\n", contains(root, 45));
    printf("contains 55: %d\n", contains(root, 55));
    printf("root = %d, min = %d\n", root->key, root->left->left->key);
    destroy(root);
    printf("destroyed\n");
    return 0;
}
