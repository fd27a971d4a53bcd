/* Workers started by constructors and collected by main: a child forked
 * before main that main releases and waits for, and one that signals its
 * parent and ends while the signals are blocked, so that main finds both
 * signals pending.  In a notebook each constructor runs in a cell of its
 * own: main waits for children of earlier cells and gets their signals. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t ended, ready;
static sigset_t saved_mask;
static int gate[2];
static pid_t worker, notifier;

static void on_child(int sig)
{
    (void)sig;
    ended++;
}

static void on_ready(int sig)
{
    (void)sig;
    ready++;
}

/* Handlers in place, their signals held until main is ready for them. */
__attribute__((constructor(101))) static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_child;
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = on_ready;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t held;
    sigemptyset(&held);
    sigaddset(&held, SIGCHLD);
    sigaddset(&held, SIGUSR1);
    sigprocmask(SIG_BLOCK, &held, &saved_mask);
}

/* Waits for its orders on a pipe, and exits with them. */
__attribute__((constructor(102))) static void start_worker(void)
{
    if (pipe(gate) != 0)
        return;
    worker = fork();
    if (worker == 0) {
        char code = 99;
        close(gate[1]);
        if (read(gate[0], &code, 1) != 1)
            code = 98;
        _exit(code);
    }
    close(gate[0]);
}

/* Tells its parent it is up, and is done. */
__attribute__((constructor(103))) static void start_notifier(void)
{
    notifier = fork();
    if (notifier == 0) {
        kill(getppid(), SIGUSR1);
        _exit(5);
    }
}

static const char *how(pid_t got, pid_t want)
{
    return got == want ? "waited" : strerror(errno);
}

int main(void)
{
    int st = -1;
    pid_t got = waitpid(notifier, &st, 0);
    printf("notifier: %s, exit %d\n", how(got, notifier), WEXITSTATUS(st));
    sigset_t waiting;
    sigpending(&waiting);
    printf("pending: SIGUSR1 %d, SIGCHLD %d\n", sigismember(&waiting, SIGUSR1), sigismember(&waiting, SIGCHLD));
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    printf("handled: SIGUSR1 %d, SIGCHLD %d\n", (int)ready, (int)ended);
    printf("worker still running: %s\n", waitpid(worker, &st, WNOHANG) == 0 ? "yes" : "no");
    char code = 42;
    if (write(gate[1], &code, 1) != 1)
        return 1;
    close(gate[1]);
    got = waitpid(worker, &st, 0);
    printf("worker: %s, exit %d\n", how(got, worker), WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    printf("SIGCHLD handled: %d\n", (int)ended);
    printf("more children: %s\n", wait(NULL) < 0 && errno == ECHILD ? "none" : "some");
    return 0;
}
