"""Every name the kernel makes up, made and read back here.

A cell's unit refers to notebook functions and globals under private linker
names, so a redefinition is a new symbol and every caller goes through a
trampoline; the executor and the user never need to see them.  All of them
start with `PREFIX`; this module is the one place that builds them and takes
them apart (to name a crashed frame, clean a diagnostic, find the cell that
defined a global).  The executor (executor.c) knows three of them: the lazy
binder, the entry tables and the `cellc_*` API.
"""

from __future__ import annotations

import re

PREFIX = "__cellc_"
LAZY = PREFIX + "lazy"  # the executor's binder of unfilled trampoline slots
VALUE = PREFIX + "value"  # the trailing value's variable, in a cell's unit
INIT = PREFIX + "init"  # a run-time initializer's copy
SOURCE_PREFIX = PREFIX + "from_"  # a migrating global's old object
OLD_PREFIX = PREFIX + "old_"  # the old definition of a redefined type
LOCAL_PREFIX = PREFIX + "local_"  # a probe's stand-in for a local (complete.py)
PROBE = PREFIX + "probe"  # the variable whose type inspection asks gcc for
CELL_FUNCTION = PREFIX + "f"  # the function a piece is parsed inside (parse.py)
EXPANSION_MARK = PREFIX + "expansion_here"
GENERATED_FILE = "<cellc>"  # the file name of generated lines, in gcc's diagnostics and DWARF
GENERATED_LINE = f'#line 1 "{GENERATED_FILE}"\n'  # what follows is ours, not a cell's
CELL_TEXT_FILE = "<cell>"  # the file name of a cell's text given to the preprocessor alone (parse.py reads it back)
CELL_TEXT_LINE = f'#line 1 "{CELL_TEXT_FILE}"\n'
CELL_LABEL = r"In\[\d+\]"  # a cell label (`cell_label`), as a regex: in gcc's messages, a sanitizer's report
# the macros of templates/timing.h, and the buffer %time keeps a value in
STAMP = PREFIX + "stamp"
TIMED_AS = PREFIX + "timed_as"
TIMED_BUFFER = PREFIX + "timed"
TIMEIT_BEGIN = PREFIX + "timeit_begin"
TIMEIT_END = PREFIX + "timeit_end"
# the macros of templates/draw.h (the static of expression I is DRAW_AT + "_I")
DRAW_AT = PREFIX + "draw_at"
DRAW_VALUE = PREFIX + "draw_value"
RESTORE = PREFIX + "restore"  # the macro of templates/restore.h (%load)


def alias(function: str) -> str:
    """A block-scope alias of C library function `function` (bound by an asm label)."""
    return PREFIX + function


def trampoline(function: str) -> str:
    return f"{PREFIX}tramp_{function}"


def asm_label(name: str) -> str:
    """A local alias of label `name` of the user's assembly (generate.py)."""
    return f"{PREFIX}asm_{name}"


def slot(function: str) -> str:
    return f"{PREFIX}slot_{function}"


def body(cell: int, function: str) -> str:
    """The private name of the body cell `cell` gives `function`."""
    return f"{PREFIX}impl_{cell}_{function}"


def variable(name: str, cell: int) -> str:
    """The linker name of global `name` as cell `cell` defined it."""
    return f"{PREFIX}var_{name}_{cell}"


def value(cell: int) -> str:
    return f"{VALUE}_{cell}"


def run(cell: int | str) -> str:
    """Cell `cell`'s run function; `run("")` is the prefix of them all (to match one)."""
    return f"{PREFIX}run_{cell}"


def entry(cell: int) -> str:
    """Cell `cell`'s entry table (generate.py): what the executor stores in
    trampolines' slots, and the run function it then calls."""
    return f"{PREFIX}entry_{cell}"


def old_type(name: str, cell: int) -> str:
    """The private name of the old definition of `name` (a tag, typedef or
    enumerator) redefined by cell `cell`."""
    kind, _, tag = name.rpartition(" ")
    return f"{kind} {OLD_PREFIX}{cell}_{tag}" if kind else f"{OLD_PREFIX}{cell}_{tag}"


def source(name: str) -> str:
    """The old object of global `name`, in the cell that migrates it."""
    return SOURCE_PREFIX + name


def saved_macro(name: str) -> str:
    """The mark that macro `name` was defined before a cell and kept for its run function (generate.py)."""
    return f"{PREFIX}saved_{name}"


def loop_index(depth: int) -> str:
    """The index of a copying loop (migrate.py), one per nesting depth."""
    return f"{PREFIX}i{depth}"


def branch(k: int) -> str:
    """The marker of an `#if` block's branch k (parse.py)."""
    return f"{PREFIX}branch_{k}"


def cell_label(number: int) -> str:
    """`In[7]`: how execution `number` is named to the user, and to gcc and DWARF
    (its items stand under `#line L "In[7]"`; the cell's text is saved under it)."""
    return f"In[{number}]"


def cell_number(label: str) -> int | None:
    """7 for `In[7]`; None for another file name (a header, `GENERATED_FILE`)."""
    m = re.fullmatch(r"In\[(\d+)\]", label)
    return int(m.group(1)) if m else None


def cell_file(cell: int) -> str:
    """The stem of cell `cell`'s files in the work directory: `cell7.c`, `.o`, `.so`."""
    return f"cell{cell}"


def batch_file(first: int, last: int) -> str:
    """The stem of the files of a batch of cells (batch.py): `cells7-30`."""
    return f"cells{first}-{last}"


# -- reading them back -------------------------------------------------------------
_SHOWN = [
    (re.compile(rf"{PREFIX}impl_\d+_(\w+)"), r"\1"),
    (re.compile(rf"{PREFIX}tramp_(\w+)"), r"\1"),
    (re.compile(rf"{PREFIX}var_(\w+)_\d+"), r"\1"),
    (re.compile(rf"{OLD_PREFIX}\d+_(\w+)"), r"\1"),
    (re.compile(rf"{SOURCE_PREFIX}(\w+)"), r"\1"),
    (re.compile(r' __asm__\("[^"]*"\)'), ""),
]
_LOOP_INDEX = re.compile(rf"{PREFIX}i(\d+)")


def shown(text: str) -> str:
    """`text` (a diagnostic, a type, a symbol) with our names as the user wrote them."""
    for pattern, repl in _SHOWN:
        text = pattern.sub(repl, text)
    return text


def is_ours(name: str) -> bool:
    return name.startswith(PREFIX)


def is_cell_code(name: str) -> bool:
    """A cell's run function: its top-level statements, no function of the user's."""
    return name.startswith(PREFIX + "run_")


def is_variable(symbol: str) -> bool:
    return symbol.startswith(PREFIX + "var_")


def is_value_or_init(symbol: str) -> bool:
    return symbol.startswith((VALUE + "_", INIT))


def function_of_trampoline(symbol: str) -> str | None:
    prefix = PREFIX + "tramp_"
    return symbol[len(prefix) :] if symbol.startswith(prefix) else None


def function_of_body(symbol: str) -> str | None:
    """`f` for `__cellc_impl_N_f`."""
    m = re.fullmatch(rf"{PREFIX}impl_\d+_(\w+)", symbol)
    return m.group(1) if m else None


_NUMBERED = re.compile(rf"{PREFIX}(?:(?:impl|old)_(\d+)_\w+|(?:run|entry|value)_(\d+)|var_\w+_(\d+))")


def cell_of_symbol(symbol: str) -> int | None:
    """The cell number in one of the numbered names above (7 for `__cellc_run_7`,
    `__cellc_impl_7_f`, `__cellc_var_g_7`), or None."""
    m = _NUMBERED.fullmatch(symbol)
    return int(next(g for g in m.groups() if g)) if m else None


def variable_name(symbol: str) -> str | None:
    """`counter` for `__cellc_var_counter_4`."""
    m = re.fullmatch(rf"{PREFIX}var_(\w+)_\d+", symbol)
    return m.group(1) if m else None


def rename_loop_indices(text: str, name_of) -> str:
    """`text` with each copying loop's index `name_of(depth)` (export.py)."""
    return _LOOP_INDEX.sub(lambda m: name_of(int(m.group(1))), text)
