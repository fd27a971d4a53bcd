/* <stdnoreturn.h>: noreturn functions; this program deliberately exits with status 3. */
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>

#define EXIT_CONFIG_ERROR 3

static int steps;

static void on_exit_report(void)
{
    printf("exit handler: %d steps completed\n", steps);
}

noreturn static void fatal(const char *msg, int status)
{
    printf("fatal: %s (status %d)\n", msg, status);
    fflush(stdout);
    exit(status);
}

_Noreturn static void finish(int value)
{
    if (value > 100)
        fatal("value too large", EXIT_CONFIG_ERROR);
    exit(EXIT_SUCCESS);
}

static int validate(int v)
{
    steps++;
    printf("validate(%d)\n", v);
    if (v < 0)
        fatal("negative value", 2);
    return v * 2;
}

int main(void)
{
    int v = 7;

    atexit(on_exit_report);
    v = validate(v);
    v = validate(v * 4);
    v = validate(v);
    printf("value is now %d\n", v);
    finish(v);
}
