/* X-macros: one list expanded into an enum, a string table and a struct. */
#include <stdio.h>
#include <string.h>

#define COLOR_LIST \
    X(RED,   0xff0000) \
    X(GREEN, 0x00ff00) \
    X(BLUE,  0x0000ff) \
    X(WHITE, 0xffffff)

#define FIELDS(F) \
    F(int,    id,    "%d") \
    F(double, score, "%.2f") \
    F(char,   grade, "%c")

enum color {
#define X(name, rgb) COLOR_##name,
    COLOR_LIST
#undef X
    COLOR_COUNT
};

static const char *color_names[] = {
#define X(name, rgb) #name,
    COLOR_LIST
#undef X
};

static const unsigned color_rgb[] = {
#define X(name, rgb) rgb,
    COLOR_LIST
#undef X
};

struct record {
#define DECLARE_FIELD(type, name, fmt) type name;
    FIELDS(DECLARE_FIELD)
#undef DECLARE_FIELD
};

static void print_record(const struct record *r)
{
#define PRINT_FIELD(type, name, fmt) printf("  " #name " = " fmt "\n", r->name);
    FIELDS(PRINT_FIELD)
#undef PRINT_FIELD
}

static int color_from_name(const char *s)
{
    int i;
    for (i = 0; i < COLOR_COUNT; i++)
        if (strcmp(color_names[i], s) == 0)
            return i;
    return -1;
}

int main(void)
{
    struct record rec = { 7, 91.5, 'A' };
    int i;

    printf("COLOR_COUNT = %d\n", COLOR_COUNT);
    for (i = 0; i < COLOR_COUNT; i++)
        printf("%d %-5s #%06x\n", i, color_names[i], color_rgb[i]);
    printf("lookup BLUE -> %d\n", color_from_name("BLUE"));
    printf("lookup PINK -> %d\n", color_from_name("PINK"));
    printf("record:\n");
    print_record(&rec);
    return 0;
}
