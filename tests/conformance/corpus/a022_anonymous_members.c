/* C11 anonymous structures and unions as members. */
#include <stdio.h>

typedef union {
    struct { float x, y, z; };
    float v[3];
} vec3;

struct shape {
    int kind;
    union {
        struct { double w, h; };
        double radius;
    };
    const char *label;
};

enum { RECT, CIRCLE };

vec3 up = { .y = 1.0f };
struct shape shapes[] = {
    { .kind = RECT, .w = 3.0, .h = 4.0, .label = "rect" },
    { .kind = CIRCLE, .radius = 2.0, .label = "circle" },
};

static double area(const struct shape *s)
{
    if (s->kind == RECT)
        return s->w * s->h;
    return 3.14159265358979 * s->radius * s->radius;
}

static float dot(vec3 a, vec3 b)
{
    float s = 0;
    for (int i = 0; i < 3; i++)
        s += a.v[i] * b.v[i];
    return s;
}

int main(void)
{
    vec3 a = { .x = 1, .y = 2, .z = 3 };
    printf("up.v = %.1f %.1f %.1f\n", up.v[0], up.v[1], up.v[2]);
    printf("a.z via v[2] = %.1f\n", a.v[2]);
    printf("dot(a, up) = %.1f\n", dot(a, up));
    printf("dot(a, a) = %.1f\n", dot(a, a));
    for (int i = 0; i < 2; i++)
        printf("%s area = %.3f\n", shapes[i].label, area(&shapes[i]));
    printf("sizeof(vec3) = %zu, sizeof(struct shape) = %zu\n", sizeof(vec3), sizeof(struct shape));
    shapes[1].radius = 0.5;
    printf("circle area now = %.4f\n", area(&shapes[1]));
    return 0;
}
