/* GNU and C2x declaration forms of system and embedded code: __extension__
   before declarations, __auto_type globals, [[...]] attributes before and
   after a name, __attribute__ right after `struct` and after `*`, a packed
   register layout with unnamed bit-fields, and thread-local tables. */
#include <stdio.h>
#include <pthread.h>

__extension__ typedef unsigned long long u64;
__extension__ static const u64 big_mask = 0xFFFFull << 48, *mask_ptr = &big_mask;

__auto_type version = 3;
__auto_type banner = "regs";

[[gnu::aligned(64), maybe_unused]] static unsigned char dma_buffer[128];
static int spare [[gnu::unused]] = 7, other_spare;

struct __attribute__((packed)) status_reg {
    unsigned ready : 1;
    unsigned error : 3;
    int : 0;            /* the next field starts a new unit */
    unsigned count : 8;
    unsigned : 4;       /* reserved bits */
    unsigned mode : 2;
};

static const struct status_reg *__attribute__((unused)) last_status = 0;
static struct status_reg device = { .ready = 1, .error = 5, .count = 200, .mode = 2 };

_Thread_local int per_thread_hits[] = { 1, 2, 3 };
_Thread_local const struct tls_info { int id; } tls_default = { 42 }, tls_other = { 7 };

__extension__ static u64 shifted(u64 v) { return v >> 48; }

[[gnu::noinline]] static int sum_hits(void)
{
    int s = 0;
    for (unsigned i = 0; i < sizeof per_thread_hits / sizeof *per_thread_hits; i++)
        s += per_thread_hits[i];
    return s;
}

static void *worker(void *arg)
{
    (void)arg;
    per_thread_hits[0] = 100;   /* this thread's copy only */
    return (void *)(long)sum_hits();
}

int main(void)
{
    printf("%s v%d, mask %llx\n", banner, version, (unsigned long long)shifted(*mask_ptr));
    printf("buffer aligned to 64: %d, spares %d %d\n", (int)(((unsigned long)dma_buffer) % 64 == 0), spare, other_spare);
    printf("status: %zu bytes, ready %u error %u count %u mode %u\n", sizeof(struct status_reg), device.ready,
           device.error, device.count, device.mode);
    printf("last status %s\n", last_status ? "set" : "none");
    pthread_t t;
    void *seen;
    pthread_create(&t, 0, worker, 0);
    pthread_join(t, &seen);
    printf("hits here %d, in the thread %ld, %zu entries\n", sum_hits(), (long)seen, sizeof per_thread_hits / sizeof(int));
    printf("tls %d %d\n", tls_default.id, tls_other.id);
    return 0;
}
