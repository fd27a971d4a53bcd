"""Magics that look at the program: %help, ?NAME, %whos, %disas, %env, %limits, %debug."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from .. import crash, introspect, names, objfile, toolchain, values
from ..ctext import c_string
from ..ctype import type_name
from ..executor import Handlers
from ..export import EnvRecord
from ..limits import SNAPSHOT_MARGIN, format_size
from ..model import linked_expression
from ..result import CellResult, error
from .base import ArgumentParser, MagicFamily, MagicResult

if TYPE_CHECKING:
    from . import Magics


class InspectionMagics(MagicFamily):
    def __init__(self, magics: Magics) -> None:
        super().__init__(magics)
        self._debug: list | None = None  # [frozen pid, its frames, selected frame] for %debug

    # -- help ------------------------------------------------------------------
    def show_help(self, name: str, detail: int = 0) -> CellResult:
        """`?name` / `name?` (`??` for more): what inspection shows, as output."""
        text = None
        if name.startswith("%"):
            kind = "cell_" if name.startswith("%%") else "line_"
            fn = self.magics.magic(name.lstrip("%"), cell=kind == "cell_")
            if fn is not None:
                text = (fn.__doc__ or "").strip()
        else:
            text = introspect.describe(self.interpreter, name, None, detail)
        if text is None:
            self.print(f"Object `{name}` not found.")
        else:
            self.send_display({"text/plain": text, "text/html": f"<pre>{html.escape(text)}</pre>"})
        return CellResult(True)

    # -- magics -------------------------------------------------------------------
    def line_help(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%help: list the magics."""
        lines = ["cellc magics:"]
        for name in self.magics.names():
            fn = self.magics.magic(name.lstrip("%"), cell=name.startswith("%%"))
            doc = (fn.__doc__ or "").strip().splitlines()[0]
            lines.append(f"  {doc}")
        lines.append("  ?NAME or NAME? (??: with source): what NAME is, where it was defined, its comment.")
        self.print("\n".join(lines))
        return MagicResult()

    # -- %whos ------------------------------------------------------------------------
    def symbol_table(self) -> list[tuple[str, str, str, str, str]]:
        """(name, kind, type, defining cell, value) of every notebook symbol."""
        interp = self.interpreter
        rows: list[tuple[str, str, str, str, str]] = []
        for sym in interp.program.symbols():
            text = sym.text if len(sym.text) <= 60 else sym.text[:57] + "..."
            where = sym.where + (" (declared)" if sym.declared_only else "")
            if sym.kind == "function":
                rows.append((sym.name, "function", sym.text, where, ""))
            elif sym.kind == "variable":
                ctype = introspect.variable_type(interp, sym.name)
                value = introspect.global_value(interp, sym.name)
                shown = value[0] if value else ""
                shown = shown if len(shown) <= 60 else shown[:57] + "..."
                rows.append((sym.name, "variable", type_name(ctype) if ctype else sym.text, where, shown))
            else:
                rows.append((sym.name, "enum constant" if sym.kind == "const" else sym.kind, text, where, ""))
        return rows

    def line_whos(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%whos: a table of the notebook's symbols (name, kind, type, defining cell, value)."""
        rows = self.symbol_table()
        if not rows:
            self.print("The notebook defines nothing yet.")
            return MagicResult()
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
        return MagicResult()

    # -- %disas ------------------------------------------------------------------------
    def line_disas(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%disas [-M intel] NAME: the assembly of the current body of function NAME, with its source lines."""
        parser = ArgumentParser("%disas", "%disas [-M intel] NAME")
        parser.add_argument("-M", dest="style")
        parser.add_argument("name")
        options = parser.parse(args)
        extra = ["-M", options.style] if options.style else []
        name = options.name
        f = self.interpreter.program.functions.get(name)
        if f is None or not f.defined:
            return MagicResult(
                error("UsageError", f"%disas: no notebook function named {name} has a body"), consumed=True
            )
        try:
            text = self.disassemble(name, f.label, extra)
        except toolchain.ToolTimeout as e:
            return MagicResult(error("DisasError", f"%disas: {e}"), consumed=True)
        if text is None:
            return MagicResult(
                error("DisasError", f"%disas: the object defining {name} ({f.label}) was not found"), consumed=True
            )
        self.print(text)
        return MagicResult()

    def disassemble(self, name: str, label: str, extra: list[str]) -> str | None:
        """objdump of the body of `name` in the cell that defined it,
        with the cell's source lines interleaved (from its DWARF line table)."""
        interp = self.interpreter
        code = interp.cell_code(label)
        if code is None:
            return None
        symbol, so = names.body(code.number, name), code.so
        proc = toolchain.run(["objdump", "-d", "--no-show-raw-insn", *extra, f"--disassemble={symbol}", so])
        if f"<{symbol}>:" not in proc.stdout:
            return None
        source_path = interp.workdir / label
        try:
            source = source_path.read_text(errors="replace").splitlines()
        except OSError:
            source = []
        obj = objfile.open_object(so)
        out: list[str] = []
        shown = None
        started = False
        for line in proc.stdout.splitlines():
            if not started:
                started = line.endswith(f"<{symbol}>:")
                if started:
                    out.append(names.shown(line))
                continue
            m = re.match(r"\s*([0-9a-f]+):\t", line)
            if m:
                where = obj.line_at(int(m.group(1), 16))
                if where is not None and where != shown:
                    shown = where
                    file, num = where
                    text = source[num - 1].strip() if file == label and 0 < num <= len(source) else ""
                    out.append(f"{file}:{num}: {text}".rstrip())
            elif not line.strip():
                continue
            out.append(names.shown(line))
        return "\n".join(out)

    # -- %env ---------------------------------------------------------------------------
    def environment(self) -> dict[str, str] | None:
        """The program's environment, read from its `environ` (what getenv sees)."""
        program = self.interpreter
        try:
            where = program.address("environ")
            raw = program.peek(where, 8) if where else None
            if raw is None:
                return None
            table = int.from_bytes(raw, "little")
            out: dict[str, str] = {}
            for i in range(100000):
                p = program.peek(table + 8 * i, 8)
                if p is None:
                    break
                ptr = int.from_bytes(p, "little")
                if ptr == 0:
                    break
                got = values.read_c_string(program.peek, ptr, limit=1 << 16)
                if got is None:
                    continue
                name, _, value = got[0].decode("utf-8", "surrogateescape").partition("=")
                out.setdefault(name, value)
            return out
        except Exception:  # noqa: BLE001 - a dead executor: no environment to show
            return None

    def line_limits(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%limits: the limits this kernel runs the program under (set by the operator; see docs/operating.md)."""
        if args:
            return MagicResult(
                error("UsageError", "%limits takes no arguments (the operator sets the limits)"), consumed=True
            )
        interp = self.interpreter
        rows = interp.limits.describe()
        if interp.limits.memory and "address" in self.magics.sanitizers():
            rows[0] = (rows[0][0], "not applied (AddressSanitizer reserves terabytes)", rows[0][2])
        rows.append(
            (
                "undo snapshots",
                f"at most {interp.undo_capacity}; older ones hold at most {format_size(SNAPSHOT_MARGIN)}"
                f" (undo depth now: {interp.undo_depth})",
                "",
            )
        )
        rows.append(("output per cell", format_size(interp.process.output_limit), ""))
        width = max(len(what) for what, _, _ in rows)
        self.print("\n".join(f"{what:<{width}}  {value}" + (f"  ({var})" if var else "") for what, value, var in rows))
        return MagicResult()

    def line_env(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%env [NAME[=VALUE]] | %env -u NAME: show or set the program's environment variables (what getenv sees)."""
        env = None
        if not args:
            env = self.environment()
            if env is None:
                return MagicResult(error("EnvError", "the program's environment cannot be read"), consumed=True)
            self.print("\n".join(f"{k}={v}" for k, v in sorted(env.items())))
            return MagicResult()
        if args.startswith("-u"):
            name = args[2:].strip()
            if not re.fullmatch(r"[^=\s]+", name):
                return MagicResult(error("UsageError", "usage: %env -u NAME"), consumed=True)
            call = f"{names.alias('unsetenv')}({c_string(name)})"
            decl = f'extern int {names.alias("unsetenv")}(const char *) __asm__("unsetenv");'
            shown = f"env: {name} unset"
            value: str | None = None
        else:
            m = re.fullmatch(r"([^=\s]+)\s*(?:=\s*|\s+)(.*)", args, re.S)
            if not m:
                env = self.environment() or {}
                if args not in env:
                    return MagicResult(error("KeyError", f"environment variable {args} is not set"), consumed=True)
                self.print(env[args])
                return MagicResult()
            name, value = m.group(1), m.group(2)
            call = f"{names.alias('setenv')}({c_string(name)}, {c_string(value)}, 1)"
            decl = f'extern int {names.alias("setenv")}(const char *, const char *, int) __asm__("setenv");'
            shown = f"env: {name}={value}"
        code = "\n" * (self.magics.line - 1) + "{ " + decl + " " + call + "; }"
        result = self.interpreter.execute(code, label, handlers)
        if not result.ok:
            return MagicResult(result, consumed=True)
        self.interpreter.replace_record(label, lambda _record: EnvRecord(label, name, value))
        self.print(shown)
        return MagicResult()

    # -- %debug ----------------------------------------------------------------------
    def line_debug(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%debug [up|down|frame N|p EXPR]: look around the last crash: its frames, arguments and locals (gdb)."""
        interp = self.interpreter
        if interp.frozen is None:
            self.print("%debug: no crash to look at. A crashed cell is kept for %debug until the next cell runs.")
            return MagicResult(consumed=True)
        pid, crashed, what = interp.frozen
        if self._debug is None or self._debug[0] != pid:
            try:
                frames = crash.debug_frames(pid, interp.workdir, interp.symbolize)
            except FileNotFoundError:
                return MagicResult(error("DebugError", "%debug needs gdb (Debian: apt-get install gdb)"), consumed=True)
            except toolchain.ToolTimeout:
                return MagicResult(error("DebugError", "%debug: gdb did not answer"), consumed=True)
            if not frames:
                return MagicResult(error("DebugError", f"%debug: gdb found no frames in {crashed}"), consumed=True)
            innermost = next((i for i, f in enumerate(frames) if not f.library), 0)
            self._debug = [pid, frames, innermost]
        _, frames, selected = self._debug
        command, _, operand = args.partition(" ")
        if command in ("p", "print"):
            if not operand.strip() or "\n" in operand:
                return MagicResult(error("UsageError", "%debug p EXPR: one C expression"), consumed=True)
            expression = self._notebook_globals(operand.strip(), frames[selected])
            self.print(f"{operand.strip()} = {crash.evaluate(pid, frames[selected], expression)}")
            return MagicResult(consumed=True)
        if command in ("up", "down", "frame"):
            step = {"up": 1, "down": -1}.get(command)
            try:
                target = selected + step if step else int(operand)
            except ValueError:
                return MagicResult(error("UsageError", "%debug frame N: a frame number"), consumed=True)
            if not 0 <= target < len(frames):
                return MagicResult(
                    error("UsageError", f"%debug: no frame #{target} (frames #0 to #{len(frames) - 1})"), consumed=True
                )
            self._debug[2] = selected = target
        elif command:
            return MagicResult(error("UsageError", "%debug [up|down|frame N|p EXPR]"), consumed=True)
        lines = [f"{crashed} {what}; its process is kept for %debug until the next cell runs."]
        for i, f in enumerate(frames):  # every frame with its arguments and locals
            lines.append(("> " if i == selected else "  ") + f"#{i}  {f.title()}")
            if not command and i != selected and f.variables:
                lines.append("      " + ", ".join(f"{name} = {value}" for name, _, value in f.variables))
        frame = frames[selected]
        lines.append(f"Frame #{selected}: {frame.title()}")
        text = interp.cell_source(frame.file)
        if text and frame.line and 0 < frame.line <= len(text.splitlines()):
            lines.append("    " + text.splitlines()[frame.line - 1].strip())
        for name, is_argument, value in frame.variables:
            lines.append(f"  {name} = {value}" + ("   (argument)" if is_argument else ""))
        if frame.library:
            lines.append("  (a library's code: up goes back to yours)")
        elif not frame.variables:
            lines.append("  (no arguments or locals)")
        self.print("\n".join(lines))
        return MagicResult(consumed=True)

    def _notebook_globals(self, expression: str, frame) -> str:
        """`expression` with the notebook's names as gdb knows them (the frame's locals shadow them)."""
        return linked_expression(self.interpreter.program, expression, {name for name, _, _ in frame.variables})
