/* long double on x86-64: 80-bit extended precision in 16 bytes. */
#include <stdio.h>
#include <float.h>
#include <math.h>

long double third = 1.0L / 3.0L;
static const long double big = 1e4000L;      /* beyond double range */

static long double factorial(int n)
{
    long double r = 1.0L;
    while (n > 1)
        r *= n--;
    return r;
}

static long double series_e(int terms)
{
    long double e = 0.0L;
    for (int k = 0; k < terms; k++)
        e += 1.0L / factorial(k);
    return e;
}

int main(void)
{
    printf("sizeof(long double) = %zu\n", sizeof(long double));
    printf("LDBL_MANT_DIG = %d, LDBL_DIG = %d\n", LDBL_MANT_DIG, LDBL_DIG);
    printf("third = %.20Lf\n", third);
    printf("(double)third = %.20f\n", (double)third);
    printf("big = %Lg\n", big);
    printf("big / 1e3990L = %.3Lf\n", big / 1e3990L);
    printf("LDBL_EPSILON = %Lg\n", LDBL_EPSILON);
    printf("factorial(25) = %.0Lf\n", factorial(25));
    printf("series_e(25) = %.18Lf\n", series_e(25));
    printf("sqrtl(2) = %.18Lf\n", sqrtl(2.0L));
    printf("1 + LDBL_EPSILON > 1: %d\n", 1.0L + LDBL_EPSILON > 1.0L);
    printf("1 + DBL_EPSILON/2 > 1 (long double): %d\n", 1.0L + DBL_EPSILON / 2 > 1.0L);
    return 0;
}
