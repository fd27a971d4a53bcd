/* A printf-like wrapper that grows a buffer with vsnprintf. */
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct strbuf {
    char *data;
    size_t len, cap;
};

static int sb_appendf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int sb_appendf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap, ap2;
    int need;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0) {
        va_end(ap2);
        return -1;
    }
    if (sb->len + (size_t)need + 1 > sb->cap) {
        size_t ncap = sb->cap ? sb->cap : 8;
        while (ncap < sb->len + (size_t)need + 1)
            ncap *= 2;
        char *p = realloc(sb->data, ncap);
        if (!p) {
            va_end(ap2);
            return -1;
        }
        sb->data = p;
        sb->cap = ncap;
    }
    vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap2);
    va_end(ap2);
    sb->len += (size_t)need;
    return need;
}

static void log_msg(const char *level, const char *fmt, ...)
{
    char line[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    printf("[%s] %s (%d chars)\n", level, line, n);
}

int main(void)
{
    struct strbuf sb = { NULL, 0, 0 };
    for (int i = 1; i <= 5; i++)
        sb_appendf(&sb, "%d^2=%d; ", i, i * i);
    printf("buffer: %s\n", sb.data);
    printf("len = %zu, cap = %zu\n", sb.len, sb.cap);
    printf("appended %d\n", sb_appendf(&sb, "%s", "end"));
    printf("tail: %s\n", sb.data + sb.len - 3);
    log_msg("info", "value=%05.1f name=%-6s|", 3.25, "abc");
    log_msg("warn", "%s", "a much longer message that will certainly be cut off at sixty three chars");
    free(sb.data);
    return 0;
}
