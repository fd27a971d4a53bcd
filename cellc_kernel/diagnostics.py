"""gcc's messages, read in one place.

gcc runs with LC_ALL=C (toolchain.py) and `-fmessage-length=0`, so each
message is one line, `FILE:LINE:COL: SEVERITY: MESSAGE`, in English with
plain quotes, followed by the lines that belong to it (the source line gcc
quotes, its carets, fix-it hints); context lines ("In function 'f':", "In
file included from ...") stand alone.  `parse` turns that text into
`Diagnostic`s, and every reader of gcc's output (compile.py's cleaning,
batch.py's share of each cell, retry.py's table, the interpreter's implicit
declarations, %time's columns) works on those instead of matching the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import names

_HEADER = re.compile(
    r"^(?P<file>[^:\n]+):(?:(?P<line>\d+):(?:(?P<column>\d+):)?)? "
    r"(?P<severity>fatal error|error|warning|note): (?P<message>.*)$"
)
INCLUDED = ("In file included from", "                 from")  # the chain of includes before a message
_COMMAND_LINE = "<command-line>:"  # messages about -D and -U flags
_IN_FUNCTION = re.compile(r"^[^ ].*: In (function|top-level)")
_IMPLICIT = re.compile(r"implicit declaration of function '(\w+)'")
_CELL_PLACE = re.compile(rf"^(?P<label>{names.CELL_LABEL}):(?P<line>\d+):(?P<column>\d+):")
_QUOTE = re.compile(r"^(?P<head>\s*(?P<line>\d+) \| )(?P<text>.*)$")
_CARET = re.compile(r"^(?P<head>\s*\| )(?P<text>.*)$")


@dataclass(frozen=True)
class Diagnostic:
    """One message of gcc's, or one context line (`severity` "": "In function 'f':",
    "In file included from x.h:3,", ...), with the lines that follow it."""

    file: str  # a cell's label, a header's path, names.GENERATED_FILE, "<command-line>"; "" for a context line
    line: int | None  # None: a context line, or a message about the whole file ("cc1: warning: ...")
    column: int | None
    severity: str  # "fatal error", "error", "warning", "note", or ""
    message: str  # after "SEVERITY: " (a context line: all of it)
    lines: tuple[str, ...]  # as gcc wrote them: this line, then the quoted source, carets, fix-its

    @property
    def is_error(self) -> bool:
        return self.severity in ("error", "fatal error")

    @property
    def located(self) -> bool:
        """A message at a line of a file (not about the whole file, nor a context line)."""
        return self.line is not None

    @property
    def implicit_function(self) -> str | None:
        """The function gcc declared implicitly (`g` in `return g();`), if that is what this says."""
        m = _IMPLICIT.search(self.message) if self.severity else None
        return m.group(1) if m else None


def parse(stderr: str) -> list[Diagnostic]:
    """gcc's output as its messages and context lines, in order.  A line that
    starts none (indented, or "compilation terminated.") belongs to the one before."""
    heads: list[tuple[re.Match | None, list[str]]] = []
    for text in stderr.splitlines():
        m = _HEADER.match(text)
        if (
            m
            or text.startswith((*INCLUDED, _COMMAND_LINE))
            or not heads
            or _IN_FUNCTION.match(text)
            or (text.endswith(":") and not text.startswith(" "))
        ):
            heads.append((m, [text]))
        else:
            heads[-1][1].append(text)
    out = []
    for m, lines in heads:
        if m is None:
            out.append(Diagnostic("", None, None, "", lines[0], tuple(lines)))
            continue
        line, column = m.group("line"), m.group("column")
        out.append(
            Diagnostic(
                m.group("file"),
                int(line) if line else None,
                int(column) if column else None,
                m.group("severity"),
                m.group("message"),
                tuple(lines),
            )
        )
    return out


def has_errors(stderr: str) -> bool:
    """Whether gcc's output holds an error, not only warnings and notes."""
    return any(d.is_error for d in parse(stderr))


def implicitly_declared(stderr: str) -> set[str]:
    """The functions gcc's messages say it declared implicitly."""
    return {d.implicit_function for d in parse(stderr) if d.implicit_function}


def cell_place(text: str) -> tuple[str, int, int, int] | None:
    """(label, line, column, where the rest begins) of a line that starts at a
    place in a cell, `In[3]:2:5: ...`: gcc's messages, a sanitizer's report."""
    m = _CELL_PLACE.match(text)
    return (m.group("label"), int(m.group("line")), int(m.group("column")), m.end()) if m else None


def source_quote(text: str) -> tuple[str, int, str] | None:
    """(prefix, line, source) of a line where gcc quotes the source, `   12 | int x = y;`."""
    m = _QUOTE.match(text)
    return (m.group("head"), int(m.group("line")), m.group("text")) if m else None


def caret_line(text: str) -> tuple[str, str] | None:
    """(prefix, marks) of the line gcc writes under a quote, `      |     ^~~`."""
    m = _CARET.match(text)
    return (m.group("head"), m.group("text")) if m else None
