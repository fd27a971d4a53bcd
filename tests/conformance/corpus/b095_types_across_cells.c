/* Types that refer to each other, in the order a compiler's headers write them:
   a tree of nodes (a union of kinds sharing a common header) declared through
   a pointer typedef before the union exists, enums built on enums, mutually
   recursive structs, and a visitor whose callbacks take a struct defined later. */
#include <stdio.h>
#include <stdlib.h>

enum tree_code { ERROR_MARK = 148, INTEGER_CST, PLUS_EXPR, LAST_AND_UNUSED_TREE_CODE };

typedef union tree_node *tree;

struct tree_common {
    union tree_node *chain;
    enum tree_code code : 8;
    unsigned side_effects : 1;
    unsigned constant : 1;
};

struct tree_int_cst {
    struct tree_common common;
    long value;
};

struct tree_exp {
    struct tree_common common;
    tree operands[2];
};

union tree_node {
    struct tree_common common;
    struct tree_int_cst int_cst;
    struct tree_exp exp;
};

enum more_codes { FIRST_EXTRA = LAST_AND_UNUSED_TREE_CODE, MULT_EXPR, MAX_CODE };

static tree make_int(long v)
{
    tree t = calloc(1, sizeof *t);
    t->common.code = INTEGER_CST;
    t->common.constant = 1;
    t->int_cst.value = v;
    return t;
}

static tree make_exp(int code, tree a, tree b)
{
    tree t = calloc(1, sizeof *t);
    t->common.code = code;
    t->exp.operands[0] = a;
    t->exp.operands[1] = b;
    t->common.constant = a->common.constant && b->common.constant;
    a->common.chain = b;
    return t;
}

static long fold(tree t)
{
    switch ((int)t->common.code) {
    case INTEGER_CST:
        return t->int_cst.value;
    case PLUS_EXPR:
        return fold(t->exp.operands[0]) + fold(t->exp.operands[1]);
    case MULT_EXPR:
        return fold(t->exp.operands[0]) * fold(t->exp.operands[1]);
    default:
        return -1;
    }
}

/* Mutually recursive structs through pointers. */
struct department {
    const char *name;
    struct employee *head;
};

struct employee {
    const char *name;
    struct department *dept;
    struct employee *next;
};

/* A typedef of a pointer to a struct defined later, and a struct holding it. */
typedef struct scope *scope_p;

struct binding {
    const char *name;
    int value;
    scope_p owner;
};

struct scope {
    struct binding bindings[3];
    int count;
    scope_p parent;
};

/* A visitor whose callbacks take a struct defined after it. */
struct visitor {
    void (*visit)(struct visit_ctx *ctx, tree t);
};

struct visit_ctx {
    int nodes;
    int constants;
};

static void count(struct visit_ctx *ctx, tree t)
{
    ctx->nodes++;
    ctx->constants += t->common.constant;
    if (t->common.code != INTEGER_CST) {
        count(ctx, t->exp.operands[0]);
        count(ctx, t->exp.operands[1]);
    }
}

static int lookup(scope_p s, const char *name)
{
    for (; s; s = s->parent)
        for (int i = 0; i < s->count; i++)
            if (s->bindings[i].name[0] == name[0])
                return s->bindings[i].value;
    return -1;
}

int main(void)
{
    tree e = make_exp(MULT_EXPR, make_exp(PLUS_EXPR, make_int(2), make_int(3)), make_int(7));
    printf("codes: %d %d %d %d\n", ERROR_MARK, PLUS_EXPR, MULT_EXPR, MAX_CODE);
    printf("fold = %ld, constant = %u, chained = %ld\n", fold(e), e->common.constant,
           e->exp.operands[0]->common.chain->int_cst.value);
    printf("sizes: common %zu, node %zu\n", sizeof(struct tree_common), sizeof(union tree_node));

    struct department d = { "tools", NULL };
    struct employee b = { "bob", &d, NULL }, a = { "alice", &d, &b };
    d.head = &a;
    for (struct employee *p = d.head; p; p = p->next)
        printf("%s works in %s\n", p->name, p->dept->name);

    struct scope outer = { { { "x", 1, NULL }, { "y", 2, NULL } }, 2, NULL };
    struct scope inner = { { { "z", 3, NULL } }, 1, &outer };
    outer.bindings[0].owner = &outer;
    inner.bindings[0].owner = &inner;
    printf("lookup: x=%d y=%d z=%d w=%d, owner ok %d\n", lookup(&inner, "x"), lookup(&inner, "y"),
           lookup(&inner, "z"), lookup(&inner, "w"), inner.bindings[0].owner->parent == &outer);

    struct visitor v = { count };
    struct visit_ctx ctx = { 0, 0 };
    v.visit(&ctx, e);
    printf("visited %d nodes, %d constant\n", ctx.nodes, ctx.constants);
    return 0;
}
