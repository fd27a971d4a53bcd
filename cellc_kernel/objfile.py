"""The one reader of object files: a cell's `.o` and `.so`, and the libraries
a crash passes through.  No other module opens an ELF file.

pyelftools' model is one reader per file; here a file is opened once and
what it answers is kept with it: its symbols (defined or not, with kind and
section), its relocations grouped by the function or object they sit in,
the line table both ways, the function, object and section at an address,
and the DWARF types of globals and of a function's parameters and locals,
as the C type model (ctype.py), which knows nothing of DWARF.

The cache, the only one: `open_object` keeps one reader per path, valid
while the file keeps its device, inode, size and modification time, so a
file compiled again (a cell's retry) is read afresh and never answered from
its old parse.  At most MAX_OBJECTS readers and MAX_BYTES of their files'
contents are kept, least recently used out first.  A reader keeps its
file's bytes and its answers, never pyelftools' parse of the tables; the
parsed DWARF behind type and line questions only for the MAX_DWARF readers
asked most recently (pyelftools' parse is a large graph of objects that
every garbage collection of the kernel walks).  %reset and %undo remove no
file and no cell's file is written twice, so nothing needs dropping there;
a caller that deletes an object at once (completion's probes) calls `forget`.
"""

from __future__ import annotations

import bisect
import functools
import io
import os
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import ClassVar, NamedTuple, TypeVar

from elftools.common.exceptions import DWARFError, ELFError
from elftools.dwarf.die import DIE
from elftools.elf import elffile
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationHandler, RelocationSection
from elftools.elf.sections import SymbolTableSection
from elftools.elf.structs import ELFStructs

from . import names
from .arch import relocation_target
from .ctype import ATE_COMPLEX_FLOAT, ATE_FLOAT, CType, Field, strip_typedefs, void

MAX_OBJECTS = 32
MAX_BYTES = 64 << 20
MAX_DWARF = 8
READ_WHOLE = 16 << 20  # files up to this size are read into memory (pyelftools seeks a lot)

# A thread-local global's DWARF location is relocated by its offset in the
# TLS block, which pyelftools does not know: it would give up on the whole
# object (no array dimensions, no values of any global of that cell).  The
# offset itself matters to no one here.
_TLS_RECIPE = RelocationHandler._RELOCATION_RECIPES_X64[1]  # symbol + addend, 8 bytes
RelocationHandler._RELOCATION_RECIPES_X64 = {
    17: _TLS_RECIPE,  # R_X86_64_DTPOFF64
    21: _TLS_RECIPE._replace(bytesize=4),  # R_X86_64_DTPOFF32
    **RelocationHandler._RELOCATION_RECIPES_X64,  # its own recipes win, should it learn these
}
getattr(RelocationHandler, "_RELOCATION_RECIPES_AARCH64", {}).setdefault(1028, _TLS_RECIPE)  # R_AARCH64_TLS_DTPREL64


class _SharedStructs(ELFStructs):
    """pyelftools' struct definitions of a file, built once per kind of file.

    They depend only on its class, byte order, type, machine and OS ABI, and
    building them is most of the cost of opening a file (0.4 ms of a cell's
    1 ms); the constructs are immutable parsers, so files of one kind share them."""

    _made: ClassVar[dict[tuple, dict]] = {}

    def create_basic_structs(self) -> None:
        self._reuse((self.little_endian, self.elfclass), super().create_basic_structs)

    def create_advanced_structs(self, e_type=None, e_machine=None, e_ident_osabi=None) -> None:
        key = (self.little_endian, self.elfclass, e_type, e_machine, e_ident_osabi)
        self._reuse(key, lambda: ELFStructs.create_advanced_structs(self, e_type, e_machine, e_ident_osabi))

    def _reuse(self, key: tuple, build: Callable[[], None]) -> None:
        made = self._made.get(key)
        if made is None:
            before = dict(vars(self))
            build()
            made = {k: v for k, v in vars(self).items() if k not in before or before[k] is not v}
            self._made[key] = made
        vars(self).update(made)


# what ELFFile builds its structs with; mypy forbids assigning to a class name
elffile.ELFStructs = _SharedStructs  # type: ignore[misc]

# what a damaged or foreign file makes pyelftools raise
_BROKEN = (ELFError, DWARFError, struct.error, KeyError, ValueError, IndexError)
_X86_MACHINES = ("EM_X86_64", "EM_386", "EM_IAMCU")
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
_QUALIFIER_TAGS = {
    "DW_TAG_const_type": "const",
    "DW_TAG_volatile_type": "volatile",
    "DW_TAG_restrict_type": "restrict",
    "DW_TAG_atomic_type": "atomic",
}


class NotAnObject(OSError):
    """The file is not an ELF object pyelftools can read.  An OSError, so
    that callers treat it as they treat a file they cannot read."""


class Symbol(NamedTuple):
    """One symbol table entry, in ELF's own terms but without its prefixes."""

    name: str
    value: int  # address in a .so; offset in its section in a .o
    size: int
    kind: str  # func, object, notype, tls, gnu_ifunc, common, section, file
    bind: str  # local, global, weak, gnu_unique
    section: int | str  # the section's index, or UNDEF, ABS, COMMON
    code: bool  # defined in an executable section

    @property
    def defined(self) -> bool:
        return self.section != "UNDEF"


class Relocation(NamedTuple):
    """A place in code or data that refers to a symbol."""

    section: int  # the index of the section it patches
    offset: int  # where in that section
    symbol: Symbol | None  # None for ELF's null symbol
    target: int  # against a section's symbol: where in that section it points


class Variable(NamedTuple):
    """A parameter or local of a function (for a debugger's variables)."""

    name: str
    type: CType | None
    parameter: bool


_T = TypeVar("_T")


def _locked(method: Callable[..., _T]) -> Callable[..., _T]:
    """One question at a time per file: the look-ahead asks on a thread of its own."""

    @functools.wraps(method)
    def wrapper(self: ObjectFile, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class _Section(NamedTuple):
    name: str
    address: int
    size: int
    flags: int


class _Dwarf:
    """A file's parsed DWARF: what type questions walk.  pyelftools' parse is
    a large graph of objects that every garbage collection traverses, so few
    are kept (MAX_DWARF, see the module's docstring)."""

    def __init__(self, elf: ELFFile) -> None:
        # pyelftools applies a relocatable object's DWARF relocations itself
        self.info = elf.get_dwarf_info() if elf.has_dwarf_info() else None
        self.units = list(self.info.iter_CUs()) if self.info is not None else []
        self.indexes: dict[int, dict[str, list[int]]] = {}

    def index(self, cu) -> dict[str, list[int]]:
        """Names of the unit's top-level variables -> their DIE offsets."""
        idx = self.indexes.get(cu.cu_offset)
        if idx is None:
            idx = {}
            for die in cu.get_top_DIE().iter_children():
                name = _die_name(die) if die.tag == "DW_TAG_variable" else None
                if die.tag == "DW_TAG_variable" and "DW_AT_specification" in die.attributes:
                    # the definition of a global declared before it in the unit
                    name = _die_name(die.get_DIE_from_attribute("DW_AT_specification"))
                if name:
                    idx.setdefault(name, []).append(die.offset)
            self.indexes[cu.cu_offset] = idx
        return idx

    def variable(self, name: str) -> DIE | None:
        if self.info is None:  # no DWARF, no units
            return None
        for cu in self.units:
            offsets = self.index(cu).get(name)
            if offsets:
                dies = [self.info.get_DIE_from_refaddr(off, cu) for off in offsets]
                # Prefer the definition that carries the type: a declaration may
                # precede it, with an incomplete type (`extern int a[];`).
                typed = [d for d in dies if "DW_AT_type" in d.attributes]
                defining = [d for d in typed if "DW_AT_declaration" not in d.attributes]
                return (defining or typed or dies)[0]
        # Not at file scope: fall back to a full walk (e.g. a function-local static).
        for cu in self.units:
            for die in cu.iter_DIEs():
                if die.tag == "DW_TAG_variable" and _die_name(die) == name:
                    return die
        return None


class ObjectFile:
    """An ELF file, read once: it keeps the file's bytes and the answers it
    gave, never pyelftools' parse of its tables; its parsed DWARF only while
    it is among the MAX_DWARF files most recently asked about types or lines."""

    def __init__(self, path: str) -> None:
        self.path = path
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            self.identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
            self._data = f.read() if st.st_size <= READ_WHOLE else None
        self.size = len(self._data) if self._data is not None else 0  # bytes held in memory
        self._elf: ELFFile | None = self._parse()  # until the first question reads what it needs
        self.machine: str = self._elf["e_machine"]
        self.little_endian: bool = self._elf.little_endian
        self.address_size = 8 if self._elf.elfclass == 64 else 4
        self._lock = threading.RLock()
        self._read = False  # the tables below
        self._sections: list[_Section] = []
        self._symtab: list[Symbol] = []
        self._functions: list[Symbol] | None = None
        self._relocations: list[Relocation] = []
        self._references: dict[str, set[str]] | None = None
        self._dwarf: _Dwarf | None = None
        self._lines: list[tuple[int, int, str, int]] | None = None
        self._declared: set[str] | None = None
        self._variables: dict[str, CType | None] = {}
        self._locals: dict[str, list[Variable]] = {}
        self._types = _TypeBuilder(self.little_endian, self.address_size, self.machine in _X86_MACHINES)

    def _parse(self) -> ELFFile:
        stream = io.BytesIO(self._data) if self._data is not None else open(self.path, "rb")  # noqa: SIM115
        try:
            return ELFFile(stream)
        except _BROKEN as e:
            raise NotAnObject(f"{self.path}: not an ELF object ({e})") from e

    def _parser(self) -> ELFFile:
        """pyelftools' reader of the file: the one made when it was opened, once."""
        elf, self._elf = self._elf, None
        return elf if elf is not None else self._parse()

    # -- sections, symbols and relocations: read in one pass -------------------------

    def _tables(self) -> list[_Section]:
        if not self._read:
            try:
                self._read_tables(self._parser())
            except _BROKEN as e:
                raise NotAnObject(f"{self.path}: damaged section headers or symbol table ({e})") from e
            self._read = True
        return self._sections

    def _read_tables(self, elf: ELFFile) -> None:
        sections = list(elf.iter_sections())  # pyelftools re-parses headers on every lookup
        # attributes of the headers: pyelftools' item lookups cost more, for every cell
        self._sections = [_Section(s.name, s.header.sh_addr, s.header.sh_size, s.header.sh_flags) for s in sections]
        tables = {s.name: s for s in sections if isinstance(s, SymbolTableSection)}
        table = tables.get(".symtab") or tables.get(".dynsym")
        code = {i for i, s in enumerate(self._sections) if s.flags & SH_FLAGS.SHF_EXECINSTR}
        symbols = [_symbol(sym, code) for sym in table.iter_symbols()] if table is not None else []
        functions = None  # from `symbols`, when first asked (function_at)
        dynsym = tables.get(".dynsym")  # a linked file's
        if dynsym is not None and dynsym is not table and not _sized_functions(symbols):
            functions = _sized_functions([_symbol(sym, code) for sym in dynsym.iter_symbols()])
        relocations = []
        for section in sections:
            # code's and data's: debug and unwind ones are many, slow to parse, and name nothing of interest
            if isinstance(section, RelocationSection) and section.name.startswith((".rela.text", ".rela.data")):
                where = section["sh_info"]
                for rel in section.iter_relocations():
                    index = rel["r_info_sym"]
                    symbol = symbols[index] if 0 < index < len(symbols) else None
                    target = relocation_target(self.machine, rel["r_info_type"], rel["r_addend"])
                    relocations.append(Relocation(where, rel["r_offset"], symbol, target))
        self._symtab, self._functions, self._relocations = symbols, functions, relocations

    @_locked
    def symbols(self) -> list[Symbol]:
        """The symbol table (`.symtab`, or `.dynsym` of a stripped library),
        without ELF's null symbol."""
        self._tables()
        return self._symtab[1:]

    @_locked
    def section_at(self, address: int) -> str | None:
        """The name of the loaded section holding `address`."""
        found = None
        for s in self._tables():
            if s.flags & SH_FLAGS.SHF_ALLOC and s.address <= address < s.address + s.size:
                found = s.name
        return found

    @_locked
    def function_at(self, address: int) -> Symbol | None:
        """The function holding a code address (`.dynsym`'s when `.symtab` has none)."""
        self._tables()
        if self._functions is None:
            self._functions = _sized_functions(self._symtab)
        for sym in self._functions:
            if sym.value <= address < sym.value + sym.size:
                return sym
        return None

    @_locked
    def object_at(self, address: int) -> Symbol | None:
        """The data object (locals too) holding `address`; the last one the table lists."""
        self._tables()
        found = None
        for sym in self._symtab:
            if sym.kind == "object" and sym.value <= address < sym.value + max(sym.size, 1):
                found = sym
        return found

    @_locked
    def relocations(self) -> list[Relocation]:
        """The relocations of code and data (not debug or unwind information)."""
        self._tables()
        return self._relocations

    @_locked
    def references(self) -> dict[str, set[str]]:
        """Which function or object ('' none) refers to which names, local ones
        too: what tells the cells of one object apart (batch.py).  Callers must
        not change the sets."""
        self._tables()
        if self._references is None:
            self._references = _group_references(self._symtab, self._relocations)
        return self._references

    # -- DWARF: the line table, variables and types ------------------------------------

    def _debug(self) -> _Dwarf:
        """The file's parsed DWARF, parsed again if it was let go."""
        dwarf = self._dwarf
        if dwarf is None:
            dwarf = self._dwarf = _Dwarf(self._parser())
        _keep_dwarf(self)
        return dwarf

    def _drop_dwarf(self) -> None:
        self._dwarf = None  # a question under way keeps its own reference

    def _line_rows(self) -> list[tuple[int, int, str, int]]:
        """[(start, end, file, line)] of every row of every unit's line program."""
        if self._lines is None:
            rows = []
            try:
                dwarf = self._debug()
                for cu in dwarf.units:
                    assert dwarf.info is not None  # the units come from it
                    lp = dwarf.info.line_program_for_CU(cu)
                    if lp is None:
                        continue
                    files, version, prev = lp["file_entry"], lp.header["version"], None
                    for entry in lp.get_entries():
                        st = entry.state
                        if st is None:
                            continue
                        if prev is not None and not prev.end_sequence and prev.address < st.address:
                            rows.append((prev.address, st.address, _file_name(files, prev.file, version), prev.line))
                        prev = st if not st.end_sequence else None
            except _BROKEN:
                pass  # what was read before the damage stands
            self._lines = rows
        return self._lines

    @_locked
    def line_at(self, address: int) -> tuple[str, int] | None:
        """(file, line) of a code address: the cell's label (or a user's
        `#line` file, a pasted header), never cellc's generated code."""
        for start, end, file, line in self._line_rows():
            if start <= address < end and file and file != names.GENERATED_FILE:
                return file, line
        return None

    @_locked
    def addresses_of(self, file: str, line: int) -> list[int]:
        """The code addresses where `file:line` starts (a breakpoint's places)."""
        return [start for start, _, f, n in self._line_rows() if f == file and n == line]

    @_locked
    def variable_type(self, name: str) -> CType | None:
        """The type of the variable `name` (a global, else a function's static),
        or None when the file has no such variable or no debug information."""
        if name not in self._variables:
            try:
                die = self._debug().variable(name)
                ref = _type_ref(die) if die is not None else None
                if ref is None and die is not None and "DW_AT_abstract_origin" in die.attributes:
                    ref = _type_ref(die.get_DIE_from_attribute("DW_AT_abstract_origin"))
                self._variables[name] = self._types.build(ref) if ref is not None else None
            except _BROKEN:
                self._variables[name] = None
        return self._variables[name]

    @_locked
    def locals(self, function: str) -> list[Variable]:
        """The parameters and locals of `function` (its DWARF name), of every
        block of it, outer blocks first."""
        if function not in self._locals:
            try:
                self._locals[function] = self._read_locals(function)
            except _BROKEN:
                self._locals[function] = []
        return self._locals[function]

    def _read_locals(self, function: str) -> list[Variable]:
        out = []
        for cu in self._debug().units:
            for die in cu.get_top_DIE().iter_children():
                if die.tag != "DW_TAG_subprogram" or _die_name(die) != function:
                    continue
                todo = list(die.iter_children())
                while todo:
                    child = todo.pop(0)
                    name = _die_name(child)
                    if child.tag in ("DW_TAG_formal_parameter", "DW_TAG_variable") and name:
                        ref = _type_ref(child)
                        ctype = self._types.build(ref) if ref is not None else None
                        out.append(Variable(name, ctype, child.tag == "DW_TAG_formal_parameter"))
                    if child.tag == "DW_TAG_lexical_block":
                        todo.extend(child.iter_children())
        return out

    @_locked
    def statics(self) -> list[tuple[str, str, int, CType]]:
        """(function, name, address, type) of every function's static
        variable: the address in the object (DW_OP_addr), outer blocks first."""
        out = []
        try:
            for cu in self._debug().units:
                for die in cu.get_top_DIE().iter_children():
                    function = (_die_name(die) or "") if die.tag == "DW_TAG_subprogram" else ""
                    todo = list(die.iter_children()) if function else []
                    while todo:
                        child = todo.pop(0)
                        where = child.attributes.get("DW_AT_location")
                        ref = _type_ref(child)
                        if child.tag == "DW_TAG_variable" and where is not None and ref is not None:
                            expr = where.value
                            if isinstance(expr, list) and len(expr) == 9 and expr[0] == 0x03:  # DW_OP_addr
                                address = int.from_bytes(bytes(expr[1:]), "little" if self.little_endian else "big")
                                out.append((function, _die_name(child) or "", address, self._types.build(ref)))
                        if child.tag == "DW_TAG_lexical_block":
                            todo.extend(child.iter_children())
        except _BROKEN:
            return []
        return out

    def local_type(self, function: str, name: str) -> CType | None:
        """The type of parameter or local `name` of `function` (any block of it)."""
        return next((v.type for v in self.locals(function) if v.name == name), None)

    @_locked
    def declared_functions(self) -> set[str]:
        """The linker names of the functions the object declares without
        defining them: prototypes, block-scope declarations and gcc's implicit
        declarations of a function called before any declaration (`g()` in
        `int f(void) { return g(); }`), which leave no other trace than an
        undefined symbol."""
        if self._declared is None:
            out: set[str] = set()
            try:
                for cu in self._debug().units:
                    for die in cu.iter_DIEs():
                        if die.tag != "DW_TAG_subprogram" or "DW_AT_declaration" not in die.attributes:
                            continue
                        name = die.attributes.get("DW_AT_linkage_name") or die.attributes.get("DW_AT_name")
                        if name is not None:
                            value = name.value
                            out.add(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
            except _BROKEN:
                pass
            self._declared = out
        return self._declared


def _symbol(sym, code_sections: set[int]) -> Symbol:
    entry = sym.entry
    where, kind, bind = entry.st_shndx, entry.st_info.type, entry.st_info.bind
    return Symbol(
        sym.name,
        entry.st_value,
        entry.st_size,
        kind[4:].lower() if isinstance(kind, str) else str(kind),
        bind[4:].lower() if isinstance(bind, str) else str(bind),
        where if isinstance(where, int) else where.removeprefix("SHN_"),
        where in code_sections,
    )


def _group_references(symbols: list[Symbol], relocations: list[Relocation]) -> dict[str, set[str]]:
    """holder -> names its relocations refer to (see ObjectFile.references)."""
    spans: dict[int, list[tuple[int, int, str]]] = {}  # section -> (start, end, function or object)
    for sym in symbols:
        if sym.name and sym.kind in ("func", "object") and isinstance(sym.section, int):
            spans.setdefault(sym.section, []).append((sym.value, sym.value + sym.size, sym.name))
    spans = {where: sorted(found) for where, found in spans.items()}

    def holder(where: int, offset: int) -> str:
        found = spans.get(where, ())
        i = bisect.bisect_right(found, (offset, float("inf"))) - 1
        return found[i][2] if i >= 0 and offset < found[i][1] else ""

    def section_of(sym: Symbol | None) -> int | None:
        """The section a section's own symbol stands for."""
        if sym is not None and sym.kind == "section" and isinstance(sym.section, int):
            return sym.section
        return None

    # Data no symbol covers (a function's initializers of local arrays) is
    # the function's that refers to it, at the nearest start before.
    anonymous: dict[int, list[tuple[int, str]]] = {}
    for rel in relocations:
        into = section_of(rel.symbol)
        if into is not None and not holder(into, rel.target):
            anonymous.setdefault(into, []).append((rel.target, holder(rel.section, rel.offset)))
    anonymous = {where: sorted(found) for where, found in anonymous.items()}
    out: dict[str, set[str]] = {}
    for rel in relocations:
        into = section_of(rel.symbol)
        if rel.symbol is not None and rel.symbol.name:
            name = rel.symbol.name
        elif into is not None:  # a local function or object, by its section's symbol
            name = holder(into, rel.target)
            if not name:
                continue
        else:
            continue
        owner = holder(rel.section, rel.offset)
        if not owner and rel.section in anonymous:
            i = bisect.bisect_right(anonymous[rel.section], (rel.offset, "\uffff")) - 1
            owner = anonymous[rel.section][i][1] if i >= 0 else ""
        out.setdefault(owner, set()).add(name)
    return out


def _sized_functions(symbols: list[Symbol]) -> list[Symbol]:
    return [s for s in symbols if s.kind in ("func", "gnu_ifunc") and s.size]


def _file_name(files, index: int, version: int) -> str:
    # DWARF 5 numbers files from 0, earlier versions from 1
    i = index if version >= 5 else index - 1
    if 0 <= i < len(files):
        name = files[i].name
        return name.decode("utf-8", "replace") if isinstance(name, bytes) else name
    return ""


# ---------------------------------------------------------------------------
# DWARF type trees -> the C type model


class _TypeBuilder:
    """CType trees of one file's DIEs, each DIE built once (cycles resolve to
    the node being built)."""

    def __init__(self, little_endian: bool, address_size: int, x86: bool) -> None:
        self.little_endian = little_endian
        self.address_size = address_size
        self.x86 = x86
        self._types: dict[int, CType] = {}

    def build(self, die: DIE | None) -> CType:
        if die is None:
            return void(self.little_endian)
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
            t.fields = self._members(die)
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
            t.target = self.build(ref) if ref is not None else void(self.little_endian)
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

    def _members(self, die: DIE) -> list[Field]:
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


# ---------------------------------------------------------------------------
# The cache

_cache: OrderedDict[str, ObjectFile] = OrderedDict()
_held = 0  # bytes of the cached readers' files
_dwarf_kept: OrderedDict[int, ObjectFile] = OrderedDict()  # id -> reader holding a parsed DWARF
_cache_lock = threading.Lock()


def open_object(path: str | os.PathLike) -> ObjectFile:
    """The reader of the object at `path`, opened once while the file stays
    the same (see the module's docstring).  Raises OSError when the file
    cannot be read, NotAnObject when it is not ELF."""
    key = os.path.abspath(path)
    st = os.stat(key)
    identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None and found.identity == identity:
            _cache.move_to_end(key)
            return found
    obj = ObjectFile(key)
    global _held
    with _cache_lock:
        old = _cache.pop(key, None)  # a newer file replaces its path's reader
        if old is not None:
            _drop(old)
        _cache[key] = obj
        _held += obj.size
        while len(_cache) > MAX_OBJECTS or (_held > MAX_BYTES and len(_cache) > 1):
            _drop(_cache.popitem(last=False)[1])
    return obj


def _drop(obj: ObjectFile) -> None:
    """Forget a reader the cache no longer holds (under the lock)."""
    global _held
    _held -= obj.size
    _dwarf_kept.pop(id(obj), None)


def _keep_dwarf(obj: ObjectFile) -> None:
    """`obj` was just asked about its DWARF: the readers asked longest ago let theirs go."""
    with _cache_lock:
        _dwarf_kept[id(obj)] = obj
        _dwarf_kept.move_to_end(id(obj))
        while len(_dwarf_kept) > MAX_DWARF:
            _dwarf_kept.popitem(last=False)[1]._drop_dwarf()


def forget(path: str | os.PathLike) -> None:
    """Drop the reader of a file the caller is deleting."""
    with _cache_lock:
        dropped = _cache.pop(os.path.abspath(path), None)
        if dropped is not None:
            _drop(dropped)
