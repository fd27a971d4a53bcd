/* __int128: 128-bit multiply/divide, printed by splitting into 64-bit halves. */
#include <stdio.h>
#include <stdint.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

#define HI(x) ((uint64_t)((u128)(x) >> 64))
#define LO(x) ((uint64_t)(x))

static void print_hex(const char *label, u128 v)
{
    printf("%-12s = 0x%016llx%016llx\n", label, (unsigned long long)HI(v), (unsigned long long)LO(v));
}

static char *to_decimal(u128 v, char *buf, size_t cap)
{
    char *p = buf + cap - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0 && p > buf);
    return p;
}

static u128 factorial(unsigned n)
{
    u128 r = 1;
    while (n > 1)
        r *= n--;
    return r;
}

int main(void)
{
    char buf[48];
    uint64_t a = 0xFFFFFFFFFFFFFFFFull, b = 0x123456789ABCDEFull;
    u128 prod = (u128)a * b;
    u128 f30 = factorial(30);
    i128 neg = -(i128)f30;
    i128 q = neg / 1000000007, r = neg % 1000000007;

    print_hex("a * b", prod);
    printf("prod / b == a: %d\n", prod / b == a);
    printf("prod %% 1000 = %llu\n", (unsigned long long)(prod % 1000));
    printf("30! = %s\n", to_decimal(f30, buf, sizeof buf));
    print_hex("30!", f30);
    printf("-30! / 1e9+7 = -%s\n", to_decimal((u128)(-q), buf, sizeof buf));
    printf("-30! %% 1e9+7 = %lld\n", (long long)r);
    printf("max u128 = %s\n", to_decimal(~(u128)0, buf, sizeof buf));
    printf("sizeof(__int128) = %zu\n", sizeof(i128));
    printf("(u128)1 << 100 high half = 0x%llx\n", (unsigned long long)HI((u128)1 << 100));
    return 0;
}
