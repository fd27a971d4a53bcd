#include <stdio.h>
#include <stddef.h>

void vec_add(size_t n, int *restrict dst, const int *restrict a, const int *restrict b);
static void copy_bytes(void *restrict dst, const void *restrict src, size_t n);

void vec_add(size_t n, int *restrict dst, const int *restrict a, const int *restrict b)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = a[i] + b[i];
}

static void copy_bytes(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *restrict d = dst;
    const unsigned char *restrict s = src;
    while (n--)
        *d++ = *s++;
}

static int dot(size_t n, const int a[restrict n], const int b[restrict n])
{
    int s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static void scale_into(int *restrict out, const int *restrict in, int k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] * k;
}

int main(void)
{
    int a[5] = { 1, 2, 3, 4, 5 };
    int b[5] = { 10, 20, 30, 40, 50 };
    int c[5], d[5];
    char msg[16];

    vec_add(5, c, a, b);
    printf("c = %d %d %d %d %d\n", c[0], c[1], c[2], c[3], c[4]);
    copy_bytes(msg, "restrict ok", 12);
    printf("msg = %s\n", msg);
    printf("dot(a, b) = %d\n", dot(5, a, b));
    scale_into(d, c, -2, 5);
    printf("d = %d %d %d %d %d\n", d[0], d[1], d[2], d[3], d[4]);
    copy_bytes(&a[0], &b[3], 2 * sizeof(int));   /* non-overlapping regions */
    printf("a = %d %d %d %d %d\n", a[0], a[1], a[2], a[3], a[4]);
    return 0;
}
