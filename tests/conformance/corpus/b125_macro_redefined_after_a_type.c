/* A macro redefined after a type, an enum and an array expanded it: they keep
   what they expanded, as in one file (struct s was once rebuilt with the new N
   in later cells: 40 bytes instead of 12, and its global migrated). */
#include <stdio.h>
#define N 3
struct s { int a[N]; };
struct s g = {{1, 2, 3}};
enum { FIRST = N };
int before[N];
int after = 42;
#define N 10
int arr[N];
enum { SECOND = N };
int main(void) {
    printf("%zu %d %d %d\n", sizeof(struct s), g.a[2], FIRST, after);
    printf("%zu %zu %d %d\n", sizeof before / sizeof before[0], sizeof arr / sizeof arr[0], SECOND, N);
    return 0;
}
