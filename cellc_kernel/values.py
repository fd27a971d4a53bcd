"""Format the value of a C expression from its DWARF type and raw bytes.

The kernel compiles each cell that ends in an expression with a file-scope
variable ``static __typeof__((EXPR)) VALUE;`` (`names.value`).  After the cell has run
it reads the variable's bytes out of the process.  This module loads the
variable's type tree from the object file's DWARF (via pyelftools) and turns
type plus bytes into the text a C programmer would write.
"""

from __future__ import annotations

import functools
import html
import io
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from elftools.common.exceptions import DWARFError, ELFError
from elftools.dwarf.die import DIE
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationHandler

# A thread-local global's DWARF location is relocated by its offset in the
# TLS block, which pyelftools does not know: it would give up on the whole
# object (no array dimensions, no values of any global of that cell).  The
# offset itself matters to no one here.
_TLS_RECIPE = RelocationHandler._RELOCATION_RECIPES_X64[1]  # symbol + addend, 8 bytes
RelocationHandler._RELOCATION_RECIPES_X64.setdefault(17, _TLS_RECIPE)  # R_X86_64_DTPOFF64
RelocationHandler._RELOCATION_RECIPES_X64.setdefault(21, _TLS_RECIPE._replace(bytesize=4))  # R_X86_64_DTPOFF32
getattr(RelocationHandler, "_RELOCATION_RECIPES_AARCH64", {}).setdefault(1028, _TLS_RECIPE)  # R_AARCH64_TLS_DTPREL64

ReadMemory = Callable[[int, int], bytes | None]
"""``(address, size) -> bytes`` (possibly fewer) or ``None`` if unreadable."""

Symbolize = Callable[[int], str | None]
"""``code address -> function name`` or ``None`` if unknown."""

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

_QUALIFIER_TAGS = {
    "DW_TAG_const_type": "const",
    "DW_TAG_volatile_type": "volatile",
    "DW_TAG_restrict_type": "restrict",
    "DW_TAG_atomic_type": "atomic",
}
_QUALIFIER_SPELLING = {
    "const": "const",
    "volatile": "volatile",
    "restrict": "restrict",
    "atomic": "_Atomic",
}

# gcc's DWARF base type names -> the usual C spelling.
_BASE_NAMES = {
    "long int": "long",
    "long unsigned int": "unsigned long",
    "short int": "short",
    "short unsigned int": "unsigned short",
    "long long int": "long long",
    "long long unsigned int": "unsigned long long",
    "__int128 unsigned": "unsigned __int128",
    "complex float": "_Complex float",
    "complex double": "_Complex double",
    "complex long double": "_Complex long double",
}

STRING_LIMIT = 1000
"""Maximum number of characters shown for a string."""
ARRAY_LIMIT = 100
"""Maximum number of array elements shown."""
VALUE_BUDGET = 5000
"""Maximum number of scalar values formatted for one top-level value."""

_X86_MACHINES = ("EM_X86_64", "EM_386", "EM_IAMCU")


# ---------------------------------------------------------------------------
# Type model


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


def strip_typedefs(t: CType) -> CType:
    """Follow typedefs and qualifiers down to the underlying type."""
    seen = 0
    while t.kind == "typedef" or t.kind in QUALIFIER_KINDS:
        if t.target is None:
            return _void(t.little_endian)
        t = t.target
        seen += 1
        if seen > 1000:  # pragma: no cover - defensive against broken DWARF
            break
    return t


def _void(little_endian: bool = True) -> CType:
    return CType("void", name="void", little_endian=little_endian)


def _is_char(t: CType) -> bool:
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
# Loading from DWARF


class _DebugInfo:
    """Parsed DWARF of one object file, with per-CU name indexes and a type cache."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as f:
            data = f.read()
        self._elf = ELFFile(io.BytesIO(data))
        self.little_endian: bool = self._elf.little_endian
        self.address_size = 8 if self._elf.elfclass == 64 else 4
        self.x86 = self._elf["e_machine"] in _X86_MACHINES
        # pyelftools applies a relocatable object's DWARF relocations itself;
        # the kernel reads the linked .so, which has none, so this stays cheap.
        self.dwarf = self._elf.get_dwarf_info() if self._elf.has_dwarf_info() else None
        self._cus: list | None = None
        self._indexes: dict[int, dict[str, list[int]]] = {}
        self._info_bytes: bytes | None = None
        self._types: dict[int, CType] = {}

    def compile_units(self) -> list:
        if self._cus is None:
            self._cus = list(self.dwarf.iter_CUs()) if self.dwarf is not None else []
        return self._cus

    def _index(self, cu) -> dict[str, list[int]]:
        """Names of the CU's top-level variables -> their DIE offsets."""
        idx = self._indexes.get(cu.cu_offset)
        if idx is None:
            idx = {}
            for die in cu.get_top_DIE().iter_children():
                name = _die_name(die) if die.tag == "DW_TAG_variable" else None
                if die.tag == "DW_TAG_variable" and "DW_AT_specification" in die.attributes:
                    # the definition of a global declared before it in the unit
                    name = _die_name(die.get_DIE_from_attribute("DW_AT_specification"))
                if name:
                    idx.setdefault(name, []).append(die.offset)
            self._indexes[cu.cu_offset] = idx
        return idx

    def find_variable(self, name: str) -> DIE | None:
        if self.dwarf is None:
            return None
        cus = self.compile_units()
        for cu in cus:
            offsets = self._index(cu).get(name)
            if offsets:
                dies = [self.dwarf.get_DIE_from_refaddr(off, cu) for off in offsets]
                # Prefer the definition that carries the type: a declaration may
                # precede it, with an incomplete type (`extern int a[];`).
                typed = [d for d in dies if "DW_AT_type" in d.attributes]
                defining = [d for d in typed if "DW_AT_declaration" not in d.attributes]
                return (defining or typed or dies)[0]
        # Not at file scope: fall back to a full walk (e.g. a function-local static).
        for cu in cus:
            for die in cu.iter_DIEs():
                if die.tag == "DW_TAG_variable" and _die_name(die) == name:
                    return die
        return None

    def variable_type(self, name: str) -> CType | None:
        die = self.find_variable(name)
        if die is None:
            return None
        ref = _type_ref(die)
        if ref is None and "DW_AT_abstract_origin" in die.attributes:
            ref = _type_ref(die.get_DIE_from_attribute("DW_AT_abstract_origin"))
        if ref is None:
            return None
        return self.build(ref)

    def local_type(self, function: str, name: str) -> CType | None:
        """The type of parameter or local `name` of `function` (any block of it)."""
        for cu in self.compile_units():
            for die in cu.get_top_DIE().iter_children():
                if die.tag != "DW_TAG_subprogram" or _die_name(die) != function:
                    continue
                todo = list(die.iter_children())
                while todo:
                    child = todo.pop(0)
                    if child.tag in ("DW_TAG_formal_parameter", "DW_TAG_variable") and _die_name(child) == name:
                        ref = _type_ref(child)
                        return self.build(ref) if ref is not None else None
                    if child.tag == "DW_TAG_lexical_block":
                        todo.extend(child.iter_children())
        return None

    # -- type tree ---------------------------------------------------------

    def build(self, die: DIE | None) -> CType:
        if die is None:
            return _void(self.little_endian)
        cached = self._types.get(die.offset)
        if cached is not None:
            return cached
        tag = die.tag
        attrs = die.attributes
        t = CType("void", little_endian=self.little_endian)
        # Register before recursing so that cycles resolve to this node.
        self._types[die.offset] = t
        name = _die_name(die)
        size = _attr_int(die, "DW_AT_byte_size")
        if tag == "DW_TAG_base_type":
            t.kind = "base"
            t.name = _BASE_NAMES.get(name or "", name)
            t.size = size or 0
            t.encoding = _attr_int(die, "DW_AT_encoding")
            if t.encoding in (ATE_FLOAT, ATE_COMPLEX_FLOAT):
                part = t.size // 2 if t.encoding == ATE_COMPLEX_FLOAT else t.size
                t.float_format = self._float_format(name or "", part)
        elif tag == "DW_TAG_pointer_type" or tag in (
            "DW_TAG_reference_type",
            "DW_TAG_rvalue_reference_type",
        ):
            t.kind = "pointer"
            t.size = size or self.address_size
            t.target = self.build(_type_ref(die))
        elif tag in _QUALIFIER_TAGS:
            t.kind = _QUALIFIER_TAGS[tag]
            t.target = self.build(_type_ref(die))
            t.size = t.target.size
        elif tag == "DW_TAG_typedef":
            t.kind = "typedef"
            t.name = name
            t.target = self.build(_type_ref(die))
            t.size = t.target.size
        elif tag in ("DW_TAG_structure_type", "DW_TAG_union_type", "DW_TAG_class_type"):
            t.kind = "union" if tag == "DW_TAG_union_type" else "struct"
            t.name = name
            t.size = size or 0
            t.declaration = bool(attrs.get("DW_AT_declaration") and attrs["DW_AT_declaration"].value)
            t.fields = self._members(die, t.kind == "union")
        elif tag == "DW_TAG_enumeration_type":
            t.kind = "enum"
            t.name = name
            t.size = size or 4
            t.declaration = "DW_AT_declaration" in attrs
            ref = _type_ref(die)
            t.target = self.build(ref) if ref is not None else None
            t.encoding = _attr_int(die, "DW_AT_encoding")
            for child in die.iter_children():
                if child.tag == "DW_TAG_enumerator":
                    value = _attr_int(child, "DW_AT_const_value")
                    if value is not None:
                        t.enumerators.append((_die_name(child) or "?", value))
        elif tag == "DW_TAG_array_type":
            self._array(die, t)
        elif tag == "DW_TAG_subroutine_type":
            t.kind = "function"
            ref = _type_ref(die)
            t.target = self.build(ref) if ref is not None else _void(self.little_endian)
            t.prototyped = bool(attrs.get("DW_AT_prototyped") and attrs["DW_AT_prototyped"].value)
            for child in die.iter_children():
                if child.tag == "DW_TAG_formal_parameter":
                    t.params.append(self.build(_type_ref(child)))
                elif child.tag == "DW_TAG_unspecified_parameters" and t.prototyped:
                    t.variadic = True  # an unprototyped ``int ()`` has one too
        else:
            # DW_TAG_unspecified_type and anything exotic: treat as void.
            t.kind = "void"
            t.name = name or "void"
        return t

    def _float_format(self, name: str, size: int) -> str | None:
        if "__bf16" in name or "bfloat" in name:
            return "bfloat16"
        if size == 2:
            return "binary16"
        if size == 4:
            return "binary32"
        if size == 8:
            return "binary64"
        if size in (10, 12, 16) and "long double" in name and self.x86:
            return "x87"
        if size == 16:
            return "binary128"
        if size in (10, 12):
            return "x87"
        return None

    def _members(self, die: DIE, is_union: bool) -> list[Field]:
        fields = []
        for child in die.iter_children():
            if child.tag != "DW_TAG_member":
                continue
            mtype = self.build(_type_ref(child))
            offset = _member_location(child)
            bit_size = _attr_int(child, "DW_AT_bit_size")
            bit_offset = None
            if bit_size is not None:
                data_bit_offset = _attr_int(child, "DW_AT_data_bit_offset")
                if data_bit_offset is not None:
                    bit_offset = data_bit_offset
                else:
                    old = _attr_int(child, "DW_AT_bit_offset") or 0
                    storage = _attr_int(child, "DW_AT_byte_size") or strip_typedefs(mtype).size
                    if self.little_endian:
                        bit_offset = offset * 8 + storage * 8 - old - bit_size
                    else:
                        bit_offset = offset * 8 + old
                offset = bit_offset // 8
            fields.append(Field(_die_name(child), mtype, offset, bit_offset, bit_size))
        return fields

    def _array(self, die: DIE, t: CType) -> None:
        elem = self.build(_type_ref(die))
        counts: list[int | None] = []
        for child in die.iter_children():
            if child.tag in ("DW_TAG_subrange_type", "DW_TAG_enumeration_type"):
                counts.append(_subrange_count(child))
        if not counts:
            counts = [None]
        # Build inner dimensions first: int [2][3] is array(2, array(3, int)).
        for n in reversed(counts[1:]):
            inner = CType("array", little_endian=self.little_endian)
            inner.target = elem
            inner.count = n
            inner.size = n * strip_typedefs(elem).size if n is not None else 0
            elem = inner
        t.kind = "array"
        t.target = elem
        t.count = counts[0]
        size = _attr_int(die, "DW_AT_byte_size")
        if size is None:
            size = t.count * strip_typedefs(elem).size if t.count is not None else 0
        t.size = size


def _die_name(die: DIE) -> str | None:
    attr = die.attributes.get("DW_AT_name")
    if attr is None:
        return None
    value = attr.value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _type_ref(die: DIE) -> DIE | None:
    if "DW_AT_type" not in die.attributes:
        return None
    return die.get_DIE_from_attribute("DW_AT_type")


def _attr_int(die: DIE, name: str) -> int | None:
    attr = die.attributes.get(name)
    if attr is None or not isinstance(attr.value, int) or isinstance(attr.value, bool):
        return None
    return attr.value


def _member_location(die: DIE) -> int:
    attr = die.attributes.get("DW_AT_data_member_location")
    if attr is None:
        return 0
    value = attr.value
    if isinstance(value, int):
        return value
    # Old-style location expression: DW_OP_plus_uconst ULEB128 (or DW_OP_constu).
    if isinstance(value, list) and value and value[0] in (0x23, 0x10):
        result = 0
        shift = 0
        for byte in value[1:]:
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        return result
    return 0


def _subrange_count(die: DIE) -> int | None:
    count = die.attributes.get("DW_AT_count")
    if count is not None:
        return count.value if isinstance(count.value, int) else None
    upper = die.attributes.get("DW_AT_upper_bound")
    if upper is None or not isinstance(upper.value, int):
        return None  # unknown bound or VLA
    hi = upper.value
    widths = {"DW_FORM_data1": 8, "DW_FORM_data2": 16, "DW_FORM_data4": 32, "DW_FORM_data8": 64}
    width = widths.get(upper.form)
    if width is not None and hi == (1 << width) - 1:
        hi = -1  # zero-length array encoded as upper bound -1
    lower = _attr_int(die, "DW_AT_lower_bound") or 0
    return max(hi - lower + 1, 0)


@functools.lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int, size: int, inode: int) -> _DebugInfo:
    return _DebugInfo(path)


def load_variable_type(obj_path: str, var_name: str) -> CType | None:
    """Find the DW_TAG_variable named ``var_name`` in ``obj_path``'s DWARF.

    Returns its type tree, or ``None`` if the file has no debug info, is not a
    valid ELF file, or has no such variable.  Only the top-level DIEs of each
    compilation unit are scanned (with a full-walk fallback), and the parsed
    file is cached by path, mtime and size.  Raises ``OSError`` if the file
    cannot be read.
    """
    st = os.stat(obj_path)
    try:
        info = _load(os.path.abspath(obj_path), st.st_mtime_ns, st.st_size, st.st_ino)
        return info.variable_type(var_name)
    except (ELFError, DWARFError, struct.error, KeyError, ValueError):
        return None


def load_local_type(obj_path: str, function: str, var_name: str) -> CType | None:
    """The type of a parameter or local variable of `function` (its DWARF name) in `obj_path`."""
    st = os.stat(obj_path)
    try:
        return _load(os.path.abspath(obj_path), st.st_mtime_ns, st.st_size, st.st_ino).local_type(function, var_name)
    except (ELFError, DWARFError, struct.error, KeyError, ValueError):
        return None


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
        t = _void()
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
            base = _void(t.little_endian)
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


def type_info_html(t: CType, text: str) -> str:
    """HTML for a value: ``<code>int</code> 42`` with both parts escaped."""
    return f"<code>{html.escape(type_name(t), quote=False)}</code> {html.escape(text, quote=False)}"


# ---------------------------------------------------------------------------
# Floating point


@dataclass(frozen=True)
class _FloatFormat:
    exp_bits: int
    frac_bits: int
    explicit_int: bool = False

    @property
    def nbytes(self) -> int:
        return (1 + self.exp_bits + self.frac_bits + 7) // 8

    @property
    def bias(self) -> int:
        return (1 << (self.exp_bits - 1)) - 1


_FLOAT_FORMATS = {
    "binary16": _FloatFormat(5, 10),
    "bfloat16": _FloatFormat(8, 7),
    "binary32": _FloatFormat(8, 23),
    "binary64": _FloatFormat(11, 52),
    "x87": _FloatFormat(15, 63, explicit_int=True),
    "binary128": _FloatFormat(15, 112),
}


def _floor_log2(q: Fraction) -> int:
    n, d = q.numerator, q.denominator
    k = n.bit_length() - d.bit_length()
    if (k >= 0 and n < d << k) or (k < 0 and n << -k < d):
        k -= 1
    return k


def _pow10(e: int) -> Fraction:
    return Fraction(10**e) if e >= 0 else Fraction(1, 10**-e)


def _pow2(e: int) -> Fraction:
    return Fraction(1 << e) if e >= 0 else Fraction(1, 1 << -e)


def _round_to_format(q: Fraction, fmt: _FloatFormat) -> Fraction:
    """Round positive ``q`` to the nearest value representable in ``fmt`` (ties to even)."""
    precision = fmt.frac_bits + 1
    emin = 1 - fmt.bias
    e = max(_floor_log2(q), emin) - (precision - 1)
    return round(q / _pow2(e)) * _pow2(e)


def _shortest_digits(q: Fraction, fmt: _FloatFormat) -> tuple[str, int]:
    """Shortest decimal that rounds back to ``q`` in ``fmt``: (digits, decimal point position)."""
    e10 = int(_floor_log2(q) * 0.30102999566398120)
    while _pow10(e10) > q:
        e10 -= 1
    while _pow10(e10 + 1) <= q:
        e10 += 1
    digits, scale = 0, 0
    for ndigits in range(1, 60):
        scale = e10 - ndigits + 1
        digits = round(q / _pow10(scale))
        if _round_to_format(digits * _pow10(scale), fmt) == q:
            break
    text = str(digits)
    stripped = text.rstrip("0")
    scale += len(text) - len(stripped)
    return stripped, len(stripped) + scale


def _repr_style(digits: str, point: int) -> str:
    """Lay out digits like Python's ``repr`` of a float."""
    exp = point - 1
    if -4 <= exp < 16:
        if point <= 0:
            return "0." + "0" * -point + digits
        if point >= len(digits):
            return digits + "0" * (point - len(digits)) + ".0"
        return digits[:point] + "." + digits[point:]
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{mantissa}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"


def format_float_bits(raw: int, fmt_name: str) -> str:
    """Shortest round-trip text for the float whose bit pattern is ``raw``."""
    fmt = _FLOAT_FORMATS[fmt_name]
    frac_mask = (1 << fmt.frac_bits) - 1
    frac = raw & frac_mask
    rest = raw >> fmt.frac_bits
    int_bit = 0
    if fmt.explicit_int:
        int_bit = rest & 1
        rest >>= 1
    exp = rest & ((1 << fmt.exp_bits) - 1)
    sign = "-" if (rest >> fmt.exp_bits) & 1 else ""
    if exp == (1 << fmt.exp_bits) - 1:
        return "nan" if frac else f"{sign}inf"
    if fmt.explicit_int:
        mant = (int_bit << fmt.frac_bits) | frac
        e2 = max(exp, 1) - fmt.bias - fmt.frac_bits
    elif exp == 0:
        mant = frac
        e2 = 1 - fmt.bias - fmt.frac_bits
    else:
        mant = frac | (1 << fmt.frac_bits)
        e2 = exp - fmt.bias - fmt.frac_bits
    if mant == 0:
        return f"{sign}0.0"
    if fmt_name == "binary64":
        return repr(struct.unpack("<d", raw.to_bytes(8, "little"))[0])
    if fmt_name == "binary32":
        value = struct.unpack("<f", raw.to_bytes(4, "little"))[0]
        for precision in range(1, 10):
            text = f"{value:.{precision}g}"
            try:
                back = struct.unpack("<f", struct.pack("<f", float(text)))[0]
            except OverflowError:  # rounded above FLT_MAX
                continue
            if back == value:
                return repr(float(text))
    q = mant * _pow2(e2)
    return sign + _repr_style(*_shortest_digits(q, fmt))


def _format_float(data: bytes, fmt_name: str | None, little_endian: bool) -> str:
    fmt = _FLOAT_FORMATS.get(fmt_name or "")
    if fmt is None or len(data) < fmt.nbytes:
        return "0x" + data.hex()
    nbytes = fmt.nbytes
    if fmt_name == "x87" or little_endian:
        raw = int.from_bytes(data[:nbytes], "little")
    else:
        raw = int.from_bytes(data[:nbytes], "big")
    return format_float_bits(raw, fmt_name or "")


# ---------------------------------------------------------------------------
# Characters and strings

_SIMPLE_ESCAPES = {
    0x07: "\\a",
    0x08: "\\b",
    0x0C: "\\f",
    0x0A: "\\n",
    0x0D: "\\r",
    0x09: "\\t",
    0x0B: "\\v",
    0x5C: "\\\\",
}


def char_literal(value: int) -> str:
    """C character literal for a byte value (``'a'``, ``'\\n'``, ``'\\0'``, ``'\\xff'``)."""
    value &= 0xFF
    if value == 0:
        return "'\\0'"
    if value == 0x27:
        return "'\\''"
    if value in _SIMPLE_ESCAPES:
        return f"'{_SIMPLE_ESCAPES[value]}'"
    if 0x20 <= value < 0x7F:
        return f"'{chr(value)}'"
    return f"'\\x{value:02x}'"


def _utf8_length(data: bytes, i: int) -> int:
    lead = data[i]
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def string_literal(data: bytes) -> str:
    """C string literal for ``data``; printable UTF-8 is kept, other bytes escaped."""
    out = ['"']
    hex_pending = False  # last thing written was a \x escape
    i = 0
    while i < len(data):
        b = data[i]
        piece: str | None = None
        if b >= 0x80:
            n = _utf8_length(data, i)
            if n:
                try:
                    ch = data[i : i + n].decode("utf-8")
                except UnicodeDecodeError:
                    ch = ""
                if ch and ch.isprintable():
                    piece = ch
                    i += n
        if piece is None:
            i += 1
            if b == 0x22:
                piece = '\\"'
            elif b in _SIMPLE_ESCAPES:
                piece = _SIMPLE_ESCAPES[b]
            elif 0x20 <= b < 0x7F:
                piece = chr(b)
            else:
                out.append(f"\\x{b:02x}")
                hex_pending = True
                continue
        if hex_pending and piece[0] in "0123456789abcdefABCDEF":
            out.append('" "')  # keep "\x01" "a" from parsing as \x01a
        hex_pending = False
        out.append(piece)
    out.append('"')
    return "".join(out)


def _safe_read(read_memory: ReadMemory, address: int, size: int) -> bytes | None:
    try:
        data = read_memory(address, size)
    except Exception:  # noqa: BLE001 - a failing reader just means unreadable
        return None
    if not data:
        return None
    return bytes(data[:size])


def read_c_string(read_memory: ReadMemory, address: int, limit: int = STRING_LIMIT) -> tuple[bytes, str] | None:
    """Read a NUL-terminated string.

    Returns ``(bytes, status)`` with status ``'ok'`` (NUL found), ``'long'``
    (more than ``limit`` bytes) or ``'partial'`` (memory stopped being
    readable), or ``None`` if nothing at ``address`` is readable.  Reads go in
    chunks that never cross a 4 KiB boundary, falling back to smaller reads
    when a chunk fails.
    """
    out = bytearray()
    want_total = limit + 1
    while len(out) < want_total:
        addr = address + len(out)
        want = min(256, want_total - len(out), 4096 - addr % 4096)
        chunk = _safe_read(read_memory, addr, want)
        while chunk is None and want > 1:
            want //= 2
            chunk = _safe_read(read_memory, addr, want)
        if chunk is None:
            if not out:
                return None
            return bytes(out), "partial"
        nul = chunk.find(0)
        if nul >= 0:
            out += chunk[:nul]
            if len(out) > limit:
                return bytes(out[:limit]), "long"
            return bytes(out), "ok"
        out += chunk
    return bytes(out[:limit]), "long"


# ---------------------------------------------------------------------------
# Values


def format_value(t: CType, data: bytes, read_memory: ReadMemory, symbolize: Symbolize) -> str:
    """Format the bytes ``data`` of an object of type ``t`` as C-like text."""
    return _Formatter(read_memory, symbolize).format(t, bytes(data))


class _Formatter:
    def __init__(self, read_memory: ReadMemory, symbolize: Symbolize) -> None:
        self.read_memory = read_memory
        self.symbolize = symbolize
        self.budget = VALUE_BUDGET

    def format(self, t: CType, data: bytes, depth: int = 0) -> str:
        r = strip_typedefs(t)
        if depth > 64:
            return "..."
        size = r.size
        if r.kind in ("base", "pointer", "enum") and len(data) < size:
            return "<unavailable>"
        self.budget -= 1
        order = "little" if r.little_endian else "big"
        if r.kind == "base":
            return self._base(r, data[:size], order)
        if r.kind == "enum":
            return self._enum(r, data[:size], order)
        if r.kind == "pointer":
            return self._pointer(r, data[:size], order)
        if r.kind in ("struct", "union"):
            return self._aggregate(r, data, depth)
        if r.kind == "array":
            return self._array(r, data, depth)
        if r.kind == "function":
            return "<function>"
        return "void" if r.kind == "void" else "?"

    def _base(self, t: CType, data: bytes, order: str) -> str:
        enc = t.encoding
        if enc == ATE_DECIMAL_FLOAT or (enc in (ATE_FLOAT, ATE_COMPLEX_FLOAT) and not t.float_format):
            return "0x" + data.hex()  # decimal floats and other unknown formats
        if enc == ATE_FLOAT:
            return _format_float(data, t.float_format, t.little_endian)
        if enc == ATE_COMPLEX_FLOAT:
            half = t.size // 2
            re = _format_float(data[:half], t.float_format, t.little_endian)
            im = _format_float(data[half:], t.float_format, t.little_endian)
            if im.startswith("-"):
                return f"{re} - {im[1:]}i"
            return f"{re} + {im}i"
        if enc == ATE_BOOLEAN:
            v = int.from_bytes(data, order)
            return {0: "false", 1: "true"}.get(v, str(v))
        if _is_char(t) and enc != ATE_UTF:
            return char_literal(data[0])
        signed = enc in (ATE_SIGNED, ATE_SIGNED_CHAR)
        return str(int.from_bytes(data, order, signed=signed))

    def _enum(self, t: CType, data: bytes, order: str) -> str:
        size = len(data)
        mask = (1 << (8 * size)) - 1
        under = strip_typedefs(t.target) if t.target is not None else None
        if under is not None and under.kind == "base":
            signed = under.encoding in (ATE_SIGNED, ATE_SIGNED_CHAR)
        elif t.encoding is not None:
            signed = t.encoding in (ATE_SIGNED, ATE_SIGNED_CHAR)
        else:
            signed = any(v < 0 for _, v in t.enumerators)
        value = int.from_bytes(data, order, signed=signed)
        for name, ev in t.enumerators:
            if ev & mask == value & mask:
                return name
        return str(value)

    def _pointer(self, t: CType, data: bytes, order: str) -> str:
        addr = int.from_bytes(data, order)
        if addr == 0:
            return "NULL"
        hexaddr = f"{addr:#x}"
        target = strip_typedefs(t.target) if t.target is not None else None
        if target is None or target.kind == "void":
            return hexaddr
        if target.kind == "function":
            try:
                name = self.symbolize(addr)
            except Exception:  # noqa: BLE001 - symbolizer failure just means unknown
                name = None
            return name or hexaddr
        if _is_char(target):
            result = read_c_string(self.read_memory, addr)
            if result is None:
                return hexaddr
            text, status = result
            literal = string_literal(text)
            return literal if status == "ok" else literal + "..."
        return hexaddr

    def _aggregate(self, t: CType, data: bytes, depth: int) -> str:
        items = self._members(t, data, 0, depth)
        if not items:
            return "{}"
        return "{ " + ", ".join(items) + " }"

    def _members(self, t: CType, data: bytes, base: int, depth: int) -> list[str]:
        items = []
        for f in t.fields:
            ftype = strip_typedefs(f.type)
            if f.bit_size is not None and f.bit_offset is not None:
                if not f.name:
                    continue  # unnamed padding bitfield
                items.append(f".{f.name} = {self._bitfield(f, ftype, data, base)}")
                continue
            start = base + f.offset
            if not f.name:
                if ftype.kind in ("struct", "union"):
                    items.extend(self._members(ftype, data, start, depth + 1))
                continue
            if self.budget <= 0:
                items.append("...")
                break
            chunk = data[start : start + ftype.size]
            if ftype.kind == "array" and ftype.count is None:
                text = "{}"
            elif len(chunk) < ftype.size:
                text = "<unavailable>"
            else:
                text = self.format(f.type, chunk, depth + 1)
            items.append(f".{f.name} = {text}")
        return items

    def _bitfield(self, f: Field, ftype: CType, data: bytes, base: int) -> str:
        assert f.bit_offset is not None and f.bit_size is not None
        bit = base * 8 + f.bit_offset
        first, last = bit // 8, (bit + f.bit_size + 7) // 8
        chunk = data[first:last]
        if len(chunk) < last - first:
            return "<unavailable>"
        mask = (1 << f.bit_size) - 1
        if ftype.little_endian:
            value = (int.from_bytes(chunk, "little") >> (bit % 8)) & mask
        else:
            total = len(chunk) * 8
            value = (int.from_bytes(chunk, "big") >> (total - bit % 8 - f.bit_size)) & mask
        signed = False
        if ftype.kind == "base":
            signed = ftype.encoding in (ATE_SIGNED, ATE_SIGNED_CHAR)
        elif ftype.kind == "enum":
            under = strip_typedefs(ftype.target) if ftype.target is not None else None
            signed = under is not None and under.encoding in (ATE_SIGNED, ATE_SIGNED_CHAR)
            signed = signed or any(v < 0 for _, v in ftype.enumerators)
        if signed and value >> (f.bit_size - 1):
            value -= 1 << f.bit_size
        if _is_char(ftype):
            return str(value)  # a 3-bit char field is a small integer, not a character
        size = ftype.size or (f.bit_size + 7) // 8
        order = "little" if ftype.little_endian else "big"
        raw = (value & ((1 << (8 * size)) - 1)).to_bytes(size, order)
        self.budget += 1  # the recursive call counts it
        return self.format(ftype, raw)

    def _array(self, t: CType, data: bytes, depth: int) -> str:
        count = t.count
        if count is None or t.target is None:
            return "{}"
        elem = strip_typedefs(t.target)
        if _is_char(elem) and elem.name != "char":
            # unsigned/signed char (uint8_t...) arrays are bytes, not text
            signed = elem.encoding == ATE_SIGNED_CHAR
            values = [
                str(int.from_bytes(data[i : i + 1], "little", signed=signed)) for i in range(min(count, ARRAY_LIMIT))
            ]
            more = f", ... }} /* {count} elements */" if count > ARRAY_LIMIT else " }"
            return "{ " + ", ".join(values) + more if values else "{}"
        if _is_char(elem):
            raw = data[:count]
            nul = raw.find(0)
            if nul >= 0:
                raw = raw[:nul]
            if len(raw) > STRING_LIMIT:
                return string_literal(raw[:STRING_LIMIT]) + "..."
            return string_literal(raw)
        esize = elem.size
        shown = min(count, ARRAY_LIMIT)
        items = []
        for i in range(shown):
            if self.budget <= 0:
                break
            chunk = data[i * esize : (i + 1) * esize]
            if len(chunk) < esize:
                items.append("<unavailable>")
                break
            items.append(self.format(t.target, chunk, depth + 1))
        if not items:
            return "{}"
        if len(items) < count:
            return "{ " + ", ".join(items) + f", ... }} /* {count} elements */"
        return "{ " + ", ".join(items) + " }"
