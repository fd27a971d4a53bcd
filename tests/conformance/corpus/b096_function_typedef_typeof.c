/* Functions declared through a function typedef and through typeof, before and
   after their definitions, the way dispatch tables and plugin headers do. */
#include <stdio.h>
#include <string.h>

typedef int binop_fn(int, int);

binop_fn add, sub; /* prototypes: the bodies come later */
static binop_fn mul;

static int apply(binop_fn *op, int a, int b)
{
    return op(a, b);
}

int add(int a, int b)
{
    return a + b;
}

int sub(int a, int b)
{
    return a - b;
}

static int mul(int a, int b)
{
    return a * b;
}

/* A header included after the definitions declares them again. */
extern typeof(add) add;
extern binop_fn sub;
extern __typeof__(mul) mul;

typedef __typeof__(add) add_type;
add_type divide; /* one more prototype, through a typedef of typeof */

struct op {
    const char *name;
    binop_fn *fn;
};

static struct op ops[] = { { "add", add }, { "sub", sub }, { "mul", mul }, { "div", divide } };

typeof(add) *lookup(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            return ops[i].fn;
    return NULL;
}

int divide(int a, int b)
{
    return b ? a / b : 0;
}

int main(void)
{
    const char *names[] = { "add", "sub", "mul", "div", "mod" };
    for (int i = 0; i < 5; i++) {
        binop_fn *fn = lookup(names[i]);
        if (fn)
            printf("%s(17, 5) = %d\n", names[i], apply(fn, 17, 5));
        else
            printf("%s: no such operation\n", names[i]);
    }
    typeof(sub) *back = sub;
    printf("same function: %d, sizeof pointer: %zu\n", back == ops[1].fn, sizeof back);
    return add(1, 2) == 3 ? 0 : 1;
}
