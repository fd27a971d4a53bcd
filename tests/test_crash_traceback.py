"""A crash shows its call stack like Python's traceback (issue 16, item 1):
every frame from the cell's statement in to the fault, with cell, line,
function and source text; library frames on one line; recursion folded; our
machinery never shown.  Through real kernels, at -O0 and -O2."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import Kernel


@pytest.fixture(params=["", "-O2"], ids=["O0", "O2"])
def k(request: pytest.FixtureRequest) -> Iterator[Kernel]:
    kernel = Kernel()
    if request.param:
        kernel.ok(f"%cflags {request.param}")
    yield kernel
    kernel.shutdown()


def count(r) -> int:
    return r.reply["content"]["execution_count"]


def frames(text: str) -> list[str]:
    """The traceback's frame lines (not the source lines under them)."""
    lines = text.splitlines()
    start = lines.index("Traceback (most recent call last):") + 1
    return [line.strip() for line in lines[start:] if line.startswith("  ") and not line.startswith("    ")]


LIST = """\
struct node { int value; struct node *next; };
__attribute__((noinline)) int first(struct node *l) {
    return l->value;
}
__attribute__((noinline)) int second(struct node *l) { return first(l->next) + 1; }"""


def test_null_dereference_three_calls_deep(k: Kernel) -> None:
    defs = k.ok(LIST)
    # (`return second(l);` would be a tail call at -O2: no frame of sum, as in gdb)
    k.ok("__attribute__((noinline)) int sum(struct node *l) {\n    int s = second(l);\n    return 3 * s;\n}")
    k.ok("int kept = 7;")
    r = k.fails("struct node a = { 1, 0 };\nint t = sum(&a);")
    text = r.error_text
    d, c = count(defs), count(r)
    shown = frames(text)
    assert shown[0] == f"In[{c}], line 2", text
    assert shown[1] == f"In[{c - 2}], line 2, in sum"
    assert shown[2] == f"In[{d}], line 5, in second"
    assert shown[3] == f"In[{d}], line 3, in first"
    assert "    return l->value;" in text and "    int t = sum(&a);" in text
    assert text.index("Traceback") < text.index("Segmentation fault (SIGSEGV): address not mapped at address 0x0")
    assert "__cellc" not in text and "executor" not in text
    assert k.ok("kept").value == "7"  # and the next cell runs normally


def test_runaway_recursion_is_folded(k: Kernel) -> None:
    k.ok("int down(int n) { return n == 0 ? 0 : 1 + down(n - 1) * 2; }")
    r = k.fails("down(100000000)")
    text = r.error_text
    assert "stack overflow" in text
    assert re.search(r"\[Previous line repeated \d+ more times\]", text), text
    assert frames(text)[0] == f"In[{count(r)}], line 1", text
    assert text.count("in down") <= 3


def test_library_frames_on_one_line(k: Kernel) -> None:
    k.ok("#include <stdlib.h>\nint crashing_cmp(const void *a, const void *b) { return *(volatile int *)0; }")
    r = k.fails("int arr[3] = {3, 1, 2};\nqsort(arr, 3, sizeof(int), crashing_cmp);\narr[0] = 0;")
    shown = frames(r.error_text)
    assert shown[0] == f"In[{count(r)}], line 2", r.error_text
    assert shown[1].startswith("in libc.so.6"), r.error_text
    assert shown[-1].endswith("in crashing_cmp")


def test_abort_and_division(k: Kernel) -> None:
    k.ok("#include <stdlib.h>\nvoid give_up(void) { abort(); }")
    r = k.fails("give_up();")
    assert "Aborted (SIGABRT)" in r.error_text
    assert frames(r.error_text)[-2:] == [f"In[{count(r) - 1}], line 2, in give_up", "in libc.so.6, abort()"], (
        r.error_text
    )
    k.ok("__attribute__((noinline)) int divide(int a, int b) { return a / b; }\nint zero = 0;")
    r = k.fails("divide(1, zero)")
    assert "integer divide by zero" in r.error_text
    assert frames(r.error_text)[-1].endswith("in divide"), r.error_text
