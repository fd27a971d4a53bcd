/* Macros that hide syntax: a loop header, braces, a whole function head;
   a #define continued into a blank line. */
#include <stdio.h>

#define for_i(n) for (int i = 0; i < (n); i++)
#define BEGIN {
#define END }
#define FUNCTION(name) static int name(void) {
#define END_FUNCTION(v) return (v); }
#define ADD(a, b) ((a) + (b)) \

#define REPEAT(n) for (int r_ = 0; r_ < (n); r_++)

void fill(int *a, int n) { for_i(n) { a[i] = i; } for_i(n) { a[i] *= ADD(a[i], 1); } }

int sum(const int *a, int n)
BEGIN
    int s = 0;
    for_i(n) BEGIN s += a[i]; END
    return s;
END

FUNCTION(forty_two) END_FUNCTION(42)

int main(void)
{
    int a[5];
    fill(a, 5);
    printf("%d %d %d\n", a[4], sum(a, 5), forty_two());
    REPEAT(2) printf("again\n");
    return 0;
}
