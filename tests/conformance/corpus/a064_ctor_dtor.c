/* GCC constructor/destructor attributes run around main. */
#include <stdio.h>
#include <stdlib.h>

static int table[8];
static int initialized;

__attribute__((constructor(101))) static void init_early(void)
{
    printf("constructor 101: early init\n");
    initialized = 1;
}

__attribute__((constructor(102))) static void init_table(void)
{
    for (int i = 0; i < 8; i++)
        table[i] = i * i;
    printf("constructor 102: table ready (initialized=%d)\n", initialized);
}

__attribute__((constructor)) static void init_default(void)
{
    printf("constructor (default priority)\n");
}

__attribute__((destructor)) static void fini_default(void)
{
    printf("destructor (default priority)\n");
}

__attribute__((destructor(101))) static void fini_late(void)
{
    printf("destructor 101: last to run\n");
}

static void on_exit_handler(void)
{
    printf("atexit handler from main\n");
}

int main(void)
{
    atexit(on_exit_handler);
    printf("main: initialized = %d\n", initialized);
    printf("main: table[7] = %d\n", table[7]);
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += table[i];
    printf("main: sum = %d\n", sum);
    return 0;
}
