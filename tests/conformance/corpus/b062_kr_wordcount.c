/* K&R chapter 1: word/line/char count, character classes and longest line. */
#include <stdio.h>

#define IN  1   /* inside a word */
#define OUT 0   /* outside a word */
#define MAXLINE 100

static const char text[] =
    "The C Programming Language\n"
    "by Kernighan and Ritchie, 2nd edition (1988)\n"
    "\n"
    "  count the   words,\tlines and characters\n"
    "end\n";

static const char *src;

/* getline: read a line from src into s, return length */
static int get_line(char s[], int lim)
{
    int c = 0, i;

    for (i = 0; i < lim - 1 && *src != '\0' && (c = *src++) != '\n'; ++i)
        s[i] = (char)c;
    if (c == '\n' && i < lim - 1)
        s[i++] = (char)c;
    s[i] = '\0';
    return i;
}

static void copy(char to[], const char from[])
{
    int i = 0;
    while ((to[i] = from[i]) != '\0')
        ++i;
}

int main(void)
{
    int c, nl, nw, nc, state, i, nwhite, nother;
    int ndigit[10];
    int len, max;
    char line[MAXLINE], longest[MAXLINE];
    const char *p;

    state = OUT;
    nl = nw = nc = nwhite = nother = 0;
    for (i = 0; i < 10; ++i)
        ndigit[i] = 0;
    for (p = text; (c = *p) != '\0'; ++p) {
        ++nc;
        if (c == '\n')
            ++nl;
        if (c == ' ' || c == '\n' || c == '\t')
            state = OUT, ++nwhite;
        else if (state == OUT) {
            state = IN;
            ++nw;
        }
        if (c >= '0' && c <= '9')
            ++ndigit[c - '0'];
        else if (c != ' ' && c != '\n' && c != '\t')
            ++nother;
    }
    printf("lines %d, words %d, chars %d\n", nl, nw, nc);
    printf("digits =");
    for (i = 0; i < 10; ++i)
        printf(" %d", ndigit[i]);
    printf(", white space = %d, other = %d\n", nwhite, nother);

    max = 0;
    src = text;
    while ((len = get_line(line, MAXLINE)) > 0) {
        printf("line of length %2d\n", len);
        if (len > max) {
            max = len;
            copy(longest, line);
        }
    }
    if (max > 0)
        printf("longest (%d): %s", max, longest);
    return 0;
}
