/* Multi-line statement macros wrapped in do { } while (0). */
#include <stdio.h>

#define SWAP(a, b)                  \
    do {                            \
        __typeof__(a) swap_tmp_ = (a); \
        (a) = (b);                  \
        (b) = swap_tmp_;            \
    } while (0)

#define CHECK(cond)                                  \
    do {                                             \
        if (cond) {                                  \
            printf("ok:   %s\n", #cond);             \
            passed++;                                \
        } else {                                     \
            printf("FAIL: %s\n", #cond);             \
            failed++;                                \
        }                                            \
    } while (0)

#define REPEAT(n, body)                 \
    do {                                \
        int rep_i_;                     \
        for (rep_i_ = 0; rep_i_ < (n); rep_i_++) { body; } \
    } while (0)

static int passed, failed;

static void sort3(int *a, int *b, int *c)
{
    if (*a > *b)
        SWAP(*a, *b);
    else
        (void)0;
    if (*b > *c)
        SWAP(*b, *c);
    if (*a > *b)
        SWAP(*a, *b);
}

int main(void)
{
    int x = 9, y = 2, z = 5, total = 0;
    double p = 1.5, q = -2.5;

    sort3(&x, &y, &z);
    printf("sorted: %d %d %d\n", x, y, z);
    SWAP(p, q);
    printf("swapped doubles: %.1f %.1f\n", p, q);
    CHECK(x <= y && y <= z);
    CHECK(p < q);
    if (total == 0)
        CHECK(total == 0);
    else
        CHECK(total != 0);
    REPEAT(4, total += 5);
    CHECK(total == 20);
    printf("passed=%d failed=%d\n", passed, failed);
    return 0;
}
