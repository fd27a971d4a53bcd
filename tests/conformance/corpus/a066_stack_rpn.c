#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#define STACK_MAX 32

typedef struct {
    double items[STACK_MAX];
    int top;
} stack_t_;

static int push(stack_t_ *s, double v)
{
    if (s->top == STACK_MAX)
        return -1;
    s->items[s->top++] = v;
    return 0;
}

static int pop(stack_t_ *s, double *out)
{
    if (s->top == 0)
        return -1;
    *out = s->items[--s->top];
    return 0;
}

static int rpn(const char *expr, double *result)
{
    stack_t_ st = { .top = 0 };
    char buf[128];
    char *save = NULL, *tok;

    snprintf(buf, sizeof buf, "%s", expr);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        if (isdigit((unsigned char)tok[0]) || (tok[0] == '-' && tok[1])) {
            push(&st, strtod(tok, NULL));
            continue;
        }
        double a, b;
        if (pop(&st, &b) || pop(&st, &a))
            return -1;
        switch (tok[0]) {
        case '+': push(&st, a + b); break;
        case '-': push(&st, a - b); break;
        case '*': push(&st, a * b); break;
        case '/': push(&st, a / b); break;
        default: return -2;
        }
    }
    if (st.top != 1)
        return -3;
    return pop(&st, result);
}

int main(void)
{
    static const char *const exprs[] = {
        "3 4 +", "5 1 2 + 4 * + 3 -", "2 3 4 * +", "-2.5 4 *", "1 +", "1 2 3", "6 2 ^",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        double r;
        int rc = rpn(exprs[i], &r);
        if (rc == 0)
            printf("%-20s = %g\n", exprs[i], r);
        else
            printf("%-20s : error %d\n", exprs[i], rc);
    }
    return 0;
}
