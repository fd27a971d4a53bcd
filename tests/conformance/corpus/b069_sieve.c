/* Sieve of Eratosthenes: primes to 100, pi(10000), twin primes, Goldbach. */
#include <stdio.h>
#include <string.h>
#include <stdbool.h>

#define LIMIT 10000

static bool composite[LIMIT + 1];

static void sieve(void)
{
    int i, j;
    memset(composite, 0, sizeof composite);
    composite[0] = composite[1] = true;
    for (i = 2; (long)i * i <= LIMIT; i++)
        if (!composite[i])
            for (j = i * i; j <= LIMIT; j += i)
                composite[j] = true;
}

static inline bool is_prime(int n)
{
    return n >= 0 && n <= LIMIT && !composite[n];
}

static int count_primes(int upto)
{
    int i, n = 0;
    for (i = 2; i <= upto; i++)
        n += is_prime(i);
    return n;
}

static int goldbach(int even, int *q)
{
    int p;
    for (p = 2; p <= even / 2; p++)
        if (is_prime(p) && is_prime(even - p)) {
            *q = even - p;
            return p;
        }
    return 0;
}

int main(void)
{
    int i, twins = 0, p, q = 0, column = 0;

    sieve();
    printf("primes below 100:\n");
    for (i = 2; i < 100; i++)
        if (is_prime(i))
            printf("%3d%s", i, ++column % 10 == 0 ? "\n" : "");
    printf("\n");
    printf("pi(100) = %d, pi(1000) = %d, pi(10000) = %d\n",
           count_primes(100), count_primes(1000), count_primes(LIMIT));
    for (i = 3; i + 2 < 1000; i += 2)
        if (is_prime(i) && is_prime(i + 2))
            twins++;
    printf("twin prime pairs below 1000: %d\n", twins);
    for (i = 4; i <= 100; i += 24) {
        p = goldbach(i, &q);
        printf("%d = %d + %d\n", i, p, q);
    }
    printf("largest prime <= %d: ", LIMIT);
    for (i = LIMIT; !is_prime(i); i--)
        ;
    printf("%d\n", i);
    return 0;
}
