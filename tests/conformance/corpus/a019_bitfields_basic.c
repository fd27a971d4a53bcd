#include <stdio.h>

struct flags {
    unsigned ready : 1;
    unsigned mode  : 3;
    signed int level : 4;
    unsigned : 0;                /* force next field into a new unit */
    unsigned count : 8;
};

struct flags defaults = { .ready = 1, .mode = 5, .level = -3, .count = 200 };

static void show(const char *label, struct flags f)
{
    printf("%s: ready=%u mode=%u level=%d count=%u\n",
           label, f.ready, f.mode, f.level, f.count);
}

static struct flags step(struct flags f, unsigned v)
{
    f.mode = v;                  /* unsigned fields wrap modulo 2^width */
    f.count = f.count + v;
    f.ready = !f.ready;
    return f;
}

int main(void)
{
    struct flags f = defaults;
    unsigned nine = 9, sixty = 60;

    show("defaults", f);
    printf("sizeof(struct flags) = %zu\n", sizeof(struct flags));
    f = step(f, nine);
    show("step 9", f);
    f = step(f, sixty);
    show("step 60", f);
    f.level = 7;
    show("level 7", f);
    f.level = f.level - 15;
    show("level -8", f);
    printf("level + 0 promoted: %d\n", f.level + 0);
    return 0;
}
