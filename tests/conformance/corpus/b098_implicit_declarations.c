/* Old code that calls functions before declaring them: gcc declares each one
   implicitly (`int name()`, with a warning) and the linker finds the
   definition further down the file.  Also a prototype inside a function body,
   and C library functions called without their header. */
#include <stdio.h>

int checksum(const char *s)
{
    return weigh(s) % 251; /* weigh() is defined below */
}

int largest(int a, int b, int c)
{
    int max2(int, int); /* declared here only */
    return max2(max2(a, b), c);
}

int report(const char *word)
{
    printf("%-8s checksum %3d, length %d\n", word, checksum(word), measure(word));
    return abs(checksum(word) - 128); /* abs without <stdlib.h> */
}

int main(void)
{
    int spread = 0;
    spread += report("cellc");
    spread += report("notebook");
    printf("largest of 7, 19, 3: %d\n", largest(7, 19, 3));
    printf("spread %d, atoi %d\n", spread, atoi("42"));
    return spread % 7;
}

int weigh(const char *s)
{
    int sum = 0;
    while (*s)
        sum = sum * 31 + *s++;
    return sum < 0 ? -sum : sum;
}

int measure(const char *s)
{
    int n = 0;
    while (s[n])
        n++;
    return n;
}

int max2(int a, int b)
{
    return a > b ? a : b;
}
