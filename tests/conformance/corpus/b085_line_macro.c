/* #line whose operands are macros, and __LINE__ in #if after it.
   conformance: whole only -- split, __LINE__ counts each cell's lines (README: Conformance). */
#include <stdio.h>

#define LINE 1000
#define PLACE 2000 "generated.c"

#if __LINE__ != 8
#error "__LINE__ before #line"
#endif
#line LINE
int line_here = __LINE__;
#if __LINE__ != 1001
#error "__LINE__ after #line"
#endif

#line PLACE
static const char *file_here = __FILE__;
static int line_there = __LINE__;

int main(void)
{
    printf("%d %s %d\n", line_here, file_here, line_there);
    return 0;
}
