/* Variadic macros: __VA_ARGS__, GNU ##__VA_ARGS__, named variadic args. */
#include <stdio.h>
#include <stdarg.h>

#define LOG(fmt, ...) printf("[log] " fmt "\n", __VA_ARGS__)
#define LOGX(level, fmt, ...) printf("[%s] " fmt "\n", level, ##__VA_ARGS__)
#define INFO(...) LOGX("info", __VA_ARGS__)
#define COUNT_ARGS(...) COUNT_IMPL(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define COUNT_IMPL(_1, _2, _3, _4, _5, _6, N, ...) N
#define FIRST(x, ...) (x)
#define CALL(f, ...) f(__VA_ARGS__)
#define SUM(args...) sum_ints(COUNT_ARGS(args), args)

static int calls;

static int sum_ints(int n, ...)
{
    va_list ap;
    int total = 0;

    va_start(ap, n);
    while (n-- > 0)
        total += va_arg(ap, int);
    va_end(ap);
    calls++;
    return total;
}

static int add3(int a, int b, int c)
{
    return a + b + c;
}

int main(void)
{
    LOG("%d + %d = %d", 2, 3, 2 + 3);
    LOG("%s", "one argument");
    LOGX("warn", "no extra arguments");
    LOGX("warn", "with %d extra", 1);
    INFO("plain info");
    INFO("info %s %d", "with", 2);
    printf("COUNT_ARGS(a) = %d\n", COUNT_ARGS(a));
    printf("COUNT_ARGS(a,b,c) = %d\n", COUNT_ARGS(a, b, c));
    printf("FIRST(7, 8, 9) = %d\n", FIRST(7, 8, 9));
    printf("CALL(add3, 1, 2, 3) = %d\n", CALL(add3, 1, 2, 3));
    printf("SUM(10, 20, 30, 40) = %d\n", SUM(10, 20, 30, 40));
    printf("SUM(5) = %d\n", SUM(5));
    printf("sum_ints called %d times\n", calls);
    return 0;
}
