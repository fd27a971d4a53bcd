/* Globals and functions declared again, compatibly, the way a header shared by
   several files repeats what one of them defines: extern declarations after
   the definition, tentative definitions, an array declared without its size,
   a typedef'd spelling of the same type, and a prototype repeated after the body. */
#include <stdio.h>

int counter = 5;
static const char *names[] = { "zero", "one", "two", "three" };
double scale[3] = { 0.5, 1.5, 2.5 };
struct config {
    int verbose;
    const char *mode;
} config = { 1, "fast" };

/* "header" declarations, repeated after the definitions */
extern int counter;
extern double scale[];
extern struct config config;
typedef int count_t;
extern count_t counter;
int counter; /* a tentative definition: the value stays */
long total(int n);
extern int bump(void);

int bump(void)
{
    return ++counter;
}

long total(int n)
{
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += (long)(scale[i % 3] * 10) + counter;
    return sum;
}

int bump(void); /* again after the body */
extern long total(int);

int main(void)
{
    printf("counter = %d\n", counter);
    bump();
    bump();
    printf("counter = %d, sizeof scale = %zu\n", counter, sizeof scale);
    printf("total(4) = %ld\n", total(4));
    config.verbose = 0;
    printf("config: %d %s, %s\n", config.verbose, config.mode, names[counter % 4]);
    return counter == 7 ? 0 : 1;
}
