/* Fibonacci four ways. */
#include <stdio.h>
#include <stdint.h>

static int fib_rec(int n)
{
    return n < 2 ? n : fib_rec(n - 1) + fib_rec(n - 2);
}

static uint64_t fib_iter(int n)
{
    uint64_t a = 0, b = 1;
    while (n-- > 0) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    return a;
}

static uint64_t memo[94];

static uint64_t fib_memo(int n)
{
    if (n < 2)
        return (uint64_t)n;
    if (!memo[n])
        memo[n] = fib_memo(n - 1) + fib_memo(n - 2);
    return memo[n];
}

/* [[1,1],[1,0]]^n via fast exponentiation */
static uint64_t fib_matrix(int n)
{
    uint64_t r[2][2] = { { 1, 0 }, { 0, 1 } }, m[2][2] = { { 1, 1 }, { 1, 0 } };
    while (n > 0) {
        uint64_t t[2][2];
        if (n & 1) {
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    t[i][j] = r[i][0] * m[0][j] + r[i][1] * m[1][j];
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    r[i][j] = t[i][j];
        }
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                t[i][j] = m[i][0] * m[0][j] + m[i][1] * m[1][j];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                m[i][j] = t[i][j];
        n >>= 1;
    }
    return r[0][1];
}

int main(void)
{
    for (int n = 0; n <= 10; n += 5)
        printf("fib_rec(%d) = %d\n", n, fib_rec(n));
    printf("fib_rec(22) = %d\n", fib_rec(22));
    printf("fib_iter(50) = %llu\n", (unsigned long long)fib_iter(50));
    printf("fib_memo(90) = %llu\n", (unsigned long long)fib_memo(90));
    printf("fib_matrix(90) = %llu\n", (unsigned long long)fib_matrix(90));
    printf("agree: %d\n", fib_iter(93) == fib_matrix(93));
    return 0;
}
