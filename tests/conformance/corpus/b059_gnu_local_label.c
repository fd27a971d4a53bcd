/* GNU __label__: block-scoped labels inside statement-expression macros. */
#include <stdio.h>

#define FIND(arr, n, val) ({                                \
    __label__ found, out;                                   \
    int idx_ = 0, res_;                                     \
    for (; idx_ < (n); idx_++)                              \
        if ((arr)[idx_] == (val))                           \
            goto found;                                     \
    res_ = -1;                                              \
    goto out;                                               \
found:                                                      \
    res_ = idx_;                                            \
out:                                                        \
    res_; })

#define FIRST_NEGATIVE(arr, n) ({                           \
    __label__ done;                                         \
    int i_, r_ = -1;                                        \
    for (i_ = 0; i_ < (n); i_++)                            \
        if ((arr)[i_] < 0) { r_ = i_; goto done; }          \
done:                                                       \
    r_; })

static const int primes[] = { 2, 3, 5, 7, 11, 13, 17, 19 };
static const int mixed[] = { 4, 9, -2, 7, -5 };

static int search_matrix(int m[3][3], int val)
{
    int r, c;
    {
        __label__ hit;
        for (r = 0; r < 3; r++)
            for (c = 0; c < 3; c++)
                if (m[r][c] == val)
                    goto hit;
        return -1;
    hit:
        return r * 3 + c;
    }
}

int main(void)
{
    int grid[3][3] = { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } };

    /* the same macro expands several times in one function: labels do not clash */
    printf("FIND 11 -> %d\n", FIND(primes, 8, 11));
    printf("FIND 4  -> %d\n", FIND(primes, 8, 4));
    printf("FIND 2  -> %d\n", FIND(primes, 8, 2));
    printf("FIRST_NEGATIVE(mixed) -> %d\n", FIRST_NEGATIVE(mixed, 5));
    printf("FIRST_NEGATIVE(primes) -> %d\n", FIRST_NEGATIVE(primes, 8));
    printf("search_matrix 6 -> %d\n", search_matrix(grid, 6));
    printf("search_matrix 10 -> %d\n", search_matrix(grid, 10));
    return 0;
}
