/* <pthread.h>: mutex-protected counter shared by 4 joined threads. */
#include <pthread.h>
#include <stdio.h>

#define NUM_THREADS 4
#define ITERATIONS 10000

typedef struct {
    int id;
    int local_count;
    long squares;
} worker_arg;

static pthread_mutex_t counter_mutex = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;

static void once_init(void)
{
    once_runs++;
}

static void *worker(void *p)
{
    worker_arg *arg = p;
    int i;

    pthread_once(&once, once_init);
    for (i = 0; i < ITERATIONS; i++) {
        pthread_mutex_lock(&counter_mutex);
        counter++;
        pthread_mutex_unlock(&counter_mutex);
        arg->local_count++;
    }
    arg->squares = (long)arg->id * arg->id;
    return p;
}

int main(void)
{
    pthread_t tids[NUM_THREADS];
    worker_arg args[NUM_THREADS];
    void *ret;
    int i, rc;

    for (i = 0; i < NUM_THREADS; i++) {
        args[i].id = i + 1;
        args[i].local_count = 0;
        args[i].squares = 0;
        rc = pthread_create(&tids[i], NULL, worker, &args[i]);
        if (rc != 0) {
            printf("pthread_create failed: %d\n", rc);
            return 1;
        }
    }
    for (i = 0; i < NUM_THREADS; i++) {
        pthread_join(tids[i], &ret);
        printf("joined worker %d: returned own arg = %d, local = %d, square = %ld\n",
               args[i].id, ret == &args[i], args[i].local_count, args[i].squares);
    }
    printf("counter = %ld (expected %d)\n", counter, NUM_THREADS * ITERATIONS);
    printf("once_init ran %d time(s)\n", once_runs);
    pthread_mutex_destroy(&counter_mutex);
    return 0;
}
