#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct series {
    size_t n;
    double data[];              /* flexible array member */
};

struct message {
    int id;
    char text[];
};

static struct series *series_new(size_t n)
{
    struct series *s = malloc(sizeof *s + n * sizeof s->data[0]);
    if (!s)
        return NULL;
    s->n = n;
    for (size_t i = 0; i < n; i++)
        s->data[i] = (double)(i * i) / 2.0;
    return s;
}

static struct message *message_new(int id, const char *text)
{
    size_t len = strlen(text) + 1;
    struct message *m = malloc(sizeof *m + len);
    if (m) {
        m->id = id;
        memcpy(m->text, text, len);
    }
    return m;
}

static double series_sum(const struct series *s)
{
    double t = 0;
    for (size_t i = 0; i < s->n; i++)
        t += s->data[i];
    return t;
}

int main(void)
{
    struct series *s = series_new(6);
    struct message *m = message_new(7, "flexible arrays");

    if (!s || !m)
        return 1;
    printf("sizeof(struct series) = %zu\n", sizeof(struct series));
    printf("sizeof(struct message) = %zu\n", sizeof(struct message));
    printf("s->n = %zu, last = %.1f\n", s->n, s->data[s->n - 1]);
    printf("sum = %.2f\n", series_sum(s));
    printf("message %d: %s (%zu chars)\n", m->id, m->text, strlen(m->text));
    m->text[0] = 'F';
    printf("edited: %s\n", m->text);
    free(s);
    free(m);
    printf("freed both\n");
    return 0;
}
