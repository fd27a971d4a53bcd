/* <complex.h>: multiply/divide (libgcc __muldc3/__divdc3), cabs, conj, cexp. */
#include <complex.h>
#include <math.h>
#include <stdio.h>

#define SHOWC(label, z) printf("%-14s = %9.6f %+9.6fi\n", label, creal(z), cimag(z))

typedef double complex cplx;

static volatile double va = 3.0, vb = 4.0, vc = 1.0, vd = -2.0;

static cplx horner(const cplx *coef, int n, cplx z)
{
    cplx r = 0;
    int i;
    for (i = 0; i < n; i++)
        r = r * z + coef[i];
    return r;
}

int main(void)
{
    cplx z1 = CMPLX(va, vb);
    cplx z2 = vc + vd * I;
    cplx coef[3] = { 1.0, 0.0, 1.0 };   /* z^2 + 1 */
    float complex fz = 1.5f + 2.0f * I;
    cplx e;

    SHOWC("z1", z1);
    SHOWC("z2", z2);
    SHOWC("z1 * z2", z1 * z2);
    SHOWC("z1 / z2", z1 / z2);
    SHOWC("conj(z1)", conj(z1));
    printf("cabs(z1)       = %.6f\n", cabs(z1));
    printf("carg(z2)       = %.6f\n", carg(z2));
    SHOWC("csqrt(-4)", csqrt(CMPLX(-4.0 * vc, 0.0)));
    e = cexp(I * atan2(0.0, -1.0) / 2);
    SHOWC("exp(i*pi/2)", e);
    SHOWC("p(i)", horner(coef, 3, I));
    SHOWC("p(2+i)", horner(coef, 3, 2.0 + I));
    printf("fz * fz        = %.3f %+.3fi\n", crealf(fz * fz), cimagf(fz * fz));
    printf("sizeof(double complex) = %zu\n", sizeof(cplx));
    return 0;
}
