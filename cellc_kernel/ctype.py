"""The C type model: a type as DWARF describes it, without DWARF.

objfile.py builds these trees from an object's debug information; values.py
formats bytes by them, migrate.py compares two layouts, completion and
inspection name them.  Nothing here reads files or formats values, so the
model can serve a debugger's variables or a memory diagram as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# DW_ATE_* base type encodings.
ATE_ADDRESS = 0x1
ATE_BOOLEAN = 0x2
ATE_COMPLEX_FLOAT = 0x3
ATE_FLOAT = 0x4
ATE_SIGNED = 0x5
ATE_SIGNED_CHAR = 0x6
ATE_UNSIGNED = 0x7
ATE_UNSIGNED_CHAR = 0x8
ATE_DECIMAL_FLOAT = 0xF
ATE_UTF = 0x10

QUALIFIER_KINDS = ("const", "volatile", "restrict", "atomic")
"""Kinds of qualifier nodes; their ``target`` is the qualified type."""

_QUALIFIER_SPELLING = {
    "const": "const",
    "volatile": "volatile",
    "restrict": "restrict",
    "atomic": "_Atomic",
}


@dataclass(eq=False, repr=False)
class Field:
    """A member of a struct or union."""

    name: str | None
    type: CType
    offset: int = 0
    """Byte offset of the member inside the aggregate."""
    bit_offset: int | None = None
    """For bitfields: DWARF 5 style ``data_bit_offset`` from the aggregate start."""
    bit_size: int | None = None
    """For bitfields: width in bits."""

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {type_name(self.type)!r}, offset={self.offset})"


@dataclass(eq=False, repr=False)
class CType:
    """One node of a C type tree built from DWARF.

    ``kind`` is one of ``base``, ``pointer``, ``struct``, ``union``, ``array``,
    ``enum``, ``typedef``, ``function``, ``void`` or a qualifier kind
    (``const``, ``volatile``, ``restrict``, ``atomic``).  ``target`` is the
    pointee (pointer), element (array), aliased/qualified type (typedef,
    qualifiers), return type (function) or underlying type (enum).  The graph
    may be cyclic (``struct node { struct node *next; }``), so nodes compare by
    identity.
    """

    kind: str
    name: str | None = None
    size: int = 0
    target: CType | None = None
    fields: list[Field] = field(default_factory=list)
    count: int | None = None
    """Array element count (``None`` if unknown, e.g. ``int []``)."""
    encoding: int | None = None
    """DW_ATE_* encoding of base types."""
    float_format: str | None = None
    """For floating base types: ``binary16``, ``bfloat16``, ``binary32``,
    ``binary64``, ``x87`` (80-bit extended) or ``binary128``."""
    enumerators: list[tuple[str, int]] = field(default_factory=list)
    params: list[CType] = field(default_factory=list)
    variadic: bool = False
    prototyped: bool = True
    declaration: bool = False
    """True for incomplete struct/union/enum declarations."""
    little_endian: bool = True

    def __repr__(self) -> str:
        return f"CType({self.kind!r}, {type_name(self)!r}, size={self.size})"


def void(little_endian: bool = True) -> CType:
    """A fresh `void` node (what a missing DWARF type reference means)."""
    return CType("void", name="void", little_endian=little_endian)


def strip_typedefs(t: CType) -> CType:
    """Follow typedefs and qualifiers down to the underlying type."""
    seen = 0
    while t.kind == "typedef" or t.kind in QUALIFIER_KINDS:
        if t.target is None:
            return void(t.little_endian)
        t = t.target
        seen += 1
        if seen > 1000:  # pragma: no cover - defensive against broken DWARF
            break
    return t


def is_char(t: CType) -> bool:
    """A one-byte character type (char, signed/unsigned char, char8_t)."""
    return t.kind == "base" and t.size == 1 and t.encoding in (ATE_SIGNED_CHAR, ATE_UNSIGNED_CHAR, ATE_UTF)


def struct_fields(t: CType) -> list[tuple[str, CType]]:
    """Named members reachable with ``.``/``->`` from a value of type ``t``.

    Typedefs and qualifiers are followed, as is one level of pointer or array
    (for ``->``).  Members of anonymous struct/union members are flattened.
    """
    r = strip_typedefs(t)
    if r.kind in ("pointer", "array") and r.target is not None:
        r = strip_typedefs(r.target)
    if r.kind not in ("struct", "union"):
        return []
    out: list[tuple[str, CType]] = []
    for f in r.fields:
        if f.name:
            out.append((f.name, f.type))
        elif strip_typedefs(f.type).kind in ("struct", "union"):
            out.extend(struct_fields(f.type))
    return out


# ---------------------------------------------------------------------------
# Type names


def type_name(t: CType) -> str:
    """C spelling of ``t``: ``unsigned long``, ``const char *``, ``int (*)(int, int)``..."""
    return _declarator(t, "")


def _leaf_name(t: CType) -> str:
    if t.kind in ("struct", "union", "enum"):
        return f"{t.kind} {t.name}" if t.name else f"{t.kind} {{...}}"
    if t.kind == "void":
        return t.name or "void"
    return t.name or "?"


def _declarator(t: CType | None, inner: str, depth: int = 0) -> str:
    if t is None:
        t = void()
    if depth > 64:
        return "..."
    if t.kind in QUALIFIER_KINDS:
        kinds: set[str] = set()
        base: CType | None = t
        while base is not None and base.kind in QUALIFIER_KINDS:
            kinds.add(base.kind)
            base = base.target
        quals = [_QUALIFIER_SPELLING[k] for k in QUALIFIER_KINDS if k in kinds]
        if base is None:
            base = void(t.little_endian)
        if base.kind == "pointer":
            return _pointer_declarator(base, quals, inner, depth)
        if base.kind in ("array", "function"):
            return _declarator(base, inner, depth + 1)
        return " ".join(quals) + " " + _declarator(base, inner, depth + 1)
    if t.kind == "pointer":
        return _pointer_declarator(t, [], inner, depth)
    if t.kind == "array":
        if inner.startswith("*"):
            inner = f"({inner})"
        dim = "" if t.count is None else str(t.count)
        return _declarator(t.target, f"{inner}[{dim}]", depth + 1)
    if t.kind == "function":
        if inner.startswith("*"):
            inner = f"({inner})"
        params = [type_name(p) for p in t.params]
        if t.variadic:
            params.append("...")
        if not params and t.prototyped:
            params = ["void"]
        return _declarator(t.target, f"{inner}({', '.join(params)})", depth + 1)
    name = _leaf_name(t)
    return f"{name} {inner}" if inner else name


def _pointer_declarator(p: CType, quals: list[str], inner: str, depth: int) -> str:
    star = "*" + " ".join(quals)
    if quals and inner:
        star += " "
    return _declarator(p.target, star + inner, depth + 1)
