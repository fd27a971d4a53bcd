#include <stdio.h>
#include <setjmp.h>
#include <string.h>

/* A minimal TRY/CATCH built on a stack of jmp_buf pointers. */
static jmp_buf *handler_top;

#define TRY do { jmp_buf here, *saved = handler_top; handler_top = &here; \
                 int code_ = setjmp(here); if (code_ == 0) {
#define CATCH(var) handler_top = saved; } else { int var = code_; handler_top = saved;
#define END_TRY } } while (0)

static void throw_code(int code)
{
    printf("throw %d\n", code);
    longjmp(*handler_top, code);
}

static int depth_fn(int n, int do_throw)
{
    if (n == 0) {
        if (do_throw)
            throw_code(5);
        return 0;
    }
    return depth_fn(n - 1, do_throw) + 1;
}

static void inner(void)
{
    TRY {
        throw_code(1);
    } CATCH(e) {
        printf("inner caught %d, rethrowing %d\n", e, e + 10);
        throw_code(e + 10);
    } END_TRY;
}

int main(void)
{
    volatile int attempts = 0;

    TRY {
        attempts++;
        inner();
        printf("not reached\n");
    } CATCH(e) {
        printf("outer caught %d after %d attempt(s)\n", e, attempts);
    } END_TRY;

    TRY {
        printf("depth_fn(3, 0) = %d\n", depth_fn(3, 0));
        printf("depth_fn(3, 1) = %d\n", depth_fn(3, 1));
    } CATCH(e) {
        printf("caught %d from deep recursion\n", e);
    } END_TRY;

    TRY {
        attempts++;
        printf("no exception here\n");
    } CATCH(e) {
        printf("unexpected %d\n", e);
    } END_TRY;
    printf("attempts = %d, handler_top reset: %d\n", attempts, handler_top == NULL);
    return 0;
}
