/* <stdlib.h>: strtod/strtol/atoi, div/ldiv, abs/labs, srand(1)+rand, getenv. */
#include <stdio.h>
#include <stdlib.h>

#define UNSET_VAR "B034_SURELY_UNSET_VARIABLE"

static void show_strtod(const char *s)
{
    char *end;
    double d = strtod(s, &end);
    printf("strtod(\"%s\") = %.4f, consumed %td\n", s, d, end - s);
}

static void show_strtol(const char *s, int base)
{
    char *end;
    long v = strtol(s, &end, base);
    printf("strtol(\"%s\", %d) = %ld, rest \"%s\"\n", s, base, v, end);
}

int main(void)
{
    div_t d;
    ldiv_t ld;
    lldiv_t lld;
    int i;

    show_strtod("3.25abc");
    show_strtod("  -1.5e3");
    show_strtod("0x1p4");
    show_strtod("nope");
    show_strtol("ff", 16);
    show_strtol("1011", 2);
    show_strtol("0755", 0);
    show_strtol("-0x10", 0);
    printf("atoi(\"  123xyz\") = %d\n", atoi("  123xyz"));
    printf("atol(\"-98765\") = %ld\n", atol("-98765"));
    printf("atof(\"2.5\") = %.2f\n", atof("2.5"));
    d = div(17, 5);
    printf("div(17, 5) = %d r %d\n", d.quot, d.rem);
    d = div(-17, 5);
    printf("div(-17, 5) = %d r %d\n", d.quot, d.rem);
    ld = ldiv(1000000007L, 1000L);
    printf("ldiv = %ld r %ld\n", ld.quot, ld.rem);
    lld = lldiv(-9000000000LL, 7LL);
    printf("lldiv = %lld r %lld\n", lld.quot, lld.rem);
    printf("abs(-5)=%d labs(-7L)=%ld llabs(-9LL)=%lld\n", abs(-5), labs(-7L), llabs(-9LL));
    srand(1);
    printf("rand after srand(1):");
    for (i = 0; i < 5; i++)
        printf(" %d", rand());
    printf("\n");
    srand(1);
    printf("reseeded first value mod 1000 = %d\n", rand() % 1000);
    printf("RAND_MAX = %d\n", RAND_MAX);
    printf("getenv(%s) is NULL: %d\n", UNSET_VAR, getenv(UNSET_VAR) == NULL);
    return 0;
}
