/* Functions that return pointers to functions. */
#include <stdio.h>

typedef int (*op_fn)(int, int);

static int op_add(int a, int b) { return a + b; }
static int op_sub(int a, int b) { return a - b; }
static int op_max(int a, int b) { return a > b ? a : b; }

/* Without a typedef: choose takes a char and returns int (*)(int, int). */
static int (*choose(char op))(int, int)
{
    switch (op) {
    case '+': return op_add;
    case '-': return op_sub;
    default:  return op_max;
    }
}

static op_fn choose_typed(const char *name)
{
    return name[0] == 'a' ? op_add : op_sub;
}

typedef op_fn (*chooser_fn)(char);
static chooser_fn get_chooser(void) { return choose; }

static int counter_value;
static void inc(void) { counter_value++; }
static void dec(void) { counter_value--; }
static void (*pick_step(int up))(void) { return up ? inc : dec; }

int main(void)
{
    printf("choose('+')(7, 3) = %d\n", choose('+')(7, 3));
    printf("choose('-')(7, 3) = %d\n", choose('-')(7, 3));
    printf("choose('?')(7, 3) = %d\n", choose('?')(7, 3));
    printf("choose_typed(\"add\")(1, 2) = %d\n", choose_typed("add")(1, 2));
    printf("get_chooser()('-')(10, 4) = %d\n", get_chooser()('-')(10, 4));

    int (*(*cp)(char))(int, int) = choose;
    printf("(*cp)('+')(20, 22) = %d\n", (*cp)('+')(20, 22));

    for (int i = 0; i < 5; i++)
        pick_step(i != 3)();
    printf("counter_value = %d\n", counter_value);
    return 0;
}
