#include <stdio.h>
#include <string.h>
#include <ctype.h>

static size_t my_strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

static char *reverse_in_place(char *s)
{
    size_t n = my_strlen(s);
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
    return s;
}

static int sign(int v) { return (v > 0) - (v < 0); }

static void upcase(char *s)
{
    for (; *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

int main(void)
{
    char text[] = "the quick brown fox";
    char copy[32];
    char overlap[] = "abcdefgh";

    printf("my_strlen = %zu, strlen = %zu\n", my_strlen(text), strlen(text));
    strcpy(copy, text);
    printf("reversed = %s\n", reverse_in_place(copy));
    printf("strchr 'q' -> %s\n", strchr(text, 'q'));
    printf("strrchr 'o' -> %s\n", strrchr(text, 'o'));
    printf("strstr \"brown\" at %td\n", strstr(text, "brown") - text);
    printf("strcspn vowels = %zu, strspn \"the\" = %zu\n", strcspn(text, "aeiou"), strspn(text, "the"));
    printf("sign(strcmp(\"abc\", \"abd\")) = %d\n", sign(strcmp("abc", "abd")));
    printf("sign(strncmp(\"abc\", \"abd\", 2)) = %d\n", sign(strncmp("abc", "abd", 2)));
    memmove(overlap + 2, overlap, 5);
    printf("memmove overlap = %s\n", overlap);
    strncpy(copy, "xy", sizeof copy);
    printf("strncpy result = %s (copy[5] = %d)\n", copy, copy[5]);
    upcase(text);
    printf("upcase = %s\n", text);
    char *tok, *save;
    int count = 0;
    for (tok = strtok_r(text, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        printf("token %d: %s\n", ++count, tok);
    return 0;
}
