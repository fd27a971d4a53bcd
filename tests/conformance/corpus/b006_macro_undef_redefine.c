/* #undef and redefinition of macros between function definitions. */
#include <stdio.h>

#define SCALE 2
#define OP(a, b) ((a) + (b))
#define NAME "additive"

static int scale_a(int x) { return x * SCALE; }
static int apply_a(int x, int y) { return OP(x, y); }
static const char *name_a(void) { return NAME; }

#undef SCALE
#undef OP
#undef NAME
#define SCALE 10
#define OP(a, b) ((a) * (b))
#define NAME "multiplicative"

static int scale_b(int x) { return x * SCALE; }
static int apply_b(int x, int y) { return OP(x, y); }
static const char *name_b(void) { return NAME; }

#undef OP
#define OP(a, b) ((a) - (b))

static int apply_c(int x, int y)
{
    return OP(x, y);
}

#undef SCALE
#undef NAME

#ifdef SCALE
static const char *scale_state = "SCALE still defined";
#else
static const char *scale_state = "SCALE undefined";
#endif

#define SCALE 100
/* identical redefinition is allowed */
#define SCALE 100

int main(void)
{
    printf("%s: scale_a(3) = %d, apply_a(6, 7) = %d\n", name_a(), scale_a(3), apply_a(6, 7));
    printf("%s: scale_b(3) = %d, apply_b(6, 7) = %d\n", name_b(), scale_b(3), apply_b(6, 7));
    printf("apply_c(6, 7) = %d\n", apply_c(6, 7));
    printf("at file scope: %s\n", scale_state);
    printf("SCALE in main = %d\n", SCALE);
    printf("OP in main: OP(10, 4) = %d\n", OP(10, 4));
#undef OP
#ifndef OP
    printf("OP undefined inside main\n");
#endif
    return 0;
}
