#include <stdio.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

_Alignas(16) int aligned16;
alignas(64) char cache_line[64];
static alignas(double) unsigned char storage[sizeof(double) * 4];

struct packet {
    char tag;
    alignas(8) int value;
    char end;
};

struct over {
    _Alignas(32) char c;
};

static int is_aligned(const void *p, size_t a)
{
    return (uintptr_t)p % a == 0;
}

int main(void)
{
    printf("alignof(char) = %zu\n", alignof(char));
    printf("alignof(int) = %zu, alignof(double) = %zu\n", alignof(int), alignof(double));
    printf("alignof(long double) = %zu\n", _Alignof(long double));
    printf("alignof(max_align_t) = %zu\n", alignof(max_align_t));
    printf("alignof(struct packet) = %zu, sizeof = %zu\n",
           alignof(struct packet), sizeof(struct packet));
    printf("offsetof(packet, value) = %zu\n", offsetof(struct packet, value));
    printf("alignof(struct over) = %zu, sizeof = %zu\n", alignof(struct over), sizeof(struct over));
    printf("aligned16 ok: %d\n", is_aligned(&aligned16, 16));
    printf("cache_line ok: %d\n", is_aligned(cache_line, 64));
    printf("storage ok: %d\n", is_aligned(storage, alignof(double)));
    alignas(32) int local[4] = { 1, 2, 3, 4 };
    printf("local ok: %d, sum = %d\n", is_aligned(local, 32), local[0] + local[3]);
    return 0;
}
