/* `#undef N` then `#define N` again, the usual way to change a macro without a
   warning: what expanded the first N keeps it, and N is defined after (the
   second definition once came before the #undef in later cells' preludes: N
   undeclared, and the enum took the new value). */
#include <stdio.h>
#define N 3
enum { A = N, B };
typedef int vec[N];
_Static_assert(N == 3, "the first N");
struct buf { char data[N]; };
#undef N
#define N 10
int arr[N];
struct big { char data[N]; };
int main(void) {
    vec v;
    printf("%d %d %zu %zu %d\n", A, B, sizeof v / sizeof v[0], sizeof arr / sizeof arr[0], N);
    printf("%zu %zu\n", sizeof(struct buf), sizeof(struct big));
    return 0;
}
