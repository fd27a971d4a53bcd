/* Fixed-capacity ring buffer (FIFO) with wraparound and overwrite mode. */
#include <stdio.h>
#include <stdbool.h>

#define RING_CAP 5

typedef struct {
    int items[RING_CAP];
    unsigned head;   /* next slot to read */
    unsigned count;
    unsigned dropped;
} Ring;

static void ring_init(Ring *r) { r->head = r->count = r->dropped = 0; }
static bool ring_empty(const Ring *r) { return r->count == 0; }
static bool ring_full(const Ring *r) { return r->count == RING_CAP; }

static bool ring_push(Ring *r, int v)
{
    if (ring_full(r))
        return false;
    r->items[(r->head + r->count) % RING_CAP] = v;
    r->count++;
    return true;
}

static void ring_push_overwrite(Ring *r, int v)
{
    if (ring_full(r)) {
        r->head = (r->head + 1) % RING_CAP;
        r->count--;
        r->dropped++;
    }
    ring_push(r, v);
}

static bool ring_pop(Ring *r, int *out)
{
    if (ring_empty(r))
        return false;
    *out = r->items[r->head];
    r->head = (r->head + 1) % RING_CAP;
    r->count--;
    return true;
}

static void ring_print(const char *label, const Ring *r)
{
    unsigned i;
    printf("%-18s [head=%u count=%u]", label, r->head, r->count);
    for (i = 0; i < r->count; i++)
        printf(" %d", r->items[(r->head + i) % RING_CAP]);
    printf("\n");
}

int main(void)
{
    Ring r;
    int i, v, rejected = 0;

    ring_init(&r);
    for (i = 1; i <= 7; i++)
        if (!ring_push(&r, i * 10))
            rejected++;
    ring_print("after 7 pushes", &r);
    printf("rejected %d pushes, full=%d\n", rejected, ring_full(&r));
    for (i = 0; i < 3 && ring_pop(&r, &v); i++)
        printf("popped %d\n", v);
    ring_print("after 3 pops", &r);
    for (i = 0; i < 3; i++)
        ring_push(&r, 100 + i);
    ring_print("wrapped pushes", &r);
    for (i = 0; i < 4; i++)
        ring_push_overwrite(&r, 200 + i);
    ring_print("overwrite mode", &r);
    printf("dropped %u oldest items\n", r.dropped);
    while (ring_pop(&r, &v))
        ;
    printf("drained, empty=%d, pop fails=%d\n", ring_empty(&r), !ring_pop(&r, &v));
    return 0;
}
