"""The statements of a cell run as one function body, as in `main`."""

from __future__ import annotations

import os
import re

import pytest


@pytest.fixture()
def k(fresh_kernel):
    fresh_kernel.ok("#include <stdio.h>\n#include <setjmp.h>\n#include <assert.h>")
    return fresh_kernel


def test_setjmp_across_statements(k):
    k.ok("jmp_buf jb;")
    code = (
        "int cnt = 0;\n"
        'if (setjmp(jb) == 0) puts("first"); else puts("again");\n'
        "if (++cnt < 3) longjmp(jb, 1);\n"
        'printf("cnt=%d\\n", cnt);'
    )
    assert k.ok(code).stdout == "first\nagain\nagain\ncnt=3\n"


def test_label_and_goto_at_the_top_level(k):
    code = 'int i = 0;\nagain:\nprintf("%d\\n", i);\nif (++i < 3) goto again;'
    assert k.ok(code).stdout == "0\n1\n2\n"


def test_return_ends_the_cell(k):
    r = k.ok('printf("a\\n");\nreturn 0;\nprintf("b\\n");')
    assert r.stdout == "a\n"
    assert "__cellc" not in r.stderr


def test_statement_expression_in_an_initializer(k):
    k.ok("#define MAX(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })")
    k.ok("int mx = MAX(3, 9);")
    assert k.ok("mx").value == "9"
    assert k.ok("MAX(mx, 4)").value == "9"


def test_a_define_between_statements_keeps_its_place(k):
    code = '#define W 1\nprintf("%d\\n", W);\n#undef W\n#define W 2\nprintf("%d\\n", W);'
    assert k.ok(code).stdout == "1\n2\n"
    assert k.ok('printf("%d\\n", W);').stdout == "2\n"


def test_failed_top_level_assert_names_the_cell(k):
    k.ok("int balance = 5;")
    r = k.fails("assert(balance > 1000);")
    assert "In[3]: Assertion `balance > 1000' failed" in r.stderr
    assert "__cellc" not in r.stderr + r.error_text


def test_compound_literal_as_the_value(k):
    k.ok("struct pair { int a; float b; };")
    assert k.ok("(struct pair){ 9, 9.5f }").value == "{ .a = 9, .b = 9.5 }"


def test_function_defining_its_return_struct(k):
    k.ok("struct P { int x; } mkP(int v) { struct P p = { v }; return p; }")
    assert k.ok("mkP(4)").value == "{ .x = 4 }"
    assert k.ok("struct P q = { 7 };\nq.x").value == "7"


def test_extern_declaration_before_the_definition(k):
    k.ok("extern int x;")
    k.ok("int getx(void) { return x; }")
    k.ok("int x = 5;")
    assert k.ok("getx()").value == "5"


def test_a_header_with_definitions_belongs_to_the_cell_that_includes_it(k):
    # The kernel's directory is the tests' cwd; %%file writes there.
    k.ok(
        "%%file cellc_test_lib1.h\n#ifndef LIB1_H\n#define LIB1_H\n"
        "int hcount = 0;\nint hf(void) { return ++hcount; }\n#endif"
    )
    try:
        k.ok('#include "cellc_test_lib1.h"')
        assert k.ok("hf()").value == "1"
        assert k.ok("hf()").value == "2"
        assert k.ok("hcount").value == "2"
        k.ok('#include "cellc_test_lib1.h"')  # the guard: nothing new, nothing reset
        assert k.ok("hcount").value == "2"
        r = k.fails('#include "cellc_test_lib1.h"\nint z = ;')
        assert re.search(r"In\[\d+\]:2:9: error", r.error_text), r.error_text
    finally:
        os.unlink("cellc_test_lib1.h")


def test_several_run_time_initializers_in_one_cell(k):
    k.ok("int one(void) { return 1; }")
    k.ok("int a1 = one();\nint b1 = one() + 1, c1 = one() + 2;")
    assert k.ok("a1 * 100 + b1 * 10 + c1").value == "123"


def test_statement_expression_as_the_value(k):
    assert k.ok("({ int t = 5; t * 2; })").value == "10"
    k.ok("#define MAX(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })")
    assert k.ok("MAX(2.5, 1.0)").value == "2.5"
