/* Macros that expand to global definitions and whole function definitions. */
#include <stdio.h>

#define DEFINE_GLOBAL(type, name, init) type name = init;
#define DEFINE_GETTER(name) int get_##name(void) { return name; }
#define DEFINE_SETTER(name) void set_##name(int v) { name = v; }
#define DEFINE_ACCESSORS(name) DEFINE_GETTER(name) DEFINE_SETTER(name)
#define DEFINE_PAIR(T)                                   \
    struct pair_##T { T a, b; };                         \
    static T sum_pair_##T(struct pair_##T p)             \
    {                                                    \
        return p.a + p.b;                                \
    }

DEFINE_GLOBAL(int, width, 640)
DEFINE_GLOBAL(int, height, 480)
static int depth = 24;

DEFINE_ACCESSORS(width)
DEFINE_ACCESSORS(height)
DEFINE_GETTER(depth)

DEFINE_PAIR(int)
DEFINE_PAIR(double)

typedef int (*getter_fn)(void);

static const struct {
    const char *name;
    getter_fn fn;
} getters[] = {
    { "width", get_width },
    { "height", get_height },
    { "depth", get_depth },
};

int main(void)
{
    size_t i;
    struct pair_int pi = { 3, 4 };
    struct pair_double pd = { 1.25, 2.5 };

    for (i = 0; i < sizeof getters / sizeof getters[0]; i++)
        printf("%s = %d\n", getters[i].name, getters[i].fn());
    set_width(1024);
    set_height(get_width() * 3 / 4);
    printf("after set: %dx%d\n", get_width(), get_height());
    printf("area = %ld\n", (long)width * height);
    printf("sum_pair_int = %d\n", sum_pair_int(pi));
    printf("sum_pair_double = %.2f\n", sum_pair_double(pd));
    return 0;
}
