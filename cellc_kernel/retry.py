"""How a cell is generated when gcc rejects a first attempt.

Most choices are made from the parse before the first compile
(`first_options`): a trailing value that names an array is copied by bytes,
one that names a function or a `const` global is taken as an rvalue.  What
only gcc knows — whether an initializer is constant, whether a macro made a
statement expression, what type an arbitrary expression has — is learnt
from its error, through the one table `RETRIES`.  gcc runs with LC_ALL=C
(toolchain.py), so its messages are matched in English whatever the user's
locale.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import names
from .diagnostics import parse as parse_diagnostics
from .generate import Options
from .model import Program
from .parse import ParsedCell

NOT_STATIC = r"initializer element is not|braced-group within expression allowed only inside a function"


@dataclass(frozen=True)
class Retry:
    """gcc said `message` (a regex over its whole output): when `applies`,
    `change` the options and compile again."""

    name: str
    message: str
    applies: Callable[[Options, ParsedCell], bool]
    change: Callable[[Options, ParsedCell, str, str], None]  # (options, parsed, gcc's output, label)


def _set_value_mode(mode: str):
    def change(options: Options, parsed: ParsedCell, raw: str, label: str) -> None:
        options.value_mode = mode

    return change


def _initialize_at_run_time(options: Options, parsed: ParsedCell, raw: str, label: str) -> None:
    """The initializers gcc found not constant run at run time (the notebook
    allows any expression); all of them when gcc's lines do not say which."""
    lines = {
        d.line
        for d in parse_diagnostics(raw)
        if d.file == label and d.column is not None and d.severity == "error" and re.match(NOT_STATIC, d.message)
    }
    starts = {
        d.init_start
        for item in parsed.items
        for d in item.declarators
        if d.init is not None and _lines_of(parsed.source, d.init_start, d.init) & lines
    }
    if options.runtime_init is not True and starts - options.runtime_init:
        options.runtime_init |= starts
    else:
        options.runtime_init = True


RETRIES = [
    Retry(
        "statement expression from a macro",
        r"braced-group within expression",
        lambda o, p: p.has_value and o.value_mode == "assign",
        _set_value_mode("local"),
    ),
    Retry("initializer not constant", NOT_STATIC, lambda o, p: o.runtime_init is not True, _initialize_at_run_time),
    Retry(
        "value of array type",
        r"assignment to expression with array type",
        lambda o, p: o.value_mode == "assign",
        _set_value_mode("memcpy"),
    ),
    Retry(
        "value not assignable (a function, a const expression)",
        r"lvalue required|read-only",
        lambda o, p: o.value_mode == "assign",
        _set_value_mode("rvalue"),
    ),
    Retry(
        "value with a const member",
        r"read-only",
        lambda o, p: o.value_mode == "rvalue",
        _set_value_mode("memcpy"),
    ),
    Retry(
        "value of type void",
        rf"{names.VALUE}|declared void|void value not ignored",
        lambda o, p: o.value_mode != "none",
        _set_value_mode("none"),
    ),
]


def adjust(options: Options, raw: str, parsed: ParsedCell, label: str) -> bool:
    """Change `options` by the first retry gcc's output calls for; False: none does."""
    for retry in RETRIES:
        if re.search(retry.message, raw) and retry.applies(options, parsed):
            retry.change(options, parsed, raw, label)
            return True
    return False


_NAME = re.compile(r"\s*\(*\s*([A-Za-z_]\w*)\s*\)*\s*")


def first_options(parsed: ParsedCell, program: Program) -> Options:
    """The options of a first attempt, from what the parse and the model know:
    how a trailing value that is just a notebook name is stored."""
    options = Options()
    value = parsed.items[-1] if parsed.has_value and parsed.items else None
    m = _NAME.fullmatch(value.text) if value is not None else None
    if m is None or m.group(1) in parsed.declared:
        return options
    name = m.group(1)
    if name in program.functions and name not in program.variables:
        options.value_mode = "rvalue"  # a function designator: its address is the value
    elif name in program.variables:
        decl = program.variables[name].decl
        before_name = decl[: decl.rfind(name)] if name in decl else decl
        if re.search(rf"\b{re.escape(name)}\s*\[", decl):
            options.value_mode = "memcpy"  # an array
        elif re.search(r"\bconst\b", before_name) and "*" not in before_name.split("const")[-1]:
            options.value_mode = "rvalue"  # a const object
    return options


def _lines_of(source: bytes, start: int, text: str) -> set[int]:
    first = source.count(b"\n", 0, start) + 1
    return set(range(first, first + text.count("\n") + 1))
