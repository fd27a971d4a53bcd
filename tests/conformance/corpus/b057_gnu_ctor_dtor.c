/* __attribute__((constructor)) / destructor with priorities around main. 
   conformance: whole only -- split, destructor priorities order each cell's own (README: Conformance). */
#include <stdio.h>

#define TABLE_SIZE 10

static int squares[TABLE_SIZE];
static int init_order[4];
static int init_count;

__attribute__((constructor(101)))
static void init_first(void)
{
    init_order[init_count++] = 101;
    printf("constructor 101\n");
}

__attribute__((constructor(102)))
static void init_squares(void)
{
    int i;
    for (i = 0; i < TABLE_SIZE; i++)
        squares[i] = i * i;
    init_order[init_count++] = 102;
    printf("constructor 102: squares ready\n");
}

__attribute__((constructor))
static void init_default(void)
{
    init_order[init_count++] = 65535;
    printf("constructor (default priority)\n");
}

__attribute__((destructor(101)))
static void fini_last(void)
{
    printf("destructor 101 (runs last)\n");
}

__attribute__((destructor(102)))
static void fini_first(void)
{
    printf("destructor 102 (runs before 101)\n");
}

static void __attribute__((destructor)) fini_default(void)
{
    printf("destructor (default priority, runs first)\n");
}

int main(void)
{
    int i;

    printf("main: %d constructors ran before main\n", init_count);
    for (i = 0; i < init_count; i++)
        printf("main: init_order[%d] = %d\n", i, init_order[i]);
    printf("main: squares[9] = %d\n", squares[9]);
    printf("main: returning\n");
    return 0;
}
