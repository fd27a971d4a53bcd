"""Magics: `%name args` lines at the top of a cell, `%%name` for the whole cell.

Arguments are split with shlex (never a shell).  Each magic returns a
CellResult (error or output) or lets the rest of the cell run as C.

Magics that need to run code in the program (%time, %timeit, %env,
%sanitize) generate ordinary C cells and run them through the interpreter,
so they get the same transactions, diagnostics and rollback as user cells.
Generated code talks back through `cellc_display` with private MIME types
rather than stdout, so it is never mixed with (or dropped with) the user's
output.  This object also sees every cell first, which makes it the natural
place to record the history.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import math
import os
import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from elftools.elf.elffile import ELFFile

from . import complete, crash, values
from .compile import clean_name
from .ctext import c_string
from .executor import Handlers
from .export import EnvRecord, FileRecord, LibRecord, NoteRecord, export_program
from .history import History
from .interpreter import CellResult, _error
from .limits import SNAPSHOT_MARGIN, format_size
from .parse import Splitter

if TYPE_CHECKING:
    from .kernel import CellcKernel

TIMING_MIME = "application/x-cellc-timing"
TIMEIT_MIME = "application/x-cellc-timeit"

# Block-scope declarations bound by asm labels to the C library (and to the
# executor's cellc_display): they never clash with the notebook's own
# declarations or headers, and a notebook function named like a libc one
# (bound to its trampoline) does not capture them.
_C_DECLS = (
    'extern int __cellc_cg(int, long *) __asm__("clock_gettime"); '
    'extern int __cellc_ru(int, long *) __asm__("getrusage"); '
    'extern int __cellc_snp(char *, unsigned long, const char *, ...) __asm__("snprintf"); '
    'extern void __cellc_disp(const char *, const void *, unsigned long) __asm__("cellc_display"); '
)

# A statement that reports the monotonic clock and this process's user/sys CPU
# time.  The generated code reaches gcc as -D macros, so what is inserted into
# the user's lines stays short (diagnostics quote those lines).
_STAMP_DEF = (
    "-D__cellc_stamp={ " + _C_DECLS + "long __cellc_t[2], __cellc_r[18]; char __cellc_b[128]; "
    "__cellc_ru(0, __cellc_r); __cellc_cg(1, __cellc_t); "
    'int __cellc_n = __cellc_snp(__cellc_b, sizeof __cellc_b, "%ld %ld %ld %ld %ld %ld", '
    "__cellc_t[0], __cellc_t[1], __cellc_r[0], __cellc_r[1], __cellc_r[2], __cellc_r[3]); "
    f'__cellc_disp("{TIMING_MIME}", __cellc_b, (unsigned long)__cellc_n); }}'
)
_STAMP = "{ __cellc_stamp; } "

# %timeit: `{ __cellc_timeit_begin(N); BODY ; __cellc_timeit_end(R); }`
_TIMEIT_DEFS = [
    "-D__cellc_timeit_begin(n)=" + _C_DECLS + "long __cellc_t0[2], __cellc_t1[2]; "
    "long __cellc_n = (n); int __cellc_calib = __cellc_n == 0, __cellc_done = 0, __cellc_step = 0; "
    "if (__cellc_calib) __cellc_n = 1; "
    "for (;;) { __cellc_cg(1, __cellc_t0); "
    "for (long __cellc_i = 0; __cellc_i < __cellc_n; __cellc_i++) {",
    "-D__cellc_timeit_end(r)=} __cellc_cg(1, __cellc_t1); "
    "long long __cellc_dt = (__cellc_t1[0] - __cellc_t0[0]) * 1000000000LL + (__cellc_t1[1] - __cellc_t0[1]); "
    "if (__cellc_calib) { if (__cellc_dt < 200000000LL && __cellc_n < 10000000000L) { "
    "__cellc_n = __cellc_step++ % 3 == 1 ? __cellc_n / 2 * 5 : __cellc_n * 2; continue; } "
    "__cellc_calib = 0; } "
    "char __cellc_b[64]; "
    'int __cellc_len = __cellc_snp(__cellc_b, sizeof __cellc_b, "%ld %lld", __cellc_n, __cellc_dt); '
    f'__cellc_disp("{TIMEIT_MIME}", __cellc_b, (unsigned long)__cellc_len); '
    "if (++__cellc_done >= (r)) break; }",
]

# `%time EXPR`: the value is computed between the two stamps into this buffer,
# then shown from it (a -D macro: tree-sitter-c reads no `__typeof__(expr)`).
_TIMED_BUFFER = "long double __cellc_timed[256]; "
_TIMED_AS = (
    "-D__cellc_timed_as(e)=(*(__typeof__(e) *)"
    "(__cellc_timed + 0 * sizeof(char[sizeof(e) <= sizeof __cellc_timed ? 1 : -1])))"
)

_SANITIZE_FLAGS = {
    "undefined": ["-fsanitize=undefined", "-fno-sanitize-recover=all"],
    "address": ["-fsanitize=address", "-fno-omit-frame-pointer"],
}
_REPORT_START = re.compile(r"^(?:\S*:\d+:\d+: runtime error: |==\d+==ERROR: |={40,}\s*$)", re.M)


_LOCATION = re.compile(r"^(?P<label>In\[\d+\]):(?P<line>\d+):(?P<col>\d+):")
_QUOTE = re.compile(r"^(?P<head>\s*(?P<line>\d+) \| )(?P<text>.*)$")
_CARET = re.compile(r"^(?P<head>\s*\| )(?P<text>.*)$")


def _spans(text: str, snippets: list[str]) -> list[tuple[int, int]]:
    """Where the snippets occur in `text`, in order."""
    spans = []
    for snippet in snippets:
        start = 0
        while snippet and (i := text.find(snippet, start)) >= 0:
            spans.append((i, i + len(snippet)))
            start = i + len(snippet)
    return sorted(spans)


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    for a, b in reversed(spans):
        text = text[:a] + text[b:]
    return text


def _without(result: CellResult, code: str, snippets: list[str]) -> CellResult:
    """A compile error's diagnostics without the code a magic inserted into the
    user's lines: quoted lines, carets and columns as the user wrote them."""
    lines = code.split("\n")
    quoted = [clean_name(s) for s in snippets]  # diagnostics drop our asm labels
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    for line in result.traceback:
        m = _LOCATION.match(line)
        if m and 0 < int(m.group("line")) <= len(lines):
            here = _spans(lines[int(m.group("line")) - 1], snippets)
            col = int(m.group("col"))
            col -= sum(min(b, col - 1) - a for a, b in here if a < col - 1)
            line = f"{m.group('label')}:{m.group('line')}:{col}:" + line[m.end() :]
        q = _QUOTE.match(line)
        c = _CARET.match(line)
        if q and 0 < int(q.group("line")) <= len(lines):
            line = q.group("head") + _cut(q.group("text"), _spans(q.group("text"), quoted))
            spans = _spans(lines[int(q.group("line")) - 1], snippets)  # carets follow gcc's own text
        elif c and spans:
            text = c.group("text").ljust(max((b for _, b in spans), default=0))
            line = (c.group("head") + _cut(text, spans)).rstrip()
        else:
            spans = [] if not c else spans
        out.append(line)
    return CellResult(False, ename=result.ename, evalue=result.evalue, traceback=out, warnings=result.warnings)


# Magics with no meaning in a program: %export writes them as comments.
_NOTED = {"whos", "disas", "help", "debug", "limits", "cflags", "sanitize", "undo"}


class _UsageError(Exception):
    pass


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that raises instead of printing and exiting."""

    def error(self, message: str):
        raise _UsageError(message)


def format_time(seconds: float, precision: int = 3) -> str:
    """`1.23 ms`: a duration the way IPython's %time and %timeit print it."""
    if seconds >= 60.0:
        minutes, rest = divmod(seconds, 60.0)
        return f"{int(minutes)}min {rest:.{precision}g} s"
    units = ["s", "ms", "µs", "ns"]
    order = min(-int(math.floor(math.log10(seconds)) // 3), 3) if seconds > 0 else 3
    return f"{seconds * 10 ** (3 * order):.{precision}g} {units[order]}"


def _gcc_file(gcc: str, name: str) -> str | None:
    """Full path of a gcc runtime library (libubsan.so, libasan.so)."""
    try:
        out = subprocess.run([gcc, f"-print-file-name={name}"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return None
    return os.path.realpath(out) if out and os.path.isabs(out) and os.path.exists(out) else None


class _Capture:
    """Handlers that keep the displays of a private MIME type for the magic
    and, while sanitizers are on, hold back a sanitizer's report from stderr
    so it can become the cell's error."""

    def __init__(self, handlers: Handlers, mime: str = "", hold_reports: bool = False):
        self.inner = handlers
        self.mime = mime
        self.records: list[str] = []
        self.hold_reports = hold_reports
        self.report = ""
        self._pending = ""
        self.handlers = Handlers(output=self.output, display=self.display, input=handlers.input)

    def display(self, mime: str, data: bytes) -> None:
        if self.mime and mime == self.mime:
            self.records.append(data.decode("utf-8", "replace"))
        else:
            self.inner.display(mime, data)

    def output(self, name: str, text: str) -> None:
        if name != "stderr" or not self.hold_reports:
            self.inner.output(name, text)
            return
        if self.report:
            self.report += text
            return
        text = self._pending + text
        m = _REPORT_START.search(text)
        if m:
            if m.start():
                self.inner.output(name, text[: m.start()])
            self.report = text[m.start() :]
            self._pending = ""
            return
        # pass on whole lines; a partial line may be the start of a report
        cut = text.rfind("\n") + 1
        if cut:
            self.inner.output(name, text[:cut])
        self._pending = text[cut:]

    def finish(self) -> None:
        if self._pending:
            self.inner.output("stderr", self._pending)
            self._pending = ""


class Magics:
    """Dispatches magic lines; each `line_NAME`/`cell_NAME` method is a magic."""

    def __init__(self, kernel: CellcKernel):
        self.kernel = kernel
        self.history = History()
        self._debug: list | None = None  # [frozen pid, its frames, selected frame] for %debug
        self._line = 1  # line of the line magic being run

    @property
    def interpreter(self):
        return self.kernel.interpreter

    def names(self) -> list[str]:
        out = [f"%{n[5:]}" for n in dir(self) if n.startswith("line_")]
        out += [f"%%{n[5:]}" for n in dir(self) if n.startswith("cell_")]
        return sorted(out)

    # -- bookkeeping ----------------------------------------------------------
    def _record(self, code: str) -> None:
        try:
            content = self.kernel.get_parent("shell").get("content", {})
        except Exception:  # noqa: BLE001 - no parent: not from a request
            content = {}
        silent = content.get("silent", False)
        if content.get("store_history", not silent) and not silent:
            self.history.record(self.kernel.execution_count, code)

    def run(self, code: str, label: str, handlers: Handlers) -> tuple[str, CellResult | None]:
        """Run the magics of a cell; returns (C code left to run, result or None)."""
        self._record(code)
        query = re.fullmatch(r"\s*(\?\??)\s*((?:(?:struct|union|enum)\s+)?%{0,2}\w+)\s*", code) or re.fullmatch(
            r"\s*((?:(?:struct|union|enum)\s+)?%{0,2}\w+)\s*(\?\??)\s*", code
        )
        if query:
            a, b = query.groups()
            name, marks = (b, a) if a.startswith("?") else (a, b)
            return "", self.show_help(name, len(marks) - 1)
        stripped = code.lstrip()
        if stripped.startswith("%%"):
            first, _, body = stripped.partition("\n")
            name, _, args = first[2:].partition(" ")
            fn: Callable | None = getattr(self, f"cell_{name}", None)
            if fn is None:
                return "", _error("UsageError", f"unknown cell magic %%{name}; %help lists the magics")
            return "", fn(args.strip(), body, label, handlers)
        lines = code.split("\n")
        i = 0
        while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("%")):
            line = lines[i].strip()
            i += 1
            if not line:
                continue
            name, _, args = line[1:].partition(" ")
            fn = getattr(self, f"line_{name}", None)
            if fn is None:
                return "", _error("UsageError", f"unknown magic %{name}; %help lists the magics")
            rest = "\n" * i + "\n".join(lines[i:])
            self._line = i  # the magic's own line in the cell
            result, consumed = fn(args.strip(), rest, label, handlers)
            if name in _NOTED and (result is None or result.ok):
                self.interpreter.add_record(NoteRecord(label, f"{line} (in the notebook only)"))
            if consumed:
                return "", result
            if result is not None and not result.ok:
                return "", result
        if i == 0:
            return self._finish(code, label, handlers)
        rest = "\n".join(lines[i:])
        if not rest.strip():
            return "", CellResult(True)
        return self._finish("\n" * i + rest, label, handlers)  # keep line numbers

    def _finish(self, code: str, label: str, handlers: Handlers) -> tuple[str, CellResult | None]:
        """Hand C code back to the kernel, unless sanitizers need us to run it."""
        if not self._sanitizers():
            return code, None
        return "", self.execute(code, label, handlers)

    def print(self, text: str) -> None:
        self.kernel.stream("stdout", text if text.endswith("\n") else text + "\n")

    def send_display(self, data: dict) -> None:
        self.kernel.send_response(
            self.kernel.iopub_socket, "display_data", {"data": data, "metadata": {}, "transient": {}}
        )

    # -- running C for magics -------------------------------------------------------
    def _sanitizers(self) -> list[str]:
        flags = self.interpreter.compiler.cflags
        return [mode for mode, fl in _SANITIZE_FLAGS.items() if fl[0] in flags]

    def execute(
        self, code: str, label: str, handlers: Handlers, mime: str = "", flags: list[str] = ()
    ) -> CellResult | tuple[CellResult, list[str]]:
        """Run C code as a cell (with extra gcc `flags` for it alone); with
        sanitizers on, their reports become the cell's error.  With `mime`,
        also returns that MIME type's displays."""
        modes = self._sanitizers()
        capture = _Capture(handlers, mime, hold_reports=bool(modes))
        problem = self._ensure_runtimes(modes, capture.handlers) if modes else None
        if problem is not None:
            result = problem
        else:
            compiler = self.interpreter.compiler
            saved = compiler.cflags
            compiler.cflags = [*saved, *flags]
            try:
                result = self.interpreter.execute(code, label, capture.handlers)
            finally:
                compiler.cflags = saved
            capture.finish()
            if capture.report:
                if result.ok:
                    self.kernel.stream("stderr", capture.report)
                else:
                    result = self._report_error(capture.report, result)
        return (result, capture.records) if mime else result

    def _report_error(self, report: str, result: CellResult) -> CellResult:
        """The cell's error from a sanitizer report (cell lines, no generated names)."""
        workdir = str(self.interpreter.compiler.workdir) + "/"
        lines: list[str] = []
        for line in report.splitlines():
            if line.startswith("Shadow bytes around"):
                break
            if re.fullmatch(r"=+", line.strip()):
                continue
            if re.match(r"^\s*#\d+ ", line) and re.search(
                r"executor\.c|__cellc_entry_|\bin (main|__libc_start|_start)\b", line
            ):
                continue
            line = line.replace(workdir, "")
            line = re.sub(r"__cellc_run_\d+", "<cell>", line)
            lines.append(clean_name(line))
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
            loc = re.search(r"\b(In\[\d+\]):(\d+)", where)
            if loc:
                evalue += f" ({loc.group(1)}, line {loc.group(2)})"
        # the core's traceback: compiler warnings, what happened, the state; keep warnings and state
        cut = next((i for i, ln in enumerate(result.traceback) if ln.startswith("The program called exit")), None)
        before = result.traceback[:cut] if cut is not None else []
        after = result.traceback[cut + 1 :] if cut is not None else result.traceback
        return CellResult(False, ename=ename, evalue=evalue, traceback=[*before, *lines, *after])

    def _ensure_runtimes(self, modes: list[str], handlers: Handlers) -> CellResult | None:
        """Load the sanitizer runtimes the flags need into the live program."""
        interp = self.interpreter
        if "address" in modes and not interp.executor.defines("__asan_init"):
            if interp.undo_steps or interp.program.cells:
                return _error(
                    "SanitizerError",
                    "the program has no AddressSanitizer runtime",
                    "Cells built with -fsanitize=address need ASan's runtime loaded when the program starts:\n"
                    "run %sanitize address (it restarts the program), or %sanitize off.",
                )
            try:
                self._restart(asan=True)
            except RuntimeError as e:
                return _error("SanitizerError", str(e))
        if "undefined" in modes and not interp.executor.defines("__ubsan_handle_add_overflow_abort"):
            path = _gcc_file(interp.compiler.gcc, "libubsan.so")
            if path is None:
                return _error("SanitizerError", "libubsan.so not found (install gcc's libubsan)")
            error = interp.load_library(path, handlers)
            if error:
                return _error("SanitizerError", f"loading {path}: {error}")
        return None

    def _restart(self, asan: bool) -> None:
        """A fresh program; with `asan`, ASan's runtime is preloaded into it
        (it must come first in the process, before any other library)."""
        interp = self.interpreter
        path = _gcc_file(interp.compiler.gcc, "libasan.so") if asan else None
        if asan and path is None:
            raise RuntimeError("libasan.so not found (install gcc's libasan)")
        interp.executor_env = (
            {"LD_PRELOAD": path, "ASAN_OPTIONS": "detect_leaks=0:allow_user_segv_handler=1:handle_segv=0"}
            if path
            else {}
        )
        interp.reset()

    # -- help ------------------------------------------------------------------
    def show_help(self, name: str, detail: int = 0) -> CellResult:
        """`?name` / `name?` (`??` for more): what inspection shows, as output."""
        text = None
        if name.startswith("%"):
            kind = "cell_" if name.startswith("%%") else "line_"
            fn = getattr(self, kind + name.lstrip("%"), None)
            if fn is not None:
                text = (fn.__doc__ or "").strip()
        else:
            text = complete.describe(self.interpreter, name, None, detail)
        if text is None:
            self.print(f"Object `{name}` not found.")
        else:
            self.send_display({"text/plain": text, "text/html": f"<pre>{html.escape(text)}</pre>"})
        return CellResult(True)

    # -- magics -------------------------------------------------------------------
    def line_help(self, args: str, rest: str, label: str, handlers: Handlers):
        """%help: list the magics."""
        lines = ["cellc magics:"]
        for name in self.names():
            fn = getattr(self, ("line_" if name[1] != "%" else "cell_") + name.lstrip("%"))
            doc = (fn.__doc__ or "").strip().splitlines()[0]
            lines.append(f"  {doc}")
        lines.append("  ?NAME or NAME? (??: with source): what NAME is, where it was defined, its comment.")
        self.print("\n".join(lines))
        return None, False

    def line_cflags(self, args: str, rest: str, label: str, handlers: Handlers):
        """%cflags [FLAGS...]: show or set gcc flags for later cells (e.g. %cflags -O2 -Wextra)."""
        compiler = self.interpreter.compiler
        if not args:
            self.print(" ".join(compiler.cflags))
            return None, False
        try:
            flags = shlex.split(args)
        except ValueError as e:
            return _error("UsageError", f"%cflags: {e}"), True
        takes_argument = ("-I", "-D", "-U", "-include", "-isystem", "-iquote", "-idirafter", "-x")
        bad = [
            f
            for i, f in enumerate(flags)
            if (not f.startswith("-") and (i == 0 or flags[i - 1] not in takes_argument))
            or f in ("-c", "-o", "-E", "-S", "-shared")
        ]
        if bad:
            return _error("UsageError", f"%cflags: not a compile flag here: {' '.join(bad)}"), True
        proc = subprocess.run(
            [compiler.gcc, *flags, "-fsyntax-only", "-x", "c", "-"],
            input="int cellc_flag_check;\n",
            capture_output=True,
            text=True,
            env=compiler.env,
        )
        if proc.returncode != 0:
            return _error(
                "UsageError", "gcc rejects these flags", "gcc rejects these flags:\n" + proc.stderr.strip()
            ), True
        compiler.cflags = flags
        return None, False

    def line_lib(self, args: str, rest: str, label: str, handlers: Handlers):
        """%lib NAME|PATH...: load a shared library (e.g. %lib sqlite3) for later cells."""
        try:
            names = shlex.split(args)
        except ValueError as e:
            return _error("UsageError", f"%lib: {e}"), True
        if not names:
            shown = "\n".join(self.interpreter.libraries) or "(no libraries loaded)"
            self.print(shown)
            return None, False
        for name in names:
            error = self.interpreter.load_library(name, handlers, label)
            if error:
                return _error("LibraryError", f"%lib {name}: {error}"), True
            self.interpreter.add_record(LibRecord(label, name))
        return None, False

    # -- %whos ------------------------------------------------------------------------
    def symbol_table(self) -> list[tuple[str, str, str, str, str]]:
        """(name, kind, type, defining cell, value) of every notebook symbol."""
        interp = self.interpreter
        program = interp.program
        rows: list[tuple[str, str, str, str, str]] = []
        for f in program.functions.values():
            where = f"{f.label}:{f.line}" + ("" if f.defined else " (declared)")
            rows.append((f.name, "function", " ".join(f.prototype.split()), where, ""))
        for v in program.variables.values():
            ctype = complete.variable_type(interp, v.name)
            tname = values.type_name(ctype) if ctype is not None else " ".join(v.decl.split())
            value = complete.global_value(interp, v.name)
            shown = value[0] if value else ""
            if len(shown) > 60:
                shown = shown[:57] + "..."
            rows.append((v.name, "variable", tname, f"{v.label}:{v.line}", shown))
        for d in program.definitions:
            for kind, name in d.keys:
                text = " ".join(d.text.split())
                if len(text) > 60:
                    text = text[:57] + "..."
                if kind in ("struct", "union", "enum"):
                    rows.append((f"{kind} {name}", kind, text, f"{d.label}:{d.line}", ""))
                elif kind == "typedef":
                    rows.append((name, "typedef", text, f"{d.label}:{d.line}", ""))
                elif kind == "macro":
                    rows.append((name, "macro", text, f"{d.label}:{d.line}", ""))
                elif kind == "const":
                    rows.append((name, "enum constant", text, f"{d.label}:{d.line}", ""))
        return [r for r in rows if not r[0].startswith("__cellc")]

    def line_whos(self, args: str, rest: str, label: str, handlers: Handlers):
        """%whos: a table of the notebook's symbols (name, kind, type, defining cell, value)."""
        rows = self.symbol_table()
        if not rows:
            self.print("The notebook defines nothing yet.")
            return None, False
        header = ("Name", "Kind", "Type", "Cell", "Value")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
        text_lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
        text_lines.append("  ".join("-" * w for w in widths))
        for r in rows:
            text_lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        cells = "".join(f"<th>{h}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td><code>{html.escape(c)}</code></td>" if c else "<td></td>" for c in r) + "</tr>"
            for r in rows
        )
        table = f'<table class="cellc-whos"><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>'
        self.send_display({"text/plain": "\n".join(text_lines), "text/html": table})
        return None, False

    # -- %debug ----------------------------------------------------------------------
    def line_debug(self, args: str, rest: str, label: str, handlers: Handlers):
        """%debug [up|down|frame N|p EXPR]: look around the last crash: its frames, arguments and locals (gdb)."""
        interp = self.interpreter
        if interp.frozen is None:
            self.print("%debug: no crash to look at. A crashed cell is kept for %debug until the next cell runs.")
            return None, True
        pid, crashed, what = interp.frozen
        if self._debug is None or self._debug[0] != pid:
            try:
                frames = crash.debug_frames(pid, interp.workdir, interp.symbolize)
            except FileNotFoundError:
                return _error("DebugError", "%debug needs gdb (Debian: apt-get install gdb)"), True
            except subprocess.TimeoutExpired:
                return _error("DebugError", "%debug: gdb did not answer"), True
            if not frames:
                return _error("DebugError", f"%debug: gdb found no frames in {crashed}"), True
            innermost = next((i for i, f in enumerate(frames) if not f.library), 0)
            self._debug = [pid, frames, innermost]
        _, frames, selected = self._debug
        command, _, operand = args.partition(" ")
        if command in ("p", "print"):
            if not operand.strip() or "\n" in operand:
                return _error("UsageError", "%debug p EXPR: one C expression"), True
            expression = self._notebook_globals(operand.strip(), frames[selected])
            self.print(f"{operand.strip()} = {crash.evaluate(pid, frames[selected], expression)}")
            return None, True
        if command in ("up", "down", "frame"):
            step = {"up": 1, "down": -1}.get(command)
            try:
                target = selected + step if step else int(operand)
            except ValueError:
                return _error("UsageError", "%debug frame N: a frame number"), True
            if not 0 <= target < len(frames):
                return _error("UsageError", f"%debug: no frame #{target} (frames #0 to #{len(frames) - 1})"), True
            self._debug[2] = selected = target
        elif command:
            return _error("UsageError", "%debug [up|down|frame N|p EXPR]"), True
        lines = [f"{crashed} {what}; its process is kept for %debug until the next cell runs."]
        for i, f in enumerate(frames):  # every frame with its arguments and locals
            lines.append(("> " if i == selected else "  ") + f"#{i}  {f.title()}")
            if not command and i != selected and f.variables:
                lines.append("      " + ", ".join(f"{name} = {value}" for name, _, value in f.variables))
        frame = frames[selected]
        lines.append(f"Frame #{selected}: {frame.title()}")
        text = interp.cell_sources.get(frame.file)
        if text and frame.line and 0 < frame.line <= len(text.splitlines()):
            lines.append("    " + text.splitlines()[frame.line - 1].strip())
        for name, is_argument, value in frame.variables:
            lines.append(f"  {name} = {value}" + ("   (argument)" if is_argument else ""))
        if frame.library:
            lines.append("  (a library's code: up goes back to yours)")
        elif not frame.variables:
            lines.append("  (no arguments or locals)")
        self.print("\n".join(lines))
        return None, True

    def _notebook_globals(self, expression: str, frame) -> str:
        """`expression` with the notebook's globals under their symbols, the
        names gdb knows them by (it would take a library's `a` for ours)."""
        variables = self.interpreter.program.variables
        local = {name for name, _, _ in frame.variables}

        def symbol(m: re.Match) -> str:
            v = variables.get(m.group(2)) if m.group(2) not in local else None
            return m.group(1) + (v.symbol if v is not None else m.group(2))

        return re.sub(r"(^|[^\w.>'\"])([A-Za-z_]\w*)\b", symbol, expression)

    # -- %undo / %reset -------------------------------------------------------------
    def line_undo(self, args: str, rest: str, label: str, handlers: Handlers):
        """%undo [N]: roll back the last N cells (default 1): their state, definitions and redefinitions."""
        try:
            count = int(args) if args else 1
        except ValueError:
            return _error("UsageError", "%undo takes a number of cells"), True
        interp = self.interpreter
        undone: list[str] = []
        for _ in range(max(count, 1)):
            before = interp.program
            step = interp.undo()
            if isinstance(step, str):
                if not undone:
                    return _error("UndoError", step), True
                self.print(f"Undid {'; '.join(undone)}. {step}")
                return None, False
            changes = self._changes(before, interp.program)
            undone.append(step.label + (f" ({changes})" if changes else ""))
        self.print("Undid " + "; ".join(undone) + ". The program is as it was before.")
        return None, False

    @staticmethod
    def _changes(new, old) -> str:
        """What rolling back from `new` to `old` changes, in a few words."""
        out: list[str] = []
        for name, f in new.functions.items():
            if name not in old.functions:
                out.append(f"{name} removed")
            elif old.functions[name].label != f.label:
                out.append(f"{name} back to {old.functions[name].label}'s")
        for name, v in new.variables.items():
            if name not in old.variables:
                out.append(f"{name} removed")
            elif old.variables[name].symbol != v.symbol:
                out.append(f"{name} back to {old.variables[name].label}'s")
        old_keys = {k for d in old.definitions for k in d.keys}
        for d in new.definitions:
            for kind, name in d.keys:
                if kind in ("struct", "union", "enum", "typedef", "macro") and (kind, name) not in old_keys:
                    out.append(f"{kind} {name} removed" if kind != "typedef" else f"{name} removed")
        return ", ".join(c for c in out if not c.startswith("__cellc"))

    def line_reset(self, args: str, rest: str, label: str, handlers: Handlers):
        """%reset: a fresh program in the same kernel (every definition and all state are dropped)."""
        asan = "address" in self._sanitizers()
        self.interpreter.end_program(handlers)  # atexit handlers and destructors run, in this cell
        try:
            self._restart(asan=asan)
        except RuntimeError as e:
            return _error("ResetError", str(e)), True
        self.print("The program was reset: nothing is defined.")
        return None, False

    # -- timing ------------------------------------------------------------------------
    def line_time(self, args: str, rest: str, label: str, handlers: Handlers):
        """%time [CODE]: run CODE (the rest of the line and the cell) and print the CPU and wall time it took."""
        line = self._line
        if args.startswith("#"):
            return _error("UsageError", "%time: put preprocessor lines on a line of their own"), True
        code = "\n" * (line - 1) + _STAMP + args + rest[line - 1 :]
        return self._timed(code, label, handlers), True

    def cell_time(self, args: str, body: str, label: str, handlers: Handlers):
        """%%time: run the cell and print the CPU and wall time its statements took."""
        return self._timed(_STAMP + args + "\n" + body, label, handlers)

    def _timed(self, code: str, label: str, handlers: Handlers) -> CellResult:
        """Run `code` (which starts with a clock stamp) with a second stamp after
        its statements and its trailing value, then print the times."""
        parsed = Splitter(self.interpreter.program.is_value_name).split(code)
        data = code.encode("utf-8", "surrogateescape")
        value = parsed.items[-1] if parsed.items and parsed.items[-1].kind == "value" else None
        stamp = _STAMP.encode()
        attempts: list[tuple[bytes, list[str]]] = []  # (code, extra -D flags)
        if value is not None:
            expr = data[value.start :].decode("utf-8", "surrogateescape").rstrip()
            if "//" not in expr and "/*" not in expr:
                # Evaluate the value inside the timed region into a buffer typed
                # like it, then show the buffer: the expression runs once.
                flat = " ".join(expr.split())
                timed = f"{{ __cellc_timed_as({flat}) = ({expr}); }} {_STAMP}__cellc_timed_as({flat})"
                head = data[: value.start].replace(stamp, _TIMED_BUFFER.encode() + stamp, 1)
                attempts.append((head + timed.encode("utf-8", "surrogateescape"), [_TIMED_AS]))
            # the value's evaluation is not timed (arrays, functions, const values)
            attempts.append((data[: value.start] + stamp + data[value.start :], []))
        else:
            attempts.append((data + b"\n" + stamp, []))
        for i, (attempt, flags) in enumerate(attempts):
            text = attempt.decode("utf-8", "surrogateescape")
            result, stamps = self.execute(text, label, handlers, TIMING_MIME, [_STAMP_DEF, *flags])
            if result.ok or result.ename != "CompileError" or i == len(attempts) - 1:
                break
        if not result.ok:
            return _without(result, text, [_TIMED_BUFFER, _STAMP])
        self.interpreter.replace_record(label, lambda r: dataclasses.replace(r, magic="%time"))
        if result.ok and len(stamps) >= 2:
            a = [int(x) for x in stamps[0].split()]
            b = [int(x) for x in stamps[-1].split()]
            wall = (b[0] - a[0]) + (b[1] - a[1]) / 1e9
            user = (b[2] - a[2]) + (b[3] - a[3]) / 1e6
            sys_ = (b[4] - a[4]) + (b[5] - a[5]) / 1e6
            self.print(
                f"CPU times: user {format_time(user)}, sys: {format_time(sys_)}, total: {format_time(user + sys_)}\n"
                f"Wall time: {format_time(wall)}"
            )
        return result

    def line_timeit(self, args: str, rest: str, label: str, handlers: Handlers):
        """%timeit [-n N] [-r R] STATEMENT: time a statement (see %%timeit); the rest of the cell is not run."""
        options, code = self._timeit_options(args)
        if isinstance(options, CellResult):
            return options, True
        return self._timeit(code, options, label, handlers, "\n" * (self._line - 1)), True

    def cell_timeit(self, args: str, body: str, label: str, handlers: Handlers):
        """%%timeit [-n N] [-r R]: time the cell's statements: mean ± std. dev. per loop over R runs of N loops.

        All runs happen in one process, in the program (globals it changes stay changed).  Without
        -n, N is the first of 1, 2, 5, 10, 20, 50... whose run takes at least 0.2 s; R defaults to 7.
        Declarations in the cell are local to the timed loop; define functions in an earlier cell."""
        options, extra = self._timeit_options(args)
        if isinstance(options, CellResult):
            return options
        if extra.strip():
            return _error("UsageError", f"%%timeit: unexpected arguments {extra!r}")
        return self._timeit("\n" + body, options, label, handlers, "")

    @staticmethod
    def _timeit_options(args: str) -> tuple[dict | CellResult, str]:
        options = {"n": 0, "r": 7}
        words = args.split(" ")
        i = 0
        while i < len(words):
            w = words[i]
            if not w:
                i += 1
                continue
            if w in ("-n", "-r") and i + 1 < len(words):
                try:
                    options[w[1]] = int(words[i + 1])
                except ValueError:
                    return _error("UsageError", f"%timeit: {w} takes a number"), ""
                if options[w[1]] < (1 if w == "-r" else 0):
                    return _error("UsageError", f"%timeit: {w} must be positive"), ""
                i += 2
                continue
            break
        return options, " ".join(words[i:])

    def _timeit(self, body: str, options: dict, label: str, handlers: Handlers, lead: str) -> CellResult:
        parsed = Splitter(self.interpreter.program.is_value_name).split(body)
        if not parsed.items:
            return _error("UsageError", "%timeit: nothing to time")
        kinds = ("include", "define", "undef", "directive", "function", "type", "typedef")
        bad = [it for it in parsed.items if it.kind in kinds]
        if bad:
            what = {"function": "function definitions", "type": "type definitions", "typedef": "typedefs"}.get(
                bad[0].kind, "directives"
            )
            return _error("UsageError", f"%timeit times statements; put {what} in an earlier cell (line {bad[0].line})")
        prefix = f"{{ __cellc_timeit_begin({options['n']}L); "
        suffix = f"\n; __cellc_timeit_end({options['r']}); }}\n"
        code = lead + prefix + body + suffix
        result, runs = self.execute(code, label, handlers, TIMEIT_MIME, _TIMEIT_DEFS)
        if not result.ok:
            return _without(result, code, [prefix])
        shown = f"%timeit {body.strip()} (in the notebook only)"
        self.interpreter.replace_record(label, lambda _record: NoteRecord(label, shown))
        if not runs:
            self.print("%timeit: the statements returned before any run finished; nothing was timed.")
            return result
        per_loop = []
        loops = 1
        for rec in runs:
            count, ns = (int(x) for x in rec.split())
            loops = count
            per_loop.append(ns / 1e9 / count)
        mean = math.fsum(per_loop) / len(per_loop)
        std = math.sqrt(math.fsum((x - mean) ** 2 for x in per_loop) / len(per_loop))
        runs_s = "s" if len(per_loop) != 1 else ""
        loops_s = "s" if loops != 1 else ""
        self.print(
            f"{format_time(mean)} ± {format_time(std)} per loop "
            f"(mean ± std. dev. of {len(per_loop)} run{runs_s}, {loops} loop{loops_s} each)"
        )
        return result

    # -- %disas ------------------------------------------------------------------------
    def line_disas(self, args: str, rest: str, label: str, handlers: Handlers):
        """%disas [-M intel] NAME: the assembly of the current body of function NAME, with its source lines."""
        try:
            words = shlex.split(args)
        except ValueError as e:
            return _error("UsageError", f"%disas: {e}"), True
        extra: list[str] = []
        if len(words) >= 3 and words[0] == "-M":
            extra = ["-M", words[1]]
            words = words[2:]
        if len(words) != 1:
            return _error("UsageError", "usage: %disas [-M intel] NAME"), True
        name = words[0]
        f = self.interpreter.program.functions.get(name)
        if f is None or not f.defined:
            return _error("UsageError", f"%disas: no notebook function named {name} has a body"), True
        text = self.disassemble(name, f.label, extra)
        if text is None:
            return _error("DisasError", f"%disas: the object defining {name} ({f.label}) was not found"), True
        self.print(text)
        return None, False

    def disassemble(self, name: str, label: str, extra: list[str]) -> str | None:
        """objdump of `__cellc_impl_N_name` in the cell that defined it,
        with the cell's source lines interleaved (from its DWARF line table)."""
        interp = self.interpreter
        for so, (obj_label, obj) in reversed(list(interp.cell_objects.items())):
            if obj_label != label:
                continue
            number = Path(obj).stem.removeprefix("cell")
            symbol = f"__cellc_impl_{number}_{name}"
            proc = subprocess.run(
                ["objdump", "-d", "--no-show-raw-insn", *extra, f"--disassemble={symbol}", so],
                capture_output=True,
                text=True,
                env={**os.environ, "LC_ALL": "C"},
            )
            if f"<{symbol}>:" not in proc.stdout:
                continue
            rows = _line_rows(so)
            source_path = interp.compiler.workdir / label
            try:
                source = source_path.read_text(errors="replace").splitlines()
            except OSError:
                source = []
            out: list[str] = []
            shown = None
            started = False
            for line in proc.stdout.splitlines():
                if not started:
                    started = line.endswith(f"<{symbol}>:")
                    if started:
                        out.append(clean_name(line))
                    continue
                m = re.match(r"\s*([0-9a-f]+):\t", line)
                if m:
                    where = _row_for(rows, int(m.group(1), 16))
                    if where is not None and where != shown:
                        shown = where
                        file, num = where
                        text = source[num - 1].strip() if file == label and 0 < num <= len(source) else ""
                        out.append(f"{file}:{num}: {text}".rstrip())
                elif not line.strip():
                    continue
                out.append(clean_name(line))
            return "\n".join(out)
        return None

    # -- %export ------------------------------------------------------------------------
    def line_export(self, args: str, rest: str, label: str, handlers: Handlers):
        """%export [-o PROGRAM] [--all] FILE.c: write the program the kernel holds as one C file (-o: build it too).

        The cells that succeeded, in the order they ran, after the last %reset (--all: before it too)."""
        parser = _ArgumentParser(prog="%export", add_help=False)
        parser.add_argument("-o", dest="program")
        parser.add_argument("--all", action="store_true")  # what ran before a %reset too
        parser.add_argument("file")
        try:
            options = parser.parse_args(shlex.split(args))
        except (ValueError, _UsageError) as e:
            return _error("UsageError", f"%export: {e}; usage: %export [-o PROGRAM] [--all] FILE.c"), True
        interp = self.interpreter
        path = Path(interp.cwd, os.path.expanduser(options.file))
        name = path.name[:-2] if path.name.endswith(".c") else path.name
        exported = export_program(interp.program, name, interp.compiler.cflags, since_reset=not options.all)
        try:
            path.write_text(exported.source)
            for header, text in exported.files.items():
                Path(path.parent, header).write_text(text)
        except OSError as e:
            return _error("FileError", f"%export {options.file}: {e.strerror}"), True
        steps = exported.cells
        self.print(
            f"Wrote {options.file} ({steps} cell{'s' if steps != 1 else ''}); build it with: "
            + shlex.join(exported.command)
        )
        if options.program:
            target = str(Path(interp.cwd, os.path.expanduser(options.program)))
            command = [interp.compiler.gcc, *exported.command[1:]]
            command[command.index("-o") + 1] = target
            command[command.index(f"{name}.c")] = str(path)
            proc = subprocess.run(command, capture_output=True, text=True, cwd=path.parent, env=interp.compiler.env)
            if proc.returncode != 0:
                return _error(
                    "CompileError",
                    "the exported program did not build",
                    "the exported program did not build:\n" + proc.stderr.strip(),
                ), True
            self.print(f"Built {options.program}")
        return None, False

    # -- %%file ----------------------------------------------------------------------
    def cell_file(self, args: str, body: str, label: str, handlers: Handlers):
        """%%file [-a] NAME: write the cell to file NAME in the kernel's directory (-a: append)."""
        try:
            words = shlex.split(args)
        except ValueError as e:
            return _error("UsageError", f"%%file: {e}")
        append = "-a" in words
        words = [w for w in words if w != "-a"]
        if len(words) != 1:
            return _error("UsageError", "usage: %%file [-a] NAME")
        path = Path(self.interpreter.cwd) / os.path.expanduser(words[0])
        verb = "Appending to" if append else ("Overwriting" if path.exists() else "Writing")
        text = body if body.endswith("\n") or not body else body + "\n"
        try:
            with open(path, "a" if append else "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(text)
        except OSError as e:
            return _error("FileError", f"%%file {words[0]}: {e.strerror}")
        self.interpreter.add_record(FileRecord(label, words[0], text, append))
        self.print(f"{verb} {words[0]}")
        return CellResult(True)

    # -- %env ---------------------------------------------------------------------------
    def environment(self) -> dict[str, str] | None:
        """The program's environment, read from its `environ` (what getenv sees)."""
        ex = self.interpreter.executor
        try:
            where = ex.address("environ")
            raw = ex.peek(where, 8) if where else None
            if raw is None:
                return None
            table = int.from_bytes(raw, "little")
            out: dict[str, str] = {}
            for i in range(100000):
                p = ex.peek(table + 8 * i, 8)
                if p is None:
                    break
                ptr = int.from_bytes(p, "little")
                if ptr == 0:
                    break
                got = values.read_c_string(ex.peek, ptr, limit=1 << 16)
                if got is None:
                    continue
                name, _, value = got[0].decode("utf-8", "surrogateescape").partition("=")
                out.setdefault(name, value)
            return out
        except Exception:  # noqa: BLE001 - a dead executor: no environment to show
            return None

    def line_limits(self, args: str, rest: str, label: str, handlers: Handlers):
        """%limits: the limits this kernel runs the program under (set by the operator; see the README)."""
        if args:
            return _error("UsageError", "%limits takes no arguments (the operator sets the limits)"), True
        interp = self.interpreter
        rows = interp.limits.describe()
        if interp.limits.memory and "address" in self._sanitizers():
            rows[0] = (rows[0][0], "not applied (AddressSanitizer reserves terabytes)", rows[0][2])
        rows.append(
            (
                "undo snapshots",
                f"at most {interp.executor.max_snapshots}; older ones hold at most {format_size(SNAPSHOT_MARGIN)}"
                f" (undo depth now: {len(interp.undo_steps)})",
                "",
            )
        )
        rows.append(("output per cell", format_size(interp.executor.output_limit), ""))
        width = max(len(what) for what, _, _ in rows)
        self.print("\n".join(f"{what:<{width}}  {value}" + (f"  ({var})" if var else "") for what, value, var in rows))
        return None, False

    def line_env(self, args: str, rest: str, label: str, handlers: Handlers):
        """%env [NAME[=VALUE]] | %env -u NAME: show or set the program's environment variables (what getenv sees)."""
        env = None
        if not args:
            env = self.environment()
            if env is None:
                return _error("EnvError", "the program's environment cannot be read"), True
            self.print("\n".join(f"{k}={v}" for k, v in sorted(env.items())))
            return None, False
        if args.startswith("-u"):
            name = args[2:].strip()
            if not re.fullmatch(r"[^=\s]+", name):
                return _error("UsageError", "usage: %env -u NAME"), True
            call = f"__cellc_unsetenv({c_string(name)})"
            decl = 'extern int __cellc_unsetenv(const char *) __asm__("unsetenv");'
            shown = f"env: {name} unset"
        else:
            m = re.fullmatch(r"([^=\s]+)\s*(?:=\s*|\s+)(.*)", args, re.S)
            if not m:
                env = self.environment() or {}
                if args not in env:
                    return _error("KeyError", f"environment variable {args} is not set"), True
                self.print(env[args])
                return None, False
            name, value = m.group(1), m.group(2)
            call = f"__cellc_setenv({c_string(name)}, {c_string(value)}, 1)"
            decl = 'extern int __cellc_setenv(const char *, const char *, int) __asm__("setenv");'
            shown = f"env: {name}={value}"
        code = "\n" * (self._line - 1) + "{ " + decl + " " + call + "; }"
        result = self.interpreter.execute(code, label, handlers)
        if not result.ok:
            return result, True
        value = None if args.startswith("-u") else m.group(2)
        self.interpreter.replace_record(label, lambda _record: EnvRecord(label, name, value))
        self.print(shown)
        return None, False

    # -- %sanitize ----------------------------------------------------------------------
    def line_sanitize(self, args: str, rest: str, label: str, handlers: Handlers):
        """%sanitize address|undefined|off: build later cells with ASan/UBSan; their reports become the cell's error."""
        compiler = self.interpreter.compiler
        words = args.replace(",", " ").split()
        if not words:
            modes = self._sanitizers()
            self.print("sanitizers: " + (", ".join(modes) if modes else "off"))
            return None, False
        if any(w not in ("address", "undefined", "off") for w in words) or ("off" in words and len(words) > 1):
            return _error("UsageError", "usage: %sanitize address|undefined|off"), True
        base = [f for f in compiler.cflags if not any(f in fl for fl in _SANITIZE_FLAGS.values())]
        if words == ["off"]:
            compiler.cflags = base
            self.print("sanitizers: off")
            return None, False
        notes = []
        interp = self.interpreter
        if "address" in words and not interp.executor.defines("__asan_init"):
            had_state = bool(interp.undo_steps or interp.program.cells)
            try:
                self._restart(asan=True)
            except RuntimeError as e:
                return _error("SanitizerError", str(e)), True
            if had_state:
                notes.append("the program was restarted with ASan's runtime; earlier definitions are gone")
        compiler.cflags = base + [f for w in words for f in _SANITIZE_FLAGS[w]]
        problem = self._ensure_runtimes(self._sanitizers(), handlers)
        if problem is not None:
            compiler.cflags = base
            return problem, True
        self.print("sanitizers: " + ", ".join(words) + "".join(f"\nnote: {n}" for n in notes))
        return None, False


def _line_rows(so_path: str) -> list[tuple[int, str, int]]:
    """(address, file, line) rows of a shared object's DWARF line table, sorted."""
    rows: list[tuple[int, str, int]] = []
    with open(so_path, "rb") as f:
        elf = ELFFile(f)
        if not elf.has_dwarf_info():
            return rows
        dwarf = elf.get_dwarf_info()
        for cu in dwarf.iter_CUs():
            lp = dwarf.line_program_for_CU(cu)
            if lp is None:
                continue
            files = lp["file_entry"]
            version = lp.header["version"]
            for entry in lp.get_entries():
                st = entry.state
                if st is None:
                    continue
                i = st.file if version >= 5 else st.file - 1
                name = files[i].name if 0 <= i < len(files) else b"?"
                name = name.decode() if isinstance(name, bytes) else str(name)
                rows.append((st.address, "" if st.end_sequence else os.path.basename(name), st.line))
    rows.sort(key=lambda r: r[0])
    return rows


def _row_for(rows: list[tuple[int, str, int]], address: int) -> tuple[str, int] | None:
    best = None
    for addr, file, line in rows:
        if addr > address:
            break
        best = (file, line) if file else None
    return best
