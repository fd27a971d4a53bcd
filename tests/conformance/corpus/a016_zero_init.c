#include <stdio.h>
#include <string.h>

struct big {
    int a;
    double b;
    char name[8];
    int *p;
    struct { short s; long l; } inner;
};

struct big z = {0};
int arr[100] = {0};
static struct big zs;
double darr[5] = {0};
struct big many[4] = {0};

static int all_zero(const void *mem, size_t n)
{
    const unsigned char *p = mem;
    while (n--)
        if (*p++)
            return 0;
    return 1;
}

int main(void)
{
    struct big local = {0};
    int local_arr[10] = {0};
    struct big empty;

    memset(&empty, 0, sizeof empty);
    printf("z: a=%d b=%.1f name=\"%s\" p_null=%d\n", z.a, z.b, z.name, z.p == NULL);
    printf("arr all zero: %d\n", all_zero(arr, sizeof arr));
    printf("zs.inner.l = %ld\n", zs.inner.l);
    printf("darr[4] = %.1f\n", darr[4]);
    printf("many[3].inner.s = %d\n", many[3].inner.s);
    printf("local.a = %d, local_arr[9] = %d\n", local.a, local_arr[9]);
    printf("empty.p is null: %d\n", empty.p == NULL);
    printf("sizeof(struct big) = %zu\n", sizeof(struct big));
    arr[50] = 1;
    printf("arr all zero after store: %d\n", all_zero(arr, sizeof arr));
    return 0;
}
