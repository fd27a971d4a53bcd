"""%draw: a memory diagram of the live program (memgraph.py walks, diagram.py draws).

The roots are the notebook's globals (`%draw` alone) or the objects of C
expressions.  A global's name needs no code: its address and DWARF type are
known.  Other expressions run as one ordinary cell (as %time's code does),
which reports each object's address through `cellc_display`; the object's
type is that of a function static the cell declares for it, read from the
cell's DWARF.  An lvalue is drawn where it lives (so a pointer elsewhere into
it arrives at it); any other value is kept in a static of the cell.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

from .. import diagram, introspect, names, objfile
from ..ctype import strip_typedefs
from ..executor import Handlers, OutOfMemory
from ..export import NoteRecord
from ..limits import format_size
from ..memgraph import Named
from ..parse import parse_tree
from ..result import CellResult, error
from .base import ArgumentParser, MagicFamily, MagicResult, UsageError, template_flags, without_inserted

DRAW_MIME = "application/x-cellc-draw"
TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "draw.h"
_OPTION = re.compile(r"\s*(-[nd])\s*(\S+)")
_LVALUES = {
    "identifier",
    "field_expression",
    "subscript_expression",
    "string_literal",
    "compound_literal_expression",
}
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def split_expressions(text: str) -> list[str]:
    """`a, b->c` or `list tree`: the expressions of %draw's line.  Commas at
    the top level separate; so does a space between two operands (`x y`,
    `a *p`), never one beside an operator (`a * b` is one expression)."""
    pieces, start = [], 0
    for i, c in _top_level(text):
        if c == "," or (c.isspace() and _separates(text[:i].rstrip(), text[i:].lstrip())):
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def _top_level(text: str) -> Iterator[tuple[int, str]]:
    """(index, character) of `text` outside brackets and quotes."""
    depth, quote = 0, ""
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote and text[i - 1] != "\\" else quote
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            yield i, c


def _separates(before: str, after: str) -> bool:
    """Whether a space between `before` and `after` separates two expressions:
    an operand ends before it and one starts after it (`*p` but not `* p`)."""
    if not re.search(r"[\w\])'\"]$", before) or not re.match(r"[\w(\"'&*]", after):
        return False
    if re.search(r"\b(sizeof|_Alignof|struct|union|enum|const|volatile|unsigned|signed|long|short)$", before):
        return False
    return not re.match(r"[*&]\s", after)


def is_lvalue(expr: str) -> bool:
    """Whether `expr` designates an object (so it is drawn where it lives)."""
    tree = parse_tree(f"void f(void) {{ ({expr}); }}".encode())
    node = tree.root_node
    found = None
    for n in _descendants(node):
        if n.type == "parenthesized_expression":
            found = n
            break
    if found is None or found.has_error:
        return False
    inner = found
    while inner.type == "parenthesized_expression" and inner.named_child_count == 1:
        inner = inner.named_children[0]
    if inner.type == "pointer_expression":
        return inner.children[0].type == "*"
    return inner.type in _LVALUES


def _descendants(node):
    yield node
    for child in node.children:
        yield from _descendants(child)


class DrawingMagics(MagicFamily):
    def line_draw(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%draw [-n NODES] [-d DEPTH] [EXPR, ...]: a diagram of the data reachable from EXPRs (default: the globals).

        Structs are boxes, arrays rows of cells (long ones elided), pointers arrows to the element or
        field they point at; heap blocks are sized by the allocator, a pointer into a freed block is
        drawn as dangling, one to no memory as wild; NULL is ⊥.  At most NODES nodes (100) and DEPTH
        pointers deep (100).  Expressions other than globals' names run as a cell.  The picture needs
        graphviz's `dot`; without it, the same diagram comes as text."""
        options, text = self._options(args)
        if rest.strip():
            raise UsageError("%draw: put %draw in a cell of its own (the code after it would not run)")
        expressions = split_expressions(text)
        result = CellResult(True)
        if expressions:
            found = self._roots(expressions, label, handlers)
            if isinstance(found, CellResult):
                return MagicResult(found, consumed=True)
            roots, result = found
        else:
            roots = introspect.notebook_globals(self.interpreter)
            self.interpreter.add_record(NoteRecord(label, "%draw (in the notebook only)"))
            if not roots:
                self.print("The notebook has no globals to draw yet.")
                return MagicResult(result, consumed=True)
        try:
            graph = introspect.memory_graph(self.interpreter, roots, options["nodes"], options["depth"])
        except OutOfMemory:
            limit = self.interpreter.limits.memory
            return MagicResult(
                error(
                    "DrawError",
                    "%draw: the program has no memory left to list its heap blocks"
                    + (f" (CELLC_MEMORY_LIMIT={format_size(limit)})" if limit else "")
                    + ": free some, or %undo the cell that took it, and draw again",
                ),
                consumed=True,
            )
        bundle = diagram.bundle(graph)
        if "image/svg+xml" not in bundle:
            self.print(f"%draw: {diagram.INSTALL_DOT}.")
        self.send_display(bundle)
        return MagicResult(result, consumed=True)

    @staticmethod
    def _options(args: str) -> tuple[dict[str, int], str]:
        parser = ArgumentParser("%draw", "%draw [-n NODES] [-d DEPTH] [EXPR, ...]")
        parser.add_argument("-n", type=int, default=100)
        parser.add_argument("-d", type=int, default=100)
        options, code = parser.parse_leading(args, _OPTION)
        if options.n < 1 or options.d < 0:
            raise UsageError("%draw: -n must be at least 1 and -d at least 0")
        return {"nodes": options.n, "depth": options.d}, code

    # -- roots ------------------------------------------------------------------------
    def _roots(
        self, expressions: list[str], label: str, handlers: Handlers
    ) -> tuple[list[Named], CellResult] | CellResult:
        known = {g.name: g for g in introspect.notebook_globals(self.interpreter)}
        if all(e in known for e in expressions):
            self.interpreter.add_record(NoteRecord(label, f"%draw {' '.join(expressions)} (in the notebook only)"))
            return [known[e] for e in expressions], CellResult(True)
        lvalues = [is_lvalue(e) for e in expressions]
        first = self._run(expressions, lvalues, label, handlers)
        if isinstance(first, CellResult) and first.ename == "CompileError" and any(lvalues):
            second = self._run(expressions, [False] * len(expressions), label, handlers)
            return first if isinstance(second, CellResult) else second
        return first

    def _run(
        self, expressions: list[str], lvalues: list[bool], label: str, handlers: Handlers
    ) -> tuple[list[Named], CellResult] | CellResult:
        """Run the cell that reports where each expression's object is."""
        pieces = []
        snippets = []
        for i, (expr, lvalue) in enumerate(zip(expressions, lvalues, strict=True)):
            head = f"{names.DRAW_AT}({i}, &(" if lvalue else f"{names.DRAW_VALUE}({i}, ("
            pieces.append(f"{head}{expr})) ")
            snippets.append(head)
        snippets.append("))")
        code = "\n" * (self.magics.line - 1) + "".join(pieces)
        flags = list(template_flags(TEMPLATE))
        result, records = self.execute(code, label, handlers, DRAW_MIME, flags)
        if not result.ok:
            return without_inserted(result, code, snippets)
        shown = " ".join(expressions)
        self.interpreter.replace_record(label, lambda _r: NoteRecord(label, f"%draw {shown} (in the notebook only)"))
        cell = self.interpreter.cell_code(label)
        if cell is None:
            return error("DrawError", "%draw: the cell's object was not found")
        obj = objfile.open_object(cell.so)
        roots = []
        for record in records:
            index, address = (int(x, 16) for x in record.split())
            pointer = obj.variable_type(f"{names.DRAW_AT}_{index}")
            t = strip_typedefs(pointer).target if pointer is not None else None
            if t is not None:
                roots.append(Named(expressions[index], address, t))
        return roots, dataclasses.replace(result, value=None)
