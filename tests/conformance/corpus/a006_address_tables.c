#include <stdio.h>
#include <stddef.h>

int alpha = 1, beta = 2, gamma_ = 3;
int arr[8] = {0, 10, 20, 30, 40, 50, 60, 70};

int *ptrs[] = { &alpha, &beta, &gamma_, &arr[3], arr + 5, &arr[7] };
int *end = &arr[8];                 /* one past the end is allowed */
int (*row)[8] = &arr;
static int **pptr = &ptrs[2];

struct entry {
    const char *name;
    int *where;
};

struct entry entries[] = {
    { "alpha", &alpha },
    { "arr3",  &arr[3] },
    { "last",  &arr[7] },
};

#define NPTRS (sizeof ptrs / sizeof ptrs[0])

int main(void)
{
    size_t i;

    for (i = 0; i < NPTRS; i++)
        printf("*ptrs[%zu] = %d\n", i, *ptrs[i]);
    printf("ptrs[3] - arr = %td\n", ptrs[3] - arr);
    printf("end - arr = %td\n", end - arr);
    printf("(*row)[6] = %d\n", (*row)[6]);
    printf("**pptr = %d\n", **pptr);
    for (i = 0; i < sizeof entries / sizeof entries[0]; i++)
        printf("%s -> %d\n", entries[i].name, *entries[i].where);
    *entries[1].where = 333;
    printf("arr[3] now %d\n", arr[3]);
    return 0;
}
