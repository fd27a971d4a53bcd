#include <stdio.h>

struct color { int r, g, b; };

struct config {
    const char *name;
    int width, height;
    double scale;
    struct color color;
    unsigned flags;
};

struct config cfg = {
    .name = "main",
    .height = 480,
    .width = 640,
    .color = { .g = 255 },
    .scale = 1.5,
};

struct config cfg2 = { .color.r = 1, .color.b = 3, .name = "second", .flags = 0x10 };

struct config cfgs[] = {
    [1] = { .name = "b", .width = 2 },
    [0] = { .name = "a", .height = 1 },
    [2].name = "c", [2].scale = 0.25,
};

static void show(const struct config *c)
{
    printf("%s: %dx%d scale=%.2f rgb=(%d,%d,%d) flags=%#x\n",
           c->name, c->width, c->height, c->scale,
           c->color.r, c->color.g, c->color.b, c->flags);
}

int main(void)
{
    size_t i;
    show(&cfg);
    show(&cfg2);
    for (i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++)
        show(&cfgs[i]);
    struct config local = { .name = "local", .color = cfg.color, .width = cfg.width / 2 };
    show(&local);
    local = (struct config){ .name = "reset", .flags = 1 };
    show(&local);
    return 0;
}
