"""Redefinition: the newest definition wins everywhere.

Every test runs twice, through real kernels: with the default flags and after
`%cflags -O2 -Wall`, because at -O2 gcc inlines, folds and turns recursion into
loops whenever it can see a body, and that is exactly what would bypass the
trampolines.  Tests sharing the module kernel use names of their own; tests
that need a program nobody else touched get kernels of their own (one for the libc
names, a fresh one per thread test).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from conftest import Kernel, Reply

FLAGS = ["", "-O2"]


@pytest.fixture(scope="module", params=FLAGS, ids=["default", "O2"])
def flags(request: pytest.FixtureRequest) -> str:
    """The optimization flags of this round (module-scoped so kernels are grouped by it)."""
    return request.param


def start(flags: str) -> Kernel:
    """A new kernel compiling with `flags` (none: the kernel's defaults)."""
    k = Kernel()
    if flags:
        k.ok(f"%cflags {flags} -Wall")
        assert flags in k.ok("%cflags").stdout
    return k


@pytest.fixture(scope="module")
def k(flags: str) -> Iterator[Kernel]:
    """The kernel shared by the tests of one round."""
    kernel = start(flags)
    yield kernel
    kernel.shutdown()


@pytest.fixture()
def fresh(flags: str) -> Iterator[Kernel]:
    """A kernel of its own, for tests whose program must be untouched by others."""
    kernel = start(flags)
    yield kernel
    kernel.shutdown()


def value(k: Kernel, expr: str) -> str:
    """The text/plain value of a cell that is one expression."""
    r = k.ok(expr)
    assert r.value is not None, (expr, r.stdout, r.stderr)
    return r.value


def label(r: Reply) -> str:
    """The cell label ("In[n]") of an executed cell, as diagnostics name it."""
    return f"In[{r.reply['content']['execution_count']}]"


def quiet(r: Reply) -> None:
    """A redefinition must not draw a diagnostic: no gcc 'redefinition' error or warning."""
    text = r.stderr + r.error_text
    assert r.status == "ok", text
    assert not re.search(r"redefin|redeclar|conflicting", text, re.I), text
    assert r.stderr == "", r.stderr


# -- functions ----------------------------------------------------------------


def test_earlier_caller_sees_new_body(k: Kernel) -> None:
    k.ok("int fa_f(int x) { return x + 1; }")
    k.ok("int fa_caller(int x) { return fa_f(x) * 10; }")
    assert value(k, "fa_caller(1)") == "20"
    k.ok("int fa_f(int x) { return x + 2; }")
    assert value(k, "fa_caller(1)") == "30"
    assert value(k, "fa_f(1)") == "3"


def test_pointer_taken_earlier_follows_redefinition(k: Kernel) -> None:
    k.ok("int fp_f(int x) { return x * 2; }")
    k.ok("int (*fp_p)(int) = fp_f;\nint (*fp_q)(int) = &fp_f;")
    assert value(k, "fp_p(5)") == "10"
    k.ok("int fp_f(int x) { return x * 3; }")
    assert value(k, "fp_p == fp_f") == "1"
    assert value(k, "fp_q == &fp_f") == "1"
    assert value(k, "fp_p(5)") == "15"
    assert value(k, "fp_q(5)") == "15"


def test_pointer_taken_in_same_cell_as_definition(k: Kernel) -> None:
    k.ok("int fs_f(void) { return 1; }\nint (*fs_p)(void) = fs_f;")
    k.ok("int fs_f(void) { return 2; }")
    assert value(k, "fs_p()") == "2"
    assert value(k, "fs_p == fs_f") == "1"


def test_recursion_goes_to_newest_definition(k: Kernel) -> None:
    # A recursive body's self-call is a call through the trampoline too: at -O2
    # gcc must not see it as self-recursion (which it would turn into a loop).
    k.ok("int rc_depth(int n) { return n <= 0 ? 0 : 1 + rc_depth(n - 1); }")
    assert value(k, "rc_depth(10)") == "10"
    k.ok("int rc_depth(int n) { return n <= 0 ? 100 : 2 + rc_depth(n - 1); }")
    assert value(k, "rc_depth(10)") == "120"


def test_same_cell_sibling_sees_new_body(k: Kernel) -> None:
    k.ok("int sc_base(void) { return 1; }\nint sc_twice(void) { return sc_base() * 2; }")
    assert value(k, "sc_twice()") == "2"
    k.ok("int sc_base(void) { return 21; }")
    assert value(k, "sc_twice()") == "42"


def test_redefinition_in_same_cell_as_use(k: Kernel) -> None:
    k.ok("int su_f(void) { return 1; }\nint su_g(void) { return su_f() + 10; }")
    r = k.ok("int su_f(void) { return 5; }\nint su_h = 0;\nsu_h = su_g();\nsu_h")
    assert r.value == "15"


def test_redefine_and_evaluate_in_one_cell(k: Kernel) -> None:
    # The everyday loop: edit the function, show its result on a variable, in one cell.
    k.ok("int re_v = 4;\nint re_f(int x) { return x + 1; }")
    assert value(k, "int re_f(int x) { return x * 3; }\nre_f(re_v)") == "12"
    assert value(k, "int re_f(int x) { return x * 5; }\nre_f(2)") == "10"


def test_prototype_then_body_in_later_cell(k: Kernel) -> None:
    k.ok("int mr_is_even(int);\nint mr_is_odd(int n) { return n == 0 ? 0 : mr_is_even(n - 1); }")
    r = k.ok("int mr_is_even(int n) { return n == 0 ? 1 : mr_is_odd(n - 1); }")
    assert "warning" not in r.stderr, r.stderr  # same signature, only the parameter names differ
    assert value(k, "mr_is_even(10)") == "1"
    assert value(k, "mr_is_odd(10)") == "0"
    assert value(k, "mr_is_odd(7)") == "1"
    assert value(k, "mr_is_even(7)") == "0"


def test_signature_change_warns_about_old_callers(k: Kernel) -> None:
    k.ok("int sg_f(int x) { return x * x; }")
    caller = k.ok("int sg_user(void) { return sg_f(3); }")
    assert value(k, "sg_user()") == "9"
    r = k.ok("double sg_f(double x) { return x * 0.5; }")
    warning = r.stderr + r.error_text
    assert "sg_f" in warning, warning
    assert label(caller) in warning, (label(caller), warning)
    assert value(k, "sg_f(3.0)") == "1.5"
    assert value(k, "sg_f(3)") == "1.5"  # the new prototype converts the int
    assert value(k, "sizeof sg_f(1)") == "8"
    k.ok("double sg_new_user(void) { return sg_f(5); }")
    assert value(k, "sg_new_user()") == "2.5"


def test_signature_warning_names_every_older_caller(k: Kernel) -> None:
    k.ok("int sm_f(int x) { return x; }")
    first = k.ok("int sm_a(void) { return sm_f(1); }")
    k.ok("long sm_f(long x) { return x; }")
    second = k.ok("long sm_b(void) { return sm_f(2); }")
    r = k.ok("double sm_f(double x) { return x; }")
    assert label(first) in r.stderr and label(second) in r.stderr, r.stderr


def test_same_signature_redefinition_does_not_warn(k: Kernel) -> None:
    k.ok("int sw_f(int a) { return a; }")
    k.ok("int sw_user(void) { return sw_f(3); }")
    r = k.ok("int sw_f(int b) { return b + 1; }")
    assert "warning" not in r.stderr, r.stderr
    assert value(k, "sw_user()") == "4"


def test_calling_declared_only_function_is_clear_error(k: Kernel) -> None:
    k.ok("int du_counter = 7;")
    k.ok("int du_missing(int);\nint du_call(void) { return du_missing(2); }")
    r = k.fails("du_counter = 99;\ndu_call()")
    assert "du_missing" in r.error_text, r.error_text
    assert value(k, "du_counter") == "7"  # the kernel survived and rolled the cell back
    r = k.fails("int du_absent(void);\ndu_absent()")
    assert "du_absent" in r.error_text, r.error_text
    assert value(k, "1 + 1") == "2"


def test_declared_function_defined_later_after_failed_call(k: Kernel) -> None:
    k.ok("int dl_f(void);")
    k.fails("dl_f()")
    k.ok("int dl_f(void) { return 33; }")
    assert value(k, "dl_f()") == "33"


# -- libc names ---------------------------------------------------------------

#: name -> (include, definition, a later cell's expression and its value)
LIBC: dict[str, tuple[str, str, str, str]] = {
    "rand": ("#include <stdlib.h>", "int rand(void) { return 4; }", "rand() + rand()", "8"),
    "index": (
        "#include <string.h>\n#include <strings.h>",
        'char *index(const char *s, int c) { return (char *)"mine"; }',
        # a run-time string: with a constant one gcc folds index() like the builtin it is
        "index(lb_text, 'b')",
        '"mine"',
    ),
    "error": (
        "#include <error.h>\n#include <stdio.h>",
        'void error(int status, int errnum, const char *fmt, ...) { printf("notebook error %d\\n", status); }',
        # status 0: libc's error() prints to stderr and returns (3 would be noreturn, even for ours at -O2)
        '(error(0, 0, "x"), 5)',
        "5",
    ),
    "abs": (
        "#include <stdlib.h>",
        "int abs(int x) { return -7; }",
        # through a pointer: a direct abs(x) is gcc's builtin in any program
        "lb_abs_ptr(3)",
        "-7",
    ),
}

#: name -> (code compiled before the notebook defines the name, a later call of it, its value, its stdout)
EARLY: dict[str, tuple[str, str, str | None, str]] = {
    "rand": ("int lb_early_rand(void) { return rand(); }", "lb_early_rand()", "4", ""),
    # gcc rewrites a direct index() call into strchr() in code that cannot see
    # the notebook's definition yet, so the earlier code takes its address.
    "index": ("char *(*lb_early_index)(const char *, int) = index;", "lb_early_index(lb_text, 'b')", '"mine"', ""),
    "error": ('void lb_early_error(void) { error(0, 0, "early"); }', "lb_early_error();", None, "notebook error 0\n"),
    "abs": ("int (*lb_early_abs)(int) = abs;", "lb_early_abs(3)", "-7", ""),
}


@pytest.fixture(scope="module")
def libc_kernel(flags: str) -> Iterator[Kernel]:
    """A kernel whose first cells use libc's rand/index/error/abs before the notebook defines them."""
    kernel = start(flags)
    kernel.ok("\n".join(inc for inc, _, _, _ in LIBC.values()))
    kernel.ok('char lb_text[] = "abc";')
    kernel.ok("\n".join(code for code, _, _, _ in EARLY.values()))
    yield kernel
    kernel.shutdown()


@pytest.mark.parametrize("name", list(LIBC))
def test_libc_name_notebook_definition_wins_in_later_cells(libc_kernel: Kernel, name: str) -> None:
    _, definition, expr, expected = LIBC[name]
    libc_kernel.ok(definition)
    if name == "abs":
        libc_kernel.ok("int (*lb_abs_ptr)(int) = abs;")
    r = libc_kernel.execute(expr)
    assert r.status == "ok", (r.stderr, r.error_text)
    assert r.value == expected, (r.value, r.stdout, r.stderr)
    if name == "error":
        assert r.stdout == "notebook error 0\n", (r.stdout, r.stderr)


@pytest.mark.parametrize("name", list(EARLY))
def test_libc_name_notebook_definition_wins_in_earlier_functions(libc_kernel: Kernel, name: str) -> None:
    # In one program the function compiled "earlier" calls the program's own
    # definition, so it must here too.
    libc_kernel.ok(LIBC[name][1])
    _, call, expected, stdout = EARLY[name]
    r = libc_kernel.execute(call)
    assert r.status == "ok", (r.stderr, r.error_text)
    assert (r.value, r.stdout) == (expected, stdout), r.stderr


def test_libc_prototype_without_include_binds_to_libc(k: Kernel) -> None:
    r = k.ok('int puts(const char *);\nputs("lp hello");')
    assert r.stdout == "lp hello\n"
    k.ok("unsigned long strlen(const char *);")
    assert value(k, 'strlen("four")') == "4"
    k.ok('int lp_user(void) { return puts("lp again"); }')
    r = k.ok("lp_user();")
    assert r.stdout == "lp again\n"


def test_main_defined_and_called(k: Kernel) -> None:
    k.ok("int mn_calls = 0;")
    k.ok("int main(void) { mn_calls++; return 11; }")
    assert value(k, "main()") == "11"
    k.ok("int main(int argc, char **argv) { mn_calls += 10; return argc * 100; }")
    assert value(k, "main(3, 0)") == "300"
    assert value(k, "mn_calls") == "11"


# -- globals ------------------------------------------------------------------


def test_same_type_redeclaration_reinitializes_for_everyone(k: Kernel) -> None:
    k.ok("int gl_limit = 5;\nint *gl_plimit = &gl_limit;\nint gl_get(void) { return gl_limit; }")
    assert value(k, "gl_get()") == "5"
    r = k.ok("int gl_limit = 9;")
    assert "warning" not in r.stderr, r.stderr
    assert value(k, "gl_get()") == "9"  # a function compiled earlier reads the same variable
    assert value(k, "*gl_plimit") == "9"
    assert value(k, "gl_plimit == &gl_limit") == "1"


def test_rerunning_counter_declaration_resets_it(k: Kernel) -> None:
    decl = "int gc_counter = 0;"
    k.ok(decl)
    k.ok("int gc_bump(void) { return ++gc_counter; }")
    assert value(k, "gc_bump(); gc_bump(); gc_bump()") == "3"
    k.ok(decl)
    assert value(k, "gc_counter") == "0"
    assert value(k, "gc_bump()") == "1"


def test_redeclaration_without_initializer_is_a_tentative_definition(k: Kernel) -> None:
    # As in one C file (`long v = 42; long v;`): the value stays; `= 0` resets.
    k.ok("long gz_v = 42;")
    k.ok("long gz_v;")
    assert value(k, "gz_v") == "42"
    k.ok("long gz_v = 0;")
    assert value(k, "gz_v") == "0"


def test_redeclaration_with_runtime_initializer(k: Kernel) -> None:
    k.ok("int gr_seed(void) { return 6; }")
    k.ok("int gr_v = gr_seed() * 7;\nint gr_get(void) { return gr_v; }")
    k.ok("int gr_seed(void) { return 2; }")
    k.ok("int gr_v = gr_seed() * 7;")
    assert value(k, "gr_get()") == "14"


def test_different_type_makes_new_variable_and_warns(k: Kernel) -> None:
    k.ok("int gt_v = 1;\nint gt_get(void) { return gt_v; }")
    r = k.ok("double gt_v = 2.5;")
    warning = r.stderr + r.error_text
    assert "gt_v" in warning and "gt_get" in warning, warning
    assert value(k, "gt_v") == "2.5"
    assert value(k, "sizeof gt_v") == "8"
    assert value(k, "gt_get()") == "1"  # the warned-about function keeps the old variable
    k.ok("double gt_twice(void) { return gt_v * 2; }")
    assert value(k, "gt_twice() == 5.0") == "1"


def test_conflicting_declaration_is_an_error_naming_the_definition(k: Kernel) -> None:
    """Only a definition makes a new variable; a declaration that disagrees
    with the program's definition is gcc's error, as in one file."""
    defined = label(k.ok("int cf_counter = 5;"))
    r = k.fails("extern double cf_counter;")
    assert "conflicting types for 'cf_counter'; have 'double'" in r.error_text, r.error_text
    assert f"{defined}:1:5: note: previous declaration of 'cf_counter' with type 'int'" in r.error_text
    assert "int cf_counter = 5;" in r.error_text and "__cellc" not in r.error_text
    assert "conflicting type qualifiers" in k.fails("extern const int cf_counter;").error_text
    assert value(k, "cf_counter") == "5"
    # compatible declarations change nothing
    k.ok("extern int cf_counter;")
    k.ok("typedef int cf_int;\nextern cf_int cf_counter;")
    k.ok("int cf_counter;")  # a tentative definition: the value stays
    assert value(k, "cf_counter") == "5"
    k.ok("int cf_arr[3] = { 1, 2, 3 };")
    k.ok("extern int cf_arr[];")
    assert value(k, "sizeof cf_arr + cf_arr[2]") == "15"
    assert "conflicting types for 'cf_arr'" in k.fails("extern int cf_arr[4];").error_text
    defined = label(k.ok("int cf_fn(int x) { return x; }"))
    r = k.fails("double cf_fn(double);")
    assert f"{defined}:1:5: note: previous declaration of 'cf_fn' with type 'int(int)'" in r.error_text, r.error_text
    k.ok("extern int cf_init = 7;")  # with an initializer, a definition
    assert value(k, "cf_init") == "7"
    k.ok("double cf_counter = 2.5;")  # a definition with a new type: the documented redefinition
    assert value(k, "cf_counter") == "2.5"


def test_array_global_changes_size(k: Kernel) -> None:
    k.ok("int ga_a[3] = { 1, 2, 3 };")
    k.ok("int ga_a[5] = { 1, 2, 3, 4, 5 };")
    assert value(k, "sizeof ga_a / sizeof ga_a[0]") == "5"
    assert value(k, "ga_a[4]") == "5"


# -- types and macros ---------------------------------------------------------


def test_struct_redefinition_adds_field(k: Kernel) -> None:
    quiet(k.ok("struct ty_pt { int x; };"))
    assert value(k, "sizeof(struct ty_pt)") == "4"
    quiet(k.ok("struct ty_pt { int x; int y; };"))
    quiet(k.ok("struct ty_pt ty_q = { 1, 2 };"))
    assert value(k, "ty_q.x + ty_q.y * 10") == "21"
    assert value(k, "sizeof(struct ty_pt)") == "8"


def test_typedef_redefinition(k: Kernel) -> None:
    quiet(k.ok("typedef int td_num;"))
    assert value(k, "(td_num)2.5") == "2"
    quiet(k.ok("typedef double td_num;"))
    assert value(k, "(td_num)2.5") == "2.5"
    assert value(k, "sizeof(td_num)") == "8"


def test_typedef_of_struct_redefinition(k: Kernel) -> None:
    quiet(k.ok("typedef struct { int a; } ts_t;"))
    quiet(k.ok("typedef struct { int a; double b; } ts_t;"))
    quiet(k.ok("ts_t ts_v = { 1, 0.5 };"))
    assert value(k, "ts_v.a + ts_v.b") == "1.5"


def test_enum_redefinition(k: Kernel) -> None:
    quiet(k.ok("enum en_col { EN_RED, EN_GREEN };"))
    assert value(k, "EN_GREEN") == "1"
    quiet(k.ok("enum en_col { EN_RED = 10, EN_GREEN, EN_BLUE };"))
    assert value(k, "EN_GREEN + EN_BLUE") == "23"


def test_macro_redefinition(k: Kernel) -> None:
    quiet(k.ok("#define MC_N 3"))
    assert value(k, "MC_N") == "3"
    quiet(k.ok("#define MC_N 5"))
    assert value(k, "MC_N") == "5"
    quiet(k.ok("#define MC_SQ(x) ((x) * (x))"))
    quiet(k.ok("#define MC_SQ(x) ((x) * (x) * (x))"))
    assert value(k, "MC_SQ(2)") == "8"
    quiet(k.ok("int mc_arr[MC_N];"))
    assert value(k, "sizeof mc_arr / sizeof mc_arr[0]") == "5"


def test_a_type_keeps_the_macro_it_expanded(k: Kernel) -> None:
    """A struct, an enum and an array sized by a macro keep what they expanded
    when the macro is redefined later, as in one file; cells after see the new
    value, and the struct's own cell run again defines it anew with it.  (The
    struct was once rebuilt with the new value at once: 40 bytes, silently.)"""
    k.ok("#define MK_N 3")
    k.ok("struct mk_s { int a[MK_N]; };")
    k.ok("struct mk_s mk_g = {{1, 2, 3}};")
    k.ok("enum { MK_FIRST = MK_N };")
    k.ok("int mk_before[MK_N];")
    quiet(k.ok("#define MK_N 10"))
    assert value(k, "sizeof(struct mk_s)") == "12"
    assert value(k, "mk_g.a[2] + MK_FIRST * 10 + sizeof mk_before / sizeof mk_before[0] * 100") == "333"
    k.ok("int mk_after[MK_N];")
    assert value(k, "sizeof mk_after / sizeof mk_after[0]") == "10"
    r = k.ok("struct mk_s { int a[MK_N]; };")  # run again: a new definition, 10 ints
    assert "mk_g keeps the old layout of struct mk_s" in r.stderr, r.stderr  # an array's length: not migrated
    assert value(k, "sizeof(struct mk_s)") == "40"
    assert value(k, "sizeof mk_g + mk_g.a[2]") == "15"


def test_an_old_layout_expands_the_macro_it_had(k: Kernel) -> None:
    """A struct sized by a macro is redefined after the macro was: the old
    layout its globals keep, or are migrated from, has the old value (with
    the new one, the migration would read the wrong offsets)."""
    k.ok("#define OL_N 3")
    k.ok("struct ol_kept { int a[OL_N]; int b; };")
    k.ok("struct ol_moved { int a[OL_N]; int b; };")
    k.ok("struct ol_kept ol_k = {{1, 2, 3}, 7};")
    k.ok("struct ol_moved ol_m = {{4, 5, 6}, 8};")
    quiet(k.ok("#define OL_N 10"))
    r = k.ok("struct ol_kept { int a[OL_N]; long b; };")  # the array's length changed: kept as it was
    assert "ol_k keeps the old layout" in r.stderr, r.stderr
    assert value(k, "sizeof ol_k * 100 + ol_k.b * 10 + ol_k.a[2]") == "1673"
    r = k.ok("struct ol_moved { int a[3]; long b; };")  # migrated member by member
    assert "ol_m was migrated" in r.stderr, r.stderr
    assert value(k, "sizeof ol_m * 100 + ol_m.b * 10 + ol_m.a[2]") == "2486"


def test_a_declaration_keeps_the_macro_it_named(k: Kernel) -> None:
    """A function and a global declared with a macro for their type, then the
    macro changed: later cells declare them as they were (they were once
    declared with the new type: f() read as a double, the int global read as
    8 bytes of garbage, silently)."""
    k.ok("#define DT_T int")
    k.ok("DT_T dt_f(void) { return 41; }")
    k.ok("DT_T dt_g = 7;")
    k.ok("DT_T dt_arr[2][2];")
    k.ok("#undef DT_T")
    k.ok("#define DT_T double")
    assert value(k, "dt_f() + 1") == "42"
    assert value(k, "dt_g * 10 + sizeof dt_g") == "74"
    assert value(k, "sizeof dt_arr") == "16"
    k.ok("DT_T dt_h = 2.5;")
    assert value(k, "dt_h") == "2.5"
    quiet(k.ok("#define DT_T long"))  # redefined again: still as first declared
    assert value(k, "dt_f() + dt_g") == "48"


def test_a_header_macro_changed_later_leaves_what_expanded_it(fresh: Kernel) -> None:
    """A header's macros (and a -D flag's), changed by a later cell: what was
    declared or laid out with them stays as it was, as in one file (the
    function was called as returning double, the int global read as 8 bytes
    and the struct grew to the new N, silently)."""
    k = fresh
    header = f"cellc_test_macros_{os.getpid()}.h"
    k.ok(f"%%file {header}\n#define HM_T int\n#define HM_N 3")
    try:
        k.ok(f'#include <stdio.h>\n#include "{header}"')
        k.ok("HM_T hm_f(void) { return 41; }")
        k.ok("HM_T hm_g = 7;")
        k.ok("struct hm_s { int a[HM_N]; };")
        k.ok("char hm_buf[BUFSIZ];")
        quiet(k.ok("#undef HM_T\n#define HM_T double\n#undef HM_N\n#define HM_N 10\n#define BUFSIZ 16"))
        assert value(k, "hm_f() + 1") == "42"
        assert value(k, "hm_g * 10 + sizeof hm_g") == "74"
        assert value(k, "sizeof(struct hm_s) + HM_N") == "22"
        assert value(k, "sizeof hm_buf + BUFSIZ") == "8208"  # glibc's BUFSIZ: 8192
        k.ok("HM_T hm_h = 2.5;")
        assert value(k, "hm_h") == "2.5"
        k.ok("%cflags -DHM_U=int")
        k.ok("HM_U hm_u(void) { return 1; }")
        k.ok("#undef HM_U\n#define HM_U double")
        assert value(k, "hm_u() + 1") == "2"
    finally:
        os.unlink(header)


def test_a_flag_macro_changed_by_cflags_leaves_what_expanded_it(fresh: Kernel) -> None:
    """%cflags changes a -D macro that sized a struct and typed a function:
    later cells see them as the loaded objects have them (they saw the
    struct 40 bytes long over a 12-byte global, silently)."""
    k = fresh
    k.ok("%cflags -DCF_N=3 -DCF_T=int")
    k.ok("struct cf_s { int a[CF_N]; };")
    k.ok("struct cf_s cf_g = {{1, 2, 3}};")
    k.ok("CF_T cf_f(void) { return 41; }")
    k.ok("%cflags -DCF_N=10 -DCF_T=double")
    assert value(k, "sizeof(struct cf_s) + sizeof cf_g") == "24"
    assert value(k, "cf_g.a[2] + CF_N") == "13"
    assert value(k, "cf_f() + 1") == "42"
    k.ok("CF_T cf_h = 2.5;\nint cf_m[CF_N];")
    assert value(k, "(int)(cf_h * sizeof cf_m)") == "100"
    k.ok("%cflags -DCF_N=20")  # and again: each keeps what it expanded
    k.ok("struct cf_t { struct cf_s s; int b[CF_N]; };")
    assert value(k, "sizeof(struct cf_t) + sizeof cf_m") == "132"


def test_a_migrated_global_keeps_the_macro_of_its_declaration(k: Kernel) -> None:
    """One cell changes both a macro a global's declaration names and the
    struct it holds: the global is migrated, with its old length."""
    k.ok("#define MG_N 3")
    k.ok("struct mg_s { int a; };")
    k.ok("struct mg_s mg_g[MG_N] = {{1}, {2}, {3}};")
    r = k.ok("#define MG_N 10\nstruct mg_s { int a; int b; };")
    assert "mg_g was migrated" in r.stderr, r.stderr
    assert value(k, "sizeof mg_g") == "24"
    assert value(k, "mg_g[2].a + MG_N") == "13"


def test_undef_then_define_again(k: Kernel) -> None:
    """`#undef` then `#define` of the same name, each in its cell: what expanded
    the first keeps it, and the name is defined after (it was once undeclared
    in later cells, the second definition placed before the #undef)."""
    k.ok("#define UD_N 3")
    k.ok("enum { UD_A = UD_N, UD_B };")
    k.ok("typedef int ud_vec[UD_N];")
    k.ok("#undef UD_N")
    k.ok("#define UD_N 10")
    assert value(k, "UD_A * 10 + UD_B") == "34"
    assert value(k, "sizeof(ud_vec) / sizeof(int)") == "3"
    assert value(k, "UD_N") == "10"


def test_function_using_redefined_struct(k: Kernel) -> None:
    k.ok("struct fs_box { int w; };\nint fs_area(struct fs_box b) { return b.w * b.w; }")
    r = k.ok("struct fs_box { int w; int h; };")
    # compiled with the old layout: named, as for a changed prototype
    assert "old layout of struct fs_box: fs_area (In[" in r.stderr, r.stderr
    quiet(k.ok("int fs_area(struct fs_box b) { return b.w * b.h; }"))
    assert value(k, "fs_area((struct fs_box){ 3, 4 })") == "12"


def test_struct_held_through_a_typedef_follows_redefinition(k: Kernel) -> None:
    k.ok("struct th_pt { int x, y; };")
    k.ok("typedef struct th_pt th_pt_t;")
    k.ok("struct th_box { th_pt_t corner; int tag; };")
    k.ok("struct th_pt { long x, y, z; };")
    assert value(k, "sizeof(struct th_box)") == "32"
    k.ok("struct th_box th_b = { { 4, 5, 6 }, 7 };")
    assert value(k, "th_b.corner.z + th_b.tag") == "13"


def test_redefining_a_struct_another_type_points_to(k: Kernel) -> None:
    """struct rp_holder points to struct rp_later, which holds an rp_holder: the
    new rp_later needs rp_holder defined before it, as it was."""
    k.ok("typedef struct rp_later *rp_later_p;")
    k.ok("struct rp_holder { rp_later_p p; };")
    k.ok("struct rp_later { struct rp_holder h; int z; };")
    k.ok("struct rp_later { struct rp_holder h; int z; int extra; };")
    assert value(k, "sizeof(struct rp_later)") == "16"
    k.ok("struct rp_later rp_l = { { &rp_l }, 9, 10 };")
    assert value(k, "rp_l.h.p->extra") == "10"


RERUN = """\
#include <stdio.h>
#define RR_K 2
struct rr_s { int a; };
enum rr_e { RR_A = 1 };
static int rr_static = 4;
int rr_n = 0;
int rr_f(int x) { return x * RR_K + RR_A; }
struct rr_s rr_v = { 5 };
rr_n += rr_f(rr_v.a) + rr_static;
rr_total += rr_n;
printf("rr %d\\n", rr_n);
rr_total
"""


def test_rerunning_a_cell_many_times(k: Kernel) -> None:
    # a macro, a struct, an enum, globals (one static), a function and statements
    k.ok("int rr_total = 0;")
    for i in range(1, 6):
        r = k.ok(RERUN)
        quiet(r)
        assert r.stdout == "rr 15\n", r.stdout
        assert r.value == str(15 * i), r.value
    assert value(k, "rr_f(1)") == "3"


def test_rerunning_typedef_and_global_of_that_type(k: Kernel) -> None:
    cell = "typedef struct { int a; } rt_t;\ntypedef int rt_num;\nrt_t rt_v = { 5 };\nrt_num rt_n = 6;\nrt_v.a * rt_n"
    for _ in range(3):
        r = k.ok(cell)
        quiet(r)
        assert r.value == "30"


def test_rerunning_prototype_and_body_cells(k: Kernel) -> None:
    for _ in range(3):
        quiet(k.ok("int rp_g(int);\nint rp_h(int x) { return rp_g(x) + 1; }"))
        quiet(k.ok("int rp_g(int x) { return x * 2; }"))
    assert value(k, "rp_h(4)") == "9"


# -- threads ------------------------------------------------------------------

STEP_THREAD = """\
#include <pthread.h>
#include <unistd.h>
int step(void) { return 1; }
volatile long th_calls = 0;
volatile int th_last = 0;
volatile int th_stop = 0;
void *th_spin(void *arg) {
    while (!th_stop) { th_last = step(); th_calls++; usleep(20); }
    return 0;
}
pthread_t th_thread;
pthread_create(&th_thread, 0, th_spin, 0);
pthread_detach(th_thread);
"""

#: a statement waiting (bounded: never a hang) until the thread has called step() 100 more times
WAIT = "long th_seen = th_calls;\nfor (int i = 0; i < 20000 && th_calls < th_seen + 100; i++) usleep(500);\n"


def test_thread_calling_function_while_it_is_redefined(fresh: Kernel) -> None:
    fresh.ok(STEP_THREAD)
    assert fresh.ok(WAIT + "th_last").value == "1"
    fresh.ok("int step(void) { return 2; }")
    r = fresh.ok(WAIT + "th_last")
    assert r.value == "2"
    fresh.ok("int step(void) { return 3; }")
    assert fresh.ok(WAIT + "th_last").value == "3"
    assert value(fresh, "th_calls >= 300") == "1"
    fresh.ok("th_stop = 1;")
    assert value(fresh, "step()") == "3"


WALK_THREAD = """\
#include <pthread.h>
#include <unistd.h>
volatile int wk_release = 0;
volatile int wk_entered = 0;
int wk_walk(int n) {
    if (n == 0) return 0;
    wk_entered = 1;
    for (int i = 0; i < 20000 && !wk_release; i++) usleep(500);
    return 1 + wk_walk(n - 1);
}
int wk_result = -1;
void *wk_run(void *arg) { wk_result = wk_walk(1); return 0; }
pthread_t wk_thread;
pthread_create(&wk_thread, 0, wk_run, 0);
for (int i = 0; i < 20000 && !wk_entered; i++) usleep(500);
wk_entered
"""


def test_recursion_inside_running_old_body_reaches_new_body(fresh: Kernel) -> None:
    # The old body is running (in a thread) when the function is redefined; its
    # recursive call must land in the new body: 1 + 100, not 1 + 0.
    assert fresh.ok(WALK_THREAD).value == "1"
    fresh.ok("int wk_walk(int n) { return 100; }")
    r = fresh.ok("wk_release = 1;\npthread_join(wk_thread, 0);\nwk_result")
    assert r.value == "101"
