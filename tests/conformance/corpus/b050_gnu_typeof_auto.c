/* typeof, __typeof__ at file scope, and __auto_type. */
#include <stdio.h>

#define TYPE_NAME(x) _Generic((x), int: "int", long: "long", double: "double", \
    char *: "char *", unsigned char: "unsigned char", float: "float", default: "other")
#define DECLARE_LIKE(var, name) __typeof__(var) name

static int g = 5;
__typeof__(g + 1) h = 2;
__typeof__(g * 2L) wide = 3;
typeof(char *) names[] = { "ann", "ben", "cid" };
static __typeof__(1.0f) ratio = 0.5f;

static double compute(int n)
{
    return n / 4.0;
}

typedef __typeof__(compute) compute_fn;
static compute_fn *handler = compute;

int main(void)
{
    __auto_type a = 10;
    __auto_type b = 10L * a;
    __auto_type c = compute(a);
    __auto_type s = names[1];
    unsigned char uc = 200;
    __auto_type promoted = uc + 1;
    typeof(uc) same = uc;
    DECLARE_LIKE(c, d) = c * 2;
    typeof(int[3]) trio = { 1, 2, 3 };
    __typeof__(compute(0)) r = handler(10);

    printf("h: %s = %d, wide: %s = %ld\n", TYPE_NAME(h), h, TYPE_NAME(wide), wide);
    printf("ratio: %s = %.2f\n", TYPE_NAME(ratio), ratio);
    printf("a: %s, b: %s, c: %s, s: %s\n", TYPE_NAME(a), TYPE_NAME(b), TYPE_NAME(c), TYPE_NAME(s));
    printf("b = %ld, c = %.2f, s = %s\n", b, c, s);
    printf("promoted: %s = %d, same: %s = %u\n", TYPE_NAME(promoted), promoted, TYPE_NAME(same), same);
    printf("d = %.2f, sizeof trio = %zu, trio[2] = %d\n", d, sizeof trio, trio[2]);
    printf("r = %.2f via %s handler\n", r, TYPE_NAME(r));
    printf("sizeof(typeof(names)) = %zu\n", sizeof(typeof(names)));
    return 0;
}
