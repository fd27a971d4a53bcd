/* Function attributes: format(printf), nonnull, pure/const, noinline, sentinel. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LOG_PREFIX "[app] "

static int log_lines;

__attribute__((format(printf, 1, 2)))
static int log_msg(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = printf(LOG_PREFIX);
    n += vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    log_lines++;
    return n + 1;
}

__attribute__((format(printf, 3, 4), nonnull(1)))
static size_t buf_printf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n < 0 ? 0 : (size_t)n;
}

__attribute__((const)) static int cube(int x) { return x * x * x; }

__attribute__((pure)) static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

__attribute__((sentinel)) static int count_strings(const char *first, ...)
{
    va_list ap;
    int n = 0;
    const char *s;

    va_start(ap, first);
    for (s = first; s != NULL; s = va_arg(ap, const char *))
        n++;
    va_end(ap);
    return n;
}

__attribute__((noinline)) static int add(int a, int b) { return a + b; }

int main(void)
{
    char buf[32];
    size_t len;
    int n;

    n = log_msg("starting %s v%d.%d", "demo", 1, 2);
    printf("log_msg wrote %d chars\n", n);
    len = buf_printf(buf, sizeof buf, "%05.1f|%-6s|", 3.14159, "pi");
    log_msg("buf_printf -> \"%s\" (%zu)", buf, len);
    log_msg("cube(7) = %d, add(2, 3) = %d", cube(7), add(2, 3));
    log_msg("count_char = %zu", count_char("mississippi", 's'));
    log_msg("count_strings = %d", count_strings("a", "b", "c", (char *)NULL));
    printf("log_lines = %d\n", log_lines);
    return 0;
}
