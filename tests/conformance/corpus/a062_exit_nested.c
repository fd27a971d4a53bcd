/* exit(7) called from a nested helper; buffered output is flushed by exit. */
#include <stdio.h>
#include <stdlib.h>

struct task {
    const char *name;
    int cost;
};

static const struct task tasks[] = {
    { "parse", 3 }, { "check", 5 }, { "emit", 40 }, { "link", 2 },
};

static int budget = 20;

static void fatal(const char *what, int status)
{
    printf("fatal: %s, exiting with status %d\n", what, status);
    exit(status);
}

static void spend(const struct task *t)
{
    if (t->cost > budget)
        fatal(t->name, 7);
    budget -= t->cost;
    printf("ran %-5s cost %2d, budget left %d\n", t->name, t->cost, budget);
}

static void run_all(void)
{
    for (size_t i = 0; i < sizeof tasks / sizeof tasks[0]; i++)
        spend(&tasks[i]);
    printf("all tasks done\n");
}

int main(void)
{
    printf("starting with budget %d\n", budget);
    printf("%zu tasks queued\n", sizeof tasks / sizeof tasks[0]);
    run_all();
    printf("never printed\n");
    return 0;
}
