/* One untagged struct, union or enum type for several globals, as C code
   declares state it keeps in one place: `struct { ... } a, b, *p;` is one
   type (a = b is an assignment), a tag defined inside it is a tag of the
   file, the enumerators of an untagged enum are defined once, and an array
   of such structs sized by its initializer keeps its size. */
#include <stdio.h>
#include <string.h>

enum { IDLE, RUNNING, DONE } state, previous = IDLE;

struct {
    struct span { int start, end; } range;
    const char *name;
} current = { { 0, 10 }, "first" }, saved, *active = &current;

static struct {
    union word { unsigned u; unsigned char bytes[4]; } value;
    int uses;
} cache[2] = { { { 0x01020304u }, 1 } }, spare;

struct span whole = { 0, 100 };

struct { char name[8]; int weight; } table[] = { { "low", 1 }, { "high", 9 } }, *cursor = table;

static int length(struct span s) { return s.end - s.start; }

static void step(void)
{
    previous = state;
    state = state == IDLE ? RUNNING : DONE;
    saved = current;                 /* one type: a plain assignment */
    current.range.end += 5;
    current.name = "second";
}

int main(void)
{
    step();
    step();
    printf("state %d, previous %d\n", state, previous);
    printf("current %s %d..%d, saved %s %d..%d, active %s\n", current.name, current.range.start, current.range.end,
           saved.name, saved.range.start, saved.range.end, active->name);
    printf("lengths %d %d %d\n", length(current.range), length(saved.range), length(whole));
    spare = cache[0];
    spare.uses++;
    union word w = spare.value;
    printf("cache %x (%d bytes, %d uses), spare uses %d, cache[1] %u\n", w.u, (int)sizeof w.bytes, cache[0].uses,
           spare.uses, cache[1].value.u);
    for (cursor = table; cursor < table + sizeof table / sizeof table[0]; cursor++)
        printf("%s=%d ", cursor->name, cursor->weight);
    printf("(%zu entries)\n", sizeof table / sizeof *table);
    printf("same type: %d\n", __builtin_types_compatible_p(__typeof__(current), __typeof__(*active)));
    return memcmp(&saved, &current, sizeof saved) == 0;
}
