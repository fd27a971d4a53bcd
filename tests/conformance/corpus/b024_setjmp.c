/* <setjmp.h>: non-local exits for error recovery from deep recursion. */
#include <setjmp.h>
#include <stdio.h>

#define ERR_NEGATIVE 1
#define ERR_TOO_DEEP 2

static jmp_buf recover;
static int depth_reached;

static long factorial(int n, int depth)
{
    depth_reached = depth;
    if (n < 0)
        longjmp(recover, ERR_NEGATIVE);
    if (depth > 20)
        longjmp(recover, ERR_TOO_DEEP);
    return n <= 1 ? 1 : n * factorial(n - 1, depth + 1);
}

static void run(int n)
{
    int code = setjmp(recover);

    if (code == 0) {
        long r = factorial(n, 1);
        printf("factorial(%d) = %ld\n", n, r);
    } else if (code == ERR_NEGATIVE) {
        printf("factorial(%d): negative argument (depth %d)\n", n, depth_reached);
    } else {
        printf("factorial(%d): recursion too deep (depth %d)\n", n, depth_reached);
    }
}

static jmp_buf loop_env;

int main(void)
{
    volatile int attempts = 0;
    int rv;

    run(5);
    run(-3);
    run(30);
    run(10);

    rv = setjmp(loop_env);
    attempts++;
    printf("setjmp returned %d, attempt %d\n", rv, attempts);
    if (attempts < 3)
        longjmp(loop_env, 0);   /* 0 is delivered as 1 */
    printf("done after %d attempts\n", attempts);
    return 0;
}
