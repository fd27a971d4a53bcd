#include <stdio.h>
#include <ctype.h>

enum state { S_START, S_SIGN, S_INT, S_FRAC, S_EXP_MARK, S_EXP_SIGN, S_EXP, S_ERROR, N_STATES };
enum cls { C_DIGIT, C_DOT, C_E, C_SIGN, C_OTHER, N_CLASSES };

static const char *const state_names[N_STATES] = {
    "START", "SIGN", "INT", "FRAC", "EXP_MARK", "EXP_SIGN", "EXP", "ERROR",
};

/* transition[state][class]; unlisted entries are 0 (S_START), so list every row fully */
static const enum state transition[N_STATES][N_CLASSES] = {
    [S_START]    = { S_INT,   S_ERROR, S_ERROR,    S_SIGN,     S_ERROR },
    [S_SIGN]     = { S_INT,   S_ERROR, S_ERROR,    S_ERROR,    S_ERROR },
    [S_INT]      = { S_INT,   S_FRAC,  S_EXP_MARK, S_ERROR,    S_ERROR },
    [S_FRAC]     = { S_FRAC,  S_ERROR, S_EXP_MARK, S_ERROR,    S_ERROR },
    [S_EXP_MARK] = { S_EXP,   S_ERROR, S_ERROR,    S_EXP_SIGN, S_ERROR },
    [S_EXP_SIGN] = { S_EXP,   S_ERROR, S_ERROR,    S_ERROR,    S_ERROR },
    [S_EXP]      = { S_EXP,   S_ERROR, S_ERROR,    S_ERROR,    S_ERROR },
    [S_ERROR]    = { S_ERROR, S_ERROR, S_ERROR,    S_ERROR,    S_ERROR },
};

static const int accepting[N_STATES] = { [S_INT] = 1, [S_FRAC] = 1, [S_EXP] = 1 };

static enum cls classify(char c)
{
    if (isdigit((unsigned char)c)) return C_DIGIT;
    if (c == '.') return C_DOT;
    if (c == 'e' || c == 'E') return C_E;
    if (c == '+' || c == '-') return C_SIGN;
    return C_OTHER;
}

static enum state run(const char *s, int *steps)
{
    enum state st = S_START;
    *steps = 0;
    for (; *s && st != S_ERROR; s++, ++*steps)
        st = transition[st][classify(*s)];
    return st;
}

int main(void)
{
    static const char *const inputs[] = { "42", "-3.14", "6.02e23", "1e+", "1.2.3", "abc", "7E-2", "-", "" };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        int steps;
        enum state end = run(inputs[i], &steps);
        printf("%-8s -> %-8s after %d steps: %s\n", inputs[i], state_names[end], steps,
               accepting[end] ? "number" : "rejected");
    }
    return 0;
}
