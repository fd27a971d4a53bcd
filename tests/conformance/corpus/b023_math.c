/* <math.h>: common functions, classification and rounding; %.6f output. */
#include <math.h>
#include <stdio.h>

#define P(expr) printf("%-22s = %.6f\n", #expr, (double)(expr))

static volatile double two = 2.0, ten = 10.0, neg = -7.5;

static double distance(double x1, double y1, double x2, double y2)
{
    return hypot(x2 - x1, y2 - y1);
}

static double newton_sqrt(double a)
{
    double x = a;
    int i;
    for (i = 0; i < 30; i++)
        x = 0.5 * (x + a / x);
    return x;
}

int main(void)
{
    double ip, fr;
    int ex;

    P(sqrt(two));
    P(newton_sqrt(two));
    P(pow(two, ten));
    P(pow(ten, -2.0));
    P(floor(neg));
    P(ceil(neg));
    P(round(neg));
    P(trunc(neg));
    P(fmod(ten, 3.0));
    P(fmod(neg, 2.0));
    P(hypot(3.0, 4.0));
    P(distance(1, 1, 4, 5));
    P(exp(1.0));
    P(log(ten));
    P(log10(1000.0));
    P(sin(M_PI / 6));
    P(atan2(1.0, 1.0) * 4);
    P(cbrt(27.0));
    P(fabs(neg));
    P(copysign(3.0, neg));
    fr = modf(neg, &ip);
    printf("modf(-7.5) = %.6f + %.6f\n", ip, fr);
    fr = frexp(ten, &ex);
    printf("frexp(10) = %.6f * 2^%d\n", fr, ex);
    P(ldexp(0.75, 4));
    printf("isnan(NAN)=%d isinf(INFINITY)=%d isfinite(1.0)=%d\n",
           isnan(NAN) != 0, isinf(INFINITY) != 0, isfinite(1.0) != 0);
    printf("signbit(-0.0)=%d fpclassify(0.0)==FP_ZERO: %d\n",
           signbit(-0.0) != 0, fpclassify(0.0) == FP_ZERO);
    return 0;
}
