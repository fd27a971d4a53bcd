/* <stdio.h>: tmpfile, fputs/fprintf, rewind, fgets, fseek/ftell, fread/fwrite, mkstemp. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NRECS 4

struct rec {
    int id;
    double value;
};

static int text_roundtrip(void)
{
    FILE *fp = tmpfile();
    char line[64];
    int n = 0, c;

    if (fp == NULL)
        return -1;
    fputs("first line\n", fp);
    fprintf(fp, "second %d\n", 2);
    fputs("third\n", fp);
    printf("ftell after writing = %ld\n", ftell(fp));
    rewind(fp);
    while (fgets(line, sizeof line, fp) != NULL)
        printf("read %d: %s", ++n, line);
    fseek(fp, 6, SEEK_SET);
    c = fgetc(fp);
    ungetc('L', fp);
    fgets(line, sizeof line, fp);
    printf("at offset 6: '%c', after ungetc: %s", c, line);
    printf("feof before extra read: %d\n", feof(fp) != 0);
    fclose(fp);
    return n;
}

static int binary_roundtrip(void)
{
    char path[] = "/tmp/b032XXXXXX";
    struct rec out[NRECS], in[NRECS];
    int fd = mkstemp(path), i, same;
    FILE *fp;
    size_t got;

    if (fd < 0)
        return -1;
    fp = fdopen(fd, "w+b");
    for (i = 0; i < NRECS; i++) {
        out[i].id = i * 11;
        out[i].value = i * 0.5;
    }
    fwrite(out, sizeof out[0], NRECS, fp);
    fflush(fp);
    fseek(fp, 0L, SEEK_END);
    printf("binary file size = %ld\n", ftell(fp));
    fseek(fp, 0L, SEEK_SET);
    got = fread(in, sizeof in[0], NRECS, fp);
    same = got == NRECS && memcmp(in, out, sizeof out) == 0;
    printf("fread got %zu records, identical = %d, in[3] = {%d, %.1f}\n", got, same, in[3].id, in[3].value);
    fclose(fp);
    printf("unlink = %d\n", unlink(path));
    return same;
}

int main(void)
{
    printf("text lines = %d\n", text_roundtrip());
    printf("binary ok = %d\n", binary_roundtrip());
    fprintf(stdout, "fprintf to stdout works\n");
    return 0;
}
