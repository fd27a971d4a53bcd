/* Object-like and function-like macros, # stringizing, two-level expansion. */
#include <stdio.h>

#define BUFSIZE 16
#define PI_APPROX 3.14159
#define GREETING "hello, macros"
#define SQUARE(x) ((x) * (x))
#define CUBE(x) (SQUARE(x) * (x))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define STR(x) #x
#define XSTR(x) STR(x)
#define SHOW(expr) printf("%-22s = %d\n", #expr, (expr))

static int table[BUFSIZE];

static int fill(int n)
{
    int i, sum = 0;

    for (i = 0; i < n && i < BUFSIZE; i++) {
        table[i] = SQUARE(i + 1);
        sum += table[i];
    }
    return sum;
}

int main(void)
{
    printf("%s\n", GREETING);
    printf("XSTR(BUFSIZE) -> %s\n", XSTR(BUFSIZE));
    printf("STR(BUFSIZE)  -> %s\n", STR(BUFSIZE));
    printf("PI_APPROX = %.5f\n", PI_APPROX);
    SHOW(SQUARE(7));
    SHOW(SQUARE(2 + 3));
    SHOW(CUBE(3));
    SHOW(MIN(10, -4));
    SHOW(fill(5));
    SHOW(table[4]);
    printf("normalized: [%s]\n", STR(a   +   b * c));
    printf("quoted: [%s]\n", STR("tab\t" 'x'));
    printf("sizeof table = %zu\n", sizeof table / sizeof table[0]);
    return 0;
}
