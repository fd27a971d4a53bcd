/* _Noreturn functions that leave via longjmp. */
#include <stdio.h>
#include <setjmp.h>
#include <stdnoreturn.h>

static jmp_buf escape;
static int failures;

_Noreturn static void bail(int code)
{
    failures++;
    printf("bail(%d) from %s\n", code, __func__);
    longjmp(escape, code);
}

noreturn void give_up(void);

void give_up(void)
{
    bail(99);
}

static int checked_div(int a, int b)
{
    if (b == 0)
        bail(1);
    return a / b;
}

static int attempt(int a, int b)
{
    int rc = setjmp(escape);
    if (rc != 0) {
        printf("recovered with code %d\n", rc);
        return -rc;
    }
    return checked_div(a, b);
}

int main(void)
{
    printf("attempt(10, 2) = %d\n", attempt(10, 2));
    printf("attempt(10, 0) = %d\n", attempt(10, 0));
    if (setjmp(escape) == 0)
        give_up();
    printf("after give_up, failures = %d\n", failures);
    return 0;
}
