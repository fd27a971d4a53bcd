/* Matrix multiply with variably modified parameters, transpose, determinant. */
#include <stdio.h>

#define ROWS 2
#define INNER 3
#define COLS 2

typedef double mat3[3][3];

static void matmul(int n, int m, int p, const double a[n][m], const double b[m][p], double c[n][p])
{
    int i, j, k;
    for (i = 0; i < n; i++)
        for (j = 0; j < p; j++) {
            double s = 0.0;
            for (k = 0; k < m; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
}

static void print_matrix(const char *name, int n, int m, const double a[n][m])
{
    int i, j;
    printf("%s =\n", name);
    for (i = 0; i < n; i++) {
        for (j = 0; j < m; j++)
            printf(" %8.2f", a[i][j]);
        printf("\n");
    }
}

static double det3(const mat3 a)
{
    return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
         - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
         + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
}

static void transpose3(const mat3 a, mat3 t)
{
    int i, j;
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++)
            t[j][i] = a[i][j];
}

int main(void)
{
    const double a[ROWS][INNER] = { { 1, 2, 3 }, { 4, 5, 6 } };
    const double b[INNER][COLS] = { { 7, 8 }, { 9, 10 }, { 11, 12 } };
    double c[ROWS][COLS];
    mat3 m = { { 2, -1, 0 }, { -1, 2, -1 }, { 0, -1, 2 } };
    mat3 id = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
    mat3 mt, prod;

    matmul(ROWS, INNER, COLS, a, b, c);
    print_matrix("A*B", ROWS, COLS, (const double (*)[COLS])c);
    matmul(3, 3, 3, (const double (*)[3])m, (const double (*)[3])id, prod);
    print_matrix("M*I", 3, 3, (const double (*)[3])prod);
    transpose3((const double (*)[3])m, mt);
    print_matrix("M^T", 3, 3, (const double (*)[3])mt);
    matmul(3, 3, 3, (const double (*)[3])m, (const double (*)[3])m, prod);
    print_matrix("M*M", 3, 3, (const double (*)[3])prod);
    printf("det(M) = %.2f\n", det3((const double (*)[3])m));
    printf("det(M*M) = %.2f\n", det3((const double (*)[3])prod));
    return 0;
}
