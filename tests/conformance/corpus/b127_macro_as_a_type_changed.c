/* A macro names the type of functions and globals, then changes: they keep
   the type they were declared with, as in one file (later cells once declared
   them with the new type: an int function called as a double, an int global
   read as 8 bytes). */
#include <stdio.h>
#define T int
T twice(T a) { return 2 * a; }
T counter = 7;
T grid[2][3];
#undef T
#define T double
T ratio = 2.5;
T half(T a) { return a / 2; }
#undef T
#define T long
int main(void) {
    grid[1][2] = twice(counter);
    printf("%d %d %zu %zu\n", twice(21), counter, sizeof counter, sizeof grid);
    printf("%g %g %d %zu\n", ratio, half(5), grid[1][2], sizeof(T));
    return 0;
}
