#include <stdio.h>
#include <stdlib.h>

struct node {
    int value;
    struct node *next;
};

static struct node *push(struct node *head, int value)
{
    struct node *n = malloc(sizeof *n);
    if (!n)
        exit(1);
    n->value = value;
    n->next = head;
    return n;
}

static struct node *reverse(struct node *head)
{
    struct node *prev = NULL;
    while (head) {
        struct node *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

static struct node *remove_if(struct node *head, int (*pred)(int))
{
    struct node **pp = &head;
    while (*pp) {
        if (pred((*pp)->value)) {
            struct node *dead = *pp;
            *pp = dead->next;
            free(dead);
        } else {
            pp = &(*pp)->next;
        }
    }
    return head;
}

static int is_multiple_of_3(int v) { return v % 3 == 0; }

static void print_list(const char *label, const struct node *n)
{
    printf("%s:", label);
    for (; n; n = n->next)
        printf(" %d", n->value);
    printf("\n");
}

static void free_list(struct node *n)
{
    while (n) {
        struct node *next = n->next;
        free(n);
        n = next;
    }
}

int main(void)
{
    struct node *list = NULL;
    for (int i = 1; i <= 10; i++)
        list = push(list, i * i);
    print_list("pushed", list);
    list = reverse(list);
    print_list("reversed", list);
    list = remove_if(list, is_multiple_of_3);
    print_list("filtered", list);
    int len = 0;
    for (struct node *n = list; n; n = n->next)
        len++;
    printf("length = %d\n", len);
    free_list(list);
    printf("freed\n");
    return 0;
}
