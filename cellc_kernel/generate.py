"""Generate one C translation unit per cell.

Layout of the unit for cell N (label "In[k]"):

    #include "<pch header>"          includes/macros up to the last #include
    ...rest of the prelude...          types, prototypes, externs (model.py)
    #line L "In[k]"                    then each item of the cell, in order:
      directives and types             as written
      function f                       prototype bound to f's trampoline, body
                                       renamed to the private __cellc_impl_N_f
      globals                          defined under their symbol; initializers
                                       that are not constant run in order
      statements                       each in its own piece function
    trampolines of new names (arch.py)
    void __cellc_entry_N(void)         store slots, then call the pieces

Top-level statements become pieces emitted where they stand, so macros and
declarations are seen exactly as in one C file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .arch import c_string_asm, trampoline_asm
from .model import Definition, Function, Program, Variable
from .parse import Item, ParsedCell, normalize

#: Identifiers that are constants for the purpose of static initialization.
_CONSTANT_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$|^sizeof$|^NULL$|^true$|^false$")


@dataclass
class Options:
    """Knobs the compile stage turns when gcc rejects a first attempt."""

    runtime_init: bool = False  # initialize every global at run time
    value_mode: str = "assign"  # assign | memcpy (arrays) | rvalue (functions, const) | none


@dataclass
class Unit:
    number: int
    label: str
    header: str  # prelude part worth precompiling
    body: str  # the rest of the translation unit
    entry: str
    program: Program  # the model after this cell, committed on success
    value_symbol: str | None
    defines: list[str] = field(default_factory=list)  # functions defined
    arrays: list[str] = field(default_factory=list)  # new array globals (dimensions from DWARF)
    warnings: list[str] = field(default_factory=list)


def _patch(text: str, base: int, item: Item, extra: list[tuple[int, int, str]] = ()) -> str:
    """Apply byte edits (cell offsets) to an item's text."""
    data = bytearray(text.encode("utf-8", "surrogateescape"))
    edits = [(e.start, e.end, e.text) for e in item.edits] + list(extra)
    for start, end, new in sorted(edits, reverse=True):
        data[start - base : end - base] = new.encode()
    return data.decode("utf-8", "surrogateescape")


def _line(label: str, line: int, col: int = 0) -> str:
    return f'#line {line} "{label}"\n' + " " * col


def _is_constant_init(init: str, program: Program, cell_consts: set[str]) -> bool:
    consts = {n for d in program.definitions for k, n in d.keys if k in ("const", "macro")} | cell_consts
    for word in re.findall(r"[A-Za-z_]\w*", re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'', "", init)):
        if word in consts or _CONSTANT_NAME.match(word):
            continue
        if word in ("sizeof", "_Alignof", "int", "char", "long", "short", "unsigned", "signed", "float", "double"):
            continue
        return False
    return True


class Generator:
    def __init__(self, program: Program, cell: ParsedCell, number: int, label: str, options: Options):
        self.old = program
        self.new = program.copy()
        self.cell = cell
        self.n = number
        self.label = label
        self.opt = options
        self.out: list[str] = []
        self.pieces: list[str] = []
        self.slots: list[str] = []
        self.new_trampolines: list[str] = []
        self.warnings: list[str] = []
        self.exclude_keys: set[tuple[str, str]] = set()
        self.exclude_functions: set[str] = set()
        self.exclude_variables: set[str] = set()
        self.cell_consts: set[str] = set()
        self.value_symbol: str | None = None
        self.defines: list[str] = []
        self.arrays: list[str] = []

    # -- helpers ------------------------------------------------------------
    def at(self, offset: int) -> str:
        """A line break that puts what follows at cell byte `offset`'s line and
        column, so diagnostics point where the user typed it."""
        source = self.cell.source
        line = source.count(b"\n", 0, offset) + 1
        col = offset - (source.rfind(b"\n", 0, offset) + 1)
        return "\n" + _line(self.label, line, col)

    def emit(self, item: Item, text: str, col: int | None = None) -> None:
        self.out.append(_line(self.label, item.line, item.col if col is None else col) + text + "\n")

    def piece(self, item: Item, body: str) -> None:
        self.add_piece(_line(self.label, item.line, item.col) + body)

    def add_piece(self, code: str) -> None:
        """Top-level code as a function emitted where it stands; `code` carries its #line."""
        name = f"__cellc_piece_{self.n}_{len(self.pieces)}"
        self.pieces.append(name)
        self.out.append(f"static void {name}(void) {{\n{code}\n}}\n")

    def definition(self, item: Item, kind: str | None = None, text: str | None = None) -> None:
        d = Definition(kind or item.kind, list(item.keys), text or item.text, set(item.uses), 0, self.label, item.line)
        for key in item.keys:
            if key[0] != "macro" and self.old.find(key) is not None:
                self.exclude_keys.add(key)  # the cell's new definition replaces it
        self.new.define(d)

    def trampoline(self, name: str) -> None:
        if name not in self.new.trampolines:
            self.new.trampolines.add(name)
            self.new_trampolines.append(name)

    # -- items --------------------------------------------------------------
    def run(self) -> Unit:
        for item in self.cell.items:
            getattr(self, "item_" + item.kind)(item)
        return self.finish()

    def item_include(self, item: Item) -> None:
        self.emit(item, item.text.rstrip("\n"), 0)
        if self.new.find(item.keys[0]) is None:
            self.definition(item)

    def item_define(self, item: Item) -> None:
        if item.name in self.new.macros():
            self.out.append(f"#undef {item.name}\n")
        self.emit(item, item.text.rstrip("\n"), 0)
        self.definition(item)

    def item_undef(self, item: Item) -> None:
        self.emit(item, item.text.rstrip("\n"), 0)
        if not self.new.remove(("macro", item.name)):
            self.definition(item, "directive")

    def item_directive(self, item: Item) -> None:
        self.emit(item, item.text.rstrip("\n"), 0)
        if self.new.find(item.keys[0]) is None:
            self.definition(item)

    def item_type(self, item: Item) -> None:
        self.cell_consts |= {n for k, n in item.keys if k == "const"}
        olds = [self.new.find(key) for key in item.keys]
        if olds and all(d is not None and normalize(d.text) == normalize(item.text) for d in olds):
            return  # re-running the same definition: the prelude has it already
        self.emit(item, item.text)
        self.definition(item)

    def redefined_names(self) -> list[str]:
        """Names of types this cell defines anew (prelude declarations using them are stale)."""
        out = []
        for kind, name in self.exclude_keys:
            if kind in ("struct", "union", "enum"):
                out.append(rf"\b{kind}\s+{re.escape(name)}\b")
            elif kind == "typedef":
                out.append(rf"\b{re.escape(name)}\b")
        return out

    def uses_redefined(self, text: str) -> bool:
        return any(re.search(p, text) for p in self.redefined_names())

    item_typedef = item_type

    def item_verbatim(self, item: Item) -> None:
        self.emit(item, item.text)

    def item_statement(self, item: Item) -> None:
        self.piece(item, item.text)

    def item_value(self, item: Item) -> None:
        """`__cellc_value_N` holds the trailing expression's value after the run.

        The expression always starts on its own line at its own column, so
        gcc's diagnostics point where the user typed it."""
        before = _line(self.label, item.line - 1)  # the line before the expression's
        expr = "\n" + " " * item.col + item.text
        if self.opt.value_mode == "none":
            self.add_piece(f"{before}(void)({expr});")
            return
        self.value_symbol = f"__cellc_value_{self.n}"
        if self.opt.value_mode == "rvalue":  # drops const, turns a function into a pointer
            typeof = f"__typeof__(((void)0, ({expr})))"
        else:
            typeof = f"__typeof__(({expr}))"
        self.out.append(f'{before}{typeof} __cellc_value __asm__("{self.value_symbol}");\n')
        if self.opt.value_mode == "memcpy":
            self.add_piece(f"{before}__builtin_memcpy(&__cellc_value, &({expr}), sizeof __cellc_value);")
        else:
            self.add_piece(f"{before}__cellc_value = ({expr});")

    def item_function(self, item: Item) -> None:
        f = item.name
        impl = f"__cellc_impl_{self.n}_{f}"
        old = self.old.functions.get(f)
        if old is not None and old.signature != item.signature:
            self.exclude_functions.add(f)
            stale = sorted(old.callers - {self.label})
            if stale:
                self.warnings.append(
                    f"warning: {f} is now '{item.prototype.strip()}'; cells compiled against the old "
                    f"'{old.prototype.strip()}' still call it that way: {', '.join(stale)}"
                )
        fn = Function(f, item.prototype, item.signature, self.label, item.line, True, item.doc)
        if old is not None and old.signature == item.signature:
            fn.callers = set(old.callers)
        self.new.functions[f] = fn
        self.trampoline(f)
        self.defines.append(f)
        self.out.append(_line(self.label, item.line) + fn.declaration() + "\n")
        s, e = item.name_range
        text = _patch(item.text, item.start, item, [(s, e, impl + self.at(e))])
        self.out.append("static\n")
        self.emit(item, text)
        self.slots.append(f"__cellc_slot_{f} = (void *)&{impl};")

    def item_declaration(self, item: Item) -> None:
        if item.split_type is not None:
            self.item_type(item.split_type)
        extern = "extern" in item.storage
        for d in item.declarators:
            if d.is_function:
                self.declare_function(item, d)
            elif extern:
                if d.name not in self.new.variables:
                    self.emit(item, f"extern {d.decl_text};")
                    key = ("extern", d.name)
                    self.new.define(
                        Definition("declaration", [key], f"extern {d.decl_text};", set(), 0, self.label, item.line)
                    )
            else:
                self.declare_variable(item, d)

    def declare_function(self, item: Item, d) -> None:
        old = self.new.functions.get(d.name)
        if old is None:
            fn = Function(d.name, d.decl_text, d.signature, self.label, item.line, False, item.doc)
            self.new.functions[d.name] = fn
            self.trampoline(d.name)
            self.emit(item, fn.declaration())
        else:
            self.emit(item, f'{d.decl_text} __asm__("__cellc_tramp_{d.name}");')

    def declare_variable(self, item: Item, d) -> None:
        type_key = normalize(d.decl_text.replace(d.name, "@", 1)) if d.name in d.decl_text else d.decl_text
        old = self.new.variables.get(d.name)
        same = (
            old is not None
            and old.type_key == type_key
            and not d.incomplete_array
            and not self.uses_redefined(d.decl_text)
        )
        if same:
            init = d.init if d.init is not None else None
            self.reinit(item, d, init)
            return
        symbol = f"__cellc_var_{d.name}_{self.n}"
        if old is not None:
            self.exclude_variables.add(d.name)
            users = sorted(old.users)
            if users:
                self.warnings.append(
                    f"warning: {d.name} is now '{d.decl_text.strip()}'; functions compiled before still use "
                    f"the old '{old.decl.strip()}': {', '.join(users)}"
                )
        var = Variable(d.name, d.decl_text, type_key, symbol, self.label, item.line)
        self.new.variables[d.name] = var
        if "[" in d.decl_text:
            self.arrays.append(d.name)
        # A const object would land in read-only memory, where re-running its
        # declaration could not re-initialize it: define it writable (later
        # cells still see it const).
        definition = d.decl_text
        if "*" not in d.decl_text and re.search(r"\bconst\b", d.decl_text):
            definition = re.sub(r"\bconst\b\s*", "", d.decl_text)
        head = f'{definition} __asm__("{symbol}")'
        static_init = d.init is not None and (
            d.incomplete_array or (not self.opt.runtime_init and _is_constant_init(d.init, self.new, self.cell_consts))
        )
        if static_init:
            self.emit(item, f"{head} ={self.at(d.init_start)}{d.init};")
        else:
            self.emit(item, f"{head};")
            if d.init is not None:
                self.reinit(item, d, d.init)

    def reinit(self, item: Item, d, init: str | None) -> None:
        name = d.name
        if init is None:
            body = f"__builtin_memset((void *)&{name}, 0, sizeof {name});"
        else:
            body = (
                f"__typeof__({name}) __cellc_init ={self.at(d.init_start)}{init}; "
                f"__builtin_memcpy((void *)&{name}, &__cellc_init, sizeof {name});"
            )
        self.piece(item, body)

    # -- the unit -----------------------------------------------------------
    def finish(self) -> Unit:
        if self.redefined_names():
            self.exclude_functions |= {f.name for f in self.old.functions.values() if self.uses_redefined(f.prototype)}
            self.exclude_variables |= {v.name for v in self.old.variables.values() if self.uses_redefined(v.decl)}
        header, rest = self.old.prelude(
            self.exclude_keys,
            self.exclude_functions,
            self.exclude_variables,
            uses=self.cell.uses,
            known=self.cell.declared,
        )
        body = [rest, "void *__cellc_lazy(void);\n"]
        for f in self.defines:
            body.append(f"extern void *__cellc_slot_{f};\n")
        body.extend(self.out)
        if self.new_trampolines:
            body.append('#line 1 "<cellc>"\n__asm__(\n')
            for name in self.new_trampolines:
                body.append(c_string_asm(trampoline_asm(name)))
            body.append(");\n")
        entry = f"__cellc_entry_{self.n}"
        body.append(f'#line 1 "<cellc>"\n__attribute__((visibility("default"))) void {entry}(void) {{\n')
        body.extend(f"  {s}\n" for s in self.slots)
        body.extend(f"  {p}();\n" for p in self.pieces)
        body.append("}\n")
        self.new.cells += 1
        return Unit(
            self.n,
            self.label,
            header,
            "".join(body),
            entry,
            self.new,
            self.value_symbol,
            self.defines,
            self.arrays,
            self.warnings,
        )


def generate(program: Program, cell: ParsedCell, number: int, label: str, options: Options | None = None) -> Unit:
    """The translation unit of a cell and the model it leads to."""
    return Generator(program, cell, number, label, options or Options()).run()
