#include <stdio.h>
#include <stdint.h>
#include <limits.h>

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 16777619u;          /* wraps modulo 2^32 */
    }
    return h;
}

static uint64_t lcg_next(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

static unsigned countdown_wraps(unsigned start)
{
    unsigned steps = 0;
    for (unsigned i = start; i <= start; i--)   /* stops when i wraps past 0 */
        steps++;
    return steps;
}

int main(void)
{
    unsigned u = UINT_MAX;
    uint8_t b = 250;
    uint16_t w = 0;
    uint64_t st = 42;

    printf("UINT_MAX + 1u = %u\n", u + 1u);
    printf("0u - 1 = %u\n", 0u - 1);
    b += 10;
    printf("uint8_t 250 + 10 = %u\n", b);
    w -= 1;
    printf("uint16_t 0 - 1 = %u\n", w);
    printf("UINT_MAX * UINT_MAX = %u\n", u * u);
    printf("ULLONG_MAX + 1 = %llu\n", ULLONG_MAX + 1ULL);
    printf("fnv1a(\"hello\") = 0x%08x\n", fnv1a("hello"));
    printf("fnv1a(\"\") = 0x%08x\n", fnv1a(""));
    for (int i = 0; i < 3; i++)
        printf("lcg %d = %llu\n", i, (unsigned long long)lcg_next(&st));
    printf("countdown_wraps(5) = %u\n", countdown_wraps(5));
    printf("-(unsigned)3 = %u\n", -(unsigned)3);
    return 0;
}
