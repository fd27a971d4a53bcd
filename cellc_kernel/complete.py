"""is_complete, completion and inspection requests.

Completion candidates come from four places, in this order: the notebook's
program model (functions, globals, types, macros, enum constants), names the
cell being typed declares (locals, parameters, its own globals), the headers
in scope (an index of `gcc -E -dD -C` of the include lines, see headers.py)
and the C keywords.  After `.`/`->` the members of the expression's type are
listed: the expression's type is learnt from gcc itself by compiling a tiny
probe (`__typeof__(EXPR) probe;` after the program's prelude and the locals
it mentions) and reading the probe's DWARF with values.py -- no guessing from
text, so typedefs, nested members, array elements and calls all work.
"""

from __future__ import annotations

import itertools
import os
import re
from typing import TYPE_CHECKING

from . import headers, names, values
from .compile import CompileError
from .ctext import KEYWORDS
from .headers import HeaderIndex, clean_comment
from .parse import declarator_name, parse_tree

if TYPE_CHECKING:
    from .interpreter import Interpreter

C_KEYWORDS = sorted(KEYWORDS | {"typeof", "__typeof__", "__attribute__"})  # the ones worth completing
DIRECTIVES = sorted("define undef include if ifdef ifndef elif else endif error warning pragma line".split())
_PAIRS = {")": "(", "]": "[", "}": "{"}

# ---------------------------------------------------------------------------
# is_complete

_OPERATOR_END = re.compile(r"(?:[-+*/%&|^<>=!~?:,.]|->|&&|\|\||<<|>>)$")
_CONDITIONAL_OPEN = re.compile(r"^\s*#\s*(if|ifdef|ifndef)\b")
_CONDITIONAL_MID = re.compile(r"^\s*#\s*(elif|else|elifdef|elifndef)\b")
_CONDITIONAL_CLOSE = re.compile(r"^\s*#\s*endif\b")
_TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|->|\+\+|--|&&|\|\||<<=?|>>=?|[-+*/%&|^!=<>]=|.", re.S)
_TEXT_DIRECTIVE = re.compile(r"^\s*#\s*(error|warning|pragma|ident|line)\b")


def _indent_of(code: str, pos: int) -> str:
    """The leading whitespace of the line holding `pos`."""
    start = code.rfind("\n", 0, pos) + 1
    m = re.match(r"[ \t]*", code[start:])
    return m.group(0) if m else ""


def _scan(code: str) -> tuple[str, list[tuple[str, int]], dict]:
    """Read C text the way the preprocessor's tokenizer would, enough to tell
    whether it is finished: returns (state, open brackets with positions,
    facts) where state is 'ok', 'open' (inside a comment or literal at the
    end) or 'invalid' (a bracket closes what it did not open, a literal runs
    into a newline, a stray #endif)."""
    stack: list[tuple[str, int]] = []
    facts: dict = {"open_at": -1, "conditionals": 0, "last": "", "last_pos": -1}
    i, n = 0, len(code)
    line_start = True  # only whitespace since the last newline
    in_directive = False
    while i < n:
        c = code[i]
        if c == "\n":
            # a backslash-newline continues a directive
            if not (i > 0 and code[i - 1] == "\\"):
                in_directive = False
            line_start = True
            i += 1
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if code.startswith("/*", i):
            end = code.find("*/", i + 2)
            if end < 0:
                facts["open_at"] = i
                return "open", stack, facts
            i = end + 2
            continue
        if code.startswith("//", i):
            end = code.find("\n", i)
            while end > 0 and code[end - 1] == "\\":
                end = code.find("\n", end + 1)
            if end < 0:
                return "ok", stack, facts
            i = end
            continue
        if line_start and c == "#":
            line_end = code.find("\n", i)
            line = code[i : line_end if line_end >= 0 else n]
            in_directive = True
            if _CONDITIONAL_OPEN.match(line):
                facts["conditionals"] += 1
            elif _CONDITIONAL_MID.match(line):
                if facts["conditionals"] <= 0:
                    return "invalid", stack, facts
            elif _CONDITIONAL_CLOSE.match(line):
                facts["conditionals"] -= 1
                if facts["conditionals"] < 0:
                    return "invalid", stack, facts
            if _TEXT_DIRECTIVE.match(line) or re.match(r"^\s*#\s*include\s*<", line):
                # free text (`#error don't`) or a <header name>: no tokens to track
                end = i
                while True:
                    end = code.find("\n", end)
                    if end < 0 or code[end - 1] != "\\":
                        break
                    end += 1
                if end < 0:
                    facts["last"], facts["last_pos"] = "#", i
                    return "ok", stack, facts
                i = end
                continue
            facts["last"], facts["last_pos"] = "#", i
            line_start = False
            i += 1
            continue
        line_start = False
        if c in "\"'":
            j = i + 1
            while j < n and code[j] != c:
                if code[j] == "\\":
                    j += 1
                elif code[j] == "\n":
                    return "invalid", stack, facts
                j += 1
            if j >= n:
                facts["open_at"] = i
                return "open", stack, facts
            facts["last"], facts["last_pos"] = "literal", i
            i = j + 1
            continue
        if in_directive:  # `#define BEGIN {` need not balance
            i += 1
            continue
        if c in "([{":
            stack.append((c, i))
        elif c in ")]}":
            if not stack or stack[-1][0] != _PAIRS[c]:
                return "invalid", stack, facts
            stack.pop()
        m = _TOKEN.match(code, i)
        facts["last"], facts["last_pos"] = m.group(0), i
        i = m.end()
    return "ok", stack, facts


def is_complete(code: str) -> dict:
    """Whether a console should run `code` now ('complete'), wait for more
    lines ('incomplete', with the indent for the next line) or run it to show
    the error ('invalid')."""
    if "\0" in code:
        return {"status": "invalid"}
    stripped = code.strip()
    if not stripped:
        return {"status": "complete"}
    if re.fullmatch(r"\?{1,2}\s*[%\w]+|[%\w]+\s*\?{1,2}", stripped):
        return {"status": "complete"}
    if stripped.startswith("%%"):
        first, _, body = code.lstrip().partition("\n")
        if not body.strip():
            return {"status": "incomplete", "indent": ""}
        code = body
    elif stripped.startswith("%"):
        lines = code.split("\n")
        rest = [ln for ln in lines if not ln.lstrip().startswith("%")]
        code = "\n".join(rest)
        if not code.strip():
            return {"status": "complete"}
    state, stack, facts = _scan(code)
    if state == "invalid":
        return {"status": "invalid"}
    if state == "open":
        return {"status": "incomplete", "indent": _indent_of(code, facts["open_at"])}
    if stack:
        _, pos = stack[-1]
        return {"status": "incomplete", "indent": _indent_of(code, pos) + "    "}
    last_line = code.rstrip(" \t").rsplit("\n", 1)[-1]
    if last_line.endswith("\\"):
        return {"status": "incomplete", "indent": _indent_of(code, len(code) - 1) or "    "}
    if facts["conditionals"] > 0:
        return {"status": "incomplete", "indent": ""}
    last, pos = facts["last"], facts["last_pos"]
    if last and last not in ("#", "literal", "++", "--") and _OPERATOR_END.search(last):
        return {"status": "incomplete", "indent": _indent_of(code, pos) + "    "}
    if last in ("else", "do"):
        return {"status": "incomplete", "indent": _indent_of(code, pos) + "    "}
    if last == ")":
        # `if (x)` / `for (...)` / `while (...)` still waits for its body
        opener = _matching_open(code, pos)
        if opener is not None and re.search(r"\b(if|for|while|switch)\s*$", code[:opener]):
            return {"status": "incomplete", "indent": _indent_of(code, pos) + "    "}
    return {"status": "complete"}


def _matching_open(code: str, close: int) -> int | None:
    """Position of the `(` matching the `)` at `close` (brackets only)."""
    depth = 0
    for i in range(close, -1, -1):
        if code[i] == ")":
            depth += 1
        elif code[i] == "(":
            depth -= 1
            if depth == 0:
                return i
    return None


# ---------------------------------------------------------------------------
# The cell being typed


def _byte_offset(code: str, pos: int) -> int:
    return len(code[:pos].encode("utf-8", "surrogateescape"))


def _name_node(node):
    while node is not None and node.type not in ("identifier", "type_identifier", "field_identifier"):
        inner = node.child_by_field_name("declarator")
        if inner is None and node.type == "parenthesized_declarator":
            inner = next(iter(node.named_children), None)
        node = inner
    return node


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
            name_node = _name_node(target)
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
                    self.names[n.text.decode()] = ("macro", self.text(node).strip())
            elif t == "type_definition":
                for d in node.children_by_field_name("declarator"):
                    name = d.text.decode() if d.type == "primitive_type" else declarator_name(d)[0]
                    if name:
                        self.names[name] = ("typedef", self.text(node))
            elif t in ("struct_specifier", "union_specifier", "enum_specifier"):
                tag = node.child_by_field_name("name")
                if tag is not None and node.child_by_field_name("body") is not None:
                    self.tags.add((t.split("_")[0], tag.text.decode()))
            elif t == "enumerator":
                n = node.child_by_field_name("name")
                if n is not None and n.end_byte < len(self.source):
                    self.names[n.text.decode()] = ("const", self.text(node))
            stack.extend(reversed(node.children))


# ---------------------------------------------------------------------------
# Headers and the program model


def header_index(interp: Interpreter, extra_includes: list[str] = ()) -> HeaderIndex:
    """The index of the program's include lines plus the cell's own."""
    header, _ = interp.program.prelude()
    source = header + "".join(f"{line}\n" for line in extra_includes)
    compiler = interp.compiler
    return headers.index_for(compiler.gcc, compiler.flags(), source)


def _model_names(interp: Interpreter) -> dict[str, tuple[str, str]]:
    """name -> (kind, signature) of everything the notebook defines."""
    program = interp.program
    out: dict[str, tuple[str, str]] = {}
    for f in program.functions.values():
        out[f.name] = ("function", " ".join(f.prototype.split()))
    for v in program.variables.values():
        out[v.name] = ("variable", " ".join(v.decl.split()))
    for d in program.definitions:
        for kind, name in d.keys:
            if kind == "typedef":
                out[name] = ("typedef", " ".join(d.text.split()))
            elif kind == "macro":
                out[name] = ("macro", " ".join(d.text.split()))
            elif kind == "const":
                out[name] = ("const", name)
    return {k: v for k, v in out.items() if not k.startswith("__cellc")}


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
    if name.startswith("__cellc"):
        return False
    return name.startswith(prefix) and (prefix.startswith("_") or not name.startswith("_"))


# ---------------------------------------------------------------------------
# Types of expressions, from gcc


_probe_counter = itertools.count()
_probe_cache: dict[str, values.CType | None] = {}
_LOCAL_PREFIX = names.LOCAL_PREFIX


def _postfix_start(text: str, end: int) -> int | None:
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


def expression_type(interp: Interpreter, expr: str, scan: CellScan) -> values.CType | None:
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


def _compile_probe(interp: Interpreter, header: str, body: str) -> values.CType | None:
    name = f"probe{next(_probe_counter)}"
    try:
        obj, _ = interp.compiler.compile(name, header, body, "<probe>")
    except (CompileError, OSError):
        return None
    try:
        return values.load_variable_type(str(obj), names.PROBE)
    except OSError:
        return None
    finally:
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
    return [(name, values.type_name(ftype)) for name, ftype in values.struct_fields(t)]


# ---------------------------------------------------------------------------
# complete_request

_MEMBER = re.compile(r"(\.|->)\s*([A-Za-z_]\w*)?$")


def complete(interp: Interpreter, code: str, cursor_pos: int, magics: list[str] = ()) -> dict:
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
        expr_start = _postfix_start(before, op_start)
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

    found: list[tuple[str, str, str]] = []
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


# ---------------------------------------------------------------------------
# inspect_request and ?name


def _object_of(interp: Interpreter, symbol: str):
    """The object file of the cell that defined a variable's symbol."""
    m = re.search(r"_(\d+)$", symbol)
    if not m:
        return None
    for suffix in (".so", ".o"):  # the linked object when there is one
        path = interp.compiler.workdir / f"cell{m.group(1)}{suffix}"
        if path.exists():
            return path
    return None


def variable_type(interp: Interpreter, name: str) -> values.CType | None:
    """The DWARF type of a notebook global, from the cell that defined it."""
    v = interp.program.variables.get(name)
    if v is None:
        return None
    obj = _object_of(interp, v.symbol)
    if obj is None:
        return None
    try:
        return values.load_variable_type(str(obj), name)
    except OSError:
        return None


VALUE_PEEK_LIMIT = 1 << 16


def global_value(interp: Interpreter, name: str) -> tuple[str, str] | None:
    """(current value, type name) of a notebook global, read from the live
    program's memory; None when it cannot be read."""
    v = interp.program.variables.get(name)
    ctype = variable_type(interp, name)
    if v is None or ctype is None:
        return None
    tname = values.type_name(ctype)
    size = values.strip_typedefs(ctype).size or ctype.size
    if not size:
        return None
    if size > VALUE_PEEK_LIMIT:
        return f"<{size} bytes>", tname
    try:
        executor = interp.executor
        address = executor.address(v.symbol)
        data = executor.peek(address, size) if address else None
        if data is None:
            return None

        return values.format_value(ctype, data, executor.peek, interp.symbolize), tname
    except Exception:  # noqa: BLE001 - a dead executor just means no value
        return None


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
            expr_start = _postfix_start(before, mem.start())
            expr = before[expr_start : mem.start()].strip() if expr_start is not None else ""
            if expr:
                base = expression_type(interp, expr, scan)
                for field_name, ftype in values.struct_fields(base) if base else []:
                    if field_name == name:
                        text = f"{values.type_name(ftype)} {name}\nMember of {values.type_name(base)} ({expr})."
                        break
        else:
            if tag:
                text = describe(interp, f"{tag.group(1)} {name}", scan, detail_level)
            text = text or describe(interp, name, scan, detail_level)
    if not text:
        return {"status": "ok", "found": False, "data": {}, "metadata": {}}
    return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}
