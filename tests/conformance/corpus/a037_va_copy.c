#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>

/* Walk the argument list twice: once to count, once to collect. */
static int *collect(int *out_n, int first, ...)
{
    va_list ap, again;
    int n = 0, v;
    int *arr;

    va_start(ap, first);
    va_copy(again, ap);
    for (v = first; v >= 0; v = va_arg(ap, int))
        n++;
    va_end(ap);

    arr = malloc((size_t)(n ? n : 1) * sizeof *arr);
    if (arr) {
        int i = 0;
        for (v = first; v >= 0; v = va_arg(again, int))
            arr[i++] = v;
    }
    va_end(again);
    *out_n = n;
    return arr;
}

static void vshow_twice(const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    vprintf(fmt, ap);
    vprintf(fmt, cp);
    va_end(cp);
}

static void show_twice(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vshow_twice(fmt, ap);
    va_end(ap);
}

int main(void)
{
    int n;
    int *v = collect(&n, 4, 8, 15, 16, 23, 42, -1);

    if (!v)
        return 1;
    printf("collected %d values:", n);
    for (int i = 0; i < n; i++)
        printf(" %d", v[i]);
    printf("\n");
    free(v);
    show_twice("line %d of %s\n", 1, "show_twice");
    show_twice("%.2f|%c|%lu\n", 3.14159, 'z', 12345UL);
    v = collect(&n, -5);
    printf("empty collect: n = %d\n", n);
    free(v);
    return 0;
}
