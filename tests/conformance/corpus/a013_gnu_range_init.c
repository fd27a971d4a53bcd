/* GNU designated ranges [a ... b] and case ranges. */
#include <stdio.h>

int ones[10] = { [2 ... 5] = 1 };
int mixed[12] = { [0 ... 3] = 7, [8 ... 11] = -1, [5] = 42 };
char classes[128] = { ['0' ... '9'] = 'd', ['a' ... 'z'] = 'l', ['A' ... 'Z'] = 'u' };

struct holder { int v[6]; const char *label; };
struct holder hv = { .v = { [1 ... 4] = 3 }, .label = "range" };

static const char *kind(int c)
{
    switch (c) {
    case '0' ... '9': return "digit";
    case 'a' ... 'z': return "lower";
    case 'A' ... 'Z': return "upper";
    default:          return "other";
    }
}

static void dump(const char *name, const int *a, int n)
{
    printf("%s:", name);
    for (int i = 0; i < n; i++)
        printf(" %d", a[i]);
    putchar('\n');
}

int main(void)
{
    const char *probe = "aZ5_";
    dump("ones", ones, 10);
    dump("mixed", mixed, 12);
    dump(hv.label, hv.v, 6);
    for (const char *p = probe; *p; p++)
        printf("'%c' class=%c kind=%s\n", *p,
               classes[(unsigned char)*p] ? classes[(unsigned char)*p] : '-', kind(*p));
    int local[8] = { [0 ... 7] = -2 };
    dump("local", local, 8);
    return 0;
}
