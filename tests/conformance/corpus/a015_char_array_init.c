#include <stdio.h>
#include <string.h>

char a[] = "hello";              /* implicit size 6 */
char b[10] = "hi";               /* remaining bytes are zero */
char c[5] = "abcde";             /* exact fit: no terminating NUL */
char d[] = { 'x', 'y', 'z', '\0' };
char e[][6] = { "one", "two", "three" };
char g[] = { "braced" };
static const char h[4] = "ab";
unsigned char raw[] = "\x01\x02\377";

static int zeros_after(const char *s, size_t from, size_t n)
{
    int z = 0;
    for (size_t i = from; i < n; i++)
        z += s[i] == 0;
    return z;
}

int main(void)
{
    printf("a = %s, sizeof a = %zu\n", a, sizeof a);
    printf("b = %s, sizeof b = %zu, zeros = %d\n", b, sizeof b, zeros_after(b, 2, sizeof b));
    printf("c = %.5s, sizeof c = %zu\n", c, sizeof c);
    printf("d = %s, strlen d = %zu\n", d, strlen(d));
    printf("e[2] = %s, sizeof e = %zu\n", e[2], sizeof e);
    printf("g = %s, sizeof g = %zu\n", g, sizeof g);
    printf("h = %s, h[3] = %d\n", h, h[3]);
    printf("raw: %u %u %u %u (sizeof %zu)\n", raw[0], raw[1], raw[2], raw[3], sizeof raw);
    char local[] = "stack";
    local[0] = 'S';
    printf("local = %s\n", local);
    return 0;
}
