/* Top-level __asm__ statements defining functions, plus basic inline asm. */
#include <stdio.h>
#include <stdint.h>

__asm__(
    ".pushsection .text\n"
    ".globl answer\n"
    ".type answer, @function\n"
    "answer:\n"
    "    movl $42, %eax\n"
    "    ret\n"
    ".size answer, .-answer\n"
    ".popsection\n");

__asm__(
    ".pushsection .text\n"
    ".globl add_two\n"
    ".type add_two, @function\n"
    "add_two:\n"
    "    leal (%rdi,%rsi), %eax\n"
    "    ret\n"
    ".size add_two, .-add_two\n"
    ".popsection\n");

int answer(void);
int add_two(int a, int b);

static inline uint32_t swap32(uint32_t v)
{
    __asm__("bswap %0" : "+r"(v));
    return v;
}

static int asm_add(int a, int b)
{
    int r = a;
    __asm__("addl %1, %0" : "+r"(r) : "r"(b) : "cc");
    return r;
}

int main(void)
{
    int i, total = 0;

    printf("answer() = %d\n", answer());
    printf("add_two(40, 2) = %d\n", add_two(40, 2));
    printf("add_two(-5, 3) = %d\n", add_two(-5, 3));
    printf("swap32(0x11223344) = 0x%08x\n", (unsigned)swap32(0x11223344u));
    printf("asm_add(100, 23) = %d\n", asm_add(100, 23));
    for (i = 0; i < 4; i++)
        total = add_two(total, answer());
    printf("4 * answer() = %d\n", total);
    return 0;
}
