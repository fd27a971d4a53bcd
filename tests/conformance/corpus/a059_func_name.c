/* __func__ is an implicit static const char array in each function. */
#include <stdio.h>
#include <string.h>

#define TRACE() printf("in %s\n", __func__)

static int depth;

static void leaf(void)
{
    TRACE();
    printf("sizeof __func__ here = %zu\n", sizeof __func__);
}

void middle_function(void)
{
    TRACE();
    depth++;
    leaf();
}

static const char *who_am_i(void)
{
    return __func__;             /* static storage: safe to return */
}

static int recurse(int n)
{
    printf("%s(%d)\n", __func__, n);
    return n ? recurse(n - 1) + 1 : 0;
}

int main(void)
{
    TRACE();
    middle_function();
    printf("who_am_i() = %s\n", who_am_i());
    printf("strlen(__func__) in main = %zu\n", strlen(__func__));
    printf("__FUNCTION__ = %s\n", __FUNCTION__);
    printf("recurse = %d\n", recurse(2));
    printf("depth = %d\n", depth);
    return 0;
}
