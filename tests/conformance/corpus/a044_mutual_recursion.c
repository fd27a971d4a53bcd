/* Mutual recursion: prototypes first, definitions afterwards. */
#include <stdio.h>
#include <ctype.h>

static int is_even(unsigned n);
static int is_odd(unsigned n);
static long expr(const char **s);
static long term(const char **s);
static long factor(const char **s);

static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n)  { return n == 0 ? 0 : is_even(n - 1); }

static void skip(const char **s)
{
    while (isspace((unsigned char)**s))
        (*s)++;
}

static long expr(const char **s)
{
    long v = term(s);
    for (skip(s); **s == '+' || **s == '-'; skip(s)) {
        char op = *(*s)++;
        long r = term(s);
        v = op == '+' ? v + r : v - r;
    }
    return v;
}

static long term(const char **s)
{
    long v = factor(s);
    for (skip(s); **s == '*' || **s == '/'; skip(s)) {
        char op = *(*s)++;
        long r = factor(s);
        v = op == '*' ? v * r : (r ? v / r : 0);
    }
    return v;
}

static long factor(const char **s)
{
    long v = 0;
    skip(s);
    if (**s == '(') {
        (*s)++;
        v = expr(s);
        skip(s);
        if (**s == ')')
            (*s)++;
    } else if (**s == '-') {
        (*s)++;
        v = -factor(s);
    } else {
        while (isdigit((unsigned char)**s))
            v = v * 10 + (*(*s)++ - '0');
    }
    return v;
}

static long eval(const char *text) { return expr(&text); }

int main(void)
{
    printf("is_even(10) = %d, is_odd(10) = %d\n", is_even(10), is_odd(10));
    printf("is_even(777) = %d, is_odd(777) = %d\n", is_even(777), is_odd(777));
    printf("1 + 2 * 3 = %ld\n", eval("1 + 2 * 3"));
    printf("(1 + 2) * 3 = %ld\n", eval("(1 + 2) * 3"));
    printf("-(4 - 10) / 2 = %ld\n", eval("-(4 - 10) / 2"));
    printf("2*(3+(4*(5-1))) = %ld\n", eval("2*(3+(4*(5-1)))"));
    return 0;
}
