/* K&R 4.3 reverse Polish calculator reading from fixed expression strings. */
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <math.h>

#define MAXOP 32
#define NUMBER '0'
#define MAXVAL 64

static int sp;
static double val[MAXVAL];
static const char *input;

static void push(double f)
{
    if (sp < MAXVAL)
        val[sp++] = f;
    else
        printf("error: stack full\n");
}

static double pop(void)
{
    if (sp > 0)
        return val[--sp];
    printf("error: stack empty\n");
    return 0.0;
}

/* getop: get next operator or numeric operand from input */
static int getop(char s[])
{
    int i = 0, c;
    while ((s[0] = (char)(c = *input)) == ' ' || c == '\t')
        input++;
    s[1] = '\0';
    if (c == '\0')
        return EOF;
    input++;
    if (!isdigit(c) && c != '.')
        return c;
    while (isdigit((unsigned char)*input) || *input == '.')
        if (++i < MAXOP - 1)
            s[i] = *input++;
    s[i + 1] = '\0';
    return NUMBER;
}

static double evaluate(const char *expr)
{
    char s[MAXOP];
    double op2;
    int type;

    input = expr;
    sp = 0;
    while ((type = getop(s)) != EOF) {
        switch (type) {
        case NUMBER: push(atof(s)); break;
        case '+': push(pop() + pop()); break;
        case '*': push(pop() * pop()); break;
        case '-': op2 = pop(); push(pop() - op2); break;
        case '/':
            op2 = pop();
            if (op2 != 0.0)
                push(pop() / op2);
            else
                printf("error: zero divisor\n");
            break;
        case '%': op2 = pop(); push(fmod(pop(), op2)); break;
        case '^': op2 = pop(); push(pow(pop(), op2)); break;
        default: printf("error: unknown command %s\n", s); break;
        }
    }
    return pop();
}

int main(void)
{
    static const char *exprs[] = {
        "1 2 - 4 5 + *", "3 4 + 2 * 7 /", "2 10 ^ 1000 -", "17 5 %", "1.5 2.25 + 0.5 *",
        "5 0 /", "2 3 &"
    };
    size_t i;

    for (i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
        printf("%-20s = %.8g\n", exprs[i], evaluate(exprs[i]));
    return 0;
}
