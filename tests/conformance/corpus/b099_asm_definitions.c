/* Functions and data written in top-level assembly (x86-64), the way a
   program keeps a hand-written routine next to its C: a global function with
   its type and size, a local label the C of the same file calls, and a table
   in .rodata that C declares `extern`. */
#include <stdint.h>
#include <stdio.h>

extern uint64_t add3(uint64_t a, uint64_t b, uint64_t c);
extern int seven(void);
extern const char greeting[];

__asm__(".text\n"
        ".globl add3\n"
        ".type add3, @function\n"
        "add3:\n"
        "  lea (%rdi,%rsi), %rax\n"
        "  add %rdx, %rax\n"
        "  ret\n"
        ".size add3, .-add3\n");

__asm__("seven: movl $7, %eax\n"
        "  ret");

__asm__(".section .rodata\n"
        "greeting: .asciz \"hello from assembly\"\n"
        "squares: .long 0, 1, 4, 9, 16\n"
        ".text");

extern const int squares[5];

static int sum_squares(void)
{
    int sum = 0;
    for (int i = 0; i < 5; i++)
        sum += squares[i];
    return sum;
}

int main(void)
{
    printf("%s\n", greeting);
    printf("add3 = %llu\n", (unsigned long long)add3(1, 20, 300));
    printf("seven = %d, squares = %d\n", seven(), sum_squares());
    return add3(seven(), 1, 2) == 10 ? 0 : 1;
}
