/* cellc executor: the process that holds a notebook's C program.
 *
 * The kernel (Python) starts this program with two pipes whose numbers are
 * argv[1] (commands to us) and argv[2] (events back).  fd 1/2 are the notebook's
 * stdout/stderr pipes; fd 0 is /dev/null (stdin is served by the kernel
 * through `input` events, see below).  The protocol is line based; its
 * one description, the table of commands and events included, is the
 * docs/protocol.md; cellc_kernel/executor.py defines its limits
 * (CELLC_COMMAND_LINE, CELLC_PACKET) when it builds this file.
 *
 * Transactions by fork: the process that runs cells is the *live* process.
 * After a cell succeeds the live process forks; the parent keeps the
 * post-cell state as a *snapshot* and waits, the child is the new live
 * process.  When a cell crashes, exits or is interrupted, the live process
 * dies and its parent snapshot forks a fresh live process from the state
 * before that cell.  The first process (root) is the pristine snapshot and
 * the child subreaper that reaps orphans.  Cells are never dlclose'd.
 *
 * A snapshot is inert: it keeps the program's signal state (dispositions,
 * mask, pending blocked signals, itimers) aside and waits with its own, and
 * each live process it forks restores that state (see make_inert).
 *
 * The children a cell forks are then a snapshot's: see "children of earlier
 * cells" for how the program still waits for them and gets their SIGCHLD.
 *
 * When the live process has threads, fork would lose them, so cells run in
 * place: faults and interrupts jump back with siglongjmp and the state is
 * not rolled back (the `done`/`fault` events say so).
 *
 * A careless or hostile cell must not break the tree: the live process is a
 * process group of its own (`kill(0, sig)` reaches only it and its children),
 * the two channel descriptors sit high and close-on-exec, and processes the
 * cell forks do not inherit them.  Every event is one packet of an O_DIRECT
 * pipe that starts with the key the kernel sent first: the kernel drops what
 * the program writes there by accident.  A cell that closes or replaces the
 * channel ends its live process (`died PID lost`) and is rolled back.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <ucontext.h>
#include <unistd.h>

#if !defined(CELLC_COMMAND_LINE) || !defined(CELLC_PACKET)
#error "executor.py builds this file: it defines the protocol's limits"
#endif
#if !__GLIBC_PREREQ(2, 35)
#error "cellc needs glibc 2.35 or newer (_dl_find_object, _Fork: see fault_handler)"
#endif
_Static_assert(CELLC_PACKET <= PIPE_BUF, "an event packet is one atomic pipe write");

static int CMD_FD = 3, EVT_FD = 4;
static struct stat cmd_id, evt_id; /* what the channel descriptors must still be */
static char key[40];               /* starts every event: "KEY " */
static size_t key_len;
static int our_fork;               /* set around the forks of the tree itself */
static int generation; /* the live process's cell in progress: what its children are recorded by (lineage) */
#define EXPORT __attribute__((visibility("default"), used))

/* A child of the program that a process of the tree reaped (see "children
 * of earlier cells"): its wait status, for the live process's wait*(). */
#define REAPED_SLOTS 1024
#define LINEAGE_SLOTS 4096
enum { REAPED_WAITING = 1, REAPED_SIGNALLING = 2, REAPED_DONE = 3 };
struct reaped_child {
    pid_t pid;
    int status;
    int state;      /* WAITING for the live process, SIGNALLING it, DONE */
    int unseen;     /* it ended while the program ignored SIGCHLD: no wait*() reports it */
    unsigned order; /* the newest record of a pid wins */
};

/* State shared by every process of the tree (root, snapshots, live). */
struct shared {
    volatile pid_t live_pid;    /* the process that currently reads commands */
    volatile pid_t undo_target; /* snapshot killed by `undo`: its parent resumes */
    volatile pid_t root_pid;    /* the first process: pristine snapshot, reaper, process group */
    volatile pid_t lost_pid;    /* a live process that lost its channel to the kernel */
    volatile pid_t limit_pid;   /* a live process ended for having too many processes */
    volatile pid_t signal_target; /* the live process once its signal state is the program's; 0 meanwhile */
    volatile pid_t replayed_pid;  /* the live process that has handled the signals left pending */
    volatile pid_t resume_pid;    /* the snapshot woken to resume (SNAPSHOT_WAKE) */
    volatile int death_signal;    /* what ended the live process the snapshot resumes after, 0: none */
    volatile int death_replayed;  /* whether that live process had handled the signals left pending */
    struct itimerval newest_timers[3]; /* the newest snapshot's timers (timer_went_off) */
    int generations;              /* the last generation given (live_generation) */
    volatile int live_generation; /* the live process's cell in progress since its last snapshot */
    unsigned reaped_seq;          /* futex word: bumped with every change of `reaped` */
    unsigned reaped_count;
    struct reaped_child reaped[REAPED_SLOTS];
    int lineage_len;              /* the snapshots the program's state went through, oldest first */
    struct {
        pid_t pid;
        int generation; /* the cells it ended (the live process's `generation` then) */
    } lineage[LINEAGE_SLOTS];
};
static struct shared *shared;
static pid_t *proc_table;  /* their pids: CELLC_MAX_PROCESSES slots, shared by the tree */
static pid_t *proc_forker; /* for each slot, the generation that started it */
static int max_procs;
static unsigned long memory_limit; /* RLIMIT_AS of the live process, 0: none */

/* The tree's own signals: not through the program's kill() (see below). */
static int tree_kill(pid_t pid, int sig)
{
    return (int)syscall(SYS_kill, pid, sig);
}

static int in_cell;             /* a cell (or stdin read) is running */
static int in_place;            /* threads exist: no fork snapshots */
static pthread_t cell_thread;   /* the thread that runs cells (the live process's main thread) */

/* Faults, interrupts and stdin belong to the cell: only its own thread may
 * jump back out of it or read the kernel's channel. */
static int on_cell_thread(void)
{
    return pthread_equal(pthread_self(), cell_thread);
}
static sigjmp_buf cell_jmp;     /* in-place recovery point */
static volatile sig_atomic_t jmp_valid;

/* ---------- the heap: every block the program allocates ---------- */

/* The executable comes first in the global scope, so the program's calls to
 * malloc and its family resolve to the wrappers below, and so do libc's own
 * (strdup, getline, fopen... call malloc through its interposable symbol)
 * and the loader's.  Each wrapper forwards to the next definition, the one
 * the program would have called: glibc's, or ASan's when `%sanitize address`
 * preloads its runtime (ASan keeps owning the heap and its checks), and
 * records the block in the heap table below (`heap` and `leaks` commands).
 *
 * The next definitions are looked up once, at the first call, with
 * dlsym(RTLD_NEXT, ...), which may itself allocate: while it runs, the
 * wrappers hand out memory from a small static arena (never freed, never
 * given back to the real allocator).  Not glibc's __libc_malloc: under ASan
 * that would take blocks from glibc behind ASan's back.
 *
 * Which blocks are the program's: those allocated by a thread that runs the
 * program's code, once main has started (not the runtime's start-up).  The
 * executor's own work on a thread (serving commands, snapshots) is
 * `heap_quiet`, and its own buffers come from the real allocator directly
 * (own_malloc).  A free is recorded whoever calls it. */
struct allocator {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*reallocarray)(void *, size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    char *(*strdup)(const char *);
    char *(*strndup)(const char *, size_t);
};
static struct allocator next_alloc;
static int alloc_state; /* 0: not looked up, 1: looking up, 2: ready */

#define BOOT_ARENA (1 << 16)
static char boot_arena[BOOT_ARENA] __attribute__((aligned(16)));
static size_t boot_used;

/* Arena memory for the allocations made while the next allocator is looked
 * up: a 16-byte header holds the size (for realloc), the rest is zeroed. */
static void *boot_alloc(size_t n)
{
    size_t need = ((n + 15) & ~(size_t)15) + 16;
    if (n > BOOT_ARENA)
        return NULL;
    size_t at = __atomic_fetch_add(&boot_used, need, __ATOMIC_RELAXED);
    if (at + need > BOOT_ARENA)
        return NULL;
    *(size_t *)(boot_arena + at) = n;
    return boot_arena + at + 16;
}

static int in_boot(const void *p)
{
    return (const char *)p >= boot_arena && (const char *)p < boot_arena + BOOT_ARENA;
}

static int look_up_allocator(void);

/* Whether the next allocator is known (it is looked up now if not). */
static inline __attribute__((always_inline)) int allocator_ready(void)
{
    return __builtin_expect(__atomic_load_n(&alloc_state, __ATOMIC_ACQUIRE) == 2, 1) || look_up_allocator();
}

static int look_up_allocator(void)
{
    int state = __atomic_load_n(&alloc_state, __ATOMIC_ACQUIRE);
    if (state == 2)
        return 1;
    if (state == 1 || !__atomic_compare_exchange_n(&alloc_state, &state, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return 0; /* being looked up (by this very call's dlsym, or another thread): the arena serves */
    struct allocator a;
#define NEXT(name) (a.name = (__typeof__(a.name))dlsym(RTLD_NEXT, #name))
    NEXT(malloc), NEXT(free), NEXT(calloc), NEXT(realloc), NEXT(reallocarray), NEXT(posix_memalign);
    NEXT(aligned_alloc), NEXT(memalign), NEXT(valloc), NEXT(pvalloc), NEXT(strdup), NEXT(strndup);
#undef NEXT
    if (!a.malloc || !a.free || !a.calloc || !a.realloc) {
        static const char msg[] = "cellc: no malloc to forward to\n";
        syscall(SYS_write, 2, msg, sizeof msg - 1);
        syscall(SYS_exit_group, 127);
    }
    next_alloc = a;
    __atomic_store_n(&alloc_state, 2, __ATOMIC_RELEASE);
    return 1;
}

/* The executor's own memory: not the program's, never in the table. */
static void *own_malloc(size_t n)
{
    return allocator_ready() ? next_alloc.malloc(n) : boot_alloc(n);
}

/* Scrubbed first: what a buffer of the executor's held (a copy of the
 * program's memory for `peek`) must not look like the program's pointers
 * to `leaks` once it is garbage in the heap. */
static void own_free(void *p)
{
    if (p && !in_boot(p) && allocator_ready()) {
        memset(p, 0, malloc_usable_size(p));
        next_alloc.free(p);
    }
}

/* The table: open addressing (linear probing, backward-shift deletion) keyed
 * by address, in mmap'd memory of the process, so that a snapshot carries
 * the table of its state and a rollback or %undo takes it back.  Live blocks
 * are all kept; freed ones too, with their size, so that a dangling pointer
 * is recognised, but only the HEAP_FREED_KEEP most recent (a ring of them:
 * the oldest is forgotten), and a freed record becomes live again when its
 * address is handed out anew (its place in the ring is emptied then: a
 * full place is always a freed record to forget, found without a search in
 * the common case of a block freed and handed out again).  A record is 16
 * bytes, 4 to a cache line: the address, then the size, a freed bit and a
 * stamp.  A freed record's stamp is its place in the ring; a live one's is
 * bumped by every change, never 0 (realloc uses it to tell whether the old
 * block was handed out again meanwhile).  No malloc inside; a spin lock,
 * never held while calling anything else. */
struct heap_slot {
    uintptr_t addr; /* 0: empty */
    uint64_t meta;  /* HEAP_SIZE | HEAP_FREED | stamp << HEAP_STAMP */
};
#define HEAP_SIZE ((1ull << 47) - 1) /* more than a process can have */
#define HEAP_FREED_BIT 47
#define HEAP_FREED (1ull << HEAP_FREED_BIT)
#define HEAP_STAMP 48
#define HEAP_FREED_KEEP 65536 /* the ring's places: a stamp */
#define HEAP_MIN_SLOTS 16384
static struct {
    struct heap_slot *slots;
    size_t cap; /* a power of 2 */
    size_t count, live, freed;
    uint64_t counter, frees;
    uintptr_t *ring; /* HEAP_FREED_KEEP places: the freed records' addresses, the oldest overwritten */
} heap;
static int heap_on; /* main has started: blocks from now on are the program's */
/* What this thread's calls do with the table: PROGRAM, record; QUIET (the
 * executor's own work), record frees only; ASIDE (the stdout flusher),
 * nothing, so that it never needs the lock. */
enum { HEAP_PROGRAM, HEAP_QUIET, HEAP_ASIDE };
static __thread int heap_quiet;
static __thread char heap_self; /* its address names the thread that holds the lock */
static uintptr_t heap_owner;    /* the lock: 0, or the holder's &heap_self */
static unsigned *heap_threads;  /* glibc's count of the process's threads (libthread_db's), or NULL */
static int heap_aside_threads;  /* how many of them are ASIDE */

/* Takes the lock; 0 (not taken) when this thread holds it already: a signal
 * handler of the program's that allocates while its thread was updating the
 * table.  That block goes unrecorded; nothing deadlocks.  While this is the
 * only thread that may touch the table (the others are ASIDE), no atomic
 * instruction: it costs more than the rest of the record.  No other thread
 * can appear meanwhile: only this one could start it.  glibc counts a thread
 * before it starts, and stops counting it as it exits, after its last call
 * that may touch the table (what it frees later is the loader's: see free). */
static inline __attribute__((always_inline)) int heap_lock(void)
{
    uintptr_t me = (uintptr_t)&heap_self, seen = __atomic_load_n(&heap_owner, __ATOMIC_RELAXED);
    if (seen == me)
        return 0;
    unsigned aside = (unsigned)__atomic_load_n(&heap_aside_threads, __ATOMIC_RELAXED);
    if (!seen && heap_threads && __atomic_load_n(heap_threads, __ATOMIC_ACQUIRE) <= 1 + aside) {
        __atomic_store_n(&heap_owner, me, __ATOMIC_RELAXED);
        __atomic_signal_fence(__ATOMIC_SEQ_CST); /* a signal handler of this thread sees it taken */
        return 1;
    }
    for (unsigned spins = 0;; spins++) {
        seen = 0;
        if (__atomic_load_n(&heap_owner, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(&heap_owner, &seen, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return 1;
        if (spins < 100) {
#if defined(__x86_64__)
            __builtin_ia32_pause();
#else
            __asm__ volatile("yield");
#endif
        } else {
            sched_yield();
        }
    }
}

static void heap_unlock(void)
{
    __atomic_store_n(&heap_owner, 0, __ATOMIC_RELEASE);
}

/* A cell that jumped out of a fault or an interrupt (in-place mode) may have
 * left the lock taken in the middle of an update. */
static void heap_unlock_if_mine(void)
{
    if (__atomic_load_n(&heap_owner, __ATOMIC_RELAXED) == (uintptr_t)&heap_self)
        heap_unlock();
}

/* fork() keeps the table whole: no thread is in the middle of an update. */
static __thread int heap_fork_locked;
static void heap_before_fork(void)
{
    heap_fork_locked = heap_lock();
}
static void heap_after_fork_parent(void)
{
    if (heap_fork_locked)
        heap_unlock();
}
static void heap_after_fork_child(void)
{
    __atomic_store_n(&heap_owner, 0, __ATOMIC_RELEASE); /* the other threads are gone */
}

/* Where a record's probe starts: blocks near each other in memory are near
 * each other in the table (a program's accesses have locality: so have the
 * table's), the higher bits folded in (blocks 16 * cap bytes apart).  Blocks
 * are 16-byte aligned: the low bits say nothing. */
static size_t heap_home(uintptr_t addr, size_t cap)
{
    uint64_t x = addr >> 4;
    unsigned bits = (unsigned)__builtin_ctzll(cap);
    return (size_t)(x ^ (x >> bits) ^ (x >> 2 * bits)) & (cap - 1);
}

static inline __attribute__((always_inline)) struct heap_slot *heap_find(uintptr_t addr)
{
    if (!heap.slots)
        return NULL;
    for (size_t i = heap_home(addr, heap.cap);; i = (i + 1) & (heap.cap - 1)) {
        if (heap.slots[i].addr == addr)
            return &heap.slots[i];
        if (heap.slots[i].addr == 0)
            return NULL;
    }
}

static void *heap_map(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Room for one more record: the table grows at 5/8 full.  0 if no memory. */
static int heap_room(void)
{
    if (!heap.ring && !(heap.ring = heap_map(HEAP_FREED_KEEP * sizeof *heap.ring)))
        return 0;
    if (heap.slots && (heap.count + 1) * 8 <= heap.cap * 5)
        return 1;
    size_t cap = heap.cap ? heap.cap * 2 : HEAP_MIN_SLOTS;
    struct heap_slot *slots = heap_map(cap * sizeof *slots);
    if (!slots)
        return 0;
    for (size_t i = 0; i < heap.cap; i++) {
        if (!heap.slots[i].addr)
            continue;
        size_t j = heap_home(heap.slots[i].addr, cap);
        while (slots[j].addr)
            j = (j + 1) & (cap - 1);
        slots[j] = heap.slots[i];
    }
    if (heap.slots)
        munmap(heap.slots, heap.cap * sizeof *heap.slots);
    heap.slots = slots;
    heap.cap = cap;
    return 1;
}

static void heap_delete(struct heap_slot *slot)
{
    size_t mask = heap.cap - 1, i = (size_t)(slot - heap.slots);
    for (size_t j = (i + 1) & mask; heap.slots[j].addr; j = (j + 1) & mask) {
        size_t k = heap_home(heap.slots[j].addr, heap.cap);
        /* the entry at j stays if its home lies cyclically in (i, j] */
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        heap.slots[i] = heap.slots[j];
        i = j;
    }
    heap.slots[i].addr = 0;
    heap.count--;
}

/* `addr` is a live block of `size` bytes (a freed record there is live again). */
static void heap_put(uintptr_t addr, uint64_t size)
{
    struct heap_slot *slot = heap_find(addr);
    if (!slot) {
        if (!heap_room())
            return;
        size_t i = heap_home(addr, heap.cap);
        while (heap.slots[i].addr)
            i = (i + 1) & (heap.cap - 1);
        slot = &heap.slots[i];
        slot->addr = addr;
        heap.count++;
        heap.live++;
    } else if (slot->meta & HEAP_FREED) {
        uintptr_t *place = &heap.ring[slot->meta >> HEAP_STAMP];
        if (*place == addr)
            *place = 0;
        heap.freed--;
        heap.live++;
    }
    slot->meta = (size & HEAP_SIZE) | (uint64_t)(heap.counter++ % 65535 + 1) << HEAP_STAMP;
}

/* The live block `slot` is freed: kept as freed, the oldest freed record
 * past HEAP_FREED_KEEP forgotten. */
static void heap_mark_freed(struct heap_slot *slot)
{
    uint64_t at = heap.frees++ % HEAP_FREED_KEEP;
    uintptr_t addr = slot->addr, *place = &heap.ring[at];
    slot->meta = (slot->meta & HEAP_SIZE) | HEAP_FREED | at << HEAP_STAMP;
    heap.live--;
    heap.freed++;
    if (*place) {
        struct heap_slot *old = heap_find(*place);
        if (old && old != slot && (old->meta & HEAP_FREED) && old->meta >> HEAP_STAMP == at) {
            heap_delete(old); /* may move `slot`: it is not used after */
            heap.freed--;
        }
    }
    *place = addr;
}

/* The dynamic loader's allocations (a cell's link map as it is loaded) are
 * its own, not the program's: `from` is the wrapper's return address. */
static uintptr_t loader_start, loader_end;

#define CALLER __builtin_return_address(0)
static int from_loader(const void *from)
{
    return (uintptr_t)from >= loader_start && (uintptr_t)from < loader_end;
}

static int tracking(const void *from)
{
    return heap_on && heap_quiet == HEAP_PROGRAM && !from_loader(from);
}

/* Whether a free or realloc may concern the table: not the loader's (its
 * blocks are its own: a thread that exits frees its TLS after glibc stopped
 * counting it), not an ASIDE thread's. */
static int may_touch(const void *from)
{
    return heap_quiet != HEAP_ASIDE && !from_loader(from);
}

/* At start-up: where the loader is, and glibc's count of threads. */
static void find_loader(void)
{
    struct dl_find_object o;
    void *base = (void *)getauxval(AT_BASE); /* where the kernel loaded the interpreter */
    if (base && _dl_find_object(base, &o) == 0) {
        loader_start = (uintptr_t)o.dlfo_map_start;
        loader_end = (uintptr_t)o.dlfo_map_end;
    }
    heap_threads = dlvsym(RTLD_DEFAULT, "__nptl_nthreads", "GLIBC_PRIVATE");
}

static void heap_record(void *p, size_t size)
{
    if (p && heap_lock()) {
        heap_put((uintptr_t)p, size);
        heap_unlock();
    }
}

/* The record of a live block at `p` (its meta, never 0), 0 if none: before
 * realloc moves it. */
static uint64_t heap_live_tag(void *p)
{
    uint64_t tag = 0;
    if (p && heap.slots && heap_lock()) {
        struct heap_slot *slot = heap_find((uintptr_t)p);
        tag = slot && !(slot->meta & HEAP_FREED) ? slot->meta : 0;
        heap_unlock();
    }
    return tag;
}

/* free(p): marked before the real free, so that the address is never handed
 * out again while it still looks live here. */
static void heap_forget(void *p)
{
    if (p && heap.slots && heap_lock()) {
        struct heap_slot *slot = heap_find((uintptr_t)p);
        if (slot && !(slot->meta & HEAP_FREED))
            heap_mark_freed(slot);
        heap_unlock();
    }
}

/* After realloc(old, size) returned `p`: `tag` is what old's record was
 * before (0: not a recorded block).  The old block is freed if it moved (or
 * was freed by a realloc to 0 bytes), unless its address was handed out again
 * meanwhile (its tag changed).  `from`: the caller of realloc. */
static void heap_moved(void *old, uint64_t tag, void *p, size_t size, const void *from)
{
    if (!p && size) /* failed: the old block is untouched */
        return;
    if (!tag && !(p && tracking(from)))
        return;
    if (!heap_lock())
        return;
    if (tag && p != old) {
        struct heap_slot *slot = heap_find((uintptr_t)old);
        if (slot && slot->meta == tag)
            heap_mark_freed(slot);
    }
    if (p)
        heap_put((uintptr_t)p, size);
    heap_unlock();
}

EXPORT void *malloc(size_t size)
{
    if (!allocator_ready())
        return boot_alloc(size);
    void *p = next_alloc.malloc(size);
    if (p && tracking(CALLER))
        heap_record(p, size);
    return p;
}

EXPORT void free(void *p)
{
    if (in_boot(p) || !allocator_ready())
        return;
    if (may_touch(CALLER))
        heap_forget(p);
    next_alloc.free(p); /* NULL and bad pointers too: the allocator says what they are */
}

EXPORT void *calloc(size_t n, size_t size)
{
    if (!allocator_ready())
        return n && size > SIZE_MAX / n ? NULL : boot_alloc(n * size); /* the arena is zeroed */
    void *p = next_alloc.calloc(n, size);
    if (p && tracking(CALLER))
        heap_record(p, n * size);
    return p;
}

EXPORT void *realloc(void *old, size_t size)
{
    if (in_boot(old)) {
        size_t had = *(size_t *)((char *)old - 16);
        void *p = malloc(size);
        if (p)
            memcpy(p, old, had < size ? had : size);
        return p;
    }
    if (!allocator_ready())
        return old ? NULL : boot_alloc(size);
    if (!may_touch(CALLER))
        return next_alloc.realloc(old, size);
    uint64_t tag = heap_live_tag(old);
    void *p = next_alloc.realloc(old, size);
    heap_moved(old, tag, p, size, CALLER);
    return p;
}

/* glibc's goes through realloc, ASan's does not: recorded here in both cases. */
EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
    size_t bytes;
    int overflow = __builtin_mul_overflow(n, size, &bytes);
    if (in_boot(old) || !allocator_ready() || !next_alloc.reallocarray) {
        if (!overflow)
            return realloc(old, bytes);
        errno = ENOMEM;
        return NULL;
    }
    if (overflow || !may_touch(CALLER)) /* overflow: the allocator's answer (ASan reports it) */
        return next_alloc.reallocarray(old, n, size);
    uint64_t tag = heap_live_tag(old);
    void *p = next_alloc.reallocarray(old, n, size);
    heap_moved(old, tag, p, bytes, CALLER);
    return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    if (!allocator_ready() || !next_alloc.posix_memalign)
        return ENOMEM;
    int r = next_alloc.posix_memalign(out, align, size);
    if (r == 0 && tracking(CALLER))
        heap_record(*out, size);
    return r;
}

/* aligned_alloc, memalign, valloc, pvalloc: forwarded, recorded with their size. */
#define ALIGNED_WRAPPER(name, params, args, recorded)                                                        \
    EXPORT void *name params                                                                                 \
    {                                                                                                        \
        if (!allocator_ready() || !next_alloc.name) {                                                        \
            errno = ENOMEM;                                                                                  \
            return NULL;                                                                                     \
        }                                                                                                    \
        void *p = next_alloc.name args;                                                                      \
        if (p && tracking(CALLER))                                                                           \
            heap_record(p, recorded);                                                                        \
        return p;                                                                                            \
    }
ALIGNED_WRAPPER(aligned_alloc, (size_t align, size_t size), (align, size), size)
ALIGNED_WRAPPER(memalign, (size_t align, size_t size), (align, size), size)
ALIGNED_WRAPPER(valloc, (size_t size), (size), size)
ALIGNED_WRAPPER(pvalloc, (size_t size), (size),
                size ? (size + (size_t)getpagesize() - 1) & ~((size_t)getpagesize() - 1) : (size_t)getpagesize())
#undef ALIGNED_WRAPPER

/* glibc's strdup and strndup call malloc, ASan's do not: recorded here too. */
EXPORT char *strdup(const char *s)
{
    if (!allocator_ready() || !next_alloc.strdup) {
        size_t n = strlen(s) + 1;
        char *p = malloc(n);
        return p ? memcpy(p, s, n) : NULL;
    }
    char *p = next_alloc.strdup(s);
    if (p && tracking(CALLER))
        heap_record(p, strlen(p) + 1);
    return p;
}

EXPORT char *strndup(const char *s, size_t max)
{
    if (!allocator_ready() || !next_alloc.strndup) {
        size_t n = strnlen(s, max);
        char *p = malloc(n + 1);
        if (p) {
            memcpy(p, s, n);
            p[n] = 0;
        }
        return p;
    }
    char *p = next_alloc.strndup(s, max);
    if (p && tracking(CALLER))
        heap_record(p, strlen(p) + 1);
    return p;
}

/* ---------- raw I/O that user code cannot disturb ---------- */

static ssize_t raw_read(int fd, void *buf, size_t n)
{
    return syscall(SYS_read, fd, buf, n);
}

static void write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = syscall(SYS_write, fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Every event is one packet of at most CELLC_PACKET bytes, written with
 * one write() so that events from different processes of the tree never
 * interleave (pipe writes <= PIPE_BUF are atomic): "KEY KIND ARGS\n" and
 * the payload of the kinds that have one.  An event that does not fit goes
 * as `part` packets, then `long N` (docs/protocol.md): nothing is
 * ever cut.  Multi-part events of the program's threads take turns, and
 * SIGINT waits until one is sent. */
static pthread_mutex_t parts_mu = PTHREAD_MUTEX_INITIALIZER;

static void emit(const char *head, size_t head_len, const void *data, size_t len)
{
    char buf[CELLC_PACKET];
    size_t total = head_len + len;
    if (key_len + total <= sizeof buf) {
        memcpy(buf, key, key_len);
        memcpy(buf + key_len, head, head_len);
        memcpy(buf + key_len + head_len, data, len);
        write_all(EVT_FD, buf, key_len + total);
        return;
    }
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_mutex_lock(&parts_mu);
    for (size_t at = 0; at < total;) {
        size_t room = sizeof buf - key_len - sizeof "part 4096\n";
        size_t k = total - at < room ? total - at : room;
        int h = snprintf(buf, sizeof buf, "%spart %zu\n", key, k);
        for (size_t i = 0; i < k; i++, at++)
            buf[h + i] = at < head_len ? head[at] : ((const char *)data)[at - head_len];
        write_all(EVT_FD, buf, (size_t)h + k);
    }
    int h = snprintf(buf, sizeof buf, "%slong %zu\n", key, total);
    write_all(EVT_FD, buf, (size_t)h);
    pthread_mutex_unlock(&parts_mu);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void event(const char *fmt, ...)
{
    char small[CELLC_PACKET], *text = small;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small - 1, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= sizeof small - 1 && (text = own_malloc((size_t)n + 2)))
        vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    if (n < 0 || !text) {
        text = small;
        n = snprintf(small, sizeof small, "error out of memory for an event");
    }
    text[n++] = '\n';
    emit(text, (size_t)n, "", 0);
    if (text != small)
        own_free(text);
}

/* An event followed by `len` bytes: "HEADER LEN\n" and the bytes. */
static void event_payload(const char *header, const void *data, size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof head, "%s %zu\n", header, len);
    emit(head, (size_t)n, data, len);
}

/* Buffered reader of the command pipe. */
static char cmd_buf[2 * CELLC_COMMAND_LINE];
static size_t cmd_len, cmd_pos;

static int cmd_fill(void)
{
    if (cmd_pos > 0 && cmd_pos < cmd_len)
        memmove(cmd_buf, cmd_buf + cmd_pos, cmd_len - cmd_pos);
    cmd_len -= cmd_pos;
    cmd_pos = 0;
    for (;;) {
        ssize_t r = raw_read(CMD_FD, cmd_buf + cmd_len, sizeof cmd_buf - cmd_len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        cmd_len += (size_t)r;
        return 0;
    }
}

static int same_file(int fd, const struct stat *id)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == id->st_dev && st.st_ino == id->st_ino;
}

static int channel_intact(void)
{
    return same_file(CMD_FD, &cmd_id) && same_file(EVT_FD, &evt_id);
}

/* The channel cannot be read: the cell closed or replaced it (this live
 * process ends, its snapshot reports `died PID lost` and resumes), or the
 * kernel is gone (the tree ends). */
static void channel_broken(void)
{
    if (shared && getpid() == shared->live_pid && !channel_intact()) {
        shared->lost_pid = getpid();
        fflush(stdout);
        fflush(stderr);
        syscall(SYS_exit_group, 0);
    }
    tree_kill(0, SIGKILL);
}

/* The next command line, without its '\n'; NULL when it is longer than
 * CELLC_COMMAND_LINE bytes: it is skipped, and an `error` event says so
 * (the kernel never sends one: nothing is ever cut short). */
static char *read_line(void)
{
    static char line[CELLC_COMMAND_LINE];
    size_t skipped = 0;
    for (;;) {
        char *start = cmd_buf + cmd_pos, *nl = memchr(start, '\n', cmd_len - cmd_pos);
        if (nl) {
            size_t n = (size_t)(nl - start);
            cmd_pos += n + 1;
            if (skipped + n + 1 > CELLC_COMMAND_LINE) {
                event("error a command line of %zu bytes: the protocol's limit is %d", skipped + n + 1,
                      CELLC_COMMAND_LINE);
                return NULL;
            }
            memcpy(line, start, n);
            line[n] = 0;
            return line;
        }
        if (cmd_len - cmd_pos >= CELLC_COMMAND_LINE) { /* too long already: drop it up to its end */
            skipped += cmd_len - cmd_pos;
            cmd_pos = cmd_len;
        }
        if (cmd_fill() < 0)
            channel_broken();
    }
}

static void read_exact(void *dst, size_t n)
{
    char *p = dst;
    while (n > 0) {
        if (cmd_pos == cmd_len && cmd_fill() < 0)
            channel_broken();
        size_t k = cmd_len - cmd_pos < n ? cmd_len - cmd_pos : n;
        memcpy(p, cmd_buf + cmd_pos, k);
        cmd_pos += k;
        p += k;
        n -= k;
    }
}

/* ---------- stdin: served by the kernel on request ---------- */

static char *in_data;
static size_t in_len, in_pos;
static int in_eof;

/* Asks the kernel for one line of input; returns 0 at end of input. */
static int request_input(void)
{
    if (in_eof)
        return 0;
    fflush(stdout);
    fflush(stderr);
    event("input");
    const char *line = read_line();
    if (!line || strncmp(line, "line ", 5) != 0) {
        in_eof = 1;
        return 0;
    }
    size_t n = strtoull(line + 5, NULL, 10);
    own_free(in_data);
    in_data = own_malloc(n ? n : 1);
    read_exact(in_data, n);
    in_len = n;
    in_pos = 0;
    return n > 0;
}

static ssize_t stdin_read(void *cookie, char *buf, size_t size)
{
    (void)cookie;
    if (!in_cell || !on_cell_thread() || getpid() != shared->live_pid) {
        /* Another thread or a child process: reading the kernel's channel
         * would take the commands meant for the cell's thread. */
        static int told;
        if (!told++) {
            static const char note[] = "[cellc: stdin is read by the cell's own thread only; a read from another "
                                       "thread or a child process sees end-of-file]\n";
            write_all(2, note, sizeof note - 1);
        }
        return 0;
    }
    if (in_pos == in_len && !request_input())
        return 0;
    size_t k = in_len - in_pos < size ? in_len - in_pos : size;
    memcpy(buf, in_data + in_pos, k);
    in_pos += k;
    return (ssize_t)k;
}

/* Cells' calls to read() resolve here first (the executable comes first in
 * the global scope), so read(0, ...) is served like stdin. */
EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    if (fd == 0)
        return stdin_read(NULL, buf, n);
    return raw_read(fd, buf, n);
}

/* _exit() skips stdio, yet the notebook should show what the cell printed
 * before it (a terminal would have): cells' calls resolve here first.  Only
 * the live process flushes: a fork()ed child's copy of the buffer is not its
 * output to show. */
EXPORT void _exit(int status)
{
    if (shared && getpid() == shared->live_pid)
        fflush(stdout);
    syscall(SYS_exit_group, status);
    for (;;)
        ;
}

EXPORT void _Exit(int status)
{
    _exit(status);
}

/* ---------- process limit: cells' fork() and wait*() resolve here first ---------- */

/* The program may have max_procs processes at once (RLIMIT_NPROC does not
 * bind root).  Each process the program starts holds a slot of a table
 * shared by the tree: the forking process reserves one (minus its own pid)
 * before fork and writes the child's pid there after.  A slot is freed when
 * its process is reaped, by the program's wait*() or by the tree (the root
 * is the subreaper of orphans), and so are the reservations of a process
 * killed between the two steps.  Past the limit, fork() fails and the live
 * process's group is killed: a fork bomb ends the cell. */
static void uncount(pid_t pid)
{
    for (int i = 0; proc_table && pid > 0 && i < max_procs; i++) {
        pid_t seen = __atomic_load_n(&proc_table[i], __ATOMIC_SEQ_CST);
        if (seen == pid || seen == -pid)
            __atomic_compare_exchange_n(&proc_table[i], &seen, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
}

/* Frees the slots of processes that are gone without a wait*() of ours
 * (SIGCHLD ignored: the kernel reaps them). */
static void sweep(void)
{
    for (int i = 0; i < max_procs; i++) {
        pid_t seen = __atomic_load_n(&proc_table[i], __ATOMIC_SEQ_CST);
        if (seen != 0 && tree_kill(seen < 0 ? -seen : seen, 0) < 0 && errno == ESRCH)
            __atomic_compare_exchange_n(&proc_table[i], &seen, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
}

static int claim(pid_t mark)
{
    for (int i = 0; i < max_procs; i++) {
        pid_t seen = 0;
        if (__atomic_compare_exchange_n(&proc_table[i], &seen, mark, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return i;
    }
    return -1;
}

static void *next_symbol(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

/* A slot for one more process of the program (max_procs: no limit), or -1:
 * the live process's group is killed (a fork bomb ends the cell), errno EAGAIN. */
static int reserve(void)
{
    if (!proc_table)
        return max_procs;
    int saved = errno, slot = claim(-getpid());
    if (slot < 0) {
        sweep();
        slot = claim(-getpid());
    }
    errno = saved;
    if (slot >= 0)
        return slot;
    pid_t live = shared->live_pid;
    if (live > 0) {
        shared->limit_pid = live;
        tree_kill(-live, SIGKILL);
    }
    errno = EAGAIN;
    return -1;
}

/* The reserved slot now holds `pid`, or is freed (pid <= 0: none started). */
static void settle(int slot, pid_t pid)
{
    if (proc_table && slot >= 0 && slot < max_procs) {
        proc_forker[slot] = generation;
        __atomic_store_n(&proc_table[slot], pid > 0 ? pid : 0, __ATOMIC_SEQ_CST);
    }
}

/* The generation that started `pid`, while it counts; 0 if unknown. */
static pid_t forker_of(pid_t pid)
{
    for (int i = 0; proc_table && pid > 0 && i < max_procs; i++)
        if (__atomic_load_n(&proc_table[i], __ATOMIC_SEQ_CST) == pid)
            return proc_forker[i];
    return 0;
}

static void remember_kid(pid_t pid);

EXPORT pid_t fork(void)
{
    static pid_t (*real)(void);
    if (!real)
        real = (pid_t(*)(void))next_symbol("fork");
    if (our_fork)
        return real();
    int slot = reserve();
    if (slot < 0)
        return -1;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* a SIGCHLD handler's wait must find it remembered */
    pid_t child = real();
    if (child != 0) /* the child itself has nothing to settle */
        settle(slot, child);
    if (child > 0)
        remember_kid(child);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return child;
}

/* posix_spawn and system start processes without fork(): counted as well. */
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                        char *const[], char *const[]);

static int spawn_counted(const char *name, pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                         const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    spawn_fn real = (spawn_fn)next_symbol(name);
    pid_t child = 0;
    int slot = reserve();
    if (slot < 0)
        return EAGAIN;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* as in fork() */
    int r = real(&child, path, actions, attr, argv, envp);
    settle(slot, r == 0 ? child : 0);
    if (r == 0)
        remember_kid(child);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r == 0 && pid)
        *pid = child;
    return r;
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    return spawn_counted("posix_spawn", pid, path, actions, attr, argv, envp);
}

EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    return spawn_counted("posix_spawnp", pid, file, actions, attr, argv, envp);
}

/* system() waits for its child: the room is held for the length of the call. */
EXPORT int system(const char *command)
{
    static int (*real)(const char *);
    if (!real)
        real = (int (*)(const char *))next_symbol("system");
    if (!command)
        return real(command);
    int slot = reserve();
    if (slot < 0)
        return -1;
    int r = real(command);
    settle(slot, 0);
    return r;
}

EXPORT pid_t vfork(void)
{
    return fork(); /* a vfork child may only exec or _exit: fork does as well */
}

/* ---------- children of earlier cells ---------- */

/* The live process goes on from cell to cell, and the children the program
 * forks stay its own, until it ends (a crash, %undo): the live process that a
 * snapshot then starts is another process, whose program still knows those
 * children (a file's program would still wait for them, get their SIGCHLD
 * and their signals), but they are not its children.
 *  - The process of the tree that reaps such a child (the root: the
 *    subreaper) records its status in `reaped`; so does the program's own
 *    wait*() of its children, for a state that rolls back to before it.
 *  - The live process's wait*() finds there the children the program forked
 *    in another process: `kids`, kept in the program's own memory, so that a
 *    rollback or %undo takes back what the program knew.
 *  - SIGCHLD is sent to the live process when such a child ends, if the cell
 *    that forked it (its `generation`) is in the history of the program's
 *    state (`lineage`: not rolled back, not undone).  Its siginfo names the
 *    sender, not the child.
 *  - A signal that a process of the program other than the live one sends to
 *    the tree's processes (a child's getppid(), once its parent is gone)
 *    reaches the live process.
 * Stopped and continued children of other processes are not reported. */
#define KID_SLOTS 1024
static struct {
    pid_t pid, forker;
} kids[KID_SLOTS];
static int kid_count;
static int kids_lock; /* taken with every signal blocked: a SIGCHLD handler's waitpid may come inside fork() */

static void lock_kids(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, old);
    while (__atomic_exchange_n(&kids_lock, 1, __ATOMIC_ACQUIRE))
        sched_yield();
}

static void unlock_kids(const sigset_t *old)
{
    __atomic_store_n(&kids_lock, 0, __ATOMIC_RELEASE);
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static int is_live(void)
{
    return shared && getpid() == shared->live_pid;
}

static void remember_kid(pid_t pid)
{
    if (!is_live())
        return; /* a child's own children are its business */
    sigset_t old;
    lock_kids(&old);
    if (kid_count == KID_SLOTS) {
        memmove(kids, kids + 1, sizeof kids - sizeof *kids);
        kid_count--;
    }
    kids[kid_count].pid = pid;
    kids[kid_count].forker = getpid();
    kid_count++;
    unlock_kids(&old);
}

static void forget_kid(pid_t pid)
{
    sigset_t old;
    lock_kids(&old);
    for (int i = 0; i < kid_count; i++)
        if (kids[i].pid == pid) {
            memmove(kids + i, kids + i + 1, (size_t)(kid_count - i - 1) * sizeof *kids);
            kid_count--;
            break;
        }
    unlock_kids(&old);
}

/* The children the program forked in earlier cells that `pid` (wait4's
 * selector) names, at most `max`: their real parent is a snapshot, or the root. */
static int earlier_kids(pid_t pid, pid_t *out, int max)
{
    if (!is_live())
        return 0;
    int n = 0;
    pid_t me = getpid();
    sigset_t old;
    lock_kids(&old);
    for (int i = 0; i < kid_count && n < max; i++)
        if (kids[i].forker != me && (pid == -1 || pid == 0 || kids[i].pid == pid))
            out[n++] = kids[i].pid;
    unlock_kids(&old);
    return n;
}

static int any_earlier_kid(pid_t pid)
{
    pid_t one;
    return is_live() && kid_count > 0 && earlier_kids(pid, &one, 1) > 0;
}

/* Snapshot `pid` keeps the state at the end of generation `gen`. */
static void lineage_add(pid_t pid, int gen)
{
    int n = shared->lineage_len;
    if (n == LINEAGE_SLOTS) {
        memmove(shared->lineage, shared->lineage + 1, sizeof shared->lineage - sizeof *shared->lineage);
        n--;
    }
    shared->lineage[n].pid = pid;
    shared->lineage[n].generation = gen;
    shared->lineage_len = n + 1;
}

/* `pid` resumes: the states after it are gone (rolled back or undone). */
static void lineage_cut(pid_t pid)
{
    int n = shared->lineage_len;
    while (n > 0 && shared->lineage[n - 1].pid != pid)
        n--;
    shared->lineage_len = n;
}

/* Whether the program's state holds generation `gen`: the cell in progress,
 * or one a snapshot in the state's history ended. */
static int in_lineage(int gen)
{
    if (gen > 0 && gen == shared->live_generation)
        return 1;
    for (int i = 0; gen > 0 && i < shared->lineage_len; i++)
        if (shared->lineage[i].generation == gen)
            return 1;
    return 0;
}

/* Whether `pid` is one of the snapshots of the state's history. */
static int is_snapshot(pid_t pid)
{
    for (int i = 0; pid > 0 && i < shared->lineage_len; i++)
        if (shared->lineage[i].pid == pid)
            return 1;
    return 0;
}

static void reaped_changed(void)
{
    __atomic_add_fetch(&shared->reaped_seq, 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &shared->reaped_seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* The live process once its signal state is the program's (it is 0 while a
 * live process becomes a snapshot and the next one starts); 0 if none comes. */
static pid_t program_process(void)
{
    pid_t target = shared->signal_target;
    for (int i = 0; i < 2000 && !target; i++) {
        usleep(1000);
        target = shared->signal_target;
    }
    return target;
}

/* Whether `pid` ignores SIGCHLD (then the kernel sends it none). */
static int ignores_sigchld(pid_t pid)
{
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long long ignored = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "SigIgn: %llx", &ignored) == 1)
            break;
    if (f)
        fclose(f);
    return (ignored >> (SIGCHLD - 1)) & 1;
}

/* A process of the tree reaped `pid`, a process of the program started in
 * generation `forker`: its status is kept for the live process's wait*(), and
 * SIGCHLD sent as the kernel would have (first, so that a handler's wait
 * finds it). */
static void record_reaped(pid_t pid, int status, int forker, int signal_it)
{
    unsigned order = __atomic_fetch_add(&shared->reaped_count, 1, __ATOMIC_SEQ_CST);
    struct reaped_child *r = &shared->reaped[order % REAPED_SLOTS];
    __atomic_store_n(&r->pid, 0, __ATOMIC_SEQ_CST);
    r->status = status;
    r->order = order;
    r->state = REAPED_WAITING;
    r->unseen = 0;
    __atomic_store_n(&r->pid, pid, __ATOMIC_SEQ_CST);
    reaped_changed();
    if (signal_it && in_lineage(forker)) {
        pid_t target = program_process();
        if (!in_lineage(forker))
            target = 0; /* its cell was rolled back meanwhile (the new live process has another generation) */
        r->unseen = target > 0 && ignores_sigchld(target); /* a file's program has it reaped unseen */
        __atomic_store_n(&r->state, REAPED_SIGNALLING, __ATOMIC_SEQ_CST);
        if (target > 0 && !r->unseen)
            tree_kill(target, SIGCHLD);
    }
    __atomic_store_n(&r->state, REAPED_DONE, __ATOMIC_SEQ_CST);
    reaped_changed();
}

/* The newest record of `pid`: its state (0: none), its status and whether
 * it ended unseen. */
static int find_reaped(pid_t pid, int *status, int *unseen)
{
    int state = 0;
    unsigned best = 0;
    for (int i = 0; i < REAPED_SLOTS; i++) {
        struct reaped_child *r = &shared->reaped[i];
        if (__atomic_load_n(&r->pid, __ATOMIC_SEQ_CST) != pid || (state && r->order < best))
            continue;
        best = r->order;
        *status = r->status;
        *unseen = r->unseen;
        state = __atomic_load_n(&r->state, __ATOMIC_SEQ_CST);
    }
    return state;
}

/* Before a snapshot: forget the children that are gone without a record
 * (SIGCHLD was ignored as they ended): no wait*() will report them. */
static void forget_gone_kids(void)
{
    pid_t mine[KID_SLOTS];
    int n = 0;
    for (int i = 0; i < kid_count; i++)
        if (kids[i].forker == getpid())
            mine[n++] = kids[i].pid;
    for (int i = 0; i < n; i++) {
        int status, unseen;
        if (tree_kill(mine[i], 0) < 0 && errno == ESRCH && !find_reaped(mine[i], &status, &unseen))
            forget_kid(mine[i]);
    }
}

static void fault_handler(int sig, siginfo_t *si, void *uc);
static void interrupt_handler(int sig);

/* Whether a wait interrupted by a handler goes on (SA_RESTART), as far as we
 * can tell: we do not know which signal it was, so every handler of the
 * program's must have it (ours for faults and SIGINT never return to it). */
static int waits_restart(void)
{
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &sa) != 0 || (sa.sa_flags & SA_RESTART))
            continue;
        if (sa.sa_flags & SA_SIGINFO ? sa.sa_sigaction != fault_handler
                                     : sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN &&
                                           sa.sa_handler != interrupt_handler)
            return 0;
    }
    return 1;
}

/* The program reaped its own child `pid`: its slot is free, and a state
 * rolled back to before this wait still finds its status (`reaped`). */
static void reaped_own(pid_t pid, int status)
{
    uncount(pid);
    forget_kid(pid);
    record_reaped(pid, status, 0, 0);
}

/* One look at the live process's own children: a pid and its status, 0 if
 * none has ended yet, -1 if there are none; `keep`: leave it waitable. */
static pid_t poll_own(pid_t pid, int options, int keep, int *status)
{
    if (!keep)
        return (pid_t)syscall(SYS_wait4, pid, status, options | WNOHANG, NULL);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    idtype_t type = pid > 0 ? P_PID : P_ALL;
    if (syscall(SYS_waitid, type, pid > 0 ? pid : 0, &si, WEXITED | WNOWAIT | WNOHANG, NULL) < 0)
        return -1;
    if (!si.si_pid)
        return 0;
    *status = si.si_code == CLD_EXITED ? (si.si_status & 0xff) << 8
                                       : (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
    return si.si_pid;
}

/* wait*() in the live process when children of earlier cells may answer:
 * its own children (polled) and the records of the others.  Returns the pid
 * and its status, 0 (WNOHANG, none ended) or -1 with errno; `keep`: WNOWAIT. */
static pid_t wait_with_earlier(pid_t pid, int *status, int options, int keep)
{
    int lost_polls = 0, interrupted = 0;
    for (;;) {
        unsigned seq = __atomic_load_n(&shared->reaped_seq, __ATOMIC_SEQ_CST);
        int own = 0;
        if (pid <= 0) {
            int st;
            pid_t done = poll_own(pid, options, keep, &st);
            if (done > 0) {
                if (!keep && (WIFEXITED(st) || WIFSIGNALED(st)))
                    reaped_own(done, st);
                *status = st;
                return done;
            }
            own = done == 0;
        }
        int waiting = 0, signalling = 0;
        pid_t list[KID_SLOTS];
        int n = earlier_kids(pid, list, KID_SLOTS);
        for (int i = 0; i < n; i++) {
            pid_t kid = list[i];
            int st = 0, unseen = 0, state = find_reaped(kid, &st, &unseen);
            /* A blocking wait returns once its SIGCHLD is handled, as the kernel
             * sends it before waking the waiter; WNOHANG (a SIGCHLD handler's
             * loop, run by that very signal) takes it as soon as it is known. */
            if (state == REAPED_DONE || (state == REAPED_SIGNALLING && (options & WNOHANG))) {
                if (unseen || !keep)
                    forget_kid(kid);
                if (unseen)
                    continue;
                syscall(SYS_getpid); /* a kernel entry: its SIGCHLD is handled before we return */
                *status = st;
                return kid;
            }
            if (state == REAPED_WAITING || state == REAPED_SIGNALLING)
                waiting = signalling = 1;
            else if (tree_kill(kid, 0) == 0 || errno == EPERM || lost_polls < 50)
                waiting = 1; /* running, or ended and about to be recorded */
            else
                forget_kid(kid); /* its record is gone: REAPED_SLOTS children ended since */
        }
        if (!waiting && !own) {
            errno = ECHILD;
            return -1;
        }
        if (options & WNOHANG)
            return 0;
        if (interrupted && !signalling) {
            errno = EINTR;
            return -1;
        }
        struct timespec pause = {0, own ? 2000000 : 20000000};
        long r = syscall(SYS_futex, &shared->reaped_seq, FUTEX_WAIT, seq, &pause, NULL, 0);
        interrupted = r < 0 && errno == EINTR && !waits_restart();
        lost_polls++;
    }
}

EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
    int st;
    pid_t done;
    if (any_earlier_kid(pid)) {
        done = wait_with_earlier(pid, &st, options, 0);
        if (done > 0 && usage)
            memset(usage, 0, sizeof *usage); /* not ours to know */
    } else {
        done = (pid_t)syscall(SYS_wait4, pid, &st, options, usage);
        if (done > 0 && (WIFEXITED(st) || WIFSIGNALED(st)))
            reaped_own(done, st);
    }
    if (done > 0 && status)
        *status = st;
    return done;
}

EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
    return wait4(pid, status, options, NULL);
}

EXPORT pid_t wait(int *status)
{
    return wait4(-1, status, 0, NULL);
}

EXPORT pid_t wait3(int *status, int options, struct rusage *usage)
{
    return wait4(-1, status, options, usage);
}

EXPORT int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
    pid_t pid = type == P_PID ? (pid_t)id : type == P_ALL ? -1 : 1;
    if ((type == P_PID || type == P_ALL) && (options & WEXITED) && info && any_earlier_kid(pid)) {
        int st;
        pid_t done = wait_with_earlier(pid, &st, options & WNOHANG, options & WNOWAIT);
        if (done < 0)
            return -1;
        memset(info, 0, sizeof *info);
        if (done > 0) {
            info->si_signo = SIGCHLD;
            info->si_pid = done;
            info->si_uid = getuid();
            info->si_code = WIFEXITED(st) ? CLD_EXITED : WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;
            info->si_status = WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st);
        }
        return 0;
    }
    int r = (int)syscall(SYS_waitid, type, id, info, options, NULL);
    if (r == 0 && info && info->si_pid > 0 && (options & WEXITED) && !(options & WNOWAIT))
        reaped_own(info->si_pid, info->si_code == CLD_EXITED ? (info->si_status & 0xff) << 8
                                                             : (info->si_status & 0x7f) |
                                                                   (info->si_code == CLD_DUMPED ? 0x80 : 0));
    return r;
}

/* A process of the program that signals one of the tree's processes (a
 * child whose parent is gone calling kill(getppid(), ...)) means the
 * program: the live process.  The live process's own getppid() is the root
 * or a snapshot, the place of a file's shell: a signal to it changes
 * nothing of the program (as a shell's would not), so it is not sent. */
EXPORT int kill(pid_t pid, int sig)
{
    if (shared && pid > 0 && is_live() && (is_snapshot(pid) || pid == shared->root_pid || pid == getppid()))
        return 0;
    if (shared && pid > 0 && !is_live() && (is_snapshot(pid) || pid == shared->root_pid)) {
        pid_t target = program_process();
        if (target > 0)
            pid = target;
    }
    return tree_kill(pid, sig);
}

/* ---------- API for cell code (cellc.h) ---------- */

EXPORT void cellc_display(const char *mime, const void *data, size_t len)
{
    char header[300];
    size_t n = strnlen(mime, 256);
    if (n == 0 || n > 255 || strpbrk(mime, " \t\r\n")) { /* a MIME type (RFC 6838) is one word of <= 255 bytes */
        fprintf(stderr, "cellc_display: not a MIME type: \"%.40s\"%s\n", mime, n > 40 ? "..." : "");
        return;
    }
    fflush(stdout);
    fflush(stderr);
    int wait = in_cell && syscall(SYS_gettid) == getpid();
    snprintf(header, sizeof header, "display %s %s", mime, wait ? "wait" : "nowait");
    event_payload(header, data, len);
    /* Wait until the kernel has published it: output printed after the
     * display must not reach the stdout pipe before the kernel drained it.
     * Only the cell's own thread, while the cell runs, talks to the kernel;
     * a display from another thread is sent without waiting. */
    if (wait)
        read_line(); /* `shown` */
}

/* Lazy binding of trampolines: a trampoline whose slot was never set jumps
 * to __cellc_lazy (below) with the slot's address in r11 (x16 on aarch64);
 * the function's name follows the slot.  A prototype of a library function
 * thus binds to the library; a name nothing defines is reported. */
EXPORT void *cellc_resolve(void **slot)
{
    const char *name = (const char *)(slot + 1);
    void *addr = dlsym(RTLD_DEFAULT, name);
    if (!addr) {
        fflush(stdout);
        event("undefined %s", name);
        abort();
    }
    *slot = addr;
    return addr;
}

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl __cellc_lazy\n"
        ".type __cellc_lazy,@function\n"
        "__cellc_lazy:\n"
        "  endbr64\n"
        "  push %rbp\n"
        "  mov %rsp, %rbp\n"
        "  and $-16, %rsp\n"
        "  sub $192, %rsp\n"
        "  mov %rdi, 0(%rsp)\n  mov %rsi, 8(%rsp)\n  mov %rdx, 16(%rsp)\n"
        "  mov %rcx, 24(%rsp)\n  mov %r8, 32(%rsp)\n  mov %r9, 40(%rsp)\n"
        "  mov %rax, 48(%rsp)\n"
        "  movdqu %xmm0, 64(%rsp)\n  movdqu %xmm1, 80(%rsp)\n"
        "  movdqu %xmm2, 96(%rsp)\n  movdqu %xmm3, 112(%rsp)\n"
        "  movdqu %xmm4, 128(%rsp)\n  movdqu %xmm5, 144(%rsp)\n"
        "  movdqu %xmm6, 160(%rsp)\n  movdqu %xmm7, 176(%rsp)\n"
        "  mov %r11, %rdi\n"
        "  call cellc_resolve\n"
        "  mov %rax, %r11\n"
        "  mov 0(%rsp), %rdi\n  mov 8(%rsp), %rsi\n  mov 16(%rsp), %rdx\n"
        "  mov 24(%rsp), %rcx\n  mov 32(%rsp), %r8\n  mov 40(%rsp), %r9\n"
        "  mov 48(%rsp), %rax\n"
        "  movdqu 64(%rsp), %xmm0\n  movdqu 80(%rsp), %xmm1\n"
        "  movdqu 96(%rsp), %xmm2\n  movdqu 112(%rsp), %xmm3\n"
        "  movdqu 128(%rsp), %xmm4\n  movdqu 144(%rsp), %xmm5\n"
        "  movdqu 160(%rsp), %xmm6\n  movdqu 176(%rsp), %xmm7\n"
        "  leave\n"
        "  jmp *%r11\n"
        ".size __cellc_lazy, .-__cellc_lazy\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl __cellc_lazy\n"
        ".type __cellc_lazy,%function\n"
        "__cellc_lazy:\n"
        "  stp x29, x30, [sp, #-224]!\n"
        "  mov x29, sp\n"
        "  stp x0, x1, [sp, #16]\n  stp x2, x3, [sp, #32]\n"
        "  stp x4, x5, [sp, #48]\n  stp x6, x7, [sp, #64]\n"
        "  str x8, [sp, #80]\n"
        "  stp q0, q1, [sp, #96]\n  stp q2, q3, [sp, #128]\n"
        "  stp q4, q5, [sp, #160]\n  stp q6, q7, [sp, #192]\n"
        "  mov x0, x16\n"
        "  bl cellc_resolve\n"
        "  mov x16, x0\n"
        "  ldp x0, x1, [sp, #16]\n  ldp x2, x3, [sp, #32]\n"
        "  ldp x4, x5, [sp, #48]\n  ldp x6, x7, [sp, #64]\n"
        "  ldr x8, [sp, #80]\n"
        "  ldp q0, q1, [sp, #96]\n  ldp q2, q3, [sp, #128]\n"
        "  ldp q4, q5, [sp, #160]\n  ldp q6, q7, [sp, #192]\n"
        "  ldp x29, x30, [sp], #224\n"
        "  br x16\n"
        ".size __cellc_lazy, .-__cellc_lazy\n");
#else
#error "cellc supports x86-64 and aarch64"
#endif

/* ---------- faults ---------- */

static char *hex(char *p, uintptr_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    *p++ = '0';
    *p++ = 'x';
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *str(char *p, const char *s, char *end)
{
    while (*s && p < end)
        *p++ = *s++;
    return p;
}

static void close_flusher(void);

/* Writes what is still in a stdio buffer straight to its fd (no locks):
 * the process is about to die and must not lose what the cell printed.
 * The flusher must not be writing that buffer meanwhile (close_flusher). */
static void drain(FILE *f, int fd)
{
    close_flusher();
    if (f->_IO_write_ptr > f->_IO_write_base)
        write_all(fd, f->_IO_write_base, (size_t)(f->_IO_write_ptr - f->_IO_write_base));
    f->_IO_write_ptr = f->_IO_write_base;
}

static uintptr_t context_pc(void *uc)
{
#if defined(__x86_64__)
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#else
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.pc;
#endif
}

static uintptr_t context_sp(void *uc)
{
#if defined(__x86_64__)
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP];
#else
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.sp;
#endif
}

/* Reports `fault SIG CODE ADDR SP FRAME...`, a frame being `FILE+0xOFFSET`
 * for each return address of the stack (the faulting pc first, the
 * handler's own frames left out); the kernel maps them to cells and lines
 * (crash.py).  A deep stack (runaway recursion) is sent as its FAULT_HEAD
 * innermost and FAULT_TAIL outermost frames with a `skip:N` between: one
 * event, one packet, whole frames only.
 *
 * A fault strikes anywhere: inside malloc with its lock held, or in a dlopen
 * constructor with the loader's lock held (and a constructor may wait for a
 * thread that crashes).  So the fault and interrupt handlers call only what
 * is async-signal-safe there:
 *  - backtrace(): libgcc_s's unwinder, loaded and set up once by a call at
 *    start-up; libgcc 12 and later find a frame's unwind table with
 *    _dl_find_object (glibc >= 2.35: lock-free, AS-safe in glibc's manual).
 *    An older libgcc calls dl_iterate_phdr, which takes the loader's lock:
 *    a recursive one, so a crash in a constructor's own thread would still
 *    be reported, one in a thread that a constructor waits for would hang.
 *  - _dl_find_object() for the object holding a frame (its link map's
 *    l_name and l_addr, the main program named by argv[0] as dladdr does).
 *    dladdr() takes the loader's lock: a thread that crashed while a
 *    constructor joined it hung there.
 *  - _Fork() for the frozen copy.  fork() takes malloc's locks in a process
 *    that has had threads (every cell has the flusher): a double free that
 *    aborts inside free() with the arena lock held hung there.
 *  - write(2) (write_all), sigabbrev_np (a table), signal, raise,
 *    siglongjmp; drain() empties stdout's buffer without its lock, on purpose. */
#define FAULT_FRAMES (1 << 20)
#define FAULT_HEAD 40
#define FAULT_TAIL 20
static const char *program_path = "?"; /* argv[0] */

/* An event without arguments, from a signal handler (no stdio, no locks). */
static void signal_event(const char *text)
{
    char b[96], *p = str(b, key, b + 48);
    p = str(p, text, b + 94);
    *p++ = '\n';
    write_all(EVT_FD, b, (size_t)(p - b));
}

/* A stopped copy of the crashing process, memory intact, for `%debug`
 * (gdb attaches to it; any tracer may, whatever Yama says).  It announces
 * itself with `frozen PID` before the crash is reported as finished; the
 * kernel kills it before the next cell.  If resumed it stops again. */
static void freeze(void)
{
    pid_t f = _Fork(); /* not fork(): see above */
    if (f == 0) {
        heap_after_fork_child(); /* a debugger may call malloc in it */
        char b[96], *p = str(b, key, b + 48);
        p = str(p, "frozen ", b + 64);
        prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
        p = hex(p, (uintptr_t)getpid());
        *p++ = '\n';
        write_all(EVT_FD, b, (size_t)(p - b));
        for (;;)
            raise(SIGSTOP);
    }
    if (f > 0) {
        int st;
        while (waitpid(f, &st, WUNTRACED) < 0 && errno == EINTR)
            ;
    }
}

static void *fault_frames[FAULT_FRAMES];

/* In a process the cell forked, a fault or SIGINT ends it as in a plain
 * program (its parent may wait for that): the stdout buffer it inherited is
 * not its output, and it has no cell to report on.  1 if that was so. */
static int forked_by_cell(int sig)
{
    if (!shared || getpid() == shared->live_pid)
        return 0;
    signal(sig, SIG_DFL);
    raise(sig);
    return 1;
}

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
    static char buf[CELLC_PACKET];
    void **frames = fault_frames;
    if (forked_by_cell(sig))
        return;
    char *p = buf, *end = buf + sizeof buf - 1; /* the last byte for '\n' */
    int n = backtrace(frames, FAULT_FRAMES);
    uintptr_t pc = context_pc(uc);
    int first = 0;
    for (int i = 0; i < n && i < 8; i++)
        if ((uintptr_t)frames[i] == pc)
            first = i + 1; /* the interrupted frame: what comes before it is this handler */

    drain(stdout, 1);
    p = str(p, key, end);
    p = str(p, "fault ", end);
    p = str(p, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", end);
    *p++ = ' ';
    p = hex(p, (uintptr_t)si->si_code);
    *p++ = ' ';
    p = hex(p, (uintptr_t)si->si_addr);
    *p++ = ' ';
    p = hex(p, context_sp(uc));
    for (int i = first - 1; i < n; i++) {
        uintptr_t a = i < first ? pc : (uintptr_t)frames[i] - 1;
        if (i == first + FAULT_HEAD && n - i > FAULT_TAIL + 1) {
            if (end - p < 32)
                break;
            p = str(p, " skip:", end);
            p = hex(p, (uintptr_t)(n - FAULT_TAIL - i));
            i = n - FAULT_TAIL - 1;
            continue;
        }
        const char *file = "?";
        uintptr_t base = 0;
        struct dl_find_object object;
        if (_dl_find_object((void *)a, &object) == 0 && object.dlfo_link_map) {
            file = object.dlfo_link_map->l_name[0] ? object.dlfo_link_map->l_name : program_path;
            base = object.dlfo_link_map->l_addr;
        }
        if ((size_t)(end - p) < strlen(file) + 24)
            break;
        *p++ = ' ';
        p = str(p, file, end);
        *p++ = '+';
        p = hex(p, a - base);
    }
    *p++ = '\n';
    write_all(EVT_FD, buf, (size_t)(p - buf));
    if (in_place && jmp_valid && on_cell_thread()) {
        jmp_valid = 0;
        siglongjmp(cell_jmp, sig);
    }
    /* Another thread's fault ends the program, as in a file: the tree goes
     * back to the snapshot before the threads. */
    if (in_cell)
        freeze();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* A sanitizer's report ends the process through its death callback: freeze
 * a copy first, so %debug sees the frames of the report. */
static void sanitizer_death(void)
{
    if (in_cell)
        freeze();
}

static void watch_sanitizer_death(void)
{
    void (*set)(void (*)(void)) = (void (*)(void (*)(void)))dlsym(RTLD_DEFAULT, "__sanitizer_set_death_callback");
    if (set)
        set(sanitizer_death);
}

static void interrupt_handler(int sig)
{
    if (forked_by_cell(sig))
        return;
    if (in_place && !on_cell_thread()) {
        /* the process's SIGINT reached one of the program's threads: it is
         * the cell's (if the cell blocks it, the kernel's SIGKILL follows) */
        pthread_kill(cell_thread, sig);
        return;
    }
    drain(stdout, 1);
    if (in_place && jmp_valid) {
        signal_event("interrupted");
        jmp_valid = 0;
        siglongjmp(cell_jmp, sig);
    }
    if (in_cell)
        freeze(); /* where was it stuck? */
    signal(sig, SIG_DFL);
    raise(sig);
}

static char signal_altstack[1 << 16];

static void install_handlers(void)
{
    stack_t ss = {.ss_sp = signal_altstack, .ss_size = sizeof signal_altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = interrupt_handler;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigaction(SIGINT, &sa, NULL);
}

/* Every thread gets an alternate signal stack of its own, as the main
 * thread has: a thread's stack overflow is then reported with its
 * traceback, not as a bare SIGSEGV.  It is unmapped when the thread ends. */
#define THREAD_ALTSTACK (1 << 16)
struct thread_start {
    void *(*fn)(void *);
    void *arg;
};
static pthread_key_t altstack_key;
static pthread_once_t altstack_once = PTHREAD_ONCE_INIT;

static void drop_altstack(void *stack)
{
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    munmap(stack, THREAD_ALTSTACK);
}

static void make_altstack_key(void)
{
    pthread_key_create(&altstack_key, drop_altstack);
}

static void *thread_main(void *start)
{
    struct thread_start s = *(struct thread_start *)start;
    own_free(start);
    void *stack = mmap(NULL, THREAD_ALTSTACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack != MAP_FAILED) {
        stack_t ss = {.ss_sp = stack, .ss_size = THREAD_ALTSTACK};
        sigaltstack(&ss, NULL);
        pthread_setspecific(altstack_key, stack);
    }
    return s.fn(s.arg);
}

EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    if (!real)
        real = next_symbol("pthread_create");
    pthread_once(&altstack_once, make_altstack_key);
    struct thread_start *start = own_malloc(sizeof *start);
    if (!start)
        return EAGAIN;
    start->fn = fn;
    start->arg = arg;
    int r = real(thread, attr, thread_main, start);
    if (r != 0)
        own_free(start);
    return r;
}

/* ---------- stdout: fully buffered, flushed every 50 ms while a cell runs ---------- */

/* Line buffering costs a write() per line (4 s for 2M lines); full
 * buffering alone would hold back the output of a slow loop.  A flusher
 * thread lives only while a cell runs, so snapshots are forked with one
 * thread and the thread count seen after a cell is the program's own.
 *
 * The flusher takes stdout's lock, but exit() does not: glibc flushes every
 * stream at exit "underneath" the other threads, and drain() does too in a
 * dying process.  Had the flusher written the buffer and not yet marked it
 * empty, the same bytes would go out twice (a program's last lines shown
 * twice when its exit met a flush).  Before either, close_flusher() waits
 * for a flush in progress and the flusher leaves stdout alone from then on. */
static pthread_t flusher;
static pthread_mutex_t flush_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flush_cv = PTHREAD_COND_INITIALIZER;
static int flush_stop, flusher_running;
static pid_t flusher_pid; /* the process the flusher runs in: a copy fork() made has none */
static int flushing;      /* the flusher is in a flush (a futex word) */
static int flush_closed;  /* stdout is being flushed without its lock: the flusher keeps off */

static void *flush_loop(void *arg)
{
    (void)arg;
    heap_quiet = HEAP_ASIDE;
    pthread_mutex_lock(&flush_mu);
    while (!flush_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&flush_cv, &flush_mu, &ts);
        if (flush_stop)
            break;
        pthread_mutex_unlock(&flush_mu);
        __atomic_store_n(&flushing, 1, __ATOMIC_SEQ_CST); /* then flush_closed is read: see close_flusher */
        if (!__atomic_load_n(&flush_closed, __ATOMIC_SEQ_CST) && ftrylockfile(stdout) == 0) {
            fflush_unlocked(stdout); /* a cell that holds stdout's lock (flockfile) keeps it */
            funlockfile(stdout);
        }
        __atomic_store_n(&flushing, 0, __ATOMIC_SEQ_CST);
        syscall(SYS_futex, &flushing, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
        pthread_mutex_lock(&flush_mu);
    }
    pthread_mutex_unlock(&flush_mu);
    return NULL;
}

/* pthread_exit() on the thread that runs the cell ends the program as
 * exit(0) would in a file (the other threads of a file's program would run
 * on first: here the cell is reported as exited). */
EXPORT void pthread_exit(void *value)
{
    static void (*real)(void *);
    if (!real)
        real = (void (*)(void *))next_symbol("pthread_exit");
    if (in_cell && pthread_equal(pthread_self(), cell_thread))
        exit(0);
    real(value);
    __builtin_unreachable();
}

static char flusher_stack[1 << 16] __attribute__((aligned(64)));

static void start_flusher(void)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* signals go to the cell's thread */
    /* Its own stack: a stack from glibc's cache may belong to a thread the
     * program started in an earlier cell and has yet to join (after a
     * snapshot fork glibc recycles those), and `pthread_join` would then
     * wait for the flusher. */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, flusher_stack, sizeof flusher_stack);
    flush_stop = 0;
    flush_closed = 0;
    flusher_pid = getpid();
    __atomic_add_fetch(&heap_aside_threads, 1, __ATOMIC_SEQ_CST); /* counted before it exists */
    flusher_running = pthread_create(&flusher, &attr, flush_loop, NULL) == 0;
    if (!flusher_running)
        __atomic_sub_fetch(&heap_aside_threads, 1, __ATOMIC_SEQ_CST);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* From here on the flusher leaves stdout alone; returns once a flush it is
 * in has ended (see above).  Async-signal-safe: drain() calls it in signal
 * handlers; an atexit handler, before glibc's last flush. */
static void close_flusher(void)
{
    if (!flusher_running || getpid() != flusher_pid || pthread_equal(pthread_self(), flusher))
        return;
    __atomic_store_n(&flush_closed, 1, __ATOMIC_SEQ_CST); /* then flushing is read: one of us sees the other */
    int busy;
    while ((busy = __atomic_load_n(&flushing, __ATOMIC_SEQ_CST)))
        syscall(SYS_futex, &flushing, FUTEX_WAIT_PRIVATE, busy, NULL, NULL, 0);
}

static void stop_flusher(void)
{
    if (!flusher_running)
        return;
    pthread_mutex_lock(&flush_mu);
    flush_stop = 1;
    pthread_cond_signal(&flush_cv);
    pthread_mutex_unlock(&flush_mu);
    pthread_join(flusher, NULL);
    __atomic_sub_fetch(&heap_aside_threads, 1, __ATOMIC_SEQ_CST);
    flusher_running = 0;
}

/* ---------- snapshots ---------- */

static int count_threads_once(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return 1;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* The program's threads; a thread that just ended may linger a moment. */
static int count_threads(void)
{
    int n = count_threads_once();
    for (int i = 0; i < 20 && n > 1; i++) {
        usleep(250);
        n = count_threads_once();
    }
    return n;
}

/* When the kernel dies without shutting us down (SIGKILL), the root gets
 * SIGHUP (PR_SET_PDEATHSIG): it removes the kernel's work directory and
 * takes the whole process tree with it. */
static const char *workdir;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)flag, (void)ftw;
    if (S_ISFIFO(st->st_mode)) {
        /* a cc1 the kernel started ahead may wait to open it: a writer that
         * comes and goes lets it read an empty unit and end (toolchain.CompileAhead) */
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0)
            close(fd);
    }
    return remove(path);
}

static pid_t kernel_pid;

static void orphaned(int sig)
{
    (void)sig;
    if (getppid() == kernel_pid)
        return; /* a stray SIGHUP: the kernel is still there */
    if (shared->live_pid > 0)
        tree_kill(-shared->live_pid, SIGKILL); /* the live process and what it started */
    /* gcc may still be writing into the directory the kernel left: retry. */
    for (int i = 0; i < 50 && workdir && strstr(workdir, "cellc-"); i++) {
        nftw(workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        struct stat st;
        if (stat(workdir, &st) != 0)
            break;
        usleep(100 * 1000);
    }
    tree_kill(0, SIGKILL);
}

/* ---------- a snapshot is inert: the program's signal state is kept aside ---------- */

/* What the live process's signals and timers are when it forks a snapshot:
 * the program's, kept aside in the snapshot, restored exactly in every live
 * process the snapshot forks if it resumes (fork does not copy timers or
 * pending signals).  The live process itself keeps them as they are.
 * Meanwhile the snapshot runs only executor code with a state of its own
 * (make_inert): none of the program's handlers, timers or masks acts on it.
 * Time spent as a snapshot does not count: a timer resumes with what
 * remained of it when the cell ended.  One exception: a timer whose signal
 * killed the live process has gone off, and is disarmed in what the
 * snapshot resumes (else it would kill every process the snapshot forks).
 * POSIX timers (timer_create) belong to the process that made them: a
 * resumed live process has none (docs/crashes.md says so). */
static const int timer_signal[3] = {SIGALRM, SIGVTALRM, SIGPROF}; /* ITIMER_REAL, _VIRTUAL, _PROF */

static struct {
    int valid; /* 0 in the root: the pristine state of a fresh program */
    char have[NSIG];
    struct sigaction act[NSIG];
    sigset_t mask;                          /* blocked signals */
    sigset_t pending_thread, pending_shared; /* pending: to the cell's thread (raise), to the process (kill) */
    struct itimerval timers[3];
} prog;

static int fault_signal(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGABRT || sig == SIGTRAP ||
           sig == SIGSYS;
}

/* The signals pending to this thread and to the process (SigPnd and ShdPnd
 * of /proc/thread-self/status); 0 if they cannot be read. */
static int pending_sets(sigset_t *thread, sigset_t *process)
{
    FILE *f = fopen("/proc/thread-self/status", "r");
    char line[128];
    int found = 0;
    unsigned long long bits;
    while (f && fgets(line, sizeof line, f)) {
        sigset_t *set = !strncmp(line, "SigPnd:", 7) ? thread : !strncmp(line, "ShdPnd:", 7) ? process : NULL;
        if (!set || sscanf(line + 7, "%llx", &bits) != 1)
            continue;
        for (int sig = 1; sig < NSIG && sig <= 64; sig++)
            if ((bits >> (sig - 1)) & 1)
                sigaddset(set, sig);
        found++;
    }
    if (f)
        fclose(f);
    return found == 2;
}

/* In the live process, with every signal blocked, before it forks a
 * snapshot: what the fork does not copy.  `mask`: what the program had
 * blocked.  The timers are read before the pending signals: one that
 * expires between the two is pending (and nearly due again in the copy). */
static void save_program_state(const sigset_t *mask)
{
    prog.mask = *mask;
    for (int i = 0; i < 3; i++)
        getitimer(i, &prog.timers[i]);
    memcpy(shared->newest_timers, prog.timers, sizeof prog.timers);
}

/* In a new snapshot: the dispositions it has are the program's (fork copies them). */
static void save_dispositions(void)
{
    for (int sig = 1; sig < NSIG; sig++)
        prog.have[sig] = sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &prog.act[sig]) == 0;
    prog.valid = 1;
}

/* The program's pending signals, after save_program_state. */
static void save_pending(const sigset_t *mask)
{
    /* What came since every signal was blocked is the program's to handle,
     * blocked or not (a timer that expired, a child that ended), but SIGINT
     * unless the program blocks it: that was an interrupt of the ended cell.
     * A signal may be pending twice, to the thread and to the process (it is
     * then handled twice): each is kept in its own queue. */
    sigemptyset(&prog.pending_thread);
    sigemptyset(&prog.pending_shared);
    sigset_t any;
    if (sigpending(&any) == 0 && sigisemptyset(&any))
        return; /* the usual case: no need to tell the two queues apart */
    if (!pending_sets(&prog.pending_thread, &prog.pending_shared))
        sigpending(&prog.pending_thread);
    if (!sigismember(mask, SIGINT)) {
        sigdelset(&prog.pending_thread, SIGINT);
        sigdelset(&prog.pending_shared, SIGINT);
    }
}

#define SNAPSHOT_WAKE (SIGRTMAX - 1) /* what wakes a snapshot chosen to resume (shared->resume_pid) */

/* What a snapshot or the root waits for (wait_and_resume): blocked from make_inert on. */
static sigset_t waited_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SNAPSHOT_WAKE);
    return set;
}

/* The snapshot's own signal state: no handler of the program, no timer (a
 * fork copies none), only what it waits for blocked.  What would stop it is ignored (SIGSTOP cannot be:
 * the kernel continues a stopped snapshot), and so is what would end it, but
 * SIGKILL: the kernel ends snapshots with SIGKILL.  SIGCHLD is default, never
 * SIG_IGN or SA_NOCLDWAIT, or waitpid would not see the live process end. */
static void make_inert(void)
{
    int root = getpid() == shared->root_pid;
    struct sigaction ign = {.sa_handler = SIG_IGN}, dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || (root && sig == SIGHUP)) /* the root's: orphaned() */
            continue;
        int keep_default = sig == SIGCHLD || sig == SIGCONT || sig == SIGWINCH || sig == SIGURG || fault_signal(sig);
        sigaction(sig, keep_default ? &dfl : &ign, NULL);
    }
    if (!root)
        prctl(PR_SET_PDEATHSIG, 0); /* the program's, about a parent that is not its own */
    sigset_t waited = waited_signals(); /* blocked, so that none is lost before it waits */
    sigprocmask(SIG_SETMASK, &waited, NULL);
}

/* The live process ended of signal `sig`: whether a timer of `timers`
 * sends it (then it has gone off: see above); with `disarm`, disarmed. */
static int timer_went_off(struct itimerval *timers, int sig, int disarm)
{
    for (int i = 0; sig && i < 3; i++) {
        struct itimerval *t = &timers[i];
        if (sig == timer_signal[i] && (t->it_value.tv_sec || t->it_value.tv_usec)) {
            if (disarm)
                memset(t, 0, sizeof *t);
            return 1;
        }
    }
    return 0;
}

/* In a live process forked by a snapshot: the program's state as it was. */
static void restore_program_state(void)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (prog.have[sig])
            sigaction(sig, &prog.act[sig], NULL);
    for (int i = 0; i < 3; i++)
        setitimer(i, &prog.timers[i], NULL);
}

static void become_live(void)
{
    prctl(PR_SET_PTRACER, kernel_pid, 0, 0, 0); /* the kernel's gdb may attach, whatever Yama says */
    if (memory_limit && !dlsym(RTLD_DEFAULT, "__asan_init")) { /* ASan reserves terabytes */
        struct rlimit rl = {memory_limit, memory_limit};
        setrlimit(RLIMIT_AS, &rl);
    }
    setpgid(0, 0); /* kill(0, ...) in a cell reaches this process and its children only */
    shared->live_pid = getpid();
    generation = shared->live_generation = __atomic_add_fetch(&shared->generations, 1, __ATOMIC_SEQ_CST);
    cell_thread = pthread_self();
    sigset_t mask;
    sigemptyset(&mask);
    if (prog.valid) {
        restore_program_state();
        mask = prog.mask;
    } else { /* a fresh program: default dispositions, but faults and SIGINT are reported */
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        for (int sig = 1; sig < NSIG; sig++)
            if (sig != SIGKILL && sig != SIGSTOP)
                sigaction(sig, &dfl, NULL);
        install_handlers();
    }
    event("ready %d %d", (int)getpid(), (int)getppid());
    sigprocmask(SIG_SETMASK, &mask, NULL);
    for (int sig = 1; prog.valid && sig < NSIG; sig++) { /* blocked: pending again, as it was; else handled now */
        if (sigismember(&prog.pending_thread, sig) == 1)
            raise(sig);
        if (sigismember(&prog.pending_shared, sig) == 1)
            tree_kill(getpid(), sig);
    }
    shared->replayed_pid = getpid();
    shared->signal_target = getpid();
}

/* The snapshot that resumes when the live process ends: the newest, or the
 * root (the pristine state) if there is none or it was killed (the kernel
 * then tells the state is lost: the `ready` names another parent). */
static pid_t resume_target(void)
{
    int n = shared->lineage_len;
    return n > 0 && tree_kill(shared->lineage[n - 1].pid, 0) == 0 ? shared->lineage[n - 1].pid : shared->root_pid;
}

/* Reap what ended among this process's children: the live process, snapshots
 * (the live process's are this process's: CLONE_PARENT), orphans of the
 * program (the root is the subreaper).  Returns whether this process is to
 * resume now. */
static int reap_children(void)
{
    for (;;) {
        int st;
        pid_t dead = (pid_t)syscall(SYS_wait4, -1, &st, WNOHANG, NULL); /* not the program's wait4 */
        if (dead <= 0)
            return 0; /* none ended yet, or none at all: a snapshot stays until the kernel drops it */
        if (WIFSTOPPED(st)) {
            /* Only a child that traces us stops here (no WUNTRACED): the
             * program's PTRACE_TRACEME made us its tracer.  We are none:
             * let go of it, the signal delivered as if never traced. */
            ptrace(PTRACE_DETACH, dead, NULL, (void *)(intptr_t)WSTOPSIG(st));
            continue;
        }
        int forker = forker_of(dead);
        uncount(dead); /* an orphan of the program, reaped by the root */
        if (forker && (WIFEXITED(st) || WIFSIGNALED(st)))
            record_reaped(dead, st, forker, 1); /* a child of the program's, for its wait*() */
        int live = dead == shared->live_pid, sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        if (dead == shared->lost_pid) {
            event("died %d lost", (int)dead);
            shared->lost_pid = 0;
        } else if (dead == shared->limit_pid) {
            event("died %d limit processes", (int)dead);
            shared->limit_pid = 0;
        } else if (WIFEXITED(st))
            event("died %d exit %d", (int)dead, WEXITSTATUS(st));
        else if (sig)
            event("died %d signal %s%s", (int)dead, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
                  live && !shared->undo_target && timer_went_off(shared->newest_timers, sig, 0) ? " timer" : "");
        if (dead == shared->undo_target)
            shared->undo_target = 0;
        if (!live)
            continue; /* a snapshot trimmed or undone, an orphan */
        shared->live_generation = 0; /* the cell it ran is not the program's history */
        shared->live_pid = 0;
        shared->signal_target = 0;
        shared->death_signal = sig;
        shared->death_replayed = dead == shared->replayed_pid;
        pid_t target = resume_target();
        if (target == getpid())
            return 1;
        shared->resume_pid = target;
        tree_kill(target, SNAPSHOT_WAKE);
    }
}

/* A snapshot or the root: reap children, and resume when chosen (returns,
 * in the new live process).  `waiting`: a new snapshot, which resumes only
 * when woken; the root starts the first live process at once. */
static void wait_and_resume(int waiting)
{
    sigset_t wake = waited_signals(); /* blocked since make_inert */
    for (;;) {
        if (!waiting) {
            lineage_cut(getpid()); /* resuming here: the states after this one are gone */
            if (prog.valid && shared->death_signal) {
                int sig = shared->death_signal;
                timer_went_off(prog.timers, sig, 1);
                if (!shared->death_replayed && !sigismember(&prog.mask, sig)) { /* it went off as the live process started */
                    sigdelset(&prog.pending_thread, sig);
                    sigdelset(&prog.pending_shared, sig);
                }
            }
            shared->death_signal = 0;
            memcpy(shared->newest_timers, prog.timers, sizeof prog.timers); /* zero in the root */
            fflush(NULL);
            our_fork = 1;
            pid_t child = fork();
            our_fork = 0;
            if (child == 0) {
                become_live();
                return;
            }
            if (child < 0) {
                event("error fork failed: %s", strerror(errno));
                _exit(1);
            }
            shared->live_pid = child; /* before its `ready`: its death is known for what it is */
        }
        int resume = reap_children();
        if (!resume && __atomic_load_n(&shared->resume_pid, __ATOMIC_SEQ_CST) == getpid()) {
            shared->resume_pid = 0;
            resume = 1;
        }
        waiting = !resume;
        if (waiting) {
            struct timespec second = {1, 0}; /* a lost wake-up costs a second, not a hang */
            sigtimedwait(&wake, NULL, &second);
        }
    }
}

/* The root, once: inert from here on, it starts the first live process
 * (returns in it) and stays as the reaper of the tree and its pristine state. */
static void start_tree(void)
{
    make_inert();
    setpgid(0, shared->root_pid); /* snapshots live in the tree's group */
    wait_and_resume(0);
}

/* Called by the live process when its state should be kept: it forks a
 * snapshot, a copy that waits, as a sibling (CLONE_PARENT: the program
 * never sees it as a child), and goes on.  `mask`: the signals the program
 * blocks (the caller blocks SIGINT as well); every signal is blocked meanwhile.  Returns the snapshot's pid,
 * or 0 if none could be made; in the snapshot, returns only if it resumes,
 * in the live process it then forks. */
static pid_t take_snapshot(const sigset_t *mask)
{
    /* the caller (keep_state) blocks every signal: no handler of the program runs in the copy */
    save_program_state(mask);
    save_pending(mask);
    if (!sigismember(mask, SIGINT)) { /* an interrupt of the ended cell: not the program's */
        struct timespec now = {0, 0};
        sigset_t interrupt;
        sigemptyset(&interrupt);
        sigaddset(&interrupt, SIGINT);
        while (sigtimedwait(&interrupt, NULL, &now) == SIGINT)
            ;
    }
    forget_gone_kids();
    fflush(NULL);
    int ended = generation;
    pid_t snapshot = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
    if (snapshot == 0) {
        save_dispositions();
        make_inert(); /* SIGPIPE ignored: a `died` event after the kernel is gone must not end a snapshot */
        setpgid(0, shared->root_pid);
        wait_and_resume(1);
        return -1; /* resumed: in the new live process */
    }
    if (snapshot > 0) {
        lineage_add(snapshot, ended);
        generation = shared->live_generation = __atomic_add_fetch(&shared->generations, 1, __ATOMIC_SEQ_CST);
    }
    return snapshot > 0 ? snapshot : 0;
}

/* After a cell or a library: a snapshot of the state, or the cell ran in
 * place (threads: a fork would lose them); says which (`done`), before the
 * fork, which the kernel's reply need not wait for, then `snapshot PID`.
 * Returns 1 in the live process a snapshot started when it resumed (it said
 * `ready`; its signal mask is the program's). */
static int keep_state(const sigset_t *mask)
{
    if (in_place) {
        event("done inplace");
        return 0;
    }
    /* From `done` on, a signal of the program waits (pending, as the snapshot
       keeps it) until the snapshot holds this cell's state: one that ended the
       process between the two lost the cell the kernel had reported done. */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    event("done snapshot");
    pid_t snapshot = take_snapshot(mask);
    if (snapshot < 0)
        return 1; /* resumed: become_live set the program's mask */
    in_place = snapshot == 0; /* none could be made: as if in place */
    event("snapshot %d", (int)snapshot);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return 0;
}

/* ---------- commands ---------- */

/* A cell's entry table (generate.py): pairs of a trampoline's slot and the
 * body it now holds, a 0, then the cell's run function (0: no statements).
 * The slots are the program's memory: the snapshot after the cell keeps
 * them.  Inlined, so no frame of ours stands between run_cell and the cell. */
static inline __attribute__((always_inline)) void enter(void *const *table, int define)
{
    for (; *table; table += 2)
        *(void **)table[0] = table[1];
    if (!define && table[1])
        ((void (*)(void))table[1])();
}

/* `run SO ENTRY`, or with `define` the slots stored and no statement run. */
static void run_cell(const char *path, const char *entry, int define)
{
    heap_quiet = HEAP_PROGRAM; /* the cell's constructors and code are the program's */
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
    heap_quiet = HEAP_QUIET;
    if (!h) {
        event("error %s", dlerror());
        return;
    }
    void *const *table = dlsym(h, entry);
    if (!table) {
        event("error no entry %s", entry);
        return;
    }
    pid_t me = getpid();
    in_eof = 0; /* a new cell may ask for input again; the unread rest of a line stays readable */
    clearerr(stdin);
    in_cell = 1;
    int sig = 0;
    start_flusher();
    heap_quiet = HEAP_PROGRAM;
    if (in_place) {
        sig = sigsetjmp(cell_jmp, 1);
        if (sig == 0) {
            jmp_valid = 1;
            enter(table, define);
        }
        jmp_valid = 0;
        heap_unlock_if_mine(); /* it jumped out of a wrapper of malloc's */
    } else {
        enter(table, define);
    }
    heap_quiet = HEAP_QUIET;
    in_cell = 0;
    if (getpid() != me) { /* a fork() in cell code returned here in the child */
        fflush(NULL);
        _exit(0);
    }
    stop_flusher();
    fflush(NULL);
    if (!channel_intact())
        channel_broken();
    sigset_t block, program_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &program_mask);
    if (sig) {
        event("rolledback no");
        sigprocmask(SIG_UNBLOCK, &block, NULL);
        return;
    }
    in_place = count_threads() > 1;
    if (!keep_state(&program_mask))
        sigprocmask(SIG_UNBLOCK, &block, NULL);
}

static void load_library(const char *path)
{
    heap_quiet = HEAP_PROGRAM; /* its constructors are the program's */
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
    heap_quiet = HEAP_QUIET;
    if (!h) {
        event("error %s", dlerror());
        return;
    }
    watch_sanitizer_death(); /* %sanitize undefined loads its runtime this way */
    in_place = in_place || count_threads() > 1; /* a constructor's thread: a fork would lose it */
    sigset_t program_mask;
    sigprocmask(SIG_BLOCK, NULL, &program_mask);
    keep_state(&program_mask);
}

/* Whether an address lies in an executable segment of a loaded object (an
 * IFUNC like strchr resolves to a local symbol dladdr cannot type). */
struct code_query {
    uintptr_t addr;
    int found;
};

static int segment_has(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct code_query *q = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && q->addr >= start && q->addr < start + ph->p_memsz) {
            q->found = (ph->p_flags & PF_X) ? 1 : 2;
            return 1;
        }
    }
    return 0;
}

/* `kinds NAME...`: one byte per name, in order: F (function), D (data) or
 * ? (not found).  A name per space-separated field, empty ones included, so
 * that the answer matches the question byte for byte. */
static void kinds(char *names)
{
    static char out[CELLC_COMMAND_LINE];
    size_t len = 0;
    for (char *rest = *names ? names : NULL, *tok; (tok = strsep(&rest, " "));) {
        char kind = '?';
        void *addr = *tok ? dlsym(RTLD_DEFAULT, tok) : NULL;
        if (addr) {
            struct code_query q = {(uintptr_t)addr, 0};
            dl_iterate_phdr(segment_has, &q);
            kind = q.found == 1 ? 'F' : 'D';
        }
        out[len++] = kind;
    }
    event_payload("kinds", out, len);
}

/* `peek ADDR LEN`: memory of this process, or `mem -1` if unreadable. */
static void peek(uintptr_t addr, size_t len)
{
    char *buf = own_malloc(len ? len : 1);
    struct iovec local = {buf, len}, remote = {(void *)addr, len};
    ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n < 0 || (size_t)n != len)
        event("mem -1");
    else
        event_payload("mem", buf, len);
    own_free(buf);
}

/* `refs LO HI`: where the program's writable memory holds a pointer into
 * [LO, HI) (an object whose type is being redefined).  Payload: a line
 * "LOC OFF PATH" per hit (OFF and PATH: the loaded object holding LOC, as
 * dladdr sees it, else "0 -").  The stack of this idle process and regions
 * over 4 GiB (sanitizer shadow) are skipped; at most 64 hits. */
static void refs(uintptr_t lo, uintptr_t hi)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) {
        event("error cannot read /proc/self/maps");
        return;
    }
    size_t cap = 1 << 20, len = 0, hits = 0;
    uintptr_t *chunk = own_malloc(cap);
    char *out = own_malloc(64 * 4200);
    char line[4200];
    while (out && chunk && hits < 64 && fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[5] = "", path[4096] = "";
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %4095[^\n]", &start, &end, perms, path) < 3)
            continue;
        if (perms[0] != 'r' || perms[1] != 'w' || !strcmp(path, "[stack]") || !strncmp(path, "[v", 2) ||
            end - start > (4UL << 30))
            continue;
        for (uintptr_t at = start; at < end && hits < 64; at += cap) {
            size_t n = end - at < cap ? end - at : cap;
            struct iovec local = {chunk, n}, remote = {(void *)at, n};
            if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)n)
                break;
            for (size_t i = 0; i < n / sizeof *chunk && hits < 64; i++) {
                if (chunk[i] < lo || chunk[i] >= hi)
                    continue;
                uintptr_t loc = at + i * sizeof *chunk;
                if ((char *)loc >= (char *)chunk && (char *)loc < (char *)chunk + cap)
                    continue; /* our own copy */
                Dl_info info;
                if (dladdr((void *)loc, &info) && info.dli_fname && info.dli_fname[0])
                    len += sprintf(out + len, "%#lx %#lx %s\n", (unsigned long)loc,
                                   (unsigned long)(loc - (uintptr_t)info.dli_fbase), info.dli_fname);
                else
                    len += sprintf(out + len, "%#lx 0 -\n", (unsigned long)loc);
                hits++;
            }
        }
    }
    fclose(maps);
    if (out && chunk)
        event_payload("refs", out, len);
    else
        event("error out of memory");
    own_free(chunk);
    own_free(out);
}

/* ---------- heap commands: `heap` and `leaks` ---------- */

/* Every record of the heap table, as native uint64 triples (address, size,
 * flags: bit 0 freed), copied under the lock into memory mmap'd for them, with
 * room for `extra` more triples; its length in `*count`, the size mmap'd in
 * `*bytes`.  NULL if out of memory. */
static uint64_t *heap_copy(size_t extra, size_t *count, size_t *bytes)
{
    for (;;) {
        size_t room = __atomic_load_n(&heap.count, __ATOMIC_RELAXED) + 1024;
        *bytes = (room + extra) * 3 * sizeof(uint64_t);
        uint64_t *out = heap_map(*bytes);
        if (!out)
            return NULL;
        int taken = heap_lock();
        size_t n = 0;
        if (heap.count <= room) {
            for (size_t i = 0; i < heap.cap; i++) {
                const struct heap_slot *slot = &heap.slots[i];
                if (!slot->addr)
                    continue;
                out[n++] = slot->addr;
                out[n++] = slot->meta & HEAP_SIZE;
                out[n++] = (slot->meta & HEAP_FREED) != 0;
            }
        }
        if (taken)
            heap_unlock();
        if (n || heap.count == 0) {
            *count = n / 3;
            return out;
        }
        munmap(out, *bytes); /* it grew meanwhile: again */
    }
}

/* `heap` -> `heap N` + N bytes: the table (docs/protocol.md). */
static void heap_command(void)
{
    size_t count, bytes;
    uint64_t *records = heap_copy(0, &count, &bytes);
    if (!records) {
        event("error out of memory");
        return;
    }
    event_payload("heap", records, count * 3 * sizeof *records);
    munmap(records, bytes);
}

/* `leaks`: a conservative mark, as LeakSanitizer does.  The roots are the
 * words of the process's writable regions outside the heap's blocks (live or
 * freed: what a freed block holds is garbage), outside the executor's own
 * tables, and, on this thread's stack, above serve()'s frame (below it lie
 * stale frames of cells that returned).  A live block is reached when a root
 * or a reached block holds an address inside it (interior pointers count).
 * Memory is read with process_vm_readv: a region unmapped meanwhile is
 * passed over, never a crash.  Regions of 4 GiB and more (sanitizer shadow) and
 * the kernel's [vvar]/[vsyscall] are skipped.
 *
 * glibc keeps the address of the chunk after a block in its arena (the top
 * chunk, the bins), and that address is the block's last 8 bytes when the
 * size is 1 to 8 past a multiple of 16: a word holding exactly that address
 * does not reach the block (one whose only pointer points at that word is
 * counted as a leak). */
struct leak_block {
    uintptr_t start, size;
    uintptr_t tail; /* glibc's next chunk inside the block; 0: not known yet, 1: none */
    int reached;
};
struct leak_range {
    uintptr_t start, end;
};
struct leak_scan {
    struct leak_block *blocks; /* the live ones, by address */
    size_t nblocks;
    uintptr_t lo, hi; /* the blocks' bounds */
    uint32_t *todo;   /* reached, not yet scanned */
    size_t ntodo;
    struct leak_range *skip; /* what is not a root, by address, disjoint */
    size_t nskip;
    uintptr_t *buf; /* buf_bytes: LEAK_BUF, less when memory is short */
    size_t buf_bytes;
    int glibc;      /* the allocator is glibc's (see above) */
};
#define LEAK_BUF (1 << 20)
#define LEAK_BUF_MIN (1 << 14)
#define LEAK_BATCH 1024

/* Sorts `heap_copy` triples by address, in place: heapsort, as qsort would
 * take a buffer from malloc and leave copies of the addresses in the heap. */
static void sort_records(uint64_t *rec, size_t n)
{
    uint64_t t[3];
#define REC_SWAP(i, j) (memcpy(t, rec + 3 * (i), sizeof t), memcpy(rec + 3 * (i), rec + 3 * (j), sizeof t), \
                        memcpy(rec + 3 * (j), t, sizeof t))
    for (size_t end = n, start = n / 2; end > 1;) {
        if (start > 0)
            start--;
        else
            end--, REC_SWAP(0, end);
        for (size_t root = start, child; (child = 2 * root + 1) < end; root = child) {
            if (child + 1 < end && rec[3 * (child + 1)] > rec[3 * child])
                child++;
            if (rec[3 * root] >= rec[3 * child])
                break;
            REC_SWAP(root, child);
        }
    }
#undef REC_SWAP
}

static int read_own(void *dst, uintptr_t addr, size_t len)
{
    struct iovec local = {dst, len}, remote = {(void *)addr, len};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)len;
}

static uintptr_t leak_end(const struct leak_block *b)
{
    return b->start + (b->size ? b->size : 1); /* malloc(0) is a block too */
}

static uintptr_t leak_tail(struct leak_block *b)
{
    if (!b->tail) {
        uintptr_t header = 0;
        b->tail = 1;
        if (read_own(&header, b->start - sizeof header, sizeof header) && !(header & 2)) { /* 2: mmapped */
            uintptr_t next = b->start - 2 * sizeof header + (header & ~(uintptr_t)7);
            if (next > b->start && next < leak_end(b))
                b->tail = next;
        }
    }
    return b->tail;
}

/* The first of `n` records (`stride` bytes apart) whose key, sorted, is above
 * `v`; `key`: the first record's. */
static size_t first_above(const uintptr_t *key, size_t n, size_t stride, uintptr_t v)
{
    size_t a = 0, z = n;
    while (a < z) {
        size_t m = a + (z - a) / 2;
        if (*(const uintptr_t *)((const char *)key + m * stride) <= v)
            a = m + 1;
        else
            z = m;
    }
    return a;
}

static void leak_word(struct leak_scan *s, uintptr_t v)
{
    if (v < s->lo || v >= s->hi)
        return;
    size_t a = first_above(&s->blocks[0].start, s->nblocks, sizeof *s->blocks, v);
    if (a == 0)
        return;
    struct leak_block *b = &s->blocks[a - 1];
    if (b->reached || v >= leak_end(b))
        return;
    if (s->glibc && v != b->start && v + 24 >= leak_end(b) && v == leak_tail(b))
        return;
    b->reached = 1;
    s->todo[s->ntodo++] = (uint32_t)(a - 1);
}

/* The roots in [start, end): every aligned word outside `skip`. */
static void leak_roots(struct leak_scan *s, uintptr_t start, uintptr_t end)
{
    size_t k = first_above(&s->skip[0].end, s->nskip, sizeof *s->skip, start); /* the first range ending after */
    for (uintptr_t at = start; at < end; at += s->buf_bytes) {
        size_t n = end - at < s->buf_bytes ? end - at : s->buf_bytes;
        if (!read_own(s->buf, at, n))
            continue;
        for (size_t i = 0; i < n / sizeof *s->buf; i++) {
            uintptr_t loc = at + i * sizeof *s->buf;
            while (k < s->nskip && s->skip[k].end <= loc)
                k++;
            if (k < s->nskip && s->skip[k].start <= loc) {
                i = (s->skip[k].end - at + sizeof *s->buf - 1) / sizeof *s->buf - 1;
                continue;
            }
            leak_word(s, s->buf[i]);
        }
    }
}

static void leak_block_words(struct leak_scan *s, const uintptr_t *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        leak_word(s, words[i]);
}

/* Scans the reached blocks until none is left: LEAK_BATCH blocks of at most
 * the buffer's bytes in all per read (block by block if part of it fails: a
 * block unmapped meanwhile); a larger block alone, piece by piece. */
static void leak_reach(struct leak_scan *s)
{
    struct iovec remote[LEAK_BATCH];
    const size_t word = sizeof *s->buf;
    while (s->ntodo) {
        size_t n = 0, total = 0;
        while (s->ntodo && n < LEAK_BATCH) {
            const struct leak_block *b = &s->blocks[s->todo[s->ntodo - 1]];
            size_t len = b->size / word * word;
            if (n && total + len > s->buf_bytes)
                break;
            s->ntodo--;
            if (len > s->buf_bytes) {
                for (uintptr_t at = b->start; at < b->start + len; at += s->buf_bytes) {
                    size_t k = b->start + len - at < s->buf_bytes ? b->start + len - at : s->buf_bytes;
                    if (read_own(s->buf, at, k))
                        leak_block_words(s, s->buf, k / word);
                }
                continue;
            }
            remote[n].iov_base = (void *)b->start;
            remote[n].iov_len = len;
            total += len;
            n++;
        }
        struct iovec local = {s->buf, total};
        if (n && process_vm_readv(getpid(), &local, 1, remote, (unsigned long)n, 0) == (ssize_t)total) {
            leak_block_words(s, s->buf, total / word); /* the batch's words, one after the other */
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (read_own(s->buf, (uintptr_t)remote[i].iov_base, remote[i].iov_len))
                leak_block_words(s, s->buf, remote[i].iov_len / word);
    }
}

static uintptr_t serve_frame; /* serve()'s frame: below it, this stack holds stale frames */

static void leaks_command(void)
{
    enum { OWN = 12 };
    size_t count, bytes;
    uint64_t *rec = heap_copy(OWN, &count, &bytes);
    struct leak_scan s = {0};
    size_t blocks_bytes = (count + 1) * sizeof *s.blocks, todo_bytes = (count + 1) * sizeof *s.todo;
    size_t skip_bytes = (count + OWN) * sizeof *s.skip;
    if (rec) {
        s.blocks = heap_map(blocks_bytes);
        s.todo = heap_map(todo_bytes);
        s.skip = heap_map(skip_bytes);
        /* a program at its memory limit may leave less than LEAK_BUF: smaller reads then */
        for (s.buf_bytes = LEAK_BUF; !(s.buf = heap_map(s.buf_bytes)) && s.buf_bytes > LEAK_BUF_MIN;)
            s.buf_bytes /= 2;
    }
    FILE *maps = fopen("/proc/self/maps", "r");
    int maps_errno = errno;
    if (!rec || !s.blocks || !s.todo || !s.skip || !s.buf || !maps) {
        event("error %s", maps || maps_errno == ENOMEM ? "out of memory" : "cannot read /proc/self/maps");
    } else {
        /* Not roots (flags 2): the records, the executor's own mmap'd memory, and its
         * statics that hold copies of stale stack (glibc's sigaction copies
         * 128 bytes of sa_mask, the kernel fills 8) or signal frames. */
        const struct leak_range own[OWN] = {
            {(uintptr_t)heap.slots, (uintptr_t)heap.slots + heap.cap * sizeof *heap.slots},
            {(uintptr_t)heap.ring, (uintptr_t)heap.ring + HEAP_FREED_KEEP * sizeof *heap.ring},
            {(uintptr_t)rec, (uintptr_t)rec + bytes},
            {(uintptr_t)s.blocks, (uintptr_t)s.blocks + blocks_bytes},
            {(uintptr_t)s.todo, (uintptr_t)s.todo + todo_bytes},
            {(uintptr_t)s.skip, (uintptr_t)s.skip + skip_bytes},
            {(uintptr_t)s.buf, (uintptr_t)s.buf + s.buf_bytes},
            {(uintptr_t)shared, (uintptr_t)shared + sizeof *shared},
            {(uintptr_t)&prog, (uintptr_t)(&prog + 1)},
            {(uintptr_t)fault_frames, (uintptr_t)(fault_frames + FAULT_FRAMES)},
            {(uintptr_t)signal_altstack, (uintptr_t)signal_altstack + sizeof signal_altstack},
            {(uintptr_t)flusher_stack, (uintptr_t)flusher_stack + sizeof flusher_stack},
        };
        size_t n = count;
        for (int i = 0; i < OWN; i++)
            if (own[i].start) {
                rec[3 * n] = own[i].start;
                rec[3 * n + 1] = own[i].end - own[i].start;
                rec[3 * n + 2] = 2;
                n++;
            }
        sort_records(rec, n);
        for (size_t i = 0; i < n; i++) {
            uintptr_t start = rec[3 * i], size = rec[3 * i + 1];
            if (rec[3 * i + 2] == 0)
                s.blocks[s.nblocks++] = (struct leak_block){start, size, 0, 0};
            if (s.nskip && start <= s.skip[s.nskip - 1].end) { /* merged: disjoint ranges */
                if (start + size > s.skip[s.nskip - 1].end)
                    s.skip[s.nskip - 1].end = start + size;
            } else {
                s.skip[s.nskip++] = (struct leak_range){start, start + size};
            }
        }
        if (s.nblocks) {
            s.lo = s.blocks[0].start;
            for (size_t i = 0; i < s.nblocks; i++)
                s.hi = leak_end(&s.blocks[i]) > s.hi ? leak_end(&s.blocks[i]) : s.hi;
        }
        Dl_info info;
        s.glibc = dladdr((void *)next_alloc.malloc, &info) && info.dli_fname && strstr(info.dli_fname, "/libc.so");
        char line[4200];
        while (s.nblocks && fgets(line, sizeof line, maps)) {
            unsigned long start, end;
            char perms[5] = "", path[4096] = "";
            if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %4095[^\n]", &start, &end, perms, path) < 3)
                continue;
            if (perms[0] != 'r' || perms[1] != 'w' || !strncmp(path, "[v", 2) || end - start >= (4UL << 30))
                continue;
            if (serve_frame >= start && serve_frame < end)
                start = serve_frame & ~(uintptr_t)7;
            leak_roots(&s, start, end);
        }
        leak_reach(&s);
        size_t leaked = 0;
        uint64_t leaked_bytes = 0;
        for (size_t i = 0; i < s.nblocks; i++)
            if (!s.blocks[i].reached) {
                leaked++;
                leaked_bytes += s.blocks[i].size;
            }
        event("leaks %zu %llu", leaked, (unsigned long long)leaked_bytes);
    }
    if (maps)
        fclose(maps);
    if (rec)
        munmap(rec, bytes);
    if (s.blocks)
        munmap(s.blocks, blocks_bytes);
    if (s.todo)
        munmap(s.todo, todo_bytes);
    if (s.skip)
        munmap(s.skip, skip_bytes);
    if (s.buf)
        munmap(s.buf, s.buf_bytes);
}

/* `symbol ADDR`: the dynamic symbol at an address, for function pointers. */
static void symbol(uintptr_t addr)
{
    Dl_info info;
    if (dladdr((void *)addr, &info) && info.dli_sname && (uintptr_t)info.dli_saddr == addr)
        event("symbol %s", info.dli_sname);
    else
        event("symbol ?");
}

static void undo(void)
{
    if (in_place) {
        event("error cannot undo while threads are running");
        return;
    }
    int n = shared->lineage_len;
    if (n == 0) {
        event("error nothing to undo");
        return;
    }
    /* the newest snapshot holds the state after the last cell: it goes, and
     * the one before resumes when this process has ended */
    pid_t newest = shared->lineage[n - 1].pid;
    shared->undo_target = newest;
    shared->lineage_len = n - 1;
    tree_kill(newest, SIGKILL);
    _exit(0);
}

/* Whether a command that changes the program is this process's: it names the
 * live process the kernel sent it to, and one that ended before reading it (a
 * timer's signal while the kernel compiled the next cell) left it in the pipe
 * to the process resumed after it, which must not run it.  Steps `*arg` past
 * the pid; -1 if there is none. */
static int addressed_here(char **arg)
{
    char *end;
    long pid = strtol(*arg, &end, 10);
    if (end == *arg || (*end && *end != ' '))
        return -1;
    *arg = *end ? end + 1 : end;
    return pid == (long)getpid();
}

/* The commands of docs/protocol.md. */
static void serve(void)
{
    serve_frame = (uintptr_t)__builtin_frame_address(0);
    for (;;) {
        char *line = read_line();
        if (!line)
            continue;
        char *arg = strchr(line, ' ');
        if (arg)
            *arg++ = 0;
        else
            arg = line + strlen(line);
        if (!strcmp(line, "run") || !strcmp(line, "define") || !strcmp(line, "load") || !strcmp(line, "undo")) {
            int here = addressed_here(&arg);
            if (here <= 0) {
                event(here < 0 ? "error bad %s" : "stale %s", line);
                continue;
            }
        }
        if (!strcmp(line, "sync")) {
            event("sync");
        } else if (!strcmp(line, "run") || !strcmp(line, "define")) {
            char *entry = strchr(arg, ' ');
            if (!entry) {
                event("error bad %s", line);
                continue;
            }
            *entry++ = 0;
            run_cell(arg, entry, line[0] == 'd');
        } else if (!strcmp(line, "load")) {
            load_library(arg);
        } else if (!strcmp(line, "kinds")) {
            kinds(arg);
        } else if (!strcmp(line, "peek")) {
            char *len = strchr(arg, ' ');
            peek(strtoull(arg, NULL, 0), len ? strtoull(len, NULL, 0) : 0);
        } else if (!strcmp(line, "addr")) {
            event("addr 0x%lx", (unsigned long)(uintptr_t)dlsym(RTLD_DEFAULT, arg));
        } else if (!strcmp(line, "refs")) {
            char *hi = strchr(arg, ' ');
            refs(strtoull(arg, NULL, 0), hi ? strtoull(hi, NULL, 0) : 0);
        } else if (!strcmp(line, "symbol")) {
            symbol(strtoull(arg, NULL, 0));
        } else if (!strcmp(line, "heap")) {
            heap_command();
        } else if (!strcmp(line, "leaks")) {
            leaks_command();
        } else if (!strcmp(line, "heaptable")) {
            /* where the table is, for a reader of the process's memory while
               it is stopped (a debugger's breakpoint): the same in every
               process of the tree, which are forks of one image */
            event("heaptable 0x%lx %u %u %d %d", (unsigned long)(uintptr_t)&heap,
                  (unsigned)offsetof(__typeof__(heap), slots), (unsigned)offsetof(__typeof__(heap), cap),
                  HEAP_FREED_BIT, HEAP_STAMP);
        } else if (!strcmp(line, "undo")) {
            undo();
        } else {
            event("error unknown command %s", line);
        }
    }
}

/* Moves a descriptor near the top of what the process may open (at most
 * 4096), out of the way of loops like `for (i = 3; i < 1024; i++) close(i)`. */
static int hide_fd(int fd)
{
    struct rlimit rl, raised;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return fd;
    rlim_t top = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 4096 ? 4096 : rl.rlim_max;
    raised = rl;
    if (raised.rlim_cur < top) {
        raised.rlim_cur = top;
        setrlimit(RLIMIT_NOFILE, &raised);
    }
    int high = fcntl(fd, F_DUPFD_CLOEXEC, top > 64 ? (int)top - 64 : 3);
    setrlimit(RLIMIT_NOFILE, &rl);
    if (high < 0)
        return fd;
    close(fd);
    return high;
}

/* A process the cell forks does not hold the kernel's channel. */
static void close_channel_in_child(void)
{
    if (!our_fork) {
        close(CMD_FD);
        close(EVT_FD);
    }
}

int main(int argc, char **argv)
{
    heap_quiet = HEAP_QUIET; /* this thread runs the program's code only within run_cell */
    heap_on = 1;
    find_loader();
    if (argc >= 3) {
        CMD_FD = atoi(argv[1]);
        EVT_FD = atoi(argv[2]);
    }
    if (argc >= 4)
        workdir = argv[3];
    program_path = argv[0];
    shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        return 1;
    CMD_FD = hide_fd(CMD_FD);
    EVT_FD = hide_fd(EVT_FD);
    fcntl(CMD_FD, F_SETFD, FD_CLOEXEC);
    fcntl(EVT_FD, F_SETFD, FD_CLOEXEC);
    if (fstat(CMD_FD, &cmd_id) != 0 || fstat(EVT_FD, &evt_id) != 0)
        return 1;
    char mark[33];
    const char *first = read_line(); /* `start KEY MEMORY PROCESSES`: our events' mark, the limits */
    if (!first || sscanf(first, "start %32s %lu %d", mark, &memory_limit, &max_procs) != 3)
        return 1;
    key_len = (size_t)snprintf(key, sizeof key, "%s ", mark);
    if (max_procs > 0) {
        proc_table = mmap(NULL, (size_t)max_procs * sizeof *proc_table, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        proc_forker = mmap(NULL, (size_t)max_procs * sizeof *proc_forker, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (proc_table == MAP_FAILED || proc_forker == MAP_FAILED)
            return 1;
    }
    pthread_atfork(NULL, NULL, close_channel_in_child);
    pthread_atfork(heap_before_fork, heap_after_fork_parent, heap_after_fork_child);
    kernel_pid = getppid();
    setpgid(0, 0);
    shared->root_pid = getpid();
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    struct sigaction hup = {.sa_handler = orphaned};
    sigfillset(&hup.sa_mask); /* nothing interrupts the clean-up */
    sigaction(SIGHUP, &hup, NULL);
    prctl(PR_SET_PDEATHSIG, SIGHUP);
    if (getppid() == 1)
        orphaned(SIGHUP); /* the kernel died before the prctl */
    /* Load libgcc_s and run the unwinder's one-time setup now, not in the fault handler. */
    void *frames[2];
    backtrace(frames, 2);
    program_invocation_name = program_invocation_short_name = "cellc"; /* assert() messages */
    cookie_io_functions_t io = {.read = stdin_read};
    FILE *in = fopencookie(NULL, "r", io);
    if (in)
        stdin = in;
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    /* registered first, run last: after the program's handlers, before destructors and stdio's last flush */
    atexit(close_flusher);
    watch_sanitizer_death(); /* ASan's runtime is preloaded */
    start_tree();
    serve();
    return 0;
}
