/* <stdlib.h>: malloc/calloc/realloc/free and atexit handlers (LIFO order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int *history;
static size_t history_len;

static void bye_first(void)
{
    printf("atexit: registered first, runs last\n");
}

static void bye_second(void)
{
    printf("atexit: registered second, runs first\n");
}

static void release_history(void)
{
    printf("atexit: freeing history of %zu entries\n", history_len);
    free(history);
    history = NULL;
}

static int record(int v)
{
    int *p = realloc(history, (history_len + 1) * sizeof *p);
    if (p == NULL)
        return -1;
    history = p;
    history[history_len++] = v;
    return 0;
}

int main(void)
{
    int *zeros = calloc(8, sizeof *zeros);
    char *s = malloc(6);
    size_t i;
    int sum = 0;

    atexit(bye_first);
    atexit(release_history);
    atexit(bye_second);

    for (i = 0; i < 8; i++)
        sum += zeros[i];
    printf("calloc'd sum = %d\n", sum);
    free(zeros);

    strcpy(s, "hello");
    s = realloc(s, 13);
    strcat(s, ", world");
    printf("grown string: %s (%zu)\n", s, strlen(s));
    free(s);

    for (i = 1; i <= 5; i++)
        record((int)(i * i));
    printf("history:");
    for (i = 0; i < history_len; i++)
        printf(" %d", history[i]);
    printf("\n");
    free(NULL);
    printf("free(NULL) is a no-op\n");
    printf("main returning\n");
    return 0;
}
