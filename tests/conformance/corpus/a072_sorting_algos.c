#include <stdio.h>
#include <string.h>

#define LEN 12

static const int input[LEN] = { 29, -3, 14, 0, 88, 14, 7, -42, 61, 5, 3, 100 };

static void insertion_sort(int *a, int n)
{
    for (int i = 1; i < n; i++) {
        int key = a[i], j = i - 1;
        while (j >= 0 && a[j] > key) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = key;
    }
}

static void selection_sort(int *a, int n)
{
    for (int i = 0; i < n - 1; i++) {
        int m = i;
        for (int j = i + 1; j < n; j++)
            if (a[j] < a[m])
                m = j;
        int t = a[i]; a[i] = a[m]; a[m] = t;
    }
}

static void merge_sort(int *a, int *tmp, int n)
{
    if (n < 2)
        return;
    int h = n / 2;
    merge_sort(a, tmp, h);
    merge_sort(a + h, tmp, n - h);
    int i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, (size_t)n * sizeof *a);
}

static int is_sorted(const int *a, int n)
{
    for (int i = 1; i < n; i++)
        if (a[i - 1] > a[i])
            return 0;
    return 1;
}

static void show(const char *name, const int *a)
{
    printf("%-10s:", name);
    for (int i = 0; i < LEN; i++)
        printf(" %d", a[i]);
    printf("  sorted=%d\n", is_sorted(a, LEN));
}

int main(void)
{
    int a[LEN], tmp[LEN];
    show("input", input);
    memcpy(a, input, sizeof a);
    insertion_sort(a, LEN);
    show("insertion", a);
    memcpy(a, input, sizeof a);
    selection_sort(a, LEN);
    show("selection", a);
    memcpy(a, input, sizeof a);
    merge_sort(a, tmp, LEN);
    show("merge", a);
    printf("median = %d\n", (a[LEN / 2 - 1] + a[LEN / 2]) / 2);
    return 0;
}
