"""Cells are pieces of one program, checked through a real kernel.

One kernel is shared by the module: each test uses names of its own, which is
also how a notebook grows, so later tests run on a program that already holds
many cells.
"""

from __future__ import annotations

import re

import pytest


def value_of(kernel, code: str) -> str:
    """The text/plain value of a cell that must succeed and show one."""
    r = kernel.ok(code)
    assert r.value is not None, f"no value shown for {code!r}"
    return r.value


# -- everything defined at top level carries to later cells ----------------------


def test_function_and_global_carry(kernel) -> None:
    kernel.ok("int sem_base = 40;\nint sem_add(int a, int b) { return a + b; }")
    assert value_of(kernel, "sem_add(sem_base, 2)") == "42"


def test_include_carries(kernel) -> None:
    kernel.ok("#include <string.h>")
    assert value_of(kernel, 'strlen("abcd")') == "4"


def test_struct_carries(kernel) -> None:
    kernel.ok("struct sem_pt { int x, y; };")
    kernel.ok("struct sem_pt sem_p = { 3, 4 };")
    assert value_of(kernel, "sem_p.x * sem_p.y") == "12"


def test_union_carries(kernel) -> None:
    kernel.ok("union sem_u { int i; unsigned char bytes[4]; };")
    kernel.ok("union sem_u sem_uv;\nsem_uv.i = 0x01020304;")
    assert value_of(kernel, "sem_uv.bytes[0] + 0") == "4"  # x86-64 and aarch64 are little-endian


def test_enum_carries(kernel) -> None:
    kernel.ok("enum sem_color { SEM_RED, SEM_GREEN = 5, SEM_BLUE };")
    assert value_of(kernel, "SEM_BLUE") == "6"
    kernel.ok("enum sem_color sem_c = SEM_GREEN;")
    assert value_of(kernel, "sem_c == SEM_GREEN") == "1"


def test_typedef_carries(kernel) -> None:
    kernel.ok("typedef unsigned long sem_ulong;\ntypedef struct { double re, im; } sem_complex;")
    assert value_of(kernel, "sizeof(sem_ulong)") == str(8)
    kernel.ok("sem_complex sem_z = { 1.5, -2.0 };")
    assert value_of(kernel, "sem_z.re + sem_z.im") == "-0.5"


def test_macros_carry_and_undef(kernel) -> None:
    kernel.ok("#define SEM_SQ(x) ((x) * (x))\n#define SEM_TEN 10")
    assert value_of(kernel, "SEM_SQ(SEM_TEN) + 0") == "100"
    kernel.ok("#undef SEM_TEN")
    r = kernel.execute("int sem_after_undef = SEM_TEN;")
    assert r.status == "error", "SEM_TEN was #undef'd and must be gone"
    assert value_of(kernel, "SEM_SQ(3)") == "9"


def test_static_names_carry(kernel) -> None:
    """A notebook is one file: `static` names stay visible."""
    kernel.ok("static int sem_hidden = 9;\nstatic int sem_sq(int x) { return x * x; }")
    assert value_of(kernel, "sem_sq(sem_hidden) + 0") == "81"


def test_libm_without_flags(kernel) -> None:
    kernel.ok("#include <math.h>")
    kernel.ok("double sem_two = 2.0;")
    kernel.ok("double sem_root = sqrt(sem_two);")  # a variable, so gcc cannot fold it away
    assert value_of(kernel, "sem_root") == "1.4142135623730951"
    assert float(value_of(kernel, "pow(sem_two, 10)")) == 1024.0
    assert float(value_of(kernel, "cos(sem_two - sem_two)")) == 1.0


def test_pthreads_without_flags(kernel) -> None:
    kernel.ok(
        "#include <pthread.h>\nint sem_total;\nvoid *sem_work(void *arg) { sem_total += *(int *)arg; return NULL; }"
    )
    kernel.ok(
        "pthread_t sem_t;\n"
        "int sem_arg = 7;\n"
        "pthread_create(&sem_t, NULL, sem_work, &sem_arg);\n"
        "pthread_join(sem_t, NULL);"
    )
    assert value_of(kernel, "sem_total") == "7"


# -- statements and run-time initializers run in order ---------------------


def test_statements_interleave_with_declarations(kernel) -> None:
    r = kernel.ok(
        "#include <stdio.h>\n"
        "int sem_a1 = 1;\n"
        'printf("%d\\n", sem_a1);\n'
        "int sem_a2 = sem_a1 + 1;\n"
        "sem_a1 = 10;\n"
        'printf("%d %d\\n", sem_a1, sem_a2);\n'
        "for (int i = 0; i < 3; i++) sem_a1 += i;\n"
        'if (sem_a1 == 13) puts("thirteen");'
    )
    assert r.stdout == "1\n10 2\nthirteen\n"


def test_runtime_initializer_across_cells(kernel) -> None:
    kernel.ok("int sem_f(int x) { return x + 1; }\nint sem_ra = 5;")
    kernel.ok("int sem_rb = sem_f(sem_ra) * 2;")
    assert value_of(kernel, "sem_rb") == "12"


def test_runtime_initializers_in_order_within_a_cell(kernel) -> None:
    kernel.ok(
        "int sem_calls;\n"
        "int sem_next(void) { return ++sem_calls; }\n"
        "int sem_i1 = sem_next();\n"
        "int sem_i2 = sem_next() * 10;\n"
        "int sem_i3 = sem_i1 + sem_i2;"
    )
    assert value_of(kernel, "sem_i1") == "1"
    assert value_of(kernel, "sem_i2") == "20"
    assert value_of(kernel, "sem_i3") == "21"


def test_globals_persist_and_mutate(kernel) -> None:
    kernel.ok("int sem_counter = 0;\nvoid sem_bump(void) { sem_counter++; }")
    kernel.ok("sem_bump();\nsem_bump();")
    kernel.ok("sem_bump();")
    assert value_of(kernel, "sem_counter") == "3"


# -- trailing expressions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "plain", "ctype"),
    [
        ("6 * 7", "42", "int"),
        ("1.5 + 1", "2.5", "double"),
        ("(short)-3", "-3", "short"),
        ("(unsigned short)65535", "65535", "unsigned short"),
        ("(unsigned)-1", "4294967295", "unsigned int"),
        ("-5L", "-5", "long"),
        ("10UL", "10", "unsigned long"),
        ("-7LL", "-7", "long long"),
        ("18446744073709551615ULL", "18446744073709551615", "unsigned long long"),
        ("(_Bool)1", None, "_Bool"),
        ("(char)'a'", "'a'", "char"),
        ("0.5f", None, "float"),
        ("(long double)2.5", "2.5", "long double"),
    ],
)
def test_value_of_each_arithmetic_type(kernel, code: str, plain: str | None, ctype: str) -> None:
    r = kernel.ok(code)
    assert len(r.results) == 1
    text = r.value
    if plain is not None:
        assert text == plain
    elif ctype == "_Bool":
        assert text in ("true", "1")
    else:
        assert float(text) == 0.5
    assert f"<code>{ctype}</code>" in r.results[0]["text/html"]


def test_value_six_times_seven_is_exactly_42(kernel) -> None:
    r = kernel.ok("6 * 7")
    assert r.results == [{"text/plain": "42", "text/html": r.results[0]["text/html"]}]
    assert "<code>int</code>" in r.results[0]["text/html"]
    assert "42" in r.results[0]["text/html"]


def test_value_of_variables_and_expressions(kernel) -> None:
    kernel.ok("int sem_va = 6;\nint sem_vb = 7;")
    assert value_of(kernel, "sem_va * sem_vb") == "42"  # `a * b` is an expression, not a declaration
    assert value_of(kernel, "sem_va") == "6"
    assert value_of(kernel, "sem_va > sem_vb ? sem_va : sem_vb") == "7"


def test_value_of_string(kernel) -> None:
    assert value_of(kernel, '"hello"') == '"hello"'
    kernel.ok('const char *sem_greeting = "hi there";')
    assert value_of(kernel, "sem_greeting") == '"hi there"'


def test_value_of_pointer(kernel) -> None:
    kernel.ok("int sem_target = 1;")
    assert re.fullmatch(r"0x[0-9a-f]+", value_of(kernel, "&sem_target"))
    assert value_of(kernel, "(int *)0") in ("NULL", "0x0", "(nil)")


def test_value_of_struct(kernel) -> None:
    kernel.ok("struct sem_xy { int x, y; };\nstruct sem_xy sem_xyv = { 1, 2 };")
    r = kernel.ok("sem_xyv")
    assert r.value == "{ .x = 1, .y = 2 }"
    assert "<code>struct sem_xy</code>" in r.results[0]["text/html"]


def test_value_of_array(kernel) -> None:
    kernel.ok("int sem_arr[] = { 1, 2, 3 };")
    assert value_of(kernel, "sem_arr") == "{ 1, 2, 3 }"


@pytest.mark.parametrize("code", ["sem_quiet * 2;", "sem_quiet = 4;", "6 * 7;", "6 * 7 ;", "(void)sem_quiet;"])
def test_trailing_semicolon_shows_nothing(kernel, code: str) -> None:
    kernel.ok("int sem_quiet = 3;")
    r = kernel.ok(code)
    assert r.results == []


def test_value_after_comment_and_statements(kernel) -> None:
    r = kernel.ok('#include <stdio.h>\nputs("first");\n// the answer:\n40 + 2')
    assert r.stdout == "first\n"
    assert r.value == "42"


@pytest.mark.parametrize(
    ("setup", "code", "plain"),
    [
        ("#include <math.h>\ndouble sem_d = 2.0;", "sqrt(sem_d)", "1.4142135623730951"),
        ("int sem_inc(int x) { return x + 1; }\nint sem_n = 41;", "sem_inc(sem_n)", "42"),
        ("#define SEM_TWICE(x) (2 * (x))\n#define SEM_21 21", "SEM_TWICE(SEM_21)", "42"),
    ],
    ids=["libm-call", "notebook-function", "macro"],
)
def test_trailing_call_with_one_name_argument(kernel, setup: str, code: str, plain: str) -> None:
    """`f(x)` as the last line is a call whose value is shown, in its own cell or after declarations."""
    kernel.ok(setup)
    r = kernel.execute(code)
    assert r.status == "ok", r.error_text
    assert r.value == plain
    name = "sem_unused_" + re.sub(r"\W", "_", code)
    r = kernel.execute(f"int {name};\n{code}")
    assert r.status == "ok", r.error_text
    assert r.value == plain


def test_value_of_void_call_shows_nothing(kernel) -> None:
    kernel.ok("void sem_nothing(void) { }")
    r = kernel.ok("sem_nothing()")
    assert r.results == []


# -- main -------------------------------------------------------------------------


def test_main_defined_then_called(kernel) -> None:
    kernel.ok('#include <stdio.h>\nint main(void) { puts("in main"); return 3; }')
    r = kernel.ok("main()")
    assert r.stdout == "in main\n"
    assert r.value == "3"
    r = kernel.ok("int sem_main_rc = main();")
    assert r.stdout == "in main\n"
    assert value_of(kernel, "sem_main_rc") == "3"


# -- cells of every shape -----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["", "   \n\n  \t", "// only a comment", "/* a block\n   comment */", ";"])
def test_empty_and_comment_cells(kernel, code: str) -> None:
    r = kernel.ok(code)
    assert r.results == [] and r.stdout == "" and r.errors == []


def test_rerunning_a_cell(kernel) -> None:
    cell = "int sem_rerun = 0;\nint sem_rerun_bump(void) { return ++sem_rerun; }"
    kernel.ok(cell)
    assert value_of(kernel, "sem_rerun_bump()") == "1"
    kernel.ok(cell)
    assert value_of(kernel, "sem_rerun_bump()") == "1", "re-running `int x = 0;` resets x"
    r = kernel.ok('#include <stdio.h>\nputs("again");')
    assert r.stdout == "again\n"
    r = kernel.ok('#include <stdio.h>\nputs("again");')
    assert r.stdout == "again\n"


def test_unicode_in_strings_and_comments(kernel) -> None:
    r = kernel.ok('#include <stdio.h>\n// ünïcödé comment — ✓\nprintf("héllo ✓ 世界\\n");')
    assert r.stdout == "héllo ✓ 世界\n"
    assert value_of(kernel, '"héllo ✓"') == '"héllo ✓"'
    assert value_of(kernel, 'sizeof "✓"') == "4"  # three UTF-8 bytes and the NUL


@pytest.mark.parametrize("comment", ["// the answer", "/* the answer */", "// ← the answer"])
def test_value_followed_by_comment(kernel, comment: str) -> None:
    """A comment after the trailing expression is not part of the value."""
    assert value_of(kernel, f"6 * 7 {comment}") == "42"


def test_conditional_blocks_take_the_active_branch(kernel) -> None:
    """Top-level #if/#ifdef blocks: the items of the active branch become
    notebook items (visible later); the others are not compiled at all."""
    kernel.ok(
        "#define SEM_DEBUG 1\n"
        "#ifdef SEM_DEBUG\nint sem_level = 1;\n#elif defined(SEM_OTHER)\nint sem_level = 2;\n"
        "#else\nint sem_level = ;  /* never compiled */\n#endif\n"
        "#if SEM_DEBUG > 0\nint sem_more(void) { return 10; }\n#ifndef SEM_NOPE\nint sem_inner = 7;\n#endif\n#endif"
    )
    assert kernel.ok("sem_level * 100 + sem_more() + sem_inner").value == "117"
    r = kernel.ok(
        "#undef SEM_DEBUG\n#ifdef SEM_DEBUG\nint sem_level = 1;\n#else\ndouble sem_level = 2.5;\n#endif\nsem_level"
    )
    assert r.value == "2.5"
    r = kernel.fails("#ifdef SEM_UNDEFINED\nint sem_x = ;\n#endif\nint sem_ok = 3;\nint sem_bad = sem_oops;")
    assert ":5:" in r.error_text, "line numbers survive the blanked branches"
