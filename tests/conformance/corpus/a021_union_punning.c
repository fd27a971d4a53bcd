#include <stdio.h>
#include <stdint.h>

union fbits {
    float f;
    uint32_t u;
};

union dbits {
    double d;
    uint64_t u;
    unsigned char bytes[8];
};

union word {
    uint32_t value;
    uint8_t b[4];
    uint16_t half[2];
};

static union word global_word = { .value = 0x11223344u };

static uint32_t float_bits(float f)
{
    union fbits x = { .f = f };
    return x.u;
}

static float bits_float(uint32_t u)
{
    union fbits x;
    x.u = u;
    return x.f;
}

int main(void)
{
    union dbits d = { .d = 1.0 };

    printf("bits(1.0f) = 0x%08x\n", float_bits(1.0f));
    printf("bits(-2.5f) = 0x%08x\n", float_bits(-2.5f));
    printf("float(0x40490fdb) = %.6f\n", bits_float(0x40490fdbu));
    printf("bits(1.0) = 0x%016llx\n", (unsigned long long)d.u);
    printf("top byte of 1.0 = 0x%02x\n", d.bytes[7]);
    printf("word bytes: %02x %02x %02x %02x\n", global_word.b[0], global_word.b[1],
           global_word.b[2], global_word.b[3]);
    printf("halves: 0x%04x 0x%04x\n", global_word.half[0], global_word.half[1]);
    global_word.b[3] = 0xAA;
    printf("value now 0x%08x\n", global_word.value);
    printf("sizeof(union dbits) = %zu\n", sizeof(union dbits));
    return 0;
}
