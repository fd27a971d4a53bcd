/* <signal.h>: installing handlers and delivering signals with raise(). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t usr1_count;
static volatile sig_atomic_t last_signal;

static void on_usr1(int sig)
{
    usr1_count++;
    last_signal = sig;
}

static void on_usr2(int sig)
{
    last_signal = sig;
}

static const char *name_of(int sig)
{
    if (sig == SIGUSR1)
        return "SIGUSR1";
    if (sig == SIGUSR2)
        return "SIGUSR2";
    return "none";
}

int main(void)
{
    void (*prev)(int);
    int i;

    prev = signal(SIGUSR1, on_usr1);
    printf("previous SIGUSR1 handler was SIG_DFL: %d\n", prev == SIG_DFL);
    printf("count before raise: %d\n", (int)usr1_count);
    if (raise(SIGUSR1) == 0)
        printf("raise(SIGUSR1) ok, count = %d, last = %s\n", (int)usr1_count, name_of(last_signal));
    for (i = 0; i < 3; i++)
        raise(SIGUSR1);
    printf("after 3 more raises, count = %d\n", (int)usr1_count);

    signal(SIGUSR2, SIG_IGN);
    last_signal = 0;
    raise(SIGUSR2);
    printf("ignored SIGUSR2, last = %s\n", name_of(last_signal));

    prev = signal(SIGUSR2, on_usr2);
    printf("previous SIGUSR2 handler was SIG_IGN: %d\n", prev == SIG_IGN);
    raise(SIGUSR2);
    printf("handled SIGUSR2, last = %s\n", name_of(last_signal));

    prev = signal(SIGUSR1, SIG_DFL);
    printf("restored SIGUSR1 default, old handler was on_usr1: %d\n", prev == on_usr1);
    return 0;
}
