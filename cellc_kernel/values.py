"""Format the value of a C object from its type and raw bytes: the text a C
programmer would write (floats in their shortest round-trip form) and its HTML.

The kernel compiles each cell that ends in an expression with a file-scope
variable ``static __typeof__((EXPR)) VALUE;`` (`names.value`).  After the cell has run
it reads the variable's bytes out of the process; its type comes from the
object's DWARF (objfile.py) as the C type model (ctype.py).
"""

from __future__ import annotations

import html
import struct
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from .ctype import (
    ATE_BOOLEAN,
    ATE_COMPLEX_FLOAT,
    ATE_DECIMAL_FLOAT,
    ATE_FLOAT,
    ATE_SIGNED,
    ATE_SIGNED_CHAR,
    ATE_UTF,
    CType,
    Field,
    is_char,
    strip_typedefs,
    type_name,
)

ReadMemory = Callable[[int, int], bytes | None]
"""``(address, size) -> bytes`` (possibly fewer) or ``None`` if unreadable."""

Symbolize = Callable[[int], str | None]
"""``code address -> function name`` or ``None`` if unknown."""

ByteOrder = Literal["little", "big"]
"""What ``int.from_bytes`` takes: the target's byte order."""

STRING_LIMIT = 1000
"""Maximum number of characters shown for a string."""
ARRAY_LIMIT = 100
"""Maximum number of array elements shown."""
VALUE_BUDGET = 5000
"""Maximum number of scalar values formatted for one top-level value."""


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


def format_bitfield(f: Field, data: bytes, read_memory: ReadMemory, symbolize: Symbolize) -> str:
    """The value of bitfield member `f`, from the bytes of the aggregate holding it."""
    return _Formatter(read_memory, symbolize)._bitfield(f, strip_typedefs(f.type), data, 0)


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
        order: ByteOrder = "little" if r.little_endian else "big"
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

    def _base(self, t: CType, data: bytes, order: ByteOrder) -> str:
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
        if is_char(t) and enc != ATE_UTF:
            return char_literal(data[0])
        signed = enc in (ATE_SIGNED, ATE_SIGNED_CHAR)
        return str(int.from_bytes(data, order, signed=signed))

    def _enum(self, t: CType, data: bytes, order: ByteOrder) -> str:
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

    def _pointer(self, t: CType, data: bytes, order: ByteOrder) -> str:
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
        if is_char(target):
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
        if is_char(ftype):
            return str(value)  # a 3-bit char field is a small integer, not a character
        size = ftype.size or (f.bit_size + 7) // 8
        order: ByteOrder = "little" if ftype.little_endian else "big"
        raw = (value & ((1 << (8 * size)) - 1)).to_bytes(size, order)
        self.budget += 1  # the recursive call counts it
        return self.format(ftype, raw)

    def _array(self, t: CType, data: bytes, depth: int) -> str:
        count = t.count
        if count is None or t.target is None:
            return "{}"
        elem = strip_typedefs(t.target)
        if is_char(elem) and elem.name != "char":
            # unsigned/signed char (uint8_t...) arrays are bytes, not text
            signed = elem.encoding == ATE_SIGNED_CHAR
            values = [
                str(int.from_bytes(data[i : i + 1], "little", signed=signed)) for i in range(min(count, ARRAY_LIMIT))
            ]
            more = f", ... }} /* {count} elements */" if count > ARRAY_LIMIT else " }"
            return "{ " + ", ".join(values) + more if values else "{}"
        if is_char(elem):
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
