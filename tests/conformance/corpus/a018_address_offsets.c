#include <stdio.h>
#include <stddef.h>

char text[] = "abcdefghij";
char *mid = text + 5;
char *near_end = &text[sizeof text - 2];

struct rec {
    int id;
    char tag[4];
    double val;
};

struct rec recs[3] = {
    { 1, "one", 1.5 },
    { 2, "two", 2.5 },
    { 3, "thr", 3.5 },
};

int *id2 = &recs[2].id;
char *tag1 = recs[1].tag + 1;
double *v0 = &recs[0].val;
struct rec *last = recs + 2;
const size_t off_val = offsetof(struct rec, val);
const size_t off_tag = offsetof(struct rec, tag);

int main(void)
{
    printf("mid = %s\n", mid);
    printf("*near_end = %c\n", *near_end);
    printf("near_end - text = %td\n", near_end - text);
    printf("*id2 = %d\n", *id2);
    printf("tag1 = %s\n", tag1);
    printf("*v0 = %.1f\n", *v0);
    printf("last->tag = %s\n", last->tag);
    printf("offsetof val = %zu, tag = %zu\n", off_val, off_tag);
    printf("sizeof(struct rec) = %zu\n", sizeof(struct rec));
    printf("last - recs = %td\n", last - recs);
    return 0;
}
