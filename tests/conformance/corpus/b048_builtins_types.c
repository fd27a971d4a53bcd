/* __builtin_types_compatible_p, __builtin_choose_expr, __builtin_offsetof, _Generic. */
#include <stdio.h>
#include <stddef.h>

#define SAME(a, b) __builtin_types_compatible_p(a, b)
#define SHOW(a, b) printf("compatible(%s, %s) = %d\n", #a, #b, SAME(a, b))
#define IS_ARRAY(x) (!SAME(__typeof__(x), __typeof__(&(x)[0])))
#define PRINT_NUM(x) __builtin_choose_expr(SAME(__typeof__(x), double), \
                         print_double, print_long)(x)
#define KIND(x) _Generic((x), int: "int", unsigned: "unsigned", char *: "char *", \
                         const char *: "const char *", default: "something else")

struct sample {
    char tag;
    long value;
    struct { int lo, hi; } range;
    char name[12];
};

typedef int myint;
enum small { S_A, S_B };

static void print_double(double d) { printf("double %.3f\n", d); }
static void print_long(long l) { printf("long %ld\n", l); }

int main(void)
{
    int arr[4];
    int *ptr = arr;
    const char *cs = "x";

    SHOW(int, int);
    SHOW(int, const int);
    SHOW(int, unsigned int);
    SHOW(int, myint);
    SHOW(char, signed char);
    SHOW(int[], int[5]);
    SHOW(int *, long *);
    SHOW(enum small, unsigned int);
    printf("IS_ARRAY(arr) = %d, IS_ARRAY(ptr) = %d\n", IS_ARRAY(arr), IS_ARRAY(ptr));
    PRINT_NUM(2.5);
    PRINT_NUM(42L);
    printf("offsetof value = %zu\n", __builtin_offsetof(struct sample, value));
    printf("offsetof range.hi = %zu\n", __builtin_offsetof(struct sample, range.hi));
    printf("offsetof name[3] = %zu\n", __builtin_offsetof(struct sample, name[3]));
    printf("offsetof == builtin: %d\n", offsetof(struct sample, name) == __builtin_offsetof(struct sample, name));
    printf("KIND(1u) = %s, KIND(cs) = %s, KIND(1.0) = %s\n", KIND(1u), KIND(cs), KIND(1.0));
    return 0;
}
