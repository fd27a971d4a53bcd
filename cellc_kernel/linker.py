"""Linking a compiled cell against the live program.

Which names a cell needs from outside the notebook are functions or data of
the loaded libraries is asked of the executor once and remembered (`kinds`);
library functions called for the first time get trampolines; the link starts
at once, wrapping every library function known so far, while the object's
symbols are read, and is done again only when the cell needs new names.
What the link teaches the model (array dimensions, who uses what) is noted here.
"""

from __future__ import annotations

import ctypes.util
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import names, objfile, toolchain
from .arch import ABI_CALLS, trampoline_asm
from .compile import CompileError, Compiler, ObjectSymbols, read_symbols, static_runtime
from .ctype import strip_typedefs
from .diagnostics import implicitly_declared
from .executor import Executor
from .front import NotAhead
from .model import Program
from .result import Rejected, error

if TYPE_CHECKING:
    from .cellcompile import CompiledCell


class Linker:
    """The kinds of outside names (F function, D data, S gcc's static runtime) and the link."""

    def __init__(self, compiler: Compiler, executor: Executor):
        self.compiler = compiler
        self.executor = executor
        self.kinds: dict[str, str] = {}  # global names outside the notebook: F function, D data, S runtime

    def forget(self) -> None:
        """The libraries changed (`%undo` of a `%lib`, `%reset`): ask again."""
        self.kinds.clear()

    def functions(self) -> list[str]:
        """Every library function known so far (what a speculative link wraps)."""
        return sorted(name for name, kind in self.kinds.items() if kind == "F")

    def note_data(self, labels: list[str]) -> None:
        """Names the cell's own assembly defines as data."""
        self.kinds.update((name, "D") for name in labels)

    def is_library_data(self, name: str) -> bool:
        if name not in self.kinds:
            self._ask([name])
        return self.kinds.get(name) == "D"

    def known_data(self, name: str) -> bool:
        """`is_library_data` for a thread building ahead: the executor is busy, so only what is known."""
        if name not in self.kinds:
            raise NotAhead
        return self.kinds[name] == "D"

    def _ask(self, wanted: list[str]) -> dict[str, str]:
        """The executor's F/D/? for `wanted`; the known ones are remembered."""
        found = self.executor.kinds(wanted)
        self.kinds.update((name, kind) for name, kind in found.items() if kind != "?")
        return found

    def kinds_of(self, symbols: ObjectSymbols, ahead: bool = False) -> dict[str, str]:
        """F/D/S/? for each name an object needs from outside the notebook:
        a function or data of the loaded libraries, a name of gcc's static
        runtime (linked into the cell), or nothing known.  `ahead`: only
        what is known (NotAhead otherwise)."""
        need = {
            s
            for s in symbols.undefined - symbols.defined
            if not names.is_ours(s) and not s.startswith("__wrap_") and s not in ABI_CALLS
        }
        unknown = sorted(need - self.kinds.keys())
        if unknown and ahead:
            raise NotAhead
        if unknown:
            found = self._ask(unknown)
            static = static_runtime(self.compiler.gcc)[1]
            found.update((name, "S") for name, kind in found.items() if kind == "?" and name in static)
            self.kinds.update((name, kind) for name, kind in found.items() if kind == "S")
            return {name: self.kinds.get(name, found.get(name, "?")) for name in need}
        return {name: self.kinds[name] for name in need}

    def trampolines(self, functions: list[str], program: Program, number: int) -> list[Path]:
        """An object with trampolines for library functions called for the first time."""
        new = [name for name in functions if name not in program.trampolines]
        if not new:
            return []
        program.trampolines.update(new)
        asm = "".join(trampoline_asm(name) for name in new)
        return [self.compiler.assemble(names.cell_file(number) + "-tramp", asm)]

    def link_cell(self, compiled: CompiledCell) -> Path:
        """A compiled cell's shared object, its model completed with what
        gcc decided (array sizes, who uses what); Rejected as `link`."""
        unit = compiled.unit
        so = self.link(
            compiled.obj,
            compiled.kinds,
            unit.program,
            unit.number,
            compiled.warnings,
            compiled.speculative,
            compiled.known,
        )
        complete_arrays(unit.program, compiled.obj, unit.arrays)  # the model this cell leaves if it succeeds
        annotate(unit.program, compiled.symbols, unit.label, unit.defines)
        return so

    def link(
        self,
        obj: Path,
        kinds: dict[str, str],
        program: Program,
        number: int,
        warnings: str,
        speculative: toolchain.Started | None = None,
        known: list[str] | None = None,
    ) -> Path:
        """The cell's shared object; Rejected when a name it needs is nowhere.

        A function declared and not defined (gcc's implicit declaration of `g`
        in `return g();`, a block-scope prototype) binds through its trampoline,
        as a prototype does: a later cell may define it.  One the cell's own
        statements call is reported now, before anything runs."""
        missing = {name for name, kind in kinds.items() if kind == "?"}
        if missing and speculative is not None:  # it lacks these names: link again below
            speculative.kill()
            speculative = None
        if missing:
            held = read_symbols(obj, by_holder=True).referenced_in
            now = {name for holder, used in held.items() if names.is_cell_code(holder) or not holder for name in used}
            declared = objfile.open_object(obj).declared_functions() | implicitly_declared(warnings)
            for name in declared & missing - now:
                kinds[name] = "F"
            missing = {name for name, kind in kinds.items() if kind == "?"}
        if missing:
            undefined = ", ".join(sorted(missing))
            raise Rejected(
                error(
                    "LinkError",
                    f"undefined: {undefined}",
                    f"undefined: {undefined}\n(no cell or loaded library defines it)",
                )
            )
        wrap = sorted(name for name, kind in kinds.items() if kind == "F")
        runtime = "S" in kinds.values()
        try:
            extra = self.trampolines(wrap, program, number)
            if speculative is not None and not extra and not runtime and set(wrap) <= set(known or ()):
                return self.compiler.finish_link(speculative, obj)
            if speculative is not None:
                speculative.kill()
            return self.compiler.link(obj, wrap, extra, runtime)
        except CompileError as e:
            raise Rejected(error("LinkError", "linking the cell failed", e.diagnostics)) from None


def find_library(spec: str) -> str:
    """The file of a library named as `%lib` takes it: `m`, `libm`, or a path; LookupError says why not."""
    if "/" in spec:
        if not os.path.exists(spec):
            raise LookupError(f"no such file: {spec}")
        return spec
    found = ctypes.util.find_library(spec[3:] if spec.startswith("lib") else spec)
    if not found:
        raise LookupError(f"library not found: {spec}")
    return found


def complete_arrays(program: Program, so: Path, arrays: list[str]) -> None:
    """Array globals are declared to later cells with the dimensions gcc
    gave them (DWARF): `int a[] = {1, 2, 3}` as `int a[3]`, `int b[N]` as
    `int b[5]` even if N is redefined later."""
    for v in [program.variables[name] for name in arrays]:
        ctype = objfile.open_object(so).variable_type(v.name)
        dims = []
        t = strip_typedefs(ctype) if ctype else None
        while t is not None and t.kind in ("array", "pointer"):
            if t.kind == "array":
                dims.append(t.count)
            t = strip_typedefs(t.target) if t.target is not None else None
        # the declarator's own dimensions, not those of members of an untagged struct before it
        spec = v.spec if v.spec and v.decl.startswith(v.spec) else ""
        declarator = v.decl[len(spec) :]
        groups = re.findall(r"\[[^\[\]]*\]", declarator)
        if len(groups) == len(dims) and all(d is not None for d in dims):
            parts = re.split(r"\[[^\[\]]*\]", declarator)
            decl = spec + parts[0] + "".join(f"[{d}]{p}" for d, p in zip(dims, parts[1:], strict=True))
            program.variables[v.name] = replace(v, decl=decl)


def annotate(program: Program, symbols: ObjectSymbols, label: str, defines: list[str]) -> None:
    """Note in the cell's model who uses which function and global."""
    for name in symbols.undefined | symbols.referenced:
        function = names.function_of_trampoline(name)
        if function is not None:
            f = program.functions.get(function)
            if f is not None and label not in f.callers:
                program.functions[f.name] = replace(f, callers=f.callers | {label})
        elif names.is_variable(name) and defines:
            v = program.variables.get(names.variable_name(name) or "")
            if v is not None and v.symbol == name:
                program.variables[v.name] = replace(v, users=v.users | set(defines))
