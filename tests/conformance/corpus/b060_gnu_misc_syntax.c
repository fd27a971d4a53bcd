/* GNU syntax: x ?: y, __extension__, 0b literals, range designators, \e, empty struct. */
#include <stdio.h>
#include <string.h>

#define DEFAULT_NAME "anonymous"
#define OR_DEFAULT(s) ((s) ?: DEFAULT_NAME)
#define MASK_LOW_NIBBLE 0b00001111

struct empty {};

static int lookup[16] = { [0 ... 7] = 1, [8 ... 14] = 2, [15] = 3 };
static const char *labels[] = { [2] = "two", [0] = "zero", [5] = "five" };

__extension__ typedef long long wide_t;

static int calls;

static int side_effect(void)
{
    calls++;
    return 7;
}

int main(void)
{
    const char *none = NULL, *given = "alice";
    unsigned bits = 0b10110110;
    wide_t big = __extension__ 0x7fffffffffffffffLL;
    int v, i, total = 0;
    char esc[] = "\e[0m";

    printf("OR_DEFAULT(NULL) = %s\n", OR_DEFAULT(none));
    printf("OR_DEFAULT(given) = %s\n", OR_DEFAULT(given));
    v = side_effect() ?: 99;
    printf("side_effect() ?: 99 = %d, calls = %d\n", v, calls);
    v = 0 ?: 42;
    printf("0 ?: 42 = %d\n", v);
    printf("0b10110110 = %u, low nibble = %u\n", bits, bits & MASK_LOW_NIBBLE);
    printf("0b1 << 10 = %d\n", 0b1 << 10);
    for (i = 0; i < 16; i++)
        total += lookup[i];
    printf("range designators total = %d, lookup[7]=%d lookup[8]=%d\n", total, lookup[7], lookup[8]);
    printf("labels: %zu entries, [1] is %s, [5] = %s\n", sizeof labels / sizeof labels[0],
           labels[1] ? labels[1] : "NULL", labels[5]);
    printf("sizeof(struct empty) = %zu\n", sizeof(struct empty));
    printf("\\e is %d, escape string length %zu\n", esc[0], strlen(esc));
    printf("wide_t max = %lld\n", big);
    printf("__extension__ expr = %d\n", __extension__ ({ int t = 5; t * t; }));
    return 0;
}
