/* typedefs of scalars, arrays, structs, unions, function types. */
#include <stdio.h>

typedef unsigned char byte;
typedef byte octet;                        /* typedef of a typedef */
typedef int vec3[3];                       /* array type */
typedef vec3 mat3[3];                      /* array of arrays */
typedef struct node node_t;                /* forward typedef */
typedef struct { double re, im; } complex_t;
typedef union { int i; float f; } number_t;
typedef int cmp_fn(int, int);              /* function type */
typedef cmp_fn *cmp_ptr;
typedef const char *cstr;

struct node {
    int value;
    node_t *next;
};

static vec3 origin = { 0, 0, 0 };
static mat3 identity = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
static const cstr labels[] = { "x", "y", "z" };

static int less(int a, int b) { return a < b; }
static cmp_ptr comparator = less;

static complex_t cmul(complex_t a, complex_t b)
{
    return (complex_t){ a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re };
}

static int dot(const int *a, const int *b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

int main(void)
{
    octet o = 250;
    vec3 v = { 4, 5, 6 };
    node_t second = { 2, NULL }, first = { 1, &second };
    complex_t z = cmul((complex_t){ 1, 2 }, (complex_t){ 3, -1 });
    number_t n = { .i = 7 };

    o += 10;
    printf("octet wraps: %u, sizeof(byte) = %zu\n", o, sizeof(byte));
    printf("sizeof(vec3) = %zu, sizeof(mat3) = %zu\n", sizeof(vec3), sizeof(mat3));
    for (int i = 0; i < 3; i++)
        printf("v . identity[%s] = %d\n", labels[i], dot(v, identity[i]));
    printf("v . origin = %d\n", dot(v, origin));
    printf("list: %d -> %d\n", first.value, first.next->value);
    printf("z = %.1f%+.1fi\n", z.re, z.im);
    printf("n.i = %d, sizeof(number_t) = %zu\n", n.i, sizeof(number_t));
    printf("comparator(2, 3) = %d\n", comparator(2, 3));
    return 0;
}
