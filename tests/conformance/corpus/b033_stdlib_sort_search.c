/* <stdlib.h>: qsort with several comparators, bsearch hits and misses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct employee {
    const char *name;
    int dept;
    int salary;
};

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_emp(const void *a, const void *b)
{
    const struct employee *e = a, *f = b;
    if (e->dept != f->dept)
        return e->dept - f->dept;
    if (e->salary != f->salary)
        return f->salary - e->salary;   /* descending */
    return strcmp(e->name, f->name);
}

int main(void)
{
    int nums[] = { 42, -7, 19, 0, 88, 3, 19, -100, 56 };
    const char *words[] = { "pear", "apple", "fig", "banana", "cherry", "date" };
    struct employee staff[] = {
        { "eve", 2, 5000 }, { "bob", 1, 4000 }, { "amy", 2, 7000 },
        { "dan", 1, 4000 }, { "cal", 3, 3000 }, { "fay", 1, 6500 },
    };
    int keys[] = { 19, 5, -100, 88 };
    const char *key = "fig";
    size_t i;

    qsort(nums, N(nums), sizeof nums[0], cmp_int);
    printf("ints:");
    for (i = 0; i < N(nums); i++)
        printf(" %d", nums[i]);
    printf("\n");
    for (i = 0; i < N(keys); i++) {
        int *hit = bsearch(&keys[i], nums, N(nums), sizeof nums[0], cmp_int);
        printf("bsearch %d: %s\n", keys[i], hit ? "found" : "missing");
    }
    qsort(words, N(words), sizeof words[0], cmp_str);
    printf("words:");
    for (i = 0; i < N(words); i++)
        printf(" %s", words[i]);
    printf("\n");
    {
        const char **w = bsearch(&key, words, N(words), sizeof words[0], cmp_str);
        printf("\"fig\" at index %td\n", w ? w - words : -1);
    }
    qsort(staff, N(staff), sizeof staff[0], cmp_emp);
    for (i = 0; i < N(staff); i++)
        printf("dept %d %-4s %5d\n", staff[i].dept, staff[i].name, staff[i].salary);
    return 0;
}
