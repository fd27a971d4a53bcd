/* Classic bit manipulation tricks on unsigned integers. */
#include <stdio.h>
#include <limits.h>

#define BIT(n) (1u << (n))
#define SET_BIT(x, n) ((x) | BIT(n))
#define CLEAR_BIT(x, n) ((x) & ~BIT(n))
#define TOGGLE_BIT(x, n) ((x) ^ BIT(n))
#define TEST_BIT(x, n) (((x) >> (n)) & 1u)

/* bitcount: count 1 bits in x (K&R exercise 2-9) */
static int bitcount(unsigned x)
{
    int b;
    for (b = 0; x != 0; x &= x - 1)
        b++;
    return b;
}

/* getbits: get n bits from position p (K&R 2.9) */
static unsigned getbits(unsigned x, int p, int n)
{
    return (x >> (p + 1 - n)) & ~(~0u << n);
}

static unsigned reverse_bits(unsigned x)
{
    unsigned r = 0;
    int i;
    for (i = 0; i < (int)(sizeof x * CHAR_BIT); i++) {
        r = (r << 1) | (x & 1u);
        x >>= 1;
    }
    return r;
}

static const char *binary(unsigned x, int width, char *buf)
{
    int i;
    for (i = 0; i < width; i++)
        buf[i] = TEST_BIT(x, width - 1 - i) ? '1' : '0';
    buf[width] = '\0';
    return buf;
}

static unsigned next_pow2(unsigned x)
{
    x--;
    x |= x >> 1; x |= x >> 2; x |= x >> 4; x |= x >> 8; x |= x >> 16;
    return x + 1;
}

int main(void)
{
    char buf[40];
    unsigned a = 0xB6, b = 0x5, i;

    printf("a = %s, bitcount = %d\n", binary(a, 8, buf), bitcount(a));
    printf("set 0: %s, clear 2: %s, toggle 7: %s\n", binary(SET_BIT(a, 0), 8, buf),
           binary(CLEAR_BIT(a, 2), 8, buf + 9), binary(TOGGLE_BIT(a, 7), 8, buf + 18));
    printf("getbits(a, 5, 3) = %u\n", getbits(a, 5, 3));
    printf("lowest set bit of a = %u\n", a & -a);
    printf("is power of two: 64=%d 96=%d\n", (64 & 63) == 0, (96 & 95) == 0);
    printf("next_pow2(100) = %u, next_pow2(1024) = %u\n", next_pow2(100), next_pow2(1024));
    printf("reverse_bits(1) = 0x%08x\n", reverse_bits(1));
    a ^= b; b ^= a; a ^= b;
    printf("xor swap: a = 0x%x, b = 0x%x\n", a, b);
    printf("gray codes:");
    for (i = 0; i < 8; i++)
        printf(" %s", binary(i ^ (i >> 1), 3, buf));
    printf("\n");
    printf("rotate 0x12345678 left 8 = 0x%08x\n", (0x12345678u << 8) | (0x12345678u >> 24));
    return 0;
}
