#include <stdio.h>
#include <math.h>
#include <float.h>

static const double samples[] = { 0.0, 1.0, -2.5, 1e-5, 123456.0, 1234567.0, 0.1, 1.0 / 3.0 };

static double harmonic(int n)
{
    double h = 0;
    for (int k = 1; k <= n; k++)
        h += 1.0 / k;
    return h;
}

int main(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        printf("%%g=%-12g %%.3f=%-14.3f %%e=%e\n", samples[i], samples[i], samples[i]);
    printf("%%.10g of 0.1 = %.10g\n", 0.1);
    printf("%%.17g of 0.1 = %.17g\n", 0.1);
    printf("%%a of 1.0 = %a\n", 1.0);
    printf("%%8.2f|%%-8.2f| = %8.2f|%-8.2f|\n", 3.14159, 2.71828);
    printf("%%+.1e = %+.1e\n", 6.02214076e23);
    printf("harmonic(100) = %.6f\n", harmonic(100));
    printf("sqrt(2) = %.15f\n", sqrt(2.0));
    printf("DBL_EPSILON = %g, FLT_EPSILON = %g\n", DBL_EPSILON, (double)FLT_EPSILON);
    printf("DBL_MAX = %g\n", DBL_MAX);
    printf("HUGE_VAL = %f, -HUGE_VAL = %f\n", HUGE_VAL, -HUGE_VAL);
    printf("isnan(NAN) = %d, isinf(INFINITY) = %d\n", isnan(NAN) != 0, isinf(INFINITY) != 0);
    printf("0.1 + 0.2 == 0.3: %d\n", 0.1 + 0.2 == 0.3);
    printf("float 0.1f = %.9f\n", (double)0.1f);
    printf("round(2.5) = %.0f, rint(2.5) = %.0f, %%.0f of 2.5 = %.0f\n", round(2.5), rint(2.5), 2.5);
    return 0;
}
