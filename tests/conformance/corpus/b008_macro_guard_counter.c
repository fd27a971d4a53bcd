/* Include-guard pattern, token pasting, __LINE__.
   conformance: whole only -- split, __LINE__ counts each cell's lines (README: Conformance). */
#include <stdio.h>

#ifndef POINT_H
#define POINT_H
struct point {
    int x, y;
};
static int point_dot(struct point a, struct point b)
{
    return a.x * b.x + a.y * b.y;
}
#endif /* POINT_H */

/* A second "inclusion" of the same header body is skipped by the guard. */
#ifndef POINT_H
#define POINT_H
struct point {
    int x, y;
};
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define HERE() __LINE__

static int CAT(slot_, 2) = 100;
static int CAT(slot_, 3) = 200;
static const int line_of_global = __LINE__;

static int where(void)
{
    return HERE();
}

int main(void)
{
    struct point a = { 1, 2 }, b = { 3, 4 };

    printf("dot = %d\n", point_dot(a, b));
    printf("slots: %d %d\n", slot_2, slot_3);
    printf("global defined on line %d\n", line_of_global);
    printf("where() reports line %d\n", where());
    printf("this printf is on line %d\n", __LINE__);
    printf("lines between: %d\n", __LINE__ - line_of_global);
    return 0;
}
