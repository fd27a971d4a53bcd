"""What a cell's object says about its code, from DWARF and the symbol table
(pyelftools): the source line at an address and the function holding it,
for crash reports, %disas and the names of function pointers.  Type trees
for values are values.py's."""

from __future__ import annotations

import functools
import os

from elftools.elf.elffile import ELFFile

from . import names


def _file_name(files, index: int, version: int) -> str:
    # DWARF 5 numbers files from 0, earlier versions from 1
    i = index if version >= 5 else index - 1
    if 0 <= i < len(files):
        name = files[i].name
        return name.decode("utf-8", "replace") if isinstance(name, bytes) else name
    return ""


@functools.lru_cache(maxsize=64)
def _elf_tables(path: str, mtime: int) -> tuple[list, list]:
    """(line rows, function symbols) of an object: [(start, end, file, line)], [(start, end, name)]."""
    rows, functions = [], []
    with open(path, "rb") as f:
        elf = ELFFile(f)
        for section in (elf.get_section_by_name(".symtab"), elf.get_section_by_name(".dynsym")):
            if section is not None and not functions:
                for sym in section.iter_symbols():
                    if sym["st_info"]["type"] in ("STT_FUNC", "STT_GNU_IFUNC") and sym["st_size"]:
                        functions.append((sym["st_value"], sym["st_value"] + sym["st_size"], sym.name))
        if elf.has_dwarf_info():
            dwarf = elf.get_dwarf_info()
            for cu in dwarf.iter_CUs():
                lp = dwarf.line_program_for_CU(cu)
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
    return rows, functions


def _tables(path: str) -> tuple[list, list]:
    return _elf_tables(path, os.stat(path).st_mtime_ns)


def line_of(path: str, address: int) -> tuple[str, int] | None:
    """(file, line) of a code address in a cell's object: the cell's label
    (or a user's `#line` file, a pasted header), never our generated code."""
    for start, end, file, line in _tables(path)[0]:
        if start <= address < end and file and file != names.GENERATED_FILE:
            return file, line
    return None


def declared_functions(path: str | os.PathLike) -> set[str]:
    """The linker names of the functions an object declares without defining
    them: prototypes, block-scope declarations and gcc's implicit declarations
    of a function called before any declaration (`g()` in `int f(void) { return
    g(); }`), which leave no other trace than an undefined symbol."""
    out: set[str] = set()
    with open(path, "rb") as f:
        elf = ELFFile(f)
        if not elf.has_dwarf_info():
            return out
        for cu in elf.get_dwarf_info().iter_CUs():
            for die in cu.iter_DIEs():
                if die.tag != "DW_TAG_subprogram" or "DW_AT_declaration" not in die.attributes:
                    continue
                name = die.attributes.get("DW_AT_linkage_name") or die.attributes.get("DW_AT_name")
                if name is not None:
                    value = name.value
                    out.add(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
    return out


def function_at(path: str, address: int) -> str | None:
    """The raw symbol name of the function holding `address`."""
    for start, end, name in _tables(path)[1]:
        if start <= address < end:
            return name
    return None
