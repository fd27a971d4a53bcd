/* <assert.h>: runtime asserts that hold, and static assertions. */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static_assert(sizeof(int) >= 4, "int must be at least 32 bits");
_Static_assert(CHAR_BIT == 8, "bytes are octets");

struct header {
    unsigned char tag;
    unsigned short len;
    unsigned int crc;
};

static_assert(sizeof(struct header) == 8, "expected padding layout");

static int primes[] = { 2, 3, 5, 7, 11, 13 };

static int checked_div(int a, int b)
{
    assert(b != 0);
    assert(!(a == INT_MIN && b == -1));
    return a / b;
}

static size_t safe_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    assert(dst != NULL && src != NULL);
    assert(n < cap);
    memcpy(dst, src, n + 1);
    return n;
}

int main(void)
{
    char buf[16];
    size_t i;

    printf("checked_div(17, 5) = %d\n", checked_div(17, 5));
    printf("checked_div(-9, 2) = %d\n", checked_div(-9, 2));
    printf("copied %zu chars: %s\n", safe_copy(buf, sizeof buf, "assertive"), buf);
    for (i = 1; i < ARRAY_LEN(primes); i++)
        assert(primes[i] > primes[i - 1]);
    printf("primes are increasing (%zu checked)\n", ARRAY_LEN(primes) - 1);
    assert(ARRAY_LEN(primes) == 6);
    printf("sizeof(struct header) = %zu\n", sizeof(struct header));
    printf("all assertions passed\n");
    return 0;
}
