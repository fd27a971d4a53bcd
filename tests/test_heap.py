"""The executor knows every heap block of the program (`heap`) and which live
ones nothing reaches (`leaks`): spoken to a real executor, with cells compiled
by gcc into shared objects as the kernel's are."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cellc_kernel.executor import Ending, Executor, Handlers, Outcome, build_executor
from cellc_kernel.limits import Limits

HEAD = """#define _GNU_SOURCE
#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
"""
CELL_TIMEOUT = 60  # a hang (a lock left taken) fails the test instead of CI


class Program:
    """A real executor and the cells it runs: each cell is compiled alone, its
    globals visible to the later cells (RTLD_GLOBAL), as in the kernel."""

    def __init__(self, tmp: Path, env: dict[str, str] | None = None, cflags: tuple[str, ...] = ()):
        self.tmp = tmp
        self.cflags = cflags
        self.count = 0
        self.externs = ""  # of the globals earlier cells defined (`define`)
        self.ex = Executor(build_executor(), workdir=tmp, env=env, limits=Limits(timeout=CELL_TIMEOUT))

    def run(self, body: str, top: str = "") -> tuple[Outcome, str, str]:
        """Compile `top` (file scope) and `body` (the cell's statements) and run
        them; returns how it ended, its stdout and its stderr.  The `extern`
        declarations of what earlier cells defined come first."""
        self.count += 1
        name = f"cell_{self.count}"
        source = self.tmp / f"{name}.c"
        # the entry table as generate.py makes it: no slot to store, then the function to call
        run = f"static void {name}_run(void) {{\n{body}\n}}\n"
        table = f"void *const {name}[] = {{0, (void *){name}_run}};\n"
        source.write_text(f"{HEAD}{self.externs}{top}\n{run}{table}")
        so = self.tmp / f"{name}.so"
        argv = ["gcc", "-shared", "-fPIC", "-g", *self.cflags, "-o", str(so), str(source)]
        subprocess.run(argv, check=True, capture_output=True)
        streams: dict[str, list[str]] = {"stdout": [], "stderr": []}
        outcome = self.ex.run(so, name, Handlers(output=lambda stream, text: streams[stream].append(text)))
        return outcome, "".join(streams["stdout"]), "".join(streams["stderr"])

    def define(self, globals: str) -> None:
        """A cell that defines `globals` (one declaration a line), seen by the later cells."""
        self.ok("", globals)
        self.externs += "".join(f"extern {line}\n" for line in globals.strip().splitlines())

    def ok(self, body: str, top: str = "") -> str:
        outcome, out, err = self.run(body, top)
        assert outcome.ok, (outcome, out, err)
        return out

    def numbers(self, body: str, top: str = "") -> list[int]:
        """The cell's stdout as numbers (printed with %lu or %p)."""
        return [int(word, 0) for word in self.ok(body, top).split()]

    def blocks(self) -> dict[int, tuple[int, bool]]:
        """The heap table: address -> (size, freed)."""
        table = self.ex.heap()
        assert len({address for address, _, _ in table}) == len(table), "an address is recorded once"
        return {address: (size, freed) for address, size, freed in table}


@pytest.fixture()
def prog(tmp_path: Path) -> Iterator[Program]:
    program = Program(tmp_path)
    yield program
    program.ex.close()


def test_every_allocator_is_recorded_with_its_size(prog: Program) -> None:
    a, c, al, aa, ma, va, pv, s, sn, ra = prog.numbers(
        "int *a = malloc(10 * sizeof *a);\n"
        "void *c = calloc(7, 8);\n"
        "void *al; if (posix_memalign(&al, 64, 100)) al = 0;\n"
        "void *aa = aligned_alloc(256, 512);\n"
        "void *ma = memalign(32, 33);\n"
        "void *va = valloc(10);\n"
        "void *pv = pvalloc(10);\n"
        'char *s = strdup("hello");\n'
        'char *sn = strndup("hello world", 5);\n'
        "int *ra = reallocarray(NULL, 6, sizeof *ra);\n"
        'printf("%p %p %p %p %p %p %p %p %p %p\\n", a, c, al, aa, ma, va, pv, s, sn, ra);'
    )
    table = prog.blocks()
    page = 4096
    assert table[a] == (40, False), "ten ints: ten cells"
    assert table[c] == (56, False)
    assert table[al] == (100, False) and al % 64 == 0
    assert table[aa] == (512, False) and aa % 256 == 0
    assert table[ma] == (33, False) and table[va] == (10, False)
    assert table[pv] == (page, False), "pvalloc rounds up to a page"
    assert table[s] == (6, False) and table[sn] == (6, False)
    assert table[ra] == (24, False)


def test_libc_allocations_are_seen(prog: Program) -> None:
    """getline, asprintf, open_memstream and scandir call malloc through its
    interposable symbol: their blocks are the program's."""
    line, cap, text, mem, size, names, first = prog.numbers(
        'FILE *f = fmemopen("first line\\nsecond\\n", 18, "r");\n'
        "char *line = NULL; size_t cap = 0;\n"
        "getline(&line, &cap, f);\n"
        "fclose(f);\n"
        'char *text; if (asprintf(&text, "%d and %s", 12345, "more") < 0) text = 0;\n'
        "char *mem; size_t size;\n"
        "FILE *m = open_memstream(&mem, &size);\n"
        'for (int i = 0; i < 1000; i++) fprintf(m, "%d,", i);\n'
        "fclose(m);\n"
        "struct dirent **names;\n"
        'int n = scandir("/", &names, NULL, alphasort);\n'
        'printf("%p %lu %p %p %lu %p %p\\n", line, (unsigned long)cap, text, mem, (unsigned long)size,'
        " n > 0 ? (void *)names : 0, n > 0 ? (void *)names[0] : 0);"
    )
    table = prog.blocks()
    assert table[line] == (cap, False), "getline's buffer, of the size it reports"
    assert table[text][0] >= len("12345 and more") + 1 and not table[text][1]
    assert table[mem][0] > size and not table[mem][1], "open_memstream's buffer"
    assert names and not table[names][1] and not table[first][1], "scandir's array and entries"


def test_realloc_in_place_and_moved(prog: Program) -> None:
    q, r, m, blocker, moved = prog.numbers(
        "void *t1 = malloc(120000), *t2 = malloc(120000);\n"  # the heap grows by as much, given back to its top
        "free(t2);\n"
        "free(t1);\n"
        "char *q = malloc(100000);\n"  # from the top of the heap: it can grow in place
        "char *r = realloc(q, 120000);\n"
        "char *m = malloc(100);\n"
        "char *blocker = malloc(16);\n"  # m cannot grow in place past it
        "char *moved = realloc(m, 5000);\n"
        'printf("%p %p %p %p %p\\n", q, r, m, blocker, moved);'
    )
    table = prog.blocks()
    assert r == q and table[q] == (120000, False), "grown in place: one block, its new size"
    assert moved != m
    assert table[m] == (100, True), "moved: the old block is freed"
    assert table[moved] == (5000, False) and table[blocker] == (16, False)
    (shrunk,) = prog.numbers(f'char *s = realloc((char *){moved:#x}, 10);\nprintf("%p\\n", s);')
    assert prog.blocks()[shrunk] == (10, False)
    prog.ok(f"(void)realloc((char *){shrunk:#x}, 0);")  # glibc: frees it
    assert prog.blocks()[shrunk][1]


def test_free_marks_freed_and_reuse_makes_live(prog: Program) -> None:
    (p,) = prog.numbers('char *p = malloc(200);\nprintf("%p\\n", p);\nfree(p);')
    assert prog.blocks()[p] == (200, True), "a dangling pointer is recognised"
    (again,) = prog.numbers('char *p = malloc(190);\nprintf("%p\\n", p);')
    assert again == p, "glibc hands the same chunk out again"
    assert prog.blocks()[p] == (190, False)
    prog.ok("free(NULL);")
    assert prog.blocks()[p] == (190, False)


def test_a_crash_takes_its_blocks_back(prog: Program) -> None:
    prog.define("void *kept;")
    outcome, out, _ = prog.run('kept = malloc(77);\nprintf("%p\\n", kept);\nfflush(stdout);\n*(volatile int *)0 = 1;')
    assert outcome.ending is Ending.CRASHED
    address = int(out.split()[0], 16)
    assert address not in prog.blocks(), "the state before the cell: its table"
    (p,) = prog.numbers('kept = malloc(78);\nprintf("%p\\n", kept);')
    assert prog.blocks()[p] == (78, False)


def test_a_bad_free_is_glibc_s_crash(prog: Program) -> None:
    """The wrapper forwards what it does not know: glibc aborts as before."""
    prog.define("char *bf;")
    (p,) = prog.numbers('bf = malloc(48);\nprintf("%p\\n", bf);')
    for body in ("free(bf + 16);", "free(bf);\nfree(bf);", "free((void *)16);"):
        outcome, _, _ = prog.run(body)
        assert outcome.ending is Ending.CRASHED and outcome.signal in ("ABRT", "SEGV"), (body, outcome)
        assert prog.blocks()[p] == (48, False), "rolled back with the heap"
    prog.ok("free(bf);")
    assert prog.blocks()[p] == (48, True)


def test_undo_takes_the_table_back(prog: Program) -> None:
    prog.define("void *u1, *u2;")
    (first,) = prog.numbers('u1 = malloc(31);\nprintf("%p\\n", u1);')
    outcome, out, _ = prog.run('u2 = malloc(32);\nprintf("%p\\n", u2);\nfree(u1);')
    second = int(out, 16)
    assert prog.blocks()[first] == (31, True)
    assert outcome.before is not None and prog.ex.undo(outcome.before) == ""
    table = prog.blocks()
    assert table[first] == (31, False) and second not in table


def test_threads_allocating_at_once(prog: Program) -> None:
    """4 threads x 10,000 malloc/free: nothing hangs, the table stays whole."""
    top = """
enum { THREADS = 4, ROUNDS = 10000, KEEP = 100 };
void *kept_blocks[THREADS][KEEP];
void *churn(void *arg) {
    long t = (long)arg;
    for (int i = 0; i < ROUNDS; i++) {
        char *p = malloc(1 + (i * 7 + t) % 300);
        p[0] = 1;
        if (i % (ROUNDS / KEEP) == 0) {
            char *q = realloc(p, 500);
            kept_blocks[t][i / (ROUNDS / KEEP)] = q;
        } else {
            free(p);
        }
    }
    return NULL;
}
"""
    body = """
pthread_t th[THREADS];
for (long t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, churn, (void *)t);
for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
for (int t = 0; t < THREADS; t++) for (int k = 0; k < KEEP; k++) printf("%p\\n", kept_blocks[t][k]);
"""
    kept = prog.numbers(body, top)
    assert len(set(kept)) == 400
    table = prog.blocks()
    assert all(table.get(p) == (500, False) for p in kept)
    (p,) = prog.numbers('void *p = malloc(12);\nprintf("%p\\n", p);')
    assert prog.blocks()[p] == (12, False), "the lock was left free"


def test_a_signal_handler_that_allocates(prog: Program) -> None:
    """A handler's malloc may come while its thread is inside a wrapper, the
    table's lock taken: that block goes unrecorded and nothing deadlocks.
    (Sizes that stay in glibc's per-thread cache: its arena lock is not taken.)"""
    top = """#include <signal.h>
#include <sys/time.h>
volatile long handled;
static void on_alarm(int sig) { (void)sig; void *p = malloc(64); free(p); handled++; }
"""
    body = """
signal(SIGALRM, on_alarm);
struct itimerval every = { {0, 50}, {0, 50} }, off = { {0, 0}, {0, 0} };
setitimer(ITIMER_REAL, &every, NULL);
while (handled < 2000) free(malloc(32));
setitimer(ITIMER_REAL, &off, NULL);
signal(SIGALRM, SIG_DFL);
printf("%ld\\n", handled);
"""
    (handled,) = prog.numbers(body, top)
    assert handled >= 2000
    (p,) = prog.numbers('void *p = malloc(13);\nprintf("%p\\n", p);')
    assert prog.blocks()[p] == (13, False), "the lock was left free"


def test_a_thread_allocating_between_cells_and_an_interrupt(prog: Program) -> None:
    """A thread of the program churns malloc/free while cells run in place and
    the table is read; a cell interrupted in the middle of its own malloc loop
    leaves the lock free (the jump out of it may come inside a wrapper)."""
    prog.define("volatile int churning;\npthread_t churner;")
    prog.ok(
        "pthread_create(&churner, NULL, churn_until_told, NULL);",
        "static void *churn_until_told(void *arg) {\n"
        "    while (!churning) { void *p = malloc(24); free(malloc(100)); free(p); }\n"
        "    return arg;\n"
        "}",
    )
    (p,) = prog.numbers('void *p = malloc(55);\nprintf("%p\\n", p);')
    assert prog.blocks()[p] == (55, False)
    assert prog.ex.leaks()[0] >= 1, "p, lost when the cell ended"
    timer = threading.Timer(1.0, prog.ex.interrupt)
    timer.start()
    try:
        outcome, _, _ = prog.run("for (;;) free(malloc(32));")
    finally:
        timer.cancel()
    assert outcome.ending is Ending.INTERRUPTED and outcome.in_place
    (q,) = prog.numbers('void *q = malloc(66);\nprintf("%p\\n", q);')
    prog.ok("churning = 1;\npthread_join(churner, NULL);")
    assert prog.blocks()[q] == (66, False)


def test_a_fork_in_the_program(prog: Program) -> None:
    child, parent = prog.numbers(
        "int fds[2]; if (pipe(fds)) return;\n"
        "pid_t pid = fork();\n"
        "if (pid == 0) {\n"
        "    void *c = malloc(4321);\n"
        "    if (write(fds[1], &c, sizeof c) < 0) _exit(1);\n"
        "    _exit(0);\n"
        "}\n"
        "void *c = 0; if (read(fds[0], &c, sizeof c) < 0) c = 0;\n"
        "waitpid(pid, NULL, 0);\n"
        "void *p = malloc(1234);\n"
        'printf("%p %p\\n", c, p);'
    )
    table = prog.blocks()
    assert table[parent] == (1234, False)
    assert table.get(child) != (4321, False), "the child's block was the child's"


def test_a_hundred_thousand_blocks(prog: Program) -> None:
    """Several MB of records arrive whole (in `part` packets); freed records
    are bounded: the most recent 65,536 are kept."""
    prog.define("char *many[150000];")
    prog.ok("for (int i = 0; i < 150000; i++) many[i] = malloc(1 + i % 50);")
    (first,) = prog.numbers('printf("%p\\n", many[0]);')
    leaks_before = prog.ex.leaks()
    table = prog.blocks()
    addresses = prog.numbers('for (int i = 0; i < 150000; i++) printf("%p\\n", many[i]);')
    assert all(table[a] == (1 + i % 50, False) for i, a in enumerate(addresses))
    assert addresses[0] == first
    count, size = prog.ex.leaks()
    assert count == leaks_before[0], "every block is reached through the array"
    prog.ok("for (int i = 0; i < 150000; i += 2) many[i] = 0;")
    count, size = prog.ex.leaks()
    assert count - leaks_before[0] == 75000
    assert size - leaks_before[1] == sum(1 + i % 50 for i in range(0, 150000, 2))
    prog.ok("for (int i = 1; i < 150000; i += 2) free(many[i]);")
    table = prog.blocks()
    assert sum(freed for _, freed in table.values()) <= 65536
    freed_last = addresses[-65535::2]  # freed last: still known
    assert all(table[a][1] for a in freed_last)
    assert not any(a in table for a in addresses[1:1000:2]), "the oldest freed records are forgotten"


def test_leaks(prog: Program) -> None:
    prog.define("void *held;\nchar *inner;\nstruct node { struct node *next; long v; } *head;\nvoid *overwritten;")
    prog.ok("", "void *keep_static(void) { static void *mine; if (!mine) mine = malloc(64); return mine; }")
    prog.externs += "void *keep_static(void);\n"
    base_count, base_bytes = prog.ex.leaks()
    prog.ok(
        "held = malloc(48);\n"
        "inner = (char *)malloc(96) + 40;\n"  # only an interior pointer
        "head = malloc(sizeof *head);\n"
        "head->next = malloc(24);\n"  # only from another reachable block
        "head->next->next = NULL;\n"
        "keep_static();\n"  # a function's static
    )
    assert prog.ex.leaks() == (base_count, base_bytes), "a global, an interior pointer, a block, a static hold them"
    prog.ok("overwritten = malloc(40);\noverwritten = malloc(40);")
    assert prog.ex.leaks() == (base_count + 1, base_bytes + 40), "the first block's only pointer was overwritten"
    prog.ok("head->next = NULL;")
    assert prog.ex.leaks() == (base_count + 2, base_bytes + 64)
    prog.ok("void *last = malloc(40);\n(void)last;")  # likely next to the top of glibc's heap
    assert prog.ex.leaks() == (base_count + 3, base_bytes + 104)


def _asan() -> str | None:
    out = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True).stdout.strip()
    return out if out.startswith("/") and shutil.which("gcc") else None


@pytest.mark.skipif(_asan() is None, reason="no libasan")
def test_under_address_sanitizer(tmp_path: Path) -> None:
    """ASan's runtime preloaded (as %sanitize address does) keeps owning the
    heap: the table sees its blocks, its reports still come."""
    env = {"LD_PRELOAD": str(_asan()), "ASAN_OPTIONS": "detect_leaks=0:allow_user_segv_handler=1:handle_segv=0"}
    program = Program(tmp_path, env=env, cflags=("-fsanitize=address", "-fno-omit-frame-pointer"))
    try:
        program.define("int *sa;")
        p, s = program.numbers('sa = malloc(3 * sizeof *sa);\nchar *s = strdup("asan");\nprintf("%p %p\\n", sa, s);')
        table = program.blocks()
        assert table[p] == (12, False) and table[s] == (5, False)
        count, size = program.ex.leaks()
        program.ok("(void)malloc(40);")
        assert program.ex.leaks() == (count + 1, size + 40), "leaks reads ASan's heap too"
        outcome, _, err = program.run("sa[3] = 7;")
        assert outcome.ending is Ending.EXITED
        assert "heap-buffer-overflow" in err and "12-byte region" in err
        program.ok("free(sa);")
        assert program.blocks()[p] == (12, True)
        outcome, _, err = program.run("sa[0] = 1;")
        assert "heap-use-after-free" in err
    finally:
        program.ex.close()
