/* _Thread_local and __thread: one copy per thread, at file scope, static in
   a function, extern, through pointers; the main thread's copy survives. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

_Thread_local int counter = 10;
__thread char name[16] = "main";
static _Thread_local long total;
_Thread_local struct { int calls; double sum; } stats;
extern _Thread_local int counter;

int *counter_address(void)
{
    return &counter;
}

static int next_ticket(void)
{
    static _Thread_local int ticket = 100;
    return ticket++;
}

static void record(double x)
{
    stats.calls++;
    stats.sum += x;
    total += (long)x;
}

static void *worker(void *arg)
{
    int id = *(int *)arg;
    snprintf(name, sizeof name, "worker%d", id);
    for (int i = 0; i < 5 + id; i++) {
        counter += id;
        record(i * 1.5);
    }
    int first = next_ticket();
    int second = next_ticket();
    static char lines[4][96];
    snprintf(lines[id], sizeof lines[id], "%s counter=%d own=%d tickets=%d,%d calls=%d sum=%.1f total=%ld",
             name, counter, counter_address() == &counter, first, second, stats.calls, stats.sum, total);
    return lines[id];
}

int main(void)
{
    pthread_t threads[4];
    int ids[4] = {0, 1, 2, 3};
    counter = 42;
    record(7.0);
    next_ticket();
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, worker, &ids[i]);
    for (int i = 0; i < 4; i++) {
        void *line;
        pthread_join(threads[i], &line);
        puts(line);
    }
    printf("%s counter=%d ticket=%d calls=%d sum=%.1f total=%ld same=%d\n", name, counter, next_ticket(),
           stats.calls, stats.sum, total, *counter_address() == 42);
    int *mine = counter_address();
    *mine = 7;
    printf("through pointer: %d %zu\n", counter, strlen(name));
    return 0;
}
