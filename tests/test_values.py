"""Tests of DWARF types (objfile.py, as ctype.py's model) and C value formatting (values.py).

Each case compiles real C with gcc: the relocatable object (``gcc -c -g -fPIC``)
provides the DWARF, exactly as in the kernel, and the same source linked as a
shared library provides the variable's initialized bytes (and the memory that
pointers point into, with dynamic relocations applied).
"""

from __future__ import annotations

import math
import random
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection
from elftools.elf.sections import SymbolTableSection

from cellc_kernel import names, values
from cellc_kernel.ctype import CType, strip_typedefs, struct_fields, type_name
from cellc_kernel.objfile import NotAnObject, open_object
from cellc_kernel.values import format_value, type_info_html

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not available")

VAR = names.VALUE

COMMON = r"""
struct point { int x, y; };
struct rect { struct point a, b; };
typedef struct { int x; int y; } P;
enum color { RED, GREEN, BLUE };
union u { int i; float f; };
struct node { int v; struct node *next; };
static int square(int x, int y) { return x * y; }
"""


class SoImage:
    """Memory image of a shared library loaded at address 0 (relocations applied)."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            self.sections: list[tuple[int, bytearray]] = []
            for sec in elf.iter_sections():
                if not sec["sh_flags"] & 0x2 or not sec["sh_addr"]:  # SHF_ALLOC
                    continue
                if sec["sh_type"] == "SHT_NOBITS":
                    data = bytearray(sec["sh_size"])
                else:
                    data = bytearray(sec.data())
                self.sections.append((sec["sh_addr"], data))
            self.symbols: dict[str, tuple[int, int]] = {}
            self.functions: dict[int, str] = {}
            dynsym: list[int] = []
            for sec in elf.iter_sections():
                if isinstance(sec, SymbolTableSection):
                    for sym in sec.iter_symbols():
                        if sec.name == ".dynsym":
                            dynsym.append(sym["st_value"])
                        if sym.name:
                            self.symbols[sym.name] = (sym["st_value"], sym["st_size"])
                            if sym["st_info"]["type"] == "STT_FUNC" and sym["st_value"]:
                                self.functions[sym["st_value"]] = sym.name
            for sec in elf.iter_sections():
                if isinstance(sec, RelocationSection) and sec.name == ".rela.dyn":
                    for rel in sec.iter_relocations():
                        kind = rel["r_info_type"]
                        if kind == 8:  # R_X86_64_RELATIVE
                            value = rel["r_addend"]
                        elif kind in (1, 6):  # R_X86_64_64, R_X86_64_GLOB_DAT
                            value = dynsym[rel["r_info_sym"]] + rel["r_addend"]
                        else:
                            continue
                        self._write(rel["r_offset"], struct.pack("<Q", value))

    def _find(self, addr: int, size: int) -> tuple[bytearray, int] | None:
        for start, data in self.sections:
            if start <= addr and addr + size <= start + len(data):
                return data, addr - start
        return None

    def _write(self, addr: int, raw: bytes) -> None:
        found = self._find(addr, len(raw))
        assert found is not None
        data, off = found
        data[off : off + len(raw)] = raw

    def read(self, addr: int, size: int) -> bytes | None:
        """Strict reader: fails if the range is not inside one section."""
        found = self._find(addr, size)
        if found is None:
            return None
        data, off = found
        return bytes(data[off : off + size])

    def symbolize(self, addr: int) -> str | None:
        return self.functions.get(addr)

    def variable(self, name: str = VAR) -> bytes:
        addr, size = self.symbols[name]
        data = self.read(addr, size)
        assert data is not None
        return data


class Case:
    def __init__(self, ctype: CType, data: bytes, image: SoImage) -> None:
        self.type = ctype
        self.data = data
        self.image = image

    @property
    def name(self) -> str:
        return type_name(self.type)

    @property
    def text(self) -> str:
        return format_value(self.type, self.data, self.image.read, self.image.symbolize)


_counter = 0


def compile_case(tmp_path: Path, ctype: str, init: str | None, decls: str = COMMON, flags: tuple = ()) -> Case:
    """Compile ``static __typeof__(ctype) VAR = init;`` to a .o and a .so."""
    global _counter
    _counter += 1
    src = tmp_path / f"case{_counter}.c"
    init_text = f" = {init}" if init is not None else ""
    src.write_text(
        f"{decls}\n"
        f"static __typeof__({ctype}) {VAR}{init_text};\n"
        f"void *cellc_keep_{_counter}(void) {{ return (void *)&{VAR}; }}\n"
    )
    obj = tmp_path / f"case{_counter}.o"
    so = tmp_path / f"case{_counter}.so"
    base = ["gcc", "-g", "-fPIC", "-O0", "-w", *flags]
    subprocess.run([*base, "-c", str(src), "-o", str(obj)], check=True)
    subprocess.run([*base, "-shared", str(src), "-o", str(so)], check=True)
    t = open_object(obj).variable_type(VAR)
    assert t is not None
    image = SoImage(so)
    return Case(t, image.variable(), image)


def check(tmp_path: Path, ctype: str, init: str, text: str, name: str | None = None) -> Case:
    case = compile_case(tmp_path, ctype, init)
    assert case.text == text
    assert case.name == (name if name is not None else ctype)
    return case


# ---------------------------------------------------------------------------
# Scalars


@pytest.mark.parametrize(
    ("ctype", "init", "text"),
    [
        ("int", "42", "42"),
        ("int", "-7", "-7"),
        ("unsigned long", "~0UL", "18446744073709551615"),
        ("long", "-9223372036854775807L - 1", "-9223372036854775808"),
        ("unsigned int", "4000000000u", "4000000000"),
        ("short", "-12", "-12"),
        ("unsigned short", "65535", "65535"),
        ("long long", "-5", "-5"),
        ("unsigned long long", "123", "123"),
        ("__int128", "-(__int128)1 << 100", str(-(1 << 100))),
        ("unsigned __int128", "(unsigned __int128)1 << 127", str(1 << 127)),
        ("_Bool", "1", "true"),
        ("_Bool", "0", "false"),
    ],
)
def test_integers(tmp_path: Path, ctype: str, init: str, text: str) -> None:
    check(tmp_path, ctype, init, text)


@pytest.mark.parametrize(
    ("ctype", "init", "text"),
    [
        ("char", "'a'", "'a'"),
        ("char", "'\\n'", "'\\n'"),
        ("char", "0", "'\\0'"),
        ("char", "'\\''", "'\\''"),
        ("char", "'\\\\'", "'\\\\'"),
        ("char", "127", "'\\x7f'"),
        ("signed char", "-56", "'\\xc8'"),
        ("unsigned char", "200", "'\\xc8'"),
        ("unsigned char", "'Z'", "'Z'"),
    ],
)
def test_chars(tmp_path: Path, ctype: str, init: str, text: str) -> None:
    check(tmp_path, ctype, init, text)


@pytest.mark.parametrize(
    ("ctype", "init", "text"),
    [
        ("float", "0.1f", "0.1"),
        ("float", "3.0f", "3.0"),
        ("float", "-1.5e-7f", "-1.5e-07"),
        ("float", "3.4028235e38f", "3.4028235e+38"),
        ("float", "1e-45f", "1e-45"),
        ("double", "2.5", "2.5"),
        ("double", "0.1", "0.1"),
        ("double", "3.0", "3.0"),
        ("double", "1e20", "1e+20"),
        ("double", "-0.0", "-0.0"),
        ("double", "__builtin_inf()", "inf"),
        ("double", "-__builtin_inf()", "-inf"),
        ("double", '__builtin_nan("")', "nan"),
        ("double", "5e-324", "5e-324"),
        ("long double", "2.5L", "2.5"),
        ("long double", "0.1L", "0.1"),
        ("long double", "-3.0L", "-3.0"),
        ("long double", "1e4000L", "1e+4000"),
        ("long double", "1e-4000L", "1e-4000"),
        (
            "long double",
            "3.14159265358979323846264338327950288L",
            "3.1415926535897932385",
        ),
        ("long double", "__builtin_infl()", "inf"),
        ("long double", '__builtin_nanl("")', "nan"),
        ("long double", "0.0L", "0.0"),
        ("_Float128", "0.1f128", "0.1"),
        ("_Float128", "-1e-4000f128", "-1e-4000"),
        ("_Float16", "0.1f16", "0.1"),
        ("_Float16", "65504.0f16", "65500.0"),  # shortest that round-trips, like numpy
        ("_Complex double", "1.0 + 2.0i", "1.0 + 2.0i"),
        ("_Complex float", "0.5f - 0.25fi", "0.5 - 0.25i"),
    ],
)
def test_floats(tmp_path: Path, ctype: str, init: str, text: str) -> None:
    check(tmp_path, ctype, init, text)


def test_long_double_round_trips() -> None:
    # The 20 digits printed for pi in x87 precision denote exactly the stored
    # value; the 19-digit neighbours do not.
    fmt = values._FLOAT_FORMATS["x87"]
    stored = values._round_to_format(values.Fraction("3.14159265358979323846264338327950288"), fmt)
    assert values._round_to_format(values.Fraction("3.1415926535897932385"), fmt) == stored
    for shorter in ("3.141592653589793238", "3.141592653589793239"):
        assert values._round_to_format(values.Fraction(shorter), fmt) != stored


def test_generic_float_formatting_matches_python_repr() -> None:
    rng = random.Random(1234)
    for _ in range(2000):
        bits = rng.getrandbits(64)
        value = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if math.isnan(value) or math.isinf(value):
            continue
        if value == 0:
            continue
        sign = "-" if value < 0 else ""
        digits, point = values._shortest_digits(values.Fraction(abs(value)), values._FLOAT_FORMATS["binary64"])
        assert sign + values._repr_style(digits, point) == repr(value)
    for _ in range(2000):
        bits = rng.getrandbits(32)
        value = struct.unpack("<f", struct.pack("<I", bits))[0]
        if math.isnan(value) or math.isinf(value) or value == 0:
            continue
        sign = "-" if value < 0 else ""
        digits, point = values._shortest_digits(values.Fraction(abs(value)), values._FLOAT_FORMATS["binary32"])
        assert sign + values._repr_style(digits, point) == values.format_float_bits(bits, "binary32")


# ---------------------------------------------------------------------------
# Pointers


def test_char_pointer_string(tmp_path: Path) -> None:
    check(tmp_path, "char *", '"hello\\n"', '"hello\\n"')


def test_const_char_pointer(tmp_path: Path) -> None:
    check(tmp_path, "const char *", '"say \\"hi\\"\\t\\\\"', '"say \\"hi\\"\\t\\\\"')


def test_unsigned_char_pointer(tmp_path: Path) -> None:
    check(tmp_path, "unsigned char *", '(unsigned char *)"\\x01" "abc\\xff"', '"\\x01" "abc\\xff"')


def test_utf8_string_kept(tmp_path: Path) -> None:
    check(tmp_path, "const char *", '"h\\xc3\\xa9llo"', '"héllo"')


def test_char_pointer_into_array(tmp_path: Path) -> None:
    decls = COMMON + 'static char buf[] = "buffer";\n'
    case = compile_case(tmp_path, "char *", "buf + 2", decls=decls)
    assert case.text == '"ffer"'


def test_null_pointers(tmp_path: Path) -> None:
    check(tmp_path, "char *", "0", "NULL")
    check(tmp_path, "int *", "0", "NULL")
    check(tmp_path, "void *", "0", "NULL")


def test_void_pointer_is_address(tmp_path: Path) -> None:
    decls = COMMON + "static int target = 5;\n"
    case = compile_case(tmp_path, "void *", "&target", decls=decls)
    addr = case.image.symbols["target"][0]
    assert addr != 0
    assert case.text == f"{addr:#x}"
    assert case.name == "void *"


def test_int_pointer_is_address(tmp_path: Path) -> None:
    decls = COMMON + "static int target = 5;\n"
    case = compile_case(tmp_path, "int *", "&target", decls=decls)
    assert case.text == f"{case.image.symbols['target'][0]:#x}"
    assert case.name == "int *"


def test_struct_pointer_is_address(tmp_path: Path) -> None:
    decls = COMMON + "static struct node n = { 1, &n };\n"
    case = compile_case(tmp_path, "struct node *", "&n", decls=decls)
    assert case.text == f"{case.image.symbols['n'][0]:#x}"
    assert case.name == "struct node *"
    assert [name for name, _ in struct_fields(case.type)] == ["v", "next"]
    next_type = struct_fields(case.type)[1][1]
    assert type_name(next_type) == "struct node *"
    # The type graph is cyclic: next's pointee is the same struct node.
    assert strip_typedefs(next_type.target) is strip_typedefs(case.type.target)


def test_function_pointer_symbolized(tmp_path: Path) -> None:
    case = check(tmp_path, "int (*)(int, int)", "square", "square")
    addr = int.from_bytes(case.data, "little")
    assert format_value(case.type, case.data, case.image.read, lambda a: None) == f"{addr:#x}"


def test_function_pointer_null(tmp_path: Path) -> None:
    check(tmp_path, "int (*)(int, int)", "0", "NULL")


def test_unreadable_string_pointer_shows_address(tmp_path: Path) -> None:
    case = compile_case(tmp_path, "const char *", '"x"')
    text = format_value(case.type, case.data, lambda a, n: None, lambda a: None)
    assert text == f"{int.from_bytes(case.data, 'little'):#x}"


class FakeMemory:
    """Readable bytes at [base, base + len(data)); reads past the end fail entirely."""

    def __init__(self, base: int, data: bytes) -> None:
        self.base = base
        self.data = data
        self.calls: list[tuple[int, int]] = []

    def read(self, addr: int, size: int) -> bytes | None:
        self.calls.append((addr, size))
        off = addr - self.base
        if off < 0 or off + size > len(self.data):
            return None
        return self.data[off : off + size]


def _char_ptr(tmp_path: Path) -> CType:
    return compile_case(tmp_path, "char *", "0").type


def test_long_string_truncated(tmp_path: Path) -> None:
    t = _char_ptr(tmp_path)
    mem = FakeMemory(0x10000, b"a" * 5000 + b"\0")
    text = format_value(t, struct.pack("<Q", 0x10000), mem.read, lambda a: None)
    assert text == '"' + "a" * 1000 + '"...'
    # Exactly the limit is not truncated.
    mem = FakeMemory(0x10000, b"b" * 1000 + b"\0")
    text = format_value(t, struct.pack("<Q", 0x10000), mem.read, lambda a: None)
    assert text == '"' + "b" * 1000 + '"'


def test_string_near_end_of_readable_memory(tmp_path: Path) -> None:
    t = _char_ptr(tmp_path)
    # A short string right before unreadable memory: the big chunk read fails.
    base = 0x7100
    mem = FakeMemory(base, b"tail!\0")
    text = format_value(t, struct.pack("<Q", base), mem.read, lambda a: None)
    assert text == '"tail!"'
    assert any(size > 6 for _, size in mem.calls)
    # No NUL before memory stops: show what was readable.
    mem = FakeMemory(0x9000, b"abc")
    text = format_value(t, struct.pack("<Q", 0x9000), mem.read, lambda a: None)
    assert text == '"abc"...'


def test_reads_do_not_cross_pages(tmp_path: Path) -> None:
    t = _char_ptr(tmp_path)
    base = 0x5000 - 10
    mem = FakeMemory(base, b"x" * 300 + b"\0")
    assert format_value(t, struct.pack("<Q", base), mem.read, lambda a: None) == ('"' + "x" * 300 + '"')
    for addr, size in mem.calls:
        assert addr // 4096 == (addr + size - 1) // 4096


def test_raising_reader_and_symbolizer(tmp_path: Path) -> None:
    t = _char_ptr(tmp_path)

    def boom(*_args: object) -> None:
        raise OSError("nope")

    assert format_value(t, struct.pack("<Q", 0x1234), boom, boom) == "0x1234"


# ---------------------------------------------------------------------------
# Aggregates


def test_struct(tmp_path: Path) -> None:
    check(tmp_path, "struct point", "{ 1, 2 }", "{ .x = 1, .y = 2 }")


def test_nested_struct(tmp_path: Path) -> None:
    check(
        tmp_path,
        "struct rect",
        "{ { 1, 2 }, { 3, -4 } }",
        "{ .a = { .x = 1, .y = 2 }, .b = { .x = 3, .y = -4 } }",
    )


def test_typedef_struct(tmp_path: Path) -> None:
    case = check(tmp_path, "P", "{ 5, 6 }", "{ .x = 5, .y = 6 }")
    assert [name for name, _ in struct_fields(case.type)] == ["x", "y"]


def test_struct_with_many_member_kinds(tmp_path: Path) -> None:
    decls = COMMON + (
        "struct mix { char c; double d; const char *s; int a[2]; enum color col; P p; char name[4]; _Bool ok; };\n"
    )
    case = compile_case(tmp_path, "struct mix", '{ \'q\', 1.5, "str", { 7, 8 }, BLUE, { 1, 2 }, "ab", 1 }', decls)
    assert case.text == (
        "{ .c = 'q', .d = 1.5, .s = \"str\", .a = { 7, 8 }, .col = BLUE,"
        ' .p = { .x = 1, .y = 2 }, .name = "ab", .ok = true }'
    )


@pytest.mark.parametrize("dwarf", ["-gdwarf-5", "-gdwarf-4", "-gdwarf-2"])
def test_bitfields(tmp_path: Path, dwarf: str) -> None:
    decls = COMMON + (
        "struct bf { unsigned a : 3; int b : 5; unsigned c : 1; enum color d : 2;"
        " _Bool e : 1; int : 0; long long f : 40; signed char g : 3; short h; };\n"
    )
    case = compile_case(
        tmp_path,
        "struct bf",
        "{ 5, -3, 1, BLUE, 1, -123456789012LL, -4, 300 }",
        decls,
        flags=(dwarf,),
    )
    assert case.text == ("{ .a = 5, .b = -3, .c = 1, .d = BLUE, .e = true, .f = -123456789012, .g = -4, .h = 300 }")
    assert case.name == "struct bf"


def test_union(tmp_path: Path) -> None:
    check(tmp_path, "union u", "{ .i = 0x40490fdb }", "{ .i = 1078530011, .f = 3.1415927 }")


def test_anonymous_members(tmp_path: Path) -> None:
    decls = COMMON + ("struct anon { int a; union { int b; unsigned char c; }; struct { short d, e; }; };\n")
    case = compile_case(tmp_path, "struct anon", "{ 1, { 65 }, { 3, 4 } }", decls)
    assert case.text == "{ .a = 1, .b = 65, .c = 'A', .d = 3, .e = 4 }"
    assert [name for name, _ in struct_fields(case.type)] == ["a", "b", "c", "d", "e"]


def test_anonymous_struct_type_name(tmp_path: Path) -> None:
    decls = COMMON + "static struct { int q; } anon_var;\n"
    case = compile_case(tmp_path, "anon_var", "{ 9 }", decls)
    assert case.name == "struct {...}"
    assert case.text == "{ .q = 9 }"


def test_empty_struct(tmp_path: Path) -> None:
    decls = COMMON + "struct empty {};\n"
    case = compile_case(tmp_path, "struct empty", "{}", decls)
    assert case.text == "{}"
    assert case.name == "struct empty"


def test_flexible_array_member(tmp_path: Path) -> None:
    decls = COMMON + "struct flex { int n; int items[]; };\n"
    case = compile_case(tmp_path, "struct flex", "{ 3 }", decls)
    assert case.text == "{ .n = 3, .items = {} }"
    assert type_name(struct_fields(case.type)[1][1]) == "int []"


# ---------------------------------------------------------------------------
# Arrays


def test_int_array(tmp_path: Path) -> None:
    check(tmp_path, "int [3]", "{ 1, 2, 3 }", "{ 1, 2, 3 }")


def test_two_dimensional_array(tmp_path: Path) -> None:
    check(tmp_path, "int [2][2]", "{ { 1, 2 }, { 3, 4 } }", "{ { 1, 2 }, { 3, 4 } }")


def test_three_dimensional_array(tmp_path: Path) -> None:
    check(
        tmp_path,
        "short [2][1][2]",
        "{ { { 1, 2 } }, { { 3, 4 } } }",
        "{ { { 1, 2 } }, { { 3, 4 } } }",
    )


def test_long_array_elided(tmp_path: Path) -> None:
    init = "{ " + ", ".join(str(i) for i in range(1000)) + " }"
    case = compile_case(tmp_path, "int [1000]", init)
    shown = ", ".join(str(i) for i in range(100))
    assert case.text == "{ " + shown + ", ... } /* 1000 elements */"
    assert case.name == "int [1000]"


def test_array_of_structs(tmp_path: Path) -> None:
    check(
        tmp_path,
        "struct point [2]",
        "{ { 1, 2 }, { 3, 4 } }",
        "{ { .x = 1, .y = 2 }, { .x = 3, .y = 4 } }",
    )


def test_char_array_string(tmp_path: Path) -> None:
    check(tmp_path, "char [3]", '"hi"', '"hi"')
    check(tmp_path, "char [8]", '"hi"', '"hi"')
    check(tmp_path, "char [2]", '"hi"', '"hi"')  # no NUL: the full content
    check(tmp_path, "char [6]", '"a\\0b"', '"a"')
    # bytes, not text: only plain char arrays are strings
    check(tmp_path, "unsigned char [4]", '"\\x01\\x02"', "{ 1, 2, 0, 0 }")
    check(tmp_path, "signed char [3]", "{ -1, 2, 3 }", "{ -1, 2, 3 }")


def test_array_of_strings(tmp_path: Path) -> None:
    check(tmp_path, "char [2][4]", '{ "ab", "cd" }', '{ "ab", "cd" }')
    check(tmp_path, "const char *[2]", '{ "x", 0 }', '{ "x", NULL }')


def test_huge_char_array_truncated(tmp_path: Path) -> None:
    case = compile_case(tmp_path, "char [2000]", "{ [0 ... 1998] = 'z' }")
    assert case.text == '"' + "z" * 1000 + '"...'


def test_nested_arrays_budget(tmp_path: Path) -> None:
    case = compile_case(tmp_path, "int [200][200]", "{ 0 }")
    text = case.text
    assert text.startswith("{ { 0, 0,")
    assert "/* 200 elements */" in text
    assert len(text) < 40000


# ---------------------------------------------------------------------------
# Enums


def test_enum_named(tmp_path: Path) -> None:
    check(tmp_path, "enum color", "GREEN", "GREEN")


def test_enum_unnamed_value(tmp_path: Path) -> None:
    check(tmp_path, "enum color", "(enum color)7", "7")


def test_enum_negative_values(tmp_path: Path) -> None:
    decls = COMMON + "enum sign { NEG = -2, ZERO, BIG = 0x7fffffff };\n"
    case = compile_case(tmp_path, "enum sign", "NEG", decls)
    assert case.text == "NEG"
    case = compile_case(tmp_path, "enum sign", "(enum sign)-5", decls)
    assert case.text == "-5"
    case = compile_case(tmp_path, "enum sign", "BIG", decls)
    assert case.text == "BIG"


def test_enum_unsigned_large(tmp_path: Path) -> None:
    decls = COMMON + "enum mask { HIGH = 0x80000000u, ALL = 0xffffffffu };\n"
    assert compile_case(tmp_path, "enum mask", "ALL", decls).text == "ALL"
    assert compile_case(tmp_path, "enum mask", "HIGH", decls).text == "HIGH"


# ---------------------------------------------------------------------------
# Type names


@pytest.mark.parametrize(
    ("ctype", "expected"),
    [
        ("int", "int"),
        ("unsigned", "unsigned int"),
        ("long", "long"),
        ("unsigned long", "unsigned long"),
        ("long long", "long long"),
        ("unsigned long long", "unsigned long long"),
        ("short", "short"),
        ("unsigned short", "unsigned short"),
        ("char", "char"),
        ("signed char", "signed char"),
        ("unsigned char", "unsigned char"),
        ("_Bool", "_Bool"),
        ("float", "float"),
        ("double", "double"),
        ("long double", "long double"),
        ("char *", "char *"),
        ("const char *", "const char *"),
        ("char *const", "char *const"),
        ("const char *const", "const char *const"),
        ("char **", "char **"),
        ("const char **", "const char **"),
        ("void *", "void *"),
        ("const void *", "const void *"),
        ("const volatile int", "const volatile int"),
        ("volatile int *", "volatile int *"),
        ("struct point", "struct point"),
        ("union u", "union u"),
        ("enum color", "enum color"),
        ("P", "P"),
        ("P *", "P *"),
        ("const P", "const P"),
        ("int [3]", "int [3]"),
        ("int [2][3]", "int [2][3]"),
        ("int *[3]", "int *[3]"),
        ("int (*)[3]", "int (*)[3]"),
        ("int (*)(int, int)", "int (*)(int, int)"),
        ("void (*)(void)", "void (*)(void)"),
        ("int (*)()", "int (*)()"),
        ("int (*)(const char *, ...)", "int (*)(const char *, ...)"),
        ("int (*[2])(int, int)", "int (*[2])(int, int)"),
        ("char *(*)(char *)", "char *(*)(char *)"),
        ("void (*(*)(int))(void)", "void (*(*)(int))(void)"),
        ("struct node *", "struct node *"),
        ("_Complex double", "_Complex double"),
        ("__int128", "__int128"),
        ("unsigned __int128", "unsigned __int128"),
        ("_Atomic int", "_Atomic int"),
    ],
)
def test_type_names(tmp_path: Path, ctype: str, expected: str) -> None:
    case = compile_case(tmp_path, ctype, None)
    assert case.name == expected


def test_type_name_of_typedef_from_header(tmp_path: Path) -> None:
    decls = "#include <stddef.h>\n#include <stdint.h>\n"
    assert compile_case(tmp_path, "size_t", "3", decls).name == "size_t"
    case = compile_case(tmp_path, "uint8_t", "65", decls)
    assert case.name == "uint8_t"
    assert case.text == "'A'"
    case = compile_case(tmp_path, "int64_t", "-1", decls)
    assert (case.name, case.text) == ("int64_t", "-1")


# ---------------------------------------------------------------------------
# API details


def test_type_info_html(tmp_path: Path) -> None:
    case = compile_case(tmp_path, "int", "42")
    assert type_info_html(case.type, case.text) == "<code>int</code> 42"
    case = compile_case(tmp_path, "const char *", '"<a & b>"')
    assert type_info_html(case.type, case.text) == ('<code>const char *</code> "&lt;a &amp; b&gt;"')


def test_struct_fields_through_typedef_and_pointer(tmp_path: Path) -> None:
    case = compile_case(tmp_path, "const P *", "0")
    fields = struct_fields(case.type)
    assert [(n, type_name(t)) for n, t in fields] == [("x", "int"), ("y", "int")]
    assert struct_fields(compile_case(tmp_path, "int", "1").type) == []
    rect = compile_case(tmp_path, "struct rect", "{ 0 }").type
    assert [(n, type_name(t)) for n, t in struct_fields(rect)] == [
        ("a", "struct point"),
        ("b", "struct point"),
    ]


def test_missing_variable_and_bad_files(tmp_path: Path) -> None:
    case_src = tmp_path / "plain.c"
    case_src.write_text("int f(void) { return 1; }\n")
    obj = tmp_path / "plain.o"
    subprocess.run(["gcc", "-c", "-g", "-fPIC", str(case_src), "-o", str(obj)], check=True)
    assert open_object(obj).variable_type(VAR) is None
    nodebug = tmp_path / "nodebug.o"
    subprocess.run(["gcc", "-c", "-fPIC", str(case_src), "-o", str(nodebug)], check=True)
    assert open_object(nodebug).variable_type(VAR) is None
    junk = tmp_path / "junk.o"
    junk.write_bytes(b"not an elf file at all")
    with pytest.raises(NotAnObject):
        open_object(junk)


def test_short_data_does_not_crash(tmp_path: Path) -> None:
    case = compile_case(tmp_path, "struct rect", "{ { 1, 2 }, { 3, 4 } }")
    text = format_value(case.type, case.data[:10], case.image.read, case.image.symbolize)
    assert text == "{ .a = { .x = 1, .y = 2 }, .b = <unavailable> }"
    assert (
        format_value(compile_case(tmp_path, "int", "1").type, b"", lambda a, n: None, lambda a: None) == "<unavailable>"
    )


def test_recompiled_object_is_reloaded(tmp_path: Path) -> None:
    src = tmp_path / "re.c"
    obj = tmp_path / "re.o"
    src.write_text(f"static int {VAR} = 1;\nvoid *k(void) {{ return &{VAR}; }}\n")
    subprocess.run(["gcc", "-c", "-g", "-fPIC", str(src), "-o", str(obj)], check=True)
    first = open_object(obj).variable_type(VAR)
    assert first is not None and type_name(first) == "int"
    src.write_text(f"static double {VAR}[2] = {{ 1 }};\nvoid *k(void) {{ return &{VAR}; }}\n")
    subprocess.run(["gcc", "-c", "-g", "-fPIC", str(src), "-o", str(obj)], check=True)
    second = open_object(obj).variable_type(VAR)
    assert second is not None and type_name(second) == "double [2]"


def test_load_time_with_big_headers(tmp_path: Path) -> None:
    src = tmp_path / "big.c"
    src.write_text(
        "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n"
        "#include <stdint.h>\n#include <time.h>\n"
        "struct point { int x, y; };\n"
        "FILE *use_file(void) { return stdout; }\n"
        "div_t use_div(void) { return div(7, 2); }\n"
        "struct tm *use_tm(void) { time_t t = 0; return gmtime(&t); }\n"
        'double use_math(double x) { return sin(x) + strlen("abc"); }\n'
        f"static __typeof__((struct point){{ 1, 2 }}) {VAR};\n"
        f"void *keep(void) {{ return &{VAR}; }}\n"
    )
    obj = tmp_path / "big.o"
    subprocess.run(["gcc", "-c", "-g", "-fPIC", "-O0", str(src), "-o", str(obj)], check=True)
    start = time.perf_counter()
    t = open_object(obj).variable_type(VAR)
    elapsed = time.perf_counter() - start
    print(f"\nvariable_type on {obj.stat().st_size}-byte .o: {elapsed * 1000:.2f} ms")
    assert t is not None and type_name(t) == "struct point"


def test_load_time_with_many_declarations(tmp_path: Path) -> None:
    # Roughly what a long notebook session accumulates: many types and variables.
    lines = ["#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>"]
    for i in range(300):
        lines.append(f"struct s{i} {{ int a; double b; const char *name; struct s{i} *next; }};")
        lines.append(f"typedef struct s{i} T{i};")
        lines.append(f'T{i} var{i} = {{ {i}, {i}.5, "n{i}", 0 }};')
        lines.append(f"int fn{i}(T{i} *p) {{ return p->a + (int)strlen(p->name); }}")
    lines.append(f"static __typeof__((var299)) {VAR};")
    lines.append(f"void *keep(void) {{ return &{VAR}; }}")
    src = tmp_path / "many.c"
    src.write_text("\n".join(lines) + "\n")
    obj = tmp_path / "many.o"
    subprocess.run(["gcc", "-c", "-g", "-fPIC", "-O0", str(src), "-o", str(obj)], check=True)
    start = time.perf_counter()
    t = open_object(obj).variable_type(VAR)
    elapsed = time.perf_counter() - start
    print(f"\nvariable_type on {obj.stat().st_size}-byte .o (300 structs): {elapsed * 1000:.2f} ms")
    assert t is not None and type_name(t) == "T299"
