"""memgraph's walk and diagram's listing on memory laid out by hand (pure functions: no kernel).

The kernel-level tests (test_draw.py) draw real programs; these pin the
walk's rules where a real program would take many cells to reach them."""

from __future__ import annotations

import struct

from cellc_kernel import diagram
from cellc_kernel.ctype import ATE_SIGNED, ATE_SIGNED_CHAR, CType, Field
from cellc_kernel.memgraph import Block, Named, Walker

INT = CType("base", "int", 4, encoding=ATE_SIGNED)
CHAR = CType("base", "char", 1, encoding=ATE_SIGNED_CHAR)
NODE = CType("struct", "node", 16)
NODE_PTR = CType("pointer", size=8, target=NODE)
NODE.fields = [Field("value", INT, 0), Field("next", NODE_PTR, 8)]
CHAR_PTR = CType("pointer", size=8, target=CHAR)


class Memory:
    """Readable regions of a pretend process."""

    def __init__(self) -> None:
        self.regions: dict[int, bytearray] = {}

    def put(self, address: int, data: bytes) -> None:
        self.regions[address] = bytearray(data)

    def read(self, address: int, size: int) -> bytes | None:
        for start, data in self.regions.items():
            if start <= address < start + len(data):
                return bytes(data[address - start : address - start + size])
        return None


def node(value: int, next_: int) -> bytes:
    return struct.pack("<iiQ", value, 0, next_)


def walk(memory: Memory, blocks: list[Block], roots: list[Named], **limits) -> str:
    walker = Walker(memory.read, lambda a: None, blocks, roots, heap_ranges=[(0x5000, 0x9000)], **limits)
    return diagram.listing(walker.walk(roots))


def test_a_char_pointer_first_then_a_struct_pointer_reads_the_block_as_the_struct() -> None:
    m = Memory()
    m.put(0x1000, struct.pack("<QQ", 0x6000, 0x6000))  # char *c; struct node *n; both at one block
    m.put(0x6000, node(7, 0))
    t = CType("struct", "roots", 16, fields=[Field("c", CHAR_PTR, 0), Field("n", NODE_PTR, 8)])
    text = walk(m, [Block(0x6000, 16)], [Named("r", 0x1000, t)])
    assert text == (
        "[1] r: struct roots\n    .c → [2]\n    .n → [2]\n"
        "[2] heap block (16 bytes): struct node\n    .value = 7\n    .next = NULL"
    )


def test_interior_pointers_wild_heap_memory_and_freed_blocks() -> None:
    m = Memory()
    ints = CType("pointer", size=8, target=INT)
    t = CType("struct", "s", 32, fields=[Field(n, ints, 8 * i) for i, n in enumerate("abcd")])
    m.put(0x1000, struct.pack("<QQQQ", 0x6008, 0x7000, 0x8800, 0x10))
    m.put(0x5000, bytes(0x4000))  # the [heap] mapping
    text = walk(m, [Block(0x6000, 16), Block(0x7000, 8, freed=True)], [Named("s", 0x1000, t)])
    assert text == (
        "[1] s: struct s\n"
        "    .a → [2][2]\n"
        "    .b → [3] dangling: the block was freed\n"
        "    .c = 0x8800 wild: no memory of the program there\n"
        "    .d = 0x10 wild: no memory of the program there\n"
        "[2] heap block (16 bytes): int[4]\n    [0] = 0\n    [1] = 0\n    [2] = 0\n    [3] = 0\n"
        "[3] freed block (8 bytes): never read, a dangling pointer leads here"
    )


def test_the_nodes_beyond_the_limit_are_counted() -> None:
    m = Memory()
    blocks = []
    for i in range(50):
        address = 0x5000 + 16 * i
        m.put(address, node(i, address + 16 if i < 49 else 0))
        blocks.append(Block(address, 16))
    m.put(0x1000, struct.pack("<Q", 0x5000))
    text = walk(m, blocks, [Named("head", 0x1000, NODE_PTR)], max_nodes=3)
    assert text.count("heap block") == 2
    assert text.endswith("… 48 more nodes beyond the limits (-n nodes, -d depth)")
    text = walk(m, blocks, [Named("head", 0x1000, NODE_PTR)], max_depth=2)
    assert text.count("heap block") == 2
    assert "… 48 more nodes" in text
