"""Notebooks for the `%save`/`%load` differential tests: each is a list of
cells as users paste C (a headers cell, type cells, one function per cell,
statement cells that build data and print).  No cell prints an address or
has a pointer as its value: ASLR moves everything between two processes."""

from __future__ import annotations

HEADERS = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>"

LINKED_LIST = [
    HEADERS,
    "struct node { int value; struct node *next; };",
    "struct node *head = NULL;\nint count = 0;",
    "void push(int v) {\n"
    "    struct node *n = malloc(sizeof *n);\n"
    "    n->value = v;\n"
    "    n->next = head;\n"
    "    head = n;\n"
    "    count++;\n"
    "}",
    "int sum(void) {\n    int s = 0;\n    for (struct node *p = head; p; p = p->next) s += p->value;\n    return s;\n}",
    'for (int i = 1; i <= 10; i++) push(i * i);\nprintf("pushed %d, sum %d\\n", count, sum());',
    "void print_list(void) {\n"
    '    for (struct node *p = head; p; p = p->next) printf("%d ", p->value);\n'
    '    printf("\\n");\n'
    "}\n"
    "print_list();",
    "struct node *second = NULL;\nsecond = head->next;\nsecond->value = -1;\npush(1000);\nprint_list();\nsum()",
    "struct node *gone = second->next;\nsecond->next = gone->next;\nfree(gone);\ngone = NULL;\n"
    "count--;\nprint_list();\ncount",
    "push(7);\nsecond->value + head->value + head->next->value",
]

BINARY_TREE = [
    HEADERS,
    "struct tree { int key; char label[8]; struct tree *left, *right; };\nstruct tree *root;",
    "struct tree *insert(struct tree *t, int key) {\n"
    "    if (!t) {\n"
    "        t = calloc(1, sizeof *t);\n"
    "        t->key = key;\n"
    '        snprintf(t->label, sizeof t->label, "k%d", key);\n'
    "        return t;\n"
    "    }\n"
    "    if (key < t->key) t->left = insert(t->left, key);\n"
    "    else t->right = insert(t->right, key);\n"
    "    return t;\n"
    "}",
    'void inorder(struct tree *t) {\n    if (!t) return;\n    inorder(t->left);\n    printf("%s ", t->label);\n'
    "    inorder(t->right);\n}",
    "int keys[] = {50, 30, 70, 20, 40, 60, 80, 35, 65};\n"
    "for (int i = 0; i < 9; i++) root = insert(root, keys[i]);\n"
    'inorder(root);\nprintf("\\n");',
    "int height(struct tree *t) {\n"
    "    if (!t) return 0;\n"
    "    int l = height(t->left), r = height(t->right);\n"
    "    return 1 + (l > r ? l : r);\n"
    "}\n"
    "height(root)",
    "struct tree *find(struct tree *t, int key) {\n"
    "    while (t && t->key != key) t = key < t->key ? t->left : t->right;\n"
    "    return t;\n"
    "}\n"
    "struct tree *found = NULL;\n"
    "found = find(root, 35);\n"
    "found->label[0] = 'K';\n"
    "found->label",
    'root = insert(root, 45);\nroot = insert(root, 10);\ninorder(root);\nprintf("\\n");\nheight(root)',
    'inorder(found);\nprintf("%d %d\\n", find(root, 45)->key, find(root, 99) == NULL);\nroot->left->right->key',
]

HASH_TABLE = [
    HEADERS,
    "struct entry { char *key; int value; struct entry *next; };\n#define NBUCKETS 7",
    "struct entry *table[NBUCKETS];\nint entries;",
    "unsigned hash(const char *s) {\n"
    "    unsigned h = 5381;\n"
    "    while (*s) h = h * 33 + (unsigned char)*s++;\n"
    "    return h % NBUCKETS;\n"
    "}",
    "void put(const char *k, int v) {\n"
    "    unsigned h = hash(k);\n"
    "    for (struct entry *e = table[h]; e; e = e->next)\n"
    "        if (strcmp(e->key, k) == 0) { e->value = v; return; }\n"
    "    struct entry *e = malloc(sizeof *e);\n"
    "    e->key = strdup(k);\n"
    "    e->value = v;\n"
    "    e->next = table[h];\n"
    "    table[h] = e;\n"
    "    entries++;\n"
    "}",
    "int get(const char *k) {\n"
    "    for (struct entry *e = table[hash(k)]; e; e = e->next)\n"
    "        if (strcmp(e->key, k) == 0) return e->value;\n"
    "    return -1;\n"
    "}",
    'const char *words[] = {"apple", "banana", "cherry", "date", "elderberry",\n'
    '                       "fig", "grape", "honeydew", "kiwi", "lemon"};\n'
    "for (int i = 0; i < 10; i++) put(words[i], (int)strlen(words[i]) * 10 + i);\n"
    "entries",
    "void dump(void) {\n"
    "    for (int b = 0; b < NBUCKETS; b++) {\n"
    '        printf("%d:", b);\n'
    '        for (struct entry *e = table[b]; e; e = e->next) printf(" %s=%d", e->key, e->value);\n'
    '        printf("\\n");\n'
    "    }\n"
    "}\n"
    "dump();",
    'put("apple", 1);\nput("mango", 2);\ntable[hash("kiwi")]->key[0] = table[hash("kiwi")]->key[0];\ndump();\n'
    'get("mango") + get("kiwi") + get("nothing")',
    'printf("%s %s\\n", words[3], words[9]);\nget(words[4])',
]

FUNCTION_TABLE = [
    HEADERS,
    "int add(int a, int b) { return a + b; }",
    "int sub(int a, int b) { return a - b; }",
    "int mul(int a, int b) { return a * b; }",
    "struct op { const char *name; int (*op)(int, int); };\n"
    'struct op ops[] = { {"add", add}, {"sub", sub}, {"mul", mul} };\n'
    "struct op *dyn;\n"
    "int (*pick)(int, int) = sub;",
    "dyn = malloc(2 * sizeof *dyn);\n"
    'dyn[0] = (struct op){ "twice-add", add };\n'
    "dyn[1] = ops[2];\n"
    "void run_all(int a, int b) {\n"
    '    for (int i = 0; i < 3; i++) printf("%s(%d, %d) = %d\\n", ops[i].name, a, b, ops[i].op(a, b));\n'
    '    for (int i = 0; i < 2; i++) printf("%s -> %d\\n", dyn[i].name, dyn[i].op(a, b));\n'
    "}\n"
    "run_all(7, 3);",
    "int mul(int a, int b) { return a * b + 1000; }\nrun_all(2, 5);\npick(10, 4)",
    "int sub(int a, int b) { return b - a; }\npick(10, 4) + ops[1].op(1, 2)",
    'pick = ops[0].op;\nops[2].name = "times";\nrun_all(3, 3);\npick(20, 22)',
]

CYCLIC_GRAPH = [
    HEADERS,
    "struct gnode { int id; int ndeg, cap; struct gnode **adj; int visited; };\nstruct gnode *nodes[5];",
    "for (int i = 0; i < 5; i++) {\n    nodes[i] = calloc(1, sizeof(struct gnode));\n    nodes[i]->id = i;\n}",
    "void edge(int a, int b) {\n"
    "    struct gnode *n = nodes[a];\n"
    "    if (n->ndeg == n->cap) {\n"
    "        n->cap = n->cap ? 2 * n->cap : 1;\n"
    "        n->adj = realloc(n->adj, n->cap * sizeof *n->adj);\n"
    "    }\n"
    "    n->adj[n->ndeg++] = nodes[b];\n"
    "}",
    "edge(0, 1); edge(1, 2); edge(2, 0); edge(2, 3); edge(3, 3); edge(3, 4); edge(4, 0);",
    "int reach(struct gnode *n) {\n"
    "    if (n->visited) return 0;\n"
    "    n->visited = 1;\n"
    "    int c = 1;\n"
    "    for (int i = 0; i < n->ndeg; i++) c += reach(n->adj[i]);\n"
    "    return c;\n"
    "}\n"
    "void clear(void) { for (int i = 0; i < 5; i++) nodes[i]->visited = 0; }",
    "void show(void) {\n"
    "    for (int i = 0; i < 5; i++) {\n"
    '        printf("%d ->", nodes[i]->id);\n'
    '        for (int j = 0; j < nodes[i]->ndeg; j++) printf(" %d", nodes[i]->adj[j]->id);\n'
    '        printf("\\n");\n'
    "    }\n"
    "}\n"
    'show();\nclear();\nprintf("from 3: %d\\n", reach(nodes[3]));\nclear();\nreach(nodes[0])',
    "edge(4, 4);\nedge(1, 4);\nnodes[3]->adj[0] == nodes[3] && nodes[4]->adj[1] == nodes[4]",
    "show();\nclear();\nnodes[2]->adj[0]->adj[0]->adj[1]->adj[0]->id + reach(nodes[4]) * 100",
]

STRUCT_ARRAY = [
    HEADERS,
    "struct person { char name[12]; int age; struct person *best_friend, *boss; };",
    "struct person people[6];\n"
    'const char *names[6] = {"ada", "bob", "cy", "dee", "eve", "fay"};\n'
    "for (int i = 0; i < 6; i++) {\n"
    "    strcpy(people[i].name, names[i]);\n"
    "    people[i].age = 20 + 7 * i;\n"
    "    people[i].best_friend = &people[(i + 2) % 6];\n"
    "    people[i].boss = i ? &people[0] : NULL;\n"
    "}",
    "struct person *oldest = people + 5;\nstruct person *team;\n"
    "struct pair { int a; double b; } *pp;\ndouble *pb;\nint *page;",
    "team = malloc(3 * sizeof *team);\n"
    "for (int i = 0; i < 3; i++) {\n"
    '    snprintf(team[i].name, sizeof team[i].name, "t%d", i);\n'
    "    team[i].age = 30 + i;\n"
    "    team[i].boss = i ? &team[0] : oldest;\n"
    "    team[i].best_friend = &team[(i + 1) % 3];\n"
    "}\n"
    "pp = malloc(sizeof *pp);\n"
    "pp->a = 3;\n"
    "pp->b = 1.5;\n"
    "pb = &pp->b;\n"
    "page = &people[4].age;",
    "void show(const struct person *p) {\n"
    '    printf("%s %d friend=%s boss=%s\\n", p->name, p->age, p->best_friend->name, p->boss ? p->boss->name : "-");\n'
    "}\n"
    "for (int i = 0; i < 6; i++) show(&people[i]);\n"
    "for (int i = 0; i < 3; i++) show(&team[i]);",
    "people[2].best_friend->age += 10;\n*page += 1;\n*pb *= 4;\nteam[2].boss->boss->age\n",
    "show(&people[4]);\nshow(team[1].best_friend);\n"
    'printf("%d %.2f\\n", pp->a, *pb);\noldest->best_friend->best_friend->age',
]

TAGGED_UNION = [
    HEADERS,
    "enum kind { K_INT, K_DOUBLE, K_STR };\nstruct value { enum kind kind; union { int i; double d; char *s; } as; };",
    "struct value vals[5];\nstruct value *hv;\nint nhv;",
    "void show(struct value v) {\n"
    "    switch (v.kind) {\n"
    '    case K_INT: printf("int %d\\n", v.as.i); break;\n'
    '    case K_DOUBLE: printf("double %g\\n", v.as.d); break;\n'
    '    case K_STR: printf("str %s\\n", v.as.s); break;\n'
    "    }\n"
    "}",
    "vals[0] = (struct value){ K_INT, { .i = 42 } };\n"
    "vals[1].kind = K_DOUBLE;\n"
    "vals[1].as.d = 2.5;\n"
    "vals[2].kind = K_STR;\n"
    'vals[2].as.s = strdup("hello");\n'
    "vals[3].kind = K_STR;\n"
    'vals[3].as.s = "literal";\n'
    "vals[4] = (struct value){ K_INT, { .i = -7 } };\n"
    "for (int i = 0; i < 5; i++) show(vals[i]);",
    "hv = malloc(4 * sizeof *hv);\n"
    "hv[0] = vals[2];\n"
    "hv[1] = vals[1];\n"
    "hv[2].kind = K_STR;\n"
    'hv[2].as.s = strdup("heap string");\n'
    "hv[3] = vals[0];\n"
    "nhv = 4;\n"
    "for (int i = 0; i < nhv; i++) show(hv[i]);",
    "hv[0].as.s[0] = 'J';\nshow(vals[2]);\nvals[1].as.d *= 3;\nshow(vals[1]);\nhv[3].as.i + vals[4].as.i",
    "vals[4].kind = K_STR;\nvals[4].as.s = hv[2].as.s + 5;\nshow(vals[4]);\nshow(hv[2]);\nvals[3].as.s",
]

STATICS = [
    HEADERS,
    "int next_id(void) {\n    static int counter = 0;\n    return ++counter;\n}",
    "int other(void) {\n    static int counter = 100;\n    return counter++;\n}",
    "const char *memo(int n) {\n"
    "    static char buf[32];\n"
    "    static int calls;\n"
    "    calls++;\n"
    '    snprintf(buf, sizeof buf, "memo %d #%d", n, calls);\n'
    "    return buf;\n"
    "}",
    "int *history(int v) {\n"
    "    static int *log;\n"
    "    static int n;\n"
    "    if (!log) log = calloc(100, sizeof *log);\n"
    "    log[n++] = v;\n"
    "    return log;\n"
    "}",
    "static int hidden = 5;\nint *counter_view;\nconst char *last_memo;",
    'printf("%d %d %d\\n", next_id(), next_id(), other());\nlast_memo = memo(3);\nputs(last_memo);\n'
    "history(5);\nhistory(7);\nhidden++;",
    'printf("%d %d\\n", next_id(), other());\nputs(memo(4));\nputs(last_memo);\ncounter_view = history(9);\n'
    "counter_view[0] + counter_view[1] * 10 + counter_view[2] * 100 + hidden * 1000",
    "puts(memo(5));\nhistory(11)[3] + next_id() * 100 + other()",
]

MIDDLE_POINTERS = [
    HEADERS,
    "int garr[10];\nint *gmid = garr + 5;\nint *gend = garr + 10;\nint *harr, *hmid;",
    "for (int i = 0; i < 10; i++) garr[i] = i * i;\n"
    "harr = malloc(10 * sizeof *harr);\n"
    "for (int i = 0; i < 10; i++) harr[i] = 100 + i;\n"
    "hmid = harr + 5;",
    'printf("%d %d %d %d\\n", *gmid, gmid[-2], hmid[3], hmid[-5]);',
    "int grid[4][4];\n"
    "int (*row2)[4] = &grid[2];\n"
    "int *cell13 = &grid[1][3];\n"
    "struct point { int x, y; } pt = { 1, 2 };\n"
    "int *py = &pt.y;\n"
    'char text[] = "hello, world";\n'
    "char *word = text + 7;\n"
    "char *hs;\n"
    "char *hs_mid;",
    'hs = strdup("abcdefgh");\nhs_mid = hs + 3;\nfor (int i = 0; i < 16; i++) grid[i / 4][i % 4] = i;\n'
    'printf("%s %s %d %d %d\\n", word, hs_mid, (*row2)[1], *cell13, *py);',
    "gmid[1] = -1;\nhmid[-5] = -100;\n*py = 20;\nword[0] = 'W';\nhs_mid[0] = 'D';\n"
    "int total(int *from, int *to) { int s = 0; while (from != to) s += *from++; return s; }\n"
    "total(garr, gend)",
    'printf("%s %s %d %d\\n", text, hs, pt.y, harr[0]);\ntotal(hmid, harr + 10) + total(gmid, gend) + row2[1][3]',
]

NOTEBOOKS: dict[str, list[str]] = {
    "linked_list": LINKED_LIST,
    "binary_tree": BINARY_TREE,
    "hash_table": HASH_TABLE,
    "function_table": FUNCTION_TABLE,
    "cyclic_graph": CYCLIC_GRAPH,
    "struct_array": STRUCT_ARRAY,
    "tagged_union": TAGGED_UNION,
    "statics": STATICS,
    "middle_pointers": MIDDLE_POINTERS,
}
