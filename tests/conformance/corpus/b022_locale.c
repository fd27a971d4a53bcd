/* <locale.h>: the "C" locale only; localeconv and locale-neutral output. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static void show_conv(void)
{
    const struct lconv *lc = localeconv();

    printf("decimal_point = \"%s\"\n", lc->decimal_point);
    printf("thousands_sep = \"%s\"\n", lc->thousands_sep);
    printf("grouping empty = %d\n", lc->grouping[0] == '\0');
    printf("currency_symbol = \"%s\"\n", lc->currency_symbol);
    printf("frac_digits = %d (CHAR_MAX means unspecified)\n", lc->frac_digits);
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

int main(void)
{
    const char *name = setlocale(LC_ALL, "C");
    char buf[32];
    size_t n;

    printf("setlocale(LC_ALL, \"C\") = %s\n", name ? name : "(null)");
    printf("query LC_NUMERIC = %s\n", setlocale(LC_NUMERIC, NULL));
    printf("query LC_CTYPE = %s\n", setlocale(LC_CTYPE, NULL));
    show_conv();
    printf("printf float: %.3f\n", 1234.5678);
    printf("strtod(\"2.75\") = %.2f\n", strtod("2.75", NULL));
    printf("strcoll(apple, banana) sign = %d\n", sign(strcoll("apple", "banana")));
    printf("strcoll(B, a) sign = %d\n", sign(strcoll("B", "a")));
    n = strxfrm(buf, "locale", sizeof buf);
    printf("strxfrm length = %zu, same as strcmp order: %d\n", n,
           sign(strcmp(buf, "locale")) == 0);
    return 0;
}
