"""Run All: queued cells compiled together, as one translation unit.

Compiled alone, a small cell costs gcc's start-up (cc1 alone takes ~16 ms),
most of its time.  When "Run All" has queued the cells after the running one
(kernel.py sees them arrive), the cells that can share a unit (`shareable`)
are generated one after another, each against the model the one before it
leaves, then compiled by one gcc and linked into one shared object.

While a batch's cells run, the batch of the cells queued after them is
built on a thread (gcc has the machine's other core), against a copy of the
model the batch leaves; it is used only if that model is the program's when
its first cell arrives.

Each cell still runs in its own turn: the executor stores its entry
table's slots and calls its run function, its snapshot is taken, its reply,
output and undo step are its own.  A cell that fails, or that arrives unlike
what was queued (or onto another model), drops the rest of the batch; they
then go one at a time.  Once the object is loaded
the trampolines of all its cells exist in the program, so every model of the
batch (the ones a rollback or `%undo` may return to) lists them.

gcc's warnings go to the cells they name.  A cell gcc rejects is generated
again with the options its complaint calls for (retry.py), as it would be
alone; an error no retry mends cuts the batch before that cell, which then
compiles alone, with its own diagnostics.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import names
from .compile import ObjectSymbols, clean_diagnostics
from .diagnostics import parse as parse_diagnostics
from .generate import Options, Unit
from .model import Function, Program
from .parse import ParsedCell

MAX_CELLS = 96  # cells in one unit
FIRST_CELLS = 8  # the first batch of a run (the batch built while one runs has up to twice its cells)
MAX_TEXT = 64 * 1024  # characters of C in one batch
MAX_ATTEMPTS = 8  # compiles of one batch (gcc's complaints change how cells are generated)
_NOT_SHAREABLE = re.compile(
    r"^\s*[#%!]"  # directives and includes (a cell may write a header), magics, shell
    r"|\?\s*$"  # help
    r"|\b(?:asm|__asm__|__asm)\b"  # the user's own symbols and sections
    r"|\b(?:constructor|destructor)\b",  # they would run when the first cell of the batch loads
    re.M,
)


def shareable(code: str) -> bool:
    """Whether a cell's text may go into a unit with other cells."""
    return bool(code.strip()) and not _NOT_SHAREABLE.search(code)


@dataclass
class BatchedCell:
    """A queued cell, generated and compiled ahead of its turn."""

    code: str
    label: str
    number: int
    typed: str  # the text its diagnostics and tracebacks quote
    parsed: ParsedCell
    options: Options  # how it was generated (retry.py may change them)
    before: Program  # the model it was generated against: it runs only onto this one
    before_functions: dict[str, Function]  # `before`'s functions then (its dict changes in its own turn)
    unit: Unit
    symbols: ObjectSymbols = field(default_factory=ObjectSymbols)  # its share of the object's
    warnings: str = ""


@dataclass
class Batch:
    cells: list[BatchedCell]  # those still to run, in order
    so: Path
    cflags: tuple[str, ...]
    last: Program  # the model its last cell leaves
    last_number: int
    size: int  # cells it had
    following: threading.Thread | None = None  # building the batch of the cells queued after it
    built: list[Batch] = field(default_factory=list)  # ... which it leaves here

    def take(self, code: str, label: str, number: int, program: Program, cflags: tuple[str, ...]):
        """The next cell, if it is the one now arriving, onto the model it was made for."""
        if not self.cells:
            return None
        cell = self.cells[0]
        if (cell.code, cell.label, cell.number) != (code, label, number) or cell.before is not program:
            return None
        if cflags != self.cflags:
            return None
        return self.cells.pop(0)


def redefines(before: Program, unit: Unit) -> bool:
    """Whether the cell defines again a function or global the model has.

    What gcc accepts in one unit (the same prototype) still changes the model
    in ways later cells of the batch must see in order: such a cell takes its turn alone."""
    if any(name in before.functions and before.functions[name].defined for name in unit.defines):
        return True
    after = unit.program.variables
    return any(name in after and after[name] is not v for name, v in before.variables.items())


def first_named(stderr: str, labels: list[str]) -> int | None:
    """What gcc's messages about a batch's unit allow: None if they are only
    warnings in its cells (each cell gets its own), else the index of the
    first cell they name, or -1 if they blame none of them."""
    index = {label: i for i, label in enumerate(labels)}
    first = len(labels)
    serious = False
    for d in parse_diagnostics(stderr):
        if d.severity in ("", "note"):
            continue
        at = index.get(d.file)
        if at is None or d.severity != "warning" or d.implicit_function:
            serious = True
            first = min(first, at if at is not None else -1)
    return first if serious else None


def messages_of(stderr: str, label: str) -> str:
    """gcc's messages located in one cell, with their quoted lines."""
    out, mine = [], False
    for d in parse_diagnostics(stderr):
        for i, line in enumerate(d.lines):
            if i == 0 and d.severity:
                mine = d.file == label
            elif not line.startswith(" "):
                mine = False
            if mine:
                out.append(line)
    return "\n".join(out)


def warnings_of(stderr: str, label: str, cflags: list[str]) -> str:
    """A cell's share of the warnings gcc gave the unit."""
    return clean_diagnostics(stderr, label, cflags) if label in stderr else ""


def split_symbols(symbols: ObjectSymbols, numbers: list[int]) -> dict[int, ObjectSymbols] | None:
    """Each cell's share of a batch object's symbols, by the cell numbers in
    our names: of what it defines, and of the function or object each
    reference is made from (a static local of the user's belongs to the cell
    whose code refers to it; one no code refers to, to none).  None when a
    reference to notebook names is of no one cell."""
    shares = {n: ObjectSymbols(sizes=symbols.sizes) for n in numbers}
    for name in symbols.defined:
        n = names.cell_of_symbol(name)
        if n in shares:
            shares[n].defined.add(name)
    referrers: dict[str, set[int | None]] = {}
    for holder, referenced in symbols.referenced_in.items():
        for name in referenced:
            referrers.setdefault(name, set()).add(names.cell_of_symbol(holder))
    for holder, referenced in symbols.referenced_in.items():
        n = names.cell_of_symbol(holder)
        if n is None and len(referrers.get(holder, ())) == 1:
            (n,) = referrers[holder]
        if n in shares:
            shares[n].referenced |= referenced
        elif holder not in referrers or names.is_ours(holder):
            continue  # what no code reaches (an unused static local); trampolines and slots
        elif any(names.is_ours(name) for name in referenced):
            return None
    return shares
