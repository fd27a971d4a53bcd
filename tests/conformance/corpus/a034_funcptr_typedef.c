#include <stdio.h>

typedef int handler_fn(int);          /* a function type, not a pointer */
typedef handler_fn *handler_ptr;
typedef void visit_fn(const char *item, void *ctx);

handler_fn double_it;                 /* declarations through the typedef */
handler_fn square_it;
static handler_fn negate_it;

int double_it(int x) { return x * 2; }
int square_it(int x) { return x * x; }
static int negate_it(int x) { return -x; }

static handler_ptr pipeline[] = { double_it, square_it, negate_it };

struct visitor {
    visit_fn *fn;
    int count;
};

static void count_and_print(const char *item, void *ctx)
{
    struct visitor *v = ctx;
    v->count++;
    printf("visit %d: %s\n", v->count, item);
}

static void for_each(const char *const *items, visit_fn *fn, void *ctx)
{
    for (; *items; items++)
        fn(*items, ctx);
}

static int run(handler_fn *const *steps, int n, int x)
{
    for (int i = 0; i < n; i++)
        x = steps[i](x);
    return x;
}

int main(void)
{
    static const char *const items[] = { "apple", "pear", "fig", NULL };
    struct visitor v = { count_and_print, 0 };

    printf("double_it(21) = %d\n", double_it(21));
    printf("square_it(9) = %d\n", square_it(9));
    printf("run pipeline on 3 = %d\n", run(pipeline, 3, 3));
    printf("sizeof(handler_ptr) = %zu\n", sizeof(handler_ptr));
    for_each(items, v.fn, &v);
    printf("visited %d items\n", v.count);
    return 0;
}
