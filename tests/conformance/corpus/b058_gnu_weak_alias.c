/* __attribute__((weak)) definitions and references (alias is not: README, Conformance). */
#include <stdio.h>

/* weak default implementation; a strong definition elsewhere would win */
__attribute__((weak)) const char *plugin_name(void)
{
    return "default plugin";
}

__attribute__((weak)) int config_level = 3;

/* weak reference to a symbol that is never defined: its address is null */
extern int optional_feature(void) __attribute__((weak));
extern int optional_table[] __attribute__((weak));

static int real_square(int x)
{
    return x * x;
}


int counter_impl = 11;

static int call_optional(void)
{
    if (optional_feature)
        return optional_feature();
    return -1;
}

int main(void)
{
    printf("plugin_name() = %s\n", plugin_name());
    printf("real_square(12) = %d\n", real_square(12));
    printf("config_level = %d\n", config_level);
    printf("optional_feature present: %d\n", optional_feature != NULL);
    printf("call_optional() = %d\n", call_optional());
    printf("optional_table present: %d\n", optional_table != NULL);
    return 0;
}
