#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct person {
    const char *name;
    int age;
};

static struct person people[] = {
    { "Mallory", 41 }, { "Alice", 30 }, { "Trent", 30 },
    { "Bob", 25 }, { "Carol", 41 }, { "Dave", 19 },
};
#define NPEOPLE (sizeof people / sizeof people[0])

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* age descending, then name ascending: a total order */
static int cmp_person(const void *a, const void *b)
{
    const struct person *p = a, *q = b;
    if (p->age != q->age)
        return q->age - p->age;
    return strcmp(p->name, q->name);
}

int main(void)
{
    int nums[] = { 42, -7, 19, 0, 1000, -300, 19, 5 };
    const char *words[] = { "pear", "apple", "fig", "banana", "cherry" };
    size_t i, nn = sizeof nums / sizeof nums[0];

    qsort(nums, nn, sizeof nums[0], cmp_int);
    printf("ints:");
    for (i = 0; i < nn; i++)
        printf(" %d", nums[i]);
    printf("\n");

    qsort(words, 5, sizeof words[0], cmp_str);
    printf("words:");
    for (i = 0; i < 5; i++)
        printf(" %s", words[i]);
    printf("\n");

    qsort(people, NPEOPLE, sizeof people[0], cmp_person);
    for (i = 0; i < NPEOPLE; i++)
        printf("%-8s %d\n", people[i].name, people[i].age);

    int key = 19;
    int *hit = bsearch(&key, nums, nn, sizeof nums[0], cmp_int);
    printf("bsearch 19: %s\n", hit ? "found" : "missing");
    key = 20;
    printf("bsearch 20: %s\n", bsearch(&key, nums, nn, sizeof nums[0], cmp_int) ? "found" : "missing");
    return 0;
}
