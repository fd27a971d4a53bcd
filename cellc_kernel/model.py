"""The program model: what the notebook has defined so far.

Each cell's translation unit starts with a prelude rendered from the model:
the preprocessor lines and type definitions in dependency order, then a
prototype (bound to its trampoline) for every notebook function and an
`extern` (bound to its current symbol) for every notebook global.  A model is
copied before a cell and the copy replaces it only when the cell succeeds,
so a failed cell changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TypeVar

from . import names
from .ctext import GNU_KEYWORDS, KEYWORDS, PREDEFINED
from .parse import identifiers

_DEFINE = re.compile(r"\s*#\s*define\s+(\w+)(?:\([^)]*\))?(.*)", re.S)
_ATTRIBUTE = re.compile(r"\b(?:__attribute__|__attribute)\s*$")


def bind(declaration: str, symbol: str) -> str:
    """`declaration` bound to the linker name `symbol` by an asm label, which
    C puts after the declarator and before trailing `__attribute__`s."""
    text = declaration.rstrip()
    end = len(text)
    while text[:end].endswith(")"):
        depth, i = 0, end - 1
        while i >= 0:  # the '(' matching the last ')'
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                break
            i -= 1
        m = _ATTRIBUTE.search(text[:i]) if text[i + 1 : i + 2] == "(" else None
        if m is None:
            break
        end = len(text[: m.start()].rstrip())
    return f'{text[:end].rstrip()} __asm__("{symbol}"){" " + text[end:].lstrip() if end < len(text) else ""}'


DIRECTIVES = ("directive", "undef", "define", "include")  # kinds of Definition
_HISTORY = ("history", "")  # the key of a preprocessor line kept only for what came after it (Program._end)
_WAS_MACRO = "was macro"  # a key's kind: the macro a kept `#define` line defined there (Program._end)


@dataclass
class SharedUnit:
    """A translation unit that several queued cells are compiled in at once
    (batch.py): what its earlier cells put in it, which a later cell's
    prelude must not define again."""

    labels: set[str] = field(default_factory=set)  # the cells in it so far: their definitions come first
    emitted: set[str] = field(default_factory=set)  # prelude definitions already in it, as rendered


@dataclass
class Definition:
    """A prelude item: an include, macro, directive, type or typedef."""

    kind: str
    keys: list[tuple[str, str]]
    text: str
    uses: set[str]
    order: int
    label: str  # the cell it came from, e.g. "In[3]"
    line: int
    refs: set[str] = field(default_factory=set)  # needed along, not before: tags only pointed to
    whole: set[str] = field(default_factory=set)  # types whose complete definition it needs (parse._type_uses)

    def provides(self) -> set[str]:
        out = set()
        for kind, name in self.keys:
            if kind in ("struct", "union", "enum"):
                out.add(f"{kind} {name}")
            elif kind in ("typedef", "macro", "const", "extern", "inline"):
                out.add(name)
        return out

    def render(self) -> str:
        return f'#line {self.line} "{self.label}"\n{self.text}\n'

    def needs(self) -> set[str]:
        """Names this definition refers to, its macro bodies included."""
        return self.uses | self.refs | (identifiers(self.text) if self.kind in ("define", "inline") else set())


@dataclass
class Function:
    name: str
    prototype: str  # "int add(int a, int b)", no storage class
    signature: str  # normalized type, parameter names dropped
    label: str  # cell that defined (or first declared) it
    line: int
    defined: bool  # a body exists (else only declared: binds lazily)
    doc: str = ""
    callers: set[str] = field(default_factory=set)  # labels of cells calling it
    stale_callers: set[str] = field(default_factory=set)  # cells that call it with an older prototype
    names: frozenset[str] = frozenset()  # what its body refers to (types whose layout it was compiled with)
    name_pos: tuple[int, int] | None = None  # (line, column) of its name in its cell
    name_at: int = -1  # index of its name in `prototype`
    frozen: tuple[tuple[str, str], ...] = ()  # macros it names, redefined since: (name, its `#define` then)

    def declaration(self, located: bool = False) -> str:
        """Its prototype bound to its trampoline; `located`: with its name where
        the user wrote it, so gcc's "previous declaration" notes name that cell."""
        text = bind(self.prototype, names.trampoline(self.name)) + ";"
        text = _located(text, self.name, self.name_at, self.label, self.name_pos) if located else text
        return as_declared(text, self.frozen)

    @cached_property
    def uses(self) -> set[str]:
        return identifiers(self.prototype) - {self.name}

    def frozen_with(self, name: str, line: str) -> Function:
        return replace(self, frozen=(*self.frozen, (name, line)))


@dataclass
class Variable:
    name: str
    decl: str  # "int counter", no storage class or initializer
    type_key: str  # normalized declaration with the name replaced by '@'
    symbol: str  # linker symbol (names.variable)
    label: str
    line: int
    users: set[str] = field(default_factory=set)  # functions compiled against it
    kept: str = ""  # why it kept the old definition of a redefined type (migrate.py)
    name_pos: tuple[int, int] | None = None  # (line, column) of its name in its cell
    name_at: int = -1  # index of its name in `decl`
    # `struct { ... } a, b;`: the untagged type `decl` starts with (parse.Declarator.shared_spec),
    # and (its declaration, where in the cell its declarator ends): one type, written once for all
    spec: str = ""
    group: tuple[str, int] = ("", 0)
    defines: frozenset[str] = frozenset()  # the tags and enumerators `spec` defines (its declaration provides them)
    frozen: tuple[tuple[str, str], ...] = ()  # as Function.frozen

    def declaration(self, located: bool = False) -> str:
        """`extern`, bound to its symbol; `located`: as Function.declaration."""
        text = "extern " + bind(self.decl, self.symbol) + ";"
        if located:
            text = _located(text, self.name, self.name_at + len("extern "), self.label, self.name_pos)
        return as_declared(text, self.frozen)

    def declarator(self, located: bool = False) -> str:
        """Its declaration after the shared type (`spec`), bound to its symbol."""
        text = bind(self.decl, self.symbol)[len(self.spec) :]
        return _located(text, self.name, self.name_at - len(self.spec), self.label, self.name_pos) if located else text

    @cached_property
    def uses(self) -> set[str]:
        return identifiers(self.decl) - {self.name}

    def frozen_with(self, name: str, line: str) -> Variable:
        return replace(self, frozen=(*self.frozen, (name, line)))


def as_declared(text: str, frozen: tuple[tuple[str, str], ...]) -> str:
    """A declaration between the macros it names as they were where it was
    declared (`frozen`) and back: `#define T int`, `T f(void);`, then
    `#define T double`, and later cells still call an f that returns int."""
    if not frozen:
        return text
    before = "".join(f'#pragma push_macro("{name}")\n#undef {name}\n{line}\n' for name, line in frozen)
    after = "".join(f'#pragma pop_macro("{name}")\n' for name, _ in reversed(frozen))
    return f"\n{before}{text}\n{after}"


_Declared = TypeVar("_Declared", Function, Variable)


def _freeze_in(table: dict[str, _Declared], name: str, line: str) -> None:
    """Program._freeze on one table: each entry that names macro `name`, not
    frozen for it yet, keeps `line`, its `#define` then."""
    for key, item in list(table.items()):
        if name in item.uses and name not in dict(item.frozen):
            table[key] = item.frozen_with(name, line)


def _located(text: str, name: str, at: int, label: str, pos: tuple[int, int] | None) -> str:
    """A declaration `text` whose name (at index `at`) gcc places at `pos`
    (line, column) of cell `label`: a conflicting declaration in a later cell
    then gets gcc's note on the user's line, not on our generated code.
    One of our own names (%time's buffer) stays in our code."""
    if pos is None or names.is_ours(name) or text[at : at + len(name)] != name:
        return text
    return f'{text[:at]}\n#line {pos[0]} "{label}"\n{" " * pos[1]}{text[at:]}\n{names.GENERATED_LINE}'


@dataclass
class Symbol:
    """A name the notebook defines, as %whos and completion list it."""

    name: str  # `struct pt` for a tag
    kind: str  # function, variable, typedef, macro, const (an enumerator), struct, union, enum
    text: str  # its prototype, declaration or definition, on one line
    where: str  # "In[3]:2"
    declared_only: bool = False  # a function with no body yet


@dataclass
class Program:
    definitions: list[Definition] = field(default_factory=list)
    functions: dict[str, Function] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)
    trampolines: set[str] = field(default_factory=set)  # names with a trampoline loaded
    order: int = 0
    cells: int = 0  # cells committed
    # what made it, in the order it ran: CellRecord (generate.py), FileRecord, EnvRecord (export.py)
    records: list = field(default_factory=list)
    # macros of a header or a -D flag that a cell or %cflags changed: name -> each change's
    # (order, the `#define` line before it), for what expanded them before (`_freeze`, `_macro_text_at`)
    outside_macros: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def copy(self) -> Program:
        """A copy to change; functions and variables are replaced, never mutated."""
        return Program(
            list(self.definitions),
            dict(self.functions),
            dict(self.variables),
            set(self.trampolines),
            self.order,
            self.cells,
            list(self.records),
            {name: list(changes) for name, changes in self.outside_macros.items()},
        )

    def with_record(self, record) -> Program:
        """A copy with one more step in its history (for export)."""
        out = self.copy()
        out.records.append(record)
        return out

    def with_last_record(self, make: Callable) -> Program:
        """A copy whose newest record is `make(record)`."""
        out = self.copy()
        out.records[-1] = make(out.records[-1])
        return out

    # -- definitions --------------------------------------------------------
    def find(self, key: tuple[str, str]) -> Definition | None:
        for d in self.definitions:
            if key in d.keys:
                return d
        return None

    def define(self, definition: Definition, was: str | None = None) -> None:
        """Add a definition, replacing any earlier one that provides a key it
        provides; a preprocessor line an `#include` after it may have read
        stays where it stands (`_end`).  `was`: for a `#define` of a name a
        header or a -D flag defines, that `#define` line."""
        keys = set(definition.keys)
        if definition.kind == "define":
            self._freeze(definition.keys[0][1], definition, was)
        for d in [d for d in self.definitions if keys & set(d.keys)]:
            if self._end(d) and d.kind == "define":  # `#define X` again: the old one is ended first
                self._append(_history(f"#undef {d.keys[0][1]}", definition))
        self._append(definition)

    def directive(self, line: Definition) -> None:
        """A line that defines nothing (`#pragma`, `struct P;`): added where it
        comes, every time, never in place of an earlier one.  `#pragma
        pack(push)`, `pack(1)` and `pack(pop)` work a stack: the same line
        again is another push, as in one file."""
        self._append(line)

    def undefine(self, name: str, line: Definition, was: str | None = None) -> None:
        """`#undef name`: the notebook's macro ends (`_end`), and `line`, the
        `#undef` itself, stays in the program: a header or a `-D` flag may
        define the name as well (the notebook's macro only replaced it).
        `was`: the `#define` line of such a header's or flag's macro."""
        d = self.find(("macro", name))
        self._freeze(name, None, was)
        if d is not None:
            self._end(d)
        self.define(line)

    def _freeze(self, name: str, new: Definition | None = None, was: str | None = None) -> None:
        """The macro `name` changes (`new`, or #undef): the functions and
        globals declared with it keep it as it was (Function.frozen).  The
        notebook's macro, or `was`, the `#define` of a header or a -D flag,
        whose change is kept for what expanded it before (`outside_macros`)."""
        now = self.find(("macro", name))
        if now is not None:
            if new is not None and new.text == now.text:
                return  # the same again
            then = now.text
        elif was is not None:
            # what comes from the next line appended on saw the change
            self.outside_macros.setdefault(name, []).append((self.order + 1, was))
            then = was
        else:
            return  # neither the notebook's nor known: nothing named it as it was
        _freeze_in(self.functions, name, then)
        _freeze_in(self.variables, name, then)

    def include(self, definition: Definition) -> None:
        """An `#include`: the first time, and again when a preprocessor line
        came after its last inclusion, since a header may be meant to be read
        again with other macros (`<assert.h>` defines `assert` by the NDEBUG
        of each inclusion, C11 7.2p1): later cells then see what that
        inclusion defined, as in one file.  Once more with nothing changed
        changes nothing (an include guard, or the same macros)."""
        key = definition.keys[0]
        last = max((d.order for d in self.definitions if key in d.keys), default=None)
        if last is None or any(d.kind in DIRECTIVES and d.order > last for d in self.definitions):
            self._append(definition)

    def _end(self, d: Definition) -> bool:
        """Take `d` out of what the program defines: removed, or, if it is a
        preprocessor line that what came after it may have read, kept where it
        stands as a line of the program's history: an `#include` (NDEBUG,
        _GNU_SOURCE: the header is read as it was), or for a macro, a type or
        line that expanded it (`#define N 3`, `struct s { int a[N]; }`, then N
        redefined: struct s keeps its 3 ints, as in a file).  Whether it was kept."""
        macro = d.keys[0][1] if d.kind == "define" and d.keys else None
        read = d.kind in DIRECTIVES and any(
            o.order > d.order and (o.kind == "include" or (macro in o.uses and o.kind != "define"))
            for o in self.definitions
        )
        at = self.definitions.index(d)
        if read:
            kept = [(_WAS_MACRO, macro)] if macro else []  # still what expanded it, for sorted_definitions
            self.definitions[at] = replace(d, kind="directive", keys=[_HISTORY, *kept])
        else:
            del self.definitions[at]
        return read

    def _notebook_macro_at(self, d: Definition, name: str) -> str | None:
        """The notebook's `#define name` line in effect where `d` stands (a kept one too)."""
        then = None
        for o in self.definitions:
            if o.order >= d.order:
                break
            if ("macro", name) in o.keys or (_WAS_MACRO, name) in o.keys:
                then = o.text
        return then

    def _macro_text_at(self, d: Definition, name: str) -> str | None:
        """The `#define name` line in effect where `d` stands: the notebook's,
        or a header's or flag's the notebook changed since."""
        then = self._notebook_macro_at(d, name)
        return then if then is not None else self._outside_at(d, name)

    def _outside_at(self, d: Definition, name: str) -> str | None:
        """The `#define name` of a header or a -D flag where `d` stands, if
        the notebook or %cflags changed that macro since."""
        return next((text for order, text in self.outside_macros.get(name, ()) if d.order < order), None)

    def _outside_frame(self, d: Definition) -> tuple[tuple[str, str], ...]:
        """The headers' and flags' macros `d` expanded that changed since, as
        `as_declared` frames them: a -D flag applies from a unit's first line,
        so where `d` stands in the unit cannot give it the value it had."""
        if not self.outside_macros or not d.uses & self.outside_macros.keys():
            return ()
        out = []
        for name in sorted(d.uses & self.outside_macros.keys()):
            then = self._outside_at(d, name)
            if then is not None and self._notebook_macro_at(d, name) is None:
                out.append((name, then))
        return tuple(out)

    def flags_changed(self, before: dict[str, str], after: dict[str, str]) -> None:
        """%cflags changed the macros its -D and -U flags define (`before` and
        `after`: name -> `#define` line): what expanded them keeps them."""
        for name in sorted(before.keys() - self.macros()):
            if after.get(name) != before[name]:
                self._freeze(name, was=before[name])

    def _macros_since(self, d: Definition) -> list[tuple[str, str]]:
        """The macros `d` expands that are not now what they were where it
        stands (redefined or undefined since): each with its `#define` line
        then ("" if it was none), as `as_declared` takes them."""
        out = []
        for name in sorted(d.uses):
            then, now = self._macro_text_at(d, name), self.find(("macro", name))
            if then != (now and now.text):
                out.append((name, then or ""))
        return out

    def expands_as_now(self, d: Definition) -> bool:
        """Whether each macro `d` expands is, where `d` stands, the one defined
        now: then its text means the same again (re-running it changes
        nothing), else the macro was redefined since and the text is a new
        definition (`struct s { int a[N]; }` run again after `#define N 10`)."""
        return not self._macros_since(d)

    def as_it_stood(self, d: Definition, text: str) -> str:
        """`text`, `d`'s (under other names), between the macros it expanded
        as they were and back (an old layout copied later in the program
        must expand the N it had, not today's)."""
        return as_declared(text, tuple(self._macros_since(d)))

    def _append(self, definition: Definition) -> None:
        self.order += 1
        definition.order = self.order
        self.definitions.append(definition)

    def remove(self, key: tuple[str, str]) -> bool:
        before = len(self.definitions)
        self.definitions = [d for d in self.definitions if key not in d.keys]
        return len(self.definitions) != before

    def macros(self) -> set[str]:
        return {name for d in self.definitions for kind, name in d.keys if kind == "macro"}

    def macro_texts(self) -> dict[str, str]:
        """Each macro's name and replacement text."""
        out = {}
        for d in self.definitions:
            m = _DEFINE.match(d.text) if d.kind == "define" else None
            if m:
                out[m.group(1)] = m.group(2)
        return out

    def symbols(self) -> list[Symbol]:
        """Every name the notebook defines (none of ours)."""
        out: list[Symbol] = []
        for f in self.functions.values():
            out.append(Symbol(f.name, "function", " ".join(f.prototype.split()), f"{f.label}:{f.line}", not f.defined))
        for v in self.variables.values():
            out.append(Symbol(v.name, "variable", " ".join(v.decl.split()), f"{v.label}:{v.line}"))
        for d in self.definitions:
            for kind, name in d.keys:
                if kind in ("struct", "union", "enum", "typedef", "macro", "const"):
                    shown = f"{kind} {name}" if kind in ("struct", "union", "enum") else name
                    out.append(Symbol(shown, kind, " ".join(d.text.split()), f"{d.label}:{d.line}"))
        return [s for s in out if not names.is_ours(s.name.split(" ")[-1])]

    def is_value_name(self, name: str) -> bool:
        return name in self.functions or name in self.variables

    # -- rendering ----------------------------------------------------------
    def sorted_definitions(self, exclude: AbstractSet[tuple[str, str]] = frozenset()) -> list[Definition]:
        """Definitions in program order, each moved after what it needs before
        it: what it uses, and for what it holds by value through a typedef, the
        tag the typedef names (`struct b { A x; }` after `typedef struct a A;`
        needs struct a complete first).  What it only points to needs no
        order: `prelude` declares such tags ahead."""
        live = [d for d in self.definitions if not exclude & set(d.keys)]
        providers: dict[str, list[Definition]] = {}  # in program order
        for d in live:
            for name in d.provides() | {name for kind, name in d.keys if kind == _WAS_MACRO}:
                providers.setdefault(name, []).append(d)
        out: list[Definition] = []
        state: dict[int, int] = {}  # id -> 1 visiting, 2 done

        def provider(name: str, d: Definition) -> Definition | None:
            """What gives `d` its `name`: the last definition before it, as in a
            file (a macro redefined later leaves what expanded it as it was),
            else the one that came later (a type redefined since); for a
            macro, none: a header or a -D flag gave it (the notebook defined
            it later, or not at all, and `d` compiled)."""
            found = providers.get(name)
            if not found:
                return None
            before = [p for p in found if p.order < d.order]
            if before:
                return before[-1]
            return None if all(p.kind == "define" or _HISTORY in p.keys for p in found) else found[-1]

        def visit(d: Definition) -> None:
            if state.get(id(d)):
                return
            state[id(d)] = 1
            for name in sorted(d.uses):
                p = provider(name, d)
                if p is not None and p is not d:
                    visit(p)
                    if name in d.whole:
                        complete(p, {id(d)})
            state[id(d)] = 2
            out.append(d)

        def complete(d: Definition, seen: set[int]) -> None:
            """Everything `d` holds by value, defined (typedefs followed to their tags)."""
            seen.add(id(d))
            for name in sorted(d.whole):
                p = provider(name, d)
                if p is not None and id(p) not in seen:
                    visit(p)
                    complete(p, seen)

        for d in sorted(live, key=lambda d: d.order):
            visit(d)
        return out

    def tags(self) -> set[str]:
        """The struct and union tags the notebook defines."""
        return {name for d in self.definitions for name in d.provides() if name.startswith(("struct ", "union "))}

    def prelude(
        self,
        exclude_keys: AbstractSet[tuple[str, str]] = frozenset(),
        exclude_functions: AbstractSet[str] = frozenset(),
        exclude_variables: AbstractSet[str] = frozenset(),
        uses: set[str] | None = None,
        known: AbstractSet[str] = frozenset(),
        shared: SharedUnit | None = None,
    ) -> tuple[str, str]:
        """(header, rest): `header` is the part up to the last #include, worth
        precompiling; `rest` is the remaining definitions and declarations.

        With `uses` (the names a cell refers to), only what those names need is
        declared, so a cell's unit does not grow with the notebook; the header
        is left out when nothing needed could come from it.  `known` are names
        the cell declares itself.  `shared`: the unit holds earlier cells too
        (batch.py), so what they define or their preludes gave is left out."""
        defs = self.sorted_definitions(exclude_keys)
        last_include = max((i for i, d in enumerate(defs) if d.kind == "include"), default=-1)
        head, tail = defs[: last_include + 1], defs[last_include + 1 :]
        if uses is None:
            functions = {n: f for n, f in self.functions.items() if n not in exclude_functions}
            variables = {n: v for n, v in self.variables.items() if n not in exclude_variables}
        else:  # looked up by name: a cell's cost does not grow with the notebook
            head, tail, functions, variables = self._needed(
                uses, known, head, tail, self.functions, self.variables, exclude_functions, exclude_variables
            )
        if shared is not None:  # each type once; directives again, in order (`#pragma pack` has a state)
            tail = [
                d
                for d in tail
                if d.kind in DIRECTIVES or (d.label not in shared.labels and d.render() not in shared.emitted)
            ]
            shared.emitted.update(d.render() for d in tail if d.kind not in DIRECTIVES)
        tags, declared = self.tags(), set[str]()

        def render(d: Definition) -> str:
            """`d`, after a declaration of each notebook tag it only points to
            that is not defined yet (`struct a { struct b *next; };` before
            struct b, which holds a struct a)."""
            ahead = sorted(d.refs & tags - declared)
            declared.update(ahead, d.provides())
            forward = names.GENERATED_LINE + "".join(f"{tag};\n" for tag in ahead) if ahead else ""
            return forward + as_declared(d.render(), self._outside_frame(d))

        macros = self.macros()
        # each declared where the user wrote it: gcc's notes (a parameter's type, a previous declaration) point there
        declarations = {f.name: _unexpanded(f.name, f.declaration(located=True), macros) for f in functions.values()}
        declarations.update(
            (v.name, _unexpanded(v.name, v.declaration(located=True), macros)) for v in variables.values()
        )
        uses_of = {**{f.name: f.uses for f in functions.values()}, **{v.name: v.uses for v in variables.values()}}
        for group in _shared_types(variables.values()):  # `struct { ... } a, b;`: one declaration, one type
            first, together = group[0].name, [v.name for v in group]
            text = f"extern {group[0].spec}{','.join(v.declarator(located=True) for v in group)};"
            frozen = tuple(dict.fromkeys(f for v in group for f in v.frozen))
            declarations[first] = _unexpanded_all(together, as_declared(text, frozen), macros)
            uses_of[first] = set().union(*(v.uses for v in group)) - set(together)
            for v in group[1:]:
                declarations[v.name] = ""
                uses_of[v.name] = {first}
        if shared is not None:  # what an earlier cell of the unit defines or declared is there already
            owners = {**{f.name: f.label for f in functions.values()}, **{v.name: v.label for v in variables.values()}}
            declarations = {
                name: text
                for name, text in declarations.items()
                if owners[name] not in shared.labels and text not in shared.emitted
            }
            shared.emitted.update(text for text in declarations.values() if text)
        # `struct { struct span { ... } r; } cur;`, `enum { IDLE, BUSY } state;`: the declaration of
        # the global defines the tag and the enumerators, for what uses them
        by_declaration = {name: v.name for v in variables.values() for name in v.defines}

        def needed(used: set[str]) -> list[str]:
            """The declarations to come before what uses `used`: those it names,
            and those that define a tag or an enumerator it names."""
            wanted = used & declarations.keys() | {by_declaration[n] for n in used & by_declaration.keys()}
            return sorted(wanted & declarations.keys())

        def declare(name: str, out: list[str]) -> None:
            """`name`'s declaration, after those its type names (`__typeof__(f) g;`)."""
            text = declarations.pop(name, None)
            if text is not None:
                for other in needed(uses_of[name]):
                    declare(other, out)
                out.append(text)

        def place(d: Definition, out: list[str]) -> None:
            # `typedef __typeof__(compute) compute_fn;` needs compute declared first
            first = needed(d.uses | d.refs)
            if first:
                out.append(names.GENERATED_LINE)
            for name in first:
                declare(name, out)
            out.append(render(d))

        header: list[str] = []
        rest: list[str] = []
        for d in head:
            place(d, header)
        for d in tail:
            place(d, rest)
        rest.append(names.GENERATED_LINE)
        for name in list(declarations):
            declare(name, rest)
        return "".join(header), "".join(rest)

    @staticmethod
    def _needed(
        uses: AbstractSet[str],
        known: AbstractSet[str],
        head: list[Definition],
        tail: list[Definition],
        all_functions: dict[str, Function],
        all_variables: dict[str, Variable],
        exclude_functions: AbstractSet[str],
        exclude_variables: AbstractSet[str],
    ) -> tuple[list[Definition], list[Definition], dict[str, Function], dict[str, Variable]]:
        """The part of the prelude that the names in `uses` reach (definitions
        in order; the functions and globals by name)."""
        providers: dict[str, list] = {}
        for d in head + tail:
            for name in d.provides():
                providers.setdefault(name, []).append(d)
        functions: dict[str, Function] = {}
        variables: dict[str, Variable] = {}

        by_declaration: dict[str, list[Variable]] = {}  # what a global's declaration defines (Variable.defines)
        for v in all_variables.values():
            if v.name not in exclude_variables:
                for name in v.defines:
                    by_declaration.setdefault(name, []).append(v)

        def provided(name: str) -> list:
            found = list(providers.get(name, ()))
            if name in all_functions and name not in exclude_functions:
                found.append(all_functions[name])
            if name in all_variables and name not in exclude_variables:
                found.append(all_variables[name])
            found.extend(by_declaration.get(name, ()))
            return found

        needed: set[int] = set()
        unknown = False
        todo = [name for name in uses | known if name not in known or provided(name)]
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            found = provided(name)
            if not found:
                if name not in C_WORDS and not name.startswith("__builtin_"):
                    unknown = True  # perhaps from a header
                continue
            for p in found:
                if id(p) not in needed:
                    needed.add(id(p))
                    if isinstance(p, Function):
                        functions[p.name] = p
                    elif isinstance(p, Variable):
                        variables[p.name] = p
                    todo.extend(p.needs() if isinstance(p, Definition) else p.uses)
        header_needed = unknown or any(id(d) in needed for d in head)
        keep = lambda d: id(d) in needed or d.kind in ("directive", "undef")  # noqa: E731
        functions = dict(sorted(functions.items()))  # a stable order, whatever the walk's
        variables = dict(sorted(variables.items()))
        return head if header_needed else [], [d for d in tail if keep(d)], functions, variables


def _history(text: str, at: Definition) -> Definition:
    """A preprocessor line of the program's history (`Program._end`), placed where `at` is."""
    return Definition("directive", [_HISTORY], text, set(), 0, at.label, at.line)


def _unexpanded(name: str, declaration: str, macros: set[str]) -> str:
    """A declaration line, shielded from a later macro of the same name
    (`int foo = 1;` then `#define foo (4 + foo)`): declared where it stood in
    the program, the name was not a macro yet."""
    return _unexpanded_all([name], declaration, macros)


def _unexpanded_all(declared: list[str], declaration: str, macros: set[str]) -> str:
    """`_unexpanded` for a declaration of several names."""
    shadowed = [name for name in declared if name in macros]
    push = "".join(f'#pragma push_macro("{name}")\n#undef {name}\n' for name in shadowed)
    pop = "".join(f'#pragma pop_macro("{name}")\n' for name in reversed(shadowed))
    return f"{push}{declaration}\n{pop}"


def _shared_types(variables) -> list[list[Variable]]:
    """The globals declared together with an untagged type (`struct { ... } a, b;`),
    two or more still live of one declaration, in its order: their type is one,
    and a tag or enumerator defined inside it may be defined once."""
    groups: dict[str, list[Variable]] = {}
    for v in variables:
        if v.spec and v.group[0] and v.decl.startswith(v.spec):
            groups.setdefault(v.group[0], []).append(v)
    return [sorted(g, key=lambda v: v.group[1]) for g in groups.values() if len(g) > 1]


#: Words that need no declaration.
C_WORDS = KEYWORDS | GNU_KEYWORDS | PREDEFINED


_TOKENS = re.compile(r"""\"(?:\\.|[^"\\])*\"|'(?:\\.|[^'\\])*'|\b\w+\b""")  # strings, chars, words


def linked_expression(program: Program, expression: str, local: AbstractSet[str] = frozenset()) -> str:
    """A C expression with the notebook's globals and functions under the
    names gdb knows them by, their symbols (by its own name gdb would find a
    library's `a`, or nothing); `local`: names a frame's locals shadow."""

    def symbol(m: re.Match) -> str:
        word = m.group(0)
        if word in local or not (word[0].isalpha() or word[0] == "_"):
            return word  # a local, a literal, a string
        if expression[: m.start()].rstrip().endswith((".", "->")):
            return word  # a member
        if word in program.variables:
            return program.variables[word].symbol
        function = program.functions.get(word)
        cell = names.cell_number(function.label) if function is not None and function.defined else None
        return names.body(cell, word) if cell is not None else word

    return _TOKENS.sub(symbol, expression)
