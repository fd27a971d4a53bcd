/* <stdarg.h>: variadic functions, promotions, va_copy, a mini formatter. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static double average(int count, ...)
{
    va_list ap;
    double sum = 0;
    int i;

    va_start(ap, count);
    for (i = 0; i < count; i++)
        sum += va_arg(ap, double);   /* floats are promoted to double */
    va_end(ap);
    return count ? sum / count : 0.0;
}

static size_t join(char *out, size_t cap, const char *sep, ...)
{
    va_list ap;
    const char *s;
    size_t len = 0;

    out[0] = '\0';
    va_start(ap, sep);
    while ((s = va_arg(ap, const char *)) != NULL) {
        if (len && len + strlen(sep) < cap)
            len += strlen(strcpy(out + len, sep));
        if (len + strlen(s) < cap)
            len += strlen(strcpy(out + len, s));
    }
    va_end(ap);
    return len;
}

static int count_then_sum(const char *label, ...)
{
    va_list ap, again;
    int n = 0, v, total = 0;

    va_start(ap, label);
    va_copy(again, ap);
    while ((v = va_arg(ap, int)) >= 0)
        n++;
    while ((v = va_arg(again, int)) >= 0)
        total += v;
    va_end(again);
    va_end(ap);
    printf("%s: %d values summing to %d\n", label, n, total);
    return total;
}

static void report(const char *fmt, ...)
{
    char buf[64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    printf("report <%s>\n", buf);
}

int main(void)
{
    char buf[64];
    float f = 2.5f;
    size_t n;

    printf("average = %.3f\n", average(4, 1.0, f, 3.5, 5.0));
    printf("average() = %.3f\n", average(0));
    n = join(buf, sizeof buf, ", ", "alpha", "beta", "gamma", (char *)NULL);
    printf("join -> \"%s\" (%zu)\n", buf, n);
    count_then_sum("list", 4, 8, 15, 16, 23, 42, -1);
    report("%s=%d, %c%c", "x", 17, 'o', 'k');
    report("%05.1f|%-4s|%x", 3.14159, "ab", 255u);
    return 0;
}
