/* Variadic functions with <stdarg.h>. */
#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int sum_ints(int count, ...)
{
    va_list ap;
    int total = 0;

    va_start(ap, count);
    while (count-- > 0)
        total += va_arg(ap, int);
    va_end(ap);
    return total;
}

static double average(int count, ...)
{
    va_list ap;
    double s = 0;
    int i;

    va_start(ap, count);
    for (i = 0; i < count; i++)
        s += va_arg(ap, double);          /* floats arrive promoted to double */
    va_end(ap);
    return count ? s / count : 0.0;
}

static void concat(char *dst, size_t cap, ...)
{
    va_list ap;
    const char *s;

    dst[0] = '\0';
    va_start(ap, cap);
    while ((s = va_arg(ap, const char *)) != NULL)
        strncat(dst, s, cap - strlen(dst) - 1);
    va_end(ap);
}

static long long mixed(const char *spec, ...)
{
    va_list ap;
    long long r = 0;
    va_start(ap, spec);
    for (; *spec; spec++) {
        if (*spec == 'i') r += va_arg(ap, int);
        else if (*spec == 'l') r += va_arg(ap, long);
        else if (*spec == 'c') r += (char)va_arg(ap, int);   /* char promoted to int */
    }
    va_end(ap);
    return r;
}

int main(void)
{
    char buf[32];
    float f = 1.5f;

    printf("sum_ints(0) = %d\n", sum_ints(0));
    printf("sum_ints(4, 1, 2, 3, 4) = %d\n", sum_ints(4, 1, 2, 3, 4));
    printf("average(3, 1.0, 2.0, f) = %.4f\n", average(3, 1.0, 2.0, f));
    concat(buf, sizeof buf, "var", "iadic", " ", "args", (const char *)NULL);
    printf("concat = \"%s\"\n", buf);
    concat(buf, 8, "truncated", "text", (const char *)NULL);
    printf("short concat = \"%s\"\n", buf);
    printf("mixed = %lld\n", mixed("ilc", 10, 5000000000L, 'A'));
    return 0;
}
