/* Bit-field layout on x86-64: packing, unnamed fields, zero width. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

struct rgb565 {
    unsigned b : 5;
    unsigned g : 6;
    unsigned r : 5;
};

struct padded {
    unsigned char a : 3;
    unsigned char   : 2;         /* unnamed padding bits */
    unsigned char b : 3;
};

struct split {
    unsigned char lo : 4;
    unsigned char    : 0;        /* next field starts a new byte */
    unsigned char hi : 4;
};

struct wide {
    uint64_t small : 7;
    uint64_t large : 40;
    int      tail  : 5;
};

union view565 { struct rgb565 c; uint16_t raw; };

static unsigned first_byte(const void *p)
{
    unsigned char b;
    memcpy(&b, p, 1);
    return b;
}

int main(void)
{
    union view565 v = { .c = { .r = 31, .g = 0, .b = 1 } };
    struct padded pd = { .a = 5, .b = 7 };
    struct split sp = { .lo = 3, .hi = 9 };
    struct wide w = { .small = 100, .large = 1099511627775ULL, .tail = -1 };

    printf("sizeof rgb565 = %zu\n", sizeof(struct rgb565));
    printf("sizeof padded = %zu, sizeof split = %zu\n", sizeof pd, sizeof sp);
    printf("sizeof wide = %zu\n", sizeof w);
    printf("rgb565 raw = 0x%04x\n", v.raw);
    printf("padded byte = 0x%02x\n", first_byte(&pd));
    printf("split bytes: lo=%u hi=%u\n", sp.lo, sp.hi);
    printf("wide: small=%u large=%llu tail=%d\n", (unsigned)w.small,
           (unsigned long long)w.large, w.tail);
    v.raw = 0x07E0;
    printf("0x07E0 -> r=%u g=%u b=%u\n", v.c.r, v.c.g, v.c.b);
    return 0;
}
