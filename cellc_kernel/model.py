"""The program model: what the notebook has defined so far.

Each cell's translation unit starts with a prelude rendered from the model:
the preprocessor lines and type definitions in dependency order, then a
prototype (bound to its trampoline) for every notebook function and an
`extern` (bound to its current symbol) for every notebook global.  A model is
copied before a cell and the copy replaces it only when the cell succeeds,
so a failed cell changes nothing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


def cell_file(label: str) -> str:
    """The file name gcc shows in diagnostics for a cell."""
    return label


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

    def provides(self) -> set[str]:
        out = set()
        for kind, name in self.keys:
            if kind in ("struct", "union", "enum"):
                out.add(f"{kind} {name}")
            elif kind in ("typedef", "macro", "const"):
                out.add(name)
        return out

    def render(self) -> str:
        return f'#line {self.line} "{self.label}"\n{self.text}\n'


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

    def declaration(self) -> str:
        return f'{self.prototype} __asm__("__cellc_tramp_{self.name}");'


@dataclass
class Variable:
    name: str
    decl: str  # "int counter", no storage class or initializer
    type_key: str  # normalized declaration with the name replaced by '@'
    symbol: str  # linker symbol, e.g. "__cellc_var_counter_4"
    label: str
    line: int
    users: set[str] = field(default_factory=set)  # functions compiled against it

    def declaration(self) -> str:
        return f'extern {self.decl} __asm__("{self.symbol}");'


@dataclass
class Program:
    definitions: list[Definition] = field(default_factory=list)
    functions: dict[str, Function] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)
    trampolines: set[str] = field(default_factory=set)  # names with a trampoline loaded
    order: int = 0
    cells: int = 0  # cells committed

    def copy(self) -> Program:
        new = copy.copy(self)
        new.definitions = list(self.definitions)
        new.functions = {k: copy.copy(v) for k, v in self.functions.items()}
        new.variables = {k: copy.copy(v) for k, v in self.variables.items()}
        new.trampolines = set(self.trampolines)
        return new

    # -- definitions --------------------------------------------------------
    def find(self, key: tuple[str, str]) -> Definition | None:
        for d in self.definitions:
            if key in d.keys:
                return d
        return None

    def define(self, definition: Definition) -> None:
        """Add a definition, replacing any earlier one that provides a key it provides."""
        keys = set(definition.keys)
        self.definitions = [d for d in self.definitions if not keys & set(d.keys)]
        self.order += 1
        definition.order = self.order
        self.definitions.append(definition)

    def remove(self, key: tuple[str, str]) -> bool:
        before = len(self.definitions)
        self.definitions = [d for d in self.definitions if key not in d.keys]
        return len(self.definitions) != before

    def macros(self) -> set[str]:
        return {name for d in self.definitions for kind, name in d.keys if kind == "macro"}

    def type_names(self) -> set[str]:
        return {name for d in self.definitions for kind, name in d.keys if kind == "typedef"}

    def is_value_name(self, name: str) -> bool:
        return name in self.functions or name in self.variables

    # -- rendering ----------------------------------------------------------
    def sorted_definitions(self, exclude: set[tuple[str, str]] = frozenset()) -> list[Definition]:
        """Definitions in program order, each moved after what it uses."""
        live = [d for d in self.definitions if not exclude & set(d.keys)]
        provider: dict[str, Definition] = {}
        for d in live:
            for name in d.provides():
                provider[name] = d
        out: list[Definition] = []
        state: dict[int, int] = {}  # id -> 1 visiting, 2 done

        def visit(d: Definition) -> None:
            if state.get(id(d)):
                return
            state[id(d)] = 1
            for name in sorted(d.uses):
                p = provider.get(name)
                if p is not None and p is not d and p.order > d.order:
                    visit(p)
            state[id(d)] = 2
            out.append(d)

        for d in sorted(live, key=lambda d: d.order):
            visit(d)
        return out

    def prelude(
        self,
        exclude_keys: set[tuple[str, str]] = frozenset(),
        exclude_functions: set[str] = frozenset(),
        exclude_variables: set[str] = frozenset(),
    ) -> tuple[str, str]:
        """(header, rest): `header` is the part up to the last #include, worth
        precompiling; `rest` is the remaining definitions and declarations."""
        defs = self.sorted_definitions(exclude_keys)
        last_include = max((i for i, d in enumerate(defs) if d.kind == "include"), default=-1)
        header = "".join(d.render() for d in defs[: last_include + 1])
        rest = [d.render() for d in defs[last_include + 1 :]]
        rest.append('#line 1 "<cellc>"\n')
        for f in self.functions.values():
            if f.name not in exclude_functions:
                rest.append(f.declaration() + "\n")
        for v in self.variables.values():
            if v.name not in exclude_variables:
                rest.append(v.declaration() + "\n")
        return header, "".join(rest)
