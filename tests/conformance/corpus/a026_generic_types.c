#include <stdio.h>
#include <stddef.h>

#define type_name(x) _Generic((x),                  \
    _Bool: "_Bool",                                 \
    char: "char", signed char: "signed char",       \
    unsigned char: "unsigned char",                 \
    short: "short", unsigned short: "unsigned short", \
    int: "int", unsigned: "unsigned int",           \
    long: "long", unsigned long: "unsigned long",   \
    long long: "long long",                         \
    float: "float", double: "double",               \
    long double: "long double",                     \
    char *: "char *", const char *: "const char *", \
    int *: "int *",                                 \
    default: "other")

char c = 'x';
unsigned short us = 7;
float f = 1.0f;
int arr[3];
struct thing { int v; } thing;

int main(void)
{
    printf("'a'        -> %s\n", type_name('a'));
    printf("c          -> %s\n", type_name(c));
    printf("c + 0      -> %s\n", type_name(c + 0));
    printf("us         -> %s\n", type_name(us));
    printf("us * us    -> %s\n", type_name(us * us));
    printf("1u + 1L    -> %s\n", type_name(1u + 1L));
    printf("f          -> %s\n", type_name(f));
    printf("f * 2.0    -> %s\n", type_name(f * 2.0));
    printf("1.0L       -> %s\n", type_name(1.0L));
    printf("arr        -> %s\n", type_name(arr));
    printf("\"str\"      -> %s\n", type_name("str"));
    printf("sizeof(int)-> %s\n", type_name(sizeof(int)));
    printf("thing      -> %s\n", type_name(thing));
    printf("(_Bool)3   -> %s\n", type_name((_Bool)3));
    printf("ptrdiff    -> %s\n", type_name(arr - arr));
    return 0;
}
