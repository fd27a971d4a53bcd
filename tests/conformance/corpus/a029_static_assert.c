#include <stdio.h>
#include <assert.h>
#include <limits.h>
#include <stdint.h>

_Static_assert(sizeof(int) == 4, "int must be 32 bits");
static_assert(CHAR_BIT == 8, "bytes are octets");
_Static_assert(sizeof(void *) == 8, "LP64 expected");

struct header {
    uint16_t magic;
    uint16_t version;
    uint32_t length;
    _Static_assert(1 + 1 == 2, "static assertion inside a struct");
};

_Static_assert(sizeof(struct header) == 8, "header is packed naturally");

enum { BUF_SIZE = 32 };
static char buffer[BUF_SIZE];
_Static_assert(sizeof buffer == BUF_SIZE, "buffer size");

static unsigned checksum(const struct header *h)
{
    _Static_assert(sizeof h->magic == 2, "magic is two bytes");
    return (unsigned)h->magic ^ h->version ^ h->length;
}

int main(void)
{
    struct header h = { 0xCAFE, 3, 1024 };
    static_assert(sizeof h == 8, "block scope assertion");
    printf("sizeof(int) = %zu\n", sizeof(int));
    printf("sizeof(void *) = %zu\n", sizeof(void *));
    printf("sizeof(struct header) = %zu\n", sizeof(struct header));
    printf("BUF_SIZE = %d, sizeof buffer = %zu\n", BUF_SIZE, sizeof buffer);
    printf("checksum = 0x%x\n", checksum(&h));
    printf("INT_MAX = %d\n", INT_MAX);
    return 0;
}
