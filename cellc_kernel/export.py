"""The notebook's program as one C file that gcc builds without cellc.

The kernel keeps, in the program model, a record of every step that
succeeded, in the order it ran (`Program.records`): each cell as parsed, with
the decisions the generator took (which globals were initialized at run
time, which definitions repeated an earlier one, which globals moved to a
redefined type), and the `%%file`, `%env` and `%lib` steps.  `%undo` and
`%reset` restore an earlier model, so the records are always what the kernel
holds.  From them this module writes one translation unit:

- the cells' items at file scope, in order, as the user wrote them;
- `main`, holding the top-level statements in order (with the `#define`s
  and `#undef`s between them replayed, so each statement sees the macros of
  its place), the initializers that ran at run time, the trailing values
  (evaluated, for their effects), and the files and variables of `%%file`
  and `%env`.

Redefinition keeps its notebook meaning:

- a function defined again with the same prototype: each body becomes
  `static NAME_defK`, and `NAME` itself forwards to a function pointer
  `NAME_ptr` that `main` sets where the cell redefined it; so every caller,
  old or new, and every pointer taken earlier, reaches the newest body, as
  the trampolines do;
- a global, type, typedef or enumerator defined anew (a new type, a new
  prototype, a redefined struct): the older versions are renamed `NAME_vK`
  in the text that came before the new one, as the kernel compiled that text
  against the old one; globals migrated to a redefined type get their new
  object there, and `main` copies their members.

With nothing redefined, the file is plain C with no indirection.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from . import names
from .ctext import c_string
from .generate import CellRecord
from .model import Program
from .parse import (
    Item,
    declarator_name,
    identifiers,
    node_text,
    parse_tree,
    rename,
    replace_ranges,
    required_field,
    statements_tree,
)

INCLUDE_DIR = Path(__file__).parent / "include"


@dataclass
class FileRecord:
    """A `%%file` cell: the program writes the file at that point."""

    label: str
    path: str
    text: str
    append: bool = False


@dataclass
class EnvRecord:
    """`%env NAME=VALUE` (value None: `%env -u NAME`)."""

    label: str
    name: str
    value: str | None


@dataclass
class LibRecord:
    """`%lib SPEC`: the program is linked with it."""

    label: str
    spec: str


@dataclass
class ResetRecord:
    """The program started again (`%reset`, a restart): later cells begin a new one."""


@dataclass
class NoteRecord:
    """A comment in the program: a magic with no meaning there (`%whos`, `%timeit`), a cell that failed."""

    label: str
    text: str


def failed_cell_note(label: str, source: str, ename: str) -> NoteRecord | None:
    """A cell that failed, as a comment where it ran in the exported program."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if not first:
        return None
    shown = first if len(first) <= 60 else first[:57] + "..."
    return NoteRecord(label, f"{shown}  -- failed ({ename}), left out")


@dataclass
class Exported:
    source: str  # the C file
    command: list[str]  # how to build it
    files: dict[str, str] = field(default_factory=dict)  # headers it includes, to write next to it
    cells: int = 0  # how many cells it holds


Pos = tuple[int, int]  # (record, item): where in the program a text stands


@dataclass
class _Versions:
    """The successive C names of one redefined name (the newest keeps it)."""

    starts: list[Pos] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def at(self, pos: Pos) -> str:
        i = 0
        while i + 1 < len(self.starts) and self.starts[i + 1] <= pos:
            i += 1
        return self.names[i]


@dataclass
class _Body:
    """A function body, under the name the export gives it."""

    pos: Pos
    item: Item
    name: str  # the name it is defined under


class _Names:
    """The C names of an export: every version of a name the notebook defined
    more than once, the bodies of functions redefined with the same prototype,
    and fresh names for what the export adds (none clashes with the notebook's)."""

    def __init__(self, records: list):
        self.records = records
        self.cells = [(i, r) for i, r in enumerate(records) if isinstance(r, CellRecord)]
        taken = set()
        for _, r in self.cells:
            taken |= r.cell.uses | r.cell.declared
        self.taken = taken
        self.values: dict[str, _Versions] = {}  # ordinary names: globals, functions, enumerators
        self.types: dict[str, _Versions] = {}  # "struct pt", typedef names
        self.bodies: dict[str, list[_Body]] = {}  # function C name -> its definitions
        self.forward: dict[str, tuple[str, str]] = {}  # function C name -> (its pointer, the stub's call)
        self.reemit: dict[Pos, list[str]] = {}  # type definitions that follow a redefined one
        self.migrated_at: dict[Pos, list[tuple[str, str]]] = {}  # new objects of migrated globals: (name, decl)
        self.notes: list[str] = []
        self.loops: list[str] = []  # index names of the loops that copy migrated arrays
        self.helpers: dict[str, str] = {}  # helper functions of the export -> their names
        self.labels: dict[int, dict[str, str]] = {}  # record -> its labels that an earlier cell has too
        self.cell_ends: dict[int, str] = {}  # record -> the label its top-level `return`s go to

    # -- names ----------------------------------------------------------------
    def fresh(self, name: str) -> str:
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name

    def helper(self, name: str) -> str:
        """The name of a helper function the export defines (unused by the notebook)."""
        if name not in self.helpers:
            self.helpers[name] = self.fresh(name)
        return self.helpers[name]

    def loop_name(self, depth: int) -> str:
        """The name of a copying loop's index (one per nesting depth)."""
        while len(self.loops) <= depth:
            self.loops.append(self.fresh("i" if not self.loops else f"i{len(self.loops)}"))
        return self.loops[depth]

    def rename_map(self, pos: Pos) -> tuple[dict[str, str], dict[str, str]]:
        values = {n: v.at(pos) for n, v in self.values.items() if v.at(pos) != n}
        types = {n: v.at(pos) for n, v in self.types.items() if v.at(pos) != n}
        return values, types

    def renamed(self, text: str, pos: Pos, statement: bool = False) -> str:
        values, types = self.rename_map(pos)
        labels = self.labels.get(pos[0], {}) if statement else {}
        if not (identifiers(text) & (values.keys() | types.keys() | labels.keys())):
            return text
        return rename(text, values, types, statement, labels)

    # -- analysis -------------------------------------------------------------
    def analyse(self) -> None:
        """Find what is defined more than once, and how each is exported."""
        globals_seen: set[str] = set()
        signatures: dict[str, str] = {}  # function -> signature of its latest definition
        type_texts: dict[str, tuple[str, set[str]]] = {}  # type name -> (latest definition text, names used)
        value_starts: dict[str, list[Pos]] = {}
        type_starts: dict[str, list[Pos]] = {}
        # function -> its definitions, one list per run of the same prototype
        definitions: dict[str, list[list[tuple[Pos, Item]]]] = {}
        self.decls: dict[str, str] = {}  # global -> "storage decl_text" of its latest definition

        def start(table: dict[str, list[Pos]], name: str, pos: Pos) -> None:
            table.setdefault(name, [])
            if pos not in table[name]:
                table[name].append(pos)

        for ri, r in self.cells:
            last_type = -1
            for ii, it in enumerate(r.cell.items):
                if it.kind in ("type", "typedef") and it.start not in r.skipped:
                    last_type = ii
            for ii, it in enumerate(r.cell.items):
                pos = (ri, ii)
                types_here = [it] if it.kind in ("type", "typedef") else []
                types_here.extend(it.own_types())
                for t in types_here:
                    if t.start in r.skipped:
                        continue
                    for key in _type_names(t):
                        if key in type_texts:
                            start(type_starts, key, pos)
                            for e in _enumerators(t.text):
                                start(value_starts, e, pos)
                        type_texts[key] = (t.text, identifiers(t.text) - {key})
                    changed = set(_type_names(t))
                    if changed & type_starts.keys():
                        self.follow(type_texts, changed, pos, type_starts, start)
                if it.kind == "function":
                    runs = definitions.setdefault(it.name, [[]])
                    old = signatures.get(it.name)
                    if old is not None and old != it.signature:
                        start(value_starts, it.name, pos)
                        runs.append([])
                    signatures[it.name] = it.signature
                    runs[-1].append((pos, it))
                elif it.kind == "declaration":
                    for d in it.declarators:
                        if d.is_function or d.end in r.reinit or d.end in r.tentative:
                            continue
                        if "extern" in it.storage and d.end not in r.storage:
                            continue
                        if d.name in globals_seen:
                            start(value_starts, d.name, pos)
                        globals_seen.add(d.name)
                        self.decls[d.name] = _storage(it) + d.decl_text + d.attributes
                if ii == last_type:
                    moved = []
                    for name in r.migrated:
                        start(value_starts, name, pos)
                        moved.append((name, self.decls.get(name, "")))
                    if moved:
                        self.migrated_at[pos] = moved
        if "main" in signatures or "main" in globals_seen:
            start(value_starts, "main", (len(self.records), 0))  # ours, after all of theirs
        runs = [run for name_runs in definitions.values() for run in name_runs if len(run) > 1]
        for run in runs:
            (_, first), *later = run
            if _forwarding(first, "p") is None:
                self.notes.append(
                    f"{first.name} is defined {len(run)} times but its calls cannot be forwarded (its parameters "
                    "are variadic or unnamed): a call reaches the body that was current where it was compiled"
                )
                for pos, _ in later:
                    start(value_starts, first.name, pos)
        value_starts = {name: sorted(starts) for name, starts in value_starts.items()}
        for table, out in ((value_starts, self.values), (type_starts, self.types)):
            for name, starts in table.items():
                starts = [(-1, -1), *starts]
                k = len(starts)
                cnames = [self.fresh(f"{name.split(' ')[-1]}_v{i + 1}") for i in range(k - 1)] + [name]
                if name.startswith(("struct ", "union ", "enum ")):
                    kind = name.split(" ")[0]
                    cnames = [f"{kind} {n}" if not n.startswith(kind + " ") else n for n in cnames]
                out[name] = _Versions(starts, cnames)
        if "main" in self.values:
            self.values["main"].names[0] = self.fresh("notebook_main")
        for run in runs:
            pos0, first = run[0]
            cname = self.values[first.name].at(pos0) if first.name in self.values else first.name
            if cname != (self.values[first.name].at(run[-1][0]) if first.name in self.values else first.name):
                continue  # not forwarded: each body has a name of its own
            pointer = self.fresh(f"{cname}_ptr")
            call = _forwarding(first, pointer)
            assert call is not None  # a run whose calls cannot be forwarded got a name per body (above)
            self.forward[cname] = (pointer, call)
            self.bodies[cname] = [_Body(pos, it, self.fresh(f"{cname}_def{n}")) for n, (pos, it) in enumerate(run, 1)]

    def follow(self, type_texts, changed: set[str], pos: Pos, type_starts, start) -> None:
        """Types built on a redefined one get a new version too, defined again
        after it (as the kernel does), and their enumerators with them."""
        grew = True
        while grew:
            grew = False
            for key, (text, uses) in list(type_texts.items()):
                if key in changed or not uses & changed:
                    continue
                changed.add(key)
                grew = True
                start(type_starts, key, pos)
                if text not in self.reemit.setdefault(pos, []):
                    self.reemit[pos].append(text)


class Exporter:
    """Writes the program as one C file, under the names `_Names` gives."""

    def __init__(self, records: list, name: str):
        self.name = name
        self.cnames = _Names(records)
        self.cnames.analyse()

    # -- output ---------------------------------------------------------------
    def render(self, cflags: list[str], libs: list[str]) -> Exported:
        top: list[str] = []
        main: list[str] = []
        macros: dict[str, str] = {}  # the file's macros as the items leave them
        files: dict[str, str] = {}
        included: set[str] = set()
        for _, r in self.cnames.cells:
            for it in r.cell.items:
                if it.kind == "include":
                    m = re.search(r'"([^"]+)"', it.text)
                    if m:
                        included.add(m.group(1))

        pending: list[tuple[dict[str, str], str]] = []  # main's code, with the macros of its place

        def statement(code: str) -> None:
            pending.append((dict(macros), code))

        seen_labels: set[str] = set()  # main is one function: each cell's labels must be its own
        for ri, r in self.cnames.cells:
            here = set().union(*(_labels(it.text) for it in r.cell.items if it.kind == "statement"))
            clash = here & seen_labels
            if clash:
                self.cnames.labels[ri] = {
                    name: self.cnames.fresh(f"{name}_{_plain(r.label)}") for name in sorted(clash)
                }
            seen_labels |= here
        slots: list[tuple[Pos, str]] = []
        for cname, bodies in self.cnames.bodies.items():
            for b in bodies[1:]:
                slots.append((b.pos, f"{self.cnames.forward[cname][0]} = {b.name};"))
        body_at = {
            (b.pos, b.item.start): (cname, b, bodies) for cname, bodies in self.cnames.bodies.items() for b in bodies
        }
        for ri, record in enumerate(self.cnames.records):
            if isinstance(record, FileRecord):
                mode = "a" if record.append else "w"
                statement(
                    f"/* {record.label}: %%file */\n{self.cnames.helper('write_file')}({c_string(record.path)}, "
                    f'{c_string(record.text, split_lines=True)}, "{mode}");',
                )
                if record.path in included:
                    files[record.path] = (files.get(record.path, "") if record.append else "") + record.text
                continue
            if isinstance(record, EnvRecord):
                if record.value is None:
                    statement(f"/* {record.label}: %env -u */\nunsetenv({c_string(record.name)});")
                else:
                    statement(
                        f"/* {record.label}: %env */\nsetenv({c_string(record.name)}, {c_string(record.value)}, 1);",
                    )
                continue
            if isinstance(record, ResetRecord):
                top.append("\n/* The program was reset here: what follows starts anew. */\n")
                top.extend(f"#undef {name}\n" for name in sorted(macros))
                macros.clear()
                continue
            if isinstance(record, NoteRecord):
                top.append(f"\n/* {record.label}: {record.text.replace('*/', '* /')} */\n")
                continue
            if not isinstance(record, CellRecord):
                continue
            top.append(f"\n/* {record.label} */\n")
            header_at = len(top)
            # as the executor runs a cell: its slots stored, then its migrations, then its statements
            for pos, code in slots:
                if pos[0] == ri:
                    statement(code)
            for mpos, moved in self.cnames.migrated_at.items():
                for name, _ in moved if mpos[0] == ri else ():
                    old, new = self.cnames.values[name].at((ri, -1)), self.cnames.values[name].at(mpos)
                    stmts = names.rename_loop_indices(" ".join(record.migrated[name]), self.cnames.loop_name)
                    text = rename(stmts, {names.source(name): old, name: new}, self.cnames.rename_map(mpos)[1], True)
                    statement(f"/* {name} moves to its redefined type */\n{text}")
            for ii, it in enumerate(record.cell.items):
                pos = (ri, ii)
                self.item(record, it, pos, top, statement, macros, body_at)
                for text in self.cnames.reemit.get(pos, []):
                    top.append(self.cnames.renamed(text, pos) + "\n")
                for _name, decl in self.cnames.migrated_at.get(pos, []):
                    top.append(self.cnames.renamed(decl, pos) + ";  /* its new type */\n")
            if ri in self.cnames.cell_ends:
                statement(f"{self.cnames.cell_ends[ri]}:;  /* where {record.label} returned to */")
            if len(top) == header_at:
                top.pop()  # the cell left nothing at file scope
        # main, with the macros each statement saw
        state = dict(macros)
        for wanted, code in pending:
            for name in sorted(_macros_used(code, state, wanted)):
                if state.get(name) != wanted.get(name):
                    main.append(f"#undef {name}\n")
                    if name in wanted:
                        main.append(wanted[name].rstrip("\n") + "\n")
                        state[name] = wanted[name]
                    else:
                        state.pop(name, None)
            main.append(code.rstrip("\n") + "\n")
        return self.assemble(top, main, files, cflags, libs)

    def item(self, record: CellRecord, it: Item, pos: Pos, top: list[str], statement, macros, body_at) -> None:
        kind = it.kind
        text = it.text.rstrip("\n")
        if record.magic == "%time" and names.PREFIX in text:  # %time's clock stamps
            timed = _TIMED.fullmatch(text.strip())
            if timed:  # the value, computed once between the stamps
                statement(f"(void)({self.cnames.renamed(timed.group(1), pos, statement=True)});  /* timed by %time */")
            return
        if kind == "include":
            if re.search(r"[<\"]cellc\.h[>\"]", text):
                top.append(_cellc_header())
            else:
                top.append(text + "\n")
        elif kind == "define":
            text = self.cnames.renamed(text, pos)
            if it.name in macros:
                top.append(f"#undef {it.name}\n")
            top.append(text + "\n")
            macros[it.name] = text
        elif kind == "undef":
            top.append(text + "\n")
            macros.pop(it.name, None)
        elif kind == "directive":
            if not re.match(r"\s*#\s*line\b", text):
                top.append(text + "\n")
        elif kind in ("type", "typedef"):
            if it.start not in record.skipped:
                top.append(self.cnames.renamed(text, pos) + "\n")
        elif kind in ("inline", "verbatim", "asm"):
            top.append(self.cnames.renamed(text, pos) + "\n")
        elif kind == "function":
            self.function(record, it, pos, top, body_at)
        elif kind == "declaration":
            self.declaration(record, it, pos, top, statement)
        elif kind == "statement":
            code = self.cnames.renamed(text, pos, statement=True)
            if re.search(r"\breturn\b", code):  # it ends the cell, not the program
                label = self.cnames.cell_ends.setdefault(pos[0], self.cnames.fresh(f"end_of_{_plain(record.label)}"))
                code = _returns_to(code, label)
            statement(code)
        elif kind == "value":
            expr = self.cnames.renamed(text.strip(), pos, statement=True)
            statement(f"(void)({expr});  /* the value {record.label} showed */")

    def function(self, record: CellRecord, it: Item, pos: Pos, top: list[str], body_at) -> None:
        text = it.text.rstrip("\n")
        if (
            it.name == "main"
            and re.match(r"\s*int\b", it.signature)
            and text.endswith("}")
            and not re.search(r"\breturn\b[^;{}]*;\s*\}\Z", text)
        ):
            text = text[:-1].rstrip() + "\n    return 0;\n}"  # reaching main's closing brace returns 0
        found = body_at.get((pos, it.start))
        s, e = (it.name_range[0] - it.start, it.name_range[1] - it.start)
        data = text.encode("utf-8", "surrogateescape")
        if found is not None:
            cname, body, bodies = found
            renamed = data[:s] + body.name.encode() + data[e:]
            code = self.cnames.renamed(renamed.decode("utf-8", "surrogateescape"), pos)
            static = "static" in it.storage
            proto = self.cnames.renamed(it.prototype.strip(), pos)  # under cname already: this is its first body
            if body is bodies[0]:
                storage = "static " if static else ""
                top.append(f"{storage}{proto};\n")
            top.append(_named(it.name, ("" if static else "static ") + code) + "\n")
            if body is bodies[0]:
                pointer, call = self.cnames.forward[cname]
                top.append(
                    f"static __typeof__({body.name}) *{pointer} = {body.name};  "
                    f"/* the body calls reach: {cname} is defined again below */\n"
                    f"{'static ' if static else ''}{proto} {{ {call} }}\n"
                )
            return
        code = self.cnames.renamed(text, pos)
        if "inline" in it.storage and not it.storage & {"static", "extern"}:
            code = "static " + code  # as the kernel compiles it: one definition, in this file
        if self.cnames.values.get(it.name) and self.cnames.values[it.name].at(pos) != it.name:
            code = _named(it.name, code)
        top.append(code + "\n")

    def declaration(self, record: CellRecord, it: Item, pos: Pos, top: list[str], statement) -> None:
        changes = [
            d
            for d in it.declarators
            if not d.is_function and (d.end in record.reinit or d.end in record.runtime or d.end in record.storage)
        ]
        if not changes:
            top.append(self.cnames.renamed(it.text.rstrip("\n"), pos) + "\n")
            return
        storage = _storage(it)
        for t in it.own_types():
            if t.start not in record.skipped:
                top.append(self.cnames.renamed(t.text.rstrip().rstrip(";"), pos) + ";\n")
        defined: list[tuple[str, str, str]] = []  # (storage, definition without `;`, comment), in order
        for d in it.declarators:
            head = storage + d.decl_text + d.attributes
            if d.is_function:
                top.append(self.cnames.renamed(head, pos) + ";\n")
            elif d.end in record.reinit:
                top.append(f"/* {d.name} is defined again: {record.label} re-initializes it */\n")
                store = _store(d, record.runtime.get(d.end, False), self.cnames.fresh(f"{d.name}_init"))
                statement(self.cnames.renamed(store, pos, statement=True))
            elif d.end in record.runtime:
                # main stores into it
                defined.append((storage, _unconst(d.decl_text) + d.attributes, "  /* initialized in main */"))
                store = _store(d, record.runtime[d.end], self.cnames.fresh(f"{d.name}_init"))
                statement(self.cnames.renamed(store, pos, statement=True))
            elif d.end in record.storage:
                defined.append(("", d.decl_text + d.attributes, ""))
            else:
                init = f" = {d.init}" if d.init is not None else ""
                defined.append((storage, d.decl_text + d.attributes + init, ""))
        spec = next((d.shared_spec for d in it.declarators if d.shared_spec), "")
        together = _one_declaration(spec, defined) if spec and len(defined) > 1 else None
        if together is not None:  # `struct { ... } a, b;`: one type, defined once (as the kernel did)
            defined = [together]
        for words, text, comment in defined:
            top.append(self.cnames.renamed(words + text, pos) + f";{comment}\n")

    def assemble(self, top, main, files, cflags, libs) -> Exported:
        command = ["gcc", *cflags, "-o", self.name, f"{self.name}.c", *libs, "-lm"]
        head = [
            f"/* {self.name}.c: exported by cellc from the cells that ran, in the order they ran.\n",
            f"   Build and run:  {shlex.join(command)} && ./{self.name}\n",
        ]
        for note in self.cnames.notes:
            head.append(f"   Note: {note}.\n")
        head.append("*/\n")
        prelude = []
        if "write_file" in self.cnames.helpers:
            write_file = self.cnames.helper("write_file")
            prelude.append(
                "\n#include <stdio.h>\n/* what a %%file cell wrote, written where it ran */\n"
                f"static void {write_file}(const char *path, const char *text, const char *mode) {{\n"
                "    FILE *f = fopen(path, mode);\n    if (f) { fputs(text, f); fclose(f); }\n}\n"
            )
        if any(isinstance(r, EnvRecord) for r in self.cnames.records):
            prelude.append(
                "\nint setenv(const char *name, const char *value, int overwrite);  /* <stdlib.h>, POSIX */\n"
                "int unsetenv(const char *name);\n"
            )
        body = "".join(
            "    " + line if line.strip() and not line.startswith("#") else line
            for line in "".join(main).splitlines(keepends=True)
        )
        out = "".join(head) + "".join(prelude) + "".join(top).rstrip("\n") + "\n\n"
        out += "int main(void) {\n" + body + "    return 0;\n}\n"
        return Exported(out, command, files, len(self.cnames.cells))


def export_program(program: Program, name: str, cflags: list[str], since_reset: bool = True) -> Exported:
    """The program `program` holds, as the C file `name`.c; with `since_reset`
    False, all that ran (what came before a `%reset` too: the notebook run top
    to bottom)."""
    records = program.records
    if since_reset:
        last = max((i for i, r in enumerate(records) if isinstance(r, ResetRecord)), default=-1)
        records = records[last + 1 :]
    libs = []
    for r in records:
        if isinstance(r, LibRecord):
            libs.append(r.spec if "/" in r.spec else "-l" + (r.spec[3:] if r.spec.startswith("lib") else r.spec))
    return Exporter(records, name).render(cflags, libs)


# -- text helpers ---------------------------------------------------------------
_TIMED = re.compile(rf"\{{ {names.TIMED_AS}\(.*?\) = \((.*)\); \}}", re.S)
_STORAGE_WORDS = ("static", "extern", "_Thread_local", "__thread", "register")


def _storage(it: Item) -> str:
    words = [w for w in _STORAGE_WORDS if w in it.storage]
    return " ".join(words) + " " if words else ""


def _type_names(t: Item) -> list[str]:
    out = []
    for kind, name in t.keys:
        if kind in ("struct", "union", "enum"):
            out.append(f"{kind} {name}")
        elif kind == "typedef":
            out.append(name)
    return out


def _enumerators(text: str) -> list[str]:
    out = []
    stack = [parse_tree(text.encode("utf-8", "surrogateescape")).root_node]
    while stack:
        n = stack.pop()
        if n.type == "enumerator":
            out.append(node_text(required_field(n, "name")).decode())
        stack.extend(n.children)
    return out


def _one_declaration(spec: str, defined: list[tuple[str, str, str]]) -> tuple[str, str, str] | None:
    """The definitions of globals of one untagged type `spec` (each
    `(storage, definition, comment)`) as one declaration, or None when they
    differ in storage or type.  A `const` type that main initializes is
    writable for all of them."""
    placeholder = " declared_name"
    bare = _unconst(spec + placeholder)
    bare = bare[: -len(placeholder)] if bare.endswith(placeholder) else spec
    if len({words for words, _, _ in defined}) != 1:
        return None
    rests, writable = [], False
    for _, text, _ in defined:
        if text.startswith(spec):
            rests.append(text[len(spec) :])
        elif text.startswith(bare):
            rests.append(text[len(bare) :])
            writable = True
        else:
            return None
    comment = next((c for _, _, c in defined if c), "")
    return defined[0][0], (bare if writable else spec) + ",".join(rests), comment


def _unconst(decl: str) -> str:
    """`decl` without the `const` that makes the object itself read-only
    (`const int k`, `char *const p`), so that `main` may initialize it."""
    data = decl.encode("utf-8", "surrogateescape")
    root = parse_tree(data + b";").root_node
    node = root.children[0] if root.children else None
    if node is None or node.type != "declaration":
        return decl
    declarator = node.child_by_field_name("declarator")
    while declarator is not None and declarator.type in ("array_declarator", "parenthesized_declarator"):
        inner = declarator.child_by_field_name("declarator") or (
            declarator.named_children[0] if declarator.named_children else None
        )
        if inner is None or inner.type not in ("array_declarator", "parenthesized_declarator", "pointer_declarator"):
            break
        declarator = inner
    holder = declarator if declarator is not None and declarator.type == "pointer_declarator" else node
    cut = [q for q in holder.children if q.type == "type_qualifier" and q.text == b"const"]
    for q in sorted(cut, key=lambda q: q.start_byte, reverse=True):
        data = data[: q.start_byte] + data[q.end_byte :].lstrip(b" ")
    return data.decode("utf-8", "surrogateescape")


_FUNCTION_NAMES = ("__func__", "__FUNCTION__", "__PRETTY_FUNCTION__")


def _named(name: str, code: str) -> str:
    """A function exported under another name, its `__func__` still `name`."""
    used = [m for m in _FUNCTION_NAMES if m in code]
    if not used:
        return code
    return (
        "".join(f'#define {m} "{name}"\n' for m in used) + code + "\n" + "".join(f"#undef {m}\n" for m in used)
    ).rstrip("\n")


def _labels(code: str) -> set[str]:
    """The labels top-level statements define."""
    out = set()
    stack = [statements_tree(code)[1]]
    while stack:
        n = stack.pop()
        if n.type == "labeled_statement":
            label = n.child_by_field_name("label")
            if label is not None:
                out.add(node_text(label).decode())
        stack.extend(n.children)
    return out


def _plain(label: str) -> str:
    """`In[3]` -> `In3`: a label as part of a C name."""
    return re.sub(r"\W", "", label) or "cell"


def _returns_to(code: str, label: str) -> str:
    """Top-level statements with each `return` replaced by a jump to `label`
    (the expression, if any, still evaluated)."""
    data, root, offset = statements_tree(code)
    edits = []
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "return_statement":
            value = next((c for c in n.named_children if c.type != "comment"), None)
            jump = f"goto {label};"
            if value is not None:
                jump = f"{{ (void)({node_text(value).decode('utf-8', 'surrogateescape')}); {jump} }}"
            edits.append((n.start_byte - offset, n.end_byte - offset, jump))
        stack.extend(n.children)
    return replace_ranges(code, edits)


def _macros_used(code: str, *states: dict[str, str]) -> set[str]:
    """The macros `code` may expand, through the bodies of macros it names."""
    seen: set[str] = set()
    todo = list(identifiers(code))
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for state in states:
            if name in state:
                todo.extend(identifiers(state[name]))
    return {name for name in seen if any(name in state for state in states)}


def _store(d, static: bool, temporary: str) -> str:
    """`d`'s initializer stored at run time, as the kernel does it."""
    init = d.init.strip()
    simple = not init.startswith("{") and "[" not in d.decl_text and not re.search(r"\bconst\b", d.decl_text)
    if simple:
        return f"{d.name} = {init};"
    storage = "static " if static else ""
    return (
        f"{{ {storage}__typeof__({d.name}) {temporary} = {init};\n"
        f"  __builtin_memcpy((void *)&{d.name}, &{temporary}, sizeof {d.name}); }}"
    )


def _forwarding(it: Item, cname: str) -> str | None:
    """`return NAME(a, b);` for a function's prototype, or None when its
    parameters cannot be passed on (variadic, unnamed)."""
    tree = parse_tree((it.prototype + ";").encode("utf-8", "surrogateescape"))
    stack = [tree.root_node]
    fdecl = None
    while stack:
        n = stack.pop()
        if n.type == "function_declarator":
            fdecl = n
            break
        stack.extend(n.children)
    plist = fdecl.child_by_field_name("parameters") if fdecl is not None else None
    if plist is None:
        return None
    params = []
    for p in plist.named_children:
        if p.type == "comment":
            continue
        if p.type != "parameter_declaration":
            return None  # `...`, K&R
        decl = p.child_by_field_name("declarator")
        if decl is None:
            if node_text(p).decode().strip() == "void" and len(plist.named_children) == 1:
                break
            return None
        name, _ = declarator_name(decl)
        if not name:
            return None
        params.append(name)
    m = re.search(rf"\b{re.escape(it.name)}\s*\(", it.prototype)
    head = it.prototype[: m.start()] if m else ""
    returns_void = re.fullmatch(r"(?:\s*\b(?:static|inline|extern|_Noreturn)\b)*\s*void\s*", head) is not None
    call = f"{cname}({', '.join(params)});"
    return call if returns_void else f"return {call}"


def _cellc_header() -> str:
    """cellc.h, inlined: its displays have nowhere to go in a program, so they do nothing."""
    text = (INCLUDE_DIR / "cellc.h").read_text()
    return (
        "/* <cellc.h>, inlined: rich output has no notebook to go to here, so it is dropped */\n"
        + text.rstrip("\n")
        + "\nvoid cellc_display(const char *mime, const void *data, size_t len)\n"
        + "{ (void)mime; (void)data; (void)len; }\n"
    )
