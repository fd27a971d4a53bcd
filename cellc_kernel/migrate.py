"""Globals that live through the redefinition of their type.

When a cell redefines a struct, union, enum or typedef, every global whose
type involves it (directly, or by value inside another struct or array) is
either *migrated* — a new object of the new type whose members are copied
from the old one by name, with C's conversions, new members zero — or, where
that cannot be safe, *kept*: it keeps its old type, which later cells see
under a private copy of the old definition (`names.old_type`), so a
use with the new layout is a compile error, never silent corruption.

This module decides from the DWARF of the old and the new object
(ctype.CType trees) and writes the copying statements; the generator puts
them at the start of the redefining cell's run function; `plan_migrations`
also checks the program's memory (through a narrow probe of the executor) for
stored addresses of the old object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import names, objfile
from .ctype import QUALIFIER_KINDS, CType, strip_typedefs, struct_fields, type_name
from .parse import identifiers

if TYPE_CHECKING:
    from .generate import Unit


def closure(definitions, redefined: set[str]) -> set[str]:
    """The names whose layout a redefinition changes: the redefined ones and
    every type or typedef that uses one of them, transitively."""
    changed = set(redefined)
    grew = True
    while grew:
        grew = False
        for d in definitions:
            if d.kind not in ("type", "typedef"):
                continue
            provided = d.provides() - changed
            if provided and d.needs() & changed:
                changed |= provided
                grew = True
    return changed


def after_redefinition(definitions, redefined: set[str], changed: set[str]) -> set[str]:
    """The names of `changed` whose definitions must follow the cell's new
    ones: those that need a redefined name (or one of these) declared before
    them, or hold it by value.  The others only point to it (`struct holder
    { struct later *p; }`, which the new `struct later` may hold by value) and
    stay ahead of the cell's items."""
    late = set(redefined)  # defined only after the cell's items
    incomplete = set(redefined)  # complete only after them (`typedef struct pt pt_t;` too)
    grew = True
    while grew:
        grew = False
        for d in definitions:
            provided = d.provides() & changed - late
            if d.kind not in ("type", "typedef") or not provided or d.provides() & redefined:
                continue  # not a type built on a redefined one, or one the cell replaces
            if d.uses & late or d.whole & d.uses & incomplete:
                late |= provided
                incomplete |= provided
                grew = True
            elif d.whole & d.refs & incomplete and not provided <= incomplete:
                incomplete |= provided
                grew = True
    return late - redefined


def involved(text: str, changed: set[str]) -> bool:
    return bool(identifiers(text) & changed)


@dataclass
class Plan:
    """How one global moves to its new type: C statements copying it from
    `source` (the old object) to itself, or why it cannot."""

    name: str
    statements: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # members copied as they were
    converted: list[str] = field(default_factory=list)  # "x (int -> double)"
    dropped: list[str] = field(default_factory=list)  # old members with no place in the new type
    added: list[str] = field(default_factory=list)  # new members, zero
    unsafe: str = ""  # why the global keeps its old type

    def summary(self) -> str:
        parts = []
        if self.kept:
            parts.append("kept " + ", ".join(self.kept))
        if self.converted:
            parts.append("converted " + ", ".join(self.converted))
        if self.added:
            parts.append("new (zero) " + ", ".join(self.added))
        if self.dropped:
            parts.append("dropped " + ", ".join(self.dropped))
        return "; ".join(parts) or "nothing to copy"


def _key(t: CType) -> str | None:
    if t.kind in ("struct", "union", "enum") and t.name:
        return f"{t.kind} {t.name}"
    if t.kind == "typedef":
        return t.name
    return None


def _points_to_changed(t: CType, changed: set[str], by_pointer: bool = False, seen=None) -> CType | None:
    """A type of `changed` that `t` reaches through a pointer (whose target
    would have the wrong layout), if any."""
    seen = set() if seen is None else seen
    if (id(t), by_pointer) in seen:
        return None
    seen.add((id(t), by_pointer))
    if by_pointer and _key(t) in changed:
        return t
    if t.kind == "pointer":
        return _points_to_changed(t.target, changed, True, seen) if t.target is not None else None
    nexts = [f.type for f in t.fields] + ([t.target] if t.target is not None else []) + list(t.params)
    for n in nexts:
        found = _points_to_changed(n, changed, by_pointer, seen)
        if found is not None:
            return found
    return None


def same_layout(a: CType, b: CType, seen=None) -> bool:
    """Whether two types have the same representation (bytes can be copied)."""
    seen = set() if seen is None else seen
    if (id(a), id(b)) in seen:
        return True
    seen.add((id(a), id(b)))
    a, b = strip_typedefs(a), strip_typedefs(b)
    if a.kind != b.kind or a.size != b.size:
        return False
    if a.kind == "base":
        return a.encoding == b.encoding and a.float_format == b.float_format
    if a.kind == "pointer":
        return type_name(a) == type_name(b)
    if a.kind == "array":
        assert a.target is not None and b.target is not None  # objfile gives every array its element type
        return a.count == b.count and same_layout(a.target, b.target, seen)
    if a.kind in ("struct", "union"):
        if len(a.fields) != len(b.fields):
            return False
        return all(
            (f.name, f.offset, f.bit_offset, f.bit_size) == (g.name, g.offset, g.bit_offset, g.bit_size)
            and same_layout(f.type, g.type, seen)
            for f, g in zip(a.fields, b.fields, strict=True)
        )
    if a.kind == "enum":
        return a.enumerators == b.enumerators
    return type_name(a) == type_name(b)


def _is_const(t: CType) -> bool:
    while t.kind == "typedef" or t.kind in QUALIFIER_KINDS:
        if t.kind == "const":
            return True
        if t.target is None:
            return False
        t = t.target
    return False


class _Planner:
    def __init__(self, plan: Plan, changed: set[str]):
        self.plan = plan
        self.changed = changed
        self.loops = 0

    def copy(self, old: CType, new: CType, src: str, dst: str, shown: str) -> list[str]:
        """Statements copying `src` (old type) into `dst` (new type); `shown`
        is the member's name for the report."""
        o, n = strip_typedefs(old), strip_typedefs(new)
        if same_layout(o, n):
            self.plan.kept.append(shown)
            if _is_const(new) or o.kind in ("struct", "union", "array"):
                return [f"__builtin_memcpy((void *)&{dst}, &{src}, sizeof {dst});"]
            return [f"{dst} = {src};"]
        if _is_const(new):
            self.plan.dropped.append(f"{shown} (now const)")
            return []
        if o.kind == n.kind == "enum":
            # by enumerator name: a GREEN stays GREEN when the list is reordered
            values_of = dict(n.enumerators)
            expr, seen = src, set()
            for name, v in reversed([(name, v) for name, v in o.enumerators if name in values_of]):
                if v not in seen and values_of[name] != v:
                    expr = f"({src} == {v} ? {values_of[name]} : {expr})"
                seen.add(v)
            self.plan.converted.append(f"{shown} (by enumerator name)")
            return [f"{dst} = {expr};"]
        if o.kind == n.kind == "union":
            # the bytes of whichever member was stored, if every member keeps its layout
            members = dict(struct_fields(n))
            if all(name in members and same_layout(t, members[name]) for name, t in struct_fields(o)):
                self.plan.kept.append(shown)
                size = min(o.size, n.size)
                return [f"__builtin_memcpy((void *)&{dst}, &{src}, {size});"]
        scalar = ("base", "enum")
        if o.kind in scalar and n.kind in scalar:
            self.plan.converted.append(f"{shown} ({type_name(o)} -> {type_name(n)})")
            return [f"{dst} = {src};"]
        if o.kind == n.kind == "struct":
            out = []
            old_fields = dict(struct_fields(o))
            new_names = set()
            for name, ftype in struct_fields(n):
                new_names.add(name)
                member = f"{shown}.{name}"
                if name in old_fields:
                    out += self.copy(old_fields[name], ftype, f"{src}.{name}", f"{dst}.{name}", member)
                else:
                    self.plan.added.append(member)
            self.plan.dropped += [f"{shown}.{name}" for name in old_fields if name not in new_names]
            return out
        if o.kind == n.kind == "array":
            if o.count != n.count or o.count is None:
                self.plan.unsafe = f"the length of {shown} changed"
                return []
            i = names.loop_index(self.loops)
            self.loops += 1
            assert o.target is not None and n.target is not None  # objfile gives every array its element type
            inner = self.copy(o.target, n.target, f"{src}[{i}]", f"{dst}[{i}]", shown + "[]")
            if not inner:
                return []
            return [f"for (unsigned long {i} = 0; {i} < {o.count}; {i}++) {{ {' '.join(inner)} }}"]
        self.plan.dropped.append(f"{shown} ({type_name(old)} -> {type_name(new)})")
        return []


def plan_migration(name: str, old: CType, new: CType, changed: set[str]) -> Plan:
    """How global `name` of type `old` becomes an object of type `new`."""
    plan = Plan(name)
    if _is_const(new):
        plan.unsafe = "it is const"
        return plan
    target = _points_to_changed(old, changed)
    if target is not None:
        plan.unsafe = f"it holds a pointer to {type_name(target)}, whose layout changed"
        return plan
    planner = _Planner(plan, changed)
    plan.statements = planner.copy(old, new, names.source(name), name, name)
    if plan.unsafe:
        plan.statements = []
    return plan


class MemoryProbe(Protocol):
    """What migration planning asks of the live program (the executor answers)."""

    def address(self, name: str) -> int:
        """Where the global symbol `name` is (0 when absent)."""
        ...

    def references(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Words of writable memory that point into [start, end): (location, offset in its object, path or "-")."""
        ...


def plan_migrations(
    unit: Unit, obj: Path, defined_in: dict[str, Path], probe: MemoryProbe, cells: Iterable[Path]
) -> dict[str, Plan]:
    """For each global whose type the cell redefines: how to copy it to an
    object of the new type (old layout from its cell's DWARF, `defined_in`,
    new from `obj`), or why it must keep its old type.  `cells`: the
    notebook's loaded objects (a pointer there may be the kernel's own)."""
    plans = {}
    for v in unit.migrating:
        so = defined_in.get(v.symbol)
        old = objfile.open_object(so).variable_type(v.name) if so else None
        new = objfile.open_object(obj).variable_type(v.name)
        if old is None or new is None:
            plans[v.name] = Plan(v.name, unsafe="its old layout could not be read")
            continue
        plan = plan_migration(v.name, old, new, unit.changed)
        if not plan.unsafe:
            holder = _holder_of(v.symbol, old.size, probe, {str(c) for c in cells})
            if holder:
                plan.unsafe = f"its address is stored in {holder}"
        plans[v.name] = plan
    return plans


def _holder_of(symbol: str, size: int, probe: MemoryProbe, cells: set[str]) -> str:
    """What in the program holds a pointer into the object `symbol` (the
    kernel's own value slots aside), or ''."""
    start = probe.address(symbol)
    if not start:
        return ""
    for loc, offset, path in probe.references(start, start + max(size, 1)):
        if path not in cells:
            return f"memory at {loc:#x}" + (f" ({Path(path).name})" if path != "-" else "")
        section, name = _holder_in(path, offset)
        if section.startswith(".got") or names.is_value_or_init(name):
            continue  # code's address table, a shown value, a re-initializer's copy
        return names.shown(name.split(".")[0]) if name else f"memory at {loc:#x}"
    return ""


def _holder_in(so_path: str, offset: int) -> tuple[str, str]:
    """(section, object symbol — locals too) of a cell's .so at `offset`."""
    try:
        obj = objfile.open_object(so_path)
        held = obj.object_at(offset)
        return obj.section_at(offset) or "", held.name if held is not None else ""
    except OSError:
        return "", ""
