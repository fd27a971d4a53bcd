"""`%save FILE` / `%load FILE`: a live program (definitions and data) carried
into a fresh program, through real kernels.

The differential tests run each notebook of `persist_notebooks` once as the
reference, then, for every k, its first k cells, `%save`, `%reset -f`,
`%load` and the rest: the rest must print and show what it did in the
reference.  A few tests restart for real (a new kernel process).  One kernel
serves the tests that start with `%reset -f`; every reply any test sees is
checked for generated names."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Kernel, Reply
from persist_notebooks import NOTEBOOKS

_COUNTS = (
    r"(?P<globals>\d+) globals?, (?P<statics>\d+) statics?, (?P<blocks>\d+) heap blocks? \((?P<bytes>[\d,]+) bytes?\)\."
)
SAVED = re.compile(rf"^Saved (?P<file>.+): (?P<cells>\d+) cells?, {_COUNTS}$")
LOADED = re.compile(
    rf"^Loaded (?P<file>.+): (?P<cells>\d+) cells? defined \(their statements not run again\); restored {_COUNTS}$"
)
# NAME (TYPE): REASON, where TYPE may hold parentheses (`int (*)(int)`) and NAME too (a static's)
_SKIPPED = r"(?P<name>.+) \((?P<type>[^()]*(?:\([^()]*\)[^()]*)*)\): (?P<reason>.+)$"
NOT_SAVED = re.compile(rf"^Not saved: {_SKIPPED}")
NOT_RESTORED = re.compile(rf"^Not restored: {_SKIPPED}")
GENERATED = ("__cellc", "<cellc>")


def clean(r: Reply) -> Reply:
    """`r`, after checking that nothing in it shows a generated name."""
    texts = [r.stdout, r.stderr, r.error_text, *(e.get("evalue", "") for e in r.errors)]
    texts += [str(v) for bundle in r.results + r.displays for v in bundle.values()]
    for text in texts:
        for word in GENERATED:
            assert word not in text, f"a generated name in a message: {text!r}"
    return r


@dataclass
class Report:
    """What `%save` or `%load` printed: its counts and its "Not ..." lines."""

    counts: dict[str, int]
    skipped: dict[str, tuple[str, str]]  # name -> (type, reason)
    reply: Reply


def _report(r: Reply, head: re.Pattern[str], line: re.Pattern[str]) -> Report:
    assert r.status == "ok", r.error_text
    lines = r.stdout.splitlines()
    assert lines, "nothing printed"
    m = head.match(lines[0])
    assert m, f"first line {lines[0]!r}"
    skipped = {}
    for text in lines[1:]:
        n = line.match(text)
        assert n, f"an unexpected line {text!r} in {r.stdout!r}"
        skipped[n["name"]] = (n["type"], n["reason"])
    assert r.results == [] and r.displays == [], "a value or display from a magic that has none"
    counts = {k: int(v.replace(",", "")) for k, v in m.groupdict().items() if k != "file"}
    return Report(counts, skipped, r)


class Session:
    """A kernel whose every reply is checked for generated names."""

    def __init__(self) -> None:
        self.kernel = Kernel()

    def run(self, code: str) -> Reply:
        return clean(self.kernel.execute(code))

    def ok(self, code: str) -> Reply:
        r = self.run(code)
        assert r.status == "ok", f"{code!r}: {r.error_text}"
        return r

    def value(self, expr: str) -> str | None:
        return self.ok(expr).value

    def fails(self, code: str, ename: str) -> Reply:
        r = self.run(code)
        assert r.status == "error", (code, r.stdout, r.value)
        assert len(r.errors) == 1 and r.errors[0]["ename"] == ename, (code, r.errors)
        return r

    def reset(self) -> None:
        self.ok("%reset -f")

    def save(self, path: Path) -> Report:
        return _report(self.run(f"%save {path}"), SAVED, NOT_SAVED)

    def load(self, path: Path) -> Report:
        return _report(self.run(f"%load {path}"), LOADED, NOT_RESTORED)

    def carry(self, cells: list[str], path: Path) -> tuple[Report, Report]:
        """Run `cells`, `%save` the program to `path`, `%reset -f`, `%load` it: both reports."""
        for cell in cells:
            self.ok(cell)
        saved = self.save(path)
        self.reset()
        return saved, self.load(path)

    def names(self) -> set[str]:
        """The names %whos lists (empty when the program defines nothing)."""
        r = self.ok("%whos")
        if not r.displays:
            return set()
        return {re.split(r"\s{2,}", line)[0] for line in r.displays[0]["text/plain"].splitlines()[2:]}

    def shutdown(self) -> None:
        self.kernel.shutdown()


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    s = Session()
    yield s
    s.shutdown()


@pytest.fixture()
def fresh(session: Session) -> Session:
    """The module's kernel with an empty program."""
    session.reset()
    return session


# -- 1. differential, for every k -------------------------------------------------------

Outcome = tuple[str, str, str, str | None]  # status, stdout, stderr, value
_reference: dict[str, list[Outcome]] = {}


def outcome(r: Reply) -> Outcome:
    return r.status, r.stdout, r.stderr, r.value


def reference(s: Session, name: str) -> list[Outcome]:
    """Every cell's outcome when the notebook runs from top to bottom, once per module."""
    if name not in _reference:
        s.reset()
        _reference[name] = [outcome(s.ok(cell)) for cell in NOTEBOOKS[name]]
    return _reference[name]


CASES = [(name, k) for name, cells in NOTEBOOKS.items() for k in range(1, len(cells))]


@pytest.mark.parametrize(("name", "k"), CASES, ids=[f"{name}-{k}" for name, k in CASES])
def test_save_after_k_cells_load_and_run_the_rest(session: Session, tmp_path: Path, name: str, k: int) -> None:
    cells = NOTEBOOKS[name]
    expected = reference(session, name)
    session.reset()
    saved, loaded = session.carry(cells[:k], tmp_path / f"{name}.json")
    assert saved.skipped == {}, saved.reply.stdout
    assert loaded.skipped == {}, loaded.reply.stdout
    assert loaded.counts == saved.counts, (saved.reply.stdout, loaded.reply.stdout)
    assert loaded.reply.stdout.count("\n") == 1, "the cells' statements printed again"
    for i, cell in enumerate(cells[k:], start=k):
        got = outcome(session.run(cell))
        assert got == expected[i], f"cell {i + 1} after %load of cells 1..{k}:\n{cell}"


# -- the report's counts ------------------------------------------------------------------


def test_counts_name_the_cells_globals_statics_and_heap(fresh: Session, tmp_path: Path) -> None:
    s = fresh
    s.ok("#include <stdlib.h>")
    s.ok("int a = 1;\nint b[4] = {1, 2, 3, 4};\nchar *p;\nint unused_fn(void) { return 0; }")
    s.ok("int tick(void) {\n    static int calls;\n    static long total;\n    total += ++calls;\n    return calls;\n}")
    s.ok("p = malloc(16);\np[0] = 'x';\nb[1] = (int)(long)malloc(24) * 0;\ntick();")  # the 24 leaks: unreachable
    s.ok("char **pp;\npp = malloc(sizeof *pp);\n*pp = p;")
    path = tmp_path / "counts.json"
    saved = s.save(path)
    assert saved.counts == {"cells": 5, "globals": 4, "statics": 2, "blocks": 2, "bytes": 16 + 8}, saved.reply.stdout
    assert saved.reply.stdout.startswith(f"Saved {path}: ")
    assert path.exists() and json.loads(path.read_text()), "the file is JSON"
    s.reset()
    loaded = s.load(path)
    assert loaded.counts == saved.counts, loaded.reply.stdout
    assert loaded.reply.stdout.startswith(f"Loaded {path}: ")
    assert s.value("*pp == p && p[0] == 'x' && b[3] == 4 && a == 1") == "1"
    assert s.value("tick()") == "2"


def test_an_empty_program_saves_and_loads(fresh: Session, tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    saved = fresh.save(path)
    assert saved.counts == {"cells": 0, "globals": 0, "statics": 0, "blocks": 0, "bytes": 0}
    fresh.reset()
    assert fresh.load(path).counts == saved.counts
    assert fresh.value("6 * 7") == "42"


# -- 2. a real restart ---------------------------------------------------------------------

LIST = [
    "#include <stdio.h>\n#include <stdlib.h>",
    "struct node { int value; struct node *next; };\nstruct node *head;\nint length;",
    "void push(int v) { struct node *n = malloc(sizeof *n); n->value = v; n->next = head; head = n; length++; }",
    "long sum(void) { long s = 0; for (struct node *p = head; p; p = p->next) s += p->value; return s; }",
]


def test_a_new_kernel_process_loads_and_continues(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    a = Session()
    try:
        for cell in LIST:
            a.ok(cell)
        a.ok('for (int i = 0; i < 1000; i++) push(i);\nprintf("built %d\\n", length);')
        assert a.value("sum()") == "499500"
        saved = a.save(path)
        assert saved.counts["blocks"] == 1000 and saved.skipped == {}
    finally:
        a.shutdown()
    b = Session()
    try:
        loaded = b.load(path)
        assert loaded.counts == saved.counts and loaded.skipped == {}
        assert b.value("sum()") == "499500"
        r = b.ok('push(5000);\nprintf("%d %d %d\\n", length, head->value, head->next->value);\nsum()')
        assert r.stdout == "1001 5000 999\n" and r.value == "504500"
        # a new function over the old data, and a redefinition of an old one
        b.ok("long sum(void) { long s = 0; for (struct node *p = head; p; p = p->next) s += 2 * p->value; return s; }")
        assert b.value("sum()") == "1009000"
        b.ok("int count(void) { int c = 0; for (struct node *p = head; p; p = p->next) c++; return c; }")
        assert b.value("count()") == "1001"
    finally:
        b.shutdown()


def test_saving_changes_nothing_in_the_live_program(fresh: Session, tmp_path: Path) -> None:
    s = fresh
    for cell in LIST:
        s.ok(cell)
    s.ok("int next(void) { static int n; return ++n; }\nfor (int i = 0; i < 3; i++) push(i);\nnext();")
    first, second = s.save(tmp_path / "a.json"), s.save(tmp_path / "b.json")
    assert first.counts == second.counts
    assert s.value("next()") == "2", "saving called no function"
    assert s.value("sum() + length") == "6"


def test_load_then_save_then_load_again(fresh: Session, tmp_path: Path) -> None:
    s = fresh
    first, _ = s.carry([*LIST, "for (int i = 0; i < 10; i++) push(i);"], tmp_path / "1.json")
    s.ok("push(100);")
    second = s.save(tmp_path / "2.json")
    assert second.counts["cells"] == first.counts["cells"] + 1
    assert second.counts["blocks"] == 11
    s.reset()
    assert s.load(tmp_path / "2.json").counts == second.counts
    assert s.value("sum() * 1000 + length") == "145011"


def test_a_crash_after_load_rolls_back_to_the_loaded_state(fresh: Session, tmp_path: Path) -> None:
    s = fresh
    s.carry([*LIST, "push(1);\npush(2);"], tmp_path / "p.json")
    r = s.run("head->value = 99;\n*(volatile int *)0 = 1;")
    assert r.status == "error" and r.errors[0]["ename"] == "SIGSEGV"
    assert s.value("head->value * 10 + head->next->value") == "21"


def test_a_large_list_is_restored_whole(fresh: Session, tmp_path: Path) -> None:
    s = fresh
    saved, loaded = s.carry([*LIST, "for (int i = 0; i < 100000; i++) push(i % 1000);"], tmp_path / "big.json")
    assert saved.counts["blocks"] == 100000 and loaded.counts == saved.counts
    assert s.value("sum()") == str(100 * 499500)
    assert s.value("length") == "100000"


# -- 3. statements are not run again ------------------------------------------------------


def test_load_runs_no_statement_again(fresh: Session, tmp_path: Path) -> None:
    s = fresh
    marker = tmp_path / "side-effect.txt"
    s.ok("#include <stdio.h>")
    s.ok('int runs = 0;\nprintf("hello\\n");\nruns++;')
    s.ok('int announce(int v) { printf("announce %d\\n", v); return v; }\nint seeded = announce(7);')
    s.ok(f'{{ FILE *f = fopen("{marker}", "a"); fputs("x", f); fclose(f); }}\nruns * 10')
    s.run("runs = 1000;\nint broken = ;")  # fails to compile: not part of the program
    s.run("runs = 2000;\n*(volatile int *)0 = 1;")  # crashes: rolled back
    saved, loaded = s.carry(['printf("%d\\n", runs);'], tmp_path / "p.json")
    assert loaded.counts == saved.counts
    assert "hello" not in loaded.reply.stdout and "announce" not in loaded.reply.stdout
    assert loaded.reply.stderr == ""
    assert marker.read_text() == "x", "a side effect ran again"
    assert s.value("runs * 100 + seeded") == "107"
    assert s.ok("announce(8);").stdout == "announce 8\n"
    assert s.run("broken").status == "error", "a cell that failed to compile is not part of the program"


def test_a_global_redeclared_with_another_type_keeps_both(fresh: Session, tmp_path: Path) -> None:
    fresh.carry(["int g = 1;", "int getg(void) { return g; }", "double g = 2.5;", "g *= 2;"], tmp_path / "p.json")
    assert fresh.value("getg()") == "1", "functions compiled before the redeclaration use the old variable"
    assert fresh.value("g") == "5.0"


# -- 4. what cannot be restored is named ----------------------------------------------------


def test_a_file_opened_by_the_program_is_named_and_null(fresh: Session, tmp_path: Path) -> None:
    cells = ["#include <stdio.h>", f'FILE *f = fopen("{tmp_path / "out.txt"}", "w");\nint after = 3;']
    saved, loaded = fresh.carry(cells, tmp_path / "p.json")
    assert set(saved.skipped) == {"f"} and saved.skipped["f"][0] == "FILE *", saved.reply.stdout
    assert set(loaded.skipped) == {"f"} and loaded.skipped["f"][0] == "FILE *", loaded.reply.stdout
    assert loaded.skipped["f"][1], "a reason"
    assert fresh.value("f == NULL && after == 3") == "1"


def test_the_standard_streams_are_the_new_process_streams(fresh: Session, tmp_path: Path) -> None:
    cells = [
        "#include <stdio.h>",
        "FILE *out = stdout, *err = stderr, *in = stdin;\nFILE *streams[2];\nstreams[0] = stderr;",
    ]
    saved, loaded = fresh.carry(cells, tmp_path / "p.json")
    assert saved.skipped == {} and loaded.skipped == {}, loaded.reply.stdout
    r = fresh.ok('fprintf(out, "to out\\n");\nfprintf(err, "to err\\n");\nfprintf(streams[0], "again\\n");')
    assert r.stdout == "to out\n" and r.stderr == "to err\nagain\n"
    assert fresh.value("in == stdin && out == stdout") == "1"


def test_files_inside_structs_heap_blocks_and_statics_are_named(fresh: Session, tmp_path: Path) -> None:
    out = tmp_path / "log.txt"
    cells = [
        "#include <stdio.h>\n#include <stdlib.h>",
        "struct logger { FILE *f; int level; };\nstruct logger lg = { NULL, 3 };\nstruct logger *hl;",
        f'FILE *open_log(void) {{ static FILE *log; if (!log) log = fopen("{out}", "a"); return log; }}',
        f'lg.f = fopen("{out}", "a");\nhl = malloc(sizeof *hl);\nhl->f = lg.f;\nhl->level = 4;\nopen_log();',
    ]
    _, loaded = fresh.carry(cells, tmp_path / "p.json")
    types = [t for t, _ in loaded.skipped.values()]
    assert len(types) == 3 and set(types) == {"FILE *"}, loaded.reply.stdout
    assert "lg.f" in loaded.skipped, loaded.reply.stdout
    assert any("log" in name and "open_log" in name for name in loaded.skipped), "the static is named with its function"
    assert fresh.value("lg.f == NULL && hl->f == NULL && lg.level == 3 && hl->level == 4") == "1"
    fresh.ok('fputs("after\\n", open_log());\nfflush(NULL);')
    assert out.read_text() == "after\n", "a new file opened: the old one's static was left NULL"


def test_a_directory_stream_is_named(fresh: Session, tmp_path: Path) -> None:
    cells = ["#include <dirent.h>\n#include <stddef.h>", f'DIR *d = opendir("{tmp_path}");']
    _, loaded = fresh.carry(cells, tmp_path / "p.json")
    assert loaded.skipped.get("d", ("",))[0] == "DIR *", loaded.reply.stdout
    assert fresh.value("d == NULL") == "1"


def test_void_pointers(fresh: Session, tmp_path: Path) -> None:
    """A `void *` to plain bytes is restored; one to a block holding pointers cellc cannot type is named."""
    cells = [
        "#include <stdlib.h>\n#include <string.h>",
        "struct pair { int a; struct pair *next; };",
        "void *bytes;\nvoid *opaque;",
        'bytes = malloc(8);\nmemcpy(bytes, "abcdefg", 8);\n'
        "{\n"
        "    struct pair *p = malloc(sizeof *p);\n"
        "    p->a = 1;\n"
        "    p->next = malloc(sizeof *p);\n"
        "    p->next->next = NULL;\n"
        "    opaque = p;\n"
        "}",
    ]
    _, loaded = fresh.carry(cells, tmp_path / "p.json")
    assert set(loaded.skipped) == {"opaque"}, loaded.reply.stdout
    assert loaded.skipped["opaque"][0] == "void *"
    assert fresh.value("(char *)bytes") == '"abcdefg"'
    assert fresh.value("opaque == NULL") == "1"


def test_memory_that_is_no_variable_nor_heap_block_is_named(fresh: Session, tmp_path: Path) -> None:
    cells = [
        "#include <stdlib.h>\n#include <string.h>\n#include <sys/mman.h>\n#include <time.h>",
        "int *mapped;\nstruct tm *libc_tm;\nint *dangling;\nint kept = 5;\n"
        "mapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n"
        "mapped[0] = 5;\n"
        "time_t t0 = 0;\nlibc_tm = gmtime(&t0);\n"
        "dangling = malloc(sizeof *dangling);\nfree(dangling);\n"
        "char *text = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n"
        'strcpy(text, "a string in mapped memory");',
    ]
    _, loaded = fresh.carry(cells, tmp_path / "p.json")
    # a `char *` into mapped memory too: a copy of its string would not be the 4096 bytes it can use
    assert {"mapped", "libc_tm", "dangling", "text"} <= set(loaded.skipped), loaded.reply.stdout
    assert loaded.skipped["mapped"][0] == "int *" and loaded.skipped["libc_tm"][0] == "struct tm *"
    assert fresh.value("!mapped && !libc_tm && !dangling && !text && kept == 5 && t0 == 0") == "1"


# cells, then (cell, its value) after the round trip: nothing skipped, everything as it was
EXACT = {
    "function pointers call the latest version": (
        [
            "int f(void) { return 1; }",
            "int (*fp)(void) = f;\nstruct { int (*cb)(void); } holder;\nholder.cb = f;",
            "int f(void) { return 2; }",
        ],
        [("fp() * 10 + holder.cb()", "22"), ("int f(void) { return 3; }", None), ("fp() * 10 + holder.cb()", "33")],
    ),
    "a void * to a block a typed pointer also reaches": (
        [
            "#include <stdlib.h>",
            "struct pair { int a; struct pair *next; };\nvoid *opaque;\nstruct pair *typed;",
            "typed = malloc(sizeof *typed);\ntyped->a = 4;\ntyped->next = typed;\nopaque = typed;",
        ],
        [("opaque == (void *)typed && typed->next == typed", "1"), ("((struct pair *)opaque)->a", "4")],
    ),
    "a block reached first through a char * then through its struct's pointer": (
        [
            "#include <stdlib.h>",
            "struct node { int v; struct node *next; };\nchar *raw;\nunsigned char *bytes;\nstruct node *first;",
            "first = malloc(sizeof *first);\nfirst->v = 1;\nfirst->next = malloc(sizeof *first);\n"
            "first->next->v = 7;\nfirst->next->next = NULL;\n"
            "raw = (char *)first;\nbytes = (unsigned char *)first->next;",
        ],
        [("first->next->v * 10 + first->v", "71"), ("raw == (char *)first && bytes == (void *)first->next", "1")],
    ),
    "a heap array reached only through a pointer to its middle": (
        [
            "#include <stdlib.h>",
            "struct node { int v; struct node *next; };\nstruct node *mid;",
            "{\n"
            "    struct node *a = calloc(10, sizeof *a);\n"
            "    for (int i = 0; i < 10; i++) { a[i].v = i; a[i].next = i < 9 ? &a[i + 1] : &a[0]; }\n"
            "    mid = a + 5;\n"
            "}",
        ],
        [("mid->next->next->next->next->next->v", "0"), ("mid[-5].v + mid[4].v * 10 + mid[4].next[3].v * 100", "390")],
    ),
    "a global that points to itself": (
        ["struct node { int v; struct node *next; };\nstruct node self = { 1, &self };"],
        [("self.next->next->next->v", "1")],
    ),
    "a flexible array member of pointers": (
        [
            "#include <stdlib.h>",
            "struct node { int v; struct node *next; };\nstruct bag { int n; struct node *items[]; } *bag;",
            "bag = malloc(sizeof *bag + 3 * sizeof(struct node *));\nbag->n = 3;\n"
            "for (int i = 0; i < 3; i++) { bag->items[i] = malloc(sizeof(struct node)); bag->items[i]->v = 10 * i; }",
        ],
        [("bag->items[1]->v + bag->items[2]->v", "30")],
    ),
    "a matrix and an argv": (
        [
            "#include <stdlib.h>\n#include <string.h>",
            "int **matrix;\nchar **argv;",
            "matrix = malloc(3 * sizeof *matrix);\n"
            "for (int i = 0; i < 3; i++) { matrix[i] = calloc(3, sizeof **matrix); matrix[i][i] = i + 1; }\n"
            "argv = calloc(4, sizeof *argv);\n"
            'argv[0] = strdup("prog");\nargv[1] = strdup("-v");\nargv[2] = "literal";',
        ],
        [
            ("matrix[0][0] * 100 + matrix[1][1] * 10 + matrix[2][2] + matrix[2][1]", "123"),
            ("strlen(argv[0]) * 100 + strlen(argv[1]) * 10 + strlen(argv[2]) + (argv[3] == NULL)", "428"),
        ],
    ),
    "a union whose active member is a pointer": (
        [
            "#include <stdlib.h>\n#include <string.h>",
            "union slot { long n; char *s; } a, b;",
            'a.s = strdup("hi");\nb.n = 5;',
        ],
        [("a.s", '"hi"'), ("b.n", "5")],
    ),
    "pointers to library functions": (
        [
            "#include <string.h>\n#include <stdlib.h>\n#include <math.h>",
            "size_t (*len)(const char *) = strlen;\ndouble (*root)(double) = sqrt;\n"
            "int (*cmp)(const void *, const void *);\n"
            "int by_value(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }\n"
            "cmp = by_value;",
        ],
        [
            ('len("abcd")', "4"),
            ("root(16.0)", "4.0"),
            ("int xs[] = { 3, 1, 2 };\nqsort(xs, 3, sizeof *xs, cmp);\nxs[0] * 100 + xs[1] * 10 + xs[2]", "123"),
        ],
    ),
    "%cflags carried with the program": (
        ["%cflags -DSCALE=3", "int k = SCALE;"],
        [("k * SCALE", "9")],
    ),
    "pointers to string literals": (
        [
            "#include <string.h>",
            'const char *greeting = "hello";\nconst char *tail;\nconst char *list[] = { "a", "bc", 0 };',
            "tail = greeting + 3;",
        ],
        [("greeting", '"hello"'), ("tail", '"lo"'), ("strlen(list[0]) + strlen(list[1]) + (list[2] == 0)", "4")],
    ),
}


@pytest.mark.parametrize("case", list(EXACT))
def test_carried_exactly(fresh: Session, tmp_path: Path, case: str) -> None:
    cells, checks = EXACT[case]
    saved, loaded = fresh.carry(cells, tmp_path / "p.json")
    assert saved.skipped == {} and loaded.skipped == {}, loaded.reply.stdout
    for code, value in checks:
        assert fresh.value(code) == value, code


# -- usage and bad files ---------------------------------------------------------------------


def test_load_into_a_program_that_has_cells_is_a_usage_error(fresh: Session, tmp_path: Path) -> None:
    s = fresh
    path = tmp_path / "p.json"
    s.ok("int x = 1;")
    s.save(path)
    s.ok("x = 2;")
    s.fails(f"%load {path}", "UsageError")
    assert s.value("x") == "2"
    assert s.names() == {"x"}
    s.reset()
    s.load(path)
    s.fails(f"%load {path}", "UsageError")  # twice
    assert s.value("x") == "1"


def test_save_and_load_need_a_file(fresh: Session) -> None:
    fresh.fails("%save", "UsageError")
    fresh.fails("%load", "UsageError")
    fresh.fails("%save a.json b.json", "UsageError")
    fresh.fails("%save a.json\nint x = 1;", "UsageError")  # alone in its cell
    assert fresh.names() == set()


def test_a_file_that_cannot_be_written(fresh: Session, tmp_path: Path) -> None:
    fresh.ok("int x = 1;")
    r = fresh.run(f"%save {tmp_path / 'no' / 'such' / 'dir.json'}")
    assert r.status == "error" and "dir.json" in r.error_text
    assert fresh.value("x") == "1"


def test_a_missing_file(fresh: Session, tmp_path: Path) -> None:
    r = fresh.run(f"%load {tmp_path / 'nothing.json'}")
    assert r.status == "error" and "nothing.json" in r.error_text


def good_save(s: Session, tmp_path: Path) -> dict:
    """The JSON of a small saved program (a list, a function static, a string)."""
    for cell in LIST:
        s.ok(cell)
    s.ok('int next(void) { static int n; return ++n; }\nconst char *title = "t";\npush(1);\npush(2);\npush(3);')
    path = tmp_path / "good.json"
    s.save(path)
    s.reset()
    return json.loads(path.read_text())


def assert_load_error(s: Session, path: Path, *words: str) -> str:
    """`%load path` fails with LoadError, its message has `words`, and the program is still empty."""
    r = s.fails(f"%load {path}", "LoadError")
    message = r.error_text.lower()
    for word in words:
        assert word.lower() in message, (word, r.error_text)
    assert s.names() == set(), "a failed load left definitions"
    s.ok("int fine = 1;")
    assert s.names() == {"fine"}
    assert s.value("fine") == "1"
    s.reset()
    return r.error_text


def test_not_json(fresh: Session, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b"\x7fELF\x02\x01\x01 not json at all")
    assert_load_error(fresh, path)


def test_json_of_another_format(fresh: Session, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    for text in ('{"cells": [], "nbformat": 4}', "[1, 2, 3]", '"text"', "null", "{}"):
        path.write_text(text)
        assert_load_error(fresh, path)


def test_a_truncated_file(fresh: Session, tmp_path: Path) -> None:
    data = good_save(fresh, tmp_path)
    text = json.dumps(data)
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    assert_load_error(fresh, path)


def test_another_version(fresh: Session, tmp_path: Path) -> None:
    data = good_save(fresh, tmp_path)
    keys = [k for k in data if "version" in k.lower()]
    assert keys, f"a versioned file: {sorted(data)}"
    data[keys[0]] = 999
    path = tmp_path / "v.json"
    path.write_text(json.dumps(data))
    assert_load_error(fresh, path, "version")


def first_region(data: dict, test) -> dict:
    """The first region of a save file (see docs/persistence.md) for which `test` holds."""
    return next(r for r in data["regions"] if test(r))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data))
    return path


def test_a_size_that_does_not_match_its_bytes(fresh: Session, tmp_path: Path) -> None:
    data = good_save(fresh, tmp_path)
    region = first_region(data, lambda r: r["kind"] == "block")
    region["size"] += 8
    assert_load_error(fresh, write(tmp_path, data), "size")


def test_a_pointer_to_a_block_that_does_not_exist(fresh: Session, tmp_path: Path) -> None:
    data = good_save(fresh, tmp_path)
    region = first_region(data, lambda r: any(p[1][0] == "region" for p in r["pointers"]))
    pointer = next(p for p in region["pointers"] if p[1][0] == "region")
    pointer[1][1] = 999999
    assert_load_error(fresh, write(tmp_path, data), "pointer")


def test_a_pointer_past_its_region_or_its_target(fresh: Session, tmp_path: Path) -> None:
    good = good_save(fresh, tmp_path)
    for mutate in (
        lambda p, size: p.__setitem__(0, size - 4),  # its 8 bytes run past the region
        lambda p, size: p.__setitem__(0, -8),
        lambda p, size: p[1].__setitem__(2, 1 << 40),  # far past its target
        lambda p, size: p[1].__setitem__(2, -1),
        lambda p, size: p.__setitem__(1, ["region"]),
        lambda p, size: p.__setitem__(1, ["function", "system; rm -rf /"]),
        lambda p, size: p.__setitem__(1, ["stream", "stdlog"]),
    ):
        data = json.loads(json.dumps(good))
        region = first_region(data, lambda r: any(p[1][0] == "region" for p in r["pointers"]))
        mutate(next(p for p in region["pointers"] if p[1][0] == "region"), region["size"])
        assert_load_error(fresh, write(tmp_path, data), "pointer")


def test_huge_counts_and_sizes(fresh: Session, tmp_path: Path) -> None:
    good = good_save(fresh, tmp_path)
    data = json.loads(json.dumps(good))
    first_region(data, lambda r: r["kind"] == "block")["size"] = 10**12
    assert_load_error(fresh, write(tmp_path, data), "size")
    data = json.loads(json.dumps(good))
    first_region(data, lambda r: r["kind"] == "global")["size"] = -1
    assert_load_error(fresh, write(tmp_path, data), "size")
    data = json.loads(json.dumps(good))
    data["regions"] = {"count": 10**12}
    assert_load_error(fresh, write(tmp_path, data))


def test_damaged_fields(fresh: Session, tmp_path: Path) -> None:
    good = good_save(fresh, tmp_path)
    mutations = {
        "bytes": lambda d: first_region(d, lambda r: r["size"] > 0).__setitem__("data", "!!not base64!!"),
        "object 0": lambda d: d["regions"][0].__setitem__("kind", "register"),
        "name": lambda d: first_region(d, lambda r: r["kind"] == "static").__setitem__("ref", 5),
        "steps": lambda d: d.__setitem__("steps", "int x;"),
        "cflags": lambda d: d.__setitem__("cflags", [1, 2]),
    }
    for word, mutate in mutations.items():
        data = json.loads(json.dumps(good))
        mutate(data)
        assert_load_error(fresh, write(tmp_path, data), word)


def test_a_cell_that_does_not_build_any_more(fresh: Session, tmp_path: Path) -> None:
    data = good_save(fresh, tmp_path)
    step = next(s for s in data["steps"] if "cell" in s and "struct node" in s["code"])
    step["code"] = "struct node { int value; struct node *next; }\nint broken = ;"
    message = assert_load_error(fresh, write(tmp_path, data))
    assert "In[" in message, "the message names the cell"
