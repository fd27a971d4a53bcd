/* GNU attributes in every place gcc takes them, as headers and low-level code
   write them: after the struct/union/enum keyword and after the closing brace,
   before the type, between the type and the name, between `*` and the name,
   after a declarator, on several declarators of one declaration, in a
   typedef, on members, parameters, enumerators, labels and a fallthrough
   statement, and a calling-convention attribute gcc ignores on x86-64. */
#include <stdio.h>
#include <stddef.h>

typedef union __attribute__((packed)) U { short u; char b[2]; } U;
struct __attribute__((packed)) header { char tag; int length; };
struct trailer { char tag; int crc; } __attribute__((packed));
enum __attribute__((packed)) color { RED, GREEN __attribute__((deprecated)), BLUE };
typedef int __attribute__((aligned(16))) aligned_int;
typedef struct { char c; int i; } __attribute__((aligned(32))) wide_t;

struct fields {
    char a;
    int __attribute__((aligned(8))) b;
    char c __attribute__((aligned(16)));
};

__attribute__((unused)) static int spare = 3;
static int __attribute__((unused)) spare2 = 4;
int * __attribute__((aligned(16))) cursor;
int first __attribute__((aligned(32))) = 1, __attribute__((aligned(64))) second = 2;
wide_t wide;

extern void foo(void) __attribute__((stdcall));
void __attribute__((stdcall)) foo(void) { puts("foo"); }

__attribute__((noinline)) static int twice(int x) { return 2 * x; }
int __attribute__((const)) thrice(int x);
int thrice(int x) { return 3 * x; }

static int classify(int v, int unused __attribute__((unused)), __attribute__((unused)) int spare_arg)
{
    int r = 0;
    switch (v) {
    case 1:
        r += 10;
        __attribute__((fallthrough));
    case 2:
        r += 20;
        break;
    default:
    done: __attribute__((unused));
        r = -1;
    }
    return r;
}

int main(void)
{
    foo();
    printf("sizes: U %zu, header %zu, trailer %zu, color %zu\n", sizeof(U), sizeof(struct header),
           sizeof(struct trailer), sizeof(enum color));
    printf("aligns: aligned_int %zu, wide %zu, cursor %zu, first %zu, second %zu\n", _Alignof(aligned_int),
           _Alignof(wide_t), _Alignof(cursor), _Alignof(first), _Alignof(second));
    printf("fields: b at %zu, c at %zu, size %zu\n", offsetof(struct fields, b), offsetof(struct fields, c),
           sizeof(struct fields));
    printf("spare %d, twice %d, thrice %d\n", spare + spare2, twice(4), thrice(5));
    printf("classify: %d %d %d, blue %d\n", classify(1, 0, 0), classify(2, 0, 0), classify(3, 0, 0), BLUE);
    return first + second + (int)sizeof wide - 35;
}
