"""%draw: memory diagrams of the live program, through a real kernel.

The assertions are on the graph: the text/plain listing (one node a paragraph,
`→ [N]` an edge, `[N][i]` or `[N].field` where an interior pointer arrives) and
the SVG's node and edge titles (`n1:s0:c->n2`), never on pixels.
"""

from __future__ import annotations

import re

import pytest
from conftest import Kernel

HEADERS = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>"
NODE = "struct node { int value; struct node *next; };"


def draw(kernel: Kernel, args: str) -> tuple[str, str]:
    """(listing, svg) of a %draw cell that succeeded."""
    r = kernel.ok(f"%draw {args}")
    assert len(r.displays) == 1, (r.stdout, r.stderr)
    data = r.displays[0]
    assert "__cellc" not in data["text/plain"] and "<cellc>" not in data["text/plain"]
    return data["text/plain"], data.get("image/svg+xml", "")


def edges(svg: str) -> set[str]:
    """The edges of the picture: `n1.s0-n2.e3` from slot 0 of node 1 to element 3 of node 2."""
    return set(re.findall(r'<g id="(n\d+\.s\d+-\w+(?:\.\w+)?)" class="edge">', svg.replace("&#45;", "-")))


@pytest.fixture(scope="module")
def k():
    kernel = Kernel()
    kernel.ok(HEADERS)
    kernel.ok(NODE)
    kernel.ok(
        "struct node *push(struct node *list, int value)\n"
        "{\n    struct node *n = malloc(sizeof *n);\n    n->value = value;\n    n->next = list;\n    return n;\n}"
    )
    yield kernel
    kernel.shutdown()


def test_singly_linked_list(k):
    k.ok("struct node *list = NULL;")
    k.ok("for (int i = 1; i <= 3; i++)\n    list = push(list, i);")
    text, svg = draw(k, "list")
    assert text == (
        "[1] list: struct node * → [2]\n"
        "[2] heap block (16 bytes): struct node\n"
        "    .value = 3\n"
        "    .next → [3]\n"
        "[3] heap block (16 bytes): struct node\n"
        "    .value = 2\n"
        "    .next → [4]\n"
        "[4] heap block (16 bytes): struct node\n"
        "    .value = 1\n"
        "    .next = NULL"
    )
    assert {"n1.s0-n2", "n2.s1-n3", "n3.s1-n4"} <= edges(svg)
    assert "<svg" in svg and "heap block (16 bytes)" in svg


def test_doubly_linked_and_cyclic_lists_draw_each_node_once(k):
    k.ok("struct dnode { int key; struct dnode *prev, *next; };")
    k.ok(
        "struct dnode *first;\n"
        "for (int i = 0; i < 3; i++) {\n"
        "    struct dnode *d = calloc(1, sizeof *d);\n"
        "    d->key = 10 * i;\n"
        "    d->next = first;\n"
        "    if (first) first->prev = d;\n"
        "    first = d;\n"
        "}"
    )
    text, svg = draw(k, "first")
    assert text.count("heap block (24 bytes): struct dnode") == 3
    assert "[2] heap block (24 bytes): struct dnode\n    .key = 20\n    .prev = NULL\n    .next → [3]" in text
    assert "[3] heap block (24 bytes): struct dnode\n    .key = 10\n    .prev → [2]\n    .next → [4]" in text
    assert {"n3.s1-n2", "n2.s2-n3", "n4.s1-n3"} <= edges(svg)
    k.ok("struct node *ring = push(push(push(NULL, 3), 2), 1);\nring->next->next->next = ring;")
    text, _ = draw(k, "ring")
    assert text.endswith("[4] heap block (16 bytes): struct node\n    .value = 3\n    .next → [2]")
    assert text.count("heap block") == 3


def test_binary_search_tree(k):
    k.ok("struct tree { int key; struct tree *left, *right; };")
    k.ok(
        "struct tree *insert(struct tree *t, int key)\n"
        "{\n"
        "    if (!t) {\n"
        "        t = calloc(1, sizeof *t);\n"
        "        t->key = key;\n"
        "    } else if (key < t->key)\n"
        "        t->left = insert(t->left, key);\n"
        "    else\n"
        "        t->right = insert(t->right, key);\n"
        "    return t;\n"
        "}"
    )
    k.ok("struct tree *root = NULL;\nint keys[] = { 50, 30, 70, 20, 40, 80 };")
    k.ok("for (int i = 0; i < 6; i++)\n    root = insert(root, keys[i]);")
    text, svg = draw(k, "root")
    assert text.count("struct tree\n") == 6
    assert "[2] heap block (24 bytes): struct tree\n    .key = 50\n    .left → [3]\n    .right → [4]" in text
    assert "    .key = 20\n    .left = NULL\n    .right = NULL" in text
    assert len(edges(svg)) == 6  # root, then 5 child links


def test_array_of_structs_with_pointers_between_elements(k):
    k.ok("struct city { char name[12]; int people; struct city *next_stop; };")
    k.ok('struct city route[3] = { { "Lyon", 500 }, { "Paris", 2100 }, { "Lille", 230 } };')
    k.ok("route[0].next_stop = &route[2];\nroute[2].next_stop = &route[1];")
    text, svg = draw(k, "route")
    assert text.startswith("[1] route: struct city [3]\n")
    assert '    [0].name = "Lyon"\n    [0].people = 500\n    [0].next_stop → [1][2]' in text
    assert "    [1].next_stop = NULL" in text
    assert "    [2].next_stop → [1][1]" in text
    assert {"n1.s2-n1.e2", "n1.s8-n1.e1"} <= edges(svg)


def test_argv_like_char_pointer_arrays(k):
    k.ok("char **args;")
    k.ok('args = malloc(4 * sizeof *args);\nargs[0] = strdup("ls");\nargs[1] = strdup("-l");')
    k.ok('args[2] = "/tmp";\nargs[3] = NULL;')
    text, _ = draw(k, "args")
    assert text == (
        "[1] args: char ** → [2]\n"
        "[2] heap block (32 bytes): char *[4]\n"
        "    [0] → [3]\n"
        "    [1] → [4]\n"
        '    [2] = "/tmp"\n'
        "    [3] = NULL\n"
        '[3] heap block (3 bytes): char[3] = "ls"\n'
        '[4] heap block (3 bytes): char[3] = "-l"'
    )


def test_interior_pointer_arrives_at_the_element(k):
    k.ok("int *numbers = malloc(10 * sizeof *numbers);\nfor (int i = 0; i < 10; i++) numbers[i] = i * i;")
    k.ok("int *middle = numbers + 4;")
    text, svg = draw(k, "numbers, middle")
    assert text.startswith(
        "[1] numbers: int * → [3]\n[2] middle: int * → [3][4]\n[3] heap block (40 bytes): int[10]\n    [0] = 0\n"
    )
    assert "    [4] = 16\n" in text
    assert {"n1.s0-n3.s0", "n2.s0-n3.s4"} <= edges(svg)
    k.ok("double *samples = calloc(1 << 21, sizeof *samples);\ndouble *deep = samples + 1000000;\n*deep = 2.5;")
    text, svg = draw(k, "deep")
    assert text.startswith("[1] deep: double * → [2][1000000]\n[2] heap block (16777216 bytes): double[2097152]\n")
    assert "    … 2,097,142 more elements\n" in text


def test_dangling_and_wild_pointers_are_marked_and_not_followed(k):
    k.ok("struct node *gone = push(NULL, 7);\nstruct node *keep = gone;")
    k.ok("free(gone);")
    text, svg = draw(k, "keep")
    assert text == (
        "[1] keep: struct node * → [2] dangling: the block was freed\n"
        "[2] freed block (16 bytes): never read, a dangling pointer leads here"
    )
    assert 'stroke="#c0392b"' in svg  # the dangling edge is red
    k.ok("int *wild = (int *)0x10;")
    text, svg = draw(k, "wild")
    assert text == "[1] wild: int * = 0x10 wild: no memory of the program there"
    assert "wild: no memory" in svg
    text, _ = draw(k, "*wild")
    assert text == "[1] *wild: int = <unreadable>"


def test_char_arrays_larger_than_a_node_read_show_their_text(k):
    """A node's memory is read up to 64 KiB: a longer char array is text from its start."""
    k.ok('char big_text[1 << 20] = "hello";\nstruct holder { int n; char text[100000]; } holder = { 3, "inside" };')
    text, _ = draw(k, "big_text holder")
    assert text == '[1] big_text: char [1048576] = "hello"\n[2] holder: struct holder\n    .n = 3\n    .text = "inside"'


def test_union_void_pointer_and_function_pointer_table(k):
    k.ok("union number { int i; float f; };\nunion number n = { 42 };\nvoid *opaque = &n;")
    text, _ = draw(k, "n opaque")
    assert "[1] n: union number = raw 0x0000002a" in text
    assert re.search(r"\[2\] opaque: void \* = 0x[0-9a-f]+ \(void \*: not followed\)", text)
    k.ok("int add(int a, int b) { return a + b; }")
    k.ok("int sub(int a, int b) { return a - b; }")
    k.ok("int (*ops[])(int, int) = { add, sub, NULL };")
    k.ok("int add(int a, int b) { return b + a; }")  # redefined: the table calls the new one
    text, _ = draw(k, "ops")
    assert text == "[1] ops: int (*[3])(int, int)\n    [0] = add()\n    [1] = sub()\n    [2] = NULL"


def test_struct_redefined_with_migrated_data(fresh_kernel):
    k = fresh_kernel
    k.ok("struct point { int x, y; };")
    k.ok("struct point p = { 1, 2 };")
    k.ok("struct point { int x, y, z; };")
    text, _ = draw(k, "p")
    assert text == "[1] p: struct point\n    .x = 1\n    .y = 2\n    .z = 0"


def test_the_globals_and_expressions(fresh_kernel, tmp_path):
    k = fresh_kernel
    r = k.ok("%draw")
    assert "no globals to draw" in r.stdout
    k.ok(HEADERS)
    k.ok(NODE)
    k.ok("int count = 3;\nstruct node *top;")
    k.ok("top = malloc(sizeof *top);\ntop->value = 9;\ntop->next = NULL;")
    text, _ = draw(k, "")
    assert text == (
        "[1] count: int = 3\n"
        "[2] top: struct node * → [3]\n"
        "[3] heap block (16 bytes): struct node\n"
        "    .value = 9\n"
        "    .next = NULL"
    )
    # an lvalue is drawn where it lives: *top is the block itself; a value is drawn as a value
    text, _ = draw(k, "*top, top->value * 2")
    assert text == "[1] *top: struct node\n    .value = 9\n    .next = NULL\n[2] top->value * 2: int = 18"
    r = k.ok("count")
    assert r.value == "3"  # the drawing's own cell left no value behind
    k.ok(f"%export {tmp_path / 'drawn.c'}")
    exported = (tmp_path / "drawn.c").read_text()
    assert exported.count("%draw") == 3 and "(in the notebook only)" in exported and "__cellc" not in exported


def test_limits_and_long_lists(fresh_kernel):
    k = fresh_kernel
    k.ok(HEADERS)
    k.ok(NODE)
    k.ok(
        "struct node *build(int n)\n{\n    struct node *l = NULL;\n    while (n--) {\n"
        "        struct node *c = malloc(sizeof *c);\n        c->value = n;\n        c->next = l;\n        l = c;\n"
        "    }\n    return l;\n}"
    )
    k.ok("struct node *medium = build(10000);")
    text, svg = draw(k, "-n 4 medium")
    assert text.count("heap block") == 3
    assert "    .next → … (beyond the limits)" in text
    assert text.endswith("… 9,997 more nodes beyond the limits (-n nodes, -d depth)")
    assert "9,997 more" in svg
    text, _ = draw(k, "-d 1 medium")
    assert text.count("heap block") == 1
    assert text.endswith("… 9,999 more nodes beyond the limits (-n nodes, -d depth)")
    text, _ = draw(k, "medium")
    assert text.count("heap block") == 99  # -n 100: the root and 99 nodes
    k.ok("struct node *big = build(100000);")
    text, _ = draw(k, "-n 3 big")  # counting the rest takes a moment at most: then it says "at least"
    assert re.search(r"\n… (at least )?[\d,]+ more nodes beyond the limits", text)
    k.ok("int big_array[5000];\nfor (int i = 0; i < 5000; i++) big_array[i] = i;")
    text, _ = draw(k, "big_array")
    assert "    [7] = 7\n    … 4,990 more elements\n    [4998] = 4998\n" in text


def test_leaks_are_counted_in_the_legend(fresh_kernel):
    k = fresh_kernel
    k.ok(HEADERS)
    k.ok("char *kept;")
    k.ok('kept = malloc(10);\nstrcpy(kept, "kept");\nchar *lost = malloc(100);\nlost = NULL;')
    text, svg = draw(k, "kept")
    assert text.splitlines()[-1] == "1 heap block (100 bytes) reachable from nothing: leaked"
    assert "leaked" in svg


def test_bad_input_is_a_clear_error(k):
    r = k.fails("%draw no_such_thing")
    assert r.errors[0]["ename"] == "CompileError"
    assert "'no_such_thing' undeclared" in r.error_text
    assert "__cellc" not in r.error_text and "<cellc>" not in r.error_text
    r = k.fails("%draw -n 0 list")
    assert r.errors[0]["ename"] == "UsageError"
    assert "-n must be at least 1" in r.error_text
    r = k.fails("%draw list\nint after = 1;")
    assert "cell of its own" in r.error_text
    k.ok("int still_here = 5;")
    assert k.value("still_here") == "5"


def test_without_graphviz_the_text_comes_with_how_to_get_the_picture():
    kernel = Kernel(env={"CELLC_DOT": "/nonexistent/dot"})
    try:
        kernel.ok("int answer = 42;")
        r = kernel.ok("%draw answer")
        assert "apt-get install graphviz" in r.stdout
        assert r.displays == [{"text/plain": "[1] answer: int = 42"}]
    finally:
        kernel.shutdown()


def test_at_the_memory_limit():
    """A program that took all of CELLC_MEMORY_LIMIT still gets drawn (the
    executor's commands run in its process, within its limit: the leak scan
    reads in smaller pieces); a cell with no room to load says how to go on."""
    kernel = Kernel(env={"CELLC_MEMORY_LIMIT": "256M"})
    try:
        kernel.ok(HEADERS)
        kernel.ok("char **hold;\nint held;")
        kernel.ok("hold = calloc(1000, sizeof *hold);\nwhile (held < 1000 && (hold[held] = malloc(1 << 20))) held++;")
        text, _ = draw(kernel, "-n 3 hold")
        assert "[3] heap block (1048576 bytes): char[1048576]" in text
        assert "leaked" not in text and "not counted" not in text
        r = kernel.fails("static char more[8 << 20];\nmore[1] = 1;")
        assert r.errors[0]["ename"] == "LoadError"
        assert r.errors[0]["evalue"].startswith(
            "the program has no memory left to load this cell (CELLC_MEMORY_LIMIT=256M): the cell did not run. %undo"
        )
        assert ".so" not in r.error_text and "cellc-" not in r.error_text
        kernel.ok("%undo")
        kernel.ok("static char more[8 << 20];\nmore[1] = (char)held;")
        assert kernel.value("held") == "0"
    finally:
        kernel.shutdown()


def test_split_expressions():
    from cellc_kernel.magics.drawing import is_lvalue, split_expressions

    assert split_expressions("a, b->c") == ["a", "b->c"]
    assert split_expressions("list tree") == ["list", "tree"]
    assert split_expressions("a * b") == ["a * b"]
    assert split_expressions("f(x, y) * p") == ["f(x, y) * p"]
    assert split_expressions("list *list") == ["list", "*list"]
    assert split_expressions("head arr[2] s.x") == ["head", "arr[2]", "s.x"]
    assert split_expressions("sizeof x") == ["sizeof x"]
    assert split_expressions('"a b", c') == ['"a b"', "c"]
    assert [is_lvalue(e) for e in ["x", "*p", "a[1]", "s.f", "p->f", "(x)", "f(1)", "x + 1", "&x"]] == [
        True,
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
