#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>
#include <stddef.h>

static const char *items[] = { "apple", "kiwi", "watermelon" };
static const double prices[] = { 1.25, 0.5, 3.999 };
static int date_parts[3] = { 2024, 12, 31 };

static void table(void)
{
    printf("+------------+--------+\n");
    for (int i = 0; i < 3; i++)
        printf("| %-10.10s | %6.2f |\n", items[i], prices[i]);
    printf("+------------+--------+\n");
}

int main(void)
{
    int n = 42, w = 8, written;
    signed char hh = -5;
    long long big = -9007199254740993LL;
    uint64_t u64 = UINT64_C(18446744073709551615);
    intmax_t im = INTMAX_C(-123456789);
    ptrdiff_t pd = -17;

    printf("[%d] [%5d] [%-5d] [%05d] [%+d] [% d]\n", n, n, n, n, n, n);
    printf("[%x] [%X] [%#x] [%o] [%#o] [%#X]\n", 255, 255, 255, 8, 8, 0);
    printf("[%*d] [%-*d] [%.*f]\n", w, n, w, n, 2, 3.14159);
    printf("[%c%c%c] [%%] [%5s] [%-5s] [%.2s]\n", 'a', 'b', 'c', "ab", "ab", "abcdef");
    printf("[%hhd] [%hd] [%ld] [%lld]\n", hh, (short)40000, 123456789L, big);
    printf("[%" PRIu64 "] [%" PRIx64 "] [%jd] [%td] [%zu]\n", u64, u64, im, pd, sizeof(int));
    printf("[%.3d] [%8.3d] [%-8.3d|]\n", 7, 7, 7);
    printf("[%e] [%.0e] [%G] [%#.0f]\n", 12345.678, 12345.678, 0.00001234, 3.0);
    written = printf("%s\n", "count me");
    printf("printf returned %d\n", written);
    char buf[8];
    int need = snprintf(buf, sizeof buf, "%d-%d-%d", date_parts[0], date_parts[1], date_parts[2]);
    printf("snprintf wanted %d, buffer holds \"%s\"\n", need, buf);
    table();
    return 0;
}
