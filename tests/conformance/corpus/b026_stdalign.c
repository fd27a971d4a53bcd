/* <stdalign.h>: alignas/alignof, aligned_alloc, alignment checks. */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define IS_ALIGNED(p, a) (((uintptr_t)(const void *)(p) % (a)) == 0)

struct plain {
    char c;
    double d;
};

struct vec4 {
    alignas(16) float v[4];
};

struct cache_line {
    alignas(64) char bytes[8];
    int tail;
};

static alignas(32) unsigned char buffer[100];
static _Alignas(double) char dbl_storage[sizeof(double)];

int main(void)
{
    alignas(16) char local[24];
    struct vec4 v;
    void *heap;

    printf("alignof(char) = %zu\n", alignof(char));
    printf("alignof(int) = %zu\n", alignof(int));
    printf("alignof(double) = %zu\n", alignof(double));
    printf("alignof(long double) = %zu\n", alignof(long double));
    printf("alignof(max_align_t) = %zu\n", alignof(max_align_t));
    printf("alignof(struct plain) = %zu, sizeof = %zu\n", alignof(struct plain), sizeof(struct plain));
    printf("alignof(struct vec4) = %zu, sizeof = %zu\n", _Alignof(struct vec4), sizeof(struct vec4));
    printf("alignof(struct cache_line) = %zu, sizeof = %zu\n",
           alignof(struct cache_line), sizeof(struct cache_line));
    printf("buffer 32-aligned: %d\n", IS_ALIGNED(buffer, 32));
    printf("dbl_storage aligned: %d\n", IS_ALIGNED(dbl_storage, alignof(double)));
    printf("local 16-aligned: %d\n", IS_ALIGNED(local, 16));
    printf("v.v 16-aligned: %d\n", IS_ALIGNED(v.v, 16));
    heap = aligned_alloc(64, 256);
    if (heap != NULL) {
        printf("aligned_alloc 64-aligned: %d\n", IS_ALIGNED(heap, 64));
        free(heap);
    }
    printf("__alignas_is_defined = %d\n", __alignas_is_defined);
    return 0;
}
