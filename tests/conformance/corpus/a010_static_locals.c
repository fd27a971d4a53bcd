/* Block-scope static variables keep their value between calls. */
#include <stdio.h>

static int next_id(void)
{
    static int id = 100;
    return id++;
}

static const char *cycle(void)
{
    static const char *const words[] = { "red", "yellow", "green" };
    static unsigned i;
    return words[i++ % 3];
}

int calls(void)
{
    static int n;
    return ++n;
}

static long fib_memo(int n)
{
    static long memo[64];
    if (n < 2)
        return n;
    if (memo[n] == 0)
        memo[n] = fib_memo(n - 1) + fib_memo(n - 2);
    return memo[n];
}

static int *counter_addr(void)
{
    static int value = 5;
    return &value;
}

int main(void)
{
    int i;
    for (i = 0; i < 3; i++)
        printf("next_id() = %d\n", next_id());
    for (i = 0; i < 4; i++)
        printf("cycle() = %s\n", cycle());
    calls(); calls();
    printf("calls() = %d\n", calls());
    printf("fib_memo(50) = %ld\n", fib_memo(50));
    *counter_addr() += 10;
    printf("*counter_addr() = %d\n", *counter_addr());
    return 0;
}
