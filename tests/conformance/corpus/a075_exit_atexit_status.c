/* exit(2) from deep inside a call chain still runs atexit handlers and destructors. */
#include <stdio.h>
#include <stdlib.h>

#define MAX_CLEANUPS 4

static const char *cleanup_names[MAX_CLEANUPS];
static int n_cleanups;

static void run_cleanups(void)
{
    while (n_cleanups > 0)
        printf("cleanup: %s\n", cleanup_names[--n_cleanups]);
}

static void push_cleanup(const char *name)
{
    if (n_cleanups < MAX_CLEANUPS)
        cleanup_names[n_cleanups++] = name;
    printf("push_cleanup(%s)\n", name);
}

__attribute__((destructor)) static void goodbye(void)
{
    printf("destructor: goodbye (cleanups left %d)\n", n_cleanups);
}

static int validate(int value)
{
    if (value < 0) {
        printf("validate(%d): invalid, calling exit(2)\n", value);
        exit(2);
    }
    return value * 10;
}

static int process(const int *v, int n)
{
    int total = 0;
    push_cleanup("process buffers");
    for (int i = 0; i < n; i++) {
        total += validate(v[i]);
        printf("processed %d, total %d\n", v[i], total);
    }
    return total;
}

int main(void)
{
    static const int data[] = { 3, 1, 4, -1, 5 };
    atexit(run_cleanups);
    push_cleanup("open files");
    printf("result = %d\n", process(data, 5));
    return 0;
}
