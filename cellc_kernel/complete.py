"""complete_request: what may come at the cursor.

Completion candidates come from four places, in this order: the notebook's
program model (functions, globals, types, macros, enum constants), names the
cell being typed declares (locals, parameters, its own globals), the headers
in scope (an index of `gcc -E -dD -C` of the include lines, see headers.py)
and the C keywords.  After `.`/`->` the members of the expression's type are
listed: the expression's type is learnt from gcc itself by compiling a tiny
probe (`__typeof__(EXPR) probe;` after the program's prelude and the locals
it mentions) and reading the probe's DWARF with objfile.py -- no guessing from
text, so typedefs, nested members, array elements and calls all work.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import headers, names, objfile
from .compile import CompileError
from .ctext import KEYWORDS
from .ctype import CType, struct_fields, type_name
from .headers import HeaderIndex
from .parse import declarator_name, declarator_node, node_text, parse_tree

if TYPE_CHECKING:
    from .interpreter import Interpreter

C_KEYWORDS = sorted(KEYWORDS | {"typeof", "__typeof__", "__attribute__"})  # the ones worth completing
DIRECTIVES = sorted("define undef include if ifdef ifndef elif else endif error warning pragma line".split())

# ---------------------------------------------------------------------------
# The cell being typed


class CellScan:
    """What the text before the cursor declares, read with tree-sitter
    (which recovers from the unfinished code a cursor usually sits in)."""

    def __init__(self, before: str):
        self.source = before.encode("utf-8", "surrogateescape")
        self.tree = parse_tree(self.source)
        # name -> (kind, detail); kind: function | variable | typedef | macro | const | parameter
        self.names: dict[str, tuple[str, str]] = {}
        self.tags: set[tuple[str, str]] = set()
        # name -> declaration text with the name replaced by '@' (for probes)
        self.declarations: dict[str, str] = {}
        self.includes: list[str] = []
        self.top_items: list[str] = []  # complete top-level includes, macros and types
        self._walk()

    def text(self, node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def _declaration(self, node, kind: str) -> None:
        declarators = node.children_by_field_name("declarator")
        if not declarators:
            return
        spec = " ".join(
            self.text(c)
            for c in node.children
            if c.end_byte <= declarators[0].start_byte
            and c.type not in ("storage_class_specifier", "attribute_specifier", "ms_declspec_modifier")
        )
        for d in declarators:
            target = d.child_by_field_name("declarator") if d.type == "init_declarator" else d
            name_node = declarator_node(target)[0]
            if name_node is None or name_node.end_byte >= len(self.source):
                continue  # the identifier being typed is not a declaration yet
            name, is_function = declarator_name(target)
            if not name:
                continue
            rel_s = name_node.start_byte - target.start_byte
            rel_e = name_node.end_byte - target.start_byte
            dtext = self.text(target)
            dtext = dtext[:rel_s] + "@" + dtext[rel_e:]
            self.names[name] = ("function" if is_function else kind, f"{spec} {self.text(target)}".strip())
            if not is_function:
                self.declarations[name] = f"{spec} {dtext}"

    def _walk(self) -> None:
        root = self.tree.root_node
        for top in root.children:
            finished = top.end_byte < len(self.source) or self.source[: top.end_byte].endswith((b"\n", b";", b"}"))
            complete_item = not top.has_error and finished
            if top.type == "preproc_include" and complete_item:
                self.includes.append(self.text(top).strip())
            if complete_item and top.type in (
                "preproc_include",
                "preproc_def",
                "preproc_function_def",
                "struct_specifier",
                "union_specifier",
                "enum_specifier",
                "type_definition",
            ):
                text = self.text(top).strip()
                if top.type.endswith("_specifier"):
                    text += ";"
                self.top_items.append(text)
        stack = [root]
        while stack:
            node = stack.pop()
            t = node.type
            if t == "declaration":
                self._declaration(node, "variable")
            elif t == "parameter_declaration":
                self._declaration(node, "parameter")
            elif t == "function_definition":
                decl = node.child_by_field_name("declarator")
                name, _ = declarator_name(decl)
                if name:
                    self.names[name] = ("function", self.text(decl))
            elif t in ("preproc_def", "preproc_function_def"):
                n = node.child_by_field_name("name")
                if n is not None and n.end_byte < len(self.source):
                    self.names[node_text(n).decode()] = ("macro", self.text(node).strip())
            elif t == "type_definition":
                for d in node.children_by_field_name("declarator"):
                    name = node_text(d).decode() if d.type == "primitive_type" else declarator_name(d)[0]
                    if name:
                        self.names[name] = ("typedef", self.text(node))
            elif t in ("struct_specifier", "union_specifier", "enum_specifier"):
                tag = node.child_by_field_name("name")
                if tag is not None and node.child_by_field_name("body") is not None:
                    self.tags.add((t.split("_")[0], node_text(tag).decode()))
            elif t == "enumerator":
                n = node.child_by_field_name("name")
                if n is not None and n.end_byte < len(self.source):
                    self.names[node_text(n).decode()] = ("const", self.text(node))
            stack.extend(reversed(node.children))


# ---------------------------------------------------------------------------
# Headers and the program model


def header_index(interp: Interpreter, extra_includes: Sequence[str] = ()) -> HeaderIndex:
    """The index of the program's include lines plus the cell's own."""
    header, _ = interp.program.prelude()
    source = header + "".join(f"{line}\n" for line in extra_includes)
    compiler = interp.compiler
    return headers.index_for(compiler.gcc, compiler.flags(), source)


def _model_names(interp: Interpreter) -> dict[str, tuple[str, str]]:
    """name -> (kind, signature) of the notebook's values, types and macros (tags aside)."""
    return {
        s.name: (s.kind, s.name if s.kind == "const" else s.text)
        for s in interp.program.symbols()
        if s.kind not in ("struct", "union", "enum")
    }


def _model_tags(interp: Interpreter) -> set[tuple[str, str]]:
    return {(k, n) for d in interp.program.definitions for k, n in d.keys if k in ("struct", "union", "enum")}


_JUPYTER_TYPES = {
    "function": "function",
    "variable": "instance",
    "parameter": "param",
    "typedef": "class",
    "macro": "keyword",
    "const": "instance",
    "keyword": "keyword",
    "member": "property",
    "struct": "class",
    "union": "class",
    "enum": "class",
    "header": "path",
    "directive": "keyword",
    "magic": "magic",
}


def _reply(matches: list[tuple[str, str, str]], start: int, end: int) -> dict:
    seen: set[str] = set()
    out: list[str] = []
    meta: list[dict] = []
    for text, kind, signature in matches:
        if text in seen:
            continue
        seen.add(text)
        out.append(text)
        meta.append(
            {"start": start, "end": end, "text": text, "type": _JUPYTER_TYPES.get(kind, kind), "signature": signature}
        )
    return {
        "status": "ok",
        "matches": out,
        "cursor_start": start,
        "cursor_end": end,
        "metadata": {"_jupyter_types_experimental": meta},
    }


def _visible(name: str, prefix: str) -> bool:
    """Reserved names (`__foo`, `_IO_x`) only when the user typed the underscore."""
    if names.is_ours(name):
        return False
    return name.startswith(prefix) and (prefix.startswith("_") or not name.startswith("_"))


# ---------------------------------------------------------------------------
# Types of expressions, from gcc


_probe_counter = itertools.count()
_probe_cache: dict[str, CType | None] = {}
_LOCAL_PREFIX = names.LOCAL_PREFIX


def postfix_start(text: str, end: int) -> int | None:
    """Start of the postfix expression (`a.b[i]->c`, `f(x)`, `(*p)`) ending at `end`."""
    i = end
    while True:
        j = i
        while j > 0 and text[j - 1] in " \t\n":
            j -= 1
        if j > 0 and text[j - 1] in ")]":
            depth = 0
            k = j - 1
            while k >= 0:
                if text[k] in ")]":
                    depth += 1
                elif text[k] in "([":
                    depth -= 1
                    if depth == 0:
                        break
                k -= 1
            if k < 0:
                return None
            i = k
            # a call or index: the callee/array precedes
            m = re.search(r"[A-Za-z_]\w*\s*$", text[:i])
            if m and text[i] in "([":
                i = m.start()
            elif text[i] == "(":
                return i  # a parenthesized expression starts the chain
        elif j > 0 and (text[j - 1].isalnum() or text[j - 1] == "_"):
            m = re.search(r"[A-Za-z_]\w*$", text[:j])
            if not m:
                return None
            i = m.start()
        else:
            return i if i < end else None
        k = i
        while k > 0 and text[k - 1] in " \t\n":
            k -= 1
        if text[:k].endswith("->"):
            i = k - 2
        elif text[:k].endswith(".") and not re.search(r"\d\.$", text[:k]):
            i = k - 1
        else:
            return i


def expression_type(interp: Interpreter, expr: str, scan: CellScan) -> CType | None:
    """The C type of `expr` as gcc sees it after the notebook's prelude, the
    cell's complete top-level types and the locals the expression names."""
    decls: list[str] = []

    def rename(m: re.Match) -> str:
        name = m.group(0)
        before = expr[: m.start()].rstrip()
        if before.endswith((".", "->")):
            return name  # a member
        decl = scan.declarations.get(name)
        if decl is None:
            return name
        local = _LOCAL_PREFIX + name
        decls.append(f"extern {decl.replace('@', local, 1)};")
        return local

    probe_expr = re.sub(r"[A-Za-z_]\w*", rename, expr)
    header, rest = interp.program.prelude()
    attempts = [
        rest + "\n".join(scan.top_items) + "\n" + "\n".join(decls),
        rest + "\n".join(decls),
        rest,
    ]
    for body in dict.fromkeys(attempts):
        source = f"{body}\n__typeof__(({probe_expr})) {names.PROBE};\n"
        key = header + "\0" + source + "\0" + " ".join(interp.compiler.flags())
        if key in _probe_cache:
            found = _probe_cache[key]
        else:
            found = _compile_probe(interp, header, source)
            if len(_probe_cache) > 64:
                _probe_cache.pop(next(iter(_probe_cache)))
            _probe_cache[key] = found
        if found is not None:
            return found
    return None


def _compile_probe(interp: Interpreter, header: str, body: str) -> CType | None:
    name = f"probe{next(_probe_counter)}"
    try:
        obj, _, _ = interp.compiler.compile(name, header, body, "<probe>")
    except (CompileError, OSError):
        return None
    try:
        return objfile.open_object(obj).variable_type(names.PROBE)
    except OSError:
        return None
    finally:
        objfile.forget(obj)
        for suffix in (".c", ".o"):
            try:
                os.unlink(interp.compiler.workdir / f"{name}{suffix}")
            except OSError:
                pass


def members(interp: Interpreter, expr: str, scan: CellScan) -> list[tuple[str, str]]:
    """(member name, type name) of the struct/union `expr` is or points to."""
    t = expression_type(interp, expr, scan)
    if t is None:
        return []
    return [(name, type_name(ftype)) for name, ftype in struct_fields(t)]


# ---------------------------------------------------------------------------
# complete_request

_MEMBER = re.compile(r"(\.|->)\s*([A-Za-z_]\w*)?$")


def complete(interp: Interpreter, code: str, cursor_pos: int, magics: Sequence[str] = ()) -> dict:
    """complete_reply content for the cursor at `cursor_pos` (in characters)."""
    cursor_pos = max(0, min(cursor_pos, len(code)))
    before = code[:cursor_pos]
    line = before.rsplit("\n", 1)[-1]
    m = re.search(r"[A-Za-z_]\w*$", before)
    prefix = m.group(0) if m else ""
    start = cursor_pos - len(prefix)

    # %magics at the start of a line
    mm = re.fullmatch(r"\s*(%{1,2}\w*)", line)
    if mm and magics:
        word = mm.group(1)
        found = [(name, "magic", "") for name in magics if name.startswith(word)]
        return _reply(found, cursor_pos - len(word), cursor_pos)

    # #include <...> and "...": header file names
    mi = re.fullmatch(r"\s*#\s*include\s*([<\"])([\w./+-]*)", line)
    if mi:
        partial = mi.group(2)
        extra = (interp.cwd,) if mi.group(1) == '"' else ()
        found = [(f, "header", "") for f in headers.header_files(partial, extra)]
        return _reply(found, cursor_pos - len(partial), cursor_pos)

    # #directives
    md = re.fullmatch(r"\s*#\s*(\w*)", line)
    if md:
        word = md.group(1)
        return _reply(
            [(d, "directive", "") for d in DIRECTIVES if d.startswith(word)], cursor_pos - len(word), cursor_pos
        )

    scan = CellScan(before[:start])

    # members after . and ->
    mem = _MEMBER.search(before)
    if mem and not re.search(r"\d\.$", before[: mem.start() + 1]):
        op_start = mem.start()
        expr_start = postfix_start(before, op_start)
        if expr_start is not None:
            expr = before[expr_start:op_start].strip()
            if expr:
                found = [(n, "member", t) for n, t in members(interp, expr, scan) if n.startswith(prefix)]
                return _reply(found, start, cursor_pos)
        return _reply([], start, cursor_pos)

    # struct/union/enum tags
    mt = re.search(r"\b(struct|union|enum)\s+(\w*)$", before)
    if mt:
        kind = mt.group(1)
        tags = {n for k, n in _model_tags(interp) | scan.tags if k == kind}
        index = header_index(interp, scan.includes)
        tags |= {n for k, n in index.tags if k == kind}
        found = [(n, kind, f"{kind} {n}") for n in sorted(tags) if _visible(n, prefix)]
        return _reply(found, start, cursor_pos)

    found = []
    for name, (kind, sig) in sorted(_model_names(interp).items()):
        if _visible(name, prefix):
            found.append((name, kind, sig))
    for name, (kind, sig) in sorted(scan.names.items()):
        if _visible(name, prefix):
            found.append((name, kind, sig))
    index = header_index(interp, scan.includes)
    for name in sorted(index.names):
        if _visible(name, prefix):
            sym = index.names[name]
            found.append((name, sym.kind, sym.text))
    found += [(k, "keyword", "") for k in C_KEYWORDS if _visible(k, prefix)]
    return _reply(found, start, cursor_pos)
