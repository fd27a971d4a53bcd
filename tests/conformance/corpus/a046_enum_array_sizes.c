#include <stdio.h>
#include <string.h>

enum { MAX_NAME = 16, N_SLOTS = 4, GRID = N_SLOTS * 2 };

enum fruit { APPLE, BANANA, CHERRY, DATE, FRUIT_COUNT };

static const char *const fruit_names[FRUIT_COUNT] = {
    [APPLE] = "apple", [BANANA] = "banana",
    [CHERRY] = "cherry", [DATE] = "date",
};

static int stock[FRUIT_COUNT] = { [CHERRY] = 12, [APPLE] = 3 };
char name[MAX_NAME];
int slots[N_SLOTS];
unsigned char grid[GRID][GRID];

struct record {
    char label[MAX_NAME];
    enum fruit kind;
};

static void restock(enum fruit f, int amount)
{
    stock[f] += amount;
}

int main(void)
{
    struct record r = { "best", DATE };
    int i;

    printf("sizeof name = %zu, sizeof slots = %zu\n", sizeof name, sizeof slots);
    printf("sizeof grid = %zu\n", sizeof grid);
    printf("FRUIT_COUNT = %d\n", FRUIT_COUNT);
    restock(BANANA, 7);
    restock(APPLE, 2);
    for (i = 0; i < FRUIT_COUNT; i++)
        printf("%-7s %d\n", fruit_names[i], stock[i]);
    strncpy(name, fruit_names[r.kind], MAX_NAME - 1);
    printf("record %s -> %s\n", r.label, name);
    for (i = 0; i < N_SLOTS; i++)
        slots[i] = i * GRID;
    grid[GRID - 1][GRID - 1] = (unsigned char)slots[N_SLOTS - 1];
    printf("grid corner = %u\n", grid[GRID - 1][GRID - 1]);
    return 0;
}
