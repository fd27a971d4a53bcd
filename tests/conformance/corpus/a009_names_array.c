#include <stdio.h>
#include <string.h>

const char *names[] = { "Alice", "Bob", "Carol", "Dave", "Eve" };
#define NNAMES (sizeof names / sizeof names[0])

const char *const colors[] = { "red", "green", "blue" };
char months[][4] = { "Jan", "Feb", "Mar", "Apr" };
static const char *shortest;

static const char *longest(const char **v, size_t n)
{
    const char *best = v[0];
    for (size_t i = 1; i < n; i++)
        if (strlen(v[i]) > strlen(best))
            best = v[i];
    return best;
}

static void find_shortest(void)
{
    shortest = names[0];
    for (size_t i = 1; i < NNAMES; i++)
        if (strlen(names[i]) < strlen(shortest))
            shortest = names[i];
}

int main(void)
{
    printf("NNAMES = %zu\n", NNAMES);
    for (size_t i = 0; i < NNAMES; i++)
        printf("names[%zu] = %s\n", i, names[i]);
    printf("longest = %s\n", longest(names, NNAMES));
    find_shortest();
    printf("shortest = %s\n", shortest);
    printf("colors: %s %s %s\n", colors[0], colors[1], colors[2]);
    printf("sizeof months = %zu\n", sizeof months);
    months[1][0] = 'f';
    printf("months[1] = %s\n", months[1]);
    names[4] = "Eleanor";
    printf("longest now = %s\n", longest(names, NNAMES));
    return 0;
}
