"""Names and prototypes declared by the headers a notebook includes.

Completion and inspection need to know what `#include <stdio.h>` brought
into scope: `printf`, its prototype, the header that declares it and the
comment glibc wrote above it.  We ask gcc itself (`gcc -E -dD -C` on the
program's include lines, with the cells' flags) so every macro, feature-test
switch and include path is honoured, then read the preprocessed text with
tree-sitter.  An index is built once per distinct include text and cached.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field

from . import toolchain
from .parse import declarator_name, node_text, parse_tree, required_field

_LINEMARKER = re.compile(rb'^# (\d+) "((?:[^"\\]|\\.)*)"')
_ATTRIBUTE = re.compile(r"\b__attribute__\s*\(\(")
_ASM = re.compile(r"\b__asm__\s*\(")


@dataclass
class HeaderSymbol:
    """One name a header declares."""

    name: str
    kind: str  # function | variable | typedef | macro | struct | union | enum | const
    text: str  # cleaned declaration, as a user would read it
    file: str  # the header's path
    line: int
    doc: str = ""

    def header(self) -> str:
        """`<stdio.h>` for a file in a system include directory, else its path."""
        return include_name(self.file)


@dataclass
class HeaderIndex:
    """What a set of includes declares: ordinary names and struct/union/enum tags."""

    names: dict[str, HeaderSymbol] = field(default_factory=dict)
    tags: dict[tuple[str, str], HeaderSymbol] = field(default_factory=dict)
    error: str = ""


@functools.lru_cache(maxsize=4)
def include_dirs(gcc: str = "gcc") -> tuple[str, ...]:
    """gcc's `#include <...>` search directories, most specific first."""
    try:
        proc = toolchain.run([gcc, "-xc", "-E", "-v", "-"], input="")
    except OSError:  # no gcc, or one that hangs (toolchain.ToolTimeout)
        return ()
    dirs: list[str] = []
    inside = False
    for line in proc.stderr.splitlines():
        if line.startswith("#include <...> search starts here"):
            inside = True
        elif line.startswith("End of search list"):
            break
        elif inside and line.startswith(" "):
            dirs.append(os.path.normpath(line.strip()))
    return tuple(dirs)


def include_name(path: str) -> str:
    """`/usr/include/x86_64-linux-gnu/bits/types/FILE.h` -> `<bits/types/FILE.h>`."""
    norm = os.path.normpath(path)
    for d in sorted(include_dirs(), key=len, reverse=True):
        if norm.startswith(d + os.sep):
            return f"<{norm[len(d) + 1 :]}>"
    return path


def header_files(prefix: str, extra_dirs: tuple[str, ...] = ()) -> list[str]:
    """Header names under the include directories that start with `prefix`
    (`sys/ty` -> `sys/types.h`); directories end with `/`."""
    head, _, stem = prefix.rpartition("/")
    out: set[str] = set()
    for base in (*extra_dirs, *include_dirs()):
        try:
            entries = os.listdir(os.path.join(base, head)) if head else os.listdir(base)
        except OSError:
            continue
        for e in entries:
            if not e.startswith(stem) or e.startswith("."):
                continue
            full = os.path.join(base, head, e)
            rel = f"{head}/{e}" if head else e
            if os.path.isdir(full):
                out.add(rel + "/")
            elif e.endswith((".h", ".hpp", ".def", ".inc")):
                out.add(rel)
    return sorted(out)


def clean_comment(comment: str) -> str:
    """The text of a C comment without `/*`, `*/`, `//` and leading `*` columns."""
    text = comment.strip()
    if text.startswith("//"):
        lines = [ln.strip()[2:].removeprefix(" ") if ln.strip().startswith("//") else ln for ln in text.splitlines()]
        return "\n".join(lines).strip()
    if text.startswith("/*"):
        text = text[2:]
        if text.endswith("*/"):
            text = text[:-2]
    lines = text.splitlines()
    cleaned = []
    for ln in lines:
        s = ln.strip()
        if s.startswith("*") and not s.startswith("*/"):
            s = s[1:].removeprefix(" ")
        cleaned.append(s)
    return "\n".join(cleaned).strip()


def _strip_balanced(text: str, pattern: re.Pattern, open_count: int) -> str:
    """Remove every `pattern ... )` construct (e.g. `__attribute__ ((...))`)."""
    while True:
        m = pattern.search(text)
        if not m:
            return text
        depth = open_count
        i = m.end()
        while i < len(text) and depth:
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                depth -= 1
            i += 1
        text = text[: m.start()] + text[i:]


def clean_declaration(text: str) -> str:
    """A header declaration as a reader wants it: no comments, attributes, asm
    names, `extern` or `__restrict`, one line, parameters without leading `__`."""
    text = re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)
    text = _strip_balanced(text, _ATTRIBUTE, 2)
    text = _strip_balanced(text, _ASM, 1)
    text = re.sub(r"\b(extern|__extension__|__inline|__inline__)\b", " ", text)
    text = re.sub(r"\b__restrict\b|\b__restrict__\b", "restrict", text)
    text = re.sub(r"\b__(\w+)\s*(?=[,)\[])", r"\1", text)  # parameter names: __format -> format
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*([,;])", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+\)", ")", text)
    text = re.sub(r"(\w)\s+\(", r"\1(", text)
    return text.rstrip(";").strip()


_DIRECTIVE = re.compile(rb"^\s*#\s*(define|undef)\s+([A-Za-z_]\w*)(.*)$")


@dataclass
class _Macro:
    name: str
    text: str
    file: str
    line: int
    doc: str


def _preprocess(
    gcc: str, flags: tuple[str, ...], source: str
) -> tuple[bytes, list[tuple[str, int]], list[_Macro], str]:
    """`gcc -E -dD -C` of `source`.

    Returns the C text with line markers and `#define`/`#undef` lines blanked
    (tree-sitter-c cannot parse a directive inside an enum body), where each
    line came from, the macros in order, and gcc's error text."""
    try:
        proc = toolchain.run(
            [gcc, *flags, "-E", "-dD", "-C", "-x", "c", "-"],
            input=source.encode("utf-8", "surrogateescape"),
            text=False,
        )
    except toolchain.ToolTimeout as e:
        return b"", [], [], str(e)
    error = proc.stderr.decode("utf-8", "replace") if proc.returncode != 0 else ""
    lines_out: list[bytes] = []
    where: list[tuple[str, int]] = []
    macros: list[_Macro] = []
    file, line = "<stdin>", 1
    for raw in proc.stdout.split(b"\n"):
        m = _LINEMARKER.match(raw)
        if m:
            file, line = m.group(2).decode("utf-8", "replace"), int(m.group(1))
            lines_out.append(b"")
            where.append((file, 0))
            continue
        d = _DIRECTIVE.match(raw)
        if d:
            name = d.group(2).decode()
            if d.group(1) == b"define":
                doc = _comment_before(lines_out)
                text = raw.decode("utf-8", "replace").strip()
                macros.append(_Macro(name, re.sub(r"\s+", " ", text), file, line, doc))
            else:
                macros.append(_Macro(name, "", file, line, ""))
            raw = b""
        lines_out.append(raw.rstrip())
        where.append((file, line))
        line += 1
    return b"\n".join(lines_out), where, macros, error


def _comment_before(lines: list[bytes]) -> str:
    """The `/* ... */` comment that ends on the last of `lines`, if any."""
    if not lines or not lines[-1].rstrip().endswith(b"*/"):
        return ""
    for i in range(len(lines) - 1, max(len(lines) - 40, -1), -1):
        start = lines[i].find(b"/*")
        if start >= 0:
            if lines[i][:start].strip():  # a trailing comment of some code
                return ""
            text = b"\n".join([lines[i][start:], *lines[i + 1 :]]).decode("utf-8", "replace")
            return clean_comment(text)
    return ""


def _specifiers(source: bytes, node, first_declarator) -> str:
    parts = [
        source[c.start_byte : c.end_byte].decode("utf-8", "replace")
        for c in node.children
        if c.end_byte <= first_declarator.start_byte and c.type not in ("storage_class_specifier",)
    ]
    return " ".join(parts)


def build_index(gcc: str, flags: tuple[str, ...], source: str) -> HeaderIndex:
    """Index what `source` (include lines and macros) declares."""
    text, where, macros, error = _preprocess(gcc, flags, source)
    index = HeaderIndex(error=error)
    tree = parse_tree(text)
    pending_doc = ""
    pending_end_row = -2
    last_added: list[HeaderSymbol] = []

    def located(node) -> tuple[str, int]:
        row = node.start_point[0]
        return where[row] if row < len(where) else ("?", 0)

    def add(name: str, kind: str, decl: str, node, doc: str) -> None:
        if not name:
            return
        file, line = located(node)
        sym = HeaderSymbol(name, kind, decl, file, line, doc)
        last_added.append(sym)
        if kind in ("struct", "union", "enum"):
            index.tags.setdefault((kind, name), sym)
            return
        index.names.setdefault(name, sym)  # the first declaration wins

    def add_specifier(spec, doc: str) -> None:
        if spec is None or spec.type not in ("struct_specifier", "union_specifier", "enum_specifier"):
            return
        body = spec.child_by_field_name("body")
        tag = spec.child_by_field_name("name")
        kind = spec.type.split("_")[0]
        if body is None:
            return
        if tag is not None:
            t = spec.text.decode("utf-8", "replace")
            add(
                tag.text.decode(),
                kind,
                clean_declaration(t) if len(t) < 2000 else f"{kind} {tag.text.decode()} {{ ... }}",
                spec,
                doc,
            )
        if kind == "enum":
            for e in body.named_children:
                if e.type == "enumerator":
                    n = e.child_by_field_name("name")
                    if n is not None:
                        add(n.text.decode(), "const", clean_declaration(e.text.decode("utf-8", "replace")), e, "")

    previous_end_row = -1
    for node in tree.root_node.children:
        t = node.type
        if t == "comment":
            comment = clean_comment(node_text(node).decode("utf-8", "replace"))
            if node.start_point[0] == previous_end_row:
                # `extern FILE *stdout;  /* Standard output stream.  */`
                for sym in last_added:
                    sym.doc = sym.doc or comment
            else:
                # a comment documents the item that starts on the next line
                pending_doc = comment
                pending_end_row = node.end_point[0]
            continue
        doc = pending_doc if node.start_point[0] - pending_end_row <= 1 else ""
        pending_doc = ""
        previous_end_row = node.end_point[0]
        last_added.clear()
        if t == "declaration":
            decls = node.children_by_field_name("declarator")
            add_specifier(node.child_by_field_name("type"), doc)
            for d in decls:
                target = required_field(d, "declarator") if d.type == "init_declarator" else d
                name, is_function = declarator_name(target)
                spec = _specifiers(text, node, decls[0])
                decl = clean_declaration(f"{spec} {node_text(target).decode('utf-8', 'replace')}")
                add(name, "function" if is_function else "variable", decl, node, doc)
        elif t == "function_definition":
            decl_node = node.child_by_field_name("declarator")
            if decl_node is not None:
                name, _ = declarator_name(decl_node)
                spec = _specifiers(text, node, decl_node)
                add(
                    name,
                    "function",
                    clean_declaration(f"{spec} {node_text(decl_node).decode('utf-8', 'replace')}"),
                    node,
                    doc,
                )
        elif t == "type_definition":
            add_specifier(node.child_by_field_name("type"), doc)
            full = node_text(node).decode("utf-8", "replace")
            names = []
            for d in node.children_by_field_name("declarator"):
                # `typedef unsigned long size_t;`: tree-sitter reads size_t as a primitive type
                names.append(node_text(d).decode() if d.type == "primitive_type" else declarator_name(d)[0])
            for name in names:
                shown = clean_declaration(full) if len(full) < 400 else f"typedef ... {name}"
                add(name, "typedef", shown, node, doc)
        elif t in ("struct_specifier", "union_specifier", "enum_specifier"):
            add_specifier(node, doc)
    live: dict[str, _Macro] = {}
    for m in macros:
        if m.text:
            live[m.name] = m
        else:
            live.pop(m.name, None)
    for m in live.values():
        if m.name in index.names and re.fullmatch(rf"#define {m.name} {m.name}", m.text):
            continue  # `#define stdout stdout` after `extern FILE *stdout;`
        index.names[m.name] = HeaderSymbol(m.name, "macro", m.text, m.file, m.line, m.doc)
    return index


_cache: dict[str, HeaderIndex] = {}


def index_for(gcc: str, flags: list[str], source: str) -> HeaderIndex:
    """The (cached) index of `source`: the notebook's include lines."""
    key = hashlib.sha1((gcc + "\0" + " ".join(flags) + "\0" + source).encode("utf-8", "surrogateescape")).hexdigest()
    found = _cache.get(key)
    if found is None:
        if len(_cache) > 16:
            _cache.pop(next(iter(_cache)))
        found = _cache[key] = build_index(gcc, tuple(flags), source)
    return found
