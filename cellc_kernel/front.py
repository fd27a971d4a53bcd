"""The front of the pipeline: a cell's text as gcc will read it, split into items.

Headers that define things are pasted in, top-level `#if` blocks resolved and
items that macros build expanded (with the program's macros, by gcc's
preprocessor), then parse.py splits the text.  When gcc reads an item otherwise
than the split did, the cell is split again with that item expanded.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from pathlib import Path

from . import names
from .compile import Compiler
from .model import Program
from .parse import (
    Item,
    ParsedCell,
    Splitter,
    brace_runs,
    expand_macro_items,
    paste_headers,
    resolve_conditionals,
    resolve_line_directives,
)


class NotAhead(Exception):
    """The look-ahead would need the executor or the disk: the cell waits for its turn."""


class Front:
    """Reads cells for one notebook (its directory and gcc flags)."""

    def __init__(self, compiler: Compiler, cwd: str):
        self.compiler = compiler
        self.cwd = cwd

    def read(self, code: str, program: Program, ahead: bool = False) -> tuple[str, ParsedCell]:
        """(the text diagnostics quote, the cell split into items): headers with
        definitions pasted, `#if` blocks resolved and macro-built items expanded
        with `program`'s macros.  `ahead`: on a thread, without reading headers."""
        typed = code
        find = _not_ahead if ahead else self.find_header

        def preprocess(text: str) -> str | None:
            return self.preprocess(text, program)

        for _ in range(32):  # until nothing changes
            before = code
            code = paste_headers(code, find)
            if "#if" in code:
                code = resolve_conditionals(code, preprocess)
            if code == before:
                break
        code = resolve_line_directives(code, preprocess)
        macros = program.macro_texts()
        code = expand_macro_items(code, macros, preprocess)
        joined, expanded = brace_runs(code, macros, preprocess)
        if expanded:
            code = expand_macro_items(code, macros, preprocess, expanded)
            joined, _ = brace_runs(code, macros, preprocess)
        parsed = self._splitter(code, program, joined).split(code)
        parsed.outside_macros = self._outside_macros(parsed, program)
        return typed, parsed

    def _outside_macros(self, parsed: ParsedCell, program: Program) -> dict[str, str]:
        """The `#define` lines, as they are now, of the macros the cell
        changes that a header or a -D flag defines and something in the
        notebook expanded: what expanded them keeps them as they were."""
        changed = {item.name for item in parsed.items if item.kind in ("define", "undef")}
        if not changed:
            return {}  # most cells: nothing of the model is looked at
        changed -= program.macros()
        used = set().union(
            *(f.uses for f in program.functions.values()),
            *(v.uses for v in program.variables.values()),
            *(d.uses for d in program.definitions),
        )
        if not changed & used:
            return {}
        header, rest = program.prelude()
        lines = self.compiler.macro_lines(header + rest)
        return {name: lines[name] for name in changed & used if name in lines}

    def split_again(self, parsed: ParsedCell, misread: list[Item], program: Program) -> ParsedCell | None:
        """The cell split anew with the items it read otherwise than gcc
        (`misread_items`: a header's macro that declares, `LIST_HEAD(h, e)
        head;`) replaced by their expansion, or, when that changes nothing,
        with the name each starts with taken for the type gcc knows it as
        (`time_t (*clock_fn)(time_t *) = time;`, a header's typedef); None
        when neither changes anything."""
        spans = {item.start: item.end for item in misread}
        code = parsed.source.decode("utf-8", "surrogateescape")
        expanded = expand_macro_items(code, program.macro_texts(), lambda t: self.preprocess(t, program), spans)
        if expanded != code:
            return self._splitter(expanded, program).split(expanded)
        types = {m.group(1) for item in misread if (m := _LEADING_NAME.match(item.text))}
        again = self._splitter(code, program, types=types).split(code) if types else None
        if again is None or _kinds(again) == _kinds(parsed):
            return None
        return again

    def preprocess(self, text: str, program: Program) -> str | None:
        """`text` through gcc's preprocessor with the notebook's includes and macros."""
        header, rest = program.prelude()
        return self.compiler.preprocess(header + rest + names.CELL_TEXT_LINE + text)

    def find_header(self, name: str) -> Path | None:
        """Where gcc finds `#include "name"`: the notebook's directory, then -iquote and -I."""
        flags = self.compiler.cflags
        dirs = [self.cwd]
        for i, flag in enumerate(flags):
            for opt in ("-iquote", "-I"):
                if flag == opt and i + 1 < len(flags):
                    dirs.append(flags[i + 1])
                elif flag.startswith(opt) and len(flag) > len(opt):
                    dirs.append(flag[len(opt) :])
        for d in dirs:
            path = Path(d, name)
            if path.is_file():
                return path
        return None

    def _splitter(
        self, code: str, program: Program, joined: dict[int, int] | None = None, types: AbstractSet[str] = frozenset()
    ) -> Splitter:
        """A splitter for `code` that knows the program's names, macros (the
        notebook's, the cell's own and the headers') and typedef names, and
        `types`, names gcc said are types."""
        defined = set(re.findall(r"^[ \t]*#[ \t]*define[ \t]+(\w+)", code, re.M))
        includes = "".join(re.findall(r"^[ \t]*#[ \t]*include\b.*\n?", code, re.M))

        def is_macro(name: str) -> bool:
            if name in defined or name in program.macros():
                return True
            output = self.preprocess(f"{includes}\n#ifdef {name}\n{names.EXPANSION_MARK}\n#endif\n", program)
            return output is not None and names.EXPANSION_MARK in output

        typedefs = {name for d in program.definitions for kind, name in d.keys if kind == "typedef"} | set(types)
        return Splitter(program.is_value_name, is_macro, joined, typedefs.__contains__)


def _not_ahead(*_args) -> None:
    raise NotAhead


_LEADING_NAME = re.compile(r"\s*([A-Za-z_]\w*)\s*\(")


def _kinds(cell: ParsedCell) -> list[tuple[int, str]]:
    return [(item.start, item.kind) for item in cell.items]
