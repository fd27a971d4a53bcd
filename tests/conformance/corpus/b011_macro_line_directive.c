/* #line directives in user code; __LINE__ follows the new numbering. 
   conformance: whole only -- split, __LINE__ counts each cell's lines (README: Conformance). */
#include <stdio.h>

#define LINE_NOW() __LINE__
#define STR_(x) #x
#define STR(x) STR_(x)

static int before_directive(void)
{
    return __LINE__;
}

#line 1000
static int after_directive(void)
{
    return __LINE__;
}

static const int global_line = __LINE__;

#line 2000
struct marker {
    int line;
    const char *text;
};

static const struct marker markers[] = {
    { __LINE__, "first marker" },
    { __LINE__, "second marker" },
    { LINE_NOW(), "via macro" },
};

#line 300
int main(void)
{
    size_t i;

    printf("before #line: %d\n", before_directive());
    printf("after #line 1000: %d\n", after_directive());
    printf("global_line: %d\n", global_line);
    for (i = 0; i < sizeof markers / sizeof markers[0]; i++)
        printf("marker %zu: line %d (%s)\n", i, markers[i].line, markers[i].text);
    printf("in main: %d\n", __LINE__);
    printf("stringized line: %s\n", STR(__LINE__));
#line 42
    printf("reset to 42: %d\n", __LINE__);
    return 0;
}
