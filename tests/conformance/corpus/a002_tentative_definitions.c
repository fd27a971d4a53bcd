#include <stdio.h>
#include <string.h>

int x;
int x = 3;
int y;                  /* tentative only: becomes int y = 0 */
double ratio;
char buf[16];           /* zero-filled array */
static int s_count;
static int s_count;     /* repeated static tentative definition */

struct point { int x, y; };
struct point origin;
struct point origin;

int *nowhere;

static size_t count_nonzero(const char *p, size_t n)
{
    size_t nz = 0;
    while (n--)
        if (*p++ != 0)
            nz++;
    return nz;
}

int main(void)
{
    printf("x = %d\n", x);
    printf("y = %d\n", y);
    printf("ratio = %.1f\n", ratio);
    printf("nonzero bytes in buf = %zu\n", count_nonzero(buf, sizeof buf));
    printf("s_count = %d\n", s_count);
    printf("origin = (%d, %d)\n", origin.x, origin.y);
    printf("nowhere is null: %d\n", nowhere == NULL);
    strcpy(buf, "filled");
    s_count = (int)strlen(buf);
    printf("buf = %s, s_count = %d\n", buf, s_count);
    printf("nonzero bytes now = %zu\n", count_nonzero(buf, sizeof buf));
    return 0;
}
