/* Conditional compilation selecting between top-level definitions. */
#include <stdio.h>

#define BACKEND 2
#define FEATURE_FAST
#define VERSION_MAJOR 3
#define VERSION_MINOR 1

#if BACKEND == 1
static const char *backend_name(void) { return "simple"; }
#elif BACKEND == 2
static const char *backend_name(void) { return "table"; }
#else
static const char *backend_name(void) { return "unknown"; }
#endif

#ifdef FEATURE_FAST
static long triangle(long n)
{
    return n * (n + 1) / 2;
}
#else
static long triangle(long n)
{
    long s = 0;
    while (n > 0)
        s += n--;
    return s;
}
#endif

#if defined(FEATURE_FAST) && !defined(FEATURE_SLOW)
#define MODE "fast-only"
#elif defined FEATURE_SLOW
#define MODE "slow"
#else
#define MODE "none"
#endif

#if VERSION_MAJOR > 2 || (VERSION_MAJOR == 2 && VERSION_MINOR >= 5)
static int has_new_api(void) { return 1; }
#else
static int has_new_api(void) { return 0; }
#endif

#ifndef MAX_ITEMS
#define MAX_ITEMS 8
#endif

#if MAX_ITEMS * 2 > 10
static int items[MAX_ITEMS * 2];
#else
static int items[10];
#endif

#if 0
static int never_compiled(void) { return undefined_symbol; }
#endif

int main(void)
{
    printf("backend: %s\n", backend_name());
    printf("triangle(100) = %ld\n", triangle(100));
    printf("mode: %s\n", MODE);
    printf("new api: %d\n", has_new_api());
    printf("items: %zu\n", sizeof items / sizeof items[0]);
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
    printf("C11 or later\n");
#else
    printf("pre-C11\n");
#endif
#ifdef __GNUC__
    printf("GNU C compatible compiler\n");
#endif
#if !defined(UNDEFINED_THING) && (1 ? 2 : 3) == 2
    printf("ternary in #if works\n");
#endif
    return 0;
}
