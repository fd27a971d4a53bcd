#include <stdio.h>
#include <stdbool.h>

_Bool raw_flag = 5;              /* any nonzero value converts to 1 */
bool enabled = true;
static bool table[4] = { 0, 2, -1, 0.5 };

static bool is_prime(unsigned n)
{
    if (n < 2)
        return false;
    for (unsigned d = 2; d * d <= n; d++)
        if (n % d == 0)
            return false;
    return true;
}

static int count_true(const bool *v, int n)
{
    int c = 0;
    while (n--)
        c += *v++;
    return c;
}

int main(void)
{
    bool b = 0.1;                /* nonzero double -> true */
    bool z = 0.0;

    printf("raw_flag = %d\n", raw_flag);
    printf("enabled = %d, !enabled = %d\n", enabled, !enabled);
    printf("table = %d %d %d %d\n", table[0], table[1], table[2], table[3]);
    printf("count_true(table) = %d\n", count_true(table, 4));
    printf("b = %d, z = %d\n", b, z);
    printf("true + true = %d\n", true + true);
    printf("sizeof(bool) = %zu\n", sizeof(bool));
    printf("primes below 30:");
    for (unsigned i = 0; i < 30; i++)
        if (is_prime(i))
            printf(" %u", i);
    printf("\n");
    b = 256;                     /* not truncated to 0 like a char would be */
    printf("b = 256 -> %d\n", b);
    b = !b;
    printf("after negation: %d\n", b);
    return 0;
}
