"""A memory graph (memgraph.py) as a picture and as text.

The picture is graphviz's: `dot` lays out nodes drawn as HTML-like tables,
one port per slot, so an arrow leaves the pointer's own field and arrives at
the element or field it points to.  The text is an indented listing of the
same graph, for `text/plain` (papermill, nbconvert to text, a terminal) and
for tests.  Neither shows addresses of the program's own objects: they change
from run to run, the picture of a program should not.
"""

from __future__ import annotations

import html
import os

from . import toolchain
from .ctype import strip_typedefs
from .memgraph import (
    BEYOND,
    DANGLING,
    FREED,
    FUNCTION,
    HEAP,
    MEMORY,
    NULL,
    OK,
    RAW,
    STRING,
    WILD,
    Graph,
    Node,
    Pointer,
    Slot,
)

INSTALL_DOT = (
    "the picture needs graphviz's `dot` (apt-get install graphviz, dnf install graphviz, "
    "conda install graphviz or brew install graphviz); here is the text"
)
"""What %draw says when `dot` is missing."""

_HEADER_COLOUR = {"variable": "#dbe9f6", HEAP: "#fff1c1", MEMORY: "#e8e8e8", FREED: "#f6c9c4"}
_DANGER = "#c0392b"
_WILD = "#d35400"


def title(node: Node) -> str:
    """What a node is, in words: its names, or the kind of memory it is."""
    if node.titles:
        return ", ".join(node.titles)
    if node.kind == HEAP:
        return f"heap block ({node.size} bytes)"
    if node.kind == FREED:
        return f"freed block ({node.size} bytes)"
    return "memory"


def _element_size(node: Node) -> int:
    if node.view is None:
        return 1
    view = strip_typedefs(node.view)
    if node.count > 1:
        return view.size or 1
    if view.kind == "array" and view.target is not None:
        return strip_typedefs(view.target).size or 1
    return view.size or 1


def target_path(pointer: Pointer) -> str:
    """`[3]`, `[3][2]`, `[3].y`, `[3] + 4`: where in which node a pointer arrives."""
    node = pointer.target
    assert node is not None
    here = f"[{node.number}]"
    if pointer.offset == 0:
        return here
    if node.view is None or (node.slots and node.slots[0].path == "" and len(node.slots) == 1 and not node.is_array):
        return f"{here} + {pointer.offset}" if pointer.offset else here
    if node.is_array:
        esize = _element_size(node)
        index, within = divmod(pointer.offset, esize)
        if within == 0:
            return f"{here}[{index}]"
    slot = node.slot_at(pointer.offset)
    if slot is None or slot.elided:
        return f"{here} + {pointer.offset}"
    return here + slot.path


def slot_text(slot: Slot) -> str:
    """A slot's value as the listing shows it."""
    p = slot.pointer
    if p is None or p.state in (NULL, FUNCTION, STRING):
        return f"= {slot.text}"
    if p.state == OK:
        return f"→ {target_path(p)}"
    if p.state == DANGLING:
        return f"→ {target_path(p)} dangling: the block was freed"
    if p.state == WILD:
        return f"= {slot.text} wild: no memory of the program there"
    if p.state == RAW:
        return f"= {slot.text} (void *: not followed)"
    return "→ … (beyond the limits)"


def listing(graph: Graph) -> str:
    """The graph as indented text: one node a paragraph, one slot a line."""
    lines: list[str] = []
    for node in graph.nodes:
        head = f"[{node.number}] {title(node)}: {node.type_text()}"
        if node.kind == FREED:
            lines.append(f"[{node.number}] {title(node)}: never read, a dangling pointer leads here")
            continue
        if len(node.slots) == 1 and node.slots[0].path == "" and not node.slots[0].elided:
            lines.append(f"{head} {slot_text(node.slots[0])}")
            continue
        lines.append(head)
        for slot in node.slots:
            if slot.elided:
                lines.append(f"    … {slot.elided:,} more elements")
            else:
                lines.append(f"    {slot.path} {slot_text(slot)}")
        if node.note:
            lines.append(f"    ({node.note})")
    lines.extend(notes(graph))
    return "\n".join(lines)


def notes(graph: Graph) -> list[str]:
    out = list(graph.notes)
    if graph.more:
        more = f"{graph.more:,}" if graph.more_exact else f"at least {graph.more:,}"
        out.insert(0, f"… {more} more nodes beyond the limits (-n nodes, -d depth)")
    return out


# ---------------------------------------------------------------------------
# graphviz


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _cell(slot: Slot, port: str) -> str:
    p = slot.pointer
    colour = ""
    if p is not None and p.state == WILD:
        colour = f' BGCOLOR="{_WILD}"'
    elif p is not None and p.state == DANGLING:
        colour = f' BGCOLOR="{_DANGER}"'
    if slot.elided:
        text = f"… {slot.elided:,} more"
    elif p is not None and p.state in (OK, DANGLING, BEYOND):
        text = "•" if p.state != BEYOND else "…"
    elif p is not None and p.state == NULL:
        text = "⊥"
    else:
        text = slot.text if len(slot.text) <= 40 else slot.text[:37] + "…"
    return f'<TD PORT="{port}"{colour}>{_e(text)}</TD>'


def _label(node: Node) -> str:
    colour = _HEADER_COLOUR.get(node.kind, "#e8e8e8")
    head = f"<B>{_e(title(node))}</B>"
    kind = "" if node.kind == FREED else f'<BR/><FONT POINT-SIZE="9"><I>{_e(node.type_text())}</I></FONT>'
    style = ' STYLE="dashed" COLOR="' + _DANGER + '"' if node.kind == FREED else ""
    table = f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"{style}>'
    if node.kind == FREED:
        return f'{table}<TR><TD BGCOLOR="{colour}">{head}</TD></TR></TABLE>'
    slots = node.slots
    if node.is_array:
        groups: dict[int, list[tuple[int, Slot]]] = {}
        for j, s in enumerate(slots):
            groups.setdefault(s.element if s.element is not None else -1, []).append((j, s))
        cells = []
        for index, members in groups.items():
            if len(members) == 1 and (members[0][1].elided or members[0][1].path.endswith(f"[{index}]")):
                j, s = members[0]
                cells.append(_cell(s, f"s{j}"))
                continue
            rows = "".join(f"<TR><TD>{_e(s.path.split(']', 1)[-1])}</TD>{_cell(s, f's{j}')}</TR>" for j, s in members)
            inner = f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">{rows}</TABLE>'
            cells.append(f'<TD PORT="e{index}" CELLPADDING="0">{inner}</TD>')
        index_row = "".join(_index_cell(_index_of(members)) for members in groups.values())
        body = f"<TR>{index_row}</TR><TR>{''.join(cells)}</TR>"
        return f'{table}<TR><TD COLSPAN="{len(cells)}" BGCOLOR="{colour}">{head}{kind}</TD></TR>{body}</TABLE>'
    if len(slots) == 1 and slots[0].path == "":
        return f'{table}<TR><TD BGCOLOR="{colour}">{head}{kind}</TD>{_cell(slots[0], "s0")}</TR></TABLE>'
    rows = "".join(f'<TR><TD ALIGN="LEFT">{_e(s.path)}</TD>{_cell(s, f"s{j}")}</TR>' for j, s in enumerate(slots))
    return f'{table}<TR><TD COLSPAN="2" BGCOLOR="{colour}">{head}{kind}</TD></TR>{rows}</TABLE>'


def _index_cell(text: str) -> str:
    return f'<TD BORDER="0"><FONT POINT-SIZE="8">{_e(text)}</FONT></TD>' if text else '<TD BORDER="0"> </TD>'


def _index_of(members: list[tuple[int, Slot]]) -> str:
    slot = members[0][1]
    if slot.elided:
        return ""
    return f"[{slot.element}]" if slot.element is not None else ""


def _head_port(pointer: Pointer) -> str:
    node = pointer.target
    assert node is not None
    if pointer.offset == 0 and not node.is_array:
        return f"n{node.number}"
    if node.is_array and node.view is not None:
        index, within = divmod(pointer.offset, _element_size(node))
        slot = node.slot_at(pointer.offset)
        if slot is not None and slot.elided:
            return f"n{node.number}:s{node.slots.index(slot)}"
        if within == 0:
            j = next((j for j, s in enumerate(node.slots) if s.element == index), None)
            if j is None:
                return f"n{node.number}"
            group = [s for s in node.slots if s.element == index]
            return f"n{node.number}:s{j}" if len(group) == 1 else f"n{node.number}:e{index}"
    slot = node.slot_at(pointer.offset)
    return f"n{node.number}:s{node.slots.index(slot)}" if slot is not None else f"n{node.number}"


def dot(graph: Graph) -> str:
    """The graph in graphviz's language."""
    out = [
        "digraph memory {",
        '  graph [rankdir=LR, nodesep=0.25, ranksep=0.45, bgcolor="transparent", fontname="Helvetica", fontsize=10];',
        '  node [shape=plaintext, fontname="Helvetica", fontsize=11];',
        "  edge [arrowsize=0.7, tailclip=false];",
    ]
    extra = 0
    for node in graph.nodes:
        out.append(f"  n{node.number} [label=<{_label(node)}>];")
    for node in graph.nodes:
        for j, slot in enumerate(node.slots):
            p = slot.pointer
            if p is None:
                continue
            tail = f"n{node.number}:s{j}:c"
            if p.state in (OK, DANGLING) and p.target is not None:
                style = (
                    f' [color="{_DANGER}", style=dashed, fontcolor="{_DANGER}", label="dangling"]'
                    if p.state == DANGLING
                    else ""
                )
                head = _head_port(p)
                name = f"n{node.number}.s{j}-{head.replace(':', '.')}"
                out.append(f'  {tail} -> {head} [id="{name}"]{style};')
            elif p.state == WILD:
                extra += 1
                out.append(
                    f'  w{extra} [shape=box, style="dashed", color="{_WILD}", fontcolor="{_WILD}", '
                    f'label="wild: no memory\\nat {p.address:#x}"];'
                )
                out.append(f'  {tail} -> w{extra} [color="{_WILD}", style=dashed];')
    legend = notes(graph)
    if legend:
        text = "".join(_e(line) + '<BR ALIGN="LEFT"/>' for line in legend)
        out.append(f"  label=<{text}>; labelloc=b; labeljust=l;")
    out.append("}")
    return "\n".join(out) + "\n"


def svg(graph: Graph) -> str | None:
    """The picture as SVG, or None when graphviz's `dot` ($CELLC_DOT, else
    `dot` on PATH) is not installed."""
    try:
        result = toolchain.run([os.environ.get("CELLC_DOT") or "dot", "-Tsvg"], input=dot(graph), timeout=30)
    except FileNotFoundError:
        return None
    if result.returncode != 0:
        raise RuntimeError(f"dot failed: {result.stderr.strip()[:500]}")
    text = result.stdout
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def bundle(graph: Graph) -> dict[str, str]:
    """The display bundle: the listing, and the SVG when graphviz is installed."""
    out = {"text/plain": listing(graph)}
    picture = svg(graph)
    if picture is not None:
        out["image/svg+xml"] = picture
    return out
