/* Hash table with separate chaining (K&R 6.6 style): install, lookup, remove. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASHSIZE 13

struct nlist {
    struct nlist *next;
    char *name;
    int count;
};

static struct nlist *hashtab[HASHSIZE];

static unsigned hash(const char *s)
{
    unsigned hashval;
    for (hashval = 0; *s != '\0'; s++)
        hashval = (unsigned char)*s + 31 * hashval;
    return hashval % HASHSIZE;
}

static struct nlist *lookup(const char *s)
{
    struct nlist *np;

    for (np = hashtab[hash(s)]; np != NULL; np = np->next)
        if (strcmp(s, np->name) == 0)
            return np;
    return NULL;
}

static struct nlist *install(const char *name)
{
    struct nlist *np = lookup(name);
    unsigned h;

    if (np == NULL) {
        np = malloc(sizeof *np);
        h = hash(name);
        *np = (struct nlist){ hashtab[h], strdup(name), 0 };
        hashtab[h] = np;
    }
    np->count++;
    return np;
}

static int undef(const char *name)
{
    struct nlist **pp;
    for (pp = &hashtab[hash(name)]; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->name, name) == 0) {
            struct nlist *dead = *pp;
            *pp = dead->next;
            free(dead->name), free(dead);
            return 1;
        }
    return 0;
}

int main(void)
{
    char text[] = "the cat and the dog and the bird saw a cat near the dog house";
    char *w;
    int i, entries = 0;
    struct nlist *np, *next;

    for (w = strtok(text, " "); w; w = strtok(NULL, " "))
        install(w);
    printf("the=%d cat=%d dog=%d fish=%s\n", lookup("the")->count, lookup("cat")->count,
           lookup("dog")->count, lookup("fish") ? "present" : "absent");
    printf("undef(\"and\") = %d\n", undef("and"));
    printf("undef(\"and\") again = %d\n", undef("and"));
    for (i = 0; i < HASHSIZE; i++) {
        if (hashtab[i] == NULL)
            continue;
        printf("bucket %2d:", i);
        for (np = hashtab[i]; np; np = np->next, entries++)
            printf(" %s(%d)", np->name, np->count);
        printf("\n");
    }
    printf("entries = %d\n", entries);
    for (i = 0; i < HASHSIZE; i++)
        for (np = hashtab[i]; np; np = next) {
            next = np->next;
            free(np->name), free(np);
        }
    return 0;
}
