"""This session's cells, for history_request (tail, range, search).

The kernel keeps the inputs in memory: a C notebook's history is short and
belongs to one session, and a database would outlive the program it
describes.  Entries are (session, line, input) with line = execution count.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

SESSION = 1  # the only session this kernel knows: its own


@dataclass
class History:
    """Inputs of the cells run with store_history, in order."""

    entries: list[tuple[int, str]] = field(default_factory=list)  # (line, input)
    outputs: dict[int, str] = field(default_factory=dict)  # line -> text/plain of the result

    def record(self, line: int, source: str) -> None:
        self.entries.append((line, source))

    def set_output(self, line: int, text: str) -> None:
        self.outputs[line] = text

    def _rows(self, rows: list[tuple[int, str]], output: bool) -> list[tuple]:
        if output:
            return [(SESSION, line, (source, self.outputs.get(line))) for line, source in rows]
        return [(SESSION, line, source) for line, source in rows]

    @staticmethod
    def _current(session: int | None) -> bool:
        return session in (None, 0, SESSION)

    def tail(self, n: int | None, output: bool = False) -> list[tuple]:
        rows = self.entries if not n else self.entries[-n:]
        return self._rows(rows, output)

    def range(self, session: int | None, start: int | None, stop: int | None, output: bool = False) -> list[tuple]:
        """Lines start..stop-1 of a session (IPython's convention; stop None: to the end)."""
        if not self._current(session):
            return []
        lo = 1 if start is None else start
        rows = [(line, src) for line, src in self.entries if line >= lo and (stop is None or line < stop)]
        return self._rows(rows, output)

    def search(
        self, pattern: str | None, n: int | None = None, unique: bool = False, output: bool = False
    ) -> list[tuple]:
        """Inputs matching a glob pattern, oldest first; the last `n`; `unique`
        keeps the newest of identical inputs."""
        pattern = pattern or "*"
        rows = [(line, src) for line, src in self.entries if fnmatch.fnmatchcase(src, pattern)]
        if unique:
            newest: dict[str, int] = {}
            for line, src in rows:
                newest[src] = line
            rows = [(line, src) for line, src in rows if newest[src] == line]
        if n:
            rows = rows[-n:]
        return self._rows(rows, output)

    def reply(
        self,
        hist_access_type: str,
        output: bool = False,
        session: int | None = None,
        start: int | None = None,
        stop: int | None = None,
        n: int | None = None,
        pattern: str | None = None,
        unique: bool = False,
    ) -> dict:
        """history_reply content."""
        if hist_access_type == "tail":
            history = self.tail(n, output)
        elif hist_access_type == "range":
            history = self.range(session, start, stop, output)
        elif hist_access_type == "search":
            history = self.search(pattern, n, unique, output)
        else:
            history = []
        return {"status": "ok", "history": [list(h) for h in history]}
