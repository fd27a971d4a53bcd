/* __attribute__((cleanup(fn))): scope-exit handlers, run in reverse order. */
#include <stdio.h>
#include <stdlib.h>

#define AUTO_FREE __attribute__((cleanup(free_ptr)))
#define TRACED(name) __attribute__((cleanup(trace_exit))) int name

static int depth;

static void free_ptr(void *p)
{
    void **pp = p;
    printf("  cleanup: freeing buffer %s\n", *pp ? "(non-null)" : "(null)");
    free(*pp);
}

static void trace_exit(int *v)
{
    printf("  cleanup: leaving scope of value %d\n", *v);
    depth--;
}

static int process(int n)
{
    AUTO_FREE int *buf = malloc(n * sizeof *buf);
    TRACED(marker) = n;
    int i, sum = 0;

    depth++;
    if (n > 5) {
        printf("  early return for n=%d\n", n);
        return -1;
    }
    for (i = 0; i < n; i++)
        buf[i] = i * i;
    for (i = 0; i < n; i++)
        sum += buf[i];
    return sum;
}

static void loop_scopes(void)
{
    int i;
    for (i = 1; i <= 3; i++) {
        TRACED(iter) = i * 100;
        depth++;
        if (i == 2)
            continue;
        printf("  body of iteration %d\n", i);
    }
}

int main(void)
{
    printf("process(4):\n");
    printf("result %d\n", process(4));
    printf("process(9):\n");
    printf("result %d\n", process(9));
    printf("loop_scopes:\n");
    loop_scopes();
    {
        TRACED(outer) = 1;
        TRACED(inner) = 2;
        depth += 2;
        printf("nested block with two traced variables\n");
    }
    printf("final depth %d\n", depth);
    return 0;
}
