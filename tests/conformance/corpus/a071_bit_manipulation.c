#include <stdio.h>
#include <stdint.h>

static int popcount_loop(uint32_t v)
{
    int c = 0;
    for (; v; v &= v - 1)        /* clear the lowest set bit */
        c++;
    return c;
}

static uint32_t rotl32(uint32_t v, unsigned n)
{
    n &= 31;
    return n ? (v << n) | (v >> (32 - n)) : v;
}

static uint8_t reverse8(uint8_t b)
{
    b = (uint8_t)((b & 0xF0) >> 4 | (b & 0x0F) << 4);
    b = (uint8_t)((b & 0xCC) >> 2 | (b & 0x33) << 2);
    b = (uint8_t)((b & 0xAA) >> 1 | (b & 0x55) << 1);
    return b;
}

static int is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

static uint32_t next_pow2(uint32_t v)
{
    v--;
    v |= v >> 1; v |= v >> 2; v |= v >> 4; v |= v >> 8; v |= v >> 16;
    return v + 1;
}

static void print_bin(const char *label, unsigned v, int width)
{
    printf("%s = ", label);
    for (int i = width - 1; i >= 0; i--)
        putchar(v >> i & 1 ? '1' : '0');
    putchar('\n');
}

int main(void)
{
    uint32_t x = 0xF0F00F01u;
    printf("popcount_loop = %d, builtin = %d\n", popcount_loop(x), __builtin_popcount(x));
    printf("clz = %d, ctz = %d\n", __builtin_clz(x), __builtin_ctz(0x80u));
    printf("rotl32(x, 8) = 0x%08x\n", rotl32(x, 8));
    printf("rotl32(x, 0) = 0x%08x\n", rotl32(x, 0));
    print_bin("reverse8(0x13)", reverse8(0x13), 8);
    print_bin("0x13          ", 0x13, 8);
    printf("is_pow2: 64=%d 96=%d 0=%d\n", is_pow2(64), is_pow2(96), is_pow2(0));
    printf("next_pow2(1000) = %u\n", next_pow2(1000));
    printf("lowest set bit of 0x58 = 0x%x\n", 0x58 & -0x58);
    printf("parity(x) = %d\n", __builtin_parity(x));
    unsigned flags = 0;
    flags |= 1u << 3;
    flags |= 1u << 5;
    flags &= ~(1u << 3);
    flags ^= 1u << 0;
    print_bin("flags", flags, 8);
    return 0;
}
