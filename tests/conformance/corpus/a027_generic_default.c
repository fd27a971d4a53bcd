/* _Generic selecting functions, with a default association. */
#include <stdio.h>

static void print_int(int v) { printf("int:%d\n", v); }
static void print_double(double v) { printf("double:%.3f\n", v); }
static void print_str(const char *v) { printf("string:%s\n", v); }
static void print_unknown(long long v) { printf("other:%lld\n", v); }

#define print_val(x) _Generic((x),      \
        int: print_int,                 \
        double: print_double,           \
        char *: print_str,              \
        const char *: print_str,        \
        default: print_unknown)(x)

static int iabs_(int v) { return v < 0 ? -v : v; }
static long labs_(long v) { return v < 0 ? -v : v; }
static double dabs_(double v) { return v < 0 ? -v : v; }

#define my_abs(x) _Generic((x), int: iabs_, long: labs_, default: dabs_)(x)

#define max_of(a, b) _Generic((a) + (b),    \
        int: max_i, double: max_d, default: max_d)(a, b)

static int max_i(int a, int b) { return a > b ? a : b; }
static double max_d(double a, double b) { return a > b ? a : b; }

const char *label = "generic";

int main(void)
{
    short s = -4;
    print_val(42);
    print_val(2.5);
    print_val(label);
    print_val((char *)"mutable");
    print_val(123456789012LL);
    print_val(s + s);
    printf("my_abs(-5) = %d\n", my_abs(-5));
    printf("my_abs(-7L) = %ld\n", my_abs(-7L));
    printf("my_abs(-1.25f) = %.2f\n", my_abs(-1.25f));
    printf("max_of(3, 9) = %d\n", max_of(3, 9));
    printf("max_of(3, 9.5) = %.1f\n", max_of(3, 9.5));
    return 0;
}
