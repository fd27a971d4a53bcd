#include <stdio.h>

const int max_items = 8;
const double pi_approx = 3.14159;
volatile int ticks = 0;
const volatile unsigned status_reg = 0x5Au;
static const char version[] = "1.2.3";
const int table[4] = {10, 20, 30, 40};
volatile long accum;
static volatile const int *watch = &ticks;

static void tick(int n)
{
    while (n-- > 0)
        ticks++;
}

static long table_sum(void)
{
    long s = 0;
    for (int i = 0; i < 4; i++)
        s += table[i];
    return s;
}

int main(void)
{
    accum = table_sum();
    tick(max_items);
    printf("max_items = %d\n", max_items);
    printf("pi_approx = %.5f\n", pi_approx);
    printf("ticks = %d\n", ticks);
    printf("status_reg = 0x%X\n", status_reg);
    printf("version = %s (%zu bytes)\n", version, sizeof version);
    printf("accum = %ld\n", accum);
    tick(2);
    printf("*watch = %d\n", *watch);
    printf("sizeof table = %zu\n", sizeof table);
    return 0;
}
