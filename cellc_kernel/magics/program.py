"""Magics that change the program: %cflags, %lib, %sanitize, %reset, %undo."""

from __future__ import annotations

from .. import toolchain
from ..compile import flag_problems
from ..executor import Handlers
from ..export import LibRecord
from ..persist import LoadError
from ..result import error
from .base import SANITIZE_FLAGS, MagicFamily, MagicResult, split_args


class ProgramMagics(MagicFamily):
    def line_cflags(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%cflags [FLAGS...]: show or set gcc flags for later cells (e.g. %cflags -O2 -Wextra)."""
        interp = self.interpreter
        if not args:
            self.print(" ".join(interp.cflags))
            return MagicResult()
        flags = split_args("%cflags", args)
        takes_argument = (
            "-I",
            "-D",
            "-U",
            "-include",
            "-isystem",
            "-iquote",
            "-idirafter",
            "-x",
            "-o",
            "-MF",
            "-MT",
            "-MQ",
        )
        words = [
            f for i, f in enumerate(flags) if not f.startswith("-") and (i == 0 or flags[i - 1] not in takes_argument)
        ]
        if words:
            return MagicResult(
                error("UsageError", f"%cflags: not a compile flag here: {' '.join(words)}"), consumed=True
            )
        problems = flag_problems([f for i, f in enumerate(flags) if i == 0 or flags[i - 1] not in takes_argument])
        if problems:
            return MagicResult(
                error("UsageError", "%cflags: a notebook cannot take " + "; ".join(problems)), consumed=True
            )
        try:
            proc = toolchain.run([interp.gcc, *flags, "-fsyntax-only", "-x", "c", "-"], input="int cellc_flag_check;\n")
            rejected = proc.stderr.strip() if proc.returncode != 0 else ""
        except toolchain.ToolTimeout as e:
            rejected = str(e)
        if rejected:
            return MagicResult(
                error("UsageError", "gcc rejects these flags", "gcc rejects these flags:\n" + rejected), consumed=True
            )
        interp.set_cflags(flags)
        return MagicResult()

    def line_lib(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%lib NAME|PATH...: load a shared library (e.g. %lib sqlite3) for later cells."""
        specs = split_args("%lib", args)
        if not specs:
            shown = "\n".join(self.interpreter.libraries) or "(no libraries loaded)"
            self.print(shown)
            return MagicResult()
        for name in specs:
            failed = self.interpreter.load_library(name, handlers, label)
            if failed:
                return MagicResult(error("LibraryError", f"%lib {name}: {failed}"), consumed=True)
            self.interpreter.add_record(LibRecord(label, name))
        return MagicResult()

    # -- %undo / %reset -------------------------------------------------------------
    def line_undo(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%undo [N]: roll back the last N cells (default 1): their state, definitions and redefinitions."""
        try:
            count = int(args) if args else 1
        except ValueError:
            return MagicResult(error("UsageError", "%undo takes a number of cells"), consumed=True)
        interp = self.interpreter
        undone: list[str] = []
        for _ in range(max(count, 1)):
            before = interp.program
            step = interp.undo()
            if isinstance(step, str):
                if not undone:
                    return MagicResult(error("UndoError", step), consumed=True)
                self.print(f"Undid {'; '.join(undone)}. {step}")
                return MagicResult()
            changes = self._changes(before, interp.program)
            undone.append(step.label + (f" ({changes})" if changes else ""))
        self.print("Undid " + "; ".join(undone) + ". The program is as it was before.")
        return MagicResult()

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

    def line_reset(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%reset: a fresh program in the same kernel (every definition and all state are dropped)."""
        asan = "address" in self.magics.sanitizers()
        self.interpreter.end_program(handlers)  # atexit handlers and destructors run, in this cell
        try:
            self.magics.restart(asan=asan)
        except RuntimeError as e:
            return MagicResult(error("ResetError", str(e)), consumed=True)
        self.print("The program was reset: nothing is defined.")
        return MagicResult()

    # -- %sanitize ----------------------------------------------------------------------
    def line_sanitize(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%sanitize address|undefined|off: build later cells with ASan/UBSan; their reports become the cell's error."""
        interp = self.interpreter
        words = args.replace(",", " ").split()
        if not words:
            modes = self.magics.sanitizers()
            self.print("sanitizers: " + (", ".join(modes) if modes else "off"))
            return MagicResult()
        if any(w not in ("address", "undefined", "off") for w in words) or ("off" in words and len(words) > 1):
            return MagicResult(error("UsageError", "usage: %sanitize address|undefined|off"), consumed=True)
        base = [f for f in interp.cflags if not any(f in fl for fl in SANITIZE_FLAGS.values())]
        if words == ["off"]:
            interp.set_cflags(base)
            self.print("sanitizers: off")
            return MagicResult()
        restarts = "address" in words and not interp.defines("__asan_init")
        carried = self.magics.persistence.saved() if restarts and interp.has_state() else None
        interp.set_cflags(base + [f for w in words for f in SANITIZE_FLAGS[w]])
        problem = self.magics.ensure_runtimes(self.magics.sanitizers(), handlers, restart=True)
        if problem is not None:
            interp.set_cflags(base)
            return MagicResult(problem, consumed=True)
        notes = []
        if carried is not None:  # the program goes on in the new process, its cells rebuilt with ASan
            flags = list(interp.cflags)
            try:
                said = self.magics.persistence.rebuild(carried, "the program", label, handlers, flags)
                notes = ["the program was restarted with ASan's runtime, its cells rebuilt with it", *said[1:]]
            except LoadError as e:
                interp.reset()
                interp.set_cflags(flags)
                notes = [f"the program was restarted with ASan's runtime; it could not be rebuilt ({e}): it is empty"]
        self.print("sanitizers: " + ", ".join(words) + "".join(f"\nnote: {n}" for n in notes))
        return MagicResult()
