/* Enum-and-switch state machine: strip C comments while respecting string literals. */
#include <stdio.h>
#include <string.h>

typedef enum {
    CODE,
    SLASH,          /* saw '/', maybe a comment */
    LINE_COMMENT,
    BLOCK_COMMENT,
    BLOCK_STAR,     /* saw '*' inside a block comment */
    STRING,
    STRING_ESCAPE
} State;

static const char *const state_names[] = {
    "CODE", "SLASH", "LINE_COMMENT", "BLOCK_COMMENT", "BLOCK_STAR", "STRING", "STRING_ESCAPE"
};

static const char source[] =
    "int x = 1; // counter\n"
    "/* block\n   comment */ int y = x / 2;\n"
    "char *s = \"not /* a comment */ \\\" here\";\n"
    "int z = y /**/ + 1;\n";

static int transitions[7];

static State step(State st, char c, char *out, size_t *n)
{
    switch (st) {
    case CODE:
        if (c == '/') return SLASH;
        out[(*n)++] = c;
        return c == '"' ? STRING : CODE;
    case SLASH:
        if (c == '/') return LINE_COMMENT;
        if (c == '*') return BLOCK_COMMENT;
        out[(*n)++] = '/';
        out[(*n)++] = c;
        return c == '"' ? STRING : CODE;
    case LINE_COMMENT:
        if (c == '\n') { out[(*n)++] = c; return CODE; }
        return LINE_COMMENT;
    case BLOCK_COMMENT:
        return c == '*' ? BLOCK_STAR : BLOCK_COMMENT;
    case BLOCK_STAR:
        if (c == '/') { out[(*n)++] = ' '; return CODE; }
        return c == '*' ? BLOCK_STAR : BLOCK_COMMENT;
    case STRING:
        out[(*n)++] = c;
        if (c == '\\') return STRING_ESCAPE;
        return c == '"' ? CODE : STRING;
    case STRING_ESCAPE:
        out[(*n)++] = c;
        return STRING;
    }
    return st;
}

int main(void)
{
    char out[sizeof source];
    size_t n = 0, i;
    State st = CODE, next;

    for (i = 0; source[i] != '\0'; i++) {
        next = step(st, source[i], out, &n);
        if (next != st)
            transitions[next]++;
        st = next;
    }
    out[n] = '\0';
    printf("--- stripped ---\n%s--- end ---\n", out);
    printf("input %zu chars, output %zu chars, final state %s\n", strlen(source), n, state_names[st]);
    for (i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        printf("entered %-13s %d times\n", state_names[i], transitions[i]);
    return 0;
}
