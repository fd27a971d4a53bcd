#include <stdio.h>

static unsigned long calls;

static unsigned long ackermann(unsigned long m, unsigned long n)
{
    calls++;
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

int main(void)
{
    unsigned long m, n;

    for (m = 0; m <= 3; m++) {
        for (n = 0; n <= 3; n++) {
            calls = 0;
            unsigned long r = ackermann(m, n);
            printf("A(%lu,%lu) = %-3lu (%lu calls)\n", m, n, r, calls);
        }
    }
    calls = 0;
    printf("A(3,5) = %lu\n", ackermann(3, 5));
    printf("calls for A(3,5) = %lu\n", calls);
    return 0;
}
