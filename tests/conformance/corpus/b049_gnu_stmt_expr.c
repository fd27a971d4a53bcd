/* GNU statement expressions ({ ... }) with __typeof__-based safe macros. */
#include <stdio.h>

#define MAX(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define MIN(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define UNSAFE_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SUM_ARRAY(arr, n) ({                \
    __typeof__((arr)[0]) _s = 0;            \
    for (int _i = 0; _i < (n); _i++)        \
        _s += (arr)[_i];                    \
    _s; })
#define CLAMP(x, lo, hi) MIN(MAX(x, lo), hi)

struct point { int x, y; };

static int calls;

static int next_value(void)
{
    return ++calls * 10;
}

static struct point make_point(int v)
{
    return ({ struct point p = { v, v * v }; p; });
}

int main(void)
{
    double ds[] = { 1.5, 2.25, 3.0 };
    int is[] = { 4, 8, 15, 16, 23, 42 };
    int r;
    struct point p;

    calls = 0;
    r = MAX(next_value(), 5);
    printf("MAX(next_value(), 5) = %d, calls = %d\n", r, calls);
    calls = 0;
    r = UNSAFE_MAX(next_value(), 5);
    printf("UNSAFE_MAX(next_value(), 5) = %d, calls = %d\n", r, calls);
    printf("MIN(3.5, 2) = %.1f\n", MIN(3.5, 2.0));
    printf("SUM_ARRAY(ds) = %.2f\n", SUM_ARRAY(ds, 3));
    printf("SUM_ARRAY(is) = %d\n", SUM_ARRAY(is, 6));
    printf("CLAMP(150, 0, 100) = %d, CLAMP(-5, 0, 100) = %d\n", CLAMP(150, 0, 100), CLAMP(-5, 0, 100));
    p = make_point(7);
    printf("make_point(7) = (%d, %d)\n", p.x, p.y);
    r = ({ int t = 0, i; for (i = 1; i <= 10; i++) t += i; t; });
    printf("inline block sum = %d\n", r);
    printf("nested = %d\n", ({ int a = 2; ({ int b = a * 3; b + 1; }); }));
    return 0;
}
