"""Magics: `%name args` lines at the top of a cell, `%%name` for the whole cell.

One module per family, as in IPython's `core/magics/`: `program` (%cflags,
%lib, %sanitize, %reset, %undo), `timing` (%time, %timeit), `inspection`
(%help, ?NAME, %whos, %disas, %env, %limits, %debug) and `files` (%%file,
%export).  `Magics` is the registry and dispatcher: it finds a magic by name
among the families' `line_NAME`/`cell_NAME` methods, and runs the C that
magics generate.  Options are parsed with argparse (`base.ArgumentParser`),
words with shlex (never a shell).

Magics that need to run code in the program (%time, %timeit, %env,
%sanitize) generate ordinary C cells and run them through the interpreter,
so they get the same transactions, diagnostics and rollback as user cells.
Generated code talks back through `cellc_display` with private MIME types
rather than stdout, so it is never mixed with (or dropped with) the user's
output.  Magics reach the frontend only through the cell's `Handlers`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, overload

from .. import names, toolchain
from ..executor import Handlers
from ..export import NoteRecord
from ..result import CellResult, error
from .base import SANITIZE_FLAGS, Capture, Magic, UsageError
from .drawing import DrawingMagics
from .files import FileMagics
from .inspection import InspectionMagics
from .persistence import PersistenceMagics
from .program import ProgramMagics
from .timing import TimingMagics

if TYPE_CHECKING:
    from ..interpreter import Interpreter

# Magics with no meaning in a program: %export writes them as comments.
_NOTED = {"save", "whos", "disas", "help", "debug", "limits", "cflags", "sanitize", "undo"}


class Magics:
    """The registry of magics and their dispatcher."""

    def __init__(self, interpreter: Callable[[], Interpreter]):
        self._interpreter = interpreter
        self.handlers = Handlers()  # the running cell's
        self.line = 1  # line of the line magic being run
        self.label_floor = 0  # the kernel's next cells are numbered after this (cells %load rebuilt)
        self.inspection = InspectionMagics(self)
        self.persistence = PersistenceMagics(self)
        self.families = [
            ProgramMagics(self),
            TimingMagics(self),
            self.inspection,
            DrawingMagics(self),
            FileMagics(self),
            self.persistence,
        ]
        self._magics: dict[tuple[str, bool], Magic] = {}
        for family in self.families:
            for attr in dir(family):
                for prefix, cell in (("line_", False), ("cell_", True)):
                    if attr.startswith(prefix):
                        self._magics[(attr[len(prefix) :], cell)] = getattr(family, attr)

    @property
    def interpreter(self) -> Interpreter:
        return self._interpreter()

    def magic(self, name: str, cell: bool = False) -> Magic | None:
        """The method of magic `%name` (`%%name` with `cell`), or None."""
        return self._magics.get((name, cell))

    def names(self) -> list[str]:
        return sorted(("%%" if cell else "%") + name for name, cell in self._magics)

    def run(self, code: str, label: str, handlers: Handlers) -> tuple[str, CellResult | None]:
        """Run the magics of a cell; returns (C code left to run, result or None)."""
        self.handlers = handlers
        query = re.fullmatch(r"\s*(\?\??)\s*((?:(?:struct|union|enum)\s+)?%{0,2}\w+)\s*", code) or re.fullmatch(
            r"\s*((?:(?:struct|union|enum)\s+)?%{0,2}\w+)\s*(\?\??)\s*", code
        )
        if query:
            a, b = query.groups()
            name, marks = (b, a) if a.startswith("?") else (a, b)
            return "", self.inspection.show_help(name, len(marks) - 1)
        stripped = code.lstrip()
        if stripped.startswith("%%"):
            first, _, body = stripped.partition("\n")
            name, _, args = first[2:].partition(" ")
            fn = self.magic(name, cell=True)
            if fn is None:
                return "", error("UsageError", f"unknown cell magic %%{name}; %help lists the magics")
            try:
                return "", fn(args.strip(), body, label, handlers).result  # a cell magic consumes the cell
            except UsageError as e:
                return "", error("UsageError", str(e))
        lines = code.split("\n")
        i = 0
        while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("%")):
            line = lines[i].strip()
            i += 1
            if not line:
                continue
            name, _, args = line[1:].partition(" ")
            fn = self.magic(name)
            if fn is None:
                return "", error("UsageError", f"unknown magic %{name}; %help lists the magics")
            rest = "\n" * i + "\n".join(lines[i:])
            self.line = i  # the magic's own line in the cell
            try:
                magic_result = fn(args.strip(), rest, label, handlers)
            except UsageError as e:
                return "", error("UsageError", str(e))
            result = magic_result.result
            if name in _NOTED and (result is None or result.ok):
                self.interpreter.add_record(NoteRecord(label, f"{line} (in the notebook only)"))
            if magic_result.consumed or (result is not None and not result.ok):
                return "", result
        if i == 0:
            return self._finish(code, label, handlers)
        rest = "\n".join(lines[i:])
        if not rest.strip():
            return "", CellResult(True)
        return self._finish("\n" * i + rest, label, handlers)  # keep line numbers

    def _finish(self, code: str, label: str, handlers: Handlers) -> tuple[str, CellResult | None]:
        """Hand C code back to the kernel, unless sanitizers need us to run it."""
        if not self.sanitizers():
            return code, None
        return "", self.execute(code, label, handlers)

    def print(self, text: str) -> None:
        self.handlers.output("stdout", text if text.endswith("\n") else text + "\n")

    def send_display(self, data: dict) -> None:
        """A display of the magic's own (a table, a help text): `data` is the MIME bundle."""
        self.handlers.bundle(data)

    # -- running C for magics -------------------------------------------------------
    def sanitizers(self) -> list[str]:
        flags = self.interpreter.cflags
        return [mode for mode, fl in SANITIZE_FLAGS.items() if fl[0] in flags]

    @overload
    def execute(self, code: str, label: str, handlers: Handlers) -> CellResult: ...

    @overload
    def execute(
        self, code: str, label: str, handlers: Handlers, mime: str, flags: Sequence[str] = ()
    ) -> tuple[CellResult, list[str]]: ...

    def execute(
        self, code: str, label: str, handlers: Handlers, mime: str = "", flags: Sequence[str] = ()
    ) -> CellResult | tuple[CellResult, list[str]]:
        """Run C code as a cell (with extra gcc `flags` for it alone); with
        sanitizers on, their reports become the cell's error.  With `mime`,
        also returns that MIME type's displays."""
        modes = self.sanitizers()
        capture = Capture(handlers, mime, hold_reports=bool(modes))
        problem = self.ensure_runtimes(modes, capture.handlers) if modes else None
        if problem is not None:
            result = problem
        else:
            interp = self.interpreter
            saved = interp.cflags
            if flags:
                interp.set_cflags([*saved, *flags])
            try:
                result = interp.execute(code, label, capture.handlers)
            finally:
                if flags:
                    interp.set_cflags(saved)
            capture.finish()
            if capture.report:
                if result.ok:
                    capture.handlers.output("stderr", capture.report)
                else:
                    result = self._report_error(capture.report, result)
        return (result, capture.records) if mime else result

    def _report_error(self, report: str, result: CellResult) -> CellResult:
        """The cell's error from a sanitizer report (cell lines, no generated names)."""
        workdir = str(self.interpreter.workdir) + "/"
        lines: list[str] = []
        for line in report.splitlines():
            if line.startswith("Shadow bytes around"):
                break
            if re.fullmatch(r"=+", line.strip()):
                continue
            if re.match(r"^\s*#\d+ ", line) and re.search(r"executor\.c|\bin (main|__libc_start|_start)\b", line):
                continue
            line = line.replace(workdir, "")
            line = re.sub(rf"{names.run('')}\d+", "<cell>", line)
            lines.append(names.shown(line))
        while lines and not lines[-1].strip():
            lines.pop()
        first = next((ln for ln in lines if ln.strip()), "")
        m = re.match(r"^(\S+?):(\d+):\d+: runtime error: (.*)$", first)
        if m:
            ename = "UndefinedBehaviorSanitizer"
            evalue = f"{m.group(3)} ({m.group(1)}, line {m.group(2)})"
        else:
            m = re.search(r"ERROR: (\w+Sanitizer): (.*)$", first)
            ename = m.group(1) if m else "Sanitizer"
            evalue = re.sub(r" at pc 0x\w+ bp 0x\w+ sp 0x\w+", "", m.group(2)) if m else first
            where = next((ln for ln in lines if ln.startswith("SUMMARY:")), "")
            loc = re.search(rf"\b({names.CELL_LABEL}):(\d+)", where)
            if loc:
                evalue += f" ({loc.group(1)}, line {loc.group(2)})"
        # the core's traceback: compiler warnings, what happened, the state; keep warnings and state
        cut = next((i for i, ln in enumerate(result.traceback) if ln.startswith("The program called exit")), None)
        before = result.traceback[:cut] if cut is not None else []
        after = result.traceback[cut + 1 :] if cut is not None else result.traceback
        return CellResult(False, ename=ename, evalue=evalue, traceback=[*before, *lines, *after])

    def ensure_runtimes(self, modes: list[str], handlers: Handlers, restart: bool = False) -> CellResult | None:
        """Load the sanitizer runtimes the flags need into the live program.
        ASan's must be there from the start: a program without it is started
        again with it when it holds nothing yet, or with `restart`."""
        interp = self.interpreter
        if "address" in modes and not interp.defines("__asan_init"):
            if interp.has_state() and not restart:
                return error(
                    "SanitizerError",
                    "the program has no AddressSanitizer runtime",
                    "Cells built with -fsanitize=address need ASan's runtime loaded when the program starts:\n"
                    "run %sanitize address (it restarts the program), or %sanitize off.",
                )
            try:
                self.restart(asan=True)
            except RuntimeError as e:
                return error("SanitizerError", str(e))
        if "undefined" in modes and not interp.defines("__ubsan_handle_add_overflow_abort"):
            path = toolchain.gcc_file(interp.gcc, "-print-file-name=libubsan.so")
            if path is None:
                return error("SanitizerError", "libubsan.so not found (install gcc's libubsan)")
            failed = interp.load_library(path, handlers)
            if failed:
                return error("SanitizerError", f"loading {path}: {failed}")
        return None

    def restart(self, asan: bool) -> None:
        """A fresh program; with `asan`, ASan's runtime is preloaded into it
        (it must come first in the process, before any other library)."""
        interp = self.interpreter
        path = toolchain.gcc_file(interp.gcc, "-print-file-name=libasan.so") if asan else None
        if asan and path is None:
            raise RuntimeError("libasan.so not found (install gcc's libasan)")
        interp.restart(
            {"LD_PRELOAD": path, "ASAN_OPTIONS": "detect_leaks=0:allow_user_segv_handler=1:handle_segv=0"}
            if path
            else {}
        )
