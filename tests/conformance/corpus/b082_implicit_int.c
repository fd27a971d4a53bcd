/* Old-style C as textbooks and old code write it: definitions without a
   return type (C90's implicit int) and K&R parameter declarations. */
#include <stdio.h>
#include <string.h>

static count;

square(x)
{
    return x * x;
}

power(base, n)
    int base;
    int n;
{
    int r = 1;
    while (n-- > 0)
        r *= base;
    return r;
}

static
length(s)
    char *s;
{
    return (int)strlen(s);
}

add(int a, int b) { return a + b; }

double
average(a, n)
    double *a;
{
    double sum = 0;
    int i;
    for (i = 0; i < n; i++)
        sum += a[i];
    return n ? sum / n : 0;
}

const twice(int v) { count++; return 2 * v; }

main()
{
    double v[] = { 1.5, 2.5, 4.0 };
    printf("%d %d %d %d\n", square(7), power(2, 10), length("hello"), add(40, 2));
    int t = twice(21);
    printf("%.3f %d %d\n", average(v, 3), t, count);
    return square(3) - 9;
}
