"""Compile and link a cell: gcc -c with a precompiled prelude header, ld -shared.

Also sums up what gcc made (objfile.py reads the object's symbols) and
turns gcc's diagnostics into what the user wrote: cell line numbers, no
generated names.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import shutil
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import names, objfile, toolchain
from .diagnostics import INCLUDED, Diagnostic
from .diagnostics import parse as parse_diagnostics
from .limits import Limits, format_size

log = logging.getLogger(__name__)

INCLUDE_DIR = Path(__file__).parent / "include"
BASE_FLAGS = [
    "-fPIC",
    "-fno-plt",  # a call to another cell's function: one indirect jump less
    "-g",
    "-fno-common",
    "-fdiagnostics-color=never",
    "-fmessage-length=0",
    "-fmax-errors=20",
    "-pipe",
]
LONG_LINE = 2000  # cells with longer lines get no source quotes in diagnostics
MAX_DIAGNOSTIC_LINE = 500
MAX_DIAGNOSTIC_LINES = 200
COMPILE_TIMEOUT = 300
DEFAULT_CFLAGS = ["-O0", "-Wall", "-std=gnu17"]

_DEFINE_LINE = re.compile(r"^#define ([A-Za-z_]\w*)\b.*$", re.M)  # a line of gcc -dM
_COMMAND_LINE_ERROR = "<command-line>: error"  # an error in a -D or -U flag
# a name of the user's: not ours, nor `counter.0` (a static local)
_LABEL = re.compile(rf"(?!{names.PREFIX}|__wrap_)[A-Za-z_]\w*")


class CompileError(Exception):
    """gcc rejected the cell; `diagnostics` is the cleaned text."""

    def __init__(self, diagnostics: str, raw: str = ""):
        super().__init__(diagnostics)
        self.diagnostics = diagnostics
        self.raw = raw


@dataclass
class ObjectSymbols:
    defined: set[str] = field(default_factory=set)
    undefined: set[str] = field(default_factory=set)
    sizes: dict[str, int] = field(default_factory=dict)
    referenced: set[str] = field(default_factory=set)  # named by a relocation
    referenced_in: dict[str, set[str]] = field(default_factory=dict)  # function or object ('' none) -> names
    # names of the user's own the object defines, local ones too: (in code, local); a top-level asm's labels
    labels: dict[str, tuple[bool, bool]] = field(default_factory=dict)


def read_symbols(path: str | os.PathLike, by_holder: bool = False) -> ObjectSymbols:
    """What an object defines, needs from elsewhere, and refers to; with
    `by_holder` (a batch of cells), also which of its functions and objects
    refers to what (`referenced_in`, local ones too)."""
    obj = objfile.open_object(path)
    out = ObjectSymbols()
    for sym in obj.symbols():
        if not sym.name or sym.kind in ("file", "section"):
            continue
        if not sym.defined:
            # a weak reference may stay undefined (it is then null)
            if sym.name != "_GLOBAL_OFFSET_TABLE_" and sym.bind != "weak":
                out.undefined.add(sym.name)
            continue
        local = sym.bind == "local"
        if not local:
            out.defined.add(sym.name)
            out.sizes[sym.name] = sym.size
        if sym.kind in ("notype", "func", "object") and _LABEL.fullmatch(sym.name):
            out.labels[sym.name] = (sym.code, local)
    out.referenced = {rel.symbol.name for rel in obj.relocations() if rel.symbol is not None and rel.symbol.name}
    if by_holder:
        out.referenced_in = {holder: set(used) for holder, used in obj.references().items()}
    return out


# gcc's word for a declaration after a statement: the generator turns it on in
# the run function, where it means that a "statement" declares (generate.py).
MIXED_DECLARATIONS = "[-Wdeclaration-after-statement]"
_C90 = {"-std=c89", "-std=c90", "-std=gnu89", "-std=gnu90", "-ansi", "-std=iso9899:1990", "-std=iso9899:199409"}


def warns_mixed_declarations(cflags: list[str] | tuple[str, ...]) -> bool:
    """Whether gcc warns of declarations after statements with these flags
    (in one file too): then the warnings are the user's, and shown."""
    pedantic = any(f in ("-pedantic", "-Wpedantic", "-pedantic-errors") for f in cflags)
    return "-Wdeclaration-after-statement" in cflags or (pedantic and any(f in _C90 for f in cflags))


# gcc flags a notebook cannot take, and why: each cell must stay a C object
# with its symbols visible and its debug information inside, linked as a
# shared object into the 64-bit executor.
_REJECTED_FLAGS: list[tuple[str, str]] = [
    (
        r"-c|-o.*|-E|-S|-shared|-fsyntax-only|-M[MDG]?|-MMD|-M[FTQP].*|-save-temps.*",
        "cellc chooses what gcc makes of each cell (an object it links and loads)",
    ),
    (r"--help.*|--version|-v|-###|-dump.*|-print-.*|--target-help", "it makes gcc print instead of compiling"),
    (r"-x.*", "a cell is C"),
    (r"-l.*|-L.*|-Wl,.*|-static.*|-shared-libgcc|-rdynamic", "link flags: load a library with %lib NAME"),
    (r"-flto.*|-ffat-lto-objects", "cells are linked one at a time; link-time optimization needs the whole program"),
    (r"-fvisibility=(?!default$).*", "later cells must see what a cell defines"),
    (r"-fno-(pic|PIC|pie|PIE)|-m(16|32|x32)", "cells are position-independent code loaded into a 64-bit process"),
    (
        r"-g(gdb|dwarf)?[01]|-gsplit-dwarf|-gno-.*|-gbtf|-gctf",
        "cellc reads each cell's full DWARF (values, crash lines, %debug)",
    ),
]


def flag_problems(flags: list[str]) -> list[str]:
    """ "FLAG: why" for each of `flags` that a notebook cannot take."""
    out = []
    for flag in flags:
        for pattern, why in _REJECTED_FLAGS:
            if re.fullmatch(pattern, flag):
                out.append(f"{flag}: {why}")
                break
    return out


def gcc_flags(cflags: list[str] | tuple[str, ...]) -> list[str]:
    """The flags gcc runs with for the user's: cellc reads gcc's warnings
    (`declarations_among_statements`), so `-w` hides them from the user after
    gcc has given them (`clean_diagnostics`) rather than from cellc; what
    would turn a warning into an error does nothing under `-w`, and is left out."""
    if "-w" not in cflags:
        return list(cflags)
    return [f for f in cflags if f not in ("-w", "-Werror", "-pedantic-errors") and not f.startswith("-Werror=")]


def declarations_among_statements(raw: str, label: str) -> set[tuple[int, int]]:
    """(line, column) in the cell `label` of each declaration gcc found among
    the run function's statements: where its warning points, or, for one a
    macro wrote, where the cell expands the macro."""
    found: set[tuple[int, int]] = set()
    mixed, place = False, None
    for d in parse_diagnostics(raw):
        if d.line is None:  # not located
            continue
        here = (d.line, d.column or 1) if d.file == label else None
        if d.severity == "note":
            if mixed and here and "in expansion of macro" in d.message:
                place = here  # the outermost expansion comes last
            continue
        if mixed and place:
            found.add(place)
        mixed = d.severity == "warning" and MIXED_DECLARATIONS in d.message
        place = here if mixed else None
    if mixed and place:
        found.add(place)
    return found


def clean_diagnostics(raw: str, label: str, cflags: list[str] | tuple[str, ...] = ()) -> str:
    """gcc's output reduced to what concerns the user.

    Messages are kept when they point into this cell; elsewhere (earlier
    cells' definitions in the prelude, our generated code) only errors and
    the notes that follow a kept message are kept.  "In function" context
    lines naming generated functions are dropped, and so are warnings of
    declarations after statements unless the user's `cflags` ask for them
    (`warns_mixed_declarations`), and every warning with `-w` (`gcc_flags`).
    """
    quiet = "-w" in cflags
    mixed_declarations = warns_mixed_declarations(list(cflags))
    kept: list[Diagnostic] = []
    context: list[Diagnostic] = []  # the context lines before the next message
    keep_notes = False
    for d in parse_diagnostics(raw):
        head = d.lines[0]
        if re.search(rf": In function '{names.PREFIX}\w+':$", head) or head.endswith("At top level:"):
            continue
        if not d.located:
            # Messages about -D macros: ours (%time's) unless they are errors.
            if head.startswith(_COMMAND_LINE_ERROR) or "In function" in head or head.startswith(INCLUDED):
                context.append(d)
            continue
        if d.severity == "note":
            # a note on our own code (not the user's) says nothing the user can act on
            keep = keep_notes and d.file != names.GENERATED_FILE
        else:
            keep = d.file == label or d.is_error
            if d.severity == "warning" and (quiet or MIXED_DECLARATIONS in d.message and not mixed_declarations):
                keep = False
            keep_notes = keep
        # the chain of includes gcc writes before a message is that message's: it goes with it
        kept.extend(c for c in context if keep or not c.lines[0].startswith(INCLUDED))
        context.clear()
        if keep:
            kept.append(d)
    kept.extend(context)
    # Errors in the cell itself explain errors they cause in generated code;
    # without one, an error of generated code is the cell's (a value of an
    # incomplete type, say): said without our lines.
    if any(d.located and d.file == label and d.is_error for d in kept):
        kept = _without_generated_errors(kept)
    else:
        kept = [_as_the_cells(d, label) if d.located and d.file == names.GENERATED_FILE else d for d in kept]
    # Drop dangling context lines ("In function 'f':") with nothing after them,
    # and messages repeated word for word (a value expression is compiled twice).
    lines = [(text, i == 0 and d.located) for d in kept for i, text in enumerate(d.lines)]
    out: list[str] = []
    seen: set[str] = set()
    for i, (line, located) in enumerate(lines):
        if located:
            if line in seen:
                continue
            seen.add(line)
        if line.endswith(":") and not located:
            nxt, nxt_located = lines[i + 1] if i + 1 < len(lines) else ("", False)
            if not nxt or (nxt.endswith(":") and not nxt_located):
                continue
        out.append(line)
    return _shorten(names.shown("\n".join(out)).strip("\n"))


def _shorten(text: str) -> str:
    """Diagnostics of a huge cell stay readable (gcc quotes whole lines)."""
    lines = [
        line if len(line) <= MAX_DIAGNOSTIC_LINE else line[:MAX_DIAGNOSTIC_LINE] + " …" for line in text.split("\n")
    ]
    if len(lines) > MAX_DIAGNOSTIC_LINES:
        lines = [*lines[:MAX_DIAGNOSTIC_LINES], f"… ({len(lines) - MAX_DIAGNOSTIC_LINES} more lines)"]
    return "\n".join(lines)


def _as_the_cells(d: Diagnostic, label: str) -> Diagnostic:
    """A message located in generated code, as the cell's: its words, not our line."""
    return replace(d, file=label, lines=(f"{label}: {d.severity}: {d.message}",))


def _without_generated_errors(kept: list[Diagnostic]) -> list[Diagnostic]:
    """`kept` without the messages located in generated code, and the context lines that follow them."""
    out: list[Diagnostic] = []
    skipping = False
    for d in kept:
        head = d.lines[0]
        if d.located:
            skipping = d.file == names.GENERATED_FILE
        elif head.endswith(":") and not head.startswith(" "):
            skipping = False
        if not skipping:
            out.append(d)
    return out


@functools.lru_cache(maxsize=4)
def static_runtime(gcc: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The archives gcc's driver links into every program and a bare
    `ld -shared` does not — libc_nonshared.a (atexit, stat, ...) and libgcc.a
    (__muldc3, __divti3, __popcountdi2, _Float128 arithmetic) — and the
    global names they define (binutils' nm reads the archives)."""
    found = (toolchain.gcc_file(gcc, flag) for flag in ("-print-file-name=libc_nonshared.a", "-print-libgcc-file-name"))
    paths = [path for path in found if path]
    names: set[str] = set()
    if paths:
        proc = toolchain.run(["nm", "-g", "--defined-only", *paths])
        for line in proc.stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TWDBRVi":
                names.add(parts[2])
    return tuple(paths), frozenset(names)


def _timed_out(tool: str, timeout: float) -> CompileError:
    why = " (CELLC_CELL_TIMEOUT)" if timeout < COMPILE_TIMEOUT else ""
    return CompileError(f"{tool} did not finish within {timeout:g} s{why}; the cell was not run")


class Compiler:
    """Runs gcc and ld in a private work directory."""

    def __init__(self, workdir: Path, gcc: str = "gcc", ld: str = "ld", limits: Limits | None = None):
        """`limits`: the operator's limits on the program bind gcc as well
        (memory per process, and the cell's time)."""
        self.workdir = Path(workdir)
        self.limits = limits or Limits()
        self.gcc = shutil.which(gcc) or gcc
        self.ld = shutil.which(ld)
        self.cflags: tuple[str, ...] = tuple(
            DEFAULT_CFLAGS
        )  # replaced whole (Interpreter.set_cflags), never changed in place
        self._pch: dict[str, Path] = {}  # hash of header text + flags -> header path
        self._pch_lock = threading.Lock()
        self._ahead: toolchain.CompileAhead | None = None  # cc1 | as waiting for the next cell's unit
        self._ahead_lock = threading.Lock()  # held while they start: a compile of that unit waits
        self._compiled: set[str] = set()  # units compiled or being compiled: none is started ahead again
        self._closed = False

    def timeout(self) -> float:
        """How long gcc and ld may take on a cell: the cell's time, at most `COMPILE_TIMEOUT`."""
        return min(COMPILE_TIMEOUT, self.limits.timeout or COMPILE_TIMEOUT)

    def _gcc(self, argv: list[str], input: str | None = None) -> toolchain.Result:
        """gcc on the user's text, within the operator's limits: an `#include` of
        /dev/zero or of a FIFO ends in an error, not in a kernel that waits or swaps."""
        with self._in_time() as timeout:
            return toolchain.run(argv, input=input, cwd=self.workdir, timeout=timeout, memory=self.limits.memory)

    @contextlib.contextmanager
    def _in_time(self) -> Iterator[float]:
        """The time gcc has on a unit; past it, the cell's CompileError."""
        timeout = self.timeout()
        try:
            yield timeout
        except toolchain.ToolTimeout:
            raise _timed_out("gcc", timeout) from None

    def flags(self) -> list[str]:
        return [*BASE_FLAGS, *gcc_flags(self.cflags), "-I", str(INCLUDE_DIR), "-I", os.getcwd()]

    def _header(self, text: str) -> Path | None:
        """A header holding `text`, precompiled for the current flags."""
        if not text:
            return None
        with self._pch_lock:  # the look-ahead compiles on a thread of its own
            return self._precompiled(text)

    def _precompiled(self, text: str) -> Path:
        flags = self.flags()
        key = hashlib.sha1((text + "\0" + " ".join(flags)).encode()).hexdigest()[:16]
        path = self._pch.get(key)
        if path is not None:
            return path
        path = self.workdir / f"prelude-{key}.h"
        path.write_text(text)
        proc = self._gcc([self.gcc, *flags, "-x", "c-header", "-o", str(path) + ".gch", str(path)])
        if proc.returncode != 0:
            Path(str(path) + ".gch").unlink(missing_ok=True)
        self._pch[key] = path
        return path

    def compile(self, name: str, header: str, body: str, label: str, cell_text: str = "") -> tuple[Path, str, str]:
        """Compile to an object; returns (object path, warnings text, gcc's output).

        The cell's own text is saved under its label in the work directory
        (gcc's cwd), so diagnostics quote the user's lines."""
        self._save_source(label, cell_text)
        obj, proc = self._compile_unit(name, header, body)
        diagnostics = clean_diagnostics(proc.stderr, label, self.cflags)
        if proc.returncode != 0:
            message = diagnostics or _shorten(proc.stderr.strip())
            if self.limits.memory and "out of memory" in proc.stderr:
                message += f"\n(gcc runs within the memory limit, CELLC_MEMORY_LIMIT={format_size(self.limits.memory)})"
            raise CompileError(message, proc.stderr)
        return obj, diagnostics, proc.stderr

    def compile_shared(self, name: str, header: str, body: str, sources: dict[str, str]) -> tuple[Path | None, str]:
        """One unit holding several cells (batch.py): (the object, or None if gcc
        failed; gcc's messages as they are)."""
        for label, text in sources.items():
            self._save_source(label, text)
        obj, proc = self._compile_unit(name, header, body)
        return (obj if proc.returncode == 0 else None), proc.stderr

    def _save_source(self, label: str, cell_text: str) -> None:
        """The cell's text under its label in gcc's directory: diagnostics and gdb quote it."""
        quote = cell_text and "/" not in label and max(map(len, cell_text.splitlines() or [""])) <= LONG_LINE
        if quote:
            (self.workdir / label).write_text(cell_text, errors="surrogateescape")
        else:
            (self.workdir / label).unlink(missing_ok=True)

    def _compile_unit(self, name: str, header: str, body: str) -> tuple[Path, toolchain.Result]:
        header_path = self._header(header)
        src = self.workdir / f"{name}.c"
        obj = self.workdir / f"{name}.o"
        text = (f'#include "{header_path}"\n' if header_path else "") + body
        flags = self.flags()
        plan = toolchain.compile_plan(self.gcc, tuple(flags), str(self.workdir))
        ahead = self._take_ahead(name, plan)
        with self._in_time() as timeout:
            result = ahead.finish(text, timeout) if ahead is not None else None
        if result is not None:
            return obj, result
        src.write_text(text, errors="surrogateescape")
        if plan is None:
            return obj, self._gcc([self.gcc, *flags, "-c", "-o", str(obj), str(src)])
        with self._in_time() as timeout:
            return obj, toolchain.run_plan(plan, name, cwd=self.workdir, timeout=timeout, memory=self.limits.memory)

    # -- the next cell's cc1, started ahead ---------------------------------------
    def start_ahead(self, name: str) -> None:
        """Start cc1 | as for the unit `name` with the current flags, on a
        thread (the caller goes on: the executor runs a cell meanwhile); they
        wait for the unit's text, and its compile skips their start
        (toolchain.CompileAhead).  One at a time: the one for another unit ends."""
        self._ahead_lock.acquire()  # from now on, a compile of `name` waits for them
        try:
            threading.Thread(target=self._start_ahead, args=(name,), daemon=True).start()
        except BaseException as e:
            self._ahead_lock.release()
            if not isinstance(e, RuntimeError):
                raise
            log.debug("cc1 was not started ahead", exc_info=True)  # no thread to spare: as usual

    def _start_ahead(self, name: str) -> None:
        """(`_ahead_lock` held by the caller, released here.)"""
        try:
            if name in self._compiled:  # (the look-ahead's thread compiled it already)
                return
            plan = toolchain.compile_plan(self.gcc, tuple(self.flags()), str(self.workdir))
            old, self._ahead = self._ahead, None
            if old is not None and old.compiles(name, plan, self.limits.memory):
                self._ahead = old
                return
            if old is not None:
                old.cancel()
            if plan is not None and not self._closed:
                self._ahead = toolchain.CompileAhead(plan, name, cwd=self.workdir, memory=self.limits.memory)
        except OSError:  # no FIFO here, no processes: the cell compiles as usual
            log.debug("cc1 was not started ahead", exc_info=True)
        finally:
            self._ahead_lock.release()

    def _take_ahead(self, name: str, plan: toolchain.CompilePlan | None) -> toolchain.CompileAhead | None:
        """The cc1 | as started for unit `name`, if they compile it as `plan` says."""
        with self._ahead_lock:
            self._compiled.add(name)  # a FIFO made now at its path would be read by its cc1
            ahead = self._ahead
            if ahead is None or ahead.stem != name:
                return None
            self._ahead = None
        if not ahead.compiles(name, plan, self.limits.memory):
            ahead.cancel()
            return None
        return ahead

    def close(self) -> None:
        """End what waits for a unit (at the kernel's shutdown)."""
        with self._ahead_lock:
            self._closed = True
            ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.cancel()

    def preprocess(self, text: str) -> str | None:
        """C text through the preprocessor with the cells' flags (None if it fails)."""
        try:
            proc = self._gcc([self.gcc, *self.flags(), "-E", "-P", "-x", "c", "-"], input=text)
        except CompileError:
            return None
        return proc.stdout if proc.returncode == 0 else None

    def macro_lines(self, text: str) -> dict[str, str]:
        """The `#define` line of each macro defined at the end of `text` (gcc -dM)."""
        try:
            proc = self._gcc([self.gcc, *self.flags(), "-E", "-dM", "-x", "c", "-"], input=text)
        except CompileError:
            return {}
        if proc.returncode != 0:
            return {}
        return {m.group(1): m.group(0) for m in _DEFINE_LINE.finditer(proc.stdout)}

    def assemble(self, name: str, asm: str) -> Path:
        """An object from assembly text (trampolines)."""
        src = self.workdir / f"{name}.s"
        obj = self.workdir / f"{name}.o"
        src.write_text(asm)
        try:
            proc = toolchain.run([self.gcc, "-c", "-o", str(obj), str(src)])
        except toolchain.ToolTimeout as e:
            raise CompileError(str(e)) from None
        if proc.returncode != 0:
            raise CompileError(proc.stderr.strip(), proc.stderr)
        return obj

    def start_link(
        self, obj: Path, wrap: Iterable[str] = (), extra: Iterable[Path] = (), runtime: bool = False
    ) -> toolchain.Started:
        """Start linking a cell's shared object; calls to each `wrap` name go to
        its trampoline.  `runtime`: the cell needs gcc's static runtime archives
        (`__dso_handle` is the program's: handlers run at exit)."""
        so = obj.with_suffix(".so")
        flags = [f"--wrap={name}" for name in wrap]
        archives = list(static_runtime(self.gcc)[0]) if runtime else []
        if archives:
            flags.append("--defsym=__dso_handle=0")
        if self.ld:
            # -Bsymbolic: the cell's own symbols need no search through every
            # loaded cell; two segments: fewer mappings, cheaper snapshots.
            # --eh-frame-hdr (gcc's driver passes it): unwinders find the cell's CFI
            # (a crash's traceback, backtrace(), _Unwind_*).
            argv = [self.ld, "-shared", "-Bsymbolic", "--eh-frame-hdr", "-z", "noseparate-code", "-z", "norelro"]
            argv += flags
        else:
            argv = [self.gcc, "-shared", "-nostdlib", *(f"-Wl,{f}" for f in flags)]
        argv += ["-o", str(so), str(obj), *map(str, extra), *archives]
        return toolchain.start(argv, self.timeout())

    def finish_link(self, link: toolchain.Started, obj: Path) -> Path:
        try:
            proc = link.finish()
        except toolchain.ToolTimeout as e:
            raise _timed_out(e.tool, e.timeout) from None
        if proc.returncode != 0:
            raise CompileError(names.shown(proc.stderr.strip()), proc.stderr)
        return obj.with_suffix(".so")

    def link(self, obj: Path, wrap: Iterable[str] = (), extra: Iterable[Path] = (), runtime: bool = False) -> Path:
        return self.finish_link(self.start_link(obj, wrap, extra, runtime), obj)
