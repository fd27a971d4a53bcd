/* Conway's Game of Life on a small toroidal grid for four generations. */
#include <stdio.h>
#include <string.h>

#define W 10
#define H 8
#define GENERATIONS 4

typedef unsigned char Grid[H][W];

static const char *const initial[H] = {
    ".#........",
    "..#.......",
    "###.......",
    "..........",
    "......###.",
    "..........",
    "........##",
    "........##",
};

static int neighbours(Grid g, int r, int c)
{
    int dr, dc, n = 0;
    for (dr = -1; dr <= 1; dr++)
        for (dc = -1; dc <= 1; dc++)
            if (dr || dc)
                n += g[(r + dr + H) % H][(c + dc + W) % W];
    return n;
}

static void step(Grid g)
{
    Grid next;
    int r, c, n;
    for (r = 0; r < H; r++)
        for (c = 0; c < W; c++) {
            n = neighbours(g, r, c);
            next[r][c] = (n == 3) || (n == 2 && g[r][c]);
        }
    memcpy(g, next, sizeof next);
}

static int population(Grid g)
{
    int r, c, p = 0;
    for (r = 0; r < H; r++)
        for (c = 0; c < W; c++)
            p += g[r][c];
    return p;
}

static void show(Grid g, int gen)
{
    int r, c;
    printf("generation %d (population %d)\n", gen, population(g));
    for (r = 0; r < H; r++) {
        for (c = 0; c < W; c++)
            putchar(g[r][c] ? '#' : '.');
        putchar('\n');
    }
}

int main(void)
{
    Grid g;
    int r, c, gen;

    for (r = 0; r < H; r++)
        for (c = 0; c < W; c++)
            g[r][c] = initial[r][c] == '#';
    show(g, 0);
    for (gen = 1; gen <= GENERATIONS; gen++) {
        step(g);
        show(g, gen);
    }
    return 0;
}
