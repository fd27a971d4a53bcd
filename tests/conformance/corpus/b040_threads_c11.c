/* <threads.h>: C11 threads with thrd_create/thrd_join, mtx_t and call_once. */
#include <stdio.h>
#include <threads.h>

#define NTHREADS 4
#define RANGE 1000

struct task {
    int index;
    long partial;
};

static mtx_t total_lock;
static long total;
static once_flag init_once = ONCE_FLAG_INIT;
static int init_calls;

static void init_shared(void)
{
    init_calls++;
    mtx_init(&total_lock, mtx_plain);
}

static int worker(void *arg)
{
    struct task *t = arg;
    long i, sum = 0;

    call_once(&init_once, init_shared);
    for (i = (long)t->index * RANGE + 1; i <= (long)(t->index + 1) * RANGE; i++)
        sum += i;
    t->partial = sum;
    mtx_lock(&total_lock);
    total += sum;
    mtx_unlock(&total_lock);
    return t->index + 10;
}

int main(void)
{
    thrd_t threads[NTHREADS];
    struct task tasks[NTHREADS];
    int i, res;

    call_once(&init_once, init_shared);
    for (i = 0; i < NTHREADS; i++) {
        tasks[i].index = i;
        tasks[i].partial = 0;
        if (thrd_create(&threads[i], worker, &tasks[i]) != thrd_success) {
            printf("thrd_create failed\n");
            return 1;
        }
    }
    for (i = 0; i < NTHREADS; i++) {
        thrd_join(threads[i], &res);
        printf("thread %d returned %d, partial sum %ld\n", i, res, tasks[i].partial);
    }
    printf("total = %ld (expected %ld)\n", total, (long)NTHREADS * RANGE * (NTHREADS * RANGE + 1) / 2);
    printf("init_shared ran %d time(s)\n", init_calls);
    mtx_destroy(&total_lock);
    return 0;
}
