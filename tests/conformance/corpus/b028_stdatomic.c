/* <stdatomic.h>: atomic operations in a single thread (deterministic). */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

static atomic_int counter = 0;
static _Atomic long long big_counter;
static atomic_flag spin = ATOMIC_FLAG_INIT;
static atomic_uint bits;

static int atomic_max(atomic_int *obj, int value)
{
    int cur = atomic_load(obj);
    while (cur < value && !atomic_compare_exchange_weak(obj, &cur, value))
        ;
    return atomic_load(obj);
}

int main(void)
{
    int old, expected;
    bool ok;
    int i;

    for (i = 0; i < 10; i++)
        old = atomic_fetch_add(&counter, 3);
    printf("last fetch_add returned %d, counter = %d\n", old, atomic_load(&counter));
    old = atomic_fetch_sub_explicit(&counter, 5, memory_order_relaxed);
    printf("fetch_sub returned %d, counter = %d\n", old, atomic_load(&counter));

    expected = 25;
    ok = atomic_compare_exchange_strong(&counter, &expected, 100);
    printf("CAS(25 -> 100): %d, counter = %d\n", ok, atomic_load(&counter));
    expected = 25;
    ok = atomic_compare_exchange_strong(&counter, &expected, 200);
    printf("CAS(25 -> 200): %d, expected now %d\n", ok, expected);

    old = atomic_exchange(&counter, 7);
    printf("exchange returned %d, counter = %d\n", old, atomic_load(&counter));
    printf("atomic_max(7, 50) = %d\n", atomic_max(&counter, 50));
    printf("atomic_max(50, 20) = %d\n", atomic_max(&counter, 20));

    atomic_store(&big_counter, 1LL << 40);
    atomic_fetch_add(&big_counter, 1);
    printf("big_counter = %lld\n", atomic_load(&big_counter));

    atomic_fetch_or(&bits, 0x0f);
    atomic_fetch_and(&bits, 0x3c);
    atomic_fetch_xor(&bits, 0x01);
    printf("bits = 0x%x\n", atomic_load(&bits));

    printf("first test_and_set: %d\n", atomic_flag_test_and_set(&spin));
    printf("second test_and_set: %d\n", atomic_flag_test_and_set(&spin));
    atomic_flag_clear(&spin);
    printf("after clear: %d\n", atomic_flag_test_and_set(&spin));
    printf("int lock-free: %d\n", atomic_is_lock_free(&counter));
    atomic_thread_fence(memory_order_seq_cst);
    return 0;
}
