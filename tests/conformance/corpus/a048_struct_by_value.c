#include <stdio.h>
#include <string.h>

struct vec { double x, y; };

struct inventory {
    char owner[12];
    int counts[4];
    struct vec pos;
};

static struct vec vadd(struct vec a, struct vec b)
{
    struct vec r = { a.x + b.x, a.y + b.y };
    return r;
}

static struct vec vscale(struct vec v, double k)
{
    v.x *= k;                    /* modifies the callee's copy only */
    v.y *= k;
    return v;
}

static struct inventory with_extra(struct inventory inv, int slot)
{
    inv.counts[slot] += 100;
    strcpy(inv.owner, "copy");
    return inv;
}

static void show_inv(const char *tag, struct inventory inv)
{
    printf("%s: owner=%s counts=%d,%d,%d,%d pos=(%.1f,%.1f)\n", tag, inv.owner,
           inv.counts[0], inv.counts[1], inv.counts[2], inv.counts[3], inv.pos.x, inv.pos.y);
}

struct inventory base = { "alice", { 1, 2, 3, 4 }, { 0.5, -0.5 } };

int main(void)
{
    struct vec a = { 1, 2 }, b = { 10, 20 };
    struct vec c = vadd(a, b);
    struct vec d = vscale(c, 0.5);

    printf("c = (%.1f, %.1f)\n", c.x, c.y);
    printf("d = (%.1f, %.1f)\n", d.x, d.y);
    printf("a unchanged = (%.1f, %.1f)\n", a.x, a.y);

    struct inventory other = with_extra(base, 2);
    show_inv("base", base);
    show_inv("other", other);

    struct inventory assigned;
    assigned = other;            /* struct assignment copies the arrays too */
    assigned.counts[0] = -1;
    show_inv("assigned", assigned);
    printf("other.counts[0] still %d\n", other.counts[0]);
    printf("vadd(...).x = %.1f\n", vadd(vscale(a, 3), b).x);
    return 0;
}
