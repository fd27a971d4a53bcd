/* <tgmath.h>: type-generic math selects float, double, long double or complex. */
#include <tgmath.h>
#include <stdio.h>

#define TYPE_NAME(x) _Generic((x),                      \
    float: "float", double: "double",                   \
    long double: "long double",                         \
    float complex: "float complex",                     \
    double complex: "double complex",                   \
    default: "other")

#define REPORT(expr) printf("%-18s : %-14s size %2zu\n", #expr, TYPE_NAME(expr), sizeof(expr))

static float ff = 2.0f;
static double dd = 2.0;
static long double ll = 2.0L;

int main(void)
{
    double complex z = 3.0 + 4.0 * I;
    int ii = 9;

    REPORT(sqrt(ff));
    REPORT(sqrt(dd));
    REPORT(sqrt(ll));
    REPORT(sqrt(ii));
    REPORT(pow(ff, ff));
    REPORT(pow(ff, dd));
    REPORT(exp(z));
    REPORT(fabs(z));
    printf("sqrt(2.0f) = %.6f\n", (double)sqrt(ff));
    printf("sqrt(2.0L) = %.10Lf\n", sqrt(ll));
    printf("sqrt(9) = %.6f\n", sqrt(ii));
    printf("fabs(3+4i) = %.6f\n", fabs(z));
    printf("cbrt(8.0f) = %.6f\n", (double)cbrt(8.0f));
    printf("pow(z, 2) = %.6f %+.6fi\n", creal(pow(z, 2)), cimag(pow(z, 2)));
    printf("fmax(ff, dd+1) = %.1f\n", fmax(ff, dd + 1));
    return 0;
}
