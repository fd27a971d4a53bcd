/* Integer promotions and the usual arithmetic conversions. */
#include <stdio.h>
#include <limits.h>

unsigned char uc1 = 200, uc2 = 100;
signed char sc = -1;
unsigned short us = 65535;
short ss = -32768;

static const char *signedness(long long v) { return v < 0 ? "negative" : "non-negative"; }

int main(void)
{
    printf("uc1 + uc2 = %d (sizeof %zu)\n", uc1 + uc2, sizeof(uc1 + uc2));
    printf("(unsigned char)(uc1 + uc2) = %u\n", (unsigned char)(uc1 + uc2));
    printf("us + 1 = %d\n", us + 1);
    printf("(unsigned short)(us + 1) = %u\n", (unsigned short)(us + 1));
    printf("-ss = %d\n", -ss);
    printf("sc == -1: %d, (unsigned char)sc = %u\n", sc == -1, (unsigned char)sc);
    printf("-1 < 0u: %d\n", -1 < 0u);             /* -1 converts to UINT_MAX */
    printf("(unsigned)-1 > 0u: %d\n", (unsigned)-1 > 0u);
    printf("-1L < 1u: %d\n", -1L < 1u);              /* long holds every unsigned */
    printf("(unsigned char)300 = %u\n", (unsigned char)300);
    printf("(signed char)200 = %d\n", (signed char)200);
    printf("(int)-7.9 = %d, (int)7.9 = %d\n", (int)-7.9, (int)7.9);
    printf("7 / -2 = %d, 7 %% -2 = %d\n", 7 / -2, 7 % -2);
    printf("-7 / 2 = %d, -7 %% 2 = %d\n", -7 / 2, -7 % 2);
    printf("~uc1 = %d (%s)\n", ~uc1, signedness(~uc1));
    printf("uc1 << 4 = %d\n", uc1 << 4);
    printf("'a' * 2 = %d\n", 'a' * 2);
    printf("sizeof('a') = %zu, sizeof(sc) = %zu\n", sizeof('a'), sizeof(sc));
    printf("INT_MAX + 1LL = %lld\n", INT_MAX + 1LL);
    printf("(long long)UINT_MAX * 2 = %lld\n", (long long)UINT_MAX * 2);
    return 0;
}
