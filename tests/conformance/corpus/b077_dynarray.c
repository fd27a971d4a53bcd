/* Dynamic array grown with realloc, plus a growable string builder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    long *data;
    size_t len, cap;
    int grows;
} LongArray;

typedef struct {
    char *buf;
    size_t len, cap;
} StrBuf;

static int la_reserve(LongArray *a, size_t need)
{
    size_t cap = a->cap ? a->cap : 2;
    long *p;

    if (need <= a->cap)
        return 0;
    while (cap < need)
        cap *= 2;
    p = realloc(a->data, cap * sizeof *p);
    if (p == NULL)
        return -1;
    a->data = p;
    a->cap = cap;
    a->grows++;
    printf("  grow: capacity -> %zu\n", cap);
    return 0;
}

static void la_push(LongArray *a, long v)
{
    if (la_reserve(a, a->len + 1) == 0)
        a->data[a->len++] = v;
}

static void la_insert(LongArray *a, size_t at, long v)
{
    if (at > a->len || la_reserve(a, a->len + 1) != 0)
        return;
    memmove(a->data + at + 1, a->data + at, (a->len - at) * sizeof *a->data);
    a->data[at] = v;
    a->len++;
}

static void sb_append(StrBuf *sb, const char *s)
{
    size_t n = strlen(s);
    if (sb->len + n + 1 > sb->cap) {
        sb->cap = (sb->len + n + 1) * 2;
        sb->buf = realloc(sb->buf, sb->cap);
    }
    memcpy(sb->buf + sb->len, s, n + 1);
    sb->len += n;
}

int main(void)
{
    LongArray a = { NULL, 0, 0, 0 };
    StrBuf sb = { NULL, 0, 0 };
    char num[24];
    size_t i;

    for (i = 0; i < 20; i++)
        la_push(&a, (long)(i * i * i));
    la_insert(&a, 0, -1);
    la_insert(&a, 10, 999);
    printf("len=%zu cap=%zu grows=%d\n", a.len, a.cap, a.grows);
    printf("first=%ld a[10]=%ld a[11]=%ld last=%ld\n", a.data[0], a.data[10], a.data[11], a.data[a.len - 1]);
    for (i = 0; i < a.len; i += 5) {
        snprintf(num, sizeof num, i ? ",%ld" : "%ld", a.data[i]);
        sb_append(&sb, num);
    }
    printf("every 5th: %s (len %zu, cap %zu)\n", sb.buf, sb.len, sb.cap);
    a.len--;
    printf("after pop: len=%zu last=%ld\n", a.len, a.data[a.len - 1]);
    free(a.data);
    free(sb.buf);
    return 0;
}
