/* <fenv.h>: floating-point exception flags and rounding modes. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

static volatile double zero = 0.0, one = 1.0, three = 3.0, big = DBL_MAX;
static volatile double half_up = 2.5, half_down = -2.5;

static void show_flags(const char *what)
{
    printf("%-10s DIVBYZERO=%d INVALID=%d OVERFLOW=%d INEXACT=%d\n", what,
           fetestexcept(FE_DIVBYZERO) != 0, fetestexcept(FE_INVALID) != 0,
           fetestexcept(FE_OVERFLOW) != 0, fetestexcept(FE_INEXACT) != 0);
}

static const char *mode_name(int m)
{
    switch (m) {
    case FE_TONEAREST:  return "nearest";
    case FE_UPWARD:     return "upward";
    case FE_DOWNWARD:   return "downward";
    case FE_TOWARDZERO: return "toward-zero";
    }
    return "?";
}

int main(void)
{
    static const int modes[] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };
    volatile double r;
    fenv_t saved;
    size_t i;

    feclearexcept(FE_ALL_EXCEPT);
    show_flags("clear");
    r = one / zero;
    show_flags("1/0");
    feclearexcept(FE_ALL_EXCEPT);
    r = zero / zero;
    show_flags("0/0");
    feclearexcept(FE_ALL_EXCEPT);
    r = big * three;
    show_flags("max*3");
    feclearexcept(FE_ALL_EXCEPT);
    r = one / three;
    show_flags("1/3");
    (void)r;

    fegetenv(&saved);
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        fesetround(modes[i]);
        printf("%-11s lrint(2.5)=%ld lrint(-2.5)=%ld 1/3=%.17f\n", mode_name(fegetround()),
               lrint(half_up), lrint(half_down), one / three);
    }
    fesetenv(&saved);
    printf("restored mode: %s\n", mode_name(fegetround()));
    return 0;
}
