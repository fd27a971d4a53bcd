#include <stdio.h>

enum color { RED, GREEN = 5, BLUE, ALPHA = -2, BETA, GAMMA = BLUE * 10 };

enum perm {
    PERM_READ  = 1 << 0,
    PERM_WRITE = 1 << 1,
    PERM_EXEC  = 1 << 2,
    PERM_ALL   = PERM_READ | PERM_WRITE | PERM_EXEC
};

typedef enum { LOW = -100, MID = 0, HIGH = 100 } level_t;

enum color favourite = BLUE;
static level_t current = LOW;

static const char *color_name(enum color c)
{
    switch (c) {
    case RED:   return "RED";
    case GREEN: return "GREEN";
    case BLUE:  return "BLUE";
    case ALPHA: return "ALPHA";
    case BETA:  return "BETA";
    case GAMMA: return "GAMMA";
    }
    return "?";
}

static void perms(unsigned p)
{
    printf("perm %u: %c%c%c\n", p,
           p & PERM_READ ? 'r' : '-', p & PERM_WRITE ? 'w' : '-', p & PERM_EXEC ? 'x' : '-');
}

int main(void)
{
    printf("RED=%d GREEN=%d BLUE=%d\n", RED, GREEN, BLUE);
    printf("ALPHA=%d BETA=%d GAMMA=%d\n", ALPHA, BETA, GAMMA);
    printf("favourite = %s (%d)\n", color_name(favourite), favourite);
    printf("color_name(BETA) = %s\n", color_name(BETA));
    perms(PERM_ALL);
    perms(PERM_READ | PERM_EXEC);
    printf("sizeof(enum color) = %zu\n", sizeof(enum color));
    current = HIGH;
    printf("current = %d, LOW < MID: %d\n", current, LOW < MID);
    return 0;
}
