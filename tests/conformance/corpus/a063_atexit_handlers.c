#include <stdio.h>
#include <stdlib.h>

static int resources_open;
static const char *phase = "startup";

static void close_log(void)
{
    printf("atexit: close_log (phase=%s)\n", phase);
}

static void release_resources(void)
{
    printf("atexit: releasing %d resources\n", resources_open);
    resources_open = 0;
}

static void final_report(void)
{
    printf("atexit: final report, resources_open=%d\n", resources_open);
}

static void open_resource(const char *name)
{
    resources_open++;
    printf("opened %s (%d open)\n", name, resources_open);
}

int main(void)
{
    /* Handlers run in reverse order of registration after main returns. */
    if (atexit(final_report) != 0 || atexit(release_resources) != 0 || atexit(close_log) != 0)
        return 1;
    printf("registered 3 handlers\n");
    phase = "running";
    open_resource("db");
    open_resource("cache");
    open_resource("socket");
    phase = "shutdown";
    printf("main returning\n");
    return 0;
}
