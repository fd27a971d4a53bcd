#include <stdio.h>
#include <math.h>

static double twice(double x) { return 2 * x; }
static double negate(double x) { return -x; }

double (*math_fns[])(double) = { sqrt, fabs, floor, ceil, twice, negate };
const char *math_names[] = { "sqrt", "fabs", "floor", "ceil", "twice", "negate" };

#define NFNS (sizeof math_fns / sizeof math_fns[0])

static void (*hooks[3])(int);
static int hook_total;

static void hook_add(int v) { hook_total += v; }
static void hook_mul(int v) { hook_total *= v; }
static void hook_print(int v) { printf("hook_print(%d): total = %d\n", v, hook_total); }

static double apply_all(double x)
{
    for (size_t i = 0; i < NFNS; i++)
        x = math_fns[i](x);
    return x;
}

int main(void)
{
    double x = 6.25;
    for (size_t i = 0; i < NFNS; i++)
        printf("%-6s(%.2f) = %.4f\n", math_names[i], x, math_fns[i](x));
    printf("apply_all(12.3) = %.4f\n", apply_all(12.3));

    hooks[0] = hook_add;
    hooks[1] = hook_mul;
    hooks[2] = hook_print;
    for (int round = 1; round <= 2; round++)
        for (int i = 0; i < 3; i++)
            hooks[i](round + 2);
    return 0;
}
