/* Singly linked list: push, append, insert sorted, reverse, delete, free. */
#include <stdio.h>
#include <stdlib.h>

typedef struct node {
    int value;
    struct node *next;
} Node;

static Node *new_node(int v, Node *next)
{
    Node *n = malloc(sizeof *n);
    if (!n)
        exit(EXIT_FAILURE);
    *n = (Node){ v, next };
    return n;
}

static void push(Node **head, int v) { *head = new_node(v, *head); }

static void append(Node **head, int v)
{
    while (*head)
        head = &(*head)->next;
    *head = new_node(v, NULL);
}

static void insert_sorted(Node **head, int v)
{
    while (*head && (*head)->value < v)
        head = &(*head)->next;
    *head = new_node(v, *head);
}

static Node *reverse(Node *head)
{
    Node *prev = NULL, *next;
    for (; head; prev = head, head = next) {
        next = head->next;
        head->next = prev;
    }
    return prev;
}

static int remove_value(Node **head, int v)
{
    for (; *head; head = &(*head)->next)
        if ((*head)->value == v) {
            Node *dead = *head;
            *head = dead->next, free(dead);
            return 1;
        }
    return 0;
}

static void print_list(const char *label, const Node *n)
{
    for (printf("%-10s:", label); n; n = n->next)
        printf(" %d", n->value);
    putchar('\n');
}

static void free_list(Node *n)
{
    for (Node *next; n; n = next) {
        next = n->next;
        free(n);
    }
}

int main(void)
{
    Node *list = NULL, *sorted = NULL;
    int vals[] = { 42, 7, 19, 3, 25 }, i;

    for (i = 0; i < 3; i++)
        push(&list, i + 1);
    append(&list, 10), append(&list, 20);
    print_list("built", list);
    list = reverse(list);
    print_list("reversed", list);
    printf("remove 1: %d\n", remove_value(&list, 1));
    printf("remove 99: %d\n", remove_value(&list, 99));
    print_list("removed", list);
    for (i = 0; i < 5; i++)
        insert_sorted(&sorted, vals[i]);
    print_list("sorted", sorted);
    free_list(list), free_list(sorted);
    return 0;
}
