/* __attribute__((packed)), aligned(N) and unused. */
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct natural {
    char c;
    int i;
    short s;
};

struct __attribute__((packed)) wire {
    char c;
    int i;
    short s;
};

struct __attribute__((aligned(32))) padded {
    int x;
};

typedef struct {
    uint8_t type;
    uint32_t length;
    uint16_t flags;
} __attribute__((packed)) frame_t;

static int aligned_global __attribute__((aligned(64))) = 7;
static const int helper_table[] __attribute__((unused)) = { 1, 2, 3 };

static int scale(int v, int unused_arg __attribute__((unused)))
{
    int spare __attribute__((unused));
    return v * 3;
}

int main(void)
{
    unsigned char raw[7] = { 0x01, 0x10, 0x00, 0x00, 0x00, 0x34, 0x12 };
    frame_t f;
    struct wire w = { 'w', 123456, -2 };

    printf("natural: size %zu, offsets %zu %zu %zu\n", sizeof(struct natural),
           offsetof(struct natural, c), offsetof(struct natural, i), offsetof(struct natural, s));
    printf("packed:  size %zu, offsets %zu %zu %zu\n", sizeof(struct wire),
           offsetof(struct wire, c), offsetof(struct wire, i), offsetof(struct wire, s));
    printf("aligned(32): size %zu, align %zu\n", sizeof(struct padded), _Alignof(struct padded));
    printf("aligned_global 64-aligned: %d, value %d\n",
           (uintptr_t)&aligned_global % 64 == 0, aligned_global);
    memcpy(&f, raw, sizeof f);
    printf("frame_t size %zu: type=%u length=%u flags=0x%04x\n",
           sizeof f, f.type, (unsigned)f.length, (unsigned)f.flags);
    w.i += 1;
    printf("wire fields: %c %d %d\n", w.c, w.i, w.s);
    printf("scale(14) = %d\n", scale(14, 0));
    return 0;
}
