/* GNU labels as values: &&label, goto *ptr, a threaded bytecode interpreter. */
#include <stdio.h>

enum opcode { OP_PUSH, OP_ADD, OP_MUL, OP_DUP, OP_PRINT, OP_JNZ, OP_DEC, OP_HALT };

static const int program[] = {
    OP_PUSH, 3, OP_PUSH, 4, OP_ADD, OP_DUP, OP_MUL, OP_PRINT,  /* (3+4)^2 */
    OP_PUSH, 3,                                                 /* counter */
    OP_DUP, OP_PRINT, OP_DEC, OP_DUP, OP_JNZ, 10,              /* loop: print 3,2,1 */
    OP_HALT
};

static int run(const int *code)
{
    static void *const dispatch[] = {
        &&do_push, &&do_add, &&do_mul, &&do_dup, &&do_print, &&do_jnz, &&do_dec, &&do_halt
    };
    int stack[16], sp = 0, pc = 0, steps = 0;

#define NEXT do { steps++; goto *dispatch[code[pc++]]; } while (0)
    NEXT;
do_push:  stack[sp++] = code[pc++]; NEXT;
do_add:   sp--; stack[sp - 1] += stack[sp]; NEXT;
do_mul:   sp--; stack[sp - 1] *= stack[sp]; NEXT;
do_dup:   stack[sp] = stack[sp - 1]; sp++; NEXT;
do_print: printf("vm print: %d\n", stack[--sp]); NEXT;
do_dec:   stack[sp - 1]--; NEXT;
do_jnz:   if (stack[--sp] != 0) pc = code[pc]; else pc++; NEXT;
do_halt:
#undef NEXT
    return steps;
}

static const char *parity_name(int v)
{
    void *target = (v % 2 == 0) ? &&even : &&odd;
    goto *target;
even:
    return "even";
odd:
    return "odd";
}

static int label_offsets(int which)
{
    static const int offsets[] = { &&first - &&first, &&second - &&first };
    goto *(&&first + offsets[which]);
first:
    return 100;
second:
    return 200;
}

int main(void)
{
    printf("steps executed: %d\n", run(program));
    printf("7 is %s, 10 is %s\n", parity_name(7), parity_name(10));
    printf("label_offsets(0) = %d, label_offsets(1) = %d\n", label_offsets(0), label_offsets(1));
    return 0;
}
