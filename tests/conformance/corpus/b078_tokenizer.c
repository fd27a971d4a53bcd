/* A small hand-written lexer for a C-like expression language. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum tok_kind { T_IDENT, T_NUMBER, T_STRING, T_OP, T_PUNCT, T_KEYWORD, T_EOF, T_ERROR };

struct token {
    enum tok_kind kind;
    const char *start;
    int len;
};

static const char *kind_names[] = { "IDENT", "NUMBER", "STRING", "OP", "PUNCT", "KEYWORD", "EOF", "ERROR" };
static const char *keywords[] = { "if", "else", "while", "return", NULL };
static const char *two_char_ops[] = { "==", "!=", "<=", ">=", "&&", "||", "+=", "->", NULL };

static int is_keyword(const char *s, int len)
{
    int i;
    for (i = 0; keywords[i]; i++)
        if ((int)strlen(keywords[i]) == len && strncmp(keywords[i], s, len) == 0)
            return 1;
    return 0;
}

static struct token next_token(const char **pp)
{
    const char *p = *pp;
    struct token t;
    int i;

    while (isspace((unsigned char)*p))
        p++;
    t.start = p;
    if (*p == '\0') {
        t.kind = T_EOF;
    } else if (isalpha((unsigned char)*p) || *p == '_') {
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        t.kind = is_keyword(t.start, (int)(p - t.start)) ? T_KEYWORD : T_IDENT;
    } else if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p) || *p == '.')
            p++;
        t.kind = T_NUMBER;
    } else if (*p == '"') {
        for (p++; *p && *p != '"'; p++)
            if (*p == '\\' && p[1])
                p++;
        t.kind = *p == '"' ? (p++, T_STRING) : T_ERROR;
    } else {
        t.kind = strchr("(){}[];,", *p) ? T_PUNCT : strchr("+-*/=<>!&|%", *p) ? T_OP : T_ERROR;
        for (i = 0; two_char_ops[i]; i++)
            if (strncmp(p, two_char_ops[i], 2) == 0)
                break;
        p += two_char_ops[i] ? 2 : 1;
    }
    t.len = (int)(p - t.start);
    *pp = p;
    return t;
}

int main(void)
{
    const char *src = "if (count >= 10 && name != \"a\\\"b\") { total += 3.25 * f(x, y_2); } else return -1; @";
    const char *p = src;
    int counts[8] = { 0 };
    struct token t;
    int i;

    do {
        t = next_token(&p);
        counts[t.kind]++;
        printf("%-7s '%.*s'\n", kind_names[t.kind], t.len, t.start);
    } while (t.kind != T_EOF);
    for (i = 0; i < 8; i++)
        if (counts[i])
            printf("%s=%d ", kind_names[i], counts[i]);
    printf("\n");
    return 0;
}
