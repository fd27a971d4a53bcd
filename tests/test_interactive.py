"""Completion, inspection, is_complete, values and history through a real kernel.

One kernel is shared by the module: the first test defines the notebook
symbols the others complete and inspect.  A jupyter_kernel_test class at the
end runs the standard completion/inspect/is_complete/history checks against
a fresh kernel of its own.
"""

from __future__ import annotations

import queue

import pytest

TIMEOUT = 60

SETUP = r"""#include <stdio.h>
#include <stdlib.h>
// A point on the grid.
struct point { int x, y; };
struct segment { struct point from, to; int weight; };
typedef struct point point_t;
union number { int i; double d; };
enum color { RED, GREEN, BLUE };
#define GRID_SIZE 16
struct point origin = { 1, 2 };
struct point *cursor = &origin;
struct segment seg = { { 1, 2 }, { 3, 4 }, 5 };
struct segment segs[2];
point_t named = { 7, 8 };
int counter_value = 41;
/* Adds one to n.
   Used everywhere. */
int add_one(int n) { return n + 1; }
struct point *find_point(int i) { return i ? &origin : 0; }
"""


def request(k, send, *args, **kwargs) -> dict:
    """Send a shell request with `send` and return its reply's content."""
    msg_id = send(*args, **kwargs)
    while True:
        try:
            reply = k.kc.get_shell_msg(timeout=TIMEOUT)
        except queue.Empty:
            raise TimeoutError(f"no reply to {send.__name__}{args}") from None
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def complete(k, code: str, pos: int | None = None) -> dict:
    return request(k, k.kc.complete, code, len(code) if pos is None else pos)


def inspect(k, code: str, pos: int | None = None, detail: int = 0) -> dict:
    return request(k, k.kc.inspect, code, len(code) if pos is None else pos, detail)


def is_complete(k, code: str) -> dict:
    return request(k, k.kc.is_complete, code)


@pytest.fixture(scope="module")
def k(kernel):
    kernel.ok(SETUP)
    return kernel


# -- completion -----------------------------------------------------------------------


def test_notebook_functions_and_globals(k):
    reply = complete(k, "x = add_")
    assert reply["status"] == "ok"
    assert reply["matches"] == ["add_one"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (4, 8)
    assert "counter_value" in complete(k, "counter_")["matches"]
    types = {m["text"]: m for m in reply["metadata"]["_jupyter_types_experimental"]}
    assert types["add_one"]["type"] == "function"
    assert "int add_one(int n)" in types["add_one"]["signature"]


def test_types_macros_and_enum_constants(k):
    assert "point_t" in complete(k, "point_")["matches"]
    assert complete(k, "GRID_")["matches"] == ["GRID_SIZE"]
    assert complete(k, "int c = GRE")["matches"] == ["GREEN"]


def test_struct_union_enum_tags(k):
    reply = complete(k, "struct seg")
    assert reply["matches"] == ["segment"]
    assert reply["cursor_start"] == len("struct ")
    assert "number" in complete(k, "union ")["matches"]
    assert complete(k, "enum col")["matches"] == ["color"]


def test_members_after_dot_and_arrow(k):
    reply = complete(k, "origin.")
    assert reply["matches"] == ["x", "y"]
    assert reply["cursor_start"] == reply["cursor_end"] == len("origin.")
    assert complete(k, "cursor->")["matches"] == ["x", "y"]
    reply = complete(k, "cursor->y")
    assert reply["matches"] == ["y"]
    assert reply["cursor_start"] == len("cursor->")


def test_nested_members_typedefs_arrays_and_calls(k):
    assert complete(k, "seg.")["matches"] == ["from", "to", "weight"]
    assert complete(k, "seg.from.")["matches"] == ["x", "y"]
    assert complete(k, "segs[1].to.")["matches"] == ["x", "y"]
    assert complete(k, "named.")["matches"] == ["x", "y"]
    assert complete(k, "find_point(1)->")["matches"] == ["x", "y"]
    assert complete(k, "(*cursor).")["matches"] == ["x", "y"]


def test_members_of_locals_and_parameters_in_the_cell(k):
    code = "int norm(struct segment *s) {\n    struct point p = s->from;\n    return s->"
    assert complete(k, code)["matches"] == ["from", "to", "weight"]
    code = "int norm(struct segment *s) {\n    struct point p = s->from;\n    return p."
    assert complete(k, code)["matches"] == ["x", "y"]


def test_members_of_a_struct_defined_in_the_same_cell(k):
    code = "struct local_pair { int left, right; };\nstruct local_pair lp;\nlp."
    assert complete(k, code)["matches"] == ["left", "right"]


def test_names_declared_in_the_cell(k):
    code = "int compute(int argument_one) {\n    int local_total = 0;\n    return local_"
    assert complete(k, code)["matches"] == ["local_total"]
    code = "int compute(int argument_one) {\n    return argument_"
    assert complete(k, code)["matches"] == ["argument_one"]


def test_names_from_headers_in_scope(k):
    # the notebook included stdio.h and stdlib.h
    assert "printf" in complete(k, "prin")["matches"]
    assert "malloc" in complete(k, "mall")["matches"]
    # string.h is not included yet; the cell's own include brings it in
    assert "strlen" not in complete(k, "strl")["matches"]
    assert "strlen" in complete(k, "#include <string.h>\nstrl")["matches"]
    # reserved names only when asked for
    assert not [m for m in complete(k, "")["matches"] if m.startswith("_")]
    assert any(m.startswith("__") for m in complete(k, "__")["matches"])


def test_keywords_and_cursor_in_the_middle(k):
    assert "while" in complete(k, "whi")["matches"]
    code = "int x = counter_ + 1;"
    reply = complete(k, code, code.index(" + 1"))
    assert reply["matches"] == ["counter_value"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (8, 16)


def test_include_names_and_directives(k):
    reply = complete(k, "#include <stdi")
    assert "stdio.h" in reply["matches"]
    assert reply["cursor_start"] == len("#include <")
    assert "sys/" in complete(k, "#include <sy")["matches"]
    assert "types.h" not in complete(k, "#include <sys/ty")["matches"]
    assert "sys/types.h" in complete(k, "#include <sys/ty")["matches"]
    assert complete(k, "#ifn")["matches"] == ["ifndef"]


def test_magic_names(k):
    reply = complete(k, "%who")
    assert reply["matches"] == ["%whos"]
    assert reply["cursor_start"] == 0
    assert "%%timeit" in complete(k, "%%ti")["matches"]


def test_unicode_before_the_cursor(k):
    code = 'printf("héllo ✓"); add_o'
    reply = complete(k, code)
    assert reply["matches"] == ["add_one"]
    assert reply["cursor_start"] == len(code) - len("add_o")  # characters, not bytes


# -- inspection ---------------------------------------------------------------------------


def test_inspect_notebook_function(k):
    reply = inspect(k, "add_one(3)", 3)
    assert reply["found"]
    text = reply["data"]["text/plain"]
    assert "int add_one(int n)" in text
    assert "In[1], line 18" in text
    assert "Adds one to n." in text and "Used everywhere." in text
    assert "/*" not in text


def test_inspect_inside_call_arguments(k):
    text = inspect(k, "add_one(counter_value, ")["data"]["text/plain"]
    assert "int add_one(int n)" in text


def test_inspect_libc_function_shows_header_prototype(k):
    reply = inspect(k, 'printf("x")', 2)
    assert reply["found"]
    text = reply["data"]["text/plain"]
    assert "int printf(const char *restrict format, ...)" in text
    assert "<stdio.h>" in text
    assert "Write formatted output to stdout" in text


def test_inspect_global_type_macro_and_member(k):
    text = inspect(k, "counter_value")["data"]["text/plain"]
    assert "int counter_value" in text and "In[1], line 15" in text and "Value: 41" in text
    text = inspect(k, "struct point p", len("struct poi"))["data"]["text/plain"]
    assert "struct point { int x, y; };" in text and "In[1], line 4" in text
    assert "#define GRID_SIZE 16" in inspect(k, "GRID_SIZE")["data"]["text/plain"]
    assert "enum color" in inspect(k, "BLUE")["data"]["text/plain"]
    text = inspect(k, "seg.from.x", len("seg.fr"))["data"]["text/plain"]
    assert text.startswith("struct point from")


def test_inspect_detail_shows_source(k):
    text = inspect(k, "add_one", detail=1)["data"]["text/plain"]
    assert "return n + 1;" in text


def test_inspect_unknown_name(k):
    reply = inspect(k, "no_such_thing_here")
    assert reply["status"] == "ok"
    assert reply["found"] is False


def test_question_mark_cells(k):
    r = k.ok("?add_one")
    assert len(r.displays) == 1
    assert "int add_one(int n)" in r.displays[0]["text/plain"]
    r = k.ok("counter_value?")
    assert "Value: 41" in r.displays[0]["text/plain"]
    r = k.ok("??add_one")
    assert "return n + 1;" in r.displays[0]["text/plain"]
    r = k.ok("?printf")
    assert "<stdio.h>" in r.displays[0]["text/plain"]
    r = k.ok("?%%timeit")
    assert "0.2 s" in r.displays[0]["text/plain"]
    r = k.ok("?nothing_like_this")
    assert "not found" in r.stdout


# -- is_complete -----------------------------------------------------------------------------

COMPLETE = [
    "int x = 1;",
    "int f(void) { return 1; }",
    "6 * 7",
    "i++",
    '#include <stdio.h>\nprintf("hi\\n");',
    "#error don't do this",
    "#ifdef X\nint y;\n#endif",
    "char c = '}';",
    "/* { */ int z;",
    "?printf",
    "%whos",
]
INCOMPLETE = [
    ("int f(void) {", "    "),
    ("int f(void) {\n    if (x) {", "        "),
    ("int a[] = { 1, 2,", "    "),
    ('printf("%d",\n       x', "    "),
    ("/* a comment", ""),
    ('printf("unfinished', ""),
    ("#define LONG_MACRO(x) \\", None),
    ("#ifdef X\nint y;", ""),
    ("int x = 1 +", "    "),
    ("if (x)", "    "),
    ("for (int i = 0; i < 3; i++)", "    "),
    ("%%time", ""),
]
INVALID = ["int f(void) { return 1; }}", "x = (1]", "#endif", 'char *s = "a\nb";', "a\0b"]


def test_is_complete(k):
    for code in COMPLETE:
        assert is_complete(k, code)["status"] == "complete", code
    for code, indent in INCOMPLETE:
        reply = is_complete(k, code)
        assert reply["status"] == "incomplete", code
        if indent is not None:
            assert reply["indent"] == indent, code
    for code in INVALID:
        assert is_complete(k, code)["status"] == "invalid", code


# -- values of every type -----------------------------------------------------------------


def test_values_enum_by_name(k):
    assert k.ok("enum color shade = BLUE;\nshade").value == "BLUE"


def test_values_function_pointer_by_name(k):
    r = k.ok("int (*op)(int) = add_one;\nop")
    assert r.value == "add_one"
    assert "int (*)(int)" in r.results[-1]["text/html"]
    # still the function's name after it is redefined
    assert k.ok("int add_one(int n) { return 1 + n; }\nop").value == "add_one"
    assert k.ok("int (*lib)(const char *) = puts;\nlib").value == "puts"


def test_values_char_arrays_as_strings(k):
    assert k.ok('char word[16] = "hello";\nword').value == '"hello"'


def test_values_nested_structs_and_arrays_of_structs(k):
    assert k.ok("seg").value == "{ .from = { .x = 1, .y = 2 }, .to = { .x = 3, .y = 4 }, .weight = 5 }"
    assert k.ok("struct point pts[2] = { { 1, 2 }, { 3, 4 } };\npts").value == (
        "{ { .x = 1, .y = 2 }, { .x = 3, .y = 4 } }"
    )


def test_values_const_globals(k):
    k.ok("const int frozen = 9;\nconst struct point frozen_point = { 5, 6 };")
    assert k.ok("frozen").value == "9"
    assert k.ok("frozen_point").value == "{ .x = 5, .y = 6 }"


def test_values_long_arrays_elided(k):
    value = k.ok("int many[1000] = { 1, 2, 3 };\nmany").value
    assert value.startswith("{ 1, 2, 3, 0")
    assert "..." in value and "1000" in value
    assert value.count(",") < 200


# -- history ----------------------------------------------------------------------------------


def history(k, **kw) -> list:
    content = request(k, k.kc.history, **kw)
    assert content["status"] == "ok"
    return content["history"]


def test_history_tail_range_search(fresh_kernel):
    k = fresh_kernel
    cells = ["int hist_a = 1;", "hist_a + 1", "int hist_b = 2;", "hist_a + 1"]
    for code in cells:
        k.ok(code)
    k.kc.execute("int not_stored = 3;", store_history=False)
    k.ok("int after = 4;")
    tail = history(k, hist_access_type="tail", n=3, output=False, raw=True)
    assert [h[2] for h in tail] == ["int hist_b = 2;", "hist_a + 1", "int after = 4;"]
    session = tail[0][0]
    lines = [h[1] for h in tail]
    assert lines == sorted(lines)
    rng = history(k, hist_access_type="range", session=session, start=2, stop=4, output=False, raw=True)
    assert [(h[1], h[2]) for h in rng] == [(2, "hist_a + 1"), (3, "int hist_b = 2;")]
    found = history(k, hist_access_type="search", pattern="hist_a*", output=False, raw=True)
    assert [h[2] for h in found] == ["hist_a + 1", "hist_a + 1"]
    unique = history(k, hist_access_type="search", pattern="hist_a*", unique=True, output=False, raw=True)
    assert [(h[1], h[2]) for h in unique] == [(4, "hist_a + 1")]
    last = history(k, hist_access_type="search", pattern="int *", n=1, output=False, raw=True)
    assert [h[2] for h in last] == ["int after = 4;"]
    with_output = history(k, hist_access_type="tail", n=1, output=True, raw=True)
    assert len(with_output[0][2]) == 2 and with_output[0][2][0] == "int after = 4;"
