/* <float.h> and <limits.h>: implementation limits of the x86-64 target. */
#include <float.h>
#include <limits.h>
#include <stdio.h>

#define PRINT_INT(name) printf("%-10s = %d\n", #name, name)
#define PRINT_LONG(name) printf("%-10s = %ld\n", #name, (long)(name))
#define PRINT_ULL(name) printf("%-10s = %llu\n", #name, (unsigned long long)(name))
#define PRINT_DBL(name) printf("%-14s = %g\n", #name, (double)(name))

static volatile double eps = DBL_EPSILON;

static int mantissa_bits(void)
{
    volatile double x = 1.0;
    int bits = 0;
    while (1.0 + x != 1.0) {
        x /= 2.0;
        bits++;
    }
    return bits;
}

int main(void)
{
    PRINT_INT(CHAR_BIT);
    PRINT_INT(SCHAR_MIN);
    PRINT_INT(SCHAR_MAX);
    PRINT_INT(UCHAR_MAX);
    PRINT_INT(CHAR_MIN);
    PRINT_INT(SHRT_MIN);
    PRINT_INT(SHRT_MAX);
    PRINT_INT(INT_MIN);
    PRINT_INT(INT_MAX);
    PRINT_ULL(UINT_MAX);
    PRINT_LONG(LONG_MIN);
    PRINT_ULL(ULONG_MAX);
    PRINT_LONG(LLONG_MAX);
    PRINT_INT(FLT_RADIX);
    PRINT_INT(FLT_DIG);
    PRINT_INT(DBL_DIG);
    PRINT_INT(FLT_MANT_DIG);
    PRINT_INT(DBL_MANT_DIG);
    PRINT_INT(LDBL_MANT_DIG);
    PRINT_INT(DBL_MAX_EXP);
    PRINT_DBL(FLT_EPSILON);
    PRINT_DBL(DBL_EPSILON);
    PRINT_DBL(FLT_MAX);
    PRINT_DBL(DBL_MIN);
    printf("1 + eps != 1: %d\n", 1.0 + eps != 1.0);
    printf("1 + eps/2 == 1: %d\n", 1.0 + eps / 2 == 1.0);
    printf("measured mantissa bits: %d\n", mantissa_bits());
    return 0;
}
