/* GNU zero-length arrays at the end of structs, and C99 flexible array members. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct message {
    int len;
    char data[0];
};

struct samples {
    unsigned count;
    double values[];
};

struct header_only {
    short kind;
    int extra[0];
};

static struct message *make_message(const char *text)
{
    size_t n = strlen(text) + 1;
    struct message *m = malloc(sizeof *m + n);
    if (m == NULL)
        return NULL;
    m->len = (int)n - 1;
    memcpy(m->data, text, n);
    return m;
}

static struct samples *make_samples(unsigned count)
{
    struct samples *s = malloc(sizeof *s + count * sizeof s->values[0]);
    unsigned i;
    if (s == NULL)
        return NULL;
    s->count = count;
    for (i = 0; i < count; i++)
        s->values[i] = i * 1.5;
    return s;
}

int main(void)
{
    struct message *m = make_message("zero-length tail");
    struct samples *s = make_samples(5);
    double sum = 0;
    unsigned i;

    printf("sizeof(struct message) = %zu\n", sizeof(struct message));
    printf("sizeof(struct samples) = %zu\n", sizeof(struct samples));
    printf("sizeof(struct header_only) = %zu\n", sizeof(struct header_only));
    printf("message len %d: %s\n", m->len, m->data);
    printf("data[5] = '%c'\n", m->data[5]);
    for (i = 0; i < s->count; i++)
        sum += s->values[i];
    printf("samples count %u, sum %.2f, last %.2f\n", s->count, sum, s->values[s->count - 1]);
    free(m);
    free(s);
    return 0;
}
