#include <stdio.h>

struct date {
    int year, month, day;
};

struct employee {
    const char *name;
    struct date born;
    struct {
        const char *city;
        struct { double lat, lon; } coords;
    } office;
    struct employee_stats {     /* tag declared inside, visible at file scope in C */
        int projects;
        double rating;
    } stats;
};

static struct employee staff[] = {
    { "Ada", { 1815, 12, 10 }, { "London", { 51.5, -0.13 } }, { 7, 4.9 } },
    { .name = "Grace", .born = { 1906, 12, 9 },
      .office.city = "Arlington", .office.coords.lat = 38.9, .office.coords.lon = -77.1,
      .stats = { 12, 4.8 } },
};

static struct employee_stats total;

static void print_employee(const struct employee *e)
{
    printf("%-6s born %04d-%02d-%02d in office %s (%.2f, %.2f)\n", e->name,
           e->born.year, e->born.month, e->born.day,
           e->office.city, e->office.coords.lat, e->office.coords.lon);
}

static int older(const struct date *a, const struct date *b)
{
    if (a->year != b->year) return a->year < b->year;
    if (a->month != b->month) return a->month < b->month;
    return a->day < b->day;
}

int main(void)
{
    size_t n = sizeof staff / sizeof staff[0];
    for (size_t i = 0; i < n; i++) {
        print_employee(&staff[i]);
        total.projects += staff[i].stats.projects;
        total.rating += staff[i].stats.rating;
    }
    printf("total projects = %d, mean rating = %.2f\n", total.projects, total.rating / n);
    printf("Ada older than Grace: %d\n", older(&staff[0].born, &staff[1].born));
    staff[1].office.coords.lat += 1.0;
    printf("Grace lat now %.1f\n", staff[1].office.coords.lat);
    printf("sizeof(struct employee) = %zu\n", sizeof(struct employee));
    printf("sizeof staff[0].office = %zu\n", sizeof staff[0].office);
    return 0;
}
