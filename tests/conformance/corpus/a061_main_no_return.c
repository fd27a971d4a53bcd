/* main without a return statement: reaching the closing brace returns 0. */
#include <stdio.h>
#include <string.h>

#define WIDTH 24

static char line[WIDTH + 1];

static void rule(char ch)
{
    memset(line, ch, WIDTH);
    line[WIDTH] = '\0';
    puts(line);
}

static void centered(const char *text)
{
    int len = (int)strlen(text);
    int pad = (WIDTH - len) / 2;
    printf("%*s%s\n", pad, "", text);
}

static int digits_sum(unsigned long v)
{
    int s = 0;
    do {
        s += (int)(v % 10);
        v /= 10;
    } while (v);
    return s;
}

int main(void)
{
    rule('=');
    centered("no return");
    centered("in main");
    rule('-');
    printf("digits_sum(987654321) = %d\n", digits_sum(987654321UL));
    printf("digits_sum(0) = %d\n", digits_sum(0));
    rule('=');
}
