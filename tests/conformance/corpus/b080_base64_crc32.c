/* Base64 encode/decode of fixed strings and CRC-32 with a runtime-built table. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define CRC32_POLY 0xEDB88320u

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static uint32_t crc_table[256];

static void crc32_init(void)
{
    uint32_t c;
    int n, k;
    for (n = 0; n < 256; n++) {
        for (c = (uint32_t)n, k = 0; k < 8; k++)
            c = (c & 1) ? CRC32_POLY ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc32(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t c = 0xFFFFFFFFu;
    while (len--)
        c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t i, o = 0;
    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        out[o++] = b64chars[(v >> 18) & 63];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64chars[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

static size_t b64_decode(const char *in, unsigned char *out)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    const char *p;
    for (; *in && *in != '='; in++) {
        if ((p = strchr(b64chars, *in)) == NULL)
            continue;
        acc = (acc << 6) | (uint32_t)(p - b64chars);
        if ((bits += 6) >= 8)
            out[o++] = (unsigned char)(acc >> (bits -= 8));
    }
    return o;
}

int main(void)
{
    static const char *samples[] = { "", "f", "fo", "foo", "Hello, World!",
                                     "The quick brown fox jumps over the lazy dog" };
    char enc[128];
    unsigned char dec[128];
    size_t i, n;

    crc32_init();
    printf("crc_table[1] = %08x, crc_table[255] = %08x\n", (unsigned)crc_table[1], (unsigned)crc_table[255]);
    printf("crc32(\"123456789\") = %08x\n", (unsigned)crc32("123456789", 9));
    for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        b64_encode((const unsigned char *)samples[i], strlen(samples[i]), enc);
        n = b64_decode(enc, dec);
        printf("\"%s\" -> %s | roundtrip %s | crc32 %08x\n", samples[i], enc,
               n == strlen(samples[i]) && memcmp(dec, samples[i], n) == 0 ? "ok" : "BAD",
               (unsigned)crc32(samples[i], strlen(samples[i])));
    }
    return 0;
}
