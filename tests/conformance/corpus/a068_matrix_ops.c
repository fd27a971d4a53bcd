#include <stdio.h>

#define N 3
typedef double matrix[N][N];

static const matrix A = { { 1, 2, 3 }, { 0, 1, 4 }, { 5, 6, 0 } };
static matrix B = { { -24, 18, 5 }, { 20, -15, -4 }, { -5, 4, 1 } };  /* inverse of A */
static matrix result;

static void multiply(const double (*x)[N], const double (*y)[N], double (*out)[N])
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += x[i][k] * y[k][j];
            out[i][j] = s;
        }
}

static void transpose(const double (*x)[N], double (*out)[N])
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            out[j][i] = x[i][j];
}

static double determinant(const double (*m)[N])
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
         - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
         + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

static void print(const char *name, const double (*m)[N])
{
    printf("%s:\n", name);
    for (int i = 0; i < N; i++)
        printf("  %6.1f %6.1f %6.1f\n", m[i][0], m[i][1], m[i][2]);
}

int main(void)
{
    matrix t;
    multiply(A, (const double (*)[N])B, result);
    print("A * B", (const double (*)[N])result);
    transpose(A, t);
    print("transpose(A)", (const double (*)[N])t);
    printf("det(A) = %.1f\n", determinant(A));
    printf("det(B) = %.1f\n", determinant((const double (*)[N])B));
    return 0;
}
