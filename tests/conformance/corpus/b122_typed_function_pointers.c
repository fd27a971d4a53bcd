/* Globals that read like calls until one knows a name is a type: pointers to
   functions returning a typedef, `_Bool` or a header's type (`T (*fp)(int)`),
   after a `_Static_assert`; a parenthesized name with an attribute after it;
   a declaration after one whose attribute comes before its name, after a
   cast in an initializer, and a declaring macro after an aligned array. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>

typedef long score_t;
typedef struct { const char *name; score_t points; } entry;

static score_t double_it(int v) { return 2L * v; }
static _Bool is_even(int v) { return v % 2 == 0; }

_Static_assert(sizeof(score_t) >= 4, "score_t holds a score");
score_t (*scorer)(int) = double_it;
_Bool (*keep)(int) = is_even;
size_t (*measure)(const char *) = strlen;
entry (*last_pick)(void);

static entry pick_first(void) { entry e = { "first", 1 }; return e; }

unsigned char (checksum) __attribute__((aligned(16)));
static const char __attribute__((unused)) tag[] = "t1", *tag_ptr = tag;
int32_t totals[3];
__typeof__(totals[0]) (*all_totals)[3] = &totals;
static unsigned long low_bits = (unsigned long)-1 >> 60;
static legacy_count = 2;    /* old code: an implicit int after a cast */

static unsigned char scratch[8] __attribute__((aligned(16))) = { 0 };
#define COUNTER(name, start) static int name = start;
COUNTER(events, 3)
[[gnu::unused]] static __int128 (*wide_hook)(int) = 0;

int main(void)
{
    last_pick = pick_first;
    for (int v = 1; v <= 6; v++)
        if (keep(v))
            totals[v % 3] += (int32_t)scorer(v);
    for (const char *p = tag_ptr; *p; p++)
        checksum = (unsigned char)(checksum * 31 + *p);
    entry e = last_pick();
    printf("totals %d %d %d\n", (int)totals[0], (int)totals[1], (int)totals[2]);
    printf("checksum %u aligned %d, tag %s (%zu)\n", checksum, (int)_Alignof(checksum), tag_ptr, measure(tag));
    printf("%s %ld\n", e.name, (long)e.points);
    printf("%d %lu %d\n", (int)(*all_totals)[1], low_bits, legacy_count);
    printf("events %d, scratch %zu, hook %s\n", events, sizeof scratch, wide_hook ? "set" : "none");
    return 0;
}
