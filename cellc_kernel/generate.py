"""Generate one C translation unit per cell.

Layout of the unit for cell N (label "In[k]"):

    #include "<pch header>"          includes/macros up to the last #include
    ...rest of the prelude...          types, prototypes, externs (model.py)
    #line L "In[k]"                    then each item of the cell, in order:
      directives and types             as written
      function f                       prototype bound to f's trampoline, body
                                       renamed to its private name (names.body)
      globals                          defined under their symbol; initializers
                                       that are not constant run in order
      statements                       collected, in order, with run-time
                                       initializers and the trailing value
    static void RUN(void)              those statements as one body (names.run), the cell's
                                       #define/#undef replayed where they stood
    trampolines of new names (arch.py)
    void *const ENTRY[]                the entry table (names.entry): pairs of a
                                       trampoline's slot and the body it now holds,
                                       0, then RUN (0 without statements); the
                                       executor stores the slots and calls RUN

The statements of a cell are one function body, as in `main`, so setjmp,
goto and statement expressions span statements.

`Generator` hands each item to its handler and puts the unit together; its
parts, one concern each: `_Emitter` (the text and its #line directives),
`_Declarations` (functions and globals), `_Migration` (globals of a redefined
type), and `_Draft`, what they all change in the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from . import names
from .arch import c_string_asm, trampoline_asm
from .migrate import Plan, after_redefinition, closure, involved
from .model import Definition, Function, Program, SharedUnit, Variable, bind
from .parse import CELL_FILE, Item, ParsedCell, identifiers, normalize, rename

_WORDS = re.compile(r"\b[A-Za-z_]\w*")
_DIRECTIVE_LINE = re.compile(r"^[ \t]*#.*$", re.M)
_USER_LINE = re.compile(r'\s*#\s*line\s+(\d+)(?:\s+"([^"]*)")?')

_STATIC_ASSERT = re.compile(r"\s*(?:_Static_assert|static_assert)\b")
_FUNCTION_NAMES = ("__func__", "__FUNCTION__", "__PRETTY_FUNCTION__")
_TYPEOF = r"(?:__typeof__|__typeof|typeof)\s*\(\s*\w+\s*\)"  # `typeof(NAME)`
_TYPE_BEFORE_NAME = re.compile(rf"(?:.*\s)?({_TYPEOF}|\w+\s)\s*", re.S)  # `handler_fn ` of `handler_fn f`
_PLAIN_TYPEDEF = re.compile(rf"typedef\s+({_TYPEOF}|\w+\s)\s*(\w+);")  # the type a typedef names as it is


def _function_names(name: str | None = None) -> str:
    """Directives making `__func__` the name the user sees (the function as
    written, or the cell for top-level statements) rather than our private
    names; without `name`, the directives that end it."""
    if name is None:
        return "".join(f"#undef {m}\n" for m in _FUNCTION_NAMES)
    return "".join(f'#define {m} "{name}"\n' for m in _FUNCTION_NAMES)


_OUR_KEYWORDS = ("void", "static", "extern")  # what our own declarations say, whatever the user #defines


def _ours(code: str) -> str:
    """`code`, lines of our own C, shielded from the user's macros: `#define
    void int` is legal C before a file's first function, and must not turn
    the run function into one that takes an int."""
    push = "".join(f'#pragma push_macro("{k}")\n#undef {k}\n' for k in _OUR_KEYWORDS)
    pop = "".join(f'#pragma pop_macro("{k}")\n' for k in _OUR_KEYWORDS)
    return f"{push}{code}{pop}"


@dataclass
class Options:
    """Knobs the compile stage turns when gcc rejects a first attempt."""

    # globals initialized at run time: True for all, else those whose
    # initializer starts at one of these cell offsets
    runtime_init: Literal[True] | set[int] = field(default_factory=set)
    full_prelude: bool = False  # declare everything, not only what the cell's names reach
    # assign | memcpy (arrays) | rvalue (functions, const) | local (statement expressions) | none
    value_mode: str = "assign"
    # globals whose type the cell redefines: how each moves (None: not decided yet,
    # the first compile gives the new types' DWARF)
    migrations: dict[str, Plan] | None = None
    shared: SharedUnit | None = None  # the unit is shared with the queued cells before it (batch.py)
    # the labels the cell's own assembly defines, read from a first compile (compile.ObjectSymbols.labels):
    # name -> (in code, local); None: not read yet
    asm_labels: dict[str, tuple[bool, bool]] | None = None


@dataclass
class CellRecord:
    """How the kernel took a cell that succeeded: what export.py needs to
    write the same program as one C file.  Items are keyed by their start
    offset, declarators by their end offset in the cell."""

    label: str
    cell: ParsedCell
    skipped: set[int] = field(default_factory=set)  # items that changed nothing (a type defined again)
    runtime: dict[int, bool] = field(default_factory=dict)  # initializers run at run time: True if from a static copy
    reinit: set[int] = field(default_factory=set)  # globals of the same type defined again: re-initialized
    tentative: set[int] = field(default_factory=set)  # globals declared again without initializer: nothing
    storage: set[int] = field(default_factory=set)  # `extern` globals nothing defined: storage of their own
    migrated: dict[str, list[str]] = field(default_factory=dict)  # global -> statements copying it to its new type
    magic: str = ""  # the magic that wrapped the cell's code (%time), or ""


@dataclass
class Unit:
    number: int
    label: str
    header: str  # prelude part worth precompiling
    body: str  # the rest of the translation unit
    entry: str  # the symbol of its entry table (names.entry)
    program: Program  # the model after this cell, committed on success
    value_symbol: str | None
    defines: list[str] = field(default_factory=list)  # functions defined
    arrays: list[str] = field(default_factory=list)  # new array globals (dimensions from DWARF)
    warnings: list[str] = field(default_factory=list)
    migrating: list[Variable] = field(default_factory=list)  # old globals whose type the cell redefines
    changed: set[str] = field(default_factory=set)  # the types whose layout changed


def _patch(text: str, base: int, item: Item, extra: Iterable[tuple[int, int, str]] = ()) -> str:
    """Apply byte edits (cell offsets) to an item's text."""
    data = bytearray(text.encode("utf-8", "surrogateescape"))
    edits = [(e.start, e.end, e.text) for e in item.edits] + list(extra)
    for start, end, new in sorted(edits, reverse=True):
        data[start - base : end - base] = new.encode()
    return data.decode("utf-8", "surrogateescape")


def _line(label: str, line: int, col: int = 0) -> str:
    return f'#line {line} "{label}"\n' + " " * col


def _cell_order(label: str) -> tuple[int, str]:
    return (names.cell_number(label) or 0, label)


def _without_dimensions(type_key: str) -> str:
    return re.sub(r"\[[^\[\]]*\]", "[]", type_key)


def _writable(symbol: str, d) -> str:
    """A section attribute that keeps a const global writable: re-running its
    declaration re-initializes it, and a run-time initializer stores into it.
    A thread-local one needs none (each thread's copy is writable), and must
    stay in a TLS section: the linker rejects a TLS object among data."""
    if not re.search(r"\bconst\b", d.decl_text) or re.search(r"\b(_Thread_local|__thread|thread_local)\b", d.decl_text):
        return ""
    kind = "data" if d.init is not None else "bss"
    return f' __attribute__((__section__(".{kind}.cellc.{symbol}")))'


class _Emitter:
    """The unit's text as the cell's items add to it: file-scope code in order,
    and the body of the run function; each piece under the `#line` of where
    the user typed it, so gcc's diagnostics point into the cell."""

    def __init__(self, cell: ParsedCell, label: str):
        self.cell = cell
        self.label = label
        self.out: list[str] = []  # file-scope code, in the cell's order
        self.body: list[str] = []  # the run function's code: statements, run-time initializers, value
        self.touched_macros: set[str] = set()
        self.held: list[str] = []  # includes to repeat in the run function if code follows them (`replay`)
        self.reread = False  # an include is repeated in the run function
        self.words: set[str] = set()  # the words of the run function's code before that include
        self.user_lines: list[tuple[int, int, str]] = []  # (cell line, new line, new file) of #line items

    def line(self, line: int, col: int = 0) -> str:
        """A #line directive for cell line `line`, honouring the user's own
        `#line N ["file"]` directives above it, then `col` spaces."""
        file, number = self.label, line
        for at, target, name in self.user_lines:
            if at < line:
                file = self.label if name == CELL_FILE else name or file
                number = target + line - at - 1
        return _line(file, number, col)

    def at(self, offset: int) -> str:
        """A line break that puts what follows at cell byte `offset`'s line and
        column, so diagnostics point where the user typed it."""
        return "\n" + self.line(*self.position(offset))

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of cell byte `offset`."""
        source = self.cell.source
        return source.count(b"\n", 0, offset) + 1, offset - (source.rfind(b"\n", 0, offset) + 1)

    def name_pos(self, offset: int) -> tuple[int, int] | None:
        """Where a declared name stands, for later cells' prelude (model.Function.declaration);
        None under the user's own `#line`, whose file gcc cannot quote."""
        return None if self.user_lines else self.position(offset)

    def emit(self, item: Item, text: str, col: int | None = None) -> None:
        self.out.append(self.line(item.line, item.col if col is None else col) + text + "\n")

    def piece(self, item: Item, body: str) -> None:
        self.add_piece(self.line(item.line, item.col) + body)

    def add_piece(self, code: str) -> None:
        """Top-level code, in order, for the cell's one run function; `code` carries its #line."""
        if not (self.held or self.reread):
            self.words.update(w for w in _WORDS.findall(_DIRECTIVE_LINE.sub("", code)) if not names.is_ours(w))
        self._add(code + "\n")

    def replay(self, item: Item) -> None:
        """A #define, #undef or #include between statements, repeated in the
        run function (which comes after all the cell's items), so each
        statement sees the macros of its own place: the run function starts
        from the macros before the cell (`saved_macros`), and a header the
        program included before, read again (`<assert.h>`, after NDEBUG
        changed), defines its macros anew there.  Such an include is repeated
        only when code follows it, in a block of its own, where what it
        declares stays (declarations at a block's start)."""
        text = item.text.rstrip("\n")
        if item.kind == "include":
            self.held.append(f"\n{{\n{text}\n}}\n")
            return
        self.touched_macros.add(item.name)
        if item.kind == "define":  # gcc's warning of a macro defined again is the file scope's, not repeated
            text = f"#undef {item.name}\n{text}"
        self._add(f"\n{text}\n")

    def _add(self, code: str) -> None:
        if self.held:
            self.reread = True
            self.body.extend(self.held)
            self.held.clear()
        self.body.append(code)

    def _read_again(self) -> list[str]:
        """When a header is read again in the run function: the names the code
        before it uses, other than the macros the cell's lines change.  The
        header may define any of them anew (`assert`, by another NDEBUG), so
        those that were macros before the cell start the run function as they
        were then."""
        return sorted(self.words - self.touched_macros) if self.reread else []

    def saved_macros(self) -> str:
        """Before the cell's items: the macros the run function starts from (`run_function`)."""
        out = [f'#pragma push_macro("{macro}")\n' for macro in sorted(self.touched_macros)]
        for name in self._read_again():
            out.append(f'#ifdef {name}\n#pragma push_macro("{name}")\n#define {names.saved_macro(name)}\n#endif\n')
        return "".join(out)

    def run_function(self, name: str) -> str:
        """The cell's statements as one function body, as in `main`: setjmp,
        labels and goto, statement expressions work across statements, and a
        `return` ends the cell (its value, if any, ignored)."""
        restore = [f'#pragma pop_macro("{macro}")\n' for macro in sorted(self.touched_macros)]
        for word in self._read_again():
            mark = names.saved_macro(word)
            restore.append(f'#ifdef {mark}\n#undef {mark}\n#pragma pop_macro("{word}")\n#endif\n')
        # Nothing at the top level of this body may be a declaration: the
        # cell's declarations are globals.  After the first `;` gcc warns of
        # any, and `misread_items` finds what the split misread.
        header = _ours(f"static void {name}(void) {{\n")
        return (
            '#pragma GCC diagnostic push\n#pragma GCC diagnostic ignored "-Wreturn-type"\n'
            '#pragma GCC diagnostic warning "-Wdeclaration-after-statement"\n'
            f"{_function_names(self.label)}{header};\n"
            f"{''.join(restore)}{''.join(self.body)}\n}}\n"
            f"{_function_names()}#pragma GCC diagnostic pop\n"
        )


class _Draft:
    """What a cell's items change besides the unit's text, shared by the
    generator's parts: the model after the cell, what the prelude leaves out
    of the model before it, what the entry table stores, the record, the warnings."""

    def __init__(self, program: Program, cell: ParsedCell, number: int, label: str, options: Options):
        self.old = program
        self.new = program.copy()
        self.n = number
        self.label = label
        self.opt = options
        self.defined_here = {it.name for it in cell.items if it.kind == "function"}
        self.outside_macros = cell.outside_macros  # a header's macros the cell changes: their `#define` then
        self.record = CellRecord(label, cell)
        self.exclude_keys: set[tuple[str, str]] = set()
        self.exclude_functions: set[str] = set()
        self.exclude_variables: set[str] = set()
        self.extra_uses: set[str] = set()  # what the migration code needs from the prelude
        self.slots: list[tuple[str, str]] = []  # (slot, the address it gets): the entry table's pairs
        self.new_trampolines: list[str] = []
        self.defines: list[str] = []
        self.warnings: list[str] = []

    def made(self, item: Item, kind: str | None = None, text: str | None = None) -> Definition:
        """The model's definition of `item`, as this cell's."""
        return Definition(
            kind or item.kind,
            list(item.keys),
            text or item.text,
            set(item.uses),
            0,
            self.label,
            item.line,
            item.refs,
            item.whole,
        )

    def definition(self, item: Item, kind: str | None = None, text: str | None = None) -> None:
        d = self.made(item, kind, text)
        for key in item.keys:
            if key[0] != "macro" and self.old.find(key) is not None:
                self.exclude_keys.add(key)  # the cell's new definition replaces it
        self.new.define(d, self.outside_macros.get(item.name) if item.kind == "define" else None)

    def trampoline(self, name: str) -> None:
        if name not in self.new.trampolines:
            self.new.trampolines.add(name)
            self.new_trampolines.append(name)

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


class _Declarations:
    """The cell's functions and globals: bodies under their private names
    behind trampolines, globals under their own symbols (or re-initialized
    when declared again with the same type), prototypes and externs."""

    def __init__(self, draft: _Draft, text: _Emitter, is_library_data=None):
        self.draft = draft
        self.text = text
        library_data = is_library_data or (lambda name: False)
        asm_data = {name for name, (code, _) in (draft.opt.asm_labels or {}).items() if not code}
        # the cell's own assembly defining data is as a library would: `extern` names it as it is
        self.is_library_data = lambda name: name in asm_data or library_data(name)
        self.arrays: list[str] = []  # new array globals
        self.sharing: list[tuple] | None = None  # (declarator, definition) of one `struct { ... } a, b;`

    def function(self, item: Item) -> None:
        """A function definition: its prototype bound to the trampoline, its body under its private name."""
        draft, f = self.draft, item.name
        impl = names.body(draft.n, f)
        old = draft.old.functions.get(f)
        fn = Function(
            f,
            item.prototype,
            item.signature,
            draft.label,
            item.line,
            True,
            item.doc,
            names=frozenset(identifiers(item.text)),
            name_pos=self.text.name_pos(item.name_range[0]),
            name_at=item.name_at,
        )
        if old is not None and old.signature and old.signature != item.signature:
            draft.exclude_functions.add(f)
            # every cell compiled against any older prototype, not only the last one
            fn.stale_callers = (old.stale_callers | old.callers) - {draft.label}
            if fn.stale_callers:
                draft.warnings.append(
                    f"warning: {f} is now '{item.prototype.strip()}'; cells compiled against an older "
                    f"prototype (last '{old.prototype.strip()}') still call it that way: "
                    + ", ".join(sorted(fn.stale_callers, key=_cell_order))
                )
        elif old is not None:
            fn.callers = set(old.callers)
            fn.stale_callers = set(old.stale_callers)
        draft.new.functions[f] = fn
        draft.trampoline(f)
        draft.defines.append(f)
        self.text.out.append(self.text.line(item.line) + fn.declaration() + "\n")
        s, e = item.name_range
        edits = [(s, e, impl + self.text.at(e))]
        if f == "main" and re.match(r"\s*int\b", item.signature) and item.text.rstrip().endswith("}"):
            close = item.start + len(item.text.rstrip().encode("utf-8", "surrogateescape")) - 1
            edits.append((close, close, " return 0; "))  # reaching main's closing brace returns 0
        patched = _patch(item.text, item.start, item, edits)
        weak = re.search(r"\bweak\b", item.prototype) is not None  # a weak definition must be public
        self.text.out.append(_function_names(f) + ("" if weak else _ours("static\n")))
        self.text.emit(item, patched)
        self.text.out.append(_function_names())
        draft.slots.append((names.slot(f), f"&{impl}"))

    def declaration(self, item: Item) -> None:
        """The declarators of a declaration (its own types already defined)."""
        extern = "extern" in item.storage
        together = [d for d in item.declarators if d.shared_spec and not d.is_function]
        # `struct { ... } a, b;`: the globals it defines are defined in one declaration, as written:
        # their untagged type is one type, and what it defines inside (a tag, enumerators) is defined once
        self.sharing = [] if len(together) > 1 else None
        variables = self.draft.new.variables
        for d in item.declarators:
            if d.is_function and re.search(r"\bweak\b", d.decl_text):
                self.plain_extern(item, d)  # a weak reference: null unless something defines it, as in C
            elif d.is_function or self.of_function_type(d):
                self.declare_function(item, d)
            elif extern and d.init is not None:
                self.declare_variable(item, d)  # `extern int x = 5;` defines x, as in a file
            elif extern and d.name in variables:
                # the program's global declared again: gcc judges it against the definition
                # (`extern double counter;` after `int counter = 5;` conflicts, as in one file)
                self.text.emit(item, f"extern {bind(d.decl_text, variables[d.name].symbol)}{d.attributes};")
            elif extern and (d.incomplete_array or self.is_library_data(d.name)):
                # `extern char **environ;`, or `extern int b[];` completed by a later definition
                self.plain_extern(item, d)
            elif extern:
                self.draft.record.storage.add(d.end)
                self.declare_variable(item, replace(d, init=None))
            else:
                self.declare_variable(item, d)
        defined, self.sharing = self.sharing, None
        if defined:
            spec = defined[0][0].shared_spec
            parts = [defined[0][1]] + [text[len(spec) :] for _, text in defined[1:]]
            self.text.emit(item, ",".join(parts) + ";")

    def define_global(self, item: Item, d, text: str) -> None:
        """Emit the definition `text` (without its `;`) of global `d`, or keep it
        for the one declaration of `item`'s globals of an untagged type."""
        if self.sharing is not None and d.shared_spec and text.startswith(d.shared_spec):
            self.sharing.append((d, text))
        else:
            self.text.emit(item, text + ";")

    def plain_extern(self, item: Item, d) -> None:
        """An extern declaration kept as written, under the name itself: later
        cells see it too."""
        text = f"extern {d.decl_text}{d.attributes};"
        self.text.emit(item, text)
        declaration = Definition("declaration", [("extern", d.name)], text, set(), 0, self.draft.label, item.line)
        self.draft.new.define(declaration)

    def of_function_type(self, d) -> bool:
        """`handler_fn f;` where `typedef int handler_fn(int);`, or
        `extern __typeof__(f) f;` where f is a function: a function."""
        text = d.decl_text.strip()
        if not text.endswith(d.name):  # (one pattern for every name: none compiled per cell)
            return False
        m = _TYPE_BEFORE_NAME.fullmatch(text, 0, len(text) - len(d.name))
        return m is not None and self.function_type(m.group(1))

    def function_type(self, spec: str) -> bool:
        """Whether the type `spec` (a typedef name, or `typeof` of a name) is a function type."""
        m = re.fullmatch(r"\w+\s*\(\s*(\w+)\s*\)", spec.strip())
        name = m.group(1) if m else spec.strip()
        if self.draft.new.find(("functype", name)) is not None:
            return True
        return m is not None and (name in self.draft.new.functions or name in self.draft.defined_here)

    def declare_function(self, item: Item, d) -> None:
        draft = self.draft
        old = draft.new.functions.get(d.name)
        if old is None:
            fn = Function(
                d.name,
                d.decl_text,
                d.signature,
                draft.label,
                item.line,
                False,
                item.doc,
                name_pos=self.text.name_pos(d.name_start),
                name_at=d.name_at,
            )
            draft.new.functions[d.name] = fn
            draft.trampoline(d.name)
            self.text.emit(item, fn.declaration())
        else:
            self.text.emit(item, bind(d.decl_text, names.trampoline(d.name)) + ";")

    def declare_variable(self, item: Item, d) -> None:
        """A global: defined under its own symbol, or, redeclared with the same
        type, the existing object re-initialized.  An `extern` one nothing
        defines yet comes without its initializer: it gets its (zero) storage
        now, and the definition that follows re-initializes it, as one object in C."""
        draft = self.draft
        type_key = normalize(d.decl_text.replace(d.name, "@", 1)) if d.name in d.decl_text else d.decl_text
        old = draft.new.variables.get(d.name)
        same = old is not None and not draft.uses_redefined(d.decl_text)
        if same and old is not None and d.incomplete_array:  # `extern int a[10];` then `int a[] = {1, 2};`: composite
            same = _without_dimensions(old.type_key) == _without_dimensions(type_key)
        elif same and old is not None:
            same = old.type_key == type_key
        if same:
            if d.init is not None:  # `int x;` again is a tentative definition: it changes nothing
                draft.record.reinit.add(d.end)
                self.reinit(item, d)
            else:
                draft.record.tentative.add(d.end)
            return
        symbol = names.variable(d.name, draft.n)
        if draft.new.remove(("extern", d.name)):
            draft.exclude_keys.add(("extern", d.name))  # this definition completes it
        if old is not None:
            draft.exclude_variables.add(d.name)
            users = sorted(old.users)
            if users:
                draft.warnings.append(
                    f"warning: {d.name} is now '{d.decl_text.strip()}'; functions compiled before still use "
                    f"the old '{old.decl.strip()}': {', '.join(users)}"
                )
        var = Variable(
            d.name,
            d.decl_text + d.attributes,
            type_key,
            symbol,
            draft.label,
            item.line,
            name_pos=self.text.name_pos(d.name_start),
            name_at=d.name_at,
            spec=d.shared_spec,
            group=(f"{draft.n}:{item.start}", d.end) if d.shared_spec else ("", 0),
            defines=d.spec_defines,
        )
        draft.new.variables[d.name] = var
        if "[" in d.decl_text:
            self.arrays.append(d.name)
        head = bind(d.decl_text, symbol) + d.attributes + _writable(symbol, d)
        if d.init is None:
            self.define_global(item, d, head)
        elif self.static_init(d):
            self.define_global(item, d, f"{head} ={self.text.at(d.init_start)}{d.init}")
        else:
            self.define_global(item, d, head)
            self.reinit(item, d)

    def static_init(self, d) -> bool:
        """Whether a global's initializer is compiled as a static initializer
        (as in a C file: compound literals then have static storage).  gcc
        says when it is not constant, and the compile stage retries that
        initializer at run time; a call of a notebook function is known not to be."""
        runtime_init = self.draft.opt.runtime_init
        if runtime_init is True or d.init_start in runtime_init:
            return False
        calls = set(re.findall(r"\b([A-Za-z_]\w*+)\s*+\(", d.init))
        return d.incomplete_array or not calls & (self.draft.new.functions.keys() | self.draft.defined_here)

    def reinit(self, item: Item, d) -> None:
        """Store a global's initializer at run time, where the cell has it."""
        name = d.name
        storage = "static " if self.static_init(d) else ""
        self.draft.record.runtime[d.end] = bool(storage)
        body = (
            f"{{ {storage}__typeof__({name}) {names.INIT} ={self.text.at(d.init_start)}{d.init}; "
            f"__builtin_memcpy((void *)&{name}, &{names.INIT}, sizeof {name}); }}"
        )
        self.text.piece(item, body)


class _Migration:
    """Globals of the types a cell redefines (migrate.py decides how each
    moves): a new object of the new type with their members copied at the
    start of the run function, or their old type kept under private names."""

    def __init__(self, draft: _Draft, text: _Emitter):
        self.draft = draft
        self.text = text
        self.migrating: list[Variable] = []  # old globals whose type the cell redefines
        self.changed: set[str] = set()  # the types whose layout changed

    def run(self, types_end: int) -> None:
        """Globals of a changed type leave the prelude; their code goes at
        `types_end`, after the cell's last redefinition of a type, which it
        needs.  Prototypes naming a changed type leave the prelude too: they
        would come before its new definition."""
        draft, old = self.draft, self.draft.old
        redefined = {f"{k} {n}" if k != "typedef" else n for k, n in draft.exclude_keys if k != "extern"}
        self.changed = changed = closure(old.definitions, redefined)
        mapping = {name: names.old_type(name, draft.n) for name in changed}
        olds = [d for d in old.sorted_definitions() if d.provides() & changed and d.kind in ("type", "typedef")]
        old_types = [self.renamed(d, mapping, old) for d in olds]
        out: list[str] = []  # goes after the cell's new definitions
        # Types built on a redefined one (`struct box { struct pt corner; }`) follow
        # the new definition: they come after the cell's items, not in the prelude.
        late = after_redefinition(old.definitions, redefined, changed)
        for d in [d for d in olds if d.provides() & late]:
            draft.exclude_keys |= set(d.keys)
            out.append(d.render())
            draft.extra_uses |= d.needs()
        stale: dict[str, str] = {}  # function -> its cell, compiled with an old layout
        emitted = False
        together: dict[str, int] = {}  # `struct { ... } a, b;`: where in `out` their one new definition is
        for old_v in list(old.variables.values()):
            v = draft.new.variables.get(old_v.name)  # the same, or with macros the cell changes frozen
            if v is None or v.label == draft.label or not involved(v.decl, changed):
                continue  # redeclared by the cell itself, or not concerned
            draft.exclude_variables.add(v.name)
            draft.extra_uses |= v.uses
            plan = None if draft.opt.migrations is None else draft.opt.migrations.get(v.name)
            if plan is None or not plan.unsafe:
                self.migrating.append(v)
                symbol = names.variable(v.name, draft.n)
                draft.new.variables[v.name] = replace(v, symbol=symbol, users=set(), kept="")
                text = bind(v.decl, symbol)
                group = v.group[0] if v.spec and v.decl.startswith(v.spec) else ""
                if group in together:  # one type: defined with the others of its declaration
                    out[together[group]] = f"{out[together[group]][:-2]},{text[len(v.spec) :]};\n"
                else:
                    if group:
                        together[group] = len(out)
                    out.append(f"{names.GENERATED_LINE}{text};\n")
                stale.update((f, old.functions[f].label) for f in v.users if f in old.functions)
            if plan is None:
                continue
            if not emitted:
                out.append(names.GENERATED_LINE + "".join(d.text + "\n" for d in old_types))
                emitted = True
            old_decl = rename(v.decl, types=mapping)
            if plan.unsafe:
                types = ", ".join(sorted(n for n in identifiers(v.decl) & changed))
                why = f"{v.name} keeps the old layout of {types}, which {draft.label} redefined: {plan.unsafe}"
                kept = replace(v, decl=old_decl, type_key=rename(v.type_key, types=mapping), kept=why, name_pos=None)
                draft.new.variables[v.name] = kept
                out.append(f"{names.GENERATED_LINE}{kept.declaration()}\n")
                draft.warnings.append(f"warning: {why}; it was not migrated, and later cells see it with its old type")
                continue
            source = re.sub(rf"\b{v.name}\b(?!.*\b{v.name}\b)", names.source(v.name), old_decl, count=1, flags=re.S)
            out.append(f"{names.GENERATED_LINE}extern {bind(source, v.symbol)};\n")
            self.text.body.insert(0, names.GENERATED_LINE + " ".join(plan.statements) + "\n")
            draft.record.migrated[v.name] = plan.statements
            draft.warnings.append(f"note: {v.name} was migrated to its new type: {plan.summary()}")
        self.text.out[types_end:types_end] = out
        if any(v.kept for v in draft.new.variables.values() if v.name in draft.exclude_variables):
            for d in old_types:
                draft.new.define(d)
        for f in old.functions.values():
            if f.names & changed and f.name not in draft.defined_here:
                stale[f.name] = f.label
        if stale and (draft.opt.migrations is not None or not self.migrating):
            shown = ", ".join(f"{f} ({label})" for f, label in sorted(stale.items(), key=lambda p: _cell_order(p[1])))
            kinds = ", ".join(sorted(changed & redefined))
            draft.warnings.append(f"warning: functions compiled before still use the old layout of {kinds}: {shown}")
        draft.exclude_functions |= {f.name for f in old.functions.values() if involved(f.prototype, changed)}

    def renamed(self, d: Definition, mapping: dict[str, str], program: Program) -> Definition:
        """Definition `d` of `program` under the private names of `mapping`
        (its old layout, with the macros it expanded as they were)."""

        def old(used: set[str]) -> set[str]:
            return {mapping.get(n, n) for n in used}

        n = self.draft.n
        keys = [(kind, names.old_type(name, n).split(" ")[-1]) for kind, name in d.keys]
        text = program.as_it_stood(d, rename(d.text, types=mapping, enumerator_prefix=names.old_type("", n)))
        return Definition(d.kind, keys, text, old(d.uses), 0, d.label, d.line, old(d.refs), old(d.whole))


class Generator:
    """One cell's unit: each item to its handler, in order, then the prelude,
    the run function, the trampolines and the entry table after them."""

    def __init__(
        self, program: Program, cell: ParsedCell, number: int, label: str, options: Options, is_library_data=None
    ):
        self.cell = cell
        self.draft = _Draft(program, cell, number, label, options)
        self.text = _Emitter(cell, label)
        self.declarations = _Declarations(self.draft, self.text, is_library_data)
        self.migration = _Migration(self.draft, self.text)
        self.value_symbol: str | None = None
        self.types_end = 0  # where in the text's `out` the cell's last redefinition of a type ends

    def run(self) -> Unit:
        for item in self.cell.items:
            getattr(self, "item_" + item.kind)(item)
        return self.finish()

    # -- items --------------------------------------------------------------
    def item_include(self, item: Item) -> None:
        self.text.emit(item, item.text.rstrip("\n"), 0)
        if self.draft.new.find(item.keys[0]) is not None:  # read again: it may define its macros anew
            self.text.replay(item)
        self.draft.new.include(self.draft.made(item))

    def item_define(self, item: Item) -> None:
        if item.name in self.draft.new.macros():
            self.text.out.append(f"#undef {item.name}\n")
        self.text.emit(item, item.text.rstrip("\n"), 0)
        self.text.replay(item)
        self.draft.definition(item)

    def item_undef(self, item: Item) -> None:
        self.text.emit(item, item.text.rstrip("\n"), 0)
        self.text.replay(item)
        self.draft.new.undefine(item.name, self.draft.made(item, "directive"), self.draft.outside_macros.get(item.name))

    def item_directive(self, item: Item) -> None:
        m = _USER_LINE.match(item.text)
        if m:  # it renumbers the cell's lines below it, as in a file (every item gets its #line)
            self.text.user_lines.append((item.line, int(m.group(1)), m.group(2) or ""))
            return
        self.text.emit(item, item.text.rstrip("\n"), 0)
        self.draft.new.directive(self.draft.made(item))

    def item_type(self, item: Item) -> None:
        olds = [self.draft.new.find(key) for key in item.keys]
        if olds and all(
            d is not None and normalize(d.text) == normalize(item.text) and self.draft.new.expands_as_now(d)
            for d in olds
        ):
            self.draft.record.skipped.add(item.start)
            return  # re-running the same definition: the prelude has it already
        self.text.emit(item, item.text)
        self.draft.definition(item)
        if any(key in self.draft.exclude_keys for key in item.keys):
            self.types_end = len(self.text.out)  # the migration code goes after the last redefinition

    def item_typedef(self, item: Item) -> None:
        """A typedef; `typedef __typeof__(f) f_t;` of a function names a
        function type as `typedef int f_t(void);` does (`f_t g;` declares a function)."""
        m = _PLAIN_TYPEDEF.fullmatch(normalize(item.text))
        if m and ("functype", m.group(2)) not in item.keys and self.declarations.function_type(m.group(1)):
            item = replace(item, keys=[*item.keys, ("functype", m.group(2))])
        self.item_type(item)

    def item_verbatim(self, item: Item) -> None:
        self.text.emit(item, item.text)

    item_asm = item_verbatim  # a top-level __asm__("..."): file scope, as written

    def item_inline(self, item: Item) -> None:
        """An `always_inline` function: no trampoline can stand between it and
        its callers, so its text goes into the unit of every cell that uses it."""
        self.text.emit(item, item.text)
        self.draft.definition(item)

    def item_statement(self, item: Item) -> None:
        # `_Static_assert` is a declaration: after it, gcc would not warn of a
        # declaration among the statements (`misread_items`) without a statement between
        self.text.piece(item, item.text + ("\n;" if _STATIC_ASSERT.match(item.text) else ""))

    def item_value(self, item: Item) -> None:
        """`names.value(N)` holds the trailing expression's value after the run.

        The expression always starts on its own line at its own column, so
        gcc's diagnostics point where the user typed it; the code around it is
        ours (a `#line 0` before a first line would be out of range for -pedantic)."""
        before = names.GENERATED_LINE
        expr = "\n" + self.text.line(item.line, item.col) + item.text
        mode = self.draft.opt.value_mode
        if mode == "none":
            self.text.add_piece(f"{before}(void)({expr});")
            return
        self.value_symbol = value = names.value(self.draft.n)  # one C name per cell: cells may share a unit (batch.py)
        if "({" in item.text or mode == "local":
            # a statement expression has no type outside a function: the value
            # is a static of the run function, its symbol made global for the kernel
            self.text.out.append(f'__asm__(".globl {self.value_symbol}");\n')
            static = _ours("static\n")
            self.text.add_piece(
                f'{before}{{\n{static}__typeof__(({expr})) {value} __asm__("{self.value_symbol}") '
                f'__attribute__((__unused__, __section__(".bss.cellc.{self.value_symbol}"))); '
                f"{value} = ({expr}); }}"
            )
            return
        if mode == "rvalue":  # drops const, turns a function into a pointer
            typeof = f"__typeof__(((void)0, ({expr})))"
        else:
            typeof = f"__typeof__(({expr}))"
        # writable even when the expression is const (the value is stored into it)
        section = f'__attribute__((__section__(".bss.cellc.{self.value_symbol}")))'
        self.text.out.append(f'{before}{typeof} {value} __asm__("{self.value_symbol}") {section};\n')
        if mode == "memcpy":
            self.text.add_piece(f"{before}__builtin_memcpy(&{value}, &({expr}), sizeof {value});")
        else:
            self.text.add_piece(f"{before}{value} = ({expr});")

    def item_function(self, item: Item) -> None:
        if item.split_type is not None:
            self.item_type(item.split_type)
        self.declarations.function(item)

    def item_declaration(self, item: Item) -> None:
        for t in item.own_types():
            self.item_type(t)
        self.declarations.declaration(item)

    # -- the unit -----------------------------------------------------------
    def asm_definitions(self) -> list[str]:
        """What the cell's assembly defines, for later cells as in one file:
        a label in code is the definition of the function of that name (its
        trampoline's slot gets the label's address, through a local alias);
        a local label of data is made global, so later cells' `extern`s find it."""
        draft = self.draft
        out = []
        for name, (code, local) in sorted((draft.opt.asm_labels or {}).items()):
            if not code:
                if local:
                    out.append(f'__asm__(".globl {name}");\n')
                continue
            alias = names.asm_label(name)
            out.append(f'__asm__(".set {alias}, {name}");\n')
            out.append(f'extern char {alias}[] __attribute__((visibility("hidden")));\n')
            draft.trampoline(name)
            if name not in draft.defines:
                draft.defines.append(name)
            draft.slots.append((names.slot(name), alias))
            old = draft.new.functions.get(name)
            if old is not None:
                draft.new.functions[name] = replace(old, defined=True)
        return [names.GENERATED_LINE, *out] if out else []

    def finish(self) -> Unit:
        draft, text = self.draft, self.text
        if draft.redefined_names():
            self.migration.run(self.types_end)  # globals of a changed type (it leaves them out of the prelude)
        if any(draft.old.variables[name].kept for name in self.cell.uses & draft.old.variables.keys()):
            # a global with an old layout: passing its address as the new type must not compile
            text.out.insert(0, '#pragma GCC diagnostic error "-Wincompatible-pointer-types"\n')
        header, rest = draft.old.prelude(
            draft.exclude_keys,
            draft.exclude_functions,
            draft.exclude_variables,
            uses=None if draft.opt.full_prelude else self.cell.uses | draft.extra_uses,
            known=self.cell.declared,
            shared=draft.opt.shared,
        )
        labels = self.asm_definitions()
        slots = "".join(f"extern void *{names.slot(f)};\n" for f in draft.defines)
        body = [rest, _ours(f"void *{names.LAZY}(void);\n{slots}"), text.saved_macros()]
        body.extend(text.out)
        body.extend(labels)
        if draft.new_trampolines:
            body.append(names.GENERATED_LINE + "__asm__(\n")
            for name in draft.new_trampolines:
                body.append(c_string_asm(trampoline_asm(name)))
            body.append(");\n")
        run = names.run(draft.n)
        if text.body:
            body.append(text.run_function(run))
        entry = names.entry(draft.n)
        body.append(names.GENERATED_LINE + _ours(_entry_table(entry, draft.slots, run if text.body else None)))
        draft.new.cells += 1
        draft.new.records.append(draft.record)
        return Unit(
            draft.n,
            draft.label,
            header,
            "".join(body),
            entry,
            draft.new,
            self.value_symbol,
            draft.defines,
            self.declarations.arrays,
            draft.warnings,
            self.migration.migrating,
            self.migration.changed,
        )


def _entry_table(entry: str, slots: list[tuple[str, str]], run: str | None) -> str:
    """The cell's entry table: data, not a function, so gcc compiles no
    code for it; the executor stores each address into its slot, then calls
    the run function (`run SO ENTRY`), or only stores (`define SO ENTRY`).
    `__const__`: the user may `#define const`."""
    pairs = "".join(f"  (void *)&{slot}, __extension__ (void *){value},\n" for slot, value in slots)
    last = f"__extension__ (void *){run}" if run else "0"
    return f'__attribute__((__visibility__("default"))) void *__const__ {entry}[] = {{\n{pairs}  0, {last}\n}};\n'


def misread_items(cell: ParsedCell, places: set[tuple[int, int]]) -> list[Item]:
    """The items of a cell gcc compiled that the split read otherwise than
    gcc: statements gcc reads as declarations (at `places`, (line, 1-based
    column) of its warnings of declarations after statements in the run
    function: `compile.declarations_among_statements`), and declarations
    tree-sitter could not read (`verbatim`), which gcc took.  What they
    declare would reach no later cell."""
    return [
        item
        for item in cell.items
        if item.unsupported
        or item.kind == "verbatim"
        or item.kind == "statement"
        and (item.line, item.col + 1) in places
        and not _STATIC_ASSERT.match(item.text)  # a declaration that declares nothing
    ]


def generate(
    program: Program, cell: ParsedCell, number: int, label: str, options: Options | None = None, is_library_data=None
) -> Unit:
    """The translation unit of a cell and the model it leads to.  `is_library_data(name)`
    says whether a loaded library defines data `name` (for `extern` declarations)."""
    return Generator(program, cell, number, label, options or Options(), is_library_data).run()
