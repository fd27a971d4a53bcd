/* GCC bit builtins: popcount, clz/ctz, ffs, parity, bswap, expect, overflow checks. */
#include <stdio.h>
#include <stdint.h>
#include <limits.h>

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static const unsigned long long samples[] = { 1ull, 0xF0ull, 0x8000000000000000ull, 0xDEADBEEFull, 255ull };

static unsigned log2_floor(unsigned v)
{
    return (unsigned)(sizeof(unsigned) * CHAR_BIT - 1) - (unsigned)__builtin_clz(v);
}

static int checked_sum(const int *v, int n, int *out)
{
    int i, acc = 0;
    for (i = 0; i < n; i++) {
        if (unlikely(__builtin_add_overflow(acc, v[i], &acc)))
            return 0;
    }
    *out = acc;
    return 1;
}

int main(void)
{
    size_t i;
    int sum = 0, prod;
    int ok_vals[] = { 1, 2, 3, 1000000 };
    int bad_vals[] = { INT_MAX, 1 };

    for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        unsigned long long v = samples[i];
        printf("0x%016llx popcount=%2d clzll=%2d ctzll=%2d ffsll=%2d parity=%d\n", v,
               __builtin_popcountll(v), __builtin_clzll(v), __builtin_ctzll(v),
               __builtin_ffsll((long long)v), __builtin_parityll(v));
    }
    printf("clz(1)=%d clz(0x80000000)=%d\n", __builtin_clz(1u), __builtin_clz(0x80000000u));
    printf("log2_floor(1000) = %u\n", log2_floor(1000));
    printf("bswap32(0x12345678) = 0x%08x\n", __builtin_bswap32(0x12345678u));
    printf("bswap16(0xABCD) = 0x%04x\n", (unsigned)__builtin_bswap16(0xABCD));
    printf("ffs(0) = %d\n", __builtin_ffs(0));
    if (likely(checked_sum(ok_vals, 4, &sum)))
        printf("checked_sum ok = %d\n", sum);
    printf("checked_sum overflow detected = %d\n", !checked_sum(bad_vals, 2, &sum));
    printf("mul_overflow(65536, 65536) = %d\n", __builtin_mul_overflow(65536, 65536, &prod));
    printf("sub_overflow(INT_MIN, 1) = %d\n", __builtin_sub_overflow(INT_MIN, 1, &prod));
    return 0;
}
