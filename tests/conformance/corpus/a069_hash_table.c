/* A chained hash table with string keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 8

struct entry {
    char *key;
    int value;
    struct entry *next;
};

static struct entry *buckets[NBUCKETS];
static size_t n_entries;

static unsigned hash(const char *s)
{
    unsigned h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h % NBUCKETS;
}

static void put(const char *key, int value)
{
    unsigned b = hash(key);
    for (struct entry *e = buckets[b]; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            e->value = value;
            return;
        }
    struct entry *e = malloc(sizeof *e);
    e->key = malloc(strlen(key) + 1);
    strcpy(e->key, key);
    e->value = value;
    e->next = buckets[b];
    buckets[b] = e;
    n_entries++;
}

static const int *get(const char *key)
{
    for (struct entry *e = buckets[hash(key)]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return &e->value;
    return NULL;
}

static void clear(void)
{
    for (int b = 0; b < NBUCKETS; b++)
        while (buckets[b]) {
            struct entry *e = buckets[b];
            buckets[b] = e->next;
            free(e->key);
            free(e);
        }
    n_entries = 0;
}

int main(void)
{
    static const char *const words[] = { "one", "two", "three", "four", "five", "six", "two", "one" };
    for (int i = 0; i < 8; i++)
        put(words[i], i + 1);
    printf("entries = %zu\n", n_entries);
    for (int i = 0; i < 6; i++) {
        const int *v = get(words[i]);
        printf("%-5s bucket %u -> %d\n", words[i], hash(words[i]), v ? *v : -1);
    }
    printf("get(\"seven\") = %s\n", get("seven") ? "found" : "NULL");
    clear();
    printf("after clear: entries = %zu, get(\"one\") = %s\n", n_entries, get("one") ? "found" : "NULL");
    return 0;
}
