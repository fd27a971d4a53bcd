#include <stdio.h>

static int square_sum(int n)
{
    int v[n];                    /* variable length array */
    int s = 0;
    for (int i = 0; i < n; i++)
        v[i] = i * i;
    for (int i = 0; i < n; i++)
        s += v[i];
    printf("sizeof v (n=%d) = %zu\n", n, sizeof v);
    return s;
}

static void table(int rows, int cols)
{
    double m[rows][cols];
    typedef double row_t[cols];  /* VLA typedef in block scope */
    row_t *first = &m[0];

    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            m[i][j] = i + j / 10.0;
    printf("sizeof m = %zu, sizeof m[0] = %zu, sizeof(row_t) = %zu\n",
           sizeof m, sizeof m[0], sizeof(row_t));
    printf("(*first)[cols-1] = %.1f, m[rows-1][0] = %.1f\n", (*first)[cols - 1], m[rows - 1][0]);
}

int main(int argc, char **argv)
{
    (void)argv;
    int n = 5 + (argc > 1);      /* 5 when run without arguments */
    printf("n = %d\n", n);
    printf("square_sum(n) = %d\n", square_sum(n));
    printf("square_sum(2n) = %d\n", square_sum(2 * n));
    table(n - 2, n);
    char name[n + 1];
    for (int i = 0; i < n; i++)
        name[i] = (char)('a' + i);
    name[n] = '\0';
    printf("name = %s, sizeof name = %zu\n", name, sizeof name);
    return 0;
}
