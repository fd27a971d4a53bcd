/* Variably modified parameter types. */
#include <stdio.h>

void fill(int n, int a[n][n]);
int trace(int n, int a[n][n]);
static void transpose(int n, int a[n][n]);
static void print_matrix(int rows, int cols, int m[rows][cols]);

void fill(int n, int a[n][n])
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            a[i][j] = i * n + j;
}

int trace(int n, int a[n][n])
{
    int t = 0;
    for (int i = 0; i < n; i++)
        t += a[i][i];
    return t;
}

static void transpose(int n, int a[n][n])
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            int tmp = a[i][j];
            a[i][j] = a[j][i];
            a[j][i] = tmp;
        }
}

static void print_matrix(int rows, int cols, int m[rows][cols])
{
    printf("row size inside callee = %zu\n", sizeof m[0]);
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++)
            printf("%3d", m[i][j]);
        putchar('\n');
    }
}

static double mean(int n, const double v[n])
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return s / n;
}

int main(void)
{
    int n = 4;
    int m[n][n];
    double vals[] = { 1.5, 2.5, 3.0, 5.0 };

    fill(n, m);
    print_matrix(n, n, m);
    printf("trace = %d\n", trace(n, m));
    transpose(n, m);
    print_matrix(n, n, m);
    printf("mean = %.3f\n", mean(4, vals));
    return 0;
}
