/* Composite types formed from compatible array declarations. */
#include <stdio.h>

extern int a[10];
int a[] = {1, 2};            /* composite type is int[10] */

extern int b[];              /* incomplete at first */
int b[5] = {[4] = 9};

extern const char msg[];
const char msg[] = "composite";

extern double weights[];
double weights[3] = {0.5, 0.25, 0.125};

int (*pa)[10] = &a;

static int sum(const int *p, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += p[i];
    return s;
}

int main(void)
{
    printf("sizeof a = %zu\n", sizeof a);
    printf("elements of a = %zu\n", sizeof a / sizeof a[0]);
    printf("sum(a) = %d\n", sum(a, 10));
    printf("sizeof b = %zu, b[4] = %d\n", sizeof b, b[4]);
    printf("sizeof msg = %zu, msg = %s\n", sizeof msg, msg);
    printf("sizeof *pa = %zu\n", sizeof *pa);
    (*pa)[9] = 40;
    printf("sum(a) after store = %d\n", sum(a, 10));
    printf("weights sum = %.3f\n", weights[0] + weights[1] + weights[2]);
    return 0;
}
