"""What a cell (or a magic) produced, for the Jupyter layer to send."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CellResult:
    """A cell's reply: success with its value and warnings, or an error."""

    ok: bool
    value: tuple[str, str] | None = None  # (text/plain, text/html)
    ename: str = ""
    evalue: str = ""
    traceback: list[str] = field(default_factory=list)
    warnings: str = ""  # compiler warnings of a good cell (stderr)


def error(ename: str, evalue: str, detail: str = "") -> CellResult:
    """A failed cell: `detail` (several lines) is its traceback, else `ename: evalue`."""
    lines = [f"{ename}: {evalue}"] if not detail else detail.splitlines()
    return CellResult(False, ename=ename, evalue=evalue, traceback=lines)


class Rejected(Exception):
    """A cell that cannot run (it does not compile or link): its error, nothing changed."""

    def __init__(self, result: CellResult):
        super().__init__(result.evalue)
        self.result = result
