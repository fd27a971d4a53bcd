/* Binary search (K&R 3.3), lower/upper bound, occurrence count, integer sqrt. */
#include <stdio.h>

#define NELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const int sorted[] = { 1, 3, 3, 3, 7, 9, 12, 15, 15, 20, 28, 31 };

/* binsearch: find x in v[0] <= v[1] <= ... <= v[n-1] */
static int binsearch(int x, const int v[], int n)
{
    int low = 0, high = n - 1, mid;

    while (low <= high) {
        mid = (low + high) / 2;
        if (x < v[mid])
            high = mid - 1;
        else if (x > v[mid])
            low = mid + 1;
        else
            return mid;
    }
    return -1;
}

static int lower_bound(const int *v, int n, int x)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static int upper_bound(const int *v, int n, int x)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] <= x) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static unsigned isqrt(unsigned long n)
{
    unsigned long lo = 0, hi = n < 2 ? n : n / 2 + 1, ans = 0;
    while (lo <= hi) {
        unsigned long mid = lo + (hi - lo) / 2;
        if (mid * mid <= n) { ans = mid; lo = mid + 1; }
        else hi = mid - 1;
    }
    return (unsigned)ans;
}

int main(void)
{
    static const int probes[] = { 1, 3, 8, 15, 31, 0, 40 };
    int i, n = NELEMS(sorted);

    for (i = 0; i < NELEMS(probes); i++) {
        int x = probes[i], lb = lower_bound(sorted, n, x), ub = upper_bound(sorted, n, x);
        printf("x=%2d binsearch=%2d lower=%2d upper=%2d count=%d\n",
               x, binsearch(x, sorted, n) >= 0, lb, ub, ub - lb);
    }
    printf("isqrt: %u %u %u %u %u\n", isqrt(0), isqrt(15), isqrt(16), isqrt(1000000), isqrt(4294967295UL));
    return 0;
}
