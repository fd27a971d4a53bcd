/* <string.h>: strtok, strstr, strncpy, strcmp sign, strspn/strcspn, strchr, strcat. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static char suffix_source[] = "betagamma";

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static int count_tokens(const char *src, const char *delims)
{
    char copy[128];
    char *tok;
    int n = 0;

    strncpy(copy, src, sizeof copy - 1);
    copy[sizeof copy - 1] = '\0';
    for (tok = strtok(copy, delims); tok != NULL; tok = strtok(NULL, delims))
        printf("  token %d: \"%s\"\n", ++n, tok);
    return n;
}

int main(void)
{
    const char *sentence = "the quick,brown;;fox jumps";
    char padded[8];
    char joined[32] = "alpha";
    char *dup;
    const char *p;
    int i;

    printf("tokens: %d\n", count_tokens(sentence, " ,;"));
    p = strstr(sentence, "brown");
    printf("strstr brown at %td: %s\n", p - sentence, p);
    printf("strstr missing: %s\n", strstr(sentence, "cat") ? "found" : "NULL");
    memset(padded, 'X', sizeof padded);
    strncpy(padded, "abc", sizeof padded);
    printf("strncpy pads with NUL:");
    for (i = 0; i < (int)sizeof padded; i++)
        printf(" %d", padded[i]);
    printf("\n");
    printf("strcmp(apple, apricot) = %d\n", sign(strcmp("apple", "apricot")));
    printf("strcmp(b, a) = %d, strcmp(x, x) = %d\n", sign(strcmp("b", "a")), sign(strcmp("x", "x")));
    printf("strncmp(hello, help, 3) = %d\n", sign(strncmp("hello", "help", 3)));
    printf("strspn(\"123abc\", digits) = %zu\n", strspn("123abc", "0123456789"));
    printf("strcspn(\"key=value\", \"=\") = %zu\n", strcspn("key=value", "="));
    printf("strchr last path part: %s\n", strrchr("/usr/local/bin", '/') + 1);
    printf("strchr first dot: %s\n", strchr("archive.tar.gz", '.'));
    printf("strpbrk vowels: %s\n", strpbrk("rhythm and blues", "aeiou"));
    strcat(joined, "-");
    strncat(joined, suffix_source, strcspn(suffix_source, "g"));
    printf("strcat/strncat: %s (%zu)\n", joined, strlen(joined));
    dup = strdup(joined);
    dup[0] = 'A';
    printf("strdup copy: %s original: %s\n", dup, joined);
    free(dup);
    return 0;
}
