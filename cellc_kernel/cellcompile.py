"""A cell from its text to an object gcc compiled and the linker can take.

One loop over an explicit `Attempt`: each run of gcc either gives an object or
changes what the next attempt does (retry.py's table of gcc's complaints, an
item split again where gcc read it otherwise, the whole prelude instead of
the pruned one, migrations planned once the new types' layouts exist, the
labels of the cell's own assembly).  It ends in a `CompiledCell` or raises
`Rejected` with the error the user sees; nothing of the program changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import names, toolchain
from .compile import CompileError, Compiler, ObjectSymbols, declarations_among_statements, read_symbols
from .diagnostics import implicitly_declared
from .front import Front
from .generate import Options, Unit, generate, misread_items
from .linker import Linker
from .migrate import Plan
from .model import Program
from .parse import Item, ParsedCell
from .result import Rejected, error
from .retry import adjust, first_options

MAX_ATTEMPTS = 12  # gcc runs for one cell, at most (each changes something, so far fewer in practice)
_ASM = re.compile(r"\b(?:asm|__asm__|__asm)\b")  # the user's own assembly (its labels)


@dataclass
class Attempt:
    """A cell on its way through gcc: what it is, and what gcc's answers changed so far."""

    typed: str  # the text diagnostics and tracebacks quote
    label: str
    number: int
    program: Program  # the model it is compiled against
    parsed: ParsedCell
    options: Options
    expanded: set[int] = field(default_factory=set)  # items split again because gcc read them otherwise
    built: tuple[Unit, Path, str] | None = None  # (unit, object, warnings) of the current options


@dataclass
class CompiledCell:
    """A cell gcc compiled whose outside names are known; its link has started."""

    attempt: Attempt
    unit: Unit
    obj: Path
    warnings: str
    symbols: ObjectSymbols
    kinds: dict[str, str]  # what the linker said of each outside name
    speculative: toolchain.Started  # the link started with the functions known then
    known: list[str]  # ... those functions


class CellCompiler:
    """Turns cells into compiled objects for one notebook."""

    def __init__(
        self,
        front: Front,
        linker: Linker,
        compiler: Compiler,
        plan_migrations: Callable[[Unit, Path], dict[str, Plan]],
    ):
        self.front = front
        self.linker = linker
        self.compiler = compiler
        self.plan_migrations = plan_migrations

    def attempt(self, code: str, label: str, number: int, program: Program, ahead: bool = False) -> Attempt | None:
        """The first attempt at a cell (None: it holds nothing to compile)."""
        typed, parsed = self.front.read(code, program, ahead)
        if not parsed.items:
            return None
        return Attempt(typed, label, number, program, parsed, first_options(parsed, program))

    def compile(self, attempt: Attempt) -> CompiledCell:
        """Compile until gcc and the linker take the cell."""
        compiled = self._attempts(attempt, ahead=False)
        assert compiled is not None
        return compiled

    def compile_ahead(self, attempt: Attempt) -> None:
        """On a thread while another cell runs, without the executor: compile
        until gcc takes the cell (`attempt.built`); its turn goes on from there."""
        self._attempts(attempt, ahead=True)

    def _attempts(self, attempt: Attempt, ahead: bool) -> CompiledCell | None:
        """The one attempt loop (`ahead`: stop once gcc compiled the cell).

        The first attempt declares only what the cell's names reach; before
        any error is reported the cell is compiled once with the whole prelude,
        so pruning never makes a cell fail that the full program would compile."""
        options = attempt.options
        for _ in range(MAX_ATTEMPTS):
            if attempt.built is None and not self._run_gcc(attempt, ahead):
                continue
            if ahead:
                return None
            assert attempt.built is not None
            unit, obj, warnings = attempt.built
            if unit.migrating and options.migrations is None:
                # the new types' layouts are in this object: decide, then compile the copying
                options.migrations = self.plan_migrations(unit, obj)
                attempt.built = None
                continue
            if options.asm_labels is None and _ASM.search(attempt.typed):
                # the labels the cell's assembly defines are definitions for later cells: compile them so
                options.asm_labels = self._asm_labels(attempt.parsed, obj)
                clash = sorted(options.asm_labels.keys() & attempt.program.variables.keys())
                if clash:
                    raise Rejected(
                        error(
                            "LinkError",
                            f"the cell's assembly defines {', '.join(clash)}, a C global of the notebook",
                            f"The cell's assembly defines {', '.join(clash)}, which earlier cells declared as a C "
                            "global with storage of its own: cellc cannot make them one object.",
                        )
                    )
                if options.asm_labels:
                    attempt.built = None
                    continue
            # Link at once, wrapping every library function seen so far, while the
            # object's symbols are read; the linker links again only if it needs new names.
            known = self.linker.functions()
            speculative = self.compiler.start_link(obj, known)
            symbols = read_symbols(obj)
            kinds = self.linker.kinds_of(symbols)
            # The pruned prelude missed a declaration (a name a macro pastes
            # together): compile once more with the whole prelude.
            if not options.full_prelude and (
                implicitly_declared(warnings)
                or any(attempt.program.is_value_name(name) for name, kind in kinds.items() if kind == "?")
            ):
                speculative.kill()
                options.full_prelude = True
                attempt.built = None
                continue
            return CompiledCell(attempt, unit, obj, warnings, symbols, kinds, speculative, known)
        raise Rejected(error("CompileError", "the cell did not compile"))

    def _run_gcc(self, attempt: Attempt, ahead: bool) -> bool:
        """One run of gcc: True when it compiled the cell (`attempt.built`),
        False when its answer changed the attempt; Rejected when nothing is left to try."""
        parsed, options, label, program = attempt.parsed, attempt.options, attempt.label, attempt.program
        is_data = self.linker.known_data if ahead else self.linker.is_library_data
        unit = generate(program, parsed, attempt.number, label, options, is_data)
        try:
            obj, warnings, raw = self.compiler.compile(
                names.cell_file(attempt.number), unit.header, unit.body, label, attempt.typed
            )
        except CompileError as e:
            # what a misread item declares is missing (`head` undeclared): split again first
            misread = misread_items(parsed, declarations_among_statements(e.raw, label))
            if misread and self._split_again(attempt, misread):
                return False
            if adjust(options, e.raw, parsed, label):
                return False
            if not options.full_prelude:
                options.full_prelude = True
                return False
            if options.migrations and any(not plan.unsafe for plan in options.migrations.values()):
                for plan in options.migrations.values():  # our copying code must never fail a cell
                    plan.unsafe = plan.unsafe or "its members could not be copied"
                return False
            kept = [v.kept for name, v in program.variables.items() if v.kept and name in parsed.uses]
            notes = "".join(f"\nnote: {why}" for why in kept)
            detail = e.diagnostics + notes
            raise Rejected(error("CompileError", "the cell did not compile; nothing changed", detail)) from None
        misread = misread_items(parsed, declarations_among_statements(raw, label))
        if misread:
            if self._split_again(attempt, misread):
                return False
            raise Rejected(_misread_error(parsed, misread, label))
        attempt.built = (unit, obj, warnings)
        return True

    def _split_again(self, attempt: Attempt, misread: list[Item]) -> bool:
        """Split the cell again with `misread` items expanded (once per item)."""
        starts = {item.start for item in misread}
        if starts & attempt.expanded:
            return False
        again = self.front.split_again(attempt.parsed, misread, attempt.program)
        if again is None:
            return False
        attempt.parsed = again
        attempt.expanded |= starts
        return True

    @staticmethod
    def _asm_labels(parsed: ParsedCell, obj: Path) -> dict[str, tuple[bool, bool]]:
        """The labels the cell's own assembly defines (a C item under its own
        name, an `always_inline` function, is not one)."""
        c_names = {item.name for item in parsed.items if item.kind in ("inline", "verbatim")}
        return {name: how for name, how in read_symbols(obj).labels.items() if name not in c_names}


def _misread_error(parsed: ParsedCell, misread: list[Item], label: str):
    """The error of a cell gcc compiled whose `misread` items cellc cannot take as gcc does."""
    lines = parsed.source.decode("utf-8", "replace").splitlines()
    detail = "\n".join(
        f"{label}:{it.line}:{it.col + 1}: error: "
        + (
            it.unsupported
            or (
                "cellc cannot read this declaration"
                if it.kind == "verbatim"
                else "cellc reads this as a statement, but gcc reads a declaration"
            )
            + ": what it declares would not reach later cells"
        )
        + f"\n    {it.line} | {lines[it.line - 1]}"
        for it in misread
    )
    return error("CompileError", "cellc cannot split the cell as gcc reads it; nothing changed", detail)
