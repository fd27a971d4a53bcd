/* Declarations written by a header's macros, as queue(7) shows them, and
   alignment specifiers with attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/queue.h>

struct entry {
    int value;
    LIST_ENTRY(entry) entries;
    TAILQ_ENTRY(entry) queue;
};

LIST_HEAD(listhead, entry) head = LIST_HEAD_INITIALIZER(head);
TAILQ_HEAD(tailhead, entry) tail = TAILQ_HEAD_INITIALIZER(tail);

int _Alignas(int __attribute__((aligned(16)))) aligned_counter;
char _Alignas(32) buffer[64];

static struct entry *make(int v)
{
    struct entry *e = malloc(sizeof *e);
    e->value = v;
    return e;
}

int main(void)
{
    for (int i = 1; i <= 3; i++) {
        struct entry *a = make(i), *b = make(10 * i);
        LIST_INSERT_HEAD(&head, a, entries);
        TAILQ_INSERT_TAIL(&tail, b, queue);
    }
    struct entry *np;
    LIST_FOREACH(np, &head, entries) printf("%d ", np->value);
    TAILQ_FOREACH(np, &tail, queue) printf("%d ", np->value);
    printf("\n%d %d\n", (int)_Alignof(aligned_counter), (int)((unsigned long)buffer % 32));
    return 0;
}
