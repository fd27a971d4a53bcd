"""The live program's data as a graph, for memory diagrams (%draw).

A node is a region of memory read as a C type: a notebook global, an
expression's object, a heap block (sized by the executor's allocation table)
or other readable memory a pointer leads to.  A node's slots are its scalar
leaves (fields, array elements); a pointer slot leads to the node holding the
address, at the byte offset it points to, so an interior pointer arrives at
the element or field it names.  Pointers are resolved against what the
program owns, never followed blindly: into a freed block is dangling, to
unreadable memory or heap memory no block holds is wild.

Nothing here draws: diagram.py lays the graph out.  Types are ctype.py's,
values are formatted by values.py, memory is read through a `ReadMemory`.
"""

from __future__ import annotations

import bisect
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import values
from .ctype import CType, Field, is_char, strip_typedefs, type_name
from .values import ReadMemory, Symbolize

ARRAY_HEAD = 8
"""Elements shown at the start of a long array (then an ellipsis, then the tail)."""
ARRAY_TAIL = 2
SLOT_BUDGET = 256
"""At most this many slots in one node: a huge struct is cut, with a note."""
NODE_BYTES = 1 << 16
"""A node reads at most this much of its region at once."""
COUNT_SECONDS = 0.3
"""How long counting the nodes beyond the limits may take before it says "at least"
(a 10^4-node list is counted whole; a 10^6-node one is not worth a user's wait)."""

# What a pointer slot leads to.
OK = "ok"
NULL = "null"
DANGLING = "dangling"
WILD = "wild"
FUNCTION = "function"
STRING = "string"
RAW = "raw"
BEYOND = "beyond"  # a node past the limits, not drawn

# What a node is.
VARIABLE = "variable"  # a notebook global or an expression's object
HEAP = "heap"  # a live heap block
FREED = "freed"  # a freed heap block (drawn, never read)
MEMORY = "memory"  # other memory of the program: a function's static, a library's data


@dataclass(frozen=True)
class Block:
    """A heap block as the executor's allocation table knows it."""

    address: int
    size: int
    freed: bool = False

    @property
    def end(self) -> int:
        return self.address + self.size


@dataclass(frozen=True)
class Named:
    """A named object: a notebook global or the object an expression designates."""

    name: str
    address: int
    type: CType

    @property
    def size(self) -> int:
        return strip_typedefs(self.type).size or self.type.size


@dataclass(eq=False)
class Pointer:
    """Where a pointer slot leads."""

    state: str
    address: int
    target: Node | None = None
    offset: int = 0
    """Byte offset in the target node's region."""


@dataclass(eq=False)
class Slot:
    """One scalar leaf of a node: a field, an element, a string, an ellipsis."""

    path: str
    """As C would name it from the node: `.next`, `[3]`, `[3].key`, `` for a scalar node."""
    text: str
    offset: int
    size: int
    element: int | None = None
    """The top-level array element it belongs to, when the node is an array."""
    pointer: Pointer | None = None
    elided: int = 0
    """For an ellipsis: how many elements it stands for."""


@dataclass(eq=False)
class Node:
    number: int
    kind: str
    address: int
    size: int
    """Bytes of the region (a heap block's size, a variable's sizeof)."""
    view: CType | None
    """The type the region is read as; None: raw bytes (a block only `void *` reached)."""
    count: int = 1
    """Elements of `view` in the region (a heap block read as an array)."""
    titles: list[str] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    depth: int = 0
    note: str = ""

    @property
    def is_array(self) -> bool:
        return self.count > 1 or (self.view is not None and strip_typedefs(self.view).kind == "array")

    def type_text(self) -> str:
        if self.view is None:
            return f"{self.size} bytes"
        name = type_name(self.view)
        return f"{name}[{self.count}]" if self.count > 1 else name

    def slot_at(self, offset: int) -> Slot | None:
        """The innermost slot holding byte `offset` (an ellipsis for an elided element)."""
        best = None
        for s in self.slots:
            if s.offset <= offset < s.offset + max(s.size, 1):
                best = s
        return best


@dataclass(frozen=True)
class Place:
    """Where a pointer leads, before it is a node: a node's key and what it would be."""

    key: tuple[str, int]
    kind: str
    start: int
    size: int
    view: CType | None
    count: int = 1
    named: Named | None = None


@dataclass
class Graph:
    roots: list[Node]
    nodes: list[Node]
    more: int = 0
    """Nodes reachable beyond the limits, not drawn."""
    more_exact: bool = True
    notes: list[str] = field(default_factory=list)


def view_rank(t: CType | None) -> int:
    """How much a view of a block says: a struct beats an int beats a char beats raw bytes."""
    if t is None:
        return 0
    r = strip_typedefs(t)
    if is_char(r):
        return 1
    return {"base": 2, "enum": 2, "pointer": 3}.get(r.kind, 4)


class Walker:
    """Walks the program's data from its roots, breadth first, within limits."""

    def __init__(
        self,
        read: ReadMemory,
        symbolize: Symbolize,
        blocks: list[Block],
        named: list[Named],
        max_nodes: int = 100,
        max_depth: int = 100,
        heap_ranges: list[tuple[int, int]] | None = None,
    ):
        self.read = read
        self.symbolize = symbolize
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        blocks = sorted(blocks, key=lambda b: (b.address, not b.freed))
        self._blocks = blocks
        self._block_starts = [b.address for b in blocks]
        self._named = sorted(named, key=lambda n: n.address)
        self._named_starts = [n.address for n in self._named]
        self._heap_ranges = sorted(heap_ranges or [])
        self._largest_block = max((b.size for b in blocks), default=0)  # how far back a block may start
        self._largest_named = max((n.size for n in self._named), default=0)
        self.nodes: list[Node] = []
        self._by_key: dict[tuple[str, int], Node] = {}
        self._queue: deque[Node] = deque()
        self._beyond: dict[tuple[str, int], Place] = {}  # what the limits left out
        self._layouts: dict[tuple[int, int], list[tuple[int, CType]]] = {}
        self._data = b""  # the bytes of the node being expanded

    # -- the walk -------------------------------------------------------------------
    def walk(self, roots: list[Named]) -> Graph:
        nodes = [self._named_node(r) for r in roots]
        while self._queue:
            self._expand(self._queue.popleft())
        graph = Graph(nodes, self.nodes)
        if self._beyond:
            graph.more, graph.more_exact = self._count_beyond()
        return graph

    def _new_node(
        self, key: tuple[str, int], kind: str, address: int, size: int, view: CType | None, depth: int
    ) -> Node:
        node = Node(len(self.nodes) + 1, kind, address, size, view, depth=depth)
        self.nodes.append(node)
        self._by_key[key] = node
        if kind != FREED:
            self._queue.append(node)
        return node

    def _named_node(self, named: Named, depth: int = 0) -> Node:
        key = ("named", named.address)
        node = self._by_key.get(key)
        if node is None or node.view is not named.type:
            node = self._new_node(
                ("named:" + named.name, named.address), VARIABLE, named.address, named.size, named.type, depth
            )
            self._by_key.setdefault(key, node)
        if named.name not in node.titles:
            node.titles.append(named.name)
        return node

    def _expand(self, node: Node) -> None:
        node.slots = []
        assert node.view is not None  # only a freed block has none, and it is never read
        self._data = self._read(node.address, node.size) or b""  # the slots slice it: one read a node
        view = strip_typedefs(node.view)
        if is_char(view) and (node.count > 1 or node.kind == HEAP):
            node.slots.append(Slot("", self._block_string(node), 0, node.size))
            return
        esize = view.size or 1
        budget = [SLOT_BUDGET]
        if node.count > 1:
            for index in _shown_indices(node.count):
                if index < 0:
                    hidden = node.count - ARRAY_HEAD - ARRAY_TAIL
                    node.slots.append(Slot("", "…", ARRAY_HEAD * esize, hidden * esize, ARRAY_HEAD, elided=hidden))
                    continue
                self._slots(node, node.view, index * esize, f"[{index}]", index, budget)
        else:
            self._slots(node, node.view, 0, "", None, budget)
        if budget[0] <= 0:
            node.note = f"only the first {SLOT_BUDGET} members are shown"

    def _slots(self, node: Node, t: CType, offset: int, path: str, element: int | None, budget: list[int]) -> None:
        """Append the leaves of an object of type `t` at `offset` of `node`."""
        if budget[0] <= 0:
            return
        r = strip_typedefs(t)
        if r.kind == "struct":
            for f in r.fields:
                if f.bit_size is not None:
                    if f.name:
                        self._bitfield(node, r, f, offset, path + "." + f.name, element, budget)
                    continue
                inner = path + "." + f.name if f.name else path
                self._slots(node, f.type, offset + f.offset, inner, element, budget)
            return
        if r.kind == "array" and r.target is not None and not is_char(strip_typedefs(r.target)):
            esize = strip_typedefs(r.target).size or 1
            count = r.count or 0
            top = node.count == 1 and offset == 0 and path == "" and element is None
            for index in _shown_indices(count):
                if index < 0:
                    hidden = count - ARRAY_HEAD - ARRAY_TAIL
                    node.slots.append(
                        Slot(path, "…", offset + ARRAY_HEAD * esize, hidden * esize, element, elided=hidden)
                    )
                    continue
                self._slots(
                    node, r.target, offset + index * esize, f"{path}[{index}]", index if top else element, budget
                )
            return
        budget[0] -= 1
        size = r.size if r.kind != "array" else (r.size or 0)
        data = self._bytes(node, offset, size)
        slot = Slot(path, "", offset, size, element)
        needed = size if r.kind != "array" else min(size, NODE_BYTES)  # text: a long char array's start
        if data is None or len(data) < needed:
            slot.text = "<unreadable>"
        elif r.kind == "pointer":
            slot.pointer = self._resolve(data, r, node.depth + 1)
            slot.text = _pointer_text(slot.pointer, data, r, self.read, self.symbolize)
        elif r.kind == "union":
            slot.text = "raw 0x" + data[::-1].hex() if r.little_endian else "raw 0x" + data.hex()
        else:
            slot.text = values.format_value(t, data, self.read, self.symbolize)
        node.slots.append(slot)

    def _bitfield(
        self, node: Node, owner: CType, f: Field, offset: int, path: str, element: int | None, budget: list[int]
    ) -> None:
        budget[0] -= 1
        data = self._bytes(node, offset, owner.size) or b""
        text = values.format_bitfield(f, data, self.read, self.symbolize)
        node.slots.append(Slot(path, text, offset + (f.bit_offset or 0) // 8, max(1, (f.bit_size or 0) // 8), element))

    # -- pointers ---------------------------------------------------------------------
    def _resolve(self, data: bytes, t: CType, depth: int) -> Pointer:
        address = int.from_bytes(data, "little" if t.little_endian else "big")
        place = self.locate(address, t)
        if isinstance(place, str):
            return Pointer(place, address)
        node = self._by_key.get(place.key)
        if node is None:
            if len(self.nodes) >= self.max_nodes or depth > self.max_depth:
                self._beyond.setdefault(place.key, place)
                return Pointer(BEYOND, address, offset=address - place.start)
            node = self._make(place, depth)
        if place.kind == HEAP:
            self._upgrade(node, place.view, address - place.start)
        return Pointer(DANGLING if node.kind == FREED else OK, address, node, address - node.address)

    def locate(self, address: int, t: CType) -> str | Place:
        """What pointer `t` holding `address` leads to: a place in the
        program's memory, or a state of its own (NULL, wild, a function...)."""
        target = strip_typedefs(t.target) if t.target is not None else None
        if address == 0:
            return NULL
        if target is not None and target.kind == "function":
            return FUNCTION
        if target is None or target.kind == "void":
            return RAW if self._read(address, 1) is not None else WILD
        view: CType = t.target or target
        named = self._named_at(address)
        if named is not None:
            return Place(("named", named.address), VARIABLE, named.address, named.size, named.type, named=named)
        block = self._block_at(address)
        if block is not None and block.freed:
            return Place(("freed", block.address), FREED, block.address, block.size, None)
        if block is not None:
            size = strip_typedefs(view).size
            count = max(1, block.size // size) if size and not flexible(view) else 1
            return Place(("heap", block.address), HEAP, block.address, block.size, view, count)
        if self._read(address, 1) is None or self._in_heap(address):
            return WILD
        if is_char(target):
            return STRING
        return Place(("memory", address), MEMORY, address, target.size or 1, view)

    def _make(self, place: Place, depth: int) -> Node:
        if place.named is not None:
            return self._named_node(place.named, depth)
        node = self._new_node(place.key, place.kind, place.start, place.size, place.view, depth)
        node.count = place.count
        return node

    def _upgrade(self, node: Node, view: CType | None, offset: int) -> None:
        """A block first reached through `char *` or `void *` is read again as
        the struct a pointer to its start says it holds."""
        if node.kind != HEAP or offset != 0 or view_rank(view) <= view_rank(node.view):
            return
        assert view is not None
        size = strip_typedefs(view).size
        node.view, node.count = view, max(1, node.size // size) if size and not flexible(view) else 1
        if node not in self._queue:
            self._queue.append(node)

    # -- regions -----------------------------------------------------------------------
    def _named_at(self, address: int) -> Named | None:
        i = bisect.bisect_right(self._named_starts, address) - 1
        while i >= 0:
            n = self._named[i]
            if n.address <= address < n.address + max(n.size, 1):
                return n
            if address - n.address > self._largest_named:
                break
            i -= 1
        return None

    def _block_at(self, address: int) -> Block | None:
        i = bisect.bisect_right(self._block_starts, address) - 1
        found = None
        while i >= 0:
            b = self._blocks[i]
            if b.address <= address < b.end or (b.size == 0 and address == b.address):
                if not b.freed:
                    return b
                found = found or b
            if address - b.address > self._largest_block:
                break
            i -= 1
        return found

    def _in_heap(self, address: int) -> bool:
        i = bisect.bisect_right(self._heap_ranges, (address, float("inf"))) - 1
        return i >= 0 and self._heap_ranges[i][0] <= address < self._heap_ranges[i][1]

    def _read(self, address: int, size: int) -> bytes | None:
        if size <= 0:
            return b""
        try:
            data = self.read(address, min(size, NODE_BYTES))
        except Exception:  # noqa: BLE001 - unreadable is an answer, never a failure
            return None
        return bytes(data) if data else None

    def _bytes(self, node: Node, offset: int, size: int) -> bytes | None:
        """`size` bytes at `offset` of the node being expanded."""
        if offset + size <= len(self._data):
            return self._data[offset : offset + size]
        return self._read(node.address + offset, size)

    def _block_string(self, node: Node) -> str:
        data = self._read(node.address, min(node.size, values.STRING_LIMIT + 1)) or b""
        nul = data.find(0)
        if nul >= 0:
            return values.string_literal(data[:nul])
        text = values.string_literal(data[: values.STRING_LIMIT])
        return text + ("..." if node.size > values.STRING_LIMIT else " (no NUL in the block)")

    def _count_beyond(self) -> tuple[int, bool]:
        """How many nodes lie beyond the limits: the walk goes on, reading
        only pointers and keeping nothing, for `COUNT_SECONDS` at most."""
        deadline = time.monotonic() + COUNT_SECONDS
        seen = set(self._by_key) | set(self._beyond)
        queue = deque(self._beyond.values())
        counted = 0
        while queue:
            place = queue.popleft()
            counted += 1
            if place.view is None:
                continue  # a freed block is never read
            data = self._read(place.start, min(place.size, NODE_BYTES)) or b""
            for offset, pointer in self.pointer_layout(place.view, place.count):
                raw = data[offset : offset + pointer.size]
                if len(raw) < pointer.size:
                    break
                found = self.locate(int.from_bytes(raw, "little" if pointer.little_endian else "big"), pointer)
                if not isinstance(found, str) and found.key not in seen:
                    seen.add(found.key)
                    queue.append(found)
            if counted % 256 == 0 and time.monotonic() > deadline:
                return counted + len(queue), False
        return counted, True

    def pointer_layout(self, view: CType, count: int) -> list[tuple[int, CType]]:
        """(offset, pointer type) of every pointer in `count` objects of type `view`."""
        key = (id(view), count)
        if key not in self._layouts:
            out: list[tuple[int, CType]] = []
            size = strip_typedefs(view).size or 1
            for i in range(min(count, SLOT_BUDGET * 16)):
                _pointers(view, i * size, out, SLOT_BUDGET * 16)
            self._layouts[key] = out
        return self._layouts[key]

    def holder(self, address: int) -> Place | None:
        """The variable or heap block holding `address`, whatever its type (where a `void *` leads)."""
        named = self._named_at(address)
        if named is not None:
            return Place(("named", named.address), VARIABLE, named.address, named.size, named.type, named=named)
        block = self._block_at(address)
        if block is None:
            return None
        kind = FREED if block.freed else HEAP
        return Place((kind, block.address), kind, block.address, block.size, None)


def flexible(t: CType) -> bool:
    """Whether `t` is a struct ending in a flexible array member (its block holds one, longer)."""
    r = strip_typedefs(t)
    last = strip_typedefs(r.fields[-1].type) if r.kind == "struct" and r.fields else None
    return last is not None and last.kind == "array" and not last.count


def pointers_in(t: CType, count: int = 1, unions: bool = False) -> list[tuple[int, CType]]:
    """(offset, pointer type) of every pointer in `count` objects of type `t`,
    every element of every array; `unions`: the pointer members of unions too
    (which may not be what the union holds)."""
    out: list[tuple[int, CType]] = []
    size = strip_typedefs(t).size or 1
    for i in range(count):
        _pointers(t, i * size, out, None, unions)
    return out


def _pointers(t: CType, offset: int, out: list[tuple[int, CType]], limit: int | None, unions: bool = False) -> None:
    """Append (offset, type) of the pointers inside an object of type `t` at
    `offset`, at most `limit` elements of an array."""
    r = strip_typedefs(t)
    if r.kind == "pointer":
        out.append((offset, r))
    elif r.kind == "struct" or (unions and r.kind == "union"):
        for f in r.fields:
            if f.bit_size is None:
                _pointers(f.type, offset + f.offset, out, limit, unions)
    elif r.kind == "array" and r.target is not None and r.count:
        esize = strip_typedefs(r.target).size or 1
        for i in range(r.count if limit is None else min(r.count, limit)):
            _pointers(r.target, offset + i * esize, out, limit, unions)


def _shown_indices(count: int) -> Iterator[int]:
    """Indices of an array's elements to show; -1 where the middle is elided."""
    if count <= ARRAY_HEAD + ARRAY_TAIL + 1:
        yield from range(count)
        return
    yield from range(ARRAY_HEAD)
    yield -1
    yield from range(count - ARRAY_TAIL, count)


def _pointer_text(pointer: Pointer, data: bytes, t: CType, read: ReadMemory, symbolize: Symbolize) -> str:
    """A pointer slot's text: its target's, or its address where it leads nowhere to draw."""
    if pointer.state == NULL:
        return "NULL"
    if pointer.state == FUNCTION:
        name = _safe(symbolize, pointer.address)
        return f"{name}()" if name else f"{pointer.address:#x}"
    if pointer.state == STRING:
        return values.format_value(t, data, read, symbolize)
    if pointer.state in (WILD, RAW):
        return f"{pointer.address:#x}"
    return "→"


def _safe(symbolize: Symbolize, address: int) -> str | None:
    try:
        return symbolize(address)
    except Exception:  # noqa: BLE001 - an unknown function is shown by its address
        return None
