/* <inttypes.h>: PRI/SCN macros, strtoimax/strtoumax, imaxdiv. */
#include <inttypes.h>
#include <stdio.h>
#include <errno.h>

static const char *inputs[] = { "9223372036854775807", "-42", "0x7fffffff", "077", "123abc" };

static int64_t mul_add(int64_t a, int64_t b, int64_t c)
{
    return a * b + c;
}

int main(void)
{
    int64_t big = INT64_C(1) << 40;
    uint32_t u32 = UINT32_MAX;
    uint64_t u64 = UINT64_C(0xdeadbeefcafebabe);
    int32_t parsed32 = 0;
    intmax_t im;
    uintmax_t um;
    imaxdiv_t qr;
    char *end;
    size_t i;

    printf("big = %" PRId64 "\n", big);
    printf("mul_add = %" PRId64 "\n", mul_add(big, -3, 7));
    printf("u32 = %" PRIu32 " (hex %" PRIx32 ")\n", u32, u32);
    printf("u64 = %" PRIu64 " = 0x%" PRIX64 "\n", u64, u64);
    printf("octal u16 max = %" PRIo16 "\n", (uint16_t)UINT16_MAX);
    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        im = strtoimax(inputs[i], &end, 0);
        printf("strtoimax(\"%s\") = %" PRIdMAX " rest=\"%s\"\n", inputs[i], im, end);
    }
    errno = 0;
    um = strtoumax("18446744073709551616", NULL, 10);
    printf("strtoumax overflow = %" PRIuMAX " erange=%d\n", um, errno == ERANGE);
    if (sscanf("value: -123456", "value: %" SCNd32, &parsed32) == 1)
        printf("sscanf SCNd32 -> %" PRId32 "\n", parsed32);
    qr = imaxdiv(-100, 7);
    printf("imaxdiv(-100, 7) = %" PRIdMAX " rem %" PRIdMAX "\n", qr.quot, qr.rem);
    printf("imaxabs(-5) = %" PRIdMAX "\n", imaxabs(-5));
    printf("INTMAX_MAX = %" PRIdMAX "\n", INTMAX_MAX);
    return 0;
}
