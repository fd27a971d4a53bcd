"""Timing magics: %time, %%time, %timeit, %%timeit.

The timed code is an ordinary cell with the C of `templates/timing.h`
around the user's statements (given to gcc as -D flags for that cell only);
it reports through `cellc_display` with private MIME types, never mixed with
the program's output."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

from .. import names
from ..executor import Handlers
from ..export import NoteRecord
from ..parse import Splitter
from ..result import CellResult, error
from .base import ArgumentParser, MagicFamily, MagicResult, UsageError, format_time, template_flags, without_inserted

TIMING_MIME = "application/x-cellc-timing"
TIMEIT_MIME = "application/x-cellc-timeit"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "timing.h"

_STAMP = f"{{ {names.STAMP}; }} "
_TIMED_BUFFER = f"long double {names.TIMED_BUFFER}[256]; "
_TIMEIT_OPTION = re.compile(r"\s*(-[nr])\s*(\S+)")


class TimingMagics(MagicFamily):
    # -- timing ------------------------------------------------------------------------
    def line_time(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%time [CODE]: run CODE (the rest of the line and the cell) and print the CPU and wall time it took."""
        line = self.magics.line
        if args.startswith("#"):
            return MagicResult(
                error("UsageError", "%time: put preprocessor lines on a line of their own"), consumed=True
            )
        code = "\n" * (line - 1) + _STAMP + args + rest[line - 1 :]
        return MagicResult(self._timed(code, label, handlers), consumed=True)

    def cell_time(self, args: str, body: str, label: str, handlers: Handlers) -> MagicResult:
        """%%time: run the cell and print the CPU and wall time its statements took."""
        return MagicResult(self._timed(_STAMP + args + "\n" + body, label, handlers), consumed=True)

    def _timed(self, code: str, label: str, handlers: Handlers) -> CellResult:
        """Run `code` (which starts with a clock stamp) with a second stamp after
        its statements and its trailing value, then print the times."""
        parsed = Splitter(self.interpreter.program.is_value_name).split(code)
        data = code.encode("utf-8", "surrogateescape")
        value = parsed.items[-1] if parsed.items and parsed.items[-1].kind == "value" else None
        stamp = _STAMP.encode()
        attempts: list[bytes] = []
        if value is not None:
            expr = data[value.start :].decode("utf-8", "surrogateescape").rstrip()
            if "//" not in expr and "/*" not in expr:
                # Evaluate the value inside the timed region into a buffer typed
                # like it, then show the buffer: the expression runs once.
                flat = " ".join(expr.split())
                timed = f"{{ {names.TIMED_AS}({flat}) = ({expr}); }} {_STAMP}{names.TIMED_AS}({flat})"
                head = data[: value.start].replace(stamp, _TIMED_BUFFER.encode() + stamp, 1)
                attempts.append(head + timed.encode("utf-8", "surrogateescape"))
            # the value's evaluation is not timed (arrays, functions, const values)
            attempts.append(data[: value.start] + stamp + data[value.start :])
        else:
            attempts.append(data + b"\n" + stamp)
        for i, attempt in enumerate(attempts):
            text = attempt.decode("utf-8", "surrogateescape")
            result, stamps = self.execute(text, label, handlers, TIMING_MIME, list(template_flags(TEMPLATES)))
            if result.ok or result.ename != "CompileError" or i == len(attempts) - 1:
                break
        if not result.ok:
            return without_inserted(result, text, [_TIMED_BUFFER, _STAMP])
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

    def line_timeit(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%timeit [-n N] [-r R] STATEMENT: time a statement (see %%timeit); the rest of the cell is not run."""
        options, code = self._timeit_options(args)
        if isinstance(options, CellResult):
            return MagicResult(options, consumed=True)
        return MagicResult(self._timeit(code, options, label, handlers, "\n" * (self.magics.line - 1)), consumed=True)

    def cell_timeit(self, args: str, body: str, label: str, handlers: Handlers) -> MagicResult:
        """%%timeit [-n N] [-r R]: time the cell's statements: mean ± std. dev. per loop over R runs of N loops.

        All runs happen in one process, in the program (globals it changes stay changed).  Without
        -n, N is the first of 1, 2, 5, 10, 20, 50... whose run takes at least 0.2 s; R defaults to 7.
        Declarations in the cell are local to the timed loop; define functions in an earlier cell."""
        options, extra = self._timeit_options(args)
        if isinstance(options, CellResult):
            return MagicResult(options, consumed=True)
        if extra.strip():
            return MagicResult(error("UsageError", f"%%timeit: unexpected arguments {extra!r}"), consumed=True)
        return MagicResult(self._timeit("\n" + body, options, label, handlers, ""), consumed=True)

    @staticmethod
    def _timeit_options(args: str) -> tuple[dict | CellResult, str]:
        """({"n": N, "r": R}, the statement) from `-n N -r R STATEMENT` (`-n5` too)."""
        parser = ArgumentParser("%timeit", "%timeit [-n N] [-r R] STATEMENT")
        parser.add_argument("-n", type=int, default=0)
        parser.add_argument("-r", type=int, default=7)
        try:
            options, code = parser.parse_leading(args, _TIMEIT_OPTION)
        except UsageError as e:
            return error("UsageError", str(e)), ""
        if options.n < 0 or options.r < 1:
            which = "-n" if options.n < 0 else "-r"
            return error("UsageError", f"%timeit: {which} must be positive"), ""
        return {"n": options.n, "r": options.r}, code.strip()

    def _timeit(self, body: str, options: dict, label: str, handlers: Handlers, lead: str) -> CellResult:
        parsed = Splitter(self.interpreter.program.is_value_name).split(body)
        if not parsed.items:
            return error("UsageError", "%timeit: nothing to time")
        kinds = ("include", "define", "undef", "directive", "function", "type", "typedef")
        bad = [it for it in parsed.items if it.kind in kinds]
        if bad:
            what = {"function": "function definitions", "type": "type definitions", "typedef": "typedefs"}.get(
                bad[0].kind, "directives"
            )
            return error("UsageError", f"%timeit times statements; put {what} in an earlier cell (line {bad[0].line})")
        prefix = f"{{ {names.TIMEIT_BEGIN}({options['n']}L); "
        suffix = f"\n; {names.TIMEIT_END}({options['r']}); }}\n"
        code = lead + prefix + body + suffix
        result, runs = self.execute(code, label, handlers, TIMEIT_MIME, list(template_flags(TEMPLATES)))
        if not result.ok:
            return without_inserted(result, code, [prefix])
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
