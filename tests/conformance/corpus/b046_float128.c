/* _Float128 arithmetic (soft-float libgcc routines), printed via double. */
#define __STDC_WANT_IEC_60559_TYPES_EXT__ 1
#include <float.h>
#include <stdio.h>

typedef _Float128 quad;

static quad quad_sqrt(quad a)
{
    quad x = a > 1 ? a : 1;
    int i;
    for (i = 0; i < 60; i++)
        x = (x + a / x) / 2;
    return x;
}

static quad harmonic(int n)
{
    quad s = 0;
    int i;
    for (i = 1; i <= n; i++)
        s += (quad)1 / i;
    return s;
}

static volatile double tiny_d = 1e-20;

int main(void)
{
    quad third = (quad)1 / 3;
    quad one = 1.0f128;
    quad tiny = tiny_d;
    quad r2 = quad_sqrt(2);
    double d = 1.0 + tiny_d;

    printf("sizeof(_Float128) = %zu\n", sizeof(quad));
    printf("FLT128_MANT_DIG = %d, FLT128_DIG = %d\n", FLT128_MANT_DIG, FLT128_DIG);
    printf("1/3 as double = %.17f\n", (double)third);
    printf("3 * (1/3) == 1: %d\n", third * 3 == one);
    printf("double: (1 + 1e-20) - 1 = %g\n", d - 1.0);
    printf("quad:   (1 + 1e-20) - 1 = %g\n", (double)((one + tiny) - one));
    printf("sqrt(2) = %.15f\n", (double)r2);
    printf("sqrt(2)^2 - 2 (scaled 1e33) = %.3f\n", (double)((r2 * r2 - 2) * 1e33f128));
    printf("H(1000) = %.12f\n", (double)harmonic(1000));
    printf("FLT128_EPSILON = %g\n", (double)FLT128_EPSILON);
    printf("(int)(quad)7.9 = %d, (long long)(2^62 q) = %lld\n",
           (int)(quad)7.9, (long long)((quad)4611686018427387904LL));
    return 0;
}
