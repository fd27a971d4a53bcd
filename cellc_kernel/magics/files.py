"""Magics for files: %%file, %export."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from .. import toolchain
from ..compile import COMPILE_TIMEOUT
from ..executor import Handlers
from ..export import FileRecord, export_program
from ..result import CellResult, error
from .base import ArgumentParser, MagicFamily, MagicResult


class FileMagics(MagicFamily):
    # -- %%file ----------------------------------------------------------------------
    def cell_file(self, args: str, body: str, label: str, handlers: Handlers) -> MagicResult:
        """%%file [-a] NAME: write the cell to file NAME in the kernel's directory (-a: append)."""
        parser = ArgumentParser("%%file", "%%file [-a] NAME")
        parser.add_argument("-a", dest="append", action="store_true")
        parser.add_argument("name")
        options = parser.parse(args)
        append, name = options.append, options.name
        path = Path(self.interpreter.cwd) / os.path.expanduser(name)
        verb = "Appending to" if append else ("Overwriting" if path.exists() else "Writing")
        text = body if body.endswith("\n") or not body else body + "\n"
        try:
            with open(path, "a" if append else "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(text)
        except OSError as e:
            return MagicResult(error("FileError", f"%%file {name}: {e.strerror}"), consumed=True)
        self.interpreter.add_record(FileRecord(label, name, text, append))
        self.print(f"{verb} {name}")
        return MagicResult(CellResult(True), consumed=True)

    # -- %export ------------------------------------------------------------------------
    def line_export(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%export [-o PROGRAM] [--all] FILE.c: write the program the kernel holds as one C file (-o: build it too).

        The cells that succeeded, in the order they ran, after the last %reset (--all: before it too)."""
        parser = ArgumentParser("%export", "%export [-o PROGRAM] [--all] FILE.c")
        parser.add_argument("-o", dest="program")
        parser.add_argument("--all", action="store_true")  # what ran before a %reset too
        parser.add_argument("file")
        options = parser.parse(args)
        interp = self.interpreter
        path = Path(interp.cwd, os.path.expanduser(options.file))
        name = path.name[:-2] if path.name.endswith(".c") else path.name
        exported = export_program(interp.program, name, list(interp.cflags), since_reset=not options.all)
        try:
            path.write_text(exported.source)
            for header, text in exported.files.items():
                Path(path.parent, header).write_text(text)
        except OSError as e:
            return MagicResult(error("FileError", f"%export {options.file}: {e.strerror}"), consumed=True)
        steps = exported.cells
        self.print(
            f"Wrote {options.file} ({steps} cell{'s' if steps != 1 else ''}); build it with: "
            + shlex.join(exported.command)
        )
        if options.program:
            target = str(Path(interp.cwd, os.path.expanduser(options.program)))
            command = [interp.gcc, *exported.command[1:]]
            command[command.index("-o") + 1] = target
            command[command.index(f"{name}.c")] = str(path)
            try:
                proc = toolchain.run(command, cwd=path.parent, timeout=COMPILE_TIMEOUT)
                failure = proc.stderr.strip() if proc.returncode != 0 else ""
            except toolchain.ToolTimeout as e:
                failure = str(e)
            if failure:
                return MagicResult(
                    error(
                        "CompileError",
                        "the exported program did not build",
                        "the exported program did not build:\n" + failure,
                    ),
                    consumed=True,
                )
            self.print(f"Built {options.program}")
        return MagicResult()
