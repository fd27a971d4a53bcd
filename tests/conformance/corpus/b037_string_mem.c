/* <string.h>: memcpy, memmove with overlap, memset, memcmp, memchr. */
#include <stdio.h>
#include <string.h>

#define BUFLEN 16

static const char hello[] = "hello world";

static void dump(const char *label, const unsigned char *p, size_t n)
{
    size_t i;
    printf("%-14s", label);
    for (i = 0; i < n; i++)
        printf(" %02x", p[i]);
    printf("\n");
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

int main(void)
{
    unsigned char buf[BUFLEN];
    char text[32] = "abcdefghij";
    const char *found;
    int ints[5] = { 1, 2, 3, 4, 5 }, copy[5];
    size_t i;

    memset(buf, 0xAB, sizeof buf);
    dump("memset 0xAB", buf, 8);
    memset(buf, 0, 4);
    dump("memset 0 x4", buf, 8);

    memcpy(copy, ints, sizeof ints);
    printf("memcpy ints:");
    for (i = 0; i < 5; i++)
        printf(" %d", copy[i]);
    printf("\n");

    memmove(text + 2, text, 5);       /* overlapping, forward */
    printf("memmove right: %s\n", text);
    strcpy(text, "abcdefghij");
    memmove(text, text + 3, 7);       /* overlapping, backward */
    printf("memmove left:  %s\n", text);
    memmove(ints + 1, ints, 4 * sizeof ints[0]);
    printf("shifted ints: %d %d %d %d %d\n", ints[0], ints[1], ints[2], ints[3], ints[4]);

    printf("memcmp(abc, abd) sign = %d\n", sign(memcmp("abc", "abd", 3)));
    printf("memcmp(abc, abc) sign = %d\n", sign(memcmp("abc", "abc", 3)));
    printf("memcmp(\\xff, \\x01) sign = %d\n", sign(memcmp("\xff", "\x01", 1)));
    found = memchr(hello, 'w', sizeof hello - 1);
    printf("memchr 'w' offset = %td\n", found ? found - hello : -1);
    printf("memchr 'z' = %s\n", memchr(hello, 'z', sizeof hello - 1) ? "found" : "NULL");
    return 0;
}
