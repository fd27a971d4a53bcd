/* <stdio.h>: printf/snprintf conversions and sscanf of fixed strings. */
#include <stdio.h>
#include <string.h>

#define LINE(...) do { int n_ = printf(__VA_ARGS__); printf(" (%d chars)\n", n_); } while (0)

static char long_word[] = "overflow";

struct person {
    char name[16];
    int age;
    double score;
};

static int parse_person(const char *text, struct person *p)
{
    int consumed = 0;
    int n = sscanf(text, "name=%15[^;]; age=%d; score=%lf%n", p->name, &p->age, &p->score, &consumed);
    return n == 3 ? consumed : -1;
}

int main(void)
{
    char small[8];
    int r, hh, mm, ss;
    unsigned hexval;
    char word[10];
    struct person p;

    LINE("[%5d|%-5d|%05d|%+d]", 42, 42, 42, 42);
    LINE("[%x|%X|%#x|%o|%#o]", 255u, 255u, 255u, 8u, 8u);
    LINE("[%8.3f|%-8.2f|%e|%g|%g]", 3.14159, 2.5, 12345.678, 0.0001, 1e20);
    LINE("[%s|%10s|%-10s|%.3s]", "abc", "right", "left", "truncate");
    LINE("[%c%c%c|%%|%*d|%-*d]", 'x', 'y', 'z', 6, 7, 4, 9);
    LINE("[%ld|%lld|%hhd|%hu|%zu]", -1L, 1LL << 40, (signed char)-3, (unsigned short)65535, sizeof(int));
    r = snprintf(small, sizeof small, "%s-%d", long_word, 12345);
    printf("snprintf returned %d, buffer holds \"%s\" (len %zu)\n", r, small, strlen(small));
    r = snprintf(NULL, 0, "%d items", 1000);
    printf("snprintf(NULL, 0) needs %d chars\n", r);
    r = sscanf("12:34:56", "%d:%d:%d", &hh, &mm, &ss);
    printf("sscanf time: %d fields -> %02d h %02d m %02d s\n", r, hh, mm, ss);
    r = sscanf("0x1fz rest", "%x%9s", &hexval, word);
    printf("sscanf hex: %d fields -> %u, \"%s\"\n", r, hexval, word);
    r = parse_person("name=Ada Lovelace; age=36; score=99.5 extra", &p);
    printf("parse_person consumed %d: %s / %d / %.1f\n", r, p.name, p.age, p.score);
    r = sscanf("abc", "%d", &hh);
    printf("sscanf mismatch returns %d\n", r);
    r = sscanf("", "%d", &hh);
    printf("sscanf on empty returns EOF: %d\n", r == EOF);
    return 0;
}
