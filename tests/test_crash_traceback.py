"""A crash shows its call stack like Python's traceback:
every frame from the cell's statement in to the fault, with cell, line,
function and source text; library frames on one line; recursion folded; our
machinery never shown.  Through real kernels, at -O0 and -O2."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

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


def test_failed_assert_says_which_assertion(k: Kernel) -> None:
    """A stub's `assert(!"not implemented yet")` fails with its message in the
    error's value; a bare `abort()` reads as any crash."""
    k.ok("#include <assert.h>")
    k.ok('double area(double r)\n{\n    assert(!"not implemented yet");\n    return r;\n}')
    r = k.fails("area(2.0);")
    error = r.errors[0]
    assert error["ename"] == "SIGABRT"
    assert error["evalue"] == 'Aborted (SIGABRT): Assertion `!"not implemented yet"\' failed', error
    assert frames(r.error_text)[-2:] == [f"In[{count(r) - 1}], line 3, in area", "in libc.so.6, __assert_fail()"]
    assert 'Assertion `!"not implemented yet"\' failed.' in r.stderr  # glibc's message, as in a terminal


# -- %debug (item 2): the frozen copy of the crashed process, through gdb --------------------

DEBUG_LIST = """\
struct node { int value; struct node *next; };
__attribute__((noinline)) int first(struct node *l) {
    int twice = 2;
    return l->value * twice;
}
__attribute__((noinline)) int second(struct node *l) { return first(l->next) + 1; }
__attribute__((noinline)) int sum(struct node *l) {
    int s = second(l);
    return 3 * s;
}"""


def frozen_processes() -> list[int]:
    """Stopped processes (the frozen copies) anywhere on the machine."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if "executor-" in (status.parent / "cmdline").read_text(errors="replace") and "\nState:\tT" in text:
            out.append(int(status.parent.name))
    return out


@pytest.mark.skipif(shutil.which("gdb") is None, reason="gdb is not installed")
def test_debug_shows_frames_locals_and_evaluates(k: Kernel) -> None:
    k.ok(DEBUG_LIST)
    k.ok("int kept_value = 41;")
    r = k.fails("struct node a = { 1, 0 };\nint t = sum(&a);")
    crashed = count(r)
    text = k.ok("%debug").stdout
    assert f"In[{crashed}] crashed" in text, text
    assert "> #0  In[" in text and "line 4, in first" in text
    assert "#2  In[" in text and "in sum" in text
    assert "  l = NULL   (argument)" in text  # the NULL pointer, by name, as cellc shows values
    assert "return l->value * twice;" in text
    if "-O2" not in k.ok("%cflags").stdout:
        assert "  twice = 2" in text, text  # at -O2 gcc keeps no such variable
    up = k.ok("%debug up").stdout
    assert "Frame #1:" in up and "in second" in up and "(argument)" in up
    if "-O2" not in k.ok("%cflags").stdout:  # at -O2, gdb rightly says second's l is optimized out
        assert k.ok("%debug p l->value").stdout.strip() == "l->value = 1"
    assert "Frame #0:" in k.ok("%debug down").stdout
    assert k.ok("%debug p l == 0").stdout.strip() == "l == 0 = 1"
    assert "No symbol" in k.ok("%debug p no_such_name").stdout
    assert k.ok("%debug p kept_value + 1").stdout.strip() == "kept_value + 1 = 42"  # a notebook global
    assert "no frame #9" in k.fails("%debug frame 9").error_text
    assert "UsageError" in k.fails("%debug sideways").error_text
    assert "__cellc" not in text + up
    assert frozen_processes(), "the crashed process is kept until the next cell"
    assert k.ok("kept_value").value == "41"  # the next cell runs normally
    assert "no crash to look at" in k.ok("%debug").stdout
    for _ in range(50):
        if not frozen_processes():
            break
        time.sleep(0.1)
    assert not frozen_processes(), "no frozen process is left behind"


def test_debug_without_a_crash(k: Kernel) -> None:
    assert "no crash to look at" in k.ok("%debug").stdout
    k.ok("int fine = 1;")
    assert "no crash to look at" in k.ok("%debug up").stdout


@pytest.mark.skipif(shutil.which("gdb") is None, reason="gdb is not installed")
def test_debug_after_assert_interrupt_and_sanitizer(fresh_kernel: Kernel) -> None:
    """Item 3: %debug also after a failed assert, an interrupt and a sanitizer report."""
    k = fresh_kernel
    k.ok("#include <assert.h>\nvoid check(int balance) {\n    int limit = 1000;\n    assert(balance > limit);\n}")
    k.fails("check(5);")
    text = k.ok("%debug").stdout
    assert "> #1  In[1], line 4, in check" in text, text  # selected: the innermost frame of the user's
    assert "#0  in libc.so.6" in text and "balance = 5   (argument)" in text and "limit = 1000" in text
    k.ok("volatile long spins = 0;\nvoid spin(long n) {\n    for (long i = 0; ; i++) spins = i + n;\n}")
    k.fails("spin(3);", interrupt_after=1.0)
    text = k.ok("%debug").stdout
    assert "was interrupted" in text and "in spin" in text and "n = 3   (argument)" in text, text
    k.ok("%sanitize undefined")
    k.ok("int add(int a, int b) { int big = a; return big + b; }")
    r = k.fails("add(2147483647, 1)")
    assert "signed integer overflow" in r.error_text
    text = k.ok("%debug").stdout
    assert "in add" in text and "a = 2147483647   (argument)" in text, text


def test_illegal_instruction_and_bus_error(k: Kernel) -> None:
    k.ok("__attribute__((noinline)) void trap_here(int why) { if (why) __builtin_trap(); }")
    r = k.fails("trap_here(1);\ntrap_here(0);")
    assert "Illegal instruction (SIGILL)" in r.error_text
    assert frames(r.error_text)[-1].endswith("in trap_here"), r.error_text
    k.ok(
        "#include <fcntl.h>\n#include <stdio.h>\n#include <sys/mman.h>\n#include <unistd.h>\n"
        "__attribute__((noinline)) int touch(volatile char *p) { return p[0]; }"
    )
    r = k.fails(
        "FILE *f = tmpfile();\nchar *m = mmap(0, 4096, PROT_READ, MAP_SHARED, fileno(f), 0);\ntouch(m);\nfclose(f);"
    )
    assert "Bus error (SIGBUS)" in r.error_text, r.error_text
    shown = frames(r.error_text)
    assert shown[0] == f"In[{count(r)}], line 3" and shown[-1].endswith("in touch"), r.error_text


@pytest.mark.skipif(shutil.which("gdb") is None, reason="gdb is not installed")
def test_debug_after_an_address_sanitizer_report(fresh_kernel: Kernel) -> None:
    k = fresh_kernel
    k.ok("%sanitize address")
    k.ok("#include <stdlib.h>\nint peek_past(int n) {\n    int *b = malloc(n * sizeof *b);\n    return b[n];\n}")
    assert "heap-buffer-overflow" in k.fails("peek_past(4)").error_text
    text = k.ok("%debug").stdout
    assert "stopped at a report" in text and "in peek_past" in text and "n = 4   (argument)" in text, text
