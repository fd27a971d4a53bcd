/* A header's macros (BUFSIZ, stdbool's bool) size a buffer, a struct, and
   type a function and a global; then the program redefines them: what used
   them keeps what they were, as in one file (later cells once read the struct
   with the new size, the _Bool function as returning long double). */
#include <stdio.h>
#include <stdbool.h>
char line[BUFSIZ];
struct ring { char slots[BUFSIZ / 1024]; int head; };
bool ready(void) { return true; }
bool done = true;
#undef BUFSIZ
#define BUFSIZ 64
#undef bool
#define bool long double
bool level = 1.5;
int main(void) {
    struct ring r = {{0}, 3};
    printf("%zu %zu %d %d\n", sizeof line, sizeof r, BUFSIZ, ready() + 1);
    printf("%d %zu %Lg %d\n", done, sizeof done, level, r.head);
    return 0;
}
