/* main deliberately returns 3 after validating some data. */
#include <stdio.h>

struct check {
    const char *name;
    int value, expected;
};

static struct check checks[] = {
    { "alpha", 1, 1 },
    { "beta", 4, 2 },
    { "gamma", 9, 9 },
    { "delta", 0, 5 },
    { "epsilon", 7, 7 },
};

static int run_check(const struct check *c)
{
    int ok = c->value == c->expected;
    printf("%-8s %s (got %d, want %d)\n", c->name, ok ? "ok" : "FAIL", c->value, c->expected);
    return ok;
}

int main(void)
{
    int failed = 0;
    size_t n = sizeof checks / sizeof checks[0];

    for (size_t i = 0; i < n; i++)
        if (!run_check(&checks[i]))
            failed++;
    printf("%d of %zu checks failed\n", failed, n);
    if (failed == 2) {
        printf("returning 3 from main\n");
        return 3;
    }
    return 0;
}
