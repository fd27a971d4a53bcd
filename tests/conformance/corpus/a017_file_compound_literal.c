/* Compound literals used as file-scope initializers. */
#include <stdio.h>

struct S { int a, b; };

struct S *s = &(struct S){ 1, 2 };
int *ip = (int[]){ 1, 2, 3 };
const char **words = (const char *[]){ "alpha", "beta", "gamma", NULL };
double *dp = (double[4]){ [2] = 2.5 };
struct S pairs_copy[2] = { { 5, 6 }, { 7, 8 } };
struct S *pp = (struct S[]){ { 10, 20 }, { 30, 40 } };
static int *mid = &(int[5]){ 0, 1, 2, 3, 4 }[2];

static int count_words(const char **w)
{
    int n = 0;
    while (*w++)
        n++;
    return n;
}

int main(void)
{
    printf("s->a = %d, s->b = %d\n", s->a, s->b);
    printf("ip: %d %d %d\n", ip[0], ip[1], ip[2]);
    printf("words: %d, first = %s, last = %s\n", count_words(words), words[0], words[2]);
    printf("dp: %.1f %.1f %.1f %.1f\n", dp[0], dp[1], dp[2], dp[3]);
    printf("pp[1] = {%d, %d}\n", pp[1].a, pp[1].b);
    printf("mid[-1] = %d, mid[0] = %d, mid[2] = %d\n", mid[-1], mid[0], mid[2]);
    s->a += 100;
    ip[1] *= 7;
    printf("after edits: s->a = %d, ip[1] = %d\n", s->a, ip[1]);
    printf("pairs_copy[1].b = %d\n", pairs_copy[1].b);
    return 0;
}
