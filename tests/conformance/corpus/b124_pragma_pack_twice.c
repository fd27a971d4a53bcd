/* #pragma pack is a stack: two structs each packed by their own push/pack/pop lines
   (Csmith seed 8067: the second push was once dropped as a line already there). */
#include <stdint.h>
#include <stdio.h>

#pragma pack(push)
#pragma pack(1)
struct header {
    uint8_t kind;
    uint32_t length;
};
#pragma pack(pop)

#pragma pack(push)
#pragma pack(1)
struct record {
    uint8_t tag;
    uint32_t value;
    uint16_t check;
};
#pragma pack(pop)

struct plain {
    uint8_t tag;
    uint32_t value;
};

union view {
    struct record r;
    uint64_t word;
};

union view v = { { 1, 0xAABBCCDD, 0x1234 } };

int main(void)
{
    printf("%zu %zu %zu\n", sizeof(struct header), sizeof(struct record), sizeof(struct plain));
    printf("%llx\n", (unsigned long long)v.word);
    return 0;
}
