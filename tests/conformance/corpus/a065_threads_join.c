/* pthreads: workers compute partial sums; results printed after join. */
#include <stdio.h>
#include <pthread.h>

#define NTHREADS 4
#define N 10000

struct work {
    int id;
    long from, to;
    long long sum;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long long grand_total;
static int finished;

static void *worker(void *arg)
{
    struct work *w = arg;
    long long s = 0;
    for (long i = w->from; i < w->to; i++)
        s += i * i % 7;
    w->sum = s;
    pthread_mutex_lock(&lock);
    grand_total += s;
    finished++;
    pthread_mutex_unlock(&lock);
    return w;
}

int main(void)
{
    pthread_t tid[NTHREADS];
    struct work jobs[NTHREADS];
    long chunk = N / NTHREADS;

    for (int i = 0; i < NTHREADS; i++) {
        jobs[i] = (struct work){ i, i * chunk, (i + 1) * chunk, 0 };
        if (pthread_create(&tid[i], NULL, worker, &jobs[i]) != 0)
            return 1;
    }
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        pthread_join(tid[i], &ret);
        struct work *w = ret;
        printf("thread %d: [%ld, %ld) sum = %lld\n", w->id, w->from, w->to, w->sum);
    }
    long long check = 0;
    for (long i = 0; i < N; i++)
        check += i * i % 7;
    printf("finished = %d\n", finished);
    printf("grand_total = %lld\n", grand_total);
    printf("sequential = %lld, match = %d\n", check, check == grand_total);
    return 0;
}
