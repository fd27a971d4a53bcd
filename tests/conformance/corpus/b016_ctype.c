/* <ctype.h>: classification and case mapping over a fixed string. */
#include <ctype.h>
#include <stdio.h>

struct counts {
    int alpha, digit, space, punct, upper, lower, xdigit, cntrl;
};

static const char sample[] = "Hello, World! 0x1F is 31;\tTabs & CAPS\n";

static struct counts classify(const char *s)
{
    struct counts c = { 0 };
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalpha(ch)) c.alpha++;
        if (isdigit(ch)) c.digit++;
        if (isspace(ch)) c.space++;
        if (ispunct(ch)) c.punct++;
        if (isupper(ch)) c.upper++;
        if (islower(ch)) c.lower++;
        if (isxdigit(ch)) c.xdigit++;
        if (iscntrl(ch)) c.cntrl++;
    }
    return c;
}

static void map_case(char *dst, const char *src, int (*fn)(int))
{
    while (*src) {
        unsigned char ch = (unsigned char)*src++;
        *dst++ = (char)fn(ch);
    }
    *dst = '\0';
}

int main(void)
{
    struct counts c = classify(sample);
    char buf[sizeof sample];
    int ch;

    printf("alpha=%d digit=%d space=%d punct=%d\n", c.alpha, c.digit, c.space, c.punct);
    printf("upper=%d lower=%d xdigit=%d cntrl=%d\n", c.upper, c.lower, c.xdigit, c.cntrl);
    map_case(buf, "Mixed Case 123", toupper);
    printf("toupper: %s\n", buf);
    map_case(buf, "Mixed Case 123", tolower);
    printf("tolower: %s\n", buf);
    printf("printable punctuation: ");
    for (ch = 32; ch < 127; ch++)
        if (ispunct(ch))
            putchar(ch);
    putchar('\n');
    printf("isblank(' ')=%d isblank('\\n')=%d\n", isblank(' ') != 0, isblank('\n') != 0);
    printf("isalnum('_')=%d isgraph(' ')=%d isprint(' ')=%d\n",
           isalnum('_') != 0, isgraph(' ') != 0, isprint(' ') != 0);
    return 0;
}
