/* <errno.h>: ERANGE from strtol/strtod, EDOM from math, strerror texts. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *errname(int e)
{
    switch (e) {
    case 0:      return "0";
    case ERANGE: return "ERANGE";
    case EDOM:   return "EDOM";
    case EINVAL: return "EINVAL";
    default:     return "other";
    }
}

static void try_strtol(const char *s, int base)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, base);
    printf("strtol(\"%s\", %d) = %ld errno=%s rest=\"%s\"\n", s, base, v, errname(errno), end);
}

static volatile double neg_one = -1.0;

int main(void)
{
    double d;

    try_strtol("12345", 10);
    try_strtol("99999999999999999999", 10);
    try_strtol("-99999999999999999999", 10);
    try_strtol("ff zz", 16);
    errno = 0;
    d = strtod("1e999", NULL);
    printf("strtod(1e999): isinf=%d errno=%s\n", isinf(d) != 0, errname(errno));
    errno = 0;
    d = sqrt(neg_one);
    printf("sqrt(-1): isnan=%d errno=%s\n", isnan(d) != 0, errname(errno));
    errno = 0;
    d = log(0.0 * neg_one);
    printf("log(-0.0): isinf=%d errno=%s\n", isinf(d) != 0, errname(errno));
    printf("strerror(ERANGE) = %s\n", strerror(ERANGE));
    printf("strerror(EDOM) = %s\n", strerror(EDOM));
    printf("strerror(ENOENT) = %s\n", strerror(ENOENT));
    printf("LONG_MAX = %ld\n", LONG_MAX);
    return 0;
}
