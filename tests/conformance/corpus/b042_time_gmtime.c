/* <time.h>: gmtime/strftime/timegm on fixed time_t values, mktime date normalization. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BILLENNIUM ((time_t)1000000000)
#define DAY_SECONDS (24L * 60 * 60)

static const time_t samples[] = { 0, 951782400, BILLENNIUM, 1234567890, 2147483647 };

static void show(time_t t)
{
    struct tm tm;
    char buf[64];

    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a %b yday=%j", &tm);
    printf("%11lld -> %s wday=%d\n", (long long)t, buf, tm.tm_wday);
}

static int is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int main(void)
{
    struct tm tm;
    time_t back;
    char buf[64];
    size_t i;

    for (i = 0; i < sizeof samples / sizeof samples[0]; i++)
        show(samples[i]);

    memset(&tm, 0, sizeof tm);
    tm.tm_year = 2024 - 1900;
    tm.tm_mon = 1;          /* February */
    tm.tm_mday = 30;        /* normalizes to March 1 in a leap year */
    tm.tm_hour = 12;
    back = timegm(&tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    printf("timegm(2024-02-30 12:00) = %lld, normalized %s\n", (long long)back, buf);
    memset(&tm, 0, sizeof tm);
    tm.tm_year = 2023 - 1900;
    tm.tm_mon = 11;
    tm.tm_mday = 32;        /* December 32 -> January 1 */
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    if (mktime(&tm) != (time_t)-1)
        printf("mktime(2023-12-32) -> %04d-%02d-%02d wday=%d yday=%d\n", tm.tm_year + 1900,
               tm.tm_mon + 1, tm.tm_mday, tm.tm_wday, tm.tm_yday);
    printf("leap 2024=%d 1900=%d 2000=%d\n", is_leap(2024), is_leap(1900), is_leap(2000));
    printf("difftime = %.0f days\n", difftime(samples[3], samples[2]) / DAY_SECONDS);
    gmtime_r(&samples[2], &tm);
    printf("asctime-like: %.24s\n", asctime(&tm));
    printf("roundtrip ok: %d\n", timegm(&tm) == BILLENNIUM);
    return 0;
}
