#include <stdio.h>

static long moves;
static int pegs[3];              /* number of disks on each peg */

static void move_disk(int disk, int from, int to, int verbose)
{
    moves++;
    pegs[from]--;
    pegs[to]++;
    if (verbose)
        printf("move disk %d from %c to %c\n", disk, 'A' + from, 'A' + to);
}

static void hanoi(int n, int from, int to, int via, int verbose)
{
    if (n == 0)
        return;
    hanoi(n - 1, from, via, to, verbose);
    move_disk(n, from, to, verbose);
    hanoi(n - 1, via, to, from, verbose);
}

static void solve(int n, int verbose)
{
    moves = 0;
    pegs[0] = n;
    pegs[1] = pegs[2] = 0;
    hanoi(n, 0, 2, 1, verbose);
    printf("n=%d: %ld moves, pegs = %d/%d/%d\n", n, moves, pegs[0], pegs[1], pegs[2]);
}

int main(void)
{
    solve(3, 1);
    solve(10, 0);
    solve(16, 0);
    return 0;
}
