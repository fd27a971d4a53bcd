/* GNU nested functions that read and modify the enclosing function's locals. */
#include <stdio.h>

#define N 8

static const int data[N] = { 5, -3, 12, 7, -8, 0, 9, 4 };

static int stats(const int *v, int n)
{
    int count = 0, total = 0, largest = v[0];

    void visit(int x)
    {
        count++;
        total += x;
        if (x > largest)
            largest = x;
    }

    int i;
    for (i = 0; i < n; i++)
        visit(v[i]);
    printf("count=%d total=%d largest=%d\n", count, total, largest);
    return total;
}

static long power_sum(int base, int terms)
{
    long power(int e)
    {
        return e == 0 ? 1 : base * power(e - 1);    /* recursive nested function */
    }

    long sum = 0;
    int i;
    for (i = 0; i < terms; i++)
        sum += power(i);
    return sum;
}

static void bubble(int *v, int n)
{
    int swaps = 0;

    int greater(int a, int b) { return a > b; }
    void swap(int i, int j)
    {
        int t = v[i];
        v[i] = v[j];
        v[j] = t;
        swaps++;
    }

    int i, j;
    for (i = 0; i < n - 1; i++)
        for (j = 0; j < n - 1 - i; j++)
            if (greater(v[j], v[j + 1]))
                swap(j, j + 1);
    printf("bubble sort made %d swaps\n", swaps);
}

int main(void)
{
    int copy[N], i;

    printf("stats returned %d\n", stats(data, N));
    printf("power_sum(2, 10) = %ld\n", power_sum(2, 10));
    printf("power_sum(3, 5) = %ld\n", power_sum(3, 5));
    for (i = 0; i < N; i++)
        copy[i] = data[i];
    bubble(copy, N);
    printf("sorted:");
    for (i = 0; i < N; i++)
        printf(" %d", copy[i]);
    printf("\n");
    return 0;
}
