/* <stdbool.h> and <stddef.h>: bool conversions, offsetof, size_t, ptrdiff_t, NULL. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct packet {
    char kind;
    int length;
    double stamp;
    char payload[5];
    short check;
};

static const int values[] = { 10, 20, 30, 40, 50, 60 };

static bool is_even(int x)
{
    return x % 2 == 0;
}

static const int *find(const int *a, size_t n, int key)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (a[i] == key)
            return &a[i];
    return NULL;
}

int main(void)
{
    size_t n = sizeof values / sizeof values[0];
    const int *hit = find(values, n, 40);
    const int *miss = find(values, n, 45);
    ptrdiff_t diff = &values[n - 1] - &values[1];
    bool b1 = 0.5, b2 = 256, b3 = 0;

    printf("sizeof(bool) = %zu, true = %d, false = %d\n", sizeof(bool), true, false);
    printf("(bool)0.5 = %d, (bool)256 = %d, (bool)0 = %d\n", b1, b2, b3);
    printf("is_even(4) = %d, is_even(7) = %d\n", is_even(4), is_even(7));
    printf("__bool_true_false_are_defined = %d\n", __bool_true_false_are_defined);
    printf("offsetof kind=%zu length=%zu stamp=%zu payload=%zu check=%zu\n",
           offsetof(struct packet, kind), offsetof(struct packet, length),
           offsetof(struct packet, stamp), offsetof(struct packet, payload),
           offsetof(struct packet, check));
    printf("sizeof(struct packet) = %zu\n", sizeof(struct packet));
    printf("hit index = %td, miss is NULL = %d\n", hit - values, miss == NULL);
    printf("ptrdiff last-second = %td\n", diff);
    printf("sizeof(size_t)=%zu sizeof(ptrdiff_t)=%zu sizeof(wchar_t)=%zu\n",
           sizeof(size_t), sizeof(ptrdiff_t), sizeof(wchar_t));
    printf("NULL == (void *)0: %d\n", NULL == (void *)0);
    return 0;
}
