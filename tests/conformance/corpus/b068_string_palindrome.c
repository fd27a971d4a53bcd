/* String reversal in place, palindrome tests, reversing words of a sentence. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void reverse_range(char *s, size_t i, size_t j)
{
    while (i < j) {
        char c = s[i];
        s[i++] = s[j];
        s[j--] = c;
    }
}

/* reverse: reverse string s in place (K&R 3.5) */
static void reverse(char s[])
{
    size_t n = strlen(s);
    if (n > 1)
        reverse_range(s, 0, n - 1);
}

static int is_palindrome(const char *s)
{
    const char *e = s + strlen(s);
    while (s < e) {
        if (!isalnum((unsigned char)*s)) { s++; continue; }
        if (!isalnum((unsigned char)e[-1])) { e--; continue; }
        if (tolower((unsigned char)*s) != tolower((unsigned char)e[-1]))
            return 0;
        s++, e--;
    }
    return 1;
}

static void reverse_words(char *s)
{
    size_t start = 0, i, n = strlen(s);
    reverse(s);
    for (i = 0; i <= n; i++)
        if (s[i] == ' ' || s[i] == '\0') {
            if (i > start)
                reverse_range(s, start, i - 1);
            start = i + 1;
        }
}

int main(void)
{
    static const char *tests[] = {
        "racecar", "A man, a plan, a canal: Panama!", "hello", "", "No 'x' in Nixon", "ab"
    };
    char buf[64];
    size_t i;

    strcpy(buf, "stressed");
    reverse(buf);
    printf("reverse(\"stressed\") = \"%s\"\n", buf);
    strcpy(buf, "a");
    reverse(buf);
    printf("reverse(\"a\") = \"%s\"\n", buf);
    for (i = 0; i < sizeof tests / sizeof tests[0]; i++)
        printf("palindrome(\"%s\") = %s\n", tests[i], is_palindrome(tests[i]) ? "yes" : "no");
    strcpy(buf, "the quick brown fox");
    reverse_words(buf);
    printf("reverse_words -> \"%s\"\n", buf);
    return 0;
}
