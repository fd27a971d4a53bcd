/* GNU case ranges: case 'a' ... 'z': and numeric ranges in switch. */
#include <stdio.h>

enum cls { C_LOWER, C_UPPER, C_DIGIT, C_SPACE, C_OTHER, C_COUNT };

static const char *cls_names[C_COUNT] = { "lower", "upper", "digit", "space", "other" };

static enum cls classify(int c)
{
    switch (c) {
    case 'a' ... 'z':
        return C_LOWER;
    case 'A' ... 'Z':
        return C_UPPER;
    case '0' ... '9':
        return C_DIGIT;
    case ' ':
    case '\t' ... '\r':
        return C_SPACE;
    default:
        return C_OTHER;
    }
}

static char grade(int score)
{
    switch (score) {
    case 90 ... 100: return 'A';
    case 80 ... 89:  return 'B';
    case 70 ... 79:  return 'C';
    case 60 ... 69:  return 'D';
    case 0 ... 59:   return 'F';
    default:         return '?';
    }
}

static int days_in_month(int m)
{
    switch (m) {
    case 2: return 28;
    case 4: case 6: case 9: case 11: return 30;
    case 1: case 3: case 5: case 7 ... 8: case 10: case 12: return 31;
    }
    return 0;
}

int main(void)
{
    const char *text = "Hello World 2024!\tOK";
    int counts[C_COUNT] = { 0 };
    const int scores[] = { 100, 93, 85, 71, 64, 12, 101 };
    const char *p;
    size_t i;
    int m;

    for (p = text; *p; p++)
        counts[classify((unsigned char)*p)]++;
    for (i = 0; i < C_COUNT; i++)
        printf("%-5s: %d\n", cls_names[i], counts[i]);
    for (i = 0; i < sizeof scores / sizeof scores[0]; i++)
        printf("score %3d -> %c\n", scores[i], grade(scores[i]));
    printf("days:");
    for (m = 1; m <= 13; m++)
        printf(" %d", days_in_month(m));
    printf("\n");
    return 0;
}
