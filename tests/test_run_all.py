""" "Run All": every execute_request queued at once, as JupyterLab sends them.

The kernel compiles the queued cells together, as one unit (batch.py), or the next queued cell
while the current one links and runs. The user must not be
able to tell, except by the clock: each cell keeps its own reply, output, value, error and undo
step. The same notebook is run queued and one cell at a time, in fresh kernels, and every cell's
results must be the same.
"""

from __future__ import annotations

from conftest import TIMEOUT, Kernel, Pending

NOTEBOOK = [
    "#include <stdio.h>\nint x = 0;",
    "int f(int a) { return a + 1; }",
    "x = f(x);",
    "int f(int a) { return a * 10; }",  # a redefinition: the next cell must see the new body
    "x = f(x) + 1;",
    "x",
    "int broken( {",  # a compile error: the cells after it compile against the model before it
    "x += 100;",
    "*(volatile int *)0 = 1;",  # a crash: rolled back, and the next cell was compiled ahead for nothing
    "x",
    "int arr[] = {1, 2, 3};",
    "sizeof arr / sizeof *arr",  # the array's completed type reaches the next cell
    "struct p { int a; };\nstruct p q = { 5 };",
    "q.a + x",
    "%whos",
    "int x2 = x * 2;",
    "x2",
    'printf("%d %d\\n", x, x2);',
    "%undo",
    "int g(void) { return x2 + 1; }\ng()",
    "#define N 4\nint n = N;",
    "n * N",
    "#undef N\n#define N 5",
    "N",
    "exit(3);",
    "x + n",
]


# Cells that "Run All" compiles together (batch.py), with what cuts or drops a batch in between.
BATCH_NOTEBOOK = [
    "#include <stdio.h>\n#include <string.h>",
    "struct point { int x, y; };",
    "typedef struct point point;",
    "int dot(point a, point b);",  # a prototype, defined further on
    "point origin = {0, 0};",
    "point unit_x = {1, 0};",
    "int table[] = {3, 1, 4, 1, 5, 9};",
    "int dot(point a, point b) { return a.x * b.x + a.y * b.y; }",
    "sizeof table / sizeof *table",
    "static int calls;",
    "int counted(void) { return ++calls; }",
    "counted(); counted();",
    "calls",
    'const char *greeting = "hello";',
    "strlen(greeting)",
    "int unused_warning(void) { int z; return 0; }",  # a warning: on its own cell only
    'printf("%d\\n", dot(unit_x, unit_x));',
    "int broken = ;",  # a compile error in the middle of a batch
    "int after_error = 5;",
    "after_error + table[5]",
    "point *p = &unit_x;",
    "p->x = 7;",
    "*(volatile int *)0 = 0;",  # a crash in the middle of a batch
    "int fresh(void) { return 70; }",
    "fresh() + p->x",
    "int fresh(void) { return 71; }",  # a redefinition
    "fresh()",
    "int (*fp)(void) = fresh;",
    "fp()",
    "enum color { RED, GREEN = 5, BLUE };",
    "BLUE + GREEN",
    "union u { int i; float f; } uu = { .i = 1 };",
    "uu.i",
    "%undo",
    "int late(void) { return dot(origin, unit_x) + counted(); }",
    "late()",
]


# Declarations across cells: a function declared again through typeof and a typedef,
# types that point to each other, a conflicting extern (an error) and compatible ones.
DECLARATIONS_NOTEBOOK = [
    "int f(void) { return 42; }",
    "typedef int f_t(void);",
    "extern typeof(f) f;",
    "extern f_t f;",
    "f()",
    "f_t g;",
    "int use_g(void) { return g() + 1; }",
    "int g(void) { return 7; }",
    "use_g()",
    "enum code { SOME = 148, LAST };",
    "typedef union node *tree;",
    "struct common { union node *chain; enum code code : 8; };",
    "union node { struct common common; };",
    "enum more { M0 = LAST, M1 };",
    "int kind(tree t) { return t->common.code; }",
    "union node n = { .common = { .code = SOME } };",
    "kind(&n) + M1",
    "int counter = 5;",
    "extern double counter;",
    "extern int counter;",
    "int counter;",
    "counter",
]


def _results(k: Kernel, ids: list[str]) -> list[tuple]:
    """(status, stdout, stderr, value, errors) of each request, from the channels' messages."""
    return [
        (r.status, r.stdout, r.stderr, r.value, [(e["ename"], e["evalue"]) for e in r.errors])
        for r in Pending(k.kc, ids).wait(10 * TIMEOUT)
    ]


def _queued_and_one_by_one(notebook: list[str]) -> list[tuple]:
    """Each cell's results with all requests queued at once, checked against one at a time."""
    queued = Kernel()
    try:
        ids = [queued.kc.execute(code, stop_on_error=False) for code in notebook]  # all at once, before any reply
        at_once = _results(queued, ids)
    finally:
        queued.shutdown()
    single = Kernel()
    try:
        one_by_one = []
        for code in notebook:
            one_by_one += _results(single, [single.kc.execute(code, stop_on_error=False)])
    finally:
        single.shutdown()
    for code, a, b in zip(notebook, at_once, one_by_one, strict=True):
        assert a == b, (code, a, b)
    return at_once


def test_queued_run_all_gives_what_one_cell_at_a_time_gives():
    at_once = _queued_and_one_by_one(NOTEBOOK)
    statuses = [r[0] for r in at_once]
    assert statuses.count("error") == 3  # the compile error, the crash, exit(3)
    assert at_once[NOTEBOOK.index("x")][3] == "11"
    assert at_once[NOTEBOOK.index("sizeof arr / sizeof *arr")][3] == "3"
    assert at_once[NOTEBOOK.index("N")][3] == "5"
    assert at_once[-1][3] == str(111 + 4)


def test_cells_compiled_together_give_what_one_cell_at_a_time_gives():
    at_once = _queued_and_one_by_one(BATCH_NOTEBOOK)
    by_cell = dict(zip(BATCH_NOTEBOOK, at_once, strict=True))
    assert [code for code, r in by_cell.items() if r[0] == "error"] == ["int broken = ;", "*(volatile int *)0 = 0;"]
    assert "unused variable 'z'" in by_cell["int unused_warning(void) { int z; return 0; }"][2]
    assert sum("warning" in r[2] for r in at_once) == 1
    values = {code: r[3] for code, r in by_cell.items()}
    assert values["sizeof table / sizeof *table"] == "6" and values["calls"] == "2"
    assert values["strlen(greeting)"] == "5" and values["after_error + table[5]"] == "14"
    assert values["fresh() + p->x"] == "77" and values["fresh()"] == "71" and values["fp()"] == "71"
    assert values["BLUE + GREEN"] == "11" and values["late()"] == "3"
    assert by_cell['printf("%d\\n", dot(unit_x, unit_x));'][1] == "1\n"


def test_a_batch_is_compiled_once_and_dropped_where_a_cell_fails():
    """In-process: queued cells share one object; after a crash the dropped cells' functions,
    whose trampolines are loaded, are defined again and reached through them."""
    from cellc_kernel.executor import Handlers
    from cellc_kernel.interpreter import Interpreter

    cells = [
        ("int a1 = 1;", "In[1]"),
        ("int a2 = a1 + 1;", "In[2]"),
        ("*(volatile int *)0 = a2;", "In[3]"),
        ("int h(void) { return 7; }", "In[4]"),
        ("int use_h(void) { return h(); }", "In[5]"),
    ]
    interp = Interpreter()
    try:
        results = []
        for k, (code, label) in enumerate(cells[:3]):
            interp.queued = cells[k + 1 :]
            results.append(interp.execute(code, label, Handlers()))
        assert [r.ok for r in results] == [True, True, False]
        objects = {o.so for o in interp.cell_objects.values()}
        assert len(objects) == 1, "the queued cells were not compiled as one object"
        assert interp.run_all.batch is None  # dropped at the crash: In[4] and In[5] never ran
        assert interp.execute("int h(void) { return 8; }", "In[6]", Handlers()).ok
        result = interp.execute("int use_h(void) { return h() * 10; }\nuse_h() + h()", "In[7]", Handlers())
        assert result.ok and result.value[0] == "88", result
        assert interp.execute("a2", "In[8]", Handlers()).value[0] == "2"
    finally:
        interp.shutdown()


def test_the_next_batch_is_built_while_one_runs():
    """In-process: 40 queued cells run from a few objects (the first batch small, the next ones
    built on a thread while the one before runs), with the values one at a time gives."""
    from cellc_kernel.executor import Handlers
    from cellc_kernel.interpreter import Interpreter

    cells = [("int total = 0;", "In[1]")]
    cells += [
        (f"int v{i} = {i};\nint add{i}(int a) {{ return a + v{i}; }}\ntotal = add{i}(total);", f"In[{i}]")
        for i in range(2, 40)
    ]
    cells += [("total", "In[40]")]
    interp = Interpreter()
    try:
        for k, (code, label) in enumerate(cells):
            interp.queued = cells[k + 1 :]
            result = interp.execute(code, label, Handlers())
            assert result.ok, result
        assert result.value[0] == str(sum(range(2, 40)))
        objects = {o.so for o in interp.cell_objects.values()}
        assert 2 <= len(objects) <= 5, objects
    finally:
        interp.shutdown()


def test_a_cell_queued_behind_a_failing_one_sees_the_state_before_it(fresh_kernel):
    """The look-ahead compiled the next cell against the failing cell's model: it must not be used."""
    k = fresh_kernel
    cells = ["int v = 1;", "int w = v + 1; *(volatile int *)0 = 1;", "int w = 40;", "w + v"]
    ids = [k.kc.execute(code, stop_on_error=False) for code in cells]
    results = _results(k, ids)
    assert [r[0] for r in results] == ["ok", "error", "ok", "ok"]
    assert results[3][3] == "41"


def test_the_next_cell_is_compiled_ahead_and_used():
    """In-process: the interpreter compiles the queued cell while the current one (which cannot
    share a unit with it: it includes a header) runs, and uses it."""
    from cellc_kernel.executor import Handlers
    from cellc_kernel.interpreter import Interpreter

    interp = Interpreter()
    try:
        interp.queued = [("int twice(int a) { return 2 * a; }\ntwice(21)", "In[2]")]
        assert interp.execute("#include <stdio.h>\nint seed = 1;", "In[1]", Handlers()).ok
        ahead = interp.run_all.ahead
        assert ahead is not None
        ahead.thread.join()
        assert ahead.attempt is not None, "the next cell was not compiled ahead"
        result = interp.execute("int twice(int a) { return 2 * a; }\ntwice(21)", "In[2]", Handlers())
        assert result.ok and result.value[0] == "42"
        assert interp.run_all.ahead is None
        # a queued cell that changed before its turn is compiled afresh
        interp.queued = [("int three = 3;", "In[4]")]
        assert interp.execute("int two = 2;", "In[3]", Handlers()).ok
        result = interp.execute("int three = 3 + two;\nthree", "In[4]", Handlers())
        assert result.ok and result.value[0] == "5"
    finally:
        interp.shutdown()


def test_declarations_across_cells_queued_give_what_one_cell_at_a_time_gives():
    at_once = _queued_and_one_by_one(DECLARATIONS_NOTEBOOK)
    by_cell = dict(zip(DECLARATIONS_NOTEBOOK, at_once, strict=True))
    assert [code for code, r in by_cell.items() if r[0] == "error"] == ["extern double counter;"]
    values = {code: r[3] for code, r in by_cell.items()}
    assert values["f()"] == "42" and values["use_g()"] == "8"
    assert values["kind(&n) + M1"] == "298" and values["counter"] == "5"
