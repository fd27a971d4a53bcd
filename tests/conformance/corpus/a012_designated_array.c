#include <stdio.h>

int primes[10] = { [0] = 2, [1] = 3, [4] = 11, 13, 17 };   /* continues after [4] */
int sparse[] = { [9] = 1, [2] = 5 };                      /* size 10 */
const char *digits[] = { [3] = "three", [0] = "zero", [1] = "one" };
int grid[3][3] = { [1][1] = 5, [2] = { 7, 8, 9 } };
char vowel[26] = { ['a' - 'a'] = 1, ['e' - 'a'] = 1, ['i' - 'a'] = 1,
                   ['o' - 'a'] = 1, ['u' - 'a'] = 1 };

enum { SLOT_A, SLOT_B, SLOT_C, NSLOTS };
static const int slot_cost[NSLOTS] = { [SLOT_C] = 30, [SLOT_A] = 10 };

static int count_vowels(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z' && vowel[*s - 'a'])
            n++;
    return n;
}

int main(void)
{
    int i, j;
    printf("primes:");
    for (i = 0; i < 10; i++)
        printf(" %d", primes[i]);
    printf("\nsizeof sparse / sizeof *sparse = %zu\n", sizeof sparse / sizeof *sparse);
    printf("sparse[2] = %d, sparse[9] = %d\n", sparse[2], sparse[9]);
    printf("sizeof digits = %zu\n", sizeof digits);
    for (i = 0; i < 4; i++)
        printf("digits[%d] = %s\n", i, digits[i] ? digits[i] : "(none)");
    for (i = 0; i < 3; i++) {
        for (j = 0; j < 3; j++)
            printf("%d ", grid[i][j]);
        printf("\n");
    }
    printf("vowels in \"designated initializer\" = %d\n",
           count_vowels("designated initializer"));
    printf("slot costs: %d %d %d\n", slot_cost[0], slot_cost[1], slot_cost[2]);
    return 0;
}
