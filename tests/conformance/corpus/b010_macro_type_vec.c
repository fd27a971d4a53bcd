/* Macros that expand to types: an anonymous generic vector struct. */
#include <stdio.h>
#include <stdlib.h>

#define VEC(T) struct { T *data; size_t n; size_t cap; }
#define PAIR(T) struct { T first, second; }
#define PTR_TO(T) T *
#define VEC_INIT { NULL, 0, 0 }
#define VEC_PUSH(v, x)                                                   \
    do {                                                                 \
        if ((v).n == (v).cap) {                                          \
            (v).cap = (v).cap ? (v).cap * 2 : 4;                         \
            (v).data = xrealloc((v).data, (v).cap * sizeof *(v).data);   \
        }                                                                \
        (v).data[(v).n++] = (x);                                         \
    } while (0)
#define VEC_FREE(v) (free((v).data), (v).data = NULL, (v).n = (v).cap = 0)

typedef VEC(int) int_vec;
typedef VEC(double) dbl_vec;
typedef PAIR(long) long_pair;

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size);
    if (q == NULL) {
        printf("out of memory\n");
        exit(1);
    }
    return q;
}

static long sum_ints(const int_vec *v)
{
    long s = 0;
    size_t i;
    for (i = 0; i < v->n; i++)
        s += v->data[i];
    return s;
}

int main(void)
{
    int_vec iv = VEC_INIT;
    dbl_vec dv = VEC_INIT;
    long_pair lp = { 40000000000L, 2L };
    PTR_TO(long) pl = &lp.first;
    int i;

    for (i = 1; i <= 10; i++)
        VEC_PUSH(iv, i * i);
    for (i = 0; i < 5; i++)
        VEC_PUSH(dv, i / 4.0);
    printf("iv: n=%zu cap=%zu sum=%ld\n", iv.n, iv.cap, sum_ints(&iv));
    printf("iv last = %d\n", iv.data[iv.n - 1]);
    printf("dv: n=%zu cap=%zu\n", dv.n, dv.cap);
    for (i = 0; i < (int)dv.n; i++)
        printf("  dv[%d] = %.2f\n", i, dv.data[i]);
    printf("pair: %ld %ld via ptr %ld\n", lp.first, lp.second, *pl);
    VEC_FREE(iv);
    VEC_FREE(dv);
    printf("after free: n=%zu cap=%zu\n", iv.n, iv.cap);
    return 0;
}
