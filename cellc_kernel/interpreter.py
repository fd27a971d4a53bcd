"""The notebook's C program: a cell in, its outcome out.

This is the interpreter half of the kernel (the Jupyter half is kernel.py):
parse -> generate -> compile -> link -> execute -> display, with the
program model committed only when the cell succeeds.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from elftools.elf.elffile import ELFFile

from . import crash, names, values
from .arch import ABI_CALLS, trampoline_asm
from .batch import (
    FIRST_CELLS,
    MAX_ATTEMPTS,
    MAX_CELLS,
    MAX_TEXT,
    Batch,
    BatchedCell,
    first_named,
    messages_of,
    redefines,
    shareable,
    split_symbols,
    warnings_of,
)
from .compile import CompileError, Compiler, declarations_among_statements, read_symbols, static_runtime
from .dwarf import declared_functions
from .executor import Executor, ExecutorDied, Handlers, NoPlaceToBuild, Outcome, build_executor
from .export import NoteRecord, ResetRecord
from .generate import CellRecord, Options, generate, misread_items
from .limits import SNAPSHOT_MARGIN, Limits, format_size
from .migrate import Plan, plan_migration
from .model import Program, SharedUnit
from .parse import (
    Item,
    ParsedCell,
    Splitter,
    brace_runs,
    expand_macro_items,
    paste_headers,
    resolve_conditionals,
    resolve_line_directives,
)
from .retry import adjust, first_options

SIGNAL_NAMES = {
    "SEGV": "Segmentation fault",
    "BUS": "Bus error",
    "FPE": "Floating point exception",
    "ILL": "Illegal instruction",
    "ABRT": "Aborted",
    "TRAP": "Trace/breakpoint trap",
    "SYS": "Bad system call",
    "INT": "Interrupted",
    "KILL": "Killed",
    "TERM": "Terminated",
    "PIPE": "Broken pipe",
    "ALRM": "Alarm clock",
}
_IMPLICIT = re.compile(r"implicit declaration of function '(\w+)'")
_ASM = re.compile(r"\b(?:asm|__asm__|__asm)\b")  # the user's own assembly (its labels)
FROZEN_SECONDS = 600  # a crashed process is kept for %debug this long (or until the next cell)
STACK_SLACK = 1 << 16  # a fault this close to the stack pointer is a stack overflow
VALUE_BYTES = 1 << 18  # at most this much of a value is read for display
FPE_CODES = {1: "integer divide by zero", 2: "integer overflow", 3: "floating-point divide by zero"}
SEGV_CODES = {1: "address not mapped", 2: "invalid permissions"}


@dataclass
class CellResult:
    """What a cell produced, for the Jupyter layer to send."""

    ok: bool
    value: tuple[str, str] | None = None  # (text/plain, text/html)
    ename: str = ""
    evalue: str = ""
    traceback: list[str] = field(default_factory=list)
    warnings: str = ""  # compiler warnings of a good cell (stderr)


@dataclass
class Lookahead:
    """The next queued cell, being compiled ahead of its turn."""

    code: str
    label: str
    number: int
    program: Program  # the model it is compiled against
    cflags: tuple[str, ...]
    thread: threading.Thread | None = None
    result: tuple | None = None  # (typed, parsed, options, (unit, obj, warnings)) once it compiled


class NotAhead(Exception):
    """The look-ahead would need the executor or the disk: the cell waits for its turn."""


@dataclass
class CellObject:
    """Where a cell's code is: its shared object (one batch may hold several cells) and number."""

    so: Path
    number: int


@dataclass
class UndoStep:
    """What %undo takes back: a cell (or %lib) and the program before it."""

    label: str
    program: Program
    libraries: list[str]
    snapshot: int  # the executor process that holds the state before it


def _error(ename: str, evalue: str, detail: str = "") -> CellResult:
    lines = [f"{ename}: {evalue}"] if not detail else detail.splitlines()
    return CellResult(False, ename=ename, evalue=evalue, traceback=lines)


class Interpreter:
    """One notebook's C program: its model, compiler, executor and files."""

    def __init__(self, cwd: str | None = None):
        self.limits = Limits.from_env()
        try:
            binary: Path | None = build_executor()  # before the work directory: a kill -9 now leaves nothing
        except NoPlaceToBuild:
            binary = None
        self.workdir = Path(tempfile.mkdtemp(prefix="cellc-"))
        self.cwd = cwd or os.getcwd()
        self.compiler = Compiler(self.workdir, limits=self.limits)
        self.program = Program()
        self.undo_steps: list[UndoStep] = []  # oldest first; one per snapshot the executor keeps
        self.in_place_base: tuple[Program, str, list[str]] | None = None  # model, cell, libraries before threads
        self.counter = 0
        self.libraries: list[str] = []
        self.executor_env: dict[str, str] = {}  # for the program, kept across resets (%sanitize)
        self.kinds: dict[str, str] = {}  # global names outside the notebook: F function, D data
        self.cell_objects: dict[str, CellObject] = {}  # label -> its code
        self.cell_sources: dict[str, str] = {}  # label -> the cell's text
        self.frozen: tuple[int, str, str] | None = None  # (pid, label, what happened): the last crash's copy
        self._frozen_timer: threading.Timer | None = None
        self.defined_in: dict[str, Path] = {}  # global's symbol -> the .so defining it (its DWARF)
        self.queued: list[tuple[str, str]] = []  # (code, label) of the cells queued after the running one
        self._ahead: Lookahead | None = None
        self._batch: Batch | None = None
        self._batch_after = 0  # no batch until the counter reaches this (one failed for no cell's fault)
        try:
            self.binary = binary or build_executor(fallback_dir=self.workdir)
            self.executor = self._start_executor()
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)  # a failed start leaves nothing behind
            raise

    def _start_executor(self) -> Executor:
        return Executor(self.binary, cwd=self.cwd, workdir=self.workdir, env=self.executor_env, limits=self.limits)

    # -- running cells ------------------------------------------------------------
    def execute(self, code: str, label: str, handlers: Handlers) -> CellResult:
        if code.strip():
            self.release_frozen()  # a crash is looked at (%debug) before the next cell, not after
        code = code.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from JSON
        if "\0" in code:
            line = code[: code.index("\0")].count("\n") + 1
            return _error("SyntaxError", f"the cell contains a NUL byte (line {line})")
        upcoming, self.queued = self.queued, []
        batched = self._take_batched(code, label, upcoming)
        if batched is not None:
            return self._run_batched(batched, handlers)
        ahead = self._take_lookahead(code, label)
        if ahead is not None:
            typed, parsed, options, first = ahead
        else:
            typed, parsed = self._front(code, self.program)
            options, first = first_options(parsed, self.program), None
        if not parsed.items:
            return CellResult(True)
        self.counter += 1
        number = self.counter
        while True:
            compiled = first or self._compile(parsed, number, label, typed, options)
            first = None
            if isinstance(compiled, CellResult):
                return compiled
            unit, obj, warnings = compiled
            if unit.migrating and options.migrations is None:
                # the new types' layouts are in this object: decide, then compile the copying
                options.migrations = self._plan_migrations(unit, obj)
                continue
            if options.asm_labels is None and _ASM.search(typed):
                # the labels the cell's assembly defines are definitions for later cells: compile them so
                options.asm_labels = self._asm_labels(parsed, obj)
                clash = sorted(options.asm_labels.keys() & self.program.variables.keys())
                if clash:
                    return _error(
                        "LinkError",
                        f"the cell's assembly defines {', '.join(clash)}, a C global of the notebook",
                        f"The cell's assembly defines {', '.join(clash)}, which earlier cells declared as a C "
                        "global with storage of its own: cellc cannot make them one object.",
                    )
                if options.asm_labels:
                    continue
            # Link at once, wrapping every library function seen so far, while the
            # object's symbols are read; link again only if it needs new names.
            known = sorted(name for name, kind in self.kinds.items() if kind == "F")
            speculative = self.compiler.start_link(obj, known)
            symbols = read_symbols(obj)
            kinds = self._kinds(symbols)
            missing = sorted(name for name, kind in kinds.items() if kind == "?")
            # The pruned prelude missed a declaration (a name a macro pastes
            # together): compile once more with the whole prelude.
            pruned = not options.full_prelude and (
                "implicit declaration of function" in warnings
                or any(self.program.is_value_name(name) for name in missing)
            )
            if missing or pruned:
                speculative.kill()
                speculative.wait()
            if pruned:
                options.full_prelude = True
                continue
            break
        if missing:
            # A function declared and not defined (gcc's implicit declaration of
            # `g` in `return g();`, a block-scope prototype) binds through its
            # trampoline, as a prototype does: a later cell may define it.  One
            # the cell's own statements call is reported now, before anything runs.
            held = read_symbols(obj, by_holder=True).referenced_in
            now = {name for holder, used in held.items() if names.is_cell_code(holder) or not holder for name in used}
            for name in self._declared_functions(obj, warnings) & set(missing) - now:
                kinds[name] = "F"
            missing = sorted(name for name, kind in kinds.items() if kind == "?")
        if missing:
            undefined = ", ".join(missing)
            return _error(
                "LinkError",
                f"undefined: {undefined}",
                f"undefined: {undefined}\n(no cell or loaded library defines it)",
            )
        wrap = sorted(name for name, kind in kinds.items() if kind == "F")
        runtime = "S" in kinds.values()
        try:
            extra = self._trampolines(wrap, unit.program, number)
            if extra or runtime or not set(wrap) <= set(known):
                speculative.communicate()
                so = self.compiler.link(obj, wrap, extra, runtime)
            else:
                so = self.compiler.finish_link(speculative, obj)
        except CompileError as e:
            return _error("LinkError", "linking the cell failed", e.diagnostics)
        self._complete_arrays(unit.program, obj, unit.arrays)  # the model this cell leaves if it succeeds
        self._annotate(unit.program, symbols, label, unit.defines)
        if upcoming and not unit.migrating and not self._would_batch(upcoming):
            self._look_ahead(upcoming[0], unit.program, number + 1)
        result = self._run_unit(so, unit, symbols, typed, [warnings, *unit.warnings], handlers)
        if result.ok and options.asm_labels:
            # data, even in a segment the executor would call code (.rodata next to .text)
            self.kinds.update((name, "D") for name, (code, _) in options.asm_labels.items() if not code)
        return result

    def _run_unit(self, so: Path, unit, symbols, typed: str, warnings: list[str], handlers: Handlers) -> CellResult:
        """Run a compiled cell; on success its model becomes the program's."""
        label = unit.label
        self.cell_objects[label] = CellObject(so, unit.number)
        self.cell_sources[label] = typed  # for the source lines of a crash's traceback
        shown = "\n".join(w for w in warnings if w)
        outcome = self._run(so, unit.entry, handlers)
        if not outcome.ok:
            return self._failure(outcome, shown, label)
        self.defined_in.update((name, so) for name in symbols.defined if names.is_variable(name))
        self._remember(label, outcome)
        self.program = unit.program
        result = CellResult(True, warnings=shown)
        if unit.value_symbol:
            result.value = self._value(unit.value_symbol, so, symbols)
        return result

    def _plan_migrations(self, unit, obj: Path) -> dict[str, Plan]:
        """For each global whose type the cell redefines: how to copy it to an
        object of the new type (old layout from its cell's DWARF, new from
        `obj`), or why it must keep its old type."""
        plans = {}
        for v in unit.migrating:
            so = self.defined_in.get(v.symbol)
            old = values.load_variable_type(str(so), v.name) if so else None
            new = values.load_variable_type(str(obj), v.name)
            if old is None or new is None:
                plans[v.name] = Plan(v.name, unsafe="its old layout could not be read")
                continue
            plan = plan_migration(v.name, old, new, unit.changed)
            if not plan.unsafe:
                holder = self._holder_of(v.symbol, old.size)
                if holder:
                    plan.unsafe = f"its address is stored in {holder}"
            plans[v.name] = plan
        return plans

    def _holder_of(self, symbol: str, size: int) -> str:
        """What in the program holds a pointer into the object `symbol` (the
        kernel's own value slots aside), or ''."""
        start = self.executor.address(symbol)
        if not start:
            return ""
        cells = {str(o.so) for o in self.cell_objects.values()}
        for loc, offset, path in self.executor.references(start, start + max(size, 1)):
            if path not in cells:
                return f"memory at {loc:#x}" + (f" ({Path(path).name})" if path != "-" else "")
            section, name = _holder_in(path, offset)
            if section.startswith(".got") or names.is_value_or_init(name):
                continue  # code's address table, a shown value, a re-initializer's copy
            return names.shown(name.split(".")[0]) if name else f"memory at {loc:#x}"
        return ""

    def _find_header(self, name: str) -> Path | None:
        """Where gcc finds `#include "name"`: the notebook's directory, then -iquote and -I."""
        flags = self.compiler.cflags
        dirs = [self.cwd]
        for i, flag in enumerate(flags):
            for opt in ("-iquote", "-I"):
                if flag == opt and i + 1 < len(flags):
                    dirs.append(flags[i + 1])
                elif flag.startswith(opt) and len(flag) > len(opt):
                    dirs.append(flag[len(opt) :])
        for d in dirs:
            path = Path(d, name)
            if path.is_file():
                return path
        return None

    def _front(self, code: str, program: Program, ahead: bool = False):
        """(the text diagnostics quote, the cell split into items): headers with
        definitions pasted, `#if` blocks resolved and macro-built items expanded
        with `program`'s macros."""
        typed = code
        find = self._not_ahead if ahead else self._find_header

        def preprocess(text: str) -> str | None:
            return self._preprocess(text, program)

        for _ in range(32):  # until nothing changes
            before = code
            code = paste_headers(code, find)
            if "#if" in code:
                code = resolve_conditionals(code, preprocess)
            if code == before:
                break
        code = resolve_line_directives(code, preprocess)
        macros = program.macro_texts()
        code = expand_macro_items(code, macros, preprocess)
        joined, expanded = brace_runs(code, macros, preprocess)
        if expanded:
            code = expand_macro_items(code, macros, preprocess, expanded)
            joined, _ = brace_runs(code, macros, preprocess)
        return typed, self._splitter(code, program, joined).split(code)

    def _splitter(
        self, code: str, program: Program, joined: dict[int, int] | None = None, types: set[str] = frozenset()
    ) -> Splitter:
        """A splitter for `code` that knows the program's names, macros (the
        notebook's, the cell's own and the headers') and typedef names, and
        `types`, names gcc said are types."""
        defined = set(re.findall(r"^[ \t]*#[ \t]*define[ \t]+(\w+)", code, re.M))
        includes = "".join(re.findall(r"^[ \t]*#[ \t]*include\b.*\n?", code, re.M))

        def is_macro(name: str) -> bool:
            if name in defined or name in program.macros():
                return True
            output = self._preprocess(f"{includes}\n#ifdef {name}\n{names.EXPANSION_MARK}\n#endif\n", program)
            return output is not None and names.EXPANSION_MARK in output

        typedefs = {name for d in program.definitions for kind, name in d.keys if kind == "typedef"} | set(types)
        return Splitter(program.is_value_name, is_macro, joined, typedefs.__contains__)

    @staticmethod
    def _not_ahead(*_args) -> None:
        raise NotAhead

    def _compile(
        self, parsed, number: int, label: str, code: str, options: Options, program: Program | None = None, ahead=False
    ):
        """(unit, object, warnings), or the CellResult of a cell gcc rejects.

        A first attempt declares only what the cell's names reach; gcc's
        complaints lead to another (retry.py), and before any error is
        reported the cell is compiled once with the whole prelude, so pruning
        never makes a cell fail that the full program would compile."""
        program = program or self.program
        is_data = self._known_data if ahead else self._is_library_data
        split_again: set[int] = set()  # items expanded because gcc read them otherwise
        for _attempt in range(6):
            unit = generate(program, parsed, number, label, options, is_data)
            try:
                obj, warnings, raw = self.compiler.compile(names.cell_file(number), unit.header, unit.body, label, code)
                misread = misread_items(parsed, declarations_among_statements(raw, label))
                if not misread:
                    return unit, obj, warnings
                again = self._split_again(parsed, misread, program, split_again)
                if again is None:
                    return _misread_error(parsed, misread, label)
                parsed = again
                split_again |= {item.start for item in misread}
                continue
            except CompileError as e:
                # what a misread item declares is missing (`head` undeclared): split again first
                misread = misread_items(parsed, declarations_among_statements(e.raw, label))
                again = self._split_again(parsed, misread, program, split_again) if misread else None
                if again is not None:
                    parsed = again
                    split_again |= {item.start for item in misread}
                    continue
                if adjust(options, e.raw, parsed, label):
                    continue
                if not options.full_prelude:
                    options.full_prelude = True
                    continue
                if options.migrations and any(not plan.unsafe for plan in options.migrations.values()):
                    for plan in options.migrations.values():  # our copying code must never fail a cell
                        plan.unsafe = plan.unsafe or "its members could not be copied"
                    continue
                kept = [v.kept for name, v in program.variables.items() if v.kept and name in parsed.uses]
                notes = "".join(f"\nnote: {why}" for why in kept)
                return _error("CompileError", "the cell did not compile; nothing changed", e.diagnostics + notes)
        return _error("CompileError", "the cell did not compile")

    def _split_again(
        self, parsed: ParsedCell, misread: list[Item], program: Program, before: set[int]
    ) -> ParsedCell | None:
        """The cell split anew with the items it read otherwise than gcc
        (`misread_items`: a header's macro that declares, `LIST_HEAD(h, e)
        head;`) replaced by their expansion, or, when that changes nothing,
        with the name each starts with taken for the type gcc knows it as
        (`time_t (*clock_fn)(time_t *) = time;`, a header's typedef); None
        when neither changes anything or it was done `before` for one of them."""
        spans = {item.start: item.end for item in misread}
        if spans.keys() & before:
            return None
        code = parsed.source.decode("utf-8", "surrogateescape")
        expanded = expand_macro_items(code, program.macro_texts(), lambda t: self._preprocess(t, program), spans)
        if expanded != code:
            return self._splitter(expanded, program).split(expanded)
        types = {m.group(1) for item in misread if (m := _LEADING_NAME.match(item.text))}
        again = self._splitter(code, program, types=types).split(code) if types else None
        kinds = lambda cell: [(item.start, item.kind) for item in cell.items]  # noqa: E731
        return again if again is not None and kinds(again) != kinds(parsed) else None

    def _preprocess(self, text: str, program: Program | None = None) -> str | None:
        """`text` through gcc's preprocessor with the notebook's includes and macros."""
        header, rest = (program or self.program).prelude()
        return self.compiler.preprocess(header + rest + '#line 1 "<cell>"\n' + text)

    def _known_data(self, name: str) -> bool:
        """`_is_library_data` for the look-ahead: the executor is busy, so only what is known."""
        if name not in self.kinds:
            raise NotAhead
        return self.kinds[name] == "D"

    def _is_library_data(self, name: str) -> bool:
        if name not in self.kinds:
            self._ask_kinds([name])
        return self.kinds.get(name) == "D"

    def _ask_kinds(self, names: list[str]) -> dict[str, str]:
        """The executor's F/D/? for `names`; the known ones are remembered."""
        found = self.executor.kinds(names)
        self.kinds.update((name, kind) for name, kind in found.items() if kind != "?")
        return found

    def _kinds(self, symbols, ahead: bool = False) -> dict[str, str]:
        """F/D/S/? for each name the cell needs from outside the notebook:
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
            found = self._ask_kinds(unknown)
            static = static_runtime(self.compiler.gcc)[1]
            found.update((name, "S") for name, kind in found.items() if kind == "?" and name in static)
            self.kinds.update((name, kind) for name, kind in found.items() if kind == "S")
            return {name: self.kinds.get(name, found.get(name, "?")) for name in need}
        return {name: self.kinds[name] for name in need}

    @staticmethod
    def _asm_labels(parsed: ParsedCell, obj: Path) -> dict[str, tuple[bool, bool]]:
        """The labels the cell's own assembly defines (a C item under its own
        name, an `always_inline` function, is not one)."""
        c_names = {item.name for item in parsed.items if item.kind in ("inline", "verbatim")}
        return {name: how for name, how in read_symbols(obj).labels.items() if name not in c_names}

    @staticmethod
    def _declared_functions(obj: Path, warnings: str) -> set[str]:
        """The functions the cell's object declares without a definition: from
        its DWARF, and from gcc's warnings of implicit declarations (`-g0`)."""
        return declared_functions(obj) | set(_IMPLICIT.findall(warnings))

    def _trampolines(self, functions: list[str], program: Program, number: int) -> list[Path]:
        """An object with trampolines for library functions called for the first time."""
        new = [name for name in functions if name not in program.trampolines]
        if not new:
            return []
        program.trampolines.update(new)
        asm = "".join(trampoline_asm(name) for name in new)
        return [self.compiler.assemble(names.cell_file(number) + "-tramp", asm)]

    def _run(self, so: Path, entry: str, handlers: Handlers) -> Outcome:
        try:
            outcome = self.executor.run(so, entry, handlers)
            if outcome.ok and outcome.garbage and outcome.before and not self.executor.undo(outcome.before):
                outcome.ok = False  # what the cell wrote into the channel fails it: its effects are undone
            return outcome
        except ExecutorDied as e:
            self.reset()
            return Outcome(ok=False, error=f"{e}; the program was restarted and its state is lost", lost=True)

    @staticmethod
    def _complete_arrays(program: Program, so: Path, names: list[str]) -> None:
        """Array globals are declared to later cells with the dimensions gcc
        gave them (DWARF): `int a[] = {1, 2, 3}` as `int a[3]`, `int b[N]` as
        `int b[5]` even if N is redefined later."""
        for v in [program.variables[name] for name in names]:
            ctype = values.load_variable_type(str(so), v.name)
            dims = []
            t = values.strip_typedefs(ctype) if ctype else None
            while t is not None and t.kind in ("array", "pointer"):
                if t.kind == "array":
                    dims.append(t.count)
                t = values.strip_typedefs(t.target) if t.target is not None else None
            # the declarator's own dimensions, not those of members of an untagged struct before it
            spec = v.spec if v.spec and v.decl.startswith(v.spec) else ""
            declarator = v.decl[len(spec) :]
            groups = re.findall(r"\[[^\[\]]*\]", declarator)
            if len(groups) == len(dims) and all(d is not None for d in dims):
                parts = re.split(r"\[[^\[\]]*\]", declarator)
                decl = spec + parts[0] + "".join(f"[{d}]{p}" for d, p in zip(dims, parts[1:], strict=True))
                program.variables[v.name] = replace(v, decl=decl)

    @staticmethod
    def _annotate(program: Program, symbols, label: str, defines: list[str]) -> None:
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

    # -- look-ahead: the next queued cell is compiled while this one runs ---------------
    def _look_ahead(self, cell: tuple[str, str], program: Program, number: int) -> None:
        """Compile the next queued cell ("Run All") against the model this cell
        leaves if it succeeds, on another thread, while this one links and runs.
        It is used only if the cell then arrives unchanged onto that very model."""
        code, label = cell
        if re.search(r"^\s*([%!?]|#\s*include)|\?\s*$", code, re.M):
            return  # magics, help, headers (a cell may write one): in their turn
        ahead = Lookahead(code, label, number, program, tuple(self.compiler.cflags))
        ahead.thread = threading.Thread(target=self._compile_ahead, args=(ahead,), daemon=True)
        self._ahead = ahead
        ahead.thread.start()

    def _compile_ahead(self, ahead: Lookahead) -> None:
        try:
            typed, parsed = self._front(ahead.code, ahead.program, ahead=True)
            if not parsed.items:
                return
            options = first_options(parsed, ahead.program)
            compiled = self._compile(parsed, ahead.number, ahead.label, typed, options, ahead.program, ahead=True)
            if not isinstance(compiled, CellResult) and not compiled[0].migrating:
                ahead.result = (typed, parsed, options, compiled)
        except Exception:  # noqa: BLE001 - the cell is compiled again in its turn and reports its own errors
            pass

    def _take_lookahead(self, code: str, label: str) -> tuple | None:
        """What the look-ahead compiled for this cell, if it still holds."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        ahead.thread.join()
        holds = (
            ahead.result is not None
            and (ahead.code, ahead.label, ahead.number) == (code, label, self.counter + 1)
            and ahead.program is self.program
            and ahead.cflags == tuple(self.compiler.cflags)
        )
        return ahead.result if holds else None

    # -- batches: queued cells compiled as one unit (batch.py) --------------------------
    @staticmethod
    def _would_batch(cells: list[tuple[str, str]]) -> bool:
        return len(cells) >= 2 and shareable(cells[0][0]) and shareable(cells[1][0])

    def _take_batched(self, code: str, label: str, upcoming: list[tuple[str, str]]) -> BatchedCell | None:
        """This cell from the batch compiled before it, or from a batch started
        now with the cells queued after it; None: it goes alone."""
        if self._batch is not None and not self._batch.cells:
            self._batch = self._following(self._batch)
        if self._batch is not None:
            cell = self._batch.take(code, label, self.counter + 1, self.program, tuple(self.compiler.cflags))
            if cell is not None:
                self._build_following(self._batch, upcoming)
                return cell
            self._drop_batch()
        if self.counter < self._batch_after or not self._would_batch([(code, label), *upcoming]):
            return None
        self._discard_lookahead()
        cells = [(code, label), *upcoming][:FIRST_CELLS]  # while they run, the next batch is built
        try:
            batch = self._build_batch(self._plan_batch(cells, self.program, self.counter + 1))
        except CompileError:  # gcc did not finish: the cell goes alone and says so
            batch = None
        if batch is None:
            return None
        self._batch = batch
        cell = batch.cells.pop(0)
        self._build_following(batch, upcoming)
        return cell

    def _build_following(self, batch: Batch, upcoming: list[tuple[str, str]]) -> None:
        """Start building, on a thread, the batch of the cells queued after `batch`'s."""
        rest = upcoming[len(batch.cells) :][: min(MAX_CELLS, 2 * batch.size)]
        if batch.following is not None or not self._would_batch(rest):
            return
        base = batch.last.copy()  # its dicts change in the turns of the cells before it

        def build() -> None:
            try:
                planned = self._plan_batch(rest, base, batch.last_number + 1, ahead=True)
                following = self._build_batch(planned, ahead=True)
            except Exception:  # noqa: BLE001 - NotAhead, or any failure: its cells go in their turn
                return
            if following is not None:
                batch.built.append(following)

        batch.following = threading.Thread(target=build, daemon=True)
        batch.following.start()

    @staticmethod
    def _following(batch: Batch) -> Batch | None:
        """The batch built after `batch`, ready to run onto the model `batch` left."""
        if batch.following is None:
            return None
        batch.following.join()
        if not batch.built:
            return None
        following = batch.built[0]
        following.cells[0].before = batch.last  # it was planned against a copy
        return following

    def _plan_batch(
        self,
        cells: list[tuple[str, str]],
        program: Program,
        number: int,
        retried: dict[str, Options] | None = None,
        ahead: bool = False,
    ) -> list[BatchedCell]:
        """The queued cells that can share a unit, the first numbered `number`
        onto `program`, each generated against the model the one before it
        leaves (with the options gcc's complaints led to, `retried`, for those
        compiled before).  `ahead`: on a thread, while the executor is busy."""
        shared, header, size = SharedUnit(), "", 0
        is_data = self._known_data if ahead else self._is_library_data
        planned: list[BatchedCell] = []
        for i, (code, label) in enumerate(cells[:MAX_CELLS]):
            code = code.encode("utf-8", "replace").decode("utf-8")
            size += len(code)
            if not shareable(code) or "\0" in code or size > MAX_TEXT:
                break
            try:
                typed, parsed = self._front(code, program, ahead=True)
                if not parsed.items:
                    break
                options = (retried or {}).get(label) or first_options(parsed, program)
                options.shared = shared
                unit = generate(program, parsed, number + i, label, options, is_data)
            except Exception:  # noqa: BLE001 - the cell goes alone in its turn and reports its own errors
                break
            if unit.migrating or redefines(program, unit) or (header and unit.header not in ("", header)):
                break
            header = header or unit.header
            shared.labels.add(label)
            planned.append(
                BatchedCell(code, label, unit.number, typed, parsed, options, program, dict(program.functions), unit)
            )
            program = unit.program
        return planned

    def _build_batch(self, planned: list[BatchedCell], ahead: bool = False) -> Batch | None:
        """Compile and link the planned cells as one object.  A cell gcc
        rejects is generated again with the options its complaint calls for
        (retry.py), as alone; the batch is cut before the first cell that
        still fails or that the linker lacks a name for.  None if fewer than
        two cells are left."""
        cflags = tuple(self.compiler.cflags)  # if %cflags changes them meanwhile, the batch is not used
        for _attempt in range(MAX_ATTEMPTS):
            if len(planned) < 2:
                return None
            header = next((c.unit.header for c in planned if c.unit.header), "")
            body = "".join(c.unit.body for c in planned)
            stem = names.batch_file(planned[0].number, planned[-1].number)
            obj, stderr = self.compiler.compile_shared(stem, header, body, {c.label: c.typed for c in planned})
            cut = first_named(stderr, [c.label for c in planned])
            if cut is None and obj is None:
                cut = -1
            if cut is not None:
                if cut < 0:  # gcc blames none of them: not again for these cells
                    if not ahead:
                        self._batch_after = planned[-1].number
                    return None
                retried = {}
                for cell in planned[cut:]:
                    own = messages_of(stderr, cell.label)
                    if ": error: " in own and not adjust(cell.options, own, cell.parsed, cell.label):
                        break
                    retried[cell.label] = cell.options
                kept = planned[: cut + len(retried)]
                first = planned[0]
                again = [(c.code, c.label) for c in kept]
                planned = self._plan_batch(again, first.before, first.number, retried, ahead)[: len(kept)]
                continue
            declaring = [bool(misread_items(c.parsed, declarations_among_statements(stderr, c.label))) for c in planned]
            if any(declaring):  # that cell is split again in its turn, alone
                planned = planned[: declaring.index(True)]
                continue
            symbols = read_symbols(obj, by_holder=True)
            shares = split_symbols(symbols, [c.number for c in planned])
            kinds = self._kinds(symbols, ahead)
            missing = {name for name, kind in kinds.items() if kind == "?"}
            if shares is None or missing:
                lacking = [i for i, c in enumerate(planned) if shares and shares[c.number].referenced & missing]
                if not lacking:
                    if not ahead:
                        self._batch_after = planned[-1].number
                    return None
                planned = planned[: min(lacking)]
                continue
            wrap = sorted(name for name, kind in kinds.items() if kind == "F")
            last = planned[-1].unit.program
            try:
                extra = self._trampolines(wrap, last, planned[-1].number)
                so = self.compiler.link(obj, wrap, extra, "S" in kinds.values())
            except CompileError:
                if not ahead:
                    self._batch_after = planned[-1].number
                return None
            for cell in planned:
                # once the object is loaded, all its trampolines exist in the program
                cell.unit.program.trampolines |= last.trampolines
                cell.symbols = shares[cell.number]
                cell.warnings = warnings_of(stderr, cell.label, list(cflags))
                # the arrays' dimensions, in its model and the batch's last (the next batch is planned
                # from a copy of that); the models between take them from the program in their turn
                for model in {id(cell.unit.program): cell.unit.program, id(last): last}.values():
                    self._complete_arrays(model, obj, cell.unit.arrays)
            return Batch(planned, so, cflags, last, planned[-1].number, len(planned))
        return None

    def _run_batched(self, cell: BatchedCell, handlers: Handlers) -> CellResult:
        self.counter += 1
        # The cell was generated before the cells ahead of it had run: its model
        # takes what they noted in the program's (who calls and uses what), then its own.
        model, now = cell.unit.program, self.program
        for name, f in now.functions.items():
            mine = model.functions.get(name)
            if mine is None or mine is cell.before_functions.get(name):
                model.functions[name] = f
            elif not f.callers <= mine.callers:
                model.functions[name] = replace(mine, callers=mine.callers | f.callers)
        model.variables.update(now.variables)
        self._annotate(model, cell.symbols, cell.label, cell.unit.defines)
        result = self._run_unit(
            self._batch.so, cell.unit, cell.symbols, cell.typed, [cell.warnings, *cell.unit.warnings], handlers
        )
        if not result.ok:
            self._drop_batch()
        return result

    def _drop_batch(self) -> None:
        """Forget the cells of a batch that will not run from it (and the batch
        built after it).  Their numbers are not given again: the batch's
        object may be loaded, with their symbols."""
        batch, self._batch = self._batch, None
        if batch is not None:
            following = self._following(batch)
            self.counter = max(self.counter, following.last_number if following else batch.last_number)

    # -- reporting ----------------------------------------------------------------
    def release_frozen(self) -> None:
        """Kill the frozen copy of the last crashed process (kept for %debug)."""
        if self._frozen_timer is not None:
            self._frozen_timer.cancel()
            self._frozen_timer = None
        if self.frozen is not None:
            self.executor.release(self.frozen[0])
            self.frozen = None

    def _keep_frozen(self, pid: int, label: str, what: str) -> None:
        self.frozen = (pid, label, what)
        self._frozen_timer = threading.Timer(FROZEN_SECONDS, self.release_frozen)
        self._frozen_timer.daemon = True
        self._frozen_timer.start()

    def idle_death(self, label: str, handlers: Handlers) -> CellResult | None:
        """The program ended while no cell ran (a thread's `exit`, a timer's
        signal, a kill from outside): the failure of the cell about to run,
        which does not run; None when the program is alive."""
        try:
            outcome = self.executor.idle_death(handlers)
        except ExecutorDied as e:
            self.reset()
            what = f"the program ended while no cell was running, and {e}; it was restarted and its state is lost"
            return _error("StateLost", what)
        return None if outcome is None else self._failure(outcome, "", label, idle=True)

    def _failure(self, outcome: Outcome, warnings: str, label: str, idle: bool = False) -> CellResult:
        """The error of a cell that did not end well; `idle`: the program ended
        before the cell, which did not run."""
        extra = [warnings] if warnings else []
        if outcome.frozen:
            what = (
                "stopped at a report"
                if outcome.exit_status
                else "was interrupted"
                if outcome.interrupted
                else "crashed"
            )
            self._keep_frozen(outcome.frozen, label, what)
        if outcome.error:
            ename = "StateLost" if outcome.lost else "LoadError"
            return _error(ename, outcome.error, "\n".join([*extra, outcome.error]))
        if not outcome.rolled_back:
            state = "Threads are running, so the state could not be rolled back: the cell's partial effects remain."
        elif self.in_place_base is not None:
            self.program, since, libraries = self.in_place_base
            self.libraries = list(libraries)
            self.in_place_base = None
            state = (
                f"Threads were running since {since}, so no snapshot was taken after it: "
                f"the program went back to its state before {since} (its threads are gone)."
            )
        elif idle:
            state = "The program's state is as it was after the last cell that ran."
        else:
            state = "The program's state is as it was before this cell."
        if outcome.timer_off:
            state += f" The timer that sent SIG{outcome.signal} has gone off: it is no longer set."
        if idle:
            state = "It ended while no cell was running: this cell did not run. " + state
        if outcome.channel_lost:
            what = "the cell closed or replaced the descriptors the kernel talks to the program through"
            return _error("ChannelClosed", what, "\n".join([*extra, what[0].upper() + what[1:] + ".", state]))
        if outcome.garbage:
            what = "the cell wrote into the kernel's private channel to the program"
            return _error("ChannelMisuse", what, "\n".join([*extra, what[0].upper() + what[1:] + ".", state]))
        if outcome.undefined:
            what = f"{outcome.undefined}() was called but is declared, not defined"
            return _error("UndefinedFunction", what, "\n".join([*extra, what, state]))
        if outcome.limit == "processes":
            n = self.limits.processes
            what = f"the program tried to have more than {n} processes at once"
            detail = f"{what[0].upper() + what[1:]} (CELLC_MAX_PROCESSES={n}): the cell was stopped."
            return _error("ProcessLimit", what, "\n".join([*extra, detail, state]))
        if outcome.timed_out:
            what = f"the cell ran for more than {self.limits.timeout:g} s (CELLC_CELL_TIMEOUT) and was stopped"
            return _error("Timeout", what, "\n".join([*extra, what[0].upper() + what[1:] + ".", state]))
        if outcome.interrupted and outcome.signal in ("INT", "KILL", ""):
            return _error("Interrupted", "the cell was interrupted", "\n".join([*extra, "Interrupted.", state]))
        if outcome.exit_status is not None:
            what = f"the program called exit({outcome.exit_status})"
            return _error("Exit", what, "\n".join([*extra, what[0].upper() + what[1:] + ".", state]))
        sig = outcome.signal or (outcome.fault[0] if outcome.fault else "")
        name = SIGNAL_NAMES.get(sig, "Fatal signal")
        message = f"{name} (SIG{sig})"
        trace: list[str] = []
        if outcome.fault and outcome.fault[0] == sig:
            detail = self._describe_fault(outcome.fault)
            if detail:
                message += f": {detail}"
            trace = self._traceback(outcome.fault[4:])
        return _error(f"SIG{sig}", message, "\n".join([*extra, *trace, message, state]))

    @staticmethod
    def _describe_fault(fault: list[str]) -> str:
        sig, code, addr, sp = fault[0], int(fault[1], 16), int(fault[2], 16), int(fault[3], 16)
        if sig == "SEGV":
            if abs(addr - sp) <= STACK_SLACK:  # the guard page right at the stack pointer
                return "stack overflow (runaway recursion?)"
            return f"{SEGV_CODES.get(code, 'invalid memory access')} at address {addr:#x}"
        if sig == "FPE":
            return FPE_CODES.get(code, "arithmetic error")
        return ""

    def _frames(self, tokens: list[str]) -> list[crash.Frame]:
        """The user's frames of a `fault` event, innermost first (crash.py)."""
        labels = {str(o.so): label for label, o in self.cell_objects.items()}
        machinery = {str(self.binary), os.path.realpath(self.binary)}
        try:
            return crash.frames_of(tokens, labels, machinery)
        except (OSError, ValueError):
            return []

    def _traceback(self, tokens: list[str]) -> list[str]:
        """The crash's call stack, most recent call last."""
        frames = self._frames(tokens)

        def source_of(file: str) -> str | None:
            if file in self.cell_sources:
                return self.cell_sources[file]
            path = Path(self.cwd, file)
            return path.read_text(errors="replace") if path.is_file() else None

        return crash.format_traceback(frames, source_of)

    def _value(self, symbol: str, so: Path, symbols) -> tuple[str, str] | None:
        size = symbols.sizes.get(symbol, 0)
        ctype = values.load_variable_type(str(so), symbol)
        if ctype is None:
            return None
        address = self.executor.address(symbol)
        # A huge value is shown elided: its first elements are enough.
        data = self.executor.peek(address, min(size, VALUE_BYTES)) if address else None
        if data is None:
            return None
        text = values.format_value(ctype, data, self.executor.peek, self.symbolize)
        return text, values.type_info_html(ctype, text)

    def symbolize(self, address: int) -> str | None:
        """The notebook or library function at a code address (for function pointers)."""
        name = self.executor.symbol(address)
        if name is None:
            return None
        return names.shown(name.removeprefix("__wrap_"))  # ld's --wrap alias of a trampoline

    # -- magics' helpers ----------------------------------------------------------
    def _remember(self, label: str, outcome: Outcome) -> None:
        """Keep the model before this cell for undo and rollback.

        A cell that ran in place (threads) has no snapshot after it: undo
        cannot cross it, and a crash goes back to before the first such cell."""
        if outcome.in_place or outcome.before is None:
            if self.in_place_base is None:
                self.in_place_base = (self.program, label, list(self.libraries))
            self.undo_steps.clear()
            self.executor.forget_snapshots()
            return
        self.in_place_base = None
        self.undo_steps.append(UndoStep(label, self.program, list(self.libraries), outcome.before))
        del self.undo_steps[: -self.executor.max_snapshots]

    def load_library(self, spec: str, handlers: Handlers, label: str = "") -> str:
        """dlopen a system library into the program; '' or an error message."""
        path = spec
        if "/" not in spec:
            found = ctypes.util.find_library(spec[3:] if spec.startswith("lib") else spec)
            if not found:
                return f"library not found: {spec}"
            path = found
        elif not os.path.exists(spec):
            return f"no such file: {spec}"
        outcome = self.executor.run(Path(path), "", handlers, command="load")
        if not outcome.ok and outcome.error:
            return outcome.error
        if not outcome.ok:  # its constructors crashed, exited, were interrupted...
            failure = self._failure(outcome, "", label)
            frames = self._frames(outcome.fault[4:]) if outcome.fault else []
            where = f", {frames[0].title()}" if frames else ""
            return f"loading failed: {failure.evalue}{where}\n{failure.traceback[-1]}"
        self._remember(label or f"%lib {spec}", outcome)
        self.libraries.append(path)
        self.program = self.program.copy()
        return ""

    def add_record(self, record) -> None:
        """A step that is no cell of C (`%%file`, `%env`, `%lib`) in the program's history, for %export."""
        self.program = self.program.copy()
        self.program.records.append(record)

    def left_out(self, label: str, source: str, ename: str) -> None:
        """A cell that failed: a comment where it ran, in the exported program."""
        first = next((line.strip() for line in source.splitlines() if line.strip()), "")
        if first:
            shown = first if len(first) <= 60 else first[:57] + "..."
            self.add_record(NoteRecord(label, f"{shown}  -- failed ({ename}), left out"))

    def replace_record(self, label: str, make) -> None:
        """The record of cell `label`, just run for a magic, as the export sees it: `make(record)`."""
        records = self.program.records
        if records and isinstance(records[-1], CellRecord) and records[-1].label == label:
            self.program = self.program.copy()
            self.program.records[-1] = make(records[-1])

    def undo(self) -> UndoStep | str:
        """Take back the newest step: the step, or why nothing changed."""
        if not self.undo_steps:
            return "nothing to undo"
        step = self.undo_steps[-1]
        if self.executor.dropped.get(step.snapshot) == "memory":
            self.undo_steps.clear()
            return (
                f"{step.label} cannot be undone: its snapshot was dropped to keep the program's memory "
                f"within its budget: twice the program's size plus {format_size(SNAPSHOT_MARGIN)} (see %limits)."
            )
        error = self.executor.undo(step.snapshot)
        if error == "lost":
            self.undo_steps.clear()
            return (
                f"{step.label} cannot be undone: the saved state from before it is gone "
                "(a cell killed the process that held it); undo history starts again from here."
            )
        if error:
            return error
        self.undo_steps.pop()
        self.program, self.libraries = step.program, step.libraries
        self.kinds.clear()  # names an undone %lib brought are gone
        return step

    def _discard_lookahead(self) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.thread.join()
        self._drop_batch()

    def reset(self) -> None:
        """A fresh program: new executor, empty model."""
        self._discard_lookahead()
        self.release_frozen()
        self.executor.close()
        self.program = Program(records=[*self.program.records, ResetRecord()])  # what ran before, for export
        self.in_place_base = None
        self.undo_steps.clear()
        self.libraries.clear()
        self.kinds.clear()
        self.executor = self._start_executor()

    def end_program(self, handlers: Handlers | None = None) -> None:
        """End the program as C does: `exit(0)` runs its `atexit` handlers and
        `__attribute__((destructor))` functions (output goes to `handlers`)."""
        if self.program.cells and self.workdir.exists():
            self.execute("__builtin_exit(0);", "<end>", handlers or Handlers())

    def shutdown(self) -> None:
        self._discard_lookahead()
        self.release_frozen()
        if self.workdir.exists():
            try:
                self.end_program()
            except Exception:  # shutting down regardless
                pass
        self.executor.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def interrupt(self) -> None:
        self.executor.interrupt()


_LEADING_NAME = re.compile(r"\s*([A-Za-z_]\w*)\s*\(")


def _misread_error(parsed: ParsedCell, misread: list[Item], label: str) -> CellResult:
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
    return _error("CompileError", "cellc cannot split the cell as gcc reads it; nothing changed", detail)


def _holder_in(so_path: str, offset: int) -> tuple[str, str]:
    """(section, object symbol — locals too) of a cell's .so at `offset`."""
    section = name = ""
    try:
        with open(so_path, "rb") as f:
            elf = ELFFile(f)
            for sec in elf.iter_sections():
                if sec["sh_addr"] <= offset < sec["sh_addr"] + sec["sh_size"]:
                    section = sec.name
            symtab = elf.get_section_by_name(".symtab")
            for sym in symtab.iter_symbols() if symtab is not None else ():
                start = sym["st_value"]
                if sym["st_info"]["type"] == "STT_OBJECT" and start <= offset < start + max(sym["st_size"], 1):
                    name = sym.name
    except (OSError, ValueError):
        pass
    return section, name
