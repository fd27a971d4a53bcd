/* const-qualified pointers at file scope. */
#include <stdio.h>

int g = 10;
int h = 20;
int *const p = &g;              /* const pointer to int */
static int *const q = &g;       /* internal linkage const pointer */
const int *pc = &h;             /* pointer to const int */
const int *const pcc = &h;      /* const pointer to const int */
int *const *ppc = &p;           /* pointer to const pointer */
static const int limits[] = {1, 5, 25};
const int *lp = &limits[1];

static int read_only(const int *v) { return *v + 1; }

int main(void)
{
    printf("*p = %d, *q = %d\n", *p, *q);
    *p = 11;
    printf("g after *p = 11: %d\n", g);
    printf("p == q: %d\n", p == q);
    printf("*pc = %d, *pcc = %d\n", *pc, *pcc);
    pc = &g;                    /* the pointer itself may change */
    printf("*pc now = %d\n", *pc);
    **ppc += 5;
    printf("g after **ppc += 5: %d\n", g);
    printf("*lp = %d, lp[1] = %d\n", *lp, lp[1]);
    printf("read_only(pcc) = %d\n", read_only(pcc));
    h = 99;
    printf("*pcc sees h = %d\n", *pcc);
    return 0;
}
