"""Split a cell into top-level items with tree-sitter-c.

tree-sitter parses C without preprocessing, keeps byte ranges and tolerates
GNU C and errors, which is what a notebook cell needs: we never rewrite the
user's text wholesale, only cut it into items and patch names at known
byte offsets.  gcc stays the judge of validity: text that tree-sitter cannot
make sense of is passed through as a statement so gcc reports it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import tree_sitter_c
from tree_sitter import Language, Node, Parser, Tree

from . import names
from .ctext import C23_KEYWORDS, GNU_KEYWORDS, KEYWORDS

C_LANGUAGE = Language(tree_sitter_c.language())
_parsers = threading.local()  # a parser per thread: the Run All look-ahead parses on one of its own

#: gcc's type keywords tree-sitter-c reads as names (`_Bool (*f)(int);` as a call)
GCC_TYPES = frozenset(
    """_Bool __int128 __int128_t __uint128_t _Float16 _Float32 _Float64 _Float128 _Float32x _Float64x __float128
    __float80 __fp16 __bf16 _Decimal32 _Decimal64 _Decimal128""".split()
)
THREAD_WORDS = {"__thread", "thread_local"}  # as tree-sitter sees them (_Thread_local is masked)


def parse_tree(source: bytes) -> Tree:
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = Parser(C_LANGUAGE)
    return parser.parse(source)


def node_text(node: Node) -> bytes:
    """A node's source bytes.  tree-sitter gives `Node.text` as None only for a
    tree parsed through a read callback; every tree here is parsed from bytes."""
    text = node.text
    assert text is not None  # parse_tree always parses bytes
    return text


def required_field(node: Node, name: str) -> Node:
    """A child the grammar requires of `node` (an enumerator's `name`, a
    parameter's `type`): tree-sitter builds a node only when its rule matched,
    inserting a zero-width MISSING node for a token the text lacks."""
    child = node.child_by_field_name(name)
    assert child is not None, f"{node.type} without its {name}"
    return child


@dataclass
class Edit:
    """Replace source bytes [start, end) of an item (offsets relative to the cell)."""

    start: int
    end: int
    text: str


@dataclass
class Declarator:
    """One declared name of a declaration: a variable or a function."""

    name: str
    is_function: bool
    decl_text: str  # specifiers + declarator, without storage class or initializer
    init: str | None = None  # initializer text
    init_start: int = 0  # byte offset of the initializer in the cell
    end: int = 0  # byte offset just after the declarator (for asm labels)
    incomplete_array: bool = False
    signature: str = ""  # functions: the type, parameter names dropped
    attributes: str = ""  # `__attribute__`s between the declarator and its initializer
    name_start: int = 0  # byte offset of the name in the cell
    name_at: int = -1  # index of the name in decl_text
    # the type of `struct { ... } a, *b;`, defined in the declaration without a tag: what
    # decl_text starts with, one type for all its declarators, to be written once for them
    shared_spec: str = ""
    spec_defines: frozenset[str] = frozenset()  # the tags and enumerators defined inside shared_spec


@dataclass
class Item:
    """A top-level piece of a cell.

    kind is one of: include, define, undef, directive, type, typedef, function,
    declaration, statement, value, asm, verbatim (broken code left for gcc to judge).
    """

    kind: str
    start: int
    end: int
    text: str
    line: int  # 1-based line of start in the cell
    col: int  # 0-based column of start
    name: str = ""  # function/macro name
    keys: list[tuple[str, str]] = field(default_factory=list)  # what it provides
    uses: set[str] = field(default_factory=set)
    refs: set[str] = field(default_factory=set)  # needed along, in any order (a tag only pointed to)
    whole: set[str] = field(default_factory=set)  # types whose complete definition it needs (see _type_uses)
    declarators: list[Declarator] = field(default_factory=list)
    storage: set[str] = field(default_factory=set)
    edits: list[Edit] = field(default_factory=list)  # storage-class removal etc.
    name_range: tuple[int, int] = (0, 0)  # function name bytes
    name_at: int = -1  # function: index of its name in `prototype`
    signature: str = ""  # function: specifiers + declarator, normalized
    prototype: str = ""  # function: prototype text (no storage class)
    doc: str = ""  # leading comment
    split_type: Item | None = None  # struct defined inside a declaration
    nested_types: list[Item] = field(default_factory=list)  # tags defined inside its untagged type (`TypeReader`)
    unsupported: str = ""  # why what it declares cannot reach later cells (the cell fails saying so)

    def own_types(self) -> list[Item]:
        """The type items taken out of this declaration or function, in order."""
        return ([self.split_type] if self.split_type is not None else []) + self.nested_types


@dataclass
class ParsedCell:
    source: bytes
    items: list[Item]
    has_value: bool = False
    uses: set[str] = field(default_factory=set)  # names the cell refers to
    declared: set[str] = field(default_factory=set)  # names the cell itself declares
    # the `#define` lines of the headers' and -D flags' macros the cell changes (Front.read)
    outside_macros: dict[str, str] = field(default_factory=dict)


_IDENT = re.compile(r"\b(?:(struct|union|enum)\s+)?([A-Za-z_]\w*)")
_STRINGS = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|//[^\n]*|/\*.*?\*/', re.S)


def identifiers(text: str) -> set[str]:
    """Names in a C fragment (`struct P` as one name), outside strings and comments."""
    return {f"{kw} {name}" if kw else name for kw, name in _IDENT.findall(_STRINGS.sub(" ", text))}


_WORD = re.compile(r"[A-Za-z_]\w*\Z")


def _is_name_leaf(n: Node) -> bool:
    """An identifier, or a word tree-sitter-c reads as a keyword or literal
    that a header may define: `size_t` and `uint32_t` (primitive types),
    `NULL`, `true`, `bool`, `alignof`, `offsetof`, `static_assert`.
    Member names and labels are not names the prelude can provide."""
    if n.type in ("identifier", "type_identifier", "primitive_type"):
        return True
    if n.child_count or n.type in ("field_identifier", "statement_identifier", "string_content", "comment"):
        return False
    return bool(_WORD.match(n.type)) and bool(_WORD.match(node_text(n).decode("utf-8", "replace")))


def names_in_tree(root: Node) -> tuple[set[str], set[str]]:
    """(uses, declared) over a whole tree: identifiers and tags referred to,
    and those that declarations, parameters, enumerators and macros introduce.
    Member names after `.`/`->` are neither."""
    uses: set[str] = set()
    declared: set[str] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        t = n.type
        if _is_name_leaf(n):
            uses.add(node_text(n).decode())
        elif t in ("struct_specifier", "union_specifier", "enum_specifier"):
            tag = n.child_by_field_name("name")
            if tag is not None:
                name = f"{t.split('_')[0]} {node_text(tag).decode()}"
                (declared if n.child_by_field_name("body") is not None else uses).add(name)
                stack.extend(c for c in n.children if c != tag)  # the tag is no plain name
                continue
        elif t in ("preproc_arg", "preproc_params") or (t == "ERROR" and n.child_count == 0):
            uses |= identifiers(node_text(n).decode("utf-8", "replace"))
        elif t == "enumerator":
            declared.add(node_text(required_field(n, "name")).decode())
        elif t in ("preproc_def", "preproc_function_def"):
            declared.add(node_text(required_field(n, "name")).decode())
        if t == "preproc_params":
            declared |= identifiers(node_text(n).decode("utf-8", "replace"))
        for d in n.children_by_field_name("declarator") if n.child_count else ():  # `int a, b;`: each
            name_node = _name_node(d)
            if name_node is not None:
                declared.add(node_text(name_node).decode())
        stack.extend(n.children)
    return uses, declared


_CONTINUED_END = re.compile(r"(?:\\[ \t]*\n[ \t]*)*\\?[ \t]*(\n?)\Z")


def _logical_line(text: str) -> str:
    """A directive's text without a trailing line continuation: `#define X 1 \\`
    before a blank line ends there, and the kernel's next line must never be
    glued to it."""
    return _CONTINUED_END.sub(r"\1", text, count=1)


def _original(source: bytes, node: Node) -> str:
    """A node's text in the user's source; a masked word (see `_mask`) whole."""
    text = _text(source, node)
    if node.type in ("type_qualifier", "storage_class_specifier") and node.text in _STAND_INS:
        # a masked word: its stand-in may be shorter
        m = re.compile(rb"\w+").match(source, node.start_byte)
        if m:
            return m.group().decode()
    return text


def _text(source: bytes, node: Node) -> str:
    return _text_between(source, node.start_byte, node.end_byte)


def _text_between(source: bytes, start: int, end: int) -> str:
    return source[start:end].decode("utf-8", "replace")


_STATEMENTS_HEAD = b"void f(void) {\n"


def statements_tree(code: str) -> tuple[bytes, Node, int]:
    """`code`, top-level statements, parsed as a function body: (the bytes
    parsed, the tree's root, the offset where `code` starts in them)."""
    data = _STATEMENTS_HEAD + code.encode("utf-8", "surrogateescape") + b"\n}"
    return data, parse_tree(data).root_node, len(_STATEMENTS_HEAD)


def replace_ranges(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with byte ranges [start, end) replaced."""
    data = text.encode("utf-8", "surrogateescape")
    for start, end, new in sorted(set(edits), reverse=True):
        data = data[:start] + new.encode("utf-8", "surrogateescape") + data[end:]
    return data.decode("utf-8", "surrogateescape")


def rename(
    text: str,
    values: dict[str, str] | None = None,
    types: dict[str, str] | None = None,
    statement: bool = False,
    labels: dict[str, str] | None = None,
    enumerator_prefix: str = "",
) -> str:
    """`text` with names renamed as C sees them: ordinary identifiers by
    `values`, tags and typedef names by `types` (keys "struct pt", "T"),
    labels by `labels`, and with `enumerator_prefix` every enumerator it
    defines; members are left alone, macro bodies renamed by word.
    `statement`: `text` is top-level statements (parsed as a function body)."""
    values, types, labels = values or {}, types or {}, labels or {}
    if statement:
        data, root, offset = statements_tree(text)
    else:
        data, offset = text.encode("utf-8", "surrogateescape"), 0
        root = parse_tree(data).root_node
    edits: list[tuple[int, int, str]] = []
    words = {**values, **{k: v for k, v in types.items() if " " not in k}}

    def edit(node: Node, new: str) -> None:
        edits.append((node.start_byte - offset, node.end_byte - offset, new))

    stack = [root]
    while stack:
        n = stack.pop()
        t = n.type
        if n.start_byte < offset:  # the wrapper's own words
            stack.extend(n.children)
            continue
        if t in ("struct_specifier", "union_specifier", "enum_specifier"):
            tag = n.child_by_field_name("name")
            if tag is not None:
                key = f"{t.split('_')[0]} {node_text(tag).decode()}"
                if key in types:
                    edit(tag, types[key].split(" ", 1)[1])
            stack.extend(c for c in n.children if c != tag)
            continue
        if t == "enumerator" and enumerator_prefix:
            name = required_field(n, "name")
            edit(name, enumerator_prefix + node_text(name).decode())
        if t == "identifier" and node_text(n).decode() in values:
            edit(n, values[node_text(n).decode()])
        elif t == "statement_identifier" and node_text(n).decode() in labels:
            edit(n, labels[node_text(n).decode()])
        elif t == "type_identifier" and node_text(n).decode() in words:
            edit(n, words[node_text(n).decode()])
        elif t == "preproc_arg" or (t == "ERROR" and n.child_count == 0):
            raw = node_text(n).decode("utf-8", "surrogateescape")
            new = _rename_words(raw, words, types)
            if new != raw:
                edit(n, new)
            continue
        stack.extend(n.children)
    return replace_ranges(text, edits)


def _rename_words(text: str, words: dict[str, str], types: dict[str, str]) -> str:
    """`rename` for text tree-sitter does not parse (a macro's body)."""
    for key, new in types.items():
        if " " in key:
            kind, tag = key.split(" ", 1)
            text = re.sub(rf"\b{kind}\s+{re.escape(tag)}\b", new, text)
    if words:
        pattern = re.compile(r"(?<![\w.])(?<!->)(" + "|".join(map(re.escape, words)) + r")\b")
        text = pattern.sub(lambda m: words[m.group(1)], text)
    return text


def normalize(text: str) -> str:
    """Whitespace-insensitive form of a C fragment, for comparing types."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s*([*()\[\],;])\s*", r"\1", text)


def declarator_node(node: Node | None, members: bool = True) -> tuple[Node | None, bool]:
    """The name node a declarator declares (a member's name too, with
    `members`) and whether it declares a function: the one walk down
    `*`, `[]`, `()` and parentheses to the name."""
    stop = ("identifier", "type_identifier", "field_identifier") if members else ("identifier", "type_identifier")
    chain = []
    while node is not None and node.type not in stop:
        if node.type not in ("parenthesized_declarator", "attributed_declarator"):
            chain.append(node.type)
        inner = node.child_by_field_name("declarator")
        if inner is None and node.type in ("parenthesized_declarator", "attributed_declarator"):
            inner = next(iter(node.named_children), None)
        node = inner
    return node, node is not None and bool(chain) and chain[-1] == "function_declarator"


_STANDARD_ATTRIBUTES = {"maybe_unused": "unused", "nodiscard": "warn_unused_result", "_Noreturn": "noreturn"}


def gnu_attributes(text: str) -> str:
    """`[[gnu::aligned(16), maybe_unused]]` as `__attribute__((aligned(16), unused))`:
    a C2x attribute must start its declaration, and cellc's declarations start
    with `extern` or `static`.  Other vendors' attributes mean nothing to gcc."""
    inner, parts, depth, start = text.strip()[2:-2], [], 0, 0
    for i, ch in enumerate(inner + ","):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(inner[start:i].strip())
            start = i + 1
    out = []
    for part in filter(None, parts):
        part = re.sub(r"^(?:gnu|__gnu__)\s*::\s*", "", part)
        if "::" in part:
            continue
        word = re.match(r"\w+", part)
        out.append(_STANDARD_ATTRIBUTES.get(word.group(), word.group()) + part[word.end() :] if word else part)
    return f"__attribute__(({', '.join(out)}))" if out else ""


def declarator_name(node: Node | None) -> tuple[str, bool]:
    """Name declared by a declarator and whether it declares a function."""
    found, is_function = declarator_node(node)
    return (node_text(found).decode(), is_function) if found is not None else ("", False)


def _old_style_parameters(declarator: Node, body: Node | None) -> Node | None:
    """The identifier list of a K&R definition's declarator (`f(a, b)`), or
    None.  tree-sitter reads a lone `k` as an unnamed parameter of type `k`:
    it is a name when the body uses it as a value."""
    node: Node | None = declarator
    while node is not None and node.type != "function_declarator":
        node = node.child_by_field_name("declarator") or next(iter(node.named_children), None)
    params = node.child_by_field_name("parameters") if node is not None else None
    if params is None or not params.named_children:
        return None
    if any(c.type == "identifier" for c in params.named_children):
        return params
    lone = {
        node_text(required_field(c, "type"))
        for c in params.named_children
        if c.type == "parameter_declaration"
        and c.child_by_field_name("declarator") is None
        and required_field(c, "type").type == "type_identifier"
        and c.named_child_count == 1
    }
    if len(lone) != len(params.named_children) or body is None:
        return None
    values: set[bytes] = set()
    stack = [body]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            values.add(node_text(n))
        stack.extend(n.children)
    return params if lone <= values else None


def _name_node(node: Node | None) -> Node | None:
    return declarator_node(node, members=False)[0]


def _collect_uses(node: Node, out: set[str]) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        if _is_name_leaf(n):
            out.add(node_text(n).decode())
        elif n.type in ("struct_specifier", "union_specifier", "enum_specifier"):
            tag = n.child_by_field_name("name")
            if tag is not None:
                if n.child_by_field_name("body") is None:
                    out.add(f"{n.type.split('_')[0]} {node_text(tag).decode()}")
                stack.extend(c for c in n.children if c != tag)
                continue
        stack.extend(n.children)


_BEHIND_POINTER = frozenset(
    ("pointer_declarator", "abstract_pointer_declarator", "function_declarator", "abstract_function_declarator")
)
_DECLARATIONS = ("field_declaration", "declaration", "type_definition", "type_descriptor")
_WRAPPERS = ("init_declarator", "attributed_declarator", "parenthesized_declarator")


def _how_used(spec: Node) -> str:
    """How a declaration uses the type `spec` it starts with (a tag or a
    typedef name): "pointer" when every declarator points to it (or takes or
    returns it, as a parameter is) so a declaration of it is enough, "alias"
    when a typedef names the type itself, "value" when its complete type is
    needed (a member, an array element, sizeof)."""
    parent = spec.parent
    if parent is not None and parent.type == "parameter_declaration":
        return "pointer"
    if parent is None or parent.type not in _DECLARATIONS:
        return "value"
    declarators = parent.children_by_field_name("declarator")
    if not declarators or parent.child_by_field_name("type") != spec:
        return "value"
    outer = set()
    d: Node | None
    for d in declarators:
        while d is not None and d.type in _WRAPPERS:  # `(*p)`: the pointer inside decides
            d = d.child_by_field_name("declarator") or next(iter(d.named_children), None)
        outer.add(d.type if d is not None else "")
    if outer <= _BEHIND_POINTER:
        return "pointer"
    return "alias" if parent.type == "type_definition" and outer == {"type_identifier"} else "value"


def _type_uses(node: Node, item: Item) -> None:
    """What a type definition refers to, by what it needs of each: a tag only
    pointed to goes to `refs` (the prelude declares it ahead, so mutually
    recursive types need no order), a tag or typedef name held by value to
    `uses` and `whole` (defined before it, complete), a typedef name only
    pointed to to `uses`.  A typedef naming a tag as it is
    (`typedef struct node node_t;`) has the tag in `refs` and `whole`: it needs
    the struct with it, and what holds a node_t needs the struct first."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in ("struct_specifier", "union_specifier", "enum_specifier"):
            tag = n.child_by_field_name("name")
            if tag is not None:
                if n.child_by_field_name("body") is None:
                    name = f"{n.type.split('_')[0]} {node_text(tag).decode()}"
                    how = "value" if n.type == "enum_specifier" else _how_used(n)
                    (item.uses if how == "value" else item.refs).add(name)
                    if how == "alias":
                        item.whole.add(name)
                stack.extend(c for c in n.children if c != tag)
                continue
        elif n.type == "type_identifier":
            item.uses.add(node_text(n).decode())
            if _how_used(n) != "pointer":
                item.whole.add(node_text(n).decode())
        elif _is_name_leaf(n):
            item.uses.add(node_text(n).decode())
        stack.extend(n.children)


def _type_keys(spec: Node) -> list[tuple[str, str]]:
    """Keys a struct/union/enum specifier with a body defines."""
    keys: list[tuple[str, str]] = []
    kind = spec.type.split("_")[0]
    tag = spec.child_by_field_name("name")
    if tag is not None:
        keys.append((kind, node_text(tag).decode()))
    if kind == "enum":
        body = spec.child_by_field_name("body")
        for e in body.named_children if body is not None else []:
            if e.type == "enumerator":
                keys.append(("const", node_text(required_field(e, "name")).decode()))
    return keys


def _has_error(node: Node) -> bool:
    """Whether tree-sitter could not read `node`; an unnamed bit-field
    (`int : 0;`), which it reads with a MISSING member name, is C."""
    if not node.has_error:
        return False
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or (n.is_missing and not (n.type == "field_identifier" and _unnamed_bit_field(n))):
            return True
        stack.extend(c for c in n.children if c.has_error or c.is_missing)
    return False


def _unnamed_bit_field(missing: Node) -> bool:
    parent = missing.parent
    return (
        parent is not None
        and parent.type == "field_declaration"
        and any(c.type == "bitfield_clause" for c in parent.children)
    )


_TAG_BODY = re.compile(rb"\b(?:struct|union|enum)\b(?:\s*__attribute(?:__)?\s*\(\(.*?\)\))*(?:\s*\w+)?\s*\{", re.S)


def _tag_inside(source: bytes, node: Node) -> bool:
    """Whether a declaration defines a tag elsewhere than in its own type
    (`int n = sizeof(struct P { int a; });`, `int a[sizeof(enum { A, B })];`,
    `__typeof__(struct Q { int q; }) q;`): C gives that tag file scope."""
    top = _body_specifier(node)
    stack = [c for c in node.children if top is None or c.start_byte != top.start_byte]
    if top is not None:
        stack.extend(c for c in top.children if c.type not in ("field_declaration_list", "enumerator_list"))
    while stack:
        n = stack.pop()
        if n.type in ("struct_specifier", "union_specifier", "enum_specifier") and n.child_by_field_name("body"):
            return True
        if n.type in ("field_declaration_list", "compound_statement"):
            continue  # members' own types are the outer type's; a body's are local
        stack.extend(n.children)
    for m in _TYPEOF.finditer(source, node.start_byte, node.end_byte):  # masked from tree-sitter
        end = _close_paren(source, m.end() - 1) or node.end_byte
        if _TAG_BODY.search(source, m.end(), end):
            return True
    return False


_SCOPES = ("parameter_list", "compound_statement")  # a tag defined there is not of file scope


def _defined_inside(spec: Node) -> tuple[list[Node], set[str]]:
    """What a type specifier with a body defines inside it that C gives file
    scope: (the tagged struct, union and enum specifiers with a body, outermost
    first, not those inside them; the enumerators outside those)."""
    tagged: list[Node] = []
    enumerators: set[str] = set()
    stack = list(reversed(spec.children))
    while stack:
        n = stack.pop()
        if n.type in _SCOPES:
            continue
        if n.type in ("struct_specifier", "union_specifier", "enum_specifier") and n.child_by_field_name("body"):
            if n.child_by_field_name("name") is not None:
                tagged.append(n)
                continue
        elif n.type == "enumerator":
            enumerators.add(node_text(required_field(n, "name")).decode())
        stack.extend(reversed(n.children))
    return tagged, enumerators


def _tag_of(spec: Node) -> str:
    """`struct P` of a struct, union or enum specifier with a tag."""
    return f"{spec.type.split('_')[0]} {node_text(required_field(spec, 'name')).decode()}"


def _body_specifier(node: Node) -> Node | None:
    t = node.child_by_field_name("type")
    if t is not None and t.type in ("struct_specifier", "union_specifier", "enum_specifier"):
        if t.child_by_field_name("body") is not None:
            return t
    return None


_TYPEOF = re.compile(rb"\b(?:__typeof__|__typeof|typeof|_Atomic)\s*\(")
# Words tree-sitter-c does not know, and a word of the same length it reads
# the same way (a qualifier, a storage class).
_WORD_MASKS = {
    b"_Complex": b"volatile",
    b"__complex__": b"volatile   ",
    b"_Imaginary": b"volatile  ",
    b"_Thread_local": b"__thread     ",
}
_STAND_INS = {stand_in.strip() for stand_in in _WORD_MASKS.values()}
_MASKED_WORD = re.compile(rb"\b(?:" + b"|".join(_WORD_MASKS) + rb")\b")


_ALIGNAS = re.compile(rb"\b(?:_Alignas|alignas)\s*\(")
_AUTO_TYPE = re.compile(r"\b__auto_type\b")
_ATTRIBUTE = re.compile(rb"(?<=[\w)\]])\s*\b__attribute__\s*\(")
# Places gcc takes an `__attribute__` and tree-sitter-c does not: after `union`/`enum`,
# after a declarator's `*` (and its qualifiers), before a declarator after a `,`, and
# in a typedef between the type and the name.  Masked, they stay in the items' text.
_ATTRIBUTE_AFTER = re.compile(
    rb"(?:\b(?:union|enum)|\*(?:\s*\b(?:const|volatile|restrict|__restrict|__restrict__|_Atomic)\b)*|,)"
    rb"\s*(?=__attribute(?:__)?\s*\()"
)
_ANY_ATTRIBUTE = re.compile(rb"\b__attribute(?:__)?\s*\(")
_TYPEDEF_ATTRIBUTE = re.compile(rb"\btypedef\b[^;{}]*?\w\s*(?=__attribute(?:__)?\s*\()")
_ATTRIBUTE_IN_TYPE = re.compile(rb"(?:\b(?:struct|union|enum)|\*)\s*(__attribute__|__attribute)\s*\(")


def _close_paren(source: bytes, start: int) -> int | None:
    """Offset just after the ')' that closes the '(' at `start`."""
    depth = 0
    for i in range(start, len(source)):
        if source[i] == ord("("):
            depth += 1
        elif source[i] == ord(")"):
            depth -= 1
            if depth == 0:
                return i + 1
    return None


_TYPE_WORDS = frozenset(
    b"""char short int long float double signed unsigned void _Bool _Complex __int128 __complex__ struct union enum
    const volatile restrict _Atomic""".split()
) | {name.encode() for name in GCC_TYPES}


def _parenthesized_name(source: bytes, close: int) -> bool:
    """Whether the `)` at `close` ends a parenthesized declarator after a type
    (`signed char (g9)`), not a parameter list (`int f(void)`)."""
    depth, i = 0, close
    while i >= 0:
        depth += {ord(")"): 1, ord("("): -1}.get(source[i], 0)
        if depth == 0:
            break
        i -= 1
    before = re.search(rb"(\w+|\})\s*\Z", source[max(0, i - 64) : max(i, 0)])
    return i > 0 and before is not None and (before.group(1) in _TYPE_WORDS or before.group(1) == b"}")


def _mask(source: bytes) -> tuple[bytes, list[bytes]]:
    """The source as tree-sitter-c can read it, byte ranges unchanged, so the
    items still carry the user's text.  `typeof(expr)` and `_Atomic(T)` become
    `_` runs (tree-sitter reads `__typeof__(a + 1) b;` as a call), and the
    words of `_WORD_MASKS` their stand-ins.  Also returns the masked type texts."""
    out = bytearray(source)
    spans: list[bytes] = []
    ranges: list[tuple[int, int]] = []
    for m in _TYPEOF.finditer(source):
        end = _close_paren(source, m.end() - 1)
        span = source[m.start() : end] if end is not None else b"\n"
        if end is not None and b"\n" not in span:
            ranges.append((m.start(), end))
            spans.append(span)
    alignas = [
        (m.end(), _close_paren(source, m.end() - 1) or m.end()) for m in _ALIGNAS.finditer(source)
    ]  # `_Alignas(int __attribute__((aligned(16))))`
    for m in _ATTRIBUTE.finditer(source):  # `int x __attribute__((aligned(16))) = 3;`
        end = _close_paren(source, m.end() - 1)
        if end is not None and (
            re.match(rb"\s*=", source[end:])
            or (
                (source[m.start() - 1 : m.start()] != b")" or _parenthesized_name(source, m.start() - 1))
                and re.match(rb"\s*[;,]", source[end:])
            )
            or any(start <= m.start() and end < close for start, close in alignas)
        ):
            out[m.start() : end] = b" " * (end - m.start())
    for m in [*_ATTRIBUTE_AFTER.finditer(source), *_TYPEDEF_ATTRIBUTE.finditer(source)]:
        _mask_attributes(source, out, m.end())
    for m in _ATTRIBUTE_IN_TYPE.finditer(source):  # `struct __attribute__((packed)) P`, `int *__attribute__((x)) p`
        end = _close_paren(source, m.end() - 1)
        if end is not None:
            out[m.start(1) : end] = b" " * (end - m.start(1))
    for m in _MASKED_WORD.finditer(source):
        out[m.start() : m.end()] = _WORD_MASKS[m.group()]
    for start, end in ranges:  # last: what is inside (`struct __attribute__((packed)) P { ... }`) is not looked at
        out[start:end] = b"_" * (end - start)
    return bytes(out), spans


def _mask_attributes(source: bytes, out: bytearray, at: int) -> None:
    """Blank the run of `__attribute__((...))` starting at `at` in `out`."""
    while (m := _ANY_ATTRIBUTE.match(source, at)) is not None:
        end = _close_paren(source, m.end() - 1)
        if end is None:
            return
        out[at:end] = b" " * (end - at)
        space = re.match(rb"\s*", source[end:])
        assert space is not None  # `\s*` matches the empty string
        at = end + len(space.group())


# What the item boundaries depend on, token by token: comments, strings and
# directives are skipped whole; words and other bytes count as significant.
_BOUNDARY_TOKEN = re.compile(
    rb'(?P<skip>//[^\n]*|/\*.*?(?:\*/|\Z)|"(?:\\.|[^"\\\n])*"?|\'(?:\\.|[^\'\\\n])*\'?)'
    rb"|(?P<directive>(?:^|(?<=\n))[ \t]*#(?:[^\n\\]|\\.)*)"
    rb"|(?P<word>[A-Za-z_]\w*)"
    rb"|(?P<other>[^\s])",
    re.S,
)
_AFTER_PARAMETERS = {b"__attribute__", b"__attribute", b"__asm__", b"__asm", b"asm"}  # not K&R declarations
_WORD_TOKEN = re.compile(rb"[A-Za-z_]\w*|\)")  # a function's name, or the `)` of `(*f(x))(int) int x;`
# words whose parenthesized operand is no parameter list: `__attribute__((used)) g10[4];` declares no K&R function
_NOT_PARAMETERS = {
    *_AFTER_PARAMETERS,
    *(
        b"_Alignas alignas __typeof__ __typeof typeof typeof_unqual __typeof_unqual__ _Atomic sizeof _Alignof "
        b"alignof __alignof__ _Static_assert static_assert _Generic __declspec __extension__ return"
    ).split(),
}


def top_level_starts(source: bytes):
    """Offsets where a top-level item may start, as the C grammar reads braces
    (outside comments, strings and directives): the cell's start, and after a
    `;` or a `}` that ends a body at the top level, or a directive's line."""
    depth, start = 0, True
    block_ends_item = False  # whether the top-level `{` open now is a body (not `struct S {`, `= {`)
    last = b";"  # the last significant token at the top level
    parameters = False  # in K&R parameter declarations (`f(a) int a; {`), whose `;` end no item
    opened_after = closed_after = b""  # the token before the top-level `(` open now, and the last one closed
    for m in _BOUNDARY_TOKEN.finditer(source):
        kind, token = m.lastgroup, m.group()
        if kind == "directive":
            start = start or depth == 0
            continue
        if kind == "skip" and not token.startswith((b'"', b"'")):
            continue  # a comment
        if depth == 0 and start:
            yield m.start()
            start = False
        if depth == 0 and last == b")" and kind == "word" and token not in _AFTER_PARAMETERS:
            # `f(a, b) int a;`: the parentheses follow the function's name, not `=` (a cast) or an attribute
            parameters = parameters or (
                _WORD_TOKEN.fullmatch(closed_after) is not None and closed_after not in _NOT_PARAMETERS
            )
        if token == b"{" and depth == 0:
            block_ends_item = last in (b")", b";", b"else", b"do")
            parameters = False
        if token in (b"(", b"{", b"["):
            if depth == 0 and token == b"(":
                opened_after = last
            depth += 1
        elif token in (b")", b"}", b"]"):
            depth = max(depth - 1, 0)
            start = depth == 0 and token == b"}" and block_ends_item
            if depth == 0 and token == b")":
                closed_after = opened_after
        elif token == b";" and depth == 0 and not parameters:
            start = True
        if depth == 0 or depth == 1 and token in (b"(", b"{", b"["):
            last = token


_QUALIFIERS = rb"(?:static|extern|inline|__inline|__inline__|_Noreturn|const|volatile|register)\s+"
_IMPLICIT_INT_HEAD = re.compile(rb"((?:" + _QUALIFIERS + rb")*)([A-Za-z_]\w*)\s*\(")
_IMPLICIT_INT_OBJECT = re.compile(rb"((?:" + _QUALIFIERS + rb")+)([A-Za-z_]\w*)\s*[;=,\[]")
_NOT_A_NAME = KEYWORDS | GNU_KEYWORDS | C23_KEYWORDS


def _implicit_int_heads(source: bytes) -> list[tuple[int, int]]:
    """(start, name offset) of each definition without a type, which C90
    reads as `int` and gcc takes with a warning: functions, `main() { ... }`,
    `static f(k) int k; { ... }` (at the top level `NAME(...) {` is nothing
    else, a statement macro aside, which the caller rules out), and objects
    with a storage class or qualifier, `static count;` (without one, `x = 1;`
    is a statement of the cell)."""
    heads = []
    for start in top_level_starts(source):
        m = _IMPLICIT_INT_OBJECT.match(source, start)
        if m is not None and m.group(2).decode() not in _NOT_A_NAME:
            heads.append((start, m.start(2)))
            continue
        m = _IMPLICIT_INT_HEAD.match(source, start)
        if m is None or m.group(2).decode() in _NOT_A_NAME:
            continue
        close = _close_paren(source, m.end() - 1)
        rest = source[close:] if close is not None else b""
        # `{`, or K&R parameter declarations `int a; char *b;` and then `{`
        if re.match(rb"(?:\s|/\*.*?\*/|//[^\n]*)*(?:[A-Za-z_][^{};()]*(?:\([^{};]*\)[^{};()]*)*;\s*)*\{", rest, re.S):
            heads.append((start, m.start(2)))
    return heads


def _item_at(kind: str, source: bytes, node: Node, end: int) -> Item:
    """An item of `kind` from `node`'s start to `end` (past the `;` tree-sitter may leave as a node of its own)."""
    return Item(
        kind,
        node.start_byte,
        end,
        source[node.start_byte : end].decode("utf-8", "replace"),
        node.start_point[0] + 1,
        node.start_point[1],
    )


class TypeReader:
    """Reads the types a cell defines into items: on their own (`struct P
    { ... };`), by typedef, and inside a declaration or a function, where C
    gives a tag file scope; each of those becomes a type item of its own, so
    later cells see it as any type and it takes part in redefinitions."""

    def __init__(self, source: bytes) -> None:
        self.source = source

    def definition(self, node: Node, end: int) -> Item:
        """`struct P { ... };`; `struct P;` declares no type of the notebook's, it is a directive."""
        item = _item_at("type", self.source, node, end)
        if node.child_by_field_name("body") is None:  # `struct P;` forward declaration
            item.kind = "directive"
            item.keys = [("directive", normalize(item.text))]
            return item
        item.keys = _type_keys(node)
        _type_uses(node, item)
        if not item.text.rstrip().endswith(";"):
            item.text += ";"
        return item

    def typedef(self, node: Node, end: int) -> Item:
        source = self.source
        item = _item_at("typedef", source, node, end)
        spec = _body_specifier(node)
        if spec is not None:
            item.keys.extend(_type_keys(spec))
        for d in node.children_by_field_name("declarator"):
            name, is_function = declarator_name(d)
            if name:
                item.keys.append(("typedef", name))
                if is_function:  # `typedef int handler_fn(int);` declares functions: `handler_fn f;`
                    item.keys.append(("functype", name))
        _type_uses(node, item)
        for m in _TYPEOF.finditer(source, node.start_byte, node.end_byte):  # masked for tree-sitter
            end = _close_paren(source, m.end() - 1) or node.end_byte
            item.uses |= identifiers(source[m.end() : end].decode("utf-8", "replace"))
        return item

    def _own_type(self, spec: Node) -> Item:
        """The type item of a tagged type defined inside a declaration."""
        item = _item_at("type", self.source, spec, spec.end_byte)
        item.text += ";"
        item.keys = _type_keys(spec)
        _type_uses(spec, item)
        return item

    def split_type(self, node: Node, item: Item) -> str | None:
        """`struct P { ... } p;` or `struct P { ... } mkP(int v) { ... }`: the
        struct becomes its own type item and the item says `struct P`."""
        spec_node = _body_specifier(node)
        tag = spec_node.child_by_field_name("name") if spec_node is not None else None
        if spec_node is None or tag is None:
            return None
        item.split_type = self._own_type(spec_node)
        spec = f"{spec_node.type.split('_')[0]} {node_text(tag).decode()}"
        item.edits.append(Edit(spec_node.start_byte, spec_node.end_byte, spec))
        return spec

    def nested_types(self, spec: Node, item: Item) -> tuple[str, frozenset[str]]:
        """`struct { struct span { int a, b; } r; enum { OFF, ON } m; } cur;`: a
        tag defined inside an untagged type has file scope, as if defined
        before it.  Each becomes a type item of its own (`item.nested_types`)
        and the type says `struct span r;`.  Returns the type's text so, and
        the names it still defines (enumerators; tags as well when one of
        them needs an enumerator defined before it in the type)."""
        tagged, enumerators = _defined_inside(spec)
        types = [self._own_type(n) for n in tagged]
        text = _text(self.source, spec)
        if any((t.uses | t.refs) & enumerators for t in types):  # `int a[K]` where K comes before: as written
            return text, frozenset(enumerators | {_tag_of(n) for n in tagged})
        item.nested_types = types
        edits = [(n.start_byte - spec.start_byte, n.end_byte - spec.start_byte, _tag_of(n)) for n in tagged]
        return replace_ranges(text, edits), frozenset(enumerators)


class DeclarationReader:
    """Reads one declaration or function definition into an `Item`: its
    specifiers, storage, declarators and signature, the types it defines along
    read by its `TypeReader`.  It holds the text twice, offset for offset:
    `source`, the user's bytes the items carry, and `masked`, what tree-sitter
    parsed (`_mask`), because the attributes the mask hid are read back from
    where the two differ.  A declaration read again from an edited copy of
    its text (`MisreadDeclarations`) gets a reader of that copy."""

    def __init__(self, source: bytes, masked: bytes) -> None:
        self.source = source
        self.masked = masked
        self.types = TypeReader(source)

    def function(self, node: Node, end: int, declared: set[str]) -> Item:
        source = self.source
        item = _item_at("function", source, node, end)
        decl = node.child_by_field_name("declarator")
        name_node, is_function = declarator_node(decl, members=False)
        if name_node is None or decl is None or not is_function:
            item.kind = "statement"  # `CHECK(x) { ... }`: a macro of a header, not a function `x`
            return item
        item.name = node_text(name_node).decode()
        declared.add(item.name)
        item.name_range = (name_node.start_byte, name_node.end_byte)
        self._storage(node, item)
        for c in node.children:  # `__extension__ int f(void) {...}`: it may not follow the `static` it gets
            if c.text == b"__extension__":
                item.edits.append(Edit(c.start_byte, c.end_byte, " " * (c.end_byte - c.start_byte)))
            elif c.type == "attribute_declaration":
                item.edits.append(Edit(c.start_byte, c.end_byte, gnu_attributes(_original(source, c))))
        spec = self._spec_text(node, decl, self.types.split_type(node, item))
        item.prototype = f"{spec} {_text(source, decl)}"
        item.name_at = len(spec) + 1 + len(_text_between(source, decl.start_byte, name_node.start_byte))
        item.signature = normalize(self._signature(spec, decl, name_node))
        old_style = _old_style_parameters(decl, node.child_by_field_name("body"))
        if old_style is not None:  # `f(a, b) int a; ...`: declared elsewhere as `f()`, as C reads it
            cut = (old_style.start_byte - decl.start_byte + 1, old_style.end_byte - decl.start_byte - 1)
            text = _text(source, decl)
            item.prototype = f"{spec} {text[: cut[0]]}{text[cut[1] :]}"
            item.signature = normalize(f"{spec} @()")
        item.keys = [("function", item.name)]
        if re.search(r"\balways_inline\b", item.prototype):
            item.kind = "inline"
            item.keys = [("inline", item.name)]
            item.edits = []
            _collect_uses(node, item.uses)
        return item

    def declaration(self, node: Node, end: int, declared: set[str]) -> Item:
        source = self.source
        item = _item_at("declaration", source, node, end)
        self._storage(node, item)
        decls = node.children_by_field_name("declarator")
        spec_node = _body_specifier(node)
        spec_override = self.types.split_type(node, item)
        if not decls:
            # e.g. `struct P { ... };` with qualifiers, or `int;`
            item.kind = "type" if spec_node is not None else "directive"
            item.keys = _type_keys(spec_node) if spec_node is not None else [("directive", normalize(item.text))]
            if spec_node is not None:
                _type_uses(node, item)
            return item
        spec = self._spec_text(node, decls[0], spec_override)
        anonymous = spec_node is not None and spec_override is None  # `struct { ... } a, b;`
        defines: frozenset[str] = frozenset()
        if spec_node is not None and anonymous:
            written = _text(source, spec_node)
            hoisted, defines = self.types.nested_types(spec_node, item)
            if written in spec:
                spec = spec.replace(written, hoisted, 1)
            elif item.nested_types:  # not as written: the tags are left where they are
                defines |= {_tag_of(n) for n in _defined_inside(spec_node)[0]}
                item.nested_types = []
        for d in decls:
            init = None
            init_start = 0
            attributes = ""
            target = d
            if d.type == "init_declarator":
                target = required_field(d, "declarator")
                value = d.child_by_field_name("value")
                if value is not None:
                    init = _text(source, value)
                    init_start = value.start_byte
            name, is_function = declarator_name(target)
            if not name:  # gcc sees a name here: it would reach no later cell
                item.unsupported = "cellc cannot read this declaration: what it declares would not reach later cells"
                continue
            attributes = self._masked_attributes(target.end_byte)
            declared.add(name)
            spec_of = spec
            if init is not None and _AUTO_TYPE.search(spec):
                # `__auto_type x = e;`: later cells declare `x` with e's type, as gcc
                # deduces it (the comma converts e as an initializer does)
                spec_of = _AUTO_TYPE.sub(f"__typeof__(((void)0, ({init})))".replace("\\", "\\\\"), spec, count=1)
            # `int a, __attribute__((aligned(8))) b;`: b's own, masked before it
            head = f"{spec_of} {self._attributes_before(d.start_byte)}".rstrip()
            decl_text = f"{head} {_text(source, target)}"
            incomplete = bool(re.search(r"\[\s*\]", _text(source, target)))
            signature = ""
            name_node = _name_node(target)
            assert name_node is not None  # `name` is its text: a declaration declares no member names
            if is_function:
                signature = normalize(self._signature(spec, target, name_node))
            item.declarators.append(
                Declarator(
                    name,
                    is_function,
                    decl_text,
                    init,
                    init_start,
                    target.end_byte,
                    incomplete,
                    signature,
                    attributes,
                    name_node.start_byte,
                    len(head) + 1 + len(_text_between(source, target.start_byte, name_node.start_byte)),
                    spec if anonymous and decl_text.startswith(spec) else "",
                    defines,
                )
            )
        return item

    @staticmethod
    def _storage(node: Node, item: Item) -> None:
        for c in node.children:
            if c.type == "storage_class_specifier":
                word = node_text(c).decode()
                item.storage.add(word)
                if word in THREAD_WORDS:
                    continue  # part of the type, for every cell that declares it
                item.edits.append(Edit(c.start_byte, c.end_byte, " " * (c.end_byte - c.start_byte)))

    def _spec_text(self, node: Node, first_decl: Node, spec_override: str | None) -> str:
        source = self.source
        if spec_override is not None:
            quals = [
                gnu_attributes(_original(source, c)) if c.type == "attribute_declaration" else _original(source, c)
                for c in node.children
                if c.end_byte <= first_decl.start_byte
                and (
                    c.type in ("type_qualifier", "attribute_specifier", "attribute_declaration")
                    or c.type == "storage_class_specifier"
                    and node_text(c).decode() in THREAD_WORDS
                )
                and c.text != b"__extension__"
            ]
            return " ".join(quals + [spec_override])
        parts = [
            gnu_attributes(_original(source, c)) if c.type == "attribute_declaration" else _original(source, c)
            for c in node.children
            if c.end_byte <= first_decl.start_byte
            and (c.type != "storage_class_specifier" or node_text(c).decode() in THREAD_WORDS)
            and c.text != b"__extension__"  # only at the start of a declaration: not after `extern`
        ]
        return " ".join(parts)

    def _signature(self, spec: str, decl: Node, name_node: Node) -> str:
        """The function's type with parameter names dropped, for comparing."""
        source = self.source
        text = source[decl.start_byte : name_node.start_byte] + b"@" + source[name_node.end_byte : decl.end_byte]
        params = []
        stack = [decl]
        while stack:
            n = stack.pop()
            if n.type == "parameter_declaration":
                d = n.child_by_field_name("declarator")
                nn = _name_node(d)
                if nn is not None:
                    params.append((nn.start_byte, nn.end_byte))
                continue
            stack.extend(n.children)
        out = bytearray(text)
        base = decl.start_byte
        shift = (name_node.end_byte - name_node.start_byte) - 1
        for s, e in sorted(params, reverse=True):
            s2, e2 = s - base, e - base
            if s >= name_node.end_byte:
                s2, e2 = s2 - shift, e2 - shift
            out[s2:e2] = b""
        return f"{spec} {out.decode('utf-8', 'replace')}"

    def _masked_attributes(self, start: int) -> str:
        """The `__attribute__`s after a declarator that `_mask` hid from tree-sitter."""
        m = re.compile(rb"\s*").match(self.masked, start)
        assert m is not None  # `\s*` matches the empty string
        end = m.end()
        text = self.source[start:end]
        return " " + text.decode("utf-8", "replace").strip() if text.strip() else ""

    def _attributes_before(self, end: int) -> str:
        """The `__attribute__`s `_mask` hid from tree-sitter just before a declarator."""
        start = end
        while start > 0 and self.masked[start - 1 : start].isspace():
            start -= 1
        text = self.source[start:end].decode("utf-8", "replace").strip()
        return text if text.startswith("__attribute") else ""


_TYPE_THEN_PAREN = re.compile(rb"((?:__extension__\s+|\[\[.*?\]\]\s*)*)([A-Za-z_]\w*)[ \t\n]*\(", re.S)
_STAND_IN = b"max_align_t"  # a type tree-sitter knows, which no attribute before it says


class MisreadDeclarations:
    """The declarations of a cell tree-sitter-c cannot read as written, read
    again from an edited copy of their text (with a `DeclarationReader` of that
    copy), their offsets mapped back to the cell: definitions without a type,
    which C90 reads as `int`, and declarations whose type is a name
    tree-sitter does not know is one (`T (*fp)(int) = 0;` reads as a call)."""

    def __init__(self, source: bytes, masked: bytes) -> None:
        self.source = source
        self.masked = masked

    def implicit_int(self, is_macro: Callable[[str], bool]) -> list[tuple[Item, Node]]:
        """Items of the definitions without a type (`_implicit_int_heads`),
        and the root of each one's parse: each is parsed on its own with
        `int ` written before its name, and its offsets are mapped back to
        the cell."""
        source, masked = self.source, self.masked
        out = []
        for start, name_at in _implicit_int_heads(masked):
            word = re.match(rb"\w+", masked[name_at:])
            assert word is not None  # `_implicit_int_heads` found a name there
            name = word.group().decode()
            if is_macro(name):
                continue
            head = name_at - start
            text = masked[start:name_at] + b"int " + masked[name_at:]
            root = parse_tree(text).root_node
            node = root.children[0] if root.child_count else None
            if node is None or node.type not in ("function_definition", "declaration") or node.has_error:
                continue

            def moved(offset: int, head=head, start=start) -> int:
                return start + (offset if offset <= head else offset - 4)

            reader = DeclarationReader(source[start:name_at] + b"int " + source[name_at:], text)
            if node.type == "function_definition":
                item = reader.function(node, node.end_byte, set())
            else:
                item = reader.declaration(node, node.end_byte, set())
            if item.kind not in ("function", "declaration"):
                continue
            item.start, item.end = start, moved(node.end_byte)
            item.text = source[item.start : item.end].decode("utf-8", "replace")
            item.line = source.count(b"\n", 0, start) + 1
            item.col = start - (source.rfind(b"\n", 0, start) + 1)
            item.name_range = (moved(item.name_range[0]), moved(item.name_range[1]))
            _move_offsets(item, moved)
            out.append((item, node))
        return out

    def typed(
        self, node: Node, end: int, declared: set[str], is_type: Callable[[str], bool]
    ) -> tuple[Item, Node] | None:
        """`T (*fp)(int) = 0;`, `T (x);` where T names a type (`is_type`, `_Bool`,
        `typeof(x)`): a declaration, as gcc reads it, which tree-sitter, not
        knowing T, reads as a call.  It is parsed again with a type tree-sitter
        knows in T's place (`_STAND_IN`), and its offsets and texts are mapped
        back; returns its item and the root of that parse, or None when T is
        no type or that is no declaration."""
        source = self.source
        m = _TYPE_THEN_PAREN.match(self.masked, node.start_byte)
        if m is None:
            return None
        start, at, cut = node.start_byte, m.start(2), m.end(2)  # `__extension__`, `[[...]]` may come before T
        name = _text_between(source, at, cut)  # `typeof(x)` and `_Atomic(int)` are masked as one word
        masked_type = not m.group(2).strip(b"_") and _TYPEOF.match(source, at) is not None
        if not (masked_type or name in GCC_TYPES or is_type(name)):
            return None
        head, shift = at - start + len(_STAND_IN), cut - at - len(_STAND_IN)
        masked = self.masked[start:at] + _STAND_IN + self.masked[cut:end]
        root = parse_tree(masked).root_node
        new = root.children[0] if root.child_count else None
        if new is None or new.type != "declaration" or _has_error(new) or new.end_byte != len(masked):
            return None

        def moved(offset: int) -> int:
            return start + (offset + shift if offset >= head else min(offset, at - start))

        reader = DeclarationReader(source[start:at] + _STAND_IN + source[cut:end], masked)
        item = reader.declaration(new, new.end_byte, declared)
        stand_in = re.compile(rb"\b%s\b" % _STAND_IN)
        if item.kind != "declaration" or not all(stand_in.search(d.decl_text.encode()) for d in item.declarators):
            return None
        item.start, item.end = start, end
        item.text = _text_between(source, start, end)
        item.line, item.col = node.start_point[0] + 1, node.start_point[1]
        _move_offsets(item, moved)
        for d in item.declarators:
            d.decl_text = stand_in.sub(name.encode(), d.decl_text.encode(), count=1).decode()
            d.signature = stand_in.sub(name.encode(), d.signature.encode(), count=1).decode()
            d.name_at += shift
            d.name_start = moved(d.name_start)
        return item, root


def _move_offsets(item: Item, moved: Callable[[int], int]) -> None:
    """Map the offsets of an item read from an edited copy back to the cell:
    its edits, and where each declarator and its initializer stand."""
    item.edits = [Edit(moved(e.start), moved(e.end), e.text) for e in item.edits]
    for d in item.declarators:
        d.end = moved(d.end)
        if d.init is not None:
            d.init_start = moved(d.init_start)


class Splitter:
    """Cuts cells into items; `is_value_name(name)` says whether an identifier
    is a known variable or function (to read `a * b;` as an expression), and
    `is_macro(name)` whether it is a macro (`CHECK(x) { ... }` is a statement).
    It decides what each top-level node is and where a trailing value is; a
    `DeclarationReader` reads declarations and functions, its `TypeReader`
    types, and `MisreadDeclarations` what tree-sitter misreads."""

    def __init__(
        self,
        is_value_name: Callable[[str], bool] = lambda name: False,
        is_macro: Callable[[str], bool] = lambda name: False,
        joined: dict[int, int] | None = None,
        is_type: Callable[[str], bool] = lambda name: False,
    ) -> None:
        self.is_value_name = is_value_name
        self.is_macro = is_macro
        self.joined: dict[int, int] = joined or {}  # function definitions macros hide braces of (`brace_runs`)
        self.is_type = is_type  # whether a name is a typedef of the notebook's (or one gcc says is a type)
        self.cell_types: set[str] = set()  # the typedef names of the cell's items so far
        self.reparsed: list[Node] = []  # the trees of declarations parsed again (`MisreadDeclarations.typed`)

    def split(self, code: str) -> ParsedCell:
        source = code.encode("utf-8", "surrogateescape")
        masked, typeofs = _mask(source)
        self._reader = DeclarationReader(source, masked)
        self._misread = MisreadDeclarations(source, masked)
        implicit = self._misread.implicit_int(self.is_macro)
        if implicit:  # tree-sitter cannot read them: it parses the rest without them
            blanked = bytearray(masked)
            for item, _ in implicit:
                blanked[item.start : item.end] = _blanked(blanked[item.start : item.end])
            masked = bytes(blanked)
        tree = parse_tree(masked)
        nodes = [n for n in tree.root_node.children if n.end_byte > n.start_byte]  # no MISSING tokens
        value = None
        last = next((n for n in reversed(nodes) if n.type != "comment"), None)
        if last is not None and self._may_end_with_value(source, last):
            rest = [n for n in nodes if n.start_byte < last.start_byte]
            items = self._items(source, rest, last.start_byte)
            declared = {d.name for it in items for d in it.declarators} | {it.name for it in items}
            value = self._trailing_expression(source, last.start_byte, declared)
        if value is None:
            items = self._items(source, nodes, len(source))
        else:
            assert last is not None  # a value is only looked for after a last node
            text = source[last.start_byte : value].decode("utf-8", "replace")
            items.append(Item("value", last.start_byte, value, text, last.start_point[0] + 1, last.start_point[1]))
        uses, declared = names_in_tree(tree.root_node)
        for root in self.reparsed:
            declared |= names_in_tree(root)[1]
        for item, root in implicit:
            items.append(item)
            more_uses, more_declared = names_in_tree(root)
            uses |= more_uses
            declared |= more_declared
        items.sort(key=lambda item: item.start)
        for typeof in typeofs:
            uses |= identifiers(typeof.decode("utf-8", "replace"))
        uses -= {name for name in uses if not name.strip("_")}  # the masks themselves
        return ParsedCell(source, items, value is not None, uses, declared)

    @staticmethod
    def _may_end_with_value(source: bytes, last: Node) -> bool:
        if last.type.startswith("preproc"):
            return False
        return not source[: last.end_byte].rstrip().endswith(b";")  # `(struct P){ 1, 2 }` ends with `}`

    def _trailing_expression(self, source: bytes, start: int, declared: set[str]) -> int | None:
        """End offset of the cell's last piece if it is an expression missing its `;`.

        tree-sitter-c accepts few expressions at file scope, so the piece is
        parsed as the body of a function."""
        prefix = f"void {names.CELL_FUNCTION}(void) {{\n".encode()
        tree = parse_tree(prefix + source[start:] + b"\n;}")
        fn = tree.root_node.children[0] if tree.root_node.child_count else None
        body = fn.child_by_field_name("body") if fn is not None and fn.type == "function_definition" else None
        if body is None or tree.root_node.has_error:
            return None
        stmts = [c for c in body.named_children if c.type != "comment"]
        if len(stmts) != 1 or not self._is_expression(stmts[0], declared):
            return None
        expr_end = max(c.end_byte for c in stmts[0].children if c.type not in (";", "comment"))
        return start + expr_end - len(prefix)

    def _is_expression(self, node: Node, declared: set[str]) -> bool:
        if node.type == "expression_statement":
            return node.named_child_count > 0
        if node.type == "declaration":
            return self._declaration_is_statement(node, declared)
        return False

    def _declaration_is_statement(self, node: Node, declared: set[str]) -> bool:
        """`a * b;` and `f(x);` parse as declarations when tree-sitter cannot
        know that `a`/`f` is a variable or function; we can."""
        t = node.child_by_field_name("type")
        if t is None or t.type != "type_identifier":
            return False
        if any(c.type == "storage_class_specifier" or c.type == "type_qualifier" for c in node.children):
            return False
        name = node_text(t).decode()
        return name in declared or self.is_value_name(name)

    def _items(self, source: bytes, nodes: list[Node], limit: int) -> list[Item]:
        items: list[Item] = []
        declared: set[str] = set()
        self.cell_types, self.reparsed = set(), []
        pending_comment = ""
        i = 0
        while i < len(nodes):
            node = nodes[i]
            i += 1
            if node.start_byte >= limit:
                break
            if node.type == "comment":
                pending_comment = _text(source, node)
                continue
            if node.type == ";":
                continue
            end = node.end_byte
            if node.type == "function_definition" and node.start_byte in self.joined:
                end = self.joined[node.start_byte]  # its body as gcc reads it, past what tree-sitter saw
                while i < len(nodes) and nodes[i].start_byte < end:
                    i += 1
            # `struct P { ... };` comes as a specifier followed by a lone ';', and
            # `6 * 7;` as an ERROR followed by an empty statement.
            if node.type in ("struct_specifier", "union_specifier", "enum_specifier", "ERROR") and i < len(nodes):
                if nodes[i].type == ";" or (
                    nodes[i].type == "expression_statement" and nodes[i].named_child_count == 0
                ):
                    end = nodes[i].end_byte
                    i += 1
            item = self._item(source, node, end, declared)
            if item.kind == "typedef":
                self.cell_types |= {name for kind, name in item.keys if kind == "typedef"}
            item.doc = pending_comment if pending_comment else ""
            pending_comment = ""
            items.append(item)
        return items

    def _item(self, source: bytes, node: Node, end: int, declared: set[str]) -> Item:
        item = self._item_of(source, node, end, declared)
        if node.type.startswith("preproc"):
            item.text = _logical_line(item.text)
        if item.kind in ("declaration", "typedef", "type") and _tag_inside(source, node):
            item.unsupported = (
                "cellc cannot keep a struct, union or enum defined inside an expression, a typeof or a "
                "declarator for later cells; define it in a declaration of its own"
            )
        return item

    def _item_of(self, source: bytes, node: Node, end: int, declared: set[str]) -> Item:
        """What a top-level node is: a directive, a type, a function, a
        declaration, or a statement of the cell's run function."""
        reader, t = self._reader, node.type
        if t == "preproc_include":
            item = _item_at("include", source, node, end)
            item.keys = [("include", normalize(item.text))]
            return item
        if t in ("preproc_def", "preproc_function_def"):
            item = _item_at("define", source, node, end)
            item.name = node_text(required_field(node, "name")).decode()
            item.keys = [("macro", item.name)]
            return item
        if t == "preproc_call":
            item = _item_at("directive", source, node, end)
            directive = node_text(required_field(node, "directive")).decode()
            arg = node.child_by_field_name("argument")
            if directive == "#undef" and arg is not None:
                item.kind = "undef"
                item.name = _logical_line(node_text(arg).decode()).strip()
            item.keys = [("directive", normalize(item.text))]
            return item
        if t.startswith("preproc"):
            item = _item_at("directive", source, node, end)
            item.keys = [("directive", normalize(item.text))]
            return item
        if t in ("struct_specifier", "union_specifier", "enum_specifier"):
            return reader.types.definition(node, end)
        if t == "type_definition":
            return reader.types.typedef(node, end)
        if t == "function_definition":
            return reader.function(node, end, declared)
        if t == "expression_statement" and [c.type for c in node.named_children] == ["gnu_asm_expression"]:
            return _item_at("asm", source, node, end)
        if t in ("expression_statement", "attributed_statement"):
            typed = self._misread.typed(node, end, declared, lambda name: name in self.cell_types or self.is_type(name))
            if typed is not None:
                item, root = typed
                self.reparsed.append(root)
                return item
        if t in ("declaration", "type_definition") and _has_error(node):
            return _item_at("verbatim", source, node, end)  # gcc will say what is wrong
        if t == "declaration" and not self._declaration_is_statement(node, declared):
            return reader.declaration(node, end, declared)
        return _item_at("statement", source, node, end)


_CONDITIONALS = ("preproc_if", "preproc_ifdef")
_ALTERNATIVES = ("preproc_elif", "preproc_else", "preproc_elifdef")


def _branches(node: Node) -> list[tuple[int, int]]:
    """Byte ranges of the bodies of a top-level #if/#elif/#else chain."""
    out = []
    endif = next((c.start_byte for c in node.children if c.type == "#endif"), node.end_byte)
    while True:
        kids = node.children
        alt = node.child_by_field_name("alternative")
        # The body starts after the directive's line and ends where the next branch or #endif starts.
        head_end = next((c.end_byte for c in kids if c.type == "\n"), None)
        if head_end is None:
            cond = node.child_by_field_name("condition") or node.child_by_field_name("name")
            head_end = cond.end_byte if cond is not None else kids[0].end_byte
        tail = alt.start_byte if alt is not None else endif  # tree-sitter may leave text after `#else` outside it
        out.append((head_end, max(head_end, tail)))
        if alt is None or alt.type not in _ALTERNATIVES:
            return out
        node = alt


_DEFINES = ("preproc_def", "preproc_function_def")
_EVALUATED = (*_DEFINES, "preproc_call", "preproc_include")


def _blanked(data: bytes | bytearray) -> bytearray:
    """`data` with every byte but the line ends a space: lines stay where they were."""
    return bytearray(re.sub(rb"[^\n]", b" ", data))


def _directives_before(source: bytes, root: Node, node: Node) -> bytearray:
    """The cell up to the end of `node` as the preprocessor must see it to
    evaluate `node`: the top-level directives before it and `node` itself,
    everything else blank, on the cell's own lines."""
    probe = _blanked(source[: node.end_byte])
    for n in root.children:
        if n.end_byte <= node.start_byte and n.type in _EVALUATED:
            probe[n.start_byte : n.end_byte] = source[n.start_byte : n.end_byte]
    probe[node.start_byte : node.end_byte] = source[node.start_byte : node.end_byte]
    return probe


_LINE_DIRECTIVE = re.compile(rb"[ \t]*#[ \t]*line\b")
_PLAIN_LINE = re.compile(rb'[ \t]*#[ \t]*line[ \t]+\d+(?:[ \t]+"[^"\n]*")?[ \t]*\n?\Z')


def resolve_line_directives(code: str, evaluate) -> str:
    """The cell with each top-level `#line` whose operands are macros
    (`#line LINE`) written out as the preprocessor reads it (`#line 1000`), so
    the generator renumbers the cell's lines below it as gcc would in a file.
    `evaluate` is as for `resolve_conditionals`."""
    source = code.encode("utf-8", "surrogateescape")
    if not _LINE_DIRECTIVE.search(source):
        return code
    root = parse_tree(source).root_node
    out = bytearray(source)
    for n in reversed(root.children):
        text = source[n.start_byte : n.end_byte]
        if n.type != "preproc_call" or not _LINE_DIRECTIVE.match(text) or _PLAIN_LINE.match(text):
            continue
        probe = _directives_before(source, root, n)
        if not probe.endswith(b"\n"):
            probe += b"\n"
        mark = names.branch(0).encode()
        output = evaluate((bytes(probe) + mark + b" __LINE__ __FILE__\n").decode("utf-8", "surrogateescape"))
        said = (output or "").encode("utf-8", "surrogateescape")
        m = re.search(rb"^" + mark + rb' (\d+) ("(?:[^"\\]|\\.)*")', said, re.M)
        if m is None:
            continue  # gcc will say what is wrong with it
        file = b"" if m.group(2) == f'"{names.CELL_TEXT_FILE}"'.encode() else b" " + m.group(2)
        written = b"#line " + m.group(1) + file
        out[n.start_byte : n.end_byte] = written + b"\n" * max(text.count(b"\n"), 1 if text.endswith(b"\n") else 0)
    return bytes(out).decode("utf-8", "surrogateescape")


def resolve_conditionals(code: str, evaluate) -> str:
    """The cell with its top-level `#if`/`#ifdef` blocks reduced to the branch
    that is active now, so the items inside are split like any other.

    `evaluate(text)` preprocesses C text (with the notebook's macros in
    scope) and returns the output, or None if the preprocessor failed.  Blank space replaces the directives and
    the inactive branches, so byte offsets and line numbers do not move."""
    for _ in range(64):
        source = code.encode("utf-8", "surrogateescape")
        root = parse_tree(source).root_node
        block = next(
            (n for n in root.children if n.type in _CONDITIONALS and any(c.type == "#endif" for c in n.children)),
            None,
        )
        if block is None:
            return code
        branches = _branches(block)
        # The directives before the block and the block with each branch a
        # marker, all on their own lines: `__LINE__` and a `#line` mean there
        # what they mean in the cell.
        probe = _directives_before(source, root, block)
        for k, (start, end) in reversed(list(enumerate(branches))):
            own_line = source[start - 1 : start] == b"\n"
            lines = source.count(b"\n", start, end) - (not own_line)
            probe[start:end] = (b"" if own_line else b"\n") + names.branch(k).encode() + b"\n" * max(lines, 1)
        output = evaluate((bytes(probe) + b"\n").decode("utf-8", "surrogateescape"))
        if output is None:
            return code  # a broken condition: gcc will say what is wrong
        active = next((k for k in range(len(branches)) if names.branch(k) in output), None)
        blanked = bytearray(source)
        blanked[block.start_byte : block.end_byte] = _blanked(source[block.start_byte : block.end_byte])
        if active is not None:
            start, end = branches[active]
            blanked[start:end] = source[start:end]
        code = bytes(blanked).decode("utf-8", "surrogateescape")
    return code


_DECLARATION_START = frozenset(
    """void char short int long float double signed unsigned _Bool bool struct union enum typedef static
    extern const volatile inline _Noreturn _Thread_local __thread""".split()
)
_EXPANSION_MARK = names.EXPANSION_MARK
_EXPANSION_END = names.EXPANSION_MARK + "_end"


def _may_declare(body: str) -> bool:
    """Whether a macro's text may declare or define something at the top level
    (`int get_##name(void) { ... }`, `type name = init;`), rather than be an
    expression or a `do { } while (0)` statement."""
    body = body.strip()
    if "##" in body or (body.split() or [""])[0] in _DECLARATION_START:
        return True
    return body.endswith((";", "}")) and not body.startswith(("do", "{", "("))


def _macro_heads(root: Node, source: bytes, macros: dict[str, str]):
    """(node, start, end) of the top-level text that must go through the
    preprocessor before it can be split: C whose declared names, or whole
    definitions, come out of notebook macros (`static int CAT(tw, ice)(int v)`,
    `DEFINE_GETTER(width)`), and declarations tree-sitter cannot read that use
    macros or hold directives (X-macros).  Function bodies are left alone."""
    known = dict(macros)
    for n in root.children:
        t = n.type
        if t in ("preproc_def", "preproc_function_def"):
            name = node_text(required_field(n, "name")).decode()
            value = n.child_by_field_name("value")
            known[name] = _text(source, value) if value is not None else ""
            continue
        if t.startswith("preproc") or t == "comment":
            continue
        end = n.end_byte
        body = n.child_by_field_name("body") if t == "function_definition" else None
        if body is not None:
            end = body.start_byte
        used = identifiers(source[n.start_byte : end].decode("utf-8", "replace")) & known.keys()
        if not used:
            continue
        declarators = (
            [n.child_by_field_name("declarator")]
            if t == "function_definition"
            else list(n.children_by_field_name("declarator"))
        )
        declared = {declarator_name(d.child_by_field_name("declarator") or d)[0] for d in declarators if d is not None}
        unreadable = n.has_error and (
            t in ("declaration", "type_definition", "struct_specifier", "union_specifier", "enum_specifier")
            or re.search(rb"^[ \t]*#", source[n.start_byte : end], re.M) is not None
        )
        if declared & used or unreadable:
            yield n, n.start_byte, end
        else:  # `DEFINE_GETTER(width);`: a macro whose text declares or defines
            m = re.match(rb"\s*([A-Za-z_]\w*)\s*\(", source[n.start_byte : end])
            body_text = known.get(m.group(1).decode(), "") if m else ""
            if m and m.group(1).decode() in known and _may_declare(body_text):
                yield n, n.start_byte, end


def expand_macro_items(code: str, macros: dict[str, str], evaluate, forced: dict[int, int] | None = None) -> str:
    """The cell with the text of `_macro_heads`, and of the runs of top-level
    items `forced` (start offset -> end offset), replaced by its expansion.

    `macros` are the notebook's (name -> replacement text); `evaluate(text)`
    preprocesses text with the notebook's includes and macros in scope and
    returns the output (None if it fails: gcc will say what is wrong).  All
    the heads of a cell go through one preprocessor run, with the cell's
    directives in their places between them.  An expansion stays on the
    lines of what it replaces, so later lines keep their numbers; directives
    inside the replaced text follow it, so the macros they define or
    undefine are the notebook's as in a file."""
    if not macros and "#" not in code and not forced:
        return code  # no macro can be in play
    source = code.encode("utf-8", "surrogateescape")
    root = parse_tree(_mask(source)[0]).root_node  # read as the splitter reads it (offsets are the same)
    heads = list(_macro_heads(root, source, macros))
    forced = forced or {}
    heads = [head for head in heads if not any(s <= head[1] < e for s, e in forced.items())]
    heads += [(n, n.start_byte, forced[n.start_byte]) for n in root.children if n.start_byte in forced]
    heads.sort(key=lambda head: head[1])
    if not heads:
        return code
    probe: list[bytes] = []
    pending = list(heads)
    for n in root.children:
        while pending and pending[0][0] is n:
            _, start, end = pending.pop(0)
            probe.append(f"\n{_EXPANSION_MARK}\n".encode() + source[start:end] + f"\n{_EXPANSION_END}\n".encode())
        if n.type in ("preproc_def", "preproc_function_def", "preproc_include") or (
            n.type == "preproc_call" and node_text(required_field(n, "directive")).strip() == b"#undef"
        ):
            probe.append(source[n.start_byte : n.end_byte] + b"\n")
    output = evaluate(b"".join(probe).decode("utf-8", "surrogateescape"))
    if output is None:
        return code
    pieces = re.findall(rf"^{_EXPANSION_MARK}$(.*?)^{_EXPANSION_END}$", output, flags=re.M | re.S)
    if len(pieces) != len(heads):
        return code
    out = bytearray(source)
    for (_, start, end), piece in reversed(list(zip(heads, pieces, strict=True))):
        text = source[start:end]
        expansion = piece.strip().replace("\n", " ").encode("utf-8", "surrogateescape")  # strings hold no newline
        directives = [
            line.strip() for line in re.findall(rb"^[ \t]*#[ \t]*(?:define|undef)\b.*(?:\\\n.*)*", text, re.M)
        ]
        replacement = expansion + b"".join(b"\n" + d for d in directives)
        replacement += b"\n" * max(0, text.count(b"\n") - replacement.count(b"\n"))
        out[start:end] = replacement
    return bytes(out).decode("utf-8", "surrogateescape")


def _brace_balance(text: str) -> int:
    """`{` less `}` in C text, outside strings and character constants."""
    text = _STRINGS.sub(" ", text)
    return text.count("{") - text.count("}")


def brace_runs(code: str, macros: dict[str, str], evaluate) -> tuple[dict[int, int], dict[int, int]]:
    """Runs of top-level items whose braces balance only once macros are
    expanded, as gcc reads them (`for_each { ... }` where `for_each` hides
    `for (...)`, `BEGIN ... END`): (function definitions whose head
    tree-sitter read, to take whole up to the run's end; the other runs, to
    expand), each start offset -> end offset.  Only a cell whose tree has
    errors and that uses a macro of the notebook's or its own is looked at."""
    source = code.encode("utf-8", "surrogateescape")
    root = parse_tree(_mask(source)[0]).root_node  # as the splitter reads it
    if not root.has_error:
        return {}, {}
    own = {node_text(required_field(n, "name")).decode() for n in root.children if n.type in _DEFINES}
    if not identifiers(code) & (macros.keys() | own):
        return {}, {}
    nodes = [
        n
        for n in root.children
        if n.end_byte > n.start_byte and not n.type.startswith("preproc") and n.type != "comment"
    ]
    probe: list[bytes] = []
    for n in root.children:
        if n in nodes:
            probe.append(
                f"\n{_EXPANSION_MARK}\n".encode() + source[n.start_byte : n.end_byte] + f"\n{_EXPANSION_END}\n".encode()
            )
        elif n.type in _EVALUATED:
            probe.append(source[n.start_byte : n.end_byte] + b"\n")
    output = evaluate(b"".join(probe).decode("utf-8", "surrogateescape"))
    pieces = re.findall(rf"^{_EXPANSION_MARK}$(.*?)^{_EXPANSION_END}$", output or "", flags=re.M | re.S)
    if len(pieces) != len(nodes):
        return {}, {}
    joined: dict[int, int] = {}
    expanded: dict[int, int] = {}
    i = 0
    while i < len(nodes):
        balance, j = _brace_balance(pieces[i]), i
        while balance > 0 and j + 1 < len(nodes):
            j += 1
            balance += _brace_balance(pieces[j])
        first = nodes[i]
        if j > i and balance == 0:
            runs = (
                joined
                if first.type == "function_definition" and not required_field(first, "declarator").has_error
                else expanded
            )
            runs[first.start_byte] = nodes[j].end_byte
        elif j == i and first.type not in _DECLARING and _declares(pieces[i]):
            expanded[first.start_byte] = first.end_byte  # `DEFINE_ACCESSORS(width)`, a macro of macros that define
        i = j + 1
    return joined, expanded


_DECLARING = ("function_definition", "declaration", "type_definition")


def _declares(text: str) -> bool:
    """Whether C text at the top level is declarations or definitions (not statements)."""
    root = parse_tree(text.encode("utf-8", "surrogateescape")).root_node
    kinds = {n.type for n in root.children if n.type != "comment"}
    return bool(kinds) and not root.has_error and kinds <= set(_DECLARING)


CELL_FILE = "<this cell>"  # `#line N "<this cell>"`: back to the cell's own lines


def _defines_things(root: Node) -> bool:
    """Whether C text defines functions or objects with external linkage (not
    only declares them, or defines `static` ones, of which each file that
    includes the header has its own copy anyway)."""
    stack = list(root.children)
    while stack:
        n = stack.pop()
        storage = {node_text(c).decode() for c in n.children if c.type == "storage_class_specifier"}
        if n.type in ("preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef"):
            stack.extend(n.children)
        elif n.type == "function_definition" and not storage & {"static", "inline"}:
            return True
        elif n.type == "declaration":
            if storage & {"extern", "static"}:
                continue
            for d in n.children_by_field_name("declarator"):
                if d.type == "init_declarator" or not declarator_name(d)[1]:
                    return True
    return False


def paste_headers(code: str, find) -> str:
    """The cell with each top-level `#include "x.h"` whose file defines
    functions or objects replaced by the file's text, as if pasted there: the
    header's definitions then belong to this cell (one `hcount`, one `hf`),
    and later cells see their declarations.  Headers that only declare stay
    includes.  `find(name)` gives the header's path or None.  `#line` keeps
    the header's own name and lines in diagnostics and the cell's after it.
    Includes inside `#if` blocks are left for after the blocks are resolved
    (the caller alternates the two until nothing changes)."""
    if '"' not in code:
        return code
    source = code.encode("utf-8", "surrogateescape")
    out, last = [], 0
    for n in parse_tree(source).root_node.children:
        path_node = n.child_by_field_name("path") if n.type == "preproc_include" else None
        if path_node is None or path_node.type != "string_literal":
            continue
        name = node_text(path_node).decode("utf-8", "replace").strip('"')
        path = find(name)
        if path is None:
            continue
        try:
            text = path.read_text(errors="surrogateescape")
        except OSError:
            continue
        if not _defines_things(parse_tree(text.encode("utf-8", "surrogateescape")).root_node):
            continue
        end = n.end_byte - 1 if source[n.end_byte - 1 : n.end_byte] == b"\n" else n.end_byte
        line = source.count(b"\n", 0, end) + 2  # the line after the directive
        out.append(source[last : n.start_byte])
        out.append(f'#line 1 "{name}"\n{text.rstrip()}\n#line {line} "{CELL_FILE}"'.encode("utf-8", "surrogateescape"))
        last = end
    if not out:
        return code
    out.append(source[last:])
    return b"".join(out).decode("utf-8", "surrogateescape")
