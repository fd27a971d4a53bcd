/* Roman numerals: integer to Roman, Roman to integer, full roundtrip check. */
#include <stdio.h>
#include <string.h>

#define MAX_ROMAN 3999

static const struct {
    int value;
    const char *symbol;
} table[] = {
    { 1000, "M" }, { 900, "CM" }, { 500, "D" }, { 400, "CD" },
    { 100, "C" },  { 90, "XC" },  { 50, "L" },  { 40, "XL" },
    { 10, "X" },   { 9, "IX" },   { 5, "V" },   { 4, "IV" }, { 1, "I" },
};

static char *to_roman(int n, char *buf)
{
    size_t i;
    buf[0] = '\0';
    for (i = 0; i < sizeof table / sizeof table[0]; i++)
        while (n >= table[i].value) {
            strcat(buf, table[i].symbol);
            n -= table[i].value;
        }
    return buf;
}

static int digit_value(char c)
{
    switch (c) {
    case 'I': return 1;
    case 'V': return 5;
    case 'X': return 10;
    case 'L': return 50;
    case 'C': return 100;
    case 'D': return 500;
    case 'M': return 1000;
    default:  return 0;
    }
}

static int from_roman(const char *s)
{
    int total = 0, i, cur, next;
    for (i = 0; s[i]; i++) {
        cur = digit_value(s[i]);
        next = s[i + 1] ? digit_value(s[i + 1]) : 0;
        if (cur == 0)
            return -1;
        total += cur < next ? -cur : cur;
    }
    return total;
}

int main(void)
{
    static const int samples[] = { 1, 4, 9, 14, 40, 90, 400, 1994, 2024, 3999 };
    static const char *parse[] = { "XLII", "MCMLXXXIV", "MMMDCCCLXXXVIII", "IIII", "ABC" };
    char buf[32];
    size_t i;
    int n, failures = 0, longest = 0, longest_n = 0;

    for (i = 0; i < sizeof samples / sizeof samples[0]; i++)
        printf("%4d = %s\n", samples[i], to_roman(samples[i], buf));
    for (i = 0; i < sizeof parse / sizeof parse[0]; i++)
        printf("%s = %d\n", parse[i], from_roman(parse[i]));
    for (n = 1; n <= MAX_ROMAN; n++) {
        to_roman(n, buf);
        if (from_roman(buf) != n)
            failures++;
        if ((int)strlen(buf) > longest)
            longest = (int)strlen(buf), longest_n = n;
    }
    printf("roundtrip 1..%d failures: %d\n", MAX_ROMAN, failures);
    printf("longest numeral: %d = %s (%d chars)\n", longest_n, to_roman(longest_n, buf), longest);
    return 0;
}
