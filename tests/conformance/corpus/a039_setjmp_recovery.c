/* Error recovery in a tiny parser using setjmp/longjmp. */
#include <stdio.h>
#include <setjmp.h>
#include <ctype.h>

struct parser {
    const char *p;
    jmp_buf on_error;
    const char *error;
};

static void fail(struct parser *ps, const char *msg)
{
    ps->error = msg;
    longjmp(ps->on_error, 1);
}

static long parse_number(struct parser *ps)
{
    long v = 0;
    if (!isdigit((unsigned char)*ps->p))
        fail(ps, "expected digit");
    while (isdigit((unsigned char)*ps->p))
        v = v * 10 + (*ps->p++ - '0');
    return v;
}

static long parse_sum(struct parser *ps)
{
    long total = parse_number(ps);
    while (*ps->p == '+' || *ps->p == '-') {
        char op = *ps->p++;
        long rhs = parse_number(ps);
        total = op == '+' ? total + rhs : total - rhs;
    }
    if (*ps->p != '\0')
        fail(ps, "trailing garbage");
    return total;
}

static int evaluate(const char *text, long *out)
{
    struct parser ps = { .p = text, .error = NULL };
    if (setjmp(ps.on_error)) {
        printf("  error in \"%s\": %s at offset %td\n", text, ps.error, ps.p - text);
        return -1;
    }
    *out = parse_sum(&ps);
    return 0;
}

int main(void)
{
    static const char *inputs[] = { "1+2+3", "100-58", "7+", "12x", "", "5-10+2" };
    int ok = 0;

    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        long v;
        if (evaluate(inputs[i], &v) == 0) {
            printf("%s = %ld\n", inputs[i], v);
            ok++;
        }
    }
    printf("%d of %zu parsed\n", ok, sizeof inputs / sizeof inputs[0]);
    return 0;
}
