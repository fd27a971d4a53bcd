"""Unit tests of retry.py: one per entry of the retry table, and the choices made from the parse."""

from __future__ import annotations

import pytest

from cellc_kernel import names
from cellc_kernel.generate import Options
from cellc_kernel.model import Function, Program, Variable
from cellc_kernel.parse import Splitter
from cellc_kernel.retry import RETRIES, adjust, first_options


def _cell(code: str, program: Program | None = None):
    return Splitter((program or Program()).is_value_name).split(code)


CASES = {
    "statement expression from a macro": (
        "x",
        "In[1]:1:1: error: braced-group within expression allowed only inside a function",
        Options(),
        lambda o: o.value_mode == "local",
    ),
    "initializer not constant": (
        "int a = 1;\nint b = f();",
        "In[1]:2:9: error: initializer element is not constant",
        Options(),
        lambda o: o.runtime_init == {len("int a = 1;\nint b = ")},
    ),
    "value of array type": (
        "arr",
        "In[1]:1:1: error: assignment to expression with array type",
        Options(),
        lambda o: o.value_mode == "memcpy",
    ),
    "value not assignable (a function, a const expression)": (
        "f",
        "In[1]:1:1: error: lvalue required as left operand of assignment",
        Options(),
        lambda o: o.value_mode == "rvalue",
    ),
    "value with a const member": (
        "s",
        "In[1]:1:1: error: assignment of read-only variable",
        Options(value_mode="rvalue"),
        lambda o: o.value_mode == "memcpy",
    ),
    "value of type void": (
        "g()",
        f"In[1]:1:1: error: variable or field '{names.VALUE}' declared void",
        Options(),
        lambda o: o.value_mode == "none",
    ),
}


def test_every_retry_has_a_case():
    assert {r.name for r in RETRIES} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_retry(name):
    code, message, options, check = CASES[name]
    assert adjust(options, message, _cell(code), "In[1]")
    assert check(options), options


def test_initializers_all_at_run_time_when_gcc_names_no_line():
    options = Options(runtime_init={len("int a = ")})
    assert adjust(options, "In[1]:1:9: error: initializer element is not constant", _cell("int a = f();"), "In[1]")
    assert options.runtime_init is True


def test_no_retry_for_a_real_error():
    options = Options()
    assert not adjust(options, "In[1]:1:1: error: 'y' undeclared", _cell("y"), "In[1]")
    assert options == Options()


def test_the_parse_decides_what_it_knows():
    p = Program()
    p.functions["f"] = Function("f", "int f(void)", "int @(void)", "In[1]", 1, True)
    p.variables["arr"] = Variable("arr", "int arr[3]", "int @[3]", names.variable("arr", 1), "In[1]", 1)
    p.variables["k"] = Variable("k", "const int k", "const int @", names.variable("k", 1), "In[1]", 1)
    p.variables["s"] = Variable("s", "const char *s", "const char *@", names.variable("s", 1), "In[1]", 1)
    p.variables["n"] = Variable("n", "int n", "int @", names.variable("n", 1), "In[1]", 1)
    assert first_options(_cell("f", p), p).value_mode == "rvalue"
    assert first_options(_cell("arr", p), p).value_mode == "memcpy"
    assert first_options(_cell("(k)", p), p).value_mode == "rvalue"
    assert first_options(_cell("s", p), p).value_mode == "assign"
    assert first_options(_cell("n", p), p).value_mode == "assign"
    assert first_options(_cell("n + 1", p), p).value_mode == "assign"
    assert first_options(_cell("int n2 = 0;", p), p) == Options()
