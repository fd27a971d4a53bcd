/* A watchdog alarm with a handler, pause() until it rings, a "no zombies"
 * SIGCHLD policy for workers, and a blocked signal kept pending. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t rang;

static void on_alarm(int sig)
{
    (void)sig;
    rang++;
}

static int start_workers(int n)
{
    int started = 0;
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        if (p > 0)
            started++;
    }
    return started;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 200000}};
    setitimer(ITIMER_REAL, &it, NULL);
    while (!rang)
        pause();
    printf("alarm rang %d time(s)\n", (int)rang);

    signal(SIGCHLD, SIG_IGN); /* children are reaped by the system */
    printf("workers started: %d\n", start_workers(3));
    usleep(100000);
    printf("wait after SIG_IGN: %s\n", wait(NULL) < 0 ? "no children" : "a child");

    sigset_t usr1, pending;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    raise(SIGUSR1);
    sigpending(&pending);
    printf("SIGUSR1 pending: %d\n", sigismember(&pending, SIGUSR1));
    signal(SIGUSR1, SIG_IGN); /* discards it */
    sigpending(&pending);
    printf("SIGUSR1 pending after SIG_IGN: %d\n", sigismember(&pending, SIGUSR1));
    return 0;
}
