"""What every family of magics shares: the interface to the interpreter and
the frontend, option parsing, and the helpers of magics that run C."""

from __future__ import annotations

import argparse
import math
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .. import names
from ..diagnostics import caret_line, cell_place, source_quote
from ..executor import Handlers
from ..result import CellResult

if TYPE_CHECKING:
    from . import Magics

SANITIZE_FLAGS = {
    "undefined": ["-fsanitize=undefined", "-fno-sanitize-recover=all"],
    "address": ["-fsanitize=address", "-fno-omit-frame-pointer"],
}
_REPORT_START = re.compile(r"^(?:\S*:\d+:\d+: runtime error: |==\d+==ERROR: |={40,}\s*$)", re.M)


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


def without_inserted(result: CellResult, code: str, snippets: list[str]) -> CellResult:
    """A compile error's diagnostics without the code a magic inserted into the
    user's lines: quoted lines, carets and columns as the user wrote them."""
    lines = code.split("\n")
    quoted = [names.shown(s) for s in snippets]  # diagnostics drop our asm labels
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    for line in result.traceback:
        place = cell_place(line)
        if place and 0 < place[1] <= len(lines):
            cell, number, col, end = place
            here = _spans(lines[number - 1], snippets)
            col -= sum(min(b, col - 1) - a for a, b in here if a < col - 1)
            line = f"{cell}:{number}:{col}:" + line[end:]
        q = source_quote(line)
        c = caret_line(line)
        if q and 0 < q[1] <= len(lines):
            head, number, text = q
            line = head + _cut(text, _spans(text, quoted))
            spans = _spans(lines[number - 1], snippets)  # carets follow gcc's own text
        elif c and spans:
            head, text = c
            text = text.ljust(max((b for _, b in spans), default=0))
            line = (head + _cut(text, spans)).rstrip()
        else:
            spans = [] if not c else spans
        out.append(line)
    return CellResult(False, ename=result.ename, evalue=result.evalue, traceback=out, warnings=result.warnings)


@dataclass(frozen=True)
class MagicResult:
    """What a magic did: the cell's result (None: the magic has none of its
    own), and whether it consumed the rest of the cell (ran it, or the cell
    ends at the magic).  A failed result ends the cell either way."""

    result: CellResult | None = None
    consumed: bool = False


# A magic's method: (args, the rest of the cell or the body, label, handlers) -> what it did.
Magic = Callable[[str, str, str, Handlers], MagicResult]


class MagicFamily:
    """A family of magics: its methods `line_NAME(args, rest, label, handlers)`
    (`rest`: the cell's lines after the magic's, blank lines before them so
    that line numbers stay the cell's) and
    `cell_NAME(args, body, label, handlers)` return a `MagicResult`; a cell
    magic always consumes the cell.  They reach the program through the
    interpreter and the frontend only through the cell's `Handlers`
    (`print`, `send_display`)."""

    def __init__(self, magics: Magics):
        self.magics = magics

    @property
    def interpreter(self):
        return self.magics.interpreter

    def print(self, text: str) -> None:
        self.magics.print(text)

    def send_display(self, data: dict) -> None:
        self.magics.send_display(data)

    def execute(self, *args, **kwargs):
        return self.magics.execute(*args, **kwargs)


class UsageError(Exception):
    """A magic's arguments are wrong: the dispatcher shows the message as the cell's UsageError."""


def split_args(magic: str, args: str) -> list[str]:
    """A magic's arguments as words (shlex, never a shell); unbalanced quotes are a UsageError."""
    try:
        return shlex.split(args)
    except ValueError as e:
        raise UsageError(f"{magic}: {e}") from None


class ArgumentParser(argparse.ArgumentParser):
    """argparse for a magic: raises `UsageError` (with the usage line) instead of printing and exiting."""

    def __init__(self, magic: str, usage: str):
        super().__init__(prog=magic, add_help=False)
        self.magic, self.usage_line = magic, usage

    def error(self, message: str):
        raise UsageError(f"{self.magic}: {message}; usage: {self.usage_line}")

    def parse_leading(self, args: str, option: re.Pattern[str]) -> tuple[argparse.Namespace, str]:
        """The options that lead `args` (`-n 5 -r3 CODE`: each a match of
        `option`, flag and value) and the C code after them."""
        tokens: list[str] = []
        pos = 0
        while m := option.match(args, pos):
            tokens += [m.group(1), m.group(2)]
            pos = m.end()
        return self.parse_args(tokens), args[pos:]

    def parse(self, args: str) -> argparse.Namespace:
        """The options of `args`, split like a shell's words (without one)."""
        return self.parse_args(split_args(self.magic, args))


@cache
def template_flags(path: Path) -> tuple[str, ...]:
    """The macros of a C template (templates/*.h) as gcc -D flags, for a magic's cell."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S).replace("\\\n", " ")
    flags = []
    for line in text.splitlines():
        m = re.match(r"#define\s+(\w+(?:\([^)]*\))?)\s*(.*)", line)
        if m:
            flags.append(f"-D{m.group(1)}={' '.join(m.group(2).split())}")
    return tuple(flags)


def format_time(seconds: float, precision: int = 3) -> str:
    """`1.23 ms`: a duration the way IPython's %time and %timeit print it."""
    if seconds >= 60.0:
        minutes, rest = divmod(seconds, 60.0)
        return f"{int(minutes)}min {rest:.{precision}g} s"
    units = ["s", "ms", "µs", "ns"]
    order = min(-int(math.floor(math.log10(seconds)) // 3), 3) if seconds > 0 else 3
    return f"{seconds * 10 ** (3 * order):.{precision}g} {units[order]}"


class Capture:
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
        self.handlers = Handlers(output=self.output, display=self.display, input=handlers.input, bundle=handlers.bundle)

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
