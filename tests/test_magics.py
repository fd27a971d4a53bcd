"""The magics, through real kernels: %cflags, %lib, %help and unknown magics,
%whos, %undo, %reset, %time/%%time, %timeit/%%timeit, %disas, %%file, %env
and %sanitize (%export: test_export.py; %limits: test_hostile.py).

Tests that change how every later cell is built (%cflags, %sanitize) or wipe
the program (%reset) use a kernel of their own; the rest share one.
"""

from __future__ import annotations

import ctypes.util
import os
import platform
import re
import shutil
import subprocess

import pytest
from conftest import TIMEOUT, Kernel
from jupyter_client.manager import KernelManager


def test_help_lists_every_magic(kernel) -> None:
    out = kernel.ok("%help").stdout
    for name in (
        "%cflags",
        "%lib",
        "%help",
        "%whos",
        "%undo",
        "%reset",
        "%time",
        "%%time",
        "%timeit",
        "%%timeit",
        "%disas",
        "%%file",
        "%env",
        "%export",
    ):
        assert f"  {name} " in out or f"  {name}:" in out, name
    assert "%sanitize address|undefined|off" in out
    assert "?NAME" in out


# -- %whos -----------------------------------------------------------------------------------


def test_whos_lists_symbols_with_kind_type_cell_and_value(kernel) -> None:
    kernel.ok(
        "struct wh_point { int x, y; };\n"
        "typedef struct wh_point wh_point_t;\n"
        "enum wh_mode { WH_ON, WH_OFF };\n"
        "#define WH_LIMIT 99\n"
        "double wh_ratio = 0.5;\n"
        "wh_point_t wh_here = { 3, 4 };\n"
        "int wh_area(wh_point_t p) { return p.x * p.y; }\n"
    )
    r = kernel.ok("%whos")
    assert r.stdout == "" and len(r.displays) == 1
    text = r.displays[0]["text/plain"]
    html = r.displays[0]["text/html"]
    rows = {line.split()[0]: line for line in text.splitlines()[2:] if not line.startswith(("struct", "enum"))}
    assert re.search(r"wh_area\s+function\s+int wh_area\(wh_point_t p\)\s+In\[\d+\]:7", rows["wh_area"])
    assert re.search(r"wh_ratio\s+variable\s+double\s+In\[\d+\]:5\s+0\.5$", rows["wh_ratio"])
    assert re.search(r"wh_here\s+variable\s+wh_point_t\s+In\[\d+\]:6\s+\{ \.x = 3, \.y = 4 \}", rows["wh_here"])
    assert re.search(r"wh_point_t\s+typedef", rows["wh_point_t"])
    assert re.search(r"WH_LIMIT\s+macro\s+#define WH_LIMIT 99", rows["WH_LIMIT"])
    assert re.search(r"WH_OFF\s+enum constant", rows["WH_OFF"])
    assert re.search(r"^struct wh_point\s+struct\s", text, re.M)
    assert re.search(r"^enum wh_mode\s+enum\s", text, re.M)
    assert "__cellc" not in text
    assert html.startswith("<table") and "<th>Kind</th>" in html and "<code>wh_area</code>" in html
    # values are read from the live program
    kernel.ok("wh_ratio = 2.25;")
    assert re.search(r"wh_ratio\s+variable\s+double\s+\S+\s+2\.25$", kernel.ok("%whos").displays[0]["text/plain"], re.M)


def test_whos_on_an_empty_program(fresh_kernel) -> None:
    r = fresh_kernel.ok("%whos")
    assert "defines nothing" in r.stdout and r.displays == []


# -- %undo / %reset ------------------------------------------------------------------------


def test_undo_restores_globals_functions_and_trampolines(kernel) -> None:
    kernel.ok("int un_g = 1;\nint un_f(void) { return 1; }\nint (*un_fp)(void) = un_f;")
    kernel.ok("int un_calls(void) { return un_f() * 10; }")
    changed = kernel.ok(
        "un_g = 5;\n"
        "int un_f(void) { return 2; }\n"
        "int un_new(void) { return 3; }\n"
        "struct un_only { int z; };\n"
        "#define UN_MACRO 1"
    )
    label = f"In[{changed.reply['content']['execution_count']}]"
    r = kernel.ok("%undo")
    assert label in r.stdout
    assert "un_f back to" in r.stdout and "un_new removed" in r.stdout
    assert kernel.ok("un_g").value == "1", "the global's value is rolled back"
    assert kernel.ok("un_f()").value == "1", "the old body is back in the trampoline"
    assert kernel.ok("un_fp()").value == "1", "function pointers taken earlier see the old body"
    assert kernel.ok("un_calls()").value == "10", "earlier callers see the old body"
    assert "un_new" in kernel.fails("un_new()").error_text
    kernel.fails("struct un_only u;")
    kernel.fails("int m = UN_MACRO;")
    # the undone names can be defined again, new trampoline and all
    kernel.ok("int un_new(void) { return 30; }")
    assert kernel.ok("un_new()").value == "30"


def test_undo_a_signature_change(kernel) -> None:
    kernel.ok("int us_f(int a) { return a + 1; }")
    r = kernel.ok("double us_f(double a, double b) { return a * b; }\nus_f(2.0, 3.0)")
    assert r.value == "6.0"
    kernel.ok("%undo")
    assert kernel.ok("us_f(41)").value == "42"


def test_undo_several_and_nothing_left(fresh_kernel) -> None:
    k = fresh_kernel
    k.ok("int ua = 1;")
    k.ok("ua = 2;")
    k.ok("ua = 3;")
    r = k.ok("%undo 2")
    assert r.stdout.count("In[") == 2
    k.ok("%undo")
    assert "ua" in k.fails("ua").error_text
    r = k.fails("%undo")
    assert "nothing to undo" in r.error_text
    assert k.fails("%undo x").errors[0]["ename"] == "UsageError"


def test_reset_gives_a_fresh_program_in_the_same_kernel(fresh_kernel) -> None:
    k = fresh_kernel
    k.ok("#include <stdio.h>\nint rs_v = 7;\nint rs_f(void) { return 1; }\nstruct rs_s { int a; };")
    before = k.ok("6 * 7").reply["content"]["execution_count"]
    r = k.ok("%reset")
    assert "reset" in r.stdout
    assert "rs_v" in k.fails("rs_v").error_text
    assert "rs_f" in k.fails("rs_f()").error_text
    # a different type for the same names: no warning, it is a new program
    r = k.ok("double rs_v = 1.5;\nstruct rs_s { double b; } rs_x = { 2.5 };\nrs_v + rs_x.b")
    assert r.value == "4.0" and r.stderr == ""
    assert r.reply["content"]["execution_count"] > before, "same kernel, counting on"
    table = k.ok("%whos").displays[0]["text/plain"].splitlines()[2:]
    assert {re.split(r"\s{2,}", line)[0] for line in table} == {"rs_v", "rs_x", "struct rs_s"}


# -- timing --------------------------------------------------------------------------------


def test_time_line_and_cell(kernel) -> None:
    kernel.ok("long tm_work(long n) { long s = 0; for (long i = 0; i < n; i++) s += i; return s; }")
    r = kernel.ok("%time tm_work(1000)")
    assert r.value == "499500"
    assert re.search(
        r"^CPU times: user .+, sys: .+, total: .+\nWall time: [\d.]+ (s|ms|µs|ns)$", r.stdout.strip(), re.M
    )
    r = kernel.ok('%%time\n#include <stdio.h>\nlong tm_total = tm_work(100000);\nprintf("done\\n");\ntm_total')
    assert r.value == "4999950000"
    assert r.stdout.startswith("done\n") and "Wall time:" in r.stdout
    assert kernel.ok("tm_total").value == "4999950000", "declarations in a timed cell persist"


def test_time_keeps_line_numbers_and_errors(kernel) -> None:
    r = kernel.fails("%%time\nint tm_ok = 1;\nint tm_bad = ;")
    assert re.search(r"In\[\d+\]:3:", r.error_text)
    assert "Wall time" not in r.stdout
    r = kernel.fails("%time int tm_bad2 = ;")
    assert re.search(r"In\[\d+\]:1:15: error", r.error_text), "columns as the user wrote them"
    assert "    1 | int tm_bad2 = ;\n      |               ^" in r.error_text
    assert "__cellc" not in r.error_text and "clock_gettime" not in r.error_text
    r = kernel.fails("%timeit -n 1 -r 1 tm_nope + 1")
    assert "    1 | tm_nope + 1\n      | ^~~~~~~" in r.error_text
    assert "__cellc" not in r.error_text


def test_time_evaluates_the_value_once_inside_the_timing(kernel) -> None:
    kernel.ok("long tv_count = 0;\nlong tv_next(void) { return ++tv_count; }")
    r = kernel.ok("%time tv_next()")
    assert r.value == "1" and "Wall time" in r.stdout
    assert kernel.ok("tv_count").value == "1"
    kernel.ok("int tv_arr[3] = { 4, 5, 6 };")
    assert kernel.ok("%time tv_arr").value == "{ 4, 5, 6 }", "arrays keep their value"
    assert kernel.ok("%time tv_next").value == "tv_next"
    r = kernel.ok("%whos")
    assert "__cellc" not in r.displays[0]["text/plain"]


def test_timeit_runs_n_times_r_runs_in_one_process(kernel) -> None:
    kernel.ok("long ti_calls = 0;")
    r = kernel.ok("%%timeit -n 5 -r 3\nti_calls++;")
    assert re.fullmatch(
        r"[\d.]+ (s|ms|µs|ns) ± [\d.]+ (s|ms|µs|ns) per loop \(mean ± std\. dev\. of 3 runs, 5 loops each\)\n", r.stdout
    )
    assert kernel.ok("ti_calls").value == "15"
    r = kernel.ok("%timeit -n 2 -r 2 ti_calls += 10")
    assert "of 2 runs, 2 loops each" in r.stdout
    assert kernel.ok("ti_calls").value == "55"


def test_timeit_chooses_the_number_of_loops(kernel) -> None:
    kernel.ok("long ti_auto = 0;\nvoid ti_spin(void) { for (volatile int i = 0; i < 20000; i++) ; ti_auto++; }")
    r = kernel.ok("%%timeit -r 1\nti_spin();")
    m = re.search(r"of 1 run, (\d+) loops? each\)", r.stdout)
    assert m, r.stdout
    loops = int(m.group(1))
    assert re.fullmatch(r"[125]0*", str(loops)), "1, 2, 5, 10, 20, 50, ..."
    assert int(kernel.ok("ti_auto").value) >= loops


def test_timeit_rejects_definitions_and_reports_errors(kernel) -> None:
    r = kernel.fails("%%timeit\nint ti_f(void) { return 1; }")
    assert r.errors[0]["ename"] == "UsageError" and "earlier cell" in r.errors[0]["evalue"]
    r = kernel.fails("%%timeit -n 1 -r 1\nint ti_x = ;")
    assert re.search(r"In\[\d+\]:2:", r.error_text)
    assert kernel.fails("%%timeit -n x\n1;").errors[0]["ename"] == "UsageError"


# -- %disas --------------------------------------------------------------------------------


def test_disas_shows_the_current_body_with_source_lines(kernel) -> None:
    kernel.ok("int ds_sq(int x) {\n    return x * x;\n}")
    r = kernel.ok("%disas ds_sq")
    out = r.stdout
    assert re.search(r"^[0-9a-f]+ <ds_sq>:$", out, re.M)
    assert re.search(r"^In\[\d+\]:2: return x \* x;$", out, re.M)
    assert "ret" in out
    if platform.machine() in ("x86_64", "AMD64"):
        assert "imul" in out
    assert "__cellc" not in out
    kernel.ok("int ds_sq(int x) {\n    int y = x + 1;\n    return y;\n}")
    out = kernel.ok("%disas ds_sq").stdout
    assert re.search(r"^In\[\d+\]:2: int y = x \+ 1;$", out, re.M)
    assert "imul" not in out
    out = kernel.ok("%disas -M intel ds_sq").stdout
    if platform.machine() in ("x86_64", "AMD64"):
        assert "rbp" in out and "%rbp" not in out


def test_disas_errors(kernel) -> None:
    assert "ds_none" in kernel.fails("%disas ds_none").error_text
    kernel.ok("int ds_declared(int);")
    assert "ds_declared" in kernel.fails("%disas ds_declared").error_text
    assert kernel.fails("%disas").errors[0]["ename"] == "UsageError"


# -- %%file and %env (a kernel started in a directory of our own) --------------------------


@pytest.fixture()
def kernel_in_tmp(tmp_path):
    k = Kernel.__new__(Kernel)
    k.km = KernelManager(kernel_name="cellc")
    k.km.start_kernel(cwd=str(tmp_path))
    k.kc = k.km.client()
    k.kc.start_channels()
    k.kc.wait_for_ready(timeout=TIMEOUT)
    yield k, tmp_path
    k.shutdown()


def test_file_writes_appends_and_is_includable(kernel_in_tmp) -> None:
    k, where = kernel_in_tmp
    r = k.ok("%%file fl_defs.h\n#define FL_ANSWER 42\nstatic inline int fl_twice(int x) { return 2 * x; }")
    assert r.stdout == "Writing fl_defs.h\n"
    assert (where / "fl_defs.h").read_text() == (
        "#define FL_ANSWER 42\nstatic inline int fl_twice(int x) { return 2 * x; }\n"
    )
    assert k.ok('#include "fl_defs.h"\nfl_twice(FL_ANSWER)').value == "84"
    assert k.ok("%%file -a fl_defs.h\n#define FL_MORE 1").stdout == "Appending to fl_defs.h\n"
    assert (where / "fl_defs.h").read_text().endswith("#define FL_MORE 1\n")
    assert k.ok("%%file fl_defs.h\n// replaced").stdout == "Overwriting fl_defs.h\n"
    # the program runs in the same directory
    r = k.ok(
        '#include <stdio.h>\nFILE *fl = fopen("fl_defs.h", "r");\nchar fl_line[32];\nfgets(fl_line, 32, fl);\nfl_line'
    )
    assert r.value == '"// replaced\\n"'
    assert k.fails("%%file").errors[0]["ename"] == "UsageError"


def test_env_sets_what_getenv_sees(kernel) -> None:
    kernel.ok("#include <stdlib.h>\n#include <stdio.h>")
    r = kernel.ok("%env CELLC_ENV_TEST=hello world")
    assert r.stdout == "env: CELLC_ENV_TEST=hello world\n"
    assert kernel.ok('getenv("CELLC_ENV_TEST")').value == '"hello world"'
    assert kernel.ok("%env CELLC_ENV_TEST").stdout == "hello world\n"
    assert "CELLC_ENV_TEST=hello world\n" in kernel.ok("%env").stdout
    tricky = 'quote " backslash \\ tab\t héllo'
    kernel.ok(f"%env CELLC_ENV_TRICKY={tricky}")
    assert kernel.ok('puts(getenv("CELLC_ENV_TRICKY"));').stdout == tricky + "\n"
    kernel.ok("%env CELLC_ENV_TWO second form")
    assert kernel.ok('getenv("CELLC_ENV_TWO")').value == '"second form"'
    kernel.ok("%env -u CELLC_ENV_TEST")
    assert kernel.ok('getenv("CELLC_ENV_TEST") == NULL').value == "1"
    assert kernel.fails("%env CELLC_ENV_TEST").errors[0]["ename"] == "KeyError"


def test_env_then_c_in_one_cell(kernel) -> None:
    r = kernel.ok('%env CELLC_ENV_SAME=cell\n#include <stdlib.h>\n#include <stdio.h>\nputs(getenv("CELLC_ENV_SAME"));')
    assert r.stdout.endswith("cell\n")


# -- %sanitize ---------------------------------------------------------------------------------


def _gcc_has(lib: str) -> bool:
    out = subprocess.run(["gcc", f"-print-file-name={lib}"], capture_output=True, text=True).stdout.strip()
    return out.startswith("/")


needs_ubsan = pytest.mark.skipif(not shutil.which("gcc") or not _gcc_has("libubsan.so"), reason="no libubsan")
needs_asan = pytest.mark.skipif(not shutil.which("gcc") or not _gcc_has("libasan.so"), reason="no libasan")


@needs_ubsan
def test_sanitize_undefined_reports_as_the_cells_error(fresh_kernel) -> None:
    k = fresh_kernel
    k.ok("int sz_big = 2147483647;\nint sz_arr[3];")
    assert k.ok("%sanitize undefined").stdout == "sanitizers: undefined\n"
    r = k.fails("int sz_y = 1;\nsz_y = sz_big + 1;")
    error = r.errors[0]
    assert error["ename"] == "UndefinedBehaviorSanitizer"
    assert "signed integer overflow" in error["evalue"] and ", line 2)" in error["evalue"]
    assert re.search(r"In\[\d+\]:2:\d+: runtime error: signed integer overflow", r.error_text)
    assert "rolled back" in r.error_text or "before this cell" in r.error_text
    assert "runtime error" not in r.stderr, "the report is the error, not a stream"
    assert "sz_y" in k.fails("sz_y").error_text, "the failed cell changed nothing"
    r = k.fails("int sz_i = 3;\nsz_arr[sz_i] = 1;")
    assert "out of bounds" in r.errors[0]["evalue"]
    assert k.ok("sz_big - 1").value == "2147483646", "the program carries on"
    assert k.ok("%sanitize").stdout == "sanitizers: undefined\n"
    k.ok("%sanitize off")
    assert "-fsanitize" not in k.ok("%cflags").stdout
    assert k.ok("int sz_w = sz_big;\nsz_w += 1;\nsz_w").value == "-2147483648"


@needs_asan
def test_sanitize_address_reports_heap_overflow(fresh_kernel) -> None:
    k = fresh_kernel
    k.ok("int sz_before = 1;")
    k.ok("int sz_twice(int x) { return 2 * x; }")
    k.ok('sz_before = sz_twice(21);\nprintf("once\\n");')
    r = k.ok("%sanitize address")
    assert "restarted" in r.stdout and "rebuilt" in r.stdout, "ASan's runtime needs a new process: the user is told"
    assert "once" not in r.stdout  # the program is carried over, its statements not run again
    assert k.ok("sz_twice(sz_before)").value == "84"
    k.ok("#include <stdlib.h>\nint *sz_p;\nsz_p = malloc(3 * sizeof(int));")
    r = k.fails("sz_p[1] = 1;\nsz_p[3] = 7;")
    error = r.errors[0]
    assert error["ename"] == "AddressSanitizer"
    assert error["evalue"].startswith("heap-buffer-overflow") and ", line 2)" in error["evalue"]
    assert re.search(r"WRITE of size 4", r.error_text)
    assert re.search(r"allocated by thread T0 here:\n(.*\n)?.*<cell> In\[\d+\]:3", r.error_text)
    assert "__cellc" not in r.error_text and "Shadow bytes" not in r.error_text
    assert k.ok("sz_p[1] = 5;\nsz_p[1]").value == "5", "state from before the faulty cell is intact"
    r = k.fails("free(sz_p);\nsz_p[0]")
    assert r.errors[0]["evalue"].startswith("heap-use-after-free")
    k.ok("%reset")
    assert k.ok("%sanitize").stdout == "sanitizers: address\n", "%reset keeps the sanitizer, with its runtime"
    r = k.fails("int sz_glob[2] = {0};\nint sz_k = 2;\nsz_glob[sz_k] = 1;")
    assert r.errors[0]["evalue"].startswith("global-buffer-overflow")


def test_sanitize_usage(kernel) -> None:
    assert kernel.fails("%sanitize thread").errors[0]["ename"] == "UsageError"
    assert kernel.fails("%sanitize off address").errors[0]["ename"] == "UsageError"


def test_timeit_options_written_together(kernel) -> None:
    kernel.ok("int tn_calls = 0;")
    r = kernel.ok("%timeit -n5 -r1 tn_calls++;")
    assert "1 run, 5 loops each" in r.stdout, r.stdout
    assert kernel.ok("tn_calls").value == "5"


# -- %cflags, %lib, %help, unknown magics ------------------------------------------------


def shown_flags(kernel) -> str:
    """What `%cflags` with no arguments prints."""
    r = kernel.ok("%cflags")
    assert r.results == [] and r.errors == []
    return r.stdout.strip()


def test_cflags_shows_set_and_applies(fresh_kernel) -> None:
    k = fresh_kernel
    default = shown_flags(k)
    assert default, "%cflags shows the current flags"
    assert "-O2" not in default.split()
    k.ok("%cflags -O2 -DFOO=3")
    assert shown_flags(k).split() == ["-O2", "-DFOO=3"]
    assert k.ok("FOO").value == "3"
    assert k.ok("FOO + 1").value == "4", "flags persist for every later cell"
    assert k.ok("int mg_opt = __OPTIMIZE__;\nmg_opt").value == "1", "-O2 reaches gcc"


def test_cflags_rejected_leave_flags_unchanged(fresh_kernel) -> None:
    k = fresh_kernel
    k.ok("%cflags -DMG_KEEP=5")
    r = k.fails("%cflags --no-such-gcc-option")
    assert "--no-such-gcc-option" in r.error_text
    assert shown_flags(k).split() == ["-DMG_KEEP=5"]
    assert k.ok("MG_KEEP").value == "5"
    r = k.fails("%cflags -o /tmp/elsewhere.o")
    assert "-o" in r.error_text
    assert shown_flags(k).split() == ["-DMG_KEEP=5"]
    r = k.fails('%cflags -DX="unbalanced')
    assert shown_flags(k).split() == ["-DMG_KEEP=5"]


def test_cflags_split_like_a_shell_without_one(fresh_kernel) -> None:
    """Quotes group words (shlex); `$(...)` and `;` are not run by a shell."""
    k = fresh_kernel
    k.ok("%cflags '-DMG_GREETING=\"hi there\"'")
    assert k.ok("MG_GREETING").value == '"hi there"'
    r = k.execute("%cflags -DMG_X=1 ; touch /tmp/cellc_magic_shell_ran")
    assert not os.path.exists("/tmp/cellc_magic_shell_ran")
    assert r.status == "error", "`;` and `touch` are not gcc flags"


def test_cflags_werror_turns_warnings_into_errors(fresh_kernel) -> None:
    k = fresh_kernel
    k.ok("%cflags -Wall -Werror")
    r = k.fails("int mg_w(void) { int unused_local; return 0; }")
    assert "unused_local" in r.error_text
    assert k.execute("mg_w();").status == "error", "the failed cell defined nothing"
    k.ok("%cflags -Wall")
    r = k.ok("int mg_w(void) { int unused_local; return 0; }")
    assert "unused_local" in r.stderr


@pytest.mark.parametrize("flags", ["-std=c11 -Wall -pedantic-errors", "-Wall -Wextra -pedantic -Werror"])
def test_cflags_of_a_course_build_every_kind_of_cell(fresh_kernel, flags) -> None:
    """Strict flags apply to the user's code, never to the code cellc writes around it."""
    k = fresh_kernel
    k.ok(f"%cflags {flags}")
    k.ok("#include <stdio.h>")
    k.ok("struct pair { int a, b; };")
    k.ok("struct pair pr = { 1, 2 };")
    k.ok("int sum(struct pair q) { return q.a + q.b; }")
    k.ok("int (*sum_of)(struct pair) = sum;")
    assert k.ok("sum(pr)").value == "3"
    assert k.ok("sum_of(pr) * 2").value == "6"
    assert k.ok("pr").value == "{ .a = 1, .b = 2 }"
    k.ok("int sum(struct pair q) { return q.a - q.b; }")
    assert k.ok("sum_of(pr)").value == "-1", "a redefinition reaches a function pointer"
    assert k.ok('printf("%d\\n", sum(pr));').stdout == "-1\n"
    r = k.ok("%time sum(pr)")
    assert r.value == "-1" and "Wall time" in r.stdout
    r = k.fails("int strict_bad(void) { return 1 }")
    assert "expected ';'" in r.error_text and "__cellc" not in r.error_text


def test_cflags_that_cannot_work_are_refused_with_the_reason(fresh_kernel) -> None:
    k = fresh_kernel
    k.ok("%cflags -DMG_KEEP=5")
    refused = {
        "-fvisibility=hidden": "later cells must see",
        "-fsyntax-only": "an object it links and loads",
        "-M": "an object it links and loads",
        "--help": "print instead of compiling",
        "-flto": "link-time optimization",
        "-x c++": "a cell is C",
        "-gsplit-dwarf": "DWARF",
        "-g0": "DWARF",
        "-fno-pic": "position-independent",
        "-m32": "64-bit",
        "-lm": "%lib",
    }
    for flags, why in refused.items():
        r = k.fails(f"%cflags -O1 {flags}")
        assert f"cannot take {flags.split()[0]}: " in r.error_text and why in r.error_text, r.error_text
        assert shown_flags(k).split() == ["-DMG_KEEP=5"], "a refused %cflags changes nothing"
    assert k.ok("int mg_after = MG_KEEP;\nmg_after").value == "5"


def test_lib_zlib(kernel) -> None:
    assert ctypes.util.find_library("z"), "zlib (zlib1g) is part of every Debian system"
    kernel.ok("%lib z")
    r = kernel.ok("const char *zlibVersion(void);\nzlibVersion()")
    version = r.value.strip('"')
    assert version[0].isdigit() and "." in version, r.value
    r = kernel.ok("%lib")
    assert "libz" in r.stdout, "%lib with no arguments lists what is loaded"


def test_lib_by_path(kernel) -> None:
    path = next(
        (
            p
            for p in ("/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1", "/usr/lib/libz.so.1")
            if os.path.exists(p)
        ),
        None,
    )
    if path is None:
        pytest.skip("no libz.so.1 at a known path")
    kernel.ok(f"%lib {path}")
    r = kernel.ok(
        "unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned len);\n"
        'crc32(0, (const unsigned char *)"hello", 5)'
    )
    assert r.value == str(0x3610A686)


def test_lib_missing_is_clear(kernel) -> None:
    r = kernel.fails("%lib cellc_no_such_library_xyz")
    assert "cellc_no_such_library_xyz" in r.error_text
    assert "not found" in r.error_text
    r = kernel.fails("%lib /nonexistent/libnothing.so")
    assert "/nonexistent/libnothing.so" in r.error_text
    assert kernel.ok("2 * 21").value == "42"


def test_lib_not_a_library(kernel, tmp_path) -> None:
    bogus = tmp_path / "libbogus.so"
    bogus.write_text("this is not an ELF file\n")
    r = kernel.fails(f"%lib {bogus}")
    assert "libbogus.so" in r.error_text
    assert kernel.ok("2 * 21").value == "42"


def test_unknown_magic_is_an_error(kernel) -> None:
    r = kernel.fails("%nosuchmagic 1 2 3")
    assert "%nosuchmagic" in r.error_text
    assert "%help" in r.error_text
    r = kernel.fails("%%nosuchcellmagic\nint x;")
    assert "nosuchcellmagic" in r.error_text


def test_magic_then_c_in_one_cell(kernel) -> None:
    """Magic lines come first; the C after them runs, with its own line numbers."""
    r = kernel.ok('%help\n#include <stdio.h>\nputs("after the magic");')
    assert "%cflags" in r.stdout and "after the magic" in r.stdout
    r = kernel.fails("%help\nint mg_bad = ;")
    assert "In[" in r.error_text and ":2:" in r.error_text


def test_unbalanced_quotes_in_magic_arguments_are_a_usage_error(kernel) -> None:
    for magic in ('%lib "m', '%cflags -D"X', '%disas "f', '%%file "x.h\nint a;'):
        r = kernel.execute(magic)
        assert r.status == "error" and r.errors[0]["ename"] == "UsageError", magic
        assert "No closing quotation" in r.error_text, r.error_text
