/* Binary search tree: insert, search, in-order walk, height, min/max, free. */
#include <stdio.h>
#include <stdlib.h>

struct tnode {
    int key;
    int count;
    struct tnode *left, *right;
};

static struct tnode *tree_insert(struct tnode *t, int key)
{
    if (t == NULL) {
        t = malloc(sizeof *t);
        *t = (struct tnode){ key, 1, NULL, NULL };
    } else if (key < t->key)
        t->left = tree_insert(t->left, key);
    else if (key > t->key)
        t->right = tree_insert(t->right, key);
    else
        t->count++;
    return t;
}

static const struct tnode *tree_find(const struct tnode *t, int key)
{
    while (t && t->key != key)
        t = key < t->key ? t->left : t->right;
    return t;
}

static void in_order(const struct tnode *t)
{
    if (t) {
        in_order(t->left);
        printf(" %d", t->key);
        if (t->count > 1)
            printf("(x%d)", t->count);
        in_order(t->right);
    }
}

static void pre_order(const struct tnode *t)
{
    if (t) {
        printf(" %d", t->key);
        pre_order(t->left);
        pre_order(t->right);
    }
}

static int height(const struct tnode *t)
{
    int l = t ? height(t->left) : 0, r = t ? height(t->right) : 0;
    return t ? 1 + (l > r ? l : r) : 0;
}

static void tree_free(struct tnode *t)
{
    if (t) {
        tree_free(t->left);
        tree_free(t->right);
        free(t);
    }
}

int main(void)
{
    static const int keys[] = { 50, 30, 70, 20, 40, 60, 80, 35, 45, 65, 30, 50 };
    struct tnode *root = NULL, *t;
    size_t i;

    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        root = tree_insert(root, keys[i]);
    printf("in-order:");
    in_order(root);
    printf("\npre-order:");
    pre_order(root);
    printf("\nheight = %d\n", height(root));
    printf("find 45: %s, find 55: %s\n", tree_find(root, 45) ? "yes" : "no", tree_find(root, 55) ? "yes" : "no");
    for (t = root; t->left; t = t->left)
        continue;
    printf("min = %d\n", t->key);
    for (t = root; t->right; t = t->right)
        continue;
    printf("max = %d\n", t->key);
    tree_free(root);
    return 0;
}
