/* Quicksort (K&R recursive version) and top-down mergesort of fixed arrays. */
#include <stdio.h>
#include <string.h>

#define LEN 16

static const int input[LEN] = { 38, 27, 43, 3, 9, 82, 10, -5, 27, 0, 64, 15, 99, 1, -20, 50 };
static int comparisons;

static void swap(int v[], int i, int j)
{
    int temp = v[i];
    v[i] = v[j];
    v[j] = temp;
}

/* qsort: sort v[left]...v[right] into increasing order (K&R 4.10) */
static void quicksort(int v[], int left, int right)
{
    int i, last;

    if (left >= right)
        return;
    swap(v, left, (left + right) / 2);
    last = left;
    for (i = left + 1; i <= right; i++) {
        comparisons++;
        if (v[i] < v[left])
            swap(v, ++last, i);
    }
    swap(v, left, last);
    quicksort(v, left, last - 1);
    quicksort(v, last + 1, right);
}

static void merge_sort(int *a, int *tmp, int n)
{
    int mid = n / 2, i = 0, j = mid, k = 0;

    if (n < 2)
        return;
    merge_sort(a, tmp, mid);
    merge_sort(a + mid, tmp, n - mid);
    while (i < mid && j < n) {
        comparisons++;
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    }
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static int is_sorted(const int *a, int n)
{
    int i;
    for (i = 1; i < n; i++)
        if (a[i - 1] > a[i])
            return 0;
    return 1;
}

static void show(const char *label, const int *a, int n)
{
    int i;
    printf("%-10s", label);
    for (i = 0; i < n; i++)
        printf(" %d", a[i]);
    printf("\n");
}

int main(void)
{
    int a[LEN], b[LEN], tmp[LEN];

    memcpy(a, input, sizeof a);
    memcpy(b, input, sizeof b);
    show("input", input, LEN);
    comparisons = 0;
    quicksort(a, 0, LEN - 1);
    show("quicksort", a, LEN);
    printf("quicksort comparisons = %d, sorted = %d\n", comparisons, is_sorted(a, LEN));
    comparisons = 0;
    merge_sort(b, tmp, LEN);
    show("mergesort", b, LEN);
    printf("mergesort comparisons = %d, sorted = %d\n", comparisons, is_sorted(b, LEN));
    printf("results identical = %d\n", memcmp(a, b, sizeof a) == 0);
    return 0;
}
