/* <stdint.h>: exact-width, least/fast types, limits and wraparound. */
#include <stdint.h>
#include <stdio.h>

#define ULL(x) ((unsigned long long)(x))
#define LL(x) ((long long)(x))

static uint32_t rotl32(uint32_t v, unsigned r)
{
    r &= 31;
    return r ? (v << r) | (v >> (32 - r)) : v;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    while (*s) {
        h ^= (uint8_t)*s++;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

int main(void)
{
    uint32_t wrap = UINT32_MAX;
    uint8_t small = 250;
    int64_t neg = INT64_MIN;
    uint64_t top = (uint64_t)1 << 63;

    wrap += 2;
    small += 10;
    printf("UINT32_MAX + 2 = %llu\n", ULL(wrap));
    printf("(uint8_t)(250 + 10) = %u\n", (unsigned)small);
    printf("INT64_MIN = %lld\n", LL(neg));
    printf("INT64_MAX = %lld\n", LL(INT64_MAX));
    printf("UINT64_MAX = %llu\n", ULL(UINT64_MAX));
    printf("(uint64_t)1 << 63 = %llu\n", ULL(top));
    printf("top >> 60 = %llu\n", ULL(top >> 60));
    printf("INT8_MIN=%d INT16_MAX=%d UINT16_MAX=%u\n", INT8_MIN, INT16_MAX, UINT16_MAX);
    printf("sizeof least8=%zu least16=%zu fast8=%zu fast16=%zu fast32=%zu\n",
           sizeof(int_least8_t), sizeof(int_least16_t), sizeof(int_fast8_t),
           sizeof(int_fast16_t), sizeof(int_fast32_t));
    printf("sizeof intptr_t=%zu intmax_t=%zu\n", sizeof(intptr_t), sizeof(intmax_t));
    printf("SIZE_MAX == UINT64_MAX: %d\n", SIZE_MAX == UINT64_MAX);
    printf("rotl32(0x80000001, 4) = 0x%08llx\n", ULL(rotl32(0x80000001u, 4)));
    printf("fnv1a(\"hello\") = 0x%016llx\n", ULL(fnv1a("hello")));
    printf("INT32_C(-5) * 3 = %lld\n", LL(INT32_C(-5) * 3));
    return 0;
}
