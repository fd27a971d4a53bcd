"""inspect_request, `?name` and %whos: what a notebook name is.

The notebook's symbols come from the program model (`notebook_symbols`, for
%whos and completion alike); a global's type from the DWARF of the cell that
defined it, its value from the live program's memory; a library name's
prototype and comment from the headers in scope (headers.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from . import objfile, values
from .complete import C_KEYWORDS, CellScan, expression_type, header_index, postfix_start
from .ctype import CType, strip_typedefs, struct_fields, type_name
from .executor import OutOfMemory
from .headers import clean_comment
from .memgraph import Block, Graph, Named, Walker
from .parse import parse_tree
from .processes import ProcessMemory

if TYPE_CHECKING:
    from .interpreter import Interpreter


def _object_of(interp: Interpreter, symbol: str):
    """The object of the cell that defined a global's symbol (its DWARF)."""
    return interp.defined_in.get(symbol)


def variable_type(interp: Interpreter, name: str) -> CType | None:
    """The DWARF type of a notebook global, from the cell that defined it."""
    v = interp.program.variables.get(name)
    if v is None:
        return None
    obj = _object_of(interp, v.symbol)
    if obj is None:
        return None
    try:
        return objfile.open_object(obj).variable_type(name)
    except OSError:
        return None


VALUE_PEEK_LIMIT = 1 << 16
VALUE_BYTES = 1 << 18  # at most this much of a cell's value is read: a huge one is shown elided


def _read_value(interp: Interpreter, ctype: CType, symbol: str, size: int) -> str | None:
    """The value of global `symbol` as C text, read from the live program's memory."""
    address = interp.address(symbol)
    data = interp.peek(address, size) if address else None
    return None if data is None else values.format_value(ctype, data, interp.peek, interp.symbolize)


def global_value(interp: Interpreter, name: str) -> tuple[str, str] | None:
    """(current value, type name) of a notebook global, read from the live
    program's memory; None when it cannot be read."""
    v = interp.program.variables.get(name)
    ctype = variable_type(interp, name)
    if v is None or ctype is None:
        return None
    tname = type_name(ctype)
    size = strip_typedefs(ctype).size or ctype.size
    if not size:
        return None
    if size > VALUE_PEEK_LIMIT:
        return f"<{size} bytes>", tname
    try:
        text = _read_value(interp, ctype, v.symbol, size)
    except Exception:  # noqa: BLE001 - a dead executor just means no value
        return None
    return None if text is None else (text, tname)


def cell_value(interp: Interpreter, so: Path, symbol: str, size: int) -> tuple[str, str] | None:
    """(text, HTML) of the value a cell ends with, held in its object's `symbol`."""
    ctype = objfile.open_object(so).variable_type(symbol)
    text = None if ctype is None else _read_value(interp, ctype, symbol, min(size, VALUE_BYTES))
    return None if text is None or ctype is None else (text, values.type_info_html(ctype, text))


def notebook_globals(interp: Interpreter) -> list[Named]:
    """The notebook's globals where the live program has them, typed as their latest definitions."""
    out = []
    for name, v in interp.program.variables.items():
        t = variable_type(interp, name)
        address = interp.address(v.symbol) if t is not None else 0
        if t is not None and address:
            out.append(Named(name, address, t))
    return out


def memory_graph(
    interp: Interpreter, roots: list[Named], max_nodes: int = 100, max_depth: int = 100, stopped: bool = False
) -> Graph:
    """The live program's data reachable from `roots` (memgraph.py), with the
    heap blocks the executor's allocation table knows and its count of leaks.
    `stopped`: the program is held mid-cell (a breakpoint) and cannot answer
    the executor's commands: the table is read from its memory, the globals
    are found only through the roots, and leaks are not counted."""
    executor = interp.process
    pid = executor.live_pid if stopped else executor.live()
    try:
        memory = ProcessMemory(pid) if pid else None
    except OSError:  # no access to /proc/PID/mem: the protocol's peek reads too, slower
        memory = None
    try:
        read = memory.read if memory is not None else interp.peek
        if stopped:
            table = executor.heap_table_known()
            blocks = [Block(*b) for b in table.read(read)] if table is not None and memory is not None else []
            named = list(roots)
        else:
            blocks = [Block(a, s, freed) for a, s, freed in executor.heap()]
            named = notebook_globals(interp) + roots
        ranges = memory.heap_ranges() if memory is not None and blocks else []
        graph = Walker(read, interp.symbolize, blocks, named, max_nodes, max_depth, ranges).walk(roots)
    finally:
        if memory is not None:
            memory.close()
    try:
        count, size = (0, 0) if stopped else executor.leaks()
    except OutOfMemory:
        graph.notes.append("leaks not counted: the program has no memory left (CELLC_MEMORY_LIMIT)")
        count = size = 0
    if count:
        what = "block" if count == 1 else "blocks"
        graph.notes.append(f"{count:,} heap {what} ({size:,} bytes) reachable from nothing: leaked")
    return graph


def _doc(text: str) -> str:
    return clean_comment(text) if text else ""


def _function_source(interp: Interpreter, label: str, line: int) -> str:
    """The text of the function defined at `line` of the cell `label`."""
    path = interp.compiler.workdir / label
    try:
        source = path.read_bytes()
    except OSError:
        return ""
    tree = parse_tree(source)
    for node in tree.root_node.children:
        if node.type == "function_definition" and node.start_point[0] + 1 <= line <= node.end_point[0] + 1:
            return source[node.start_byte : node.end_byte].decode("utf-8", "replace")
    return ""


def describe(interp: Interpreter, name: str, scan: CellScan | None = None, detail: int = 0) -> str | None:
    """What a name is, for shift-tab and `?name`: its declaration, where it
    was defined (cell and line) or which header declares it, and its comment."""
    program = interp.program
    parts: list[str] = []
    tag = None
    m = re.fullmatch(r"(struct|union|enum)\s+(\w+)", name)
    if m:
        tag = (m.group(1), m.group(2))
    if tag is None and name in program.functions:
        f = program.functions[name]
        parts.append(" ".join(f.prototype.split()))
        what = "Defined" if f.defined else "Declared"
        parts.append(f"{what} in {f.label}, line {f.line}.")
        if f.doc:
            parts.append(_doc(f.doc))
        index = header_index(interp, scan.includes if scan else [])
        sym = index.names.get(name)
        if sym is not None and sym.kind == "function":
            parts.append(f"(Replaces {sym.header()}'s {sym.text} for the notebook's code.)")
        if detail:
            source = _function_source(interp, f.label, f.line)
            if source:
                parts.append(f"Source ({f.label}):\n{source}")
        return "\n".join(parts)
    if tag is None and name in program.variables:
        v = program.variables[name]
        parts.append(" ".join(v.decl.split()))
        parts.append(f"Defined in {v.label}, line {v.line}.")
        value = global_value(interp, name)
        if value is not None:
            parts.append(f"Value: {value[0]}")
        return "\n".join(parts)
    for d in program.definitions:
        for kind, key_name in d.keys:
            hit = (kind, key_name) == tag if tag else key_name == name and kind in ("typedef", "macro", "const")
            if hit:
                what = {"const": "enumeration constant", "macro": "macro", "typedef": "typedef"}.get(kind, kind)
                parts.append(d.text.strip())
                parts.append(f"{what.capitalize()} defined in {d.label}, line {d.line}.")
                return "\n".join(parts)
    if scan is not None and name in scan.names:
        kind, detail_text = scan.names[name]
        return f"{detail_text}\n({kind} declared in this cell)"
    index = header_index(interp, scan.includes if scan else [])
    sym = index.tags.get(tag) if tag else index.names.get(name)
    if sym is not None:
        parts.append(sym.text)
        where = sym.header()
        located = f"{sym.file}:{sym.line}" if sym.line else sym.file
        parts.append(f"Declared in {where}" + (f" ({located})." if where != sym.file else "."))
        if sym.doc:
            parts.append(sym.doc)
        return "\n".join(parts)
    if name in C_KEYWORDS:
        return f"{name}: C keyword"
    return None


def _word_at(code: str, cursor_pos: int) -> tuple[str, int]:
    """The identifier around the cursor and where it starts."""
    left = re.search(r"[A-Za-z_]\w*$", code[:cursor_pos])
    right = re.match(r"\w*", code[cursor_pos:])
    start = left.start() if left else cursor_pos
    word = (left.group(0) if left else "") + (right.group(0) if right else "")
    if word and word[0].isdigit():
        return "", cursor_pos
    return word, start


def _callee(code: str, cursor_pos: int) -> tuple[str, int]:
    """Inside `f(a, |`: the function whose arguments the cursor is in."""
    depth = 0
    for i in range(cursor_pos - 1, -1, -1):
        c = code[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                m = re.search(r"([A-Za-z_]\w*)\s*$", code[:i])
                return (m.group(1), m.start(1)) if m else ("", i)
            depth -= 1
        elif c in ";{}":
            break
    return "", cursor_pos


def inspect(interp: Interpreter, code: str, cursor_pos: int, detail_level: int = 0) -> dict:
    """inspect_reply content: what the name at (or the call around) the cursor is."""
    cursor_pos = max(0, min(cursor_pos, len(code)))
    name, start = _word_at(code, cursor_pos)
    if not name or name in ("if", "while", "for", "switch", "return", "sizeof"):
        name, start = _callee(code, cursor_pos)
    text = None
    if name:
        scan = CellScan(code[:start])
        before = code[:start]
        mem = re.search(r"(\.|->)\s*$", before)
        tag = re.search(r"\b(struct|union|enum)\s+$", before)
        if mem:
            expr_start = postfix_start(before, mem.start())
            expr = before[expr_start : mem.start()].strip() if expr_start is not None else ""
            base = expression_type(interp, expr, scan) if expr else None
            if base is not None:
                for field_name, ftype in struct_fields(base):
                    if field_name == name:
                        text = f"{type_name(ftype)} {name}\nMember of {type_name(base)} ({expr})."
                        break
        else:
            if tag:
                text = describe(interp, f"{tag.group(1)} {name}", scan, detail_level)
            text = text or describe(interp, name, scan, detail_level)
    if not text:
        return {"status": "ok", "found": False, "data": {}, "metadata": {}}
    return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}
