"""%save and %load: the program, its definitions and its data, in a file that outlives the kernel.

Definitions are the steps that built the program since the last `%reset` (its
cells, `%%file`, `%lib`, `%env`), replayed on load through the whole pipeline,
each cell with the executor's `load`: its object is loaded, its statements do
not run (no output, no side effect repeats).  Data is every notebook global,
every function static and the heap reachable from them, walked by type as
memory diagrams are (memgraph.py).  A region is saved as its bytes with its
pointers cut out and kept as where they lead — region k at offset o, function
f, a string, a standard stream — so that they can point anew where the
restarted program has its objects.  What cannot move from one process to
another (an open file, a pointer into memory no variable or block holds, a
block only a `void *` reaches that holds pointers) is named, and left NULL.
The format is docs/persistence.md's.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import introspect, names, objfile, values
from .ctype import ATE_SIGNED, ATE_UNSIGNED, CType, strip_typedefs, type_name
from .export import CellRecord, EnvRecord, FileRecord, LibRecord, ResetRecord
from .memgraph import (
    DANGLING,
    FREED,
    FUNCTION,
    HEAP,
    MEMORY,
    RAW,
    STRING,
    WILD,
    Block,
    Named,
    Place,
    Walker,
    pointers_in,
    view_rank,
)
from .processes import ProcessMemory

if TYPE_CHECKING:
    from .interpreter import Interpreter

FORMAT = "cellc-program"
VERSION = 1
MAX_REGIONS = 10_000_000
MAX_BYTES = 1 << 32
_STREAMS = ("stdin", "stdout", "stderr")
_OPEN_FILES = {"FILE": "an open file", "_IO_FILE": "an open file", "__dirstream": "an open directory"}


_BOUND = {
    "pthread_t": "threads do not survive a restart (left 0)",
    "pthread_mutex_t": "a lock is the process's (left unlocked)",
    "pthread_cond_t": "a condition variable is the process's (left as initialized)",
    "pthread_rwlock_t": "a lock is the process's (left unlocked)",
    "sem_t": "a semaphore is the process's (left 0)",
    "jmp_buf": "a jump buffer holds the process's stack addresses (left 0)",
    "sigjmp_buf": "a jump buffer holds the process's stack addresses (left 0)",
}


def _leaves(t: CType | None, offset: int, bound: list[tuple[int, CType]], numbers: list[int]) -> None:
    """The members of an object of type `t` at `offset` that only mean
    something in its process (`_BOUND`, by their typedef's name), and its
    8-byte integers (which may hide an address)."""
    if t is None:
        return
    if t.kind == "typedef" and t.name in _BOUND:
        bound.append((offset, t))
        return
    r = strip_typedefs(t)
    if r.kind == "struct":
        for f in r.fields:
            if f.bit_size is None:
                _leaves(f.type, offset + f.offset, bound, numbers)
    elif r.kind == "array" and r.target is not None and r.count:
        esize = strip_typedefs(r.target).size or 1
        for i in range(r.count):
            _leaves(r.target, offset + i * esize, bound, numbers)
    elif r.kind == "base" and r.size == 8 and r.encoding in (ATE_SIGNED, ATE_UNSIGNED):
        numbers.append(offset)


class LoadError(Exception):
    """The file is no program this cellc can load; nothing was changed."""


@dataclass
class _Region:
    kind: str  # "global", "static", "block"
    ref: Any  # the global's name; [cell label, function, name] of a static; None for a block
    name: str  # for the reports
    start: int
    size: int
    view: CType | None  # None: bytes only (a block that only `void *`s reach)
    count: int = 1
    pointers: list = field(default_factory=list)  # [offset, target]
    data: bytes = b""
    dropped: str = ""  # why it is not saved
    scanned: bool = False


def _stream(interp: Interpreter, memory: ProcessMemory, name: str) -> int | None:
    """The `FILE *` the program's `stdin`, `stdout` or `stderr` holds now."""
    address = interp.address(name)
    data = memory.read(address, 8) if address else None
    return int.from_bytes(data, "little") if data else None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _member(view: CType | None, count: int, offset: int) -> str:
    """`[3].next`: the member at byte `offset` of `count` objects of type `view`."""
    if view is None:
        return f" + {offset}" if offset else ""
    size = strip_typedefs(view).size or 1
    path = f"[{offset // size}]" if count > 1 else ""
    offset %= size
    t = strip_typedefs(view)
    while offset or t.kind in ("struct", "array"):
        if t.kind == "struct":
            inner = [f for f in t.fields if f.offset <= offset < f.offset + (strip_typedefs(f.type).size or 1)]
            if not inner:
                break
            path += "." + (inner[-1].name or "")
            offset -= inner[-1].offset
            t = strip_typedefs(inner[-1].type)
        elif t.kind == "array" and t.target is not None:
            esize = strip_typedefs(t.target).size or 1
            path += f"[{offset // esize}]"
            offset %= esize
            t = strip_typedefs(t.target)
        else:
            break
    return path


class Saver:
    """The program as a save file: `document()` and the `notes` of what it could not keep."""

    def __init__(self, interp: Interpreter, memory: ProcessMemory):
        self.interp, self.read = interp, memory.read
        self.notes: list[str] = []
        self.steps = self._steps()
        blocks = [Block(*b) for b in interp.process.heap()]
        globals_ = introspect.notebook_globals(interp)
        statics = self._statics(memory)
        self.walker = Walker(self.read, interp.symbolize, blocks, globals_ + [s for s, _ in statics], 10**9, 10**9)
        self.regions: list[_Region] = []
        self.index: dict[tuple[str, int], int] = {}
        self.streams = {_stream(interp, memory, n): n for n in _STREAMS}
        self._layouts: dict[tuple[int, int, int], tuple[list, list, list, list[int]]] = {}
        self._rescan: list[int] = []
        self._memory = memory
        for g in globals_:
            self._add(("named", g.address), _Region("global", g.name, g.name, g.address, g.size, g.type))
        for named, ref in statics:
            self._add(
                ("named", named.address), _Region("static", ref, named.name, named.address, named.size, named.type)
            )

    def _steps(self) -> list[dict]:
        interp = self.interp
        records = interp.program.records
        start = max((i + 1 for i, r in enumerate(records) if isinstance(r, ResetRecord)), default=0)
        steps: list[dict] = []
        for r in records[start:]:
            if isinstance(r, CellRecord):
                code = interp.cell_source(r.label)
                if r.magic or code is None:
                    self.notes.append(f"the definitions of {r.label} (a {r.magic or 'cell'} cell)")
                else:
                    steps.append({"cell": r.label, "code": code})
            elif isinstance(r, FileRecord):
                steps.append({"file": r.path, "text": r.text, "append": r.append})
            elif isinstance(r, LibRecord):
                steps.append({"lib": r.spec})
            elif isinstance(r, EnvRecord):
                steps.append({"env": r.name, "value": r.value})
        return steps

    def _statics(self, memory: ProcessMemory) -> list[tuple[Named, list[str]]]:
        out = []
        for step in self.steps:
            cell = self.interp.cell_code(step["cell"]) if "cell" in step else None
            base = memory.base_of(str(cell.so)) if cell is not None else None
            if cell is None or base is None:
                continue
            for function, name, address, ctype in objfile.open_object(cell.so).statics():
                owner = _shown_function(function)  # not its private name: the cell's number differs when rebuilt
                out.append((Named(f"{name} (static in {owner})", base + address, ctype), [step["cell"], owner, name]))
        return out

    def _add(self, key: tuple[str, int], region: _Region) -> int:
        if key not in self.index:
            self.index[key] = len(self.regions)
            self.regions.append(region)
            if len(self.regions) > MAX_REGIONS:
                raise OverflowError(f"more than {MAX_REGIONS:,} objects to save")
        return self.index[key]

    def document(self) -> dict:
        i = 0
        while i < len(self.regions) or self._rescan:
            if self._rescan:  # a block read first as bytes or chars, then reached as the struct it holds
                region = self.regions[self._rescan.pop()]
                region.pointers = []
            else:
                region, i = self.regions[i], i + 1
            self._scan(region)
        for region in self.regions:  # a pointer to what could not be saved is not either
            kept = []
            for offset, target, pointer in region.pointers:
                dropped = self.regions[target[1]].dropped if target[0] == "region" else ""
                if dropped:
                    self.notes.append(f"{self._what(region, offset, pointer)}: {dropped}")
                else:
                    kept.append([offset, target])
            region.pointers = kept
        for region in self.regions:
            if region.dropped and region.kind != "block":
                self.notes.append(f"{region.name}: {region.dropped}")
        return {
            "format": FORMAT,
            "version": VERSION,
            "cflags": list(self.interp.cflags),
            "steps": self.steps,
            "not_saved": self.notes,
            "regions": [
                {"kind": r.kind, "ref": r.ref, "size": r.size, "data": _b64(r.data), "pointers": r.pointers}
                if not r.dropped
                else {"kind": r.kind, "ref": r.ref, "size": 0, "data": "", "pointers": [], "dropped": True}
                for r in self.regions
            ],
        }

    def _scan(self, region: _Region) -> None:
        region.scanned = True
        data = bytearray(self.read(region.start, region.size) or b"")
        if len(data) < region.size:
            region.dropped = "its memory cannot be read"
            return
        if region.view is None:
            self._untyped(region, data)
        view = region.view
        sure, maybe, bound, numbers = self._layout(view, region.count, region.size)
        known = {offset for offset, _ in sure}
        for offset, pointer in sure + maybe:
            word = bytes(data[offset : offset + pointer.size])
            value = int.from_bytes(word, "little" if pointer.little_endian else "big")
            if value == 0 or (offset not in known and not self._leads_somewhere(value, pointer)):
                continue  # NULL, or a union's other member: its bytes are what they are
            known.add(offset)
            target = self._target(value, pointer, region, offset)
            data[offset : offset + pointer.size] = bytes(pointer.size)
            if target is not None:
                region.pointers.append([offset, target, pointer])
        for offset, t in bound:  # a thread, a lock, a jump buffer: the process's, not the program's data
            size = strip_typedefs(t).size
            if any(data[offset : offset + size]):
                data[offset : offset + size] = bytes(size)
                self.notes.append(f"{self._what(region, offset, t)}: {_BOUND[t.name or '']}")
        for offset in numbers:
            value = int.from_bytes(data[offset : offset + 8], "little")
            if value > 4096 and self.walker.holder(value) is not None:
                self.notes.append(
                    f"{region.name}{_member(view, region.count, offset)}: an integer holding an address of the "
                    "program's: its number is kept, the address it meant is not"
                )
        region.data = bytes(data)

    def _target(self, value: int, pointer: CType, region: _Region, offset: int) -> list | None:
        """Where a pointer leads, as the file says it; None (and a note) where it cannot be kept."""

        def what() -> str:
            return self._what(region, offset, pointer)

        pointee = strip_typedefs(pointer.target) if pointer.target is not None else None
        kind = _OPEN_FILES.get(pointee.name or "") if pointee is not None and pointee.kind == "struct" else None
        if kind is not None:
            if value in self.streams:
                return ["stream", self.streams[value]]
            self.notes.append(f"{what()}: {kind} does not survive a restart")
            return None
        place = self.walker.locate(value, pointer)
        if place == FUNCTION:
            name = self.interp.symbolize(value)
            if name:
                return ["function", name]
            self.notes.append(f"{what()}: it points to code that is no function")
            return None
        if place == STRING:  # a literal (read-only data of a loaded object) moves as a copy
            mapping = self._memory.mapping(value)
            found = values.read_c_string(self.read, value, MAX_BYTES)
            if found and mapping is not None and "w" not in mapping[0] and mapping[1].startswith("/"):
                return ["string", _b64(found[0])]
            place = MEMORY
        if place == RAW:
            place = self.walker.holder(value) or MEMORY
        if isinstance(place, Place) and place.kind in (HEAP, "variable"):
            key = place.key if place.kind == HEAP else ("named", place.start)
            if key not in self.index:
                self._add(key, _Region("block", None, "a heap block", place.start, place.size, place.view, place.count))
            index = self.index[key]
            target = self.regions[index]
            if target.kind == "block" and value == place.start and view_rank(place.view) > view_rank(target.view):
                target.view, target.count = place.view, place.count
                if target.scanned:
                    self._rescan.append(index)
            return ["region", index, value - place.start]
        why = {
            WILD: "it points to no memory of the program",
            DANGLING: "it points into a freed block",
            FREED: "it points into a freed block",
        }.get(
            place.kind if isinstance(place, Place) else str(place),
            "it points to memory that is no variable nor heap block",
        )
        self.notes.append(f"{what()}: {why}")
        return None

    def _layout(self, view: CType | None, count: int, size: int) -> tuple[list, list, list, list[int]]:
        """Where `count` objects of type `view` in `size` bytes have pointers
        (sure, and in unions), members bound to the process, 8-byte integers;
        a struct's flexible array member has the elements the rest of the block
        holds.  Worked out once a layout (a list's nodes share one)."""
        key = (id(view), count, size)
        if key in self._layouts:
            return self._layouts[key]
        sure: list[tuple[int, CType]] = []
        maybe: list[tuple[int, CType]] = []
        bound: list[tuple[int, CType]] = []
        numbers: list[int] = []
        if view is not None:
            sure = pointers_in(view, count)
            offsets = {offset for offset, _ in sure}
            maybe = [p for p in pointers_in(view, count, unions=True) if p[0] not in offsets]
            element = strip_typedefs(view).size or 1
            for i in range(count):
                _leaves(view, i * element, bound, numbers)
            last = strip_typedefs(view).fields[-1:] if strip_typedefs(view).kind == "struct" else []
            flexible = strip_typedefs(last[0].type) if last else None
            if (
                count == 1
                and flexible is not None
                and flexible.kind == "array"
                and not flexible.count
                and flexible.target
            ):
                esize = strip_typedefs(flexible.target).size or 1
                for i in range(max(0, (size - last[0].offset) // esize)):
                    at = last[0].offset + i * esize
                    sure += [(at + o, t) for o, t in pointers_in(flexible.target)]
                    _leaves(flexible.target, at, bound, numbers)
        self._layouts[key] = (sure, maybe, bound, numbers)
        return self._layouts[key]

    def _leads_somewhere(self, value: int, pointer: CType) -> bool:
        """Whether a union's pointer member holds a pointer of the program's (then it is one)."""
        place = self.walker.locate(value, pointer)
        if place == FUNCTION:
            return bool(self.interp.symbolize(value))
        if place == RAW:
            return self.walker.holder(value) is not None
        return place == STRING or (isinstance(place, Place) and place.kind in (HEAP, "variable"))

    @staticmethod
    def _what(region: _Region, offset: int, pointer: CType) -> str:
        return f"{region.name}{_member(region.view, region.count, offset)} ({type_name(pointer)})"

    def _untyped(self, region: _Region, data: bytearray) -> None:
        """A block only `void *`s reach: its bytes move as they are, unless a
        word of it looks like a pointer of the program's, which cannot be moved untyped."""
        for i in range(0, len(data) - 7, 8):
            value = int.from_bytes(data[i : i + 8], "little")
            if value > 4096 and self.walker.holder(value) is not None:
                region.dropped = "the block it points to may hold pointers cellc cannot type"
                return


def _shown_function(function: str) -> str:
    """A function's name as the user wrote it (not its private name, which has the cell's number)."""
    from .crash import shown_function

    return shown_function(function) or names.shown(function)


# ---------------------------------------------------------------------------
# Loading


def check(text: bytes) -> dict:
    """The document of a save file, every field checked: a LoadError says what is wrong."""
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise LoadError("it is not a cellc save file (not JSON, or cut short)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise LoadError("it is not a cellc save file")
    if doc.get("version") != VERSION:
        raise LoadError(f"it is a save of format version {doc.get('version')!r}; this cellc reads version {VERSION}")
    _expect(isinstance(doc.get("cflags"), list) and all(isinstance(f, str) for f in doc["cflags"]), "cflags")
    _expect(isinstance(doc.get("not_saved"), list) and all(isinstance(n, str) for n in doc["not_saved"]), "notes")
    steps, regions = doc.get("steps"), doc.get("regions")
    _expect(isinstance(steps, list) and all(isinstance(x, dict) and _step_ok(x) for x in steps), "steps")
    if not isinstance(regions, list) or len(regions) > MAX_REGIONS:
        raise LoadError("its list of objects does not make sense: the file is damaged")
    total = 0
    for i, r in enumerate(regions):
        where = f"object {i}"
        _expect(isinstance(r, dict) and r.get("kind") in ("global", "static", "block"), where)
        _expect(isinstance(r.get("size"), int) and 0 <= r["size"] <= MAX_BYTES, f"{where}: its size")
        try:
            r["bytes"] = base64.b64decode(r.get("data", ""), validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise LoadError(f"{where}: its bytes are damaged") from None
        _expect(len(r["bytes"]) == r["size"], f"{where}: {len(r['bytes'])} bytes where its size says {r['size']}")
        total += r["size"]
        _expect(total <= MAX_BYTES, "the objects' sizes")
        ref = r.get("ref")
        if r["kind"] == "global":
            _expect(isinstance(ref, str), f"{where}: its name")
        elif r["kind"] == "static":
            _expect(
                isinstance(ref, list) and len(ref) == 3 and all(isinstance(x, str) for x in ref), f"{where}: its name"
            )
        _expect(isinstance(r.get("pointers"), list), f"{where}: its pointers")
        for p in r["pointers"]:
            _expect(isinstance(p, list) and len(p) == 2 and isinstance(p[0], int), f"{where}: a pointer")
            _expect(0 <= p[0] <= r["size"] - 8, f"{where}: a pointer at byte {p[0]} of {r['size']}")
            _expect(_target_ok(p[1], regions), f"{where}: where a pointer leads")
    return doc


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise LoadError(
            f"its {what} do not make sense: the file is damaged"
            if what.endswith("s")
            else f"{what} does not make sense: the file is damaged"
        )


def _step_ok(step: dict) -> bool:
    if "cell" in step:
        return (
            isinstance(step["cell"], str)
            and names.cell_number(step["cell"]) is not None
            and isinstance(step.get("code"), str)
        )
    if "file" in step:
        return isinstance(step["file"], str) and isinstance(step.get("text"), str)
    if "lib" in step:
        return isinstance(step["lib"], str)
    return (
        "env" in step and isinstance(step["env"], str) and (step.get("value") is None or isinstance(step["value"], str))
    )


def _target_ok(target: Any, regions: list) -> bool:
    if not isinstance(target, list) or not target:
        return False
    if target[0] == "region":
        return (
            len(target) == 3
            and isinstance(target[1], int)
            and 0 <= target[1] < len(regions)
            and isinstance(target[2], int)
            and isinstance(regions[target[1]], dict)
            and 0 <= target[2] <= int(regions[target[1]].get("size", 0) or 0)
        )
    if target[0] == "function":
        return len(target) == 2 and isinstance(target[1], str) and target[1].isidentifier()
    if target[0] == "string":
        return len(target) == 2 and isinstance(target[1], str)
    return target[0] == "stream" and len(target) == 2 and target[1] in _STREAMS


class Restorer:
    """Points the saved data anew in the program rebuilt from the file's steps:
    `sizes()` of the blocks to allocate, then `write()` once they are."""

    def __init__(self, interp: Interpreter, doc: dict):
        self.interp, self.regions = interp, doc["regions"]
        self.notes: list[str] = []
        self.strings: dict[str, int] = {}  # a string's base64 -> its block, after the regions' blocks
        for r in self.regions:
            for _, target in r["pointers"]:
                if target[0] == "string":
                    self.strings.setdefault(target[1], len(self.strings))
        self.blocks = [i for i, r in enumerate(self.regions) if r["kind"] == "block" and not r.get("dropped")]
        self.where: dict[int, int] = {}  # region -> its address in the rebuilt program (`prepare`)
        self.addresses: dict[str, int | None] = {}  # a stream's or a function's

    def sizes(self) -> list[int]:
        """The sizes of the heap blocks to allocate: the saved blocks, then the strings."""
        strings = [len(base64.b64decode(text)) + 1 for text in self.strings]
        return [self.regions[i]["size"] for i in self.blocks] + strings

    def prepare(self, memory: ProcessMemory) -> None:
        """Where the rebuilt program has the saved variables, streams and functions:
        asked before the cell that allocates the blocks (the program cannot answer while it waits)."""
        self.where = {}
        for i, r in enumerate(self.regions):
            if r["kind"] != "block" and not r.get("dropped"):
                address = self._named(r, memory)
                if address:
                    self.where[i] = address
        self.addresses = {name: _stream(self.interp, memory, name) for name in _STREAMS}
        for r in self.regions:
            for _, target in r["pointers"]:
                if target[0] == "function" and target[1] not in self.addresses:
                    # a notebook function by its trampoline (its current version), a library's by name
                    trampoline = self.interp.address(names.trampoline(target[1]))
                    self.addresses[target[1]] = trampoline or self.interp.address(target[1]) or None

    def write(self, memory: ProcessMemory, allocated: list[int]) -> tuple[int, int, int, int]:
        """Write every region where the new program has it; (globals, statics, blocks, their bytes) restored."""
        where = {**self.where, **dict(zip(self.blocks, allocated, strict=False))}
        string_at = allocated[len(self.blocks) :]
        counts = {"global": 0, "static": 0, "block": 0}
        written = 0
        for text, k in self.strings.items():
            memory.write(string_at[k], base64.b64decode(text) + b"\0")
        for i, r in enumerate(self.regions):
            if i not in where:
                continue
            data = bytearray(r["bytes"])
            for offset, target in r["pointers"]:
                value = self._value(target, where, string_at)
                if value is None:
                    self.notes.append(f"Not restored: a pointer of {self._name(r)}: {target[0]} {target[1]} is gone")
                    value = 0
                data[offset : offset + 8] = value.to_bytes(8, "little")
            if memory.write(where[i], bytes(data)):
                counts[r["kind"]] += 1
                written += len(data) if r["kind"] == "block" else 0
            else:
                self.notes.append(f"Not restored: {self._name(r)}: its memory cannot be written")
        return counts["global"], counts["static"], counts["block"], written

    def _named(self, r: dict, memory: ProcessMemory) -> int | None:
        """Where the rebuilt program has a saved global or static (None, and a note, if it has not)."""
        interp = self.interp
        if r["kind"] == "global":
            v = interp.program.variables.get(r["ref"])
            t = introspect.variable_type(interp, r["ref"]) if v is not None else None
            if v is None or t is None:
                self.notes.append(f"Not restored: {r['ref']}: the rebuilt program has no such global")
                return None
            if (strip_typedefs(t).size or t.size) != r["size"]:
                self.notes.append(f"Not restored: {r['ref']}: its type is not the one saved")
                return None
            return interp.address(v.symbol) or None
        label, function, name = r["ref"]
        cell = interp.cell_code(label)
        base = memory.base_of(str(cell.so)) if cell is not None else None
        if cell is not None and base is not None:
            for f, n, address, t in objfile.open_object(cell.so).statics():
                if (_shown_function(f), n) == (function, name) and (strip_typedefs(t).size or t.size) == r["size"]:
                    return base + address
        self.notes.append(f"Not restored: {self._name(r)}: the rebuilt program has no such static")
        return None

    def _value(self, target: list, where: dict[int, int], string_at: list[int]) -> int | None:
        if target[0] == "region":
            base = where.get(target[1])
            return None if base is None else base + target[2]
        if target[0] == "string":
            return string_at[self.strings[target[1]]]
        return self.addresses.get(target[1])  # a stream, or a function by name: its current version

    @staticmethod
    def _name(r: dict) -> str:
        if r["kind"] == "global":
            return r["ref"]
        if r["kind"] == "static":
            return f"{r['ref'][2]} (static in {r['ref'][1]})"
        return "a heap block"
