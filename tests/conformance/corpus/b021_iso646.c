/* <iso646.h>: alternative spellings of logical and bitwise operators. */
#include <iso646.h>
#include <stdio.h>
#include <stdbool.h>

#define SHOW(e) printf("%-28s -> %d\n", #e, (int)(e))

static bool in_range(int x, int lo, int hi)
{
    return x >= lo and x <= hi;
}

static bool outside(int x, int lo, int hi)
{
    return not in_range(x, lo, hi);
}

static unsigned toggle_bits(unsigned v, unsigned mask)
{
    v xor_eq mask;
    return v;
}

int main(void)
{
    unsigned flags = 0x0f;
    unsigned other = 0x3c;

    SHOW(in_range(5, 1, 10));
    SHOW(outside(5, 1, 10));
    SHOW(in_range(0, 1, 10) or in_range(11, 1, 10));
    SHOW(flags bitand other);
    SHOW(flags bitor other);
    SHOW(flags xor other);
    SHOW((compl flags) bitand 0xff);
    SHOW(flags not_eq other);
    flags and_eq 0x06;
    SHOW(flags);
    flags or_eq 0x80;
    SHOW(flags);
    SHOW(toggle_bits(0xff, 0x0f));
    SHOW(not 0);
    return 0;
}
