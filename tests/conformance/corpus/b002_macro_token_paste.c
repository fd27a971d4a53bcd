/* ## token pasting that builds function and variable names used later. */
#include <stdio.h>

#define CAT(a, b) a##b
#define XCAT(a, b) CAT(a, b)
#define PREFIX vec_
#define MAKE_VAR(n) var_##n
#define COUNTER_NAME(kind) kind##_count
#define HANDLER(name) handle_##name

int AB(int x)
{
    return x * 10;
}

int vec_len(int n)
{
    return n + 1;
}

int MAKE_VAR(one) = 1;
int MAKE_VAR(two) = 2;
static int COUNTER_NAME(apple) = 5;
static int COUNTER_NAME(pear) = 7;

static int CAT(tw, ice)(int v)
{
    return 2 * v;
}

static const char *HANDLER(open)(void) { return "opened"; }
static const char *HANDLER(close)(void) { return "closed"; }

int main(void)
{
    printf("CAT(A,B)(3) = %d\n", CAT(A, B)(3));
    printf("XCAT(PREFIX,len)(4) = %d\n", XCAT(PREFIX, len)(4));
    printf("var_one + var_two = %d\n", var_one + CAT(var_, two));
    printf("apple_count = %d, pear_count = %d\n",
           COUNTER_NAME(apple), COUNTER_NAME(pear));
    printf("twice(21) = %d\n", twice(21));
    printf("CAT(1, 5) = %d\n", CAT(1, 5));
    printf("CAT(0x, 1F) = %d\n", CAT(0x, 1F));
    printf("handlers: %s %s\n", HANDLER(open)(), handle_close());
    MAKE_VAR(one) += 41;
    printf("var_one now %d\n", var_one);
    return 0;
}
