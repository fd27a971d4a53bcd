#include <stdio.h>

struct pair { int x[2]; int y; };
struct pair p1 = { .x[0] = 1, 2, 3 };            /* 3 continues into .y */

struct outer { struct pair p; int z; };
struct outer o1 = { .p.x[0] = 4, 5, 6, 7 };      /* elided braces of p */

struct named { char tag[8]; int value; };
struct named tags[3] = { { "alpha", 1 }, { "beta", 2 }, { "gamma", 3 } };

char words[][6] = { "one", "two", "three" };
int scalar = { 5 };                              /* braces around a scalar */
double dscalar = { 2.5 };

static void show_pair(const char *label, const struct pair *p)
{
    printf("%s = { {%d, %d}, %d }\n", label, p->x[0], p->x[1], p->y);
}

int main(void)
{
    show_pair("p1", &p1);
    show_pair("o1.p", &o1.p);
    printf("o1.z = %d\n", o1.z);
    for (int i = 0; i < 3; i++)
        printf("tags[%d] = %s:%d\n", i, tags[i].tag, tags[i].value);
    printf("words: %s %s %s (sizeof %zu)\n", words[0], words[1], words[2], sizeof words);
    printf("scalar = %d, dscalar = %.1f\n", scalar, dscalar);
    struct pair local = { .x[1] = 8, 9 };
    show_pair("local", &local);
    return 0;
}
