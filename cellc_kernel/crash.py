"""What a crash report says: the call stack of a fault, like Python's traceback.

The executor's fault handler sends the stack as `FILE+0xOFFSET` frames, the
faulting pc first (and `skip:N` in the middle of a very deep one).  Here each
frame of a cell's object becomes its cell, line, function and source text,
read from the object's DWARF line table and symbol table (pyelftools);
consecutive frames of one library become one line; the executor and the
cell's entry code are never shown; a recursion is folded the way Python
folds it ("[Previous line repeated N more times]").
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.elffile import ELFFile

from .compile import clean_name

REPEAT_SHOWN = 3  # identical frames shown before "[Previous line repeated ...]"


@dataclass
class Frame:
    file: str  # the cell's label, a header path, or a library's file name
    line: int | None = None
    function: str | None = None  # None: the cell's own statements
    library: bool = False
    repeat: int = 0  # frames folded into this one

    def key(self) -> tuple:
        return (self.file, self.line, self.function, self.library)


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
        if start <= address < end and file and file != "<cellc>":
            return file, line
    return None


def function_at(path: str, address: int) -> str | None:
    """The raw symbol name of the function holding `address`."""
    for start, end, name in _tables(path)[1]:
        if start <= address < end:
            return name
    return None


def shown_function(name: str | None) -> str | None:
    """The name a user knows: `f` for a notebook function, None for a cell's statements."""
    if name is None or name.startswith(("__cellc_run_", "__cellc_entry_")):
        return None
    if name.startswith("__cellc_impl_"):
        return name.split("_", 5)[-1]
    return clean_name(name)


def frames_of(tokens: list[str], cell_objects: dict[str, str], machinery: set[str]) -> list[Frame]:
    """The user's frames, innermost first, from the fault event's frame tokens.
    `cell_objects`: .so path -> cell label; `machinery`: paths never shown."""
    out: list[Frame] = []
    for token in tokens:
        if token.startswith("skip:"):
            if out:
                out[-1].repeat += int(token[5:], 16)
            continue
        path, _, off = token.rpartition("+")
        offset = int(off, 16) if off else 0
        if path in machinery:
            if out:
                break  # below the cell: the executor's own frames
            continue
        if path not in cell_objects:
            symbol = function_at(path, offset) if os.path.exists(path) else None
            lib = Path(path).name if path != "?" else "?"
            if out and out[-1].library and out[-1].file == lib:
                out[-1].function = symbol or out[-1].function  # the outermost entry of the run
            else:
                out.append(Frame(lib, None, symbol, library=True))
            continue
        raw = function_at(path, offset)
        where = line_of(path, offset)
        outermost = raw is not None and raw.startswith(("__cellc_run_", "__cellc_entry_"))
        if outermost and where is None:
            break  # the entry's own code (at -O2 the statements may be inlined into it)
        file, line = where if where else (cell_objects[path], None)
        frame = Frame(file, line, shown_function(raw))
        if out and out[-1].key() == frame.key():
            out[-1].repeat += 1
        else:
            out.append(frame)
        if outermost:
            break  # the cell's statements: the outermost frame the user wrote
    return out


def format_traceback(frames: list[Frame], source_of) -> list[str]:
    """Python-style lines, most recent call last; `source_of(file)` is a
    file's text (a cell's, a header's) or None."""
    if not any(not f.library for f in frames):
        return []
    lines = ["Traceback (most recent call last):"]
    for f in reversed(frames):
        if f.library:
            lines.append(f"  in {f.file}" + (f", {f.function}()" if f.function else ""))
            continue
        shown = [f"  {f.file}" + (f", line {f.line}" if f.line else "") + (f", in {f.function}" if f.function else "")]
        text = source_of(f.file)
        if text is not None and f.line:
            rows = text.splitlines()
            if 0 < f.line <= len(rows) and rows[f.line - 1].strip():
                shown.append("    " + rows[f.line - 1].strip())
        copies = min(f.repeat, REPEAT_SHOWN - 1)
        lines.extend(shown * (1 + copies))
        if f.repeat > copies:
            lines.append(f"  [Previous line repeated {f.repeat - copies} more times]")
    return lines
