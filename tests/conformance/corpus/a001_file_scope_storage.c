/* File-scope storage classes: static, extern, repeated declarations. */
#include <stdio.h>

extern int counter;          /* declaration only, defined below */
static int hidden = 42;      /* internal linkage */
int shared;                  /* tentative definition */
int shared;                  /* another tentative definition */
int shared = 7;              /* the actual definition */
extern int counter;          /* redundant redeclaration is fine */
int counter = 100;
extern int shared;           /* redeclaration after definition */

static int bump(void);
extern int twice(int);

static int bump(void)
{
    return ++counter;
}

int twice(int v)
{
    return v * 2;
}

static int hidden_plus(int n)
{
    extern int counter;      /* block-scope extern refers to the global */
    return hidden + n + counter;
}

int main(void)
{
    printf("hidden = %d\n", hidden);
    printf("shared = %d\n", shared);
    printf("counter = %d\n", counter);
    printf("bump() = %d\n", bump());
    printf("bump() = %d\n", bump());
    printf("twice(shared) = %d\n", twice(shared));
    hidden += shared;
    printf("hidden after add = %d\n", hidden);
    printf("hidden_plus(1) = %d\n", hidden_plus(1));
    return 0;
}
