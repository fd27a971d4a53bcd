#include <stdio.h>
#include <string.h>

const char *greeting = "hello, world";
const char *tail = "hello, world" + 7;       /* points into a literal */
const char *third = &"abcdef"[2];
const char *const words[] = { "zero", "one", "two", "three" };
static const char *const empty = "";
char editable[] = "mutable";
char *ed_mid = editable + 3;

static size_t total_len(const char *const *v, size_t n)
{
    size_t t = 0;
    for (size_t i = 0; i < n; i++)
        t += strlen(v[i]);
    return t;
}

int main(void)
{
    printf("greeting = %s\n", greeting);
    printf("tail = %s\n", tail);
    printf("third = %s\n", third);
    printf("strlen(empty) = %zu\n", strlen(empty));
    printf("sizeof \"abc\" = %zu\n", sizeof "abc");
    printf("total word length = %zu\n", total_len(words, 4));
    printf("words[2][1] = %c\n", words[2][1]);
    printf("\"xyz\"[1] = %c\n", "xyz"[1]);
    *ed_mid = 'A';
    printf("editable = %s\n", editable);
    printf("ed_mid = %s\n", ed_mid);
    return 0;
}
