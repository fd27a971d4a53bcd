/* A mix of file-scope objects whose initializers refer to each other. */
#include <stdio.h>
#include <stddef.h>

typedef union {
    int i;
    double d;
    const char *s;
} value;

enum kind { K_INT, K_DOUBLE, K_STR };

struct field {
    const char *name;
    enum kind kind;
    value v;
};

static int limit = 64;
static double ratio = 1.0 / 8;
static char title[] = "settings";

struct field fields[] = {
    { "limit",  K_INT,    { .i = 64 } },
    { "ratio",  K_DOUBLE, { .d = 0.125 } },
    { "title",  K_STR,    { .s = title } },
    { "suffix", K_STR,    { .s = title + 4 } },
};

const size_t nfields = sizeof fields / sizeof fields[0];
void *generic[] = { &limit, &ratio, title, fields };
int *const limit_ptr = &limit;
struct field *const last_field = &fields[sizeof fields / sizeof fields[0] - 1];
short minus_one = (short)-1;
unsigned long mask = ~0UL >> 48;
const char newline = '\n';
static const int squares[] = { 0 * 0, 1 * 1, 2 * 2, 3 * 3, 4 * 4 };
const int *sq_end = squares + sizeof squares / sizeof squares[0];

static void print_field(const struct field *f)
{
    switch (f->kind) {
    case K_INT:    printf("%-6s = %d\n", f->name, f->v.i); break;
    case K_DOUBLE: printf("%-6s = %.3f\n", f->name, f->v.d); break;
    case K_STR:    printf("%-6s = \"%s\"\n", f->name, f->v.s); break;
    }
}

int main(void)
{
    for (size_t i = 0; i < nfields; i++)
        print_field(&fields[i]);
    printf("limit via generic = %d, ratio = %.4f\n", *(int *)generic[0], *(double *)generic[1]);
    printf("title via generic = %s\n", (char *)generic[2]);
    printf("first field via generic = %s\n", ((struct field *)generic[3])->name);
    *limit_ptr *= 2;
    printf("limit = %d, last_field = %s\n", limit, last_field->name);
    printf("minus_one = %d, mask = %#lx%c", minus_one, mask, newline);
    int total = 0;
    for (const int *p = squares; p != sq_end; p++)
        total += *p;
    printf("sum of squares = %d, ratio * limit = %.1f\n", total, ratio * limit);
    return 0;
}
