#include <stdio.h>

struct point { int x, y; };
struct rect { struct point tl, br; };

static int sum(const int *v, int n)
{
    int s = 0;
    while (n--)
        s += *v++;
    return s;
}

static struct point add(struct point a, struct point b)
{
    return (struct point){ a.x + b.x, a.y + b.y };
}

static int area(const struct rect *r)
{
    return (r->br.x - r->tl.x) * (r->br.y - r->tl.y);
}

static void show(const char *label, struct point p)
{
    printf("%s = (%d, %d)\n", label, p.x, p.y);
}

int main(void)
{
    printf("sum of (int[]){3,1,2} = %d\n", sum((int[]){ 3, 1, 2 }, 3));
    show("add", add((struct point){ 1, 2 }, (struct point){ .y = 10, .x = 20 }));
    printf("area = %d\n", area(&(struct rect){ { 0, 0 }, { 4, 5 } }));

    int *p = (int[5]){ 0 };
    for (int i = 0; i < 5; i++)
        p[i] = i * 3;
    printf("p[4] = %d, sum = %d\n", p[4], sum(p, 5));

    struct point *pp = &(struct point){ 7, 8 };
    pp->x *= 2;
    show("*pp", *pp);

    const char *s = (const char[]){ 'o', 'k', '\0' };
    printf("s = %s\n", s);
    printf("sizeof (char[]){\"abc\"} = %zu\n", sizeof (char[]){ "abc" });

    int total = 0;
    for (int i = 0; i < 3; i++) {
        struct point q = (struct point){ i, i * i };   /* new object each iteration */
        total += q.x + q.y;
    }
    printf("total = %d\n", total);
    return 0;
}
