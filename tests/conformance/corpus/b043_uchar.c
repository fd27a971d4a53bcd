/* <uchar.h>: char16_t/char32_t literals and the C-locale conversion functions. */
#include <uchar.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

static const char16_t greeting16[] = u"Gr\u00fc\u00dfe \U0001F600!";
static const char32_t greeting32[] = U"Gr\u00fc\u00dfe \U0001F600!";
static const char greeting8[] = u8"Gr\u00fc\u00dfe \U0001F600!";

static size_t len16(const char16_t *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static size_t len32(const char32_t *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int main(void)
{
    mbstate_t st;
    char16_t c16;
    char32_t c32;
    char out[8];
    size_t i, r;

    setlocale(LC_ALL, "C");
    printf("sizeof char16_t=%zu char32_t=%zu\n", sizeof(char16_t), sizeof(char32_t));
    printf("UTF-16 units: %zu, UTF-32 units: %zu, UTF-8 bytes: %zu\n",
           len16(greeting16), len32(greeting32), strlen(greeting8));
    printf("UTF-16:");
    for (i = 0; greeting16[i]; i++)
        printf(" %04X", (unsigned)greeting16[i]);
    printf("\nUTF-32:");
    for (i = 0; greeting32[i]; i++)
        printf(" %X", (unsigned)greeting32[i]);
    printf("\nUTF-8:");
    for (i = 0; greeting8[i]; i++)
        printf(" %02X", (unsigned char)greeting8[i]);
    printf("\n");

    memset(&st, 0, sizeof st);
    r = mbrtoc16(&c16, "A", 1, &st);
    printf("mbrtoc16(\"A\") = %zu -> U+%04X\n", r, (unsigned)c16);
    memset(&st, 0, sizeof st);
    r = mbrtoc32(&c32, "z", 1, &st);
    printf("mbrtoc32(\"z\") = %zu -> U+%04X\n", r, (unsigned)c32);
    memset(&st, 0, sizeof st);
    r = c32rtomb(out, U'Q', &st);
    printf("c32rtomb(U'Q') = %zu -> '%c'\n", r, out[0]);
    printf("surrogates: %04X %04X\n", (unsigned)greeting16[6], (unsigned)greeting16[7]);
    return 0;
}
