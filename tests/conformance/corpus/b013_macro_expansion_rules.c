/* Expansion corner cases: self-reference, prescan, empty args, stringizing. */
#include <stdio.h>

static int foo = 1;   /* declared before the self-referential macro */

#define foo (4 + foo)

#define EMPTY
#define LPAREN (
#define f(x) (x * 10)
#define g f
#define ID(x) x
#define STR_(x) #x
#define STR(x) STR_(x)
#define TWICE(x) (2 * (x))
#define APPLY(m, v) m(v)
#define PLUS_ONE(x) ((x) + 1)
#define COMMA ,
#define ARGC_(a, b, c, ...) c
#define HAS_COMMA(...) ARGC_(__VA_ARGS__, 1, 0, 0)


static int f_value(void)
{
    int f = 3;          /* function-like macro name without ( is not expanded */
    return f + f(2);
}

int main(void)
{
    printf("foo = %d\n", foo);
    printf("g(5) = %d\n", g(5));
    printf("f_value() = %d\n", f_value());
    printf("ID(EMPTY 7 EMPTY) = %d\n", ID(EMPTY 7 EMPTY));
    printf("APPLY(TWICE, 21) = %d\n", APPLY(TWICE, 21));
    printf("APPLY(PLUS_ONE, TWICE(3)) = %d\n", APPLY(PLUS_ONE, TWICE(3)));
    printf("STR(foo) = %s\n", STR(foo));
    printf("STR_(foo) = %s\n", STR_(foo));
    printf("STR(\"q\\n\") = %s\n", STR("q\n"));
    printf("STR(f(1)) = %s\n", STR(f(1)));
    printf("HAS_COMMA(x) = %d\n", HAS_COMMA(x));
    printf("HAS_COMMA(x COMMA y) = %d\n", HAS_COMMA(x COMMA y));
    printf("STR(EMPTY) = [%s]\n", STR(EMPTY));
    printf("__STDC__ = %d\n", __STDC__);
    return 0;
}
