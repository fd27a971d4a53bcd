"""Magics: `%name args` lines at the top of a cell, `%%name` for the whole cell.

Arguments are split with shlex (never a shell).  Each magic returns a
CellResult (error or output) or lets the rest of the cell run as C.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING

from .executor import Handlers
from .interpreter import CellResult, _error

if TYPE_CHECKING:
    from .kernel import CellcKernel


class Magics:
    """Dispatches magic lines; each `line_NAME`/`cell_NAME` method is a magic."""

    def __init__(self, kernel: CellcKernel):
        self.kernel = kernel

    @property
    def interpreter(self):
        return self.kernel.interpreter

    def names(self) -> list[str]:
        out = [f"%{n[5:]}" for n in dir(self) if n.startswith("line_")]
        out += [f"%%{n[5:]}" for n in dir(self) if n.startswith("cell_")]
        return sorted(out)

    def run(self, code: str, label: str, handlers: Handlers) -> tuple[str, CellResult | None]:
        """Run the magics of a cell; returns (C code left to run, result or None)."""
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
            result, consumed = fn(args.strip(), rest, label, handlers)
            if consumed:
                return "", result
            if result is not None and not result.ok:
                return "", result
        if i == 0:
            return code, None
        rest = "\n".join(lines[i:])
        if not rest.strip():
            return "", CellResult(True)
        return "\n" * i + rest, None  # keep line numbers

    def print(self, text: str) -> None:
        self.kernel.stream("stdout", text if text.endswith("\n") else text + "\n")

    # -- magics -------------------------------------------------------------------
    def line_help(self, args: str, rest: str, label: str, handlers: Handlers):
        """%help: list the magics."""
        lines = ["cellc magics:"]
        for name in self.names():
            fn = getattr(self, ("line_" if name[1] != "%" else "cell_") + name.lstrip("%"))
            doc = (fn.__doc__ or "").strip().splitlines()[0]
            lines.append(f"  {doc}")
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
        bad = [f for f in flags if not f.startswith("-") or f in ("-c", "-o", "-E", "-S", "-shared")]
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
            return _error("UsageError", "gcc rejects these flags", "gcc rejects these flags:\n" + proc.stderr.strip()), True
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
            error = self.interpreter.load_library(name, handlers)
            if error:
                return _error("LibraryError", f"%lib {name}: {error}"), True
        return None, False
