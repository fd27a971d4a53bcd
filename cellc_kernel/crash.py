"""What a crash report says: the call stack of a fault, like Python's traceback.

The executor's fault handler sends the stack as `FILE+0xOFFSET` frames, the
faulting pc first (and `skip:N` in the middle of a very deep one).  Here each
frame of a cell's object becomes its cell, line, function and source text,
read from the object's DWARF line table and symbol table (objfile.py);
consecutive frames of one library become one line; the executor's frames
are never shown; a recursion is folded the way Python
folds it ("[Previous line repeated N more times]").
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import names, objfile, toolchain, values

REPEAT_SHOWN = 3  # identical frames shown before "[Previous line repeated ...]"
VALUE_BYTES = 1 << 16  # a local larger than this is shown by gdb


@dataclass
class Frame:
    file: str  # the cell's label, a header path, or a library's file name
    line: int | None = None
    function: str | None = None  # None: the cell's own statements
    library: bool = False
    repeat: int = 0  # frames folded into this one

    def key(self) -> tuple:
        return (self.file, self.line, self.function, self.library)

    def title(self) -> str:
        """Its line in a traceback: `In[3], line 2, in f` or `in libm.so.6, sqrt()`."""
        if self.library:
            return f"in {self.file}" + (f", {self.function}()" if self.function else "")
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return where + (f", in {self.function}" if self.function else "")


def shown_function(name: str | None) -> str | None:
    """The name a user knows: `f` for a notebook function, None for a cell's statements."""
    if name is None or names.is_cell_code(name):
        return None
    name = name.split(".")[0]  # gcc's clones: f.cold, f.part.0, f.isra.0, f.constprop.0
    return names.function_of_body(name) or names.shown(name)


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
                while not all(f.library for f in out) and out[-1].library:
                    out.pop()  # the loader, running a cell's constructor
                break  # below the cell: the executor's own frames
            continue
        if path not in cell_objects:
            symbol = _function_at(path, offset) if os.path.exists(path) else None
            lib = Path(path).name if path != "?" else "?"
            if out and out[-1].library and out[-1].file == lib:
                out[-1].function = symbol or out[-1].function  # the outermost entry of the run
            else:
                out.append(Frame(lib, None, symbol, library=True))
            continue
        raw = _function_at(path, offset)
        where = objfile.open_object(path).line_at(offset)
        outermost = raw is not None and names.is_cell_code(raw)
        if outermost and where is None:
            break  # the run function's generated code: no line of the cell's
        file, line = where if where else (cell_objects[path], None)
        frame = Frame(file, line, shown_function(raw))
        if out and out[-1].key() == frame.key():
            out[-1].repeat += 1
        else:
            out.append(frame)
        if outermost:
            break  # the cell's statements: the outermost frame the user wrote
    return out


def _function_at(path: str, offset: int) -> str | None:
    """The raw symbol name of the function holding `offset` in an object."""
    sym = objfile.open_object(path).function_at(offset)
    return sym.name if sym is not None else None


def format_traceback(frames: list[Frame], source_of) -> list[str]:
    """Python-style lines, most recent call last; `source_of(file)` is a
    file's text (a cell's, a header's) or None."""
    if not any(not f.library for f in frames):
        return []
    lines = ["Traceback (most recent call last):"]
    for f in reversed(frames):
        if f.library:
            lines.append("  " + f.title())
            continue
        shown = ["  " + f.title()]
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


# -- post-mortem: gdb on the frozen copy of a crashed process ---------------------------

_GDB_SCRIPT = r"""
import gdb, json
out = []
frame = gdb.newest_frame()
while frame is not None:
    sal = frame.find_sal()
    d = {"pc": frame.pc(), "sigtramp": frame.type() == gdb.SIGTRAMP_FRAME, "name": frame.name(),
         "file": sal.symtab.filename if sal.symtab else None, "line": sal.line, "vars": [],
         "lib": gdb.solib_name(frame.pc())}
    try:
        d["object"] = frame.function().symtab.objfile.filename
    except Exception:
        d["object"] = None
    block = None
    if d["file"] and d["file"].startswith(WORKDIR):  # the user's frames only (gdb may run code for others)
        try:
            block = frame.block()
        except RuntimeError:
            pass
    seen = set()
    while block is not None:
        for sym in block:
            if (sym.is_argument or sym.is_variable) and sym.name not in seen:
                seen.add(sym.name)
                address = None
                try:
                    v = sym.value(frame)
                    value = v.format_string(max_elements=20, repeat_threshold=10)
                    if v.type.strip_typedefs().code == gdb.TYPE_CODE_PTR and int(v) == 0:
                        value = "NULL"  # as cellc shows it (this one lives in a register)
                    if v.address is not None:
                        address = int(v.address)
                except Exception as e:
                    value = "<%s>" % e
                d["vars"].append([sym.name, bool(sym.is_argument), value, address])
        if block.function is not None:
            break
        block = block.superblock
    out.append(d)
    frame = frame.older()
print("CELLC-FRAMES " + json.dumps(out))
"""


@dataclass
class DebugFrame:
    pc: int  # the frame's pc: how a later gdb session finds it again
    file: str
    line: int | None
    function: str | None
    variables: list[tuple[str, bool, str]]  # (name, is argument, value)
    library: bool = False  # `file` is then the library's name

    def title(self) -> str:
        if self.library:
            return f"in {self.file}" + (f", {self.function}()" if self.function else "")
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return where + (f", in {self.function}" if self.function else "")


def gdb_python(pid: int, script: str, timeout: int = 30) -> str:
    """The output of a gdb Python script run attached to `pid`, in batch mode
    (argv, no shell); `toolchain.ToolTimeout` past `timeout`.  gdb keeps the
    user's locale: it prints the program's strings."""
    gdb = shutil.which("gdb")
    if gdb is None:
        raise FileNotFoundError("gdb")
    argv = [gdb, "-nx", "-batch", "-p", str(pid), "-ex", "python exec(" + json.dumps(script) + ")"]
    return toolchain.run(argv, timeout=timeout, user_locale=True).stdout


EXECUTOR_FUNCTIONS = ("run_cell", "serve", "main", "__libc_start_call_main", "__libc_start_main")


def debug_frames(pid: int, workdir: Path, symbolize=lambda address: None) -> list[DebugFrame]:
    """The user's frames of a frozen process, innermost first: those below
    the signal handler's, out to the cell's statements.  Cells' files are
    named by their labels (gdb puts them in `workdir`, gcc's directory)."""
    out = gdb_python(pid, _GDB_SCRIPT.replace("WORKDIR", json.dumps(str(workdir) + "/")))
    line = next((x for x in out.splitlines() if x.startswith("CELLC-FRAMES ")), None)
    if line is None:
        return []
    raw = json.loads(line.split(" ", 1)[1])
    # below the signal handler's frame; without one (a sanitizer's death
    # callback), from the first frame of a cell
    start = next((i + 1 for i, d in enumerate(raw) if d["sigtramp"]), None)
    if start is None:
        start = next((i for i, d in enumerate(raw) if d["file"] and Path(d["file"]).parent == workdir), 0)
    frames: list[DebugFrame] = []
    for d in raw[start:]:
        name = d["name"] or ""
        if name.startswith(EXECUTOR_FUNCTIONS):
            break
        file = d["file"]
        if not file or Path(file).parent != workdir:  # a library's frame: one line for a run of them
            lib = Path(d["lib"]).name if d["lib"] else "library"
            if frames and frames[-1].library and frames[-1].file == lib:
                frames[-1].function = name or frames[-1].function
            else:
                frames.append(DebugFrame(d["pc"], lib, None, name or "??", [], library=True))
            continue
        variables = []
        for var, is_argument, value, address in d["vars"]:
            if not names.is_ours(var):
                shown = _cellc_value(pid, d["object"], name, var, address, symbolize) or names.shown(value)
                variables.append((var, is_argument, shown))
        frames.append(DebugFrame(d["pc"], Path(file).name, d["line"], shown_function(name), variables))
        if names.is_cell_code(name):
            break
    return frames


def _cellc_value(pid: int, so: str | None, function: str, name: str, address: int | None, symbolize) -> str | None:
    """A variable in memory shown as cellc shows values (its type from the
    cell's DWARF, its bytes from the frozen process); None: use gdb's text."""
    if not so or address is None or not os.path.exists(so):
        return None
    try:
        ctype = objfile.open_object(so).local_type(function, name)
    except OSError:
        return None
    if ctype is None or not 0 < ctype.size <= VALUE_BYTES:
        return None

    def read(at: int, size: int) -> bytes | None:
        try:
            with open(f"/proc/{pid}/mem", "rb") as mem:
                mem.seek(at)
                return mem.read(size)
        except (OSError, ValueError, OverflowError):
            return None

    data = read(address, ctype.size)
    return values.format_value(ctype, data, read, symbolize) if data else None


_GDB_EVALUATE = r"""
import gdb
frame = gdb.newest_frame()
while frame is not None and frame.pc() != PC:
    frame = frame.older()
if frame is None:
    print("CELLC-ERROR the frame is gone")
else:
    frame.select()
    try:
        print("CELLC-VALUE " + gdb.parse_and_eval(EXPRESSION).format_string(max_elements=100))
    except gdb.error as e:
        print("CELLC-ERROR " + str(e))
"""


def evaluate(pid: int, frame: DebugFrame, expression: str) -> str:
    """A C expression evaluated in a frame of the frozen process, as gdb answers it."""
    script = _GDB_EVALUATE.replace("PC", str(frame.pc)).replace("EXPRESSION", json.dumps(expression))
    out = gdb_python(pid, script)
    for line in out.splitlines():
        if line.startswith("CELLC-VALUE "):
            return names.shown(line[len("CELLC-VALUE ") :])
        if line.startswith("CELLC-ERROR "):
            return "error: " + names.shown(line[len("CELLC-ERROR ") :])
    return "error: gdb gave no answer"
