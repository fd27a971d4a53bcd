/* <wchar.h> and <wctype.h>: wide strings, swprintf, wcstol, wide classification. */
#include <wchar.h>
#include <wctype.h>
#include <stdio.h>

#define WBUF 64

static size_t count_if(const wchar_t *s, int (*pred)(wint_t))
{
    size_t n = 0;
    for (; *s; s++)
        if (pred((wint_t)*s))
            n++;
    return n;
}

static void upcase(wchar_t *s)
{
    for (; *s; s++)
        *s = (wchar_t)towupper((wint_t)*s);
}

int main(void)
{
    wchar_t buf[WBUF];
    wchar_t text[WBUF] = L"Wide strings, 42 of them";
    wchar_t tokbuf[] = L"one two  three";
    wchar_t *state, *tok;
    wchar_t *end;
    long v;
    int n;

    printf("wcslen = %zu\n", wcslen(text));
    printf("alpha=%zu digit=%zu space=%zu\n",
           count_if(text, iswalpha), count_if(text, iswdigit), count_if(text, iswspace));
    n = swprintf(buf, WBUF, L"%ls|%d|%5.2f", L"fmt", 7, 3.14159);
    printf("swprintf returned %d: %ls\n", n, buf);
    wcscpy(buf, L"abc");
    wcscat(buf, L"def");
    printf("wcscpy/wcscat: %ls\n", buf);
    printf("wcscmp(abc, abd) < 0: %d\n", wcscmp(L"abc", L"abd") < 0);
    printf("wcschr ',' -> %ls\n", wcschr(text, L','));
    printf("wcsstr -> %ls\n", wcsstr(text, L"42"));
    v = wcstol(L"  -1234rest", &end, 10);
    printf("wcstol = %ld, rest = %ls\n", v, end);
    upcase(text);
    printf("towupper: %ls\n", text);
    for (tok = wcstok(tokbuf, L" ", &state); tok; tok = wcstok(NULL, L" ", &state))
        printf("wcstok: [%ls]\n", tok);
    printf("sizeof(wchar_t) = %zu, WEOF != 0: %d\n", sizeof(wchar_t), WEOF != 0);
    return 0;
}
