/* A dispatch table of function pointers at file scope. */
#include <stdio.h>
#include <string.h>

typedef int (*binop)(int, int);

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static int divi(int a, int b) { return b ? a / b : 0; }

binop ops[] = { add, sub, mul, divi };
const char opchars[] = "+-*/";

struct command {
    const char *name;
    int (*fn)(int, int);
};

static const struct command commands[] = {
    { "add", add },
    { "sub", sub },
    { "mul", mul },
    { "div", divi },
    { NULL, NULL },
};

int (*const default_op)(int, int) = mul;

static binop lookup(const char *name)
{
    const struct command *c;
    for (c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c->fn;
    return default_op;
}

int main(void)
{
    int i;
    for (i = 0; i < 4; i++)
        printf("17 %c 5 = %d\n", opchars[i], ops[i](17, 5));
    printf("lookup(\"sub\")(9, 4) = %d\n", lookup("sub")(9, 4));
    printf("lookup(\"pow\")(9, 4) = %d\n", lookup("pow")(9, 4));
    printf("(*ops[0])(2, 3) = %d\n", (*ops[0])(2, 3));
    printf("ops[2] == mul: %d\n", ops[2] == mul);
    return 0;
}
