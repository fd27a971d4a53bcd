"""cellc's performance goals, each measured against its reference in the same run.

    python benchmarks/run.py            # the full run (a few minutes)
    python benchmarks/run.py --quick    # a smoke run with few repetitions
    python benchmarks/run.py --json out.json   # also write every raw number
    python benchmarks/run.py --only "run all" "back to back"   # some sections only

Prints the machine, a table (row, measured, reference, ratio, goal, met) and a
breakdown of where a trivial cell's time goes.  Nothing here asserts a timing:
the exit status is 0 unless a benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    HEADERS,
    Kernel,
    Scratch,
    bench_value,
    machine,
    median,
    quantile,
    settle_tree,
)


@dataclass
class Row:
    """One line of the table; `goal` is a ratio bound, or an absolute bound when `unit_goal`."""

    name: str
    measured: float | None = None
    reference: float | None = None
    unit: str = "ms"
    goal: float | None = None
    absolute: bool = False  # the goal bounds `measured` itself, not measured/reference
    note: str = ""
    error: str = ""
    raw: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.measured is None or not self.reference:
            return None
        return self.measured / self.reference

    @property
    def met(self) -> str:
        if self.error:
            return "ERROR"
        if self.goal is None:
            return "info"
        value = self.measured if self.absolute else self.ratio
        if value is None:
            return "?"
        return "met" if value <= self.goal else "NOT MET"


def log(text: str) -> None:
    """Progress goes to stderr so stdout is the report."""
    print(text, file=sys.stderr, flush=True)


# -- 1. trivial cell round trip -------------------------------------------------------
def trivial_cell(n: int, logs: Path, profile: bool) -> Row:
    """Kernel round trips interleaved with gcc -shared by hand (and, if `profile`, with the
    same cell run by an in-process Interpreter whose stages are timed)."""
    row = Row("trivial cell round trip", unit="ms", goal=0.6)
    kernel = Kernel("cellc", logs / "trivial.log")
    scratch = Scratch()
    profiler = None
    try:
        if profile:
            try:
                from profile_cell import CellProfiler

                profiler = CellProfiler()
            except Exception:  # the breakdown is a bonus: never lose the row for it
                traceback.print_exc()
        kernel.execute(HEADERS).check("include cell")
        src = scratch.path / "x.c"
        cells, refs, empty = [], [], []
        for i in range(n):  # interleaved, so load drifts hit every side alike
            cells.append(kernel.execute(f"int t_{i} = {i};").check("trivial cell").latency)
            empty.append(kernel.execute(f"// nothing to compile {i}").check("comment cell").latency)
            src.write_text(HEADERS + f"void cell_{i}(void) {{ int t_{i} = {i}; (void)t_{i}; }}\n")
            refs.append(scratch.timed(["gcc", "-shared", "-fPIC", "-o", "x.so", "x.c"]))
            if profiler:
                try:
                    profiler.step()
                except Exception:
                    traceback.print_exc()
                    profiler.close()
                    profiler = None
        row.measured, row.reference = median(cells) * 1e3, median(refs) * 1e3
        row.note = (
            f"kernel p10/p90 {quantile(cells, 0.1) * 1e3:.1f}/{quantile(cells, 0.9) * 1e3:.1f} ms; "
            f"comment-only cell {median(empty) * 1e3:.1f} ms; reference = gcc -shared -fPIC of the 4 headers "
            f"+ the statement; median of {n}"
        )
        row.raw = {"kernel_s": cells, "gcc_shared_s": refs, "comment_cell_s": empty}
        if profiler:
            row.raw["profile"] = profiler.result()
    finally:
        kernel.shutdown()
        scratch.close()
        if profiler:
            profiler.close()
    return row


def prelude_fallback(n: int, logs: Path) -> Row:
    """What soundness costs when the pruned prelude is not enough: a name a macro
    pastes together (`CAT(A, B)(i)`) makes the cell compile once more with the
    whole prelude.  Reference: the same call written out (`AB(i)`), pruned."""
    row = Row("  cell needing the full-prelude retry vs same cell pruned", unit="ms", goal=2.5)
    kernel = Kernel("cellc", logs / "fallback.log")
    try:
        kernel.execute(HEADERS + "#define CAT(a, b) a##b\nint AB(int x) { return x; }").check("setup")
        pasted, plain = [], []
        for i in range(n):
            pasted.append(kernel.execute(f"int p_{i} = CAT(A, B)({i});").check("pasted").latency)
            plain.append(kernel.execute(f"int q_{i} = AB({i});").check("plain").latency)
        row.measured, row.reference = median(pasted) * 1e3, median(plain) * 1e3
        row.note = f"median of {n}; the trivial cell never takes this path"
        row.raw = {"pasted_s": pasted, "plain_s": plain}
    finally:
        kernel.shutdown()
    return row


# -- 2. flatness and 6. executor memory -----------------------------------------------
def flatness(n: int, logs: Path) -> list[Row]:
    flat = Row("flatness: late cells vs early cells", unit="ms", goal=1.25)
    norm = Row("  same, load-normalized (info)", unit="")
    mem = Row("executor memory per defining cell (Pss)", unit="KiB", goal=256, absolute=True)
    priv = Row("  same, Private_Clean+Private_Dirty", unit="KiB")
    live = Row("  live process RSS growth per cell", unit="KiB")
    kernel = Kernel("cellc", logs / "flatness.log")
    scratch = Scratch()
    (scratch.path / "control.c").write_text("int control;\n")
    try:
        before = settle_tree(kernel.pid)
        lat, control = [], []
        for i in range(1, n + 1):
            code = f"int g_{i} = {i}; int f_{i}(void) {{ return g_{i} + 1; }} f_{i}();"
            lat.append(kernel.execute(code).check(f"flatness cell {i}").latency)
            # A constant amount of work next to every cell: how busy the machine was then.
            control.append(scratch.timed(["gcc", "-c", "-o", "control.o", "control.c"]))
            if i % 50 == 0:
                log(f"  flatness: {i}/{n} cells, last {lat[-1] * 1e3:.0f} ms")
        after = settle_tree(kernel.pid)
    finally:
        kernel.shutdown()
        scratch.close()
    # cells 10-40 and 270-300 of 300 (1-based, inclusive), scaled for --quick
    e0, e1 = max(1, round(n * 10 / 300)), round(n * 40 / 300)
    l0, l1 = round(n * 270 / 300), n
    early, late = lat[e0 - 1 : e1], lat[l0 - 1 : l1]
    flat.measured, flat.reference = median(late) * 1e3, median(early) * 1e3
    blocks = [median(lat[i : i + max(1, n // 6)]) * 1e3 for i in range(0, n, max(1, n // 6))]
    per_block = " ".join(f"{b:.0f}" for b in blocks)
    flat.note = f"median of cells {l0}-{l1} vs {e0}-{e1} of {n}; medians per {max(1, n // 6)} cells: {per_block} ms"
    flat.raw = {"latency_s": lat, "control_s": control}
    early_c, late_c = control[e0 - 1 : e1], control[l0 - 1 : l1]
    norm.measured = median(late) / median(late_c)
    norm.reference = median(early) / median(early_c)
    norm.note = (
        "each cell's latency in units of a gcc -c of a one-line file run right after it "
        f"(control medians {median(early_c) * 1e3:.1f} ms early, {median(late_c) * 1e3:.1f} ms late): "
        "separates growth with the cell count from load on a shared machine"
    )

    def total(procs, attr):
        return sum(getattr(p, attr) for p in procs)

    mem.measured = (total(after, "pss") - total(before, "pss")) / n
    priv.measured = (total(after, "private") - total(before, "private")) / n
    live_before = max(before, key=lambda p: (p.start, p.pid))
    live_after = max(after, key=lambda p: (p.start, p.pid))
    live.measured = (live_after.rss - live_before.rss) / n
    mem.note = (
        f"executor tree {len(before)} -> {len(after)} processes, "
        f"Pss {total(before, 'pss')} -> {total(after, 'pss')} KiB over {n} cells"
    )
    live.note = f"live process RSS {live_before.rss} -> {live_after.rss} KiB"
    raw = {"before": [asdict(p) for p in before], "after": [asdict(p) for p in after]}
    mem.raw = raw
    return [flat, norm, mem, priv, live]


# -- 3. call cost and 4. compute kernel -----------------------------------------------
CALLEE = "int add1_{tag}(int x) {{ return x + 1; }}\n"
CALLER = """double bench_{tag}(long n) {{
    double best = 1e30;
    for (int r = 0; r < 3; r++) {{
        struct timespec t0, t1;
        int acc = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < n; i++)
            acc = add1_{tag}(acc);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
        if (acc != (int)n) printf("wrong result %d\\n", acc);
        if (s < best) best = s;
    }}
    return best;
}}
"""
CALL_RUN = 'printf("CELLC_BENCH %.9f\\n", bench_{tag}({calls}L));\n'

MATMUL = """#define MM_N 256
double mm_a[MM_N][MM_N], mm_b[MM_N][MM_N], mm_c[MM_N][MM_N];
void mm_fill(void) {
    for (int i = 0; i < MM_N; i++)
        for (int j = 0; j < MM_N; j++) {
            mm_a[i][j] = (double)((i * 7 + j * 3) % 13) * 0.5;
            mm_b[i][j] = (double)((i * 5 + j * 11) % 17) * 0.25;
        }
}
void mm_mul(void) {
    for (int i = 0; i < MM_N; i++)
        for (int j = 0; j < MM_N; j++) {
            double s = 0.0;
            for (int k = 0; k < MM_N; k++)
                s += mm_a[i][k] * mm_b[k][j];
            mm_c[i][j] = s;
        }
}
double mm_best(int reps) {
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        mm_mul();
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
        if (s < best) best = s;
    }
    double sum = 0.0;
    for (int i = 0; i < MM_N; i++)
        for (int j = 0; j < MM_N; j++)
            sum += mm_c[i][j];
    if (sum != 100661258.25) printf("wrong checksum %.1f\\n", sum);
    return best;
}
"""
MM_RUN = 'printf("CELLC_BENCH %.9f\\n", mm_best(3));\n'

# malloc-heavy: 10^6 malloc/free pairs of mixed sizes (64 blocks live at once), then a linked list
# of 10^5 nodes built and freed.  In the kernel every call goes through the executor's heap table.
HEAP_WORK = """#define HB_PAIRS 1000000
#define HB_NODES 100000
struct hb_node { struct hb_node *next; long v; };
double hb_best(int reps) {
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        void *ring[64] = {0};
        unsigned s = 12345;
        long sum = 0;
        for (long i = 0; i < HB_PAIRS; i++) {
            s = s * 1103515245u + 12345u;
            int k = (int)((s >> 8) & 63);
            free(ring[k]);
            ring[k] = malloc(8 + (s >> 16) % 512);
            ((char *)ring[k])[0] = (char)i;
        }
        for (int k = 0; k < 64; k++) free(ring[k]);
        struct hb_node *head = NULL;
        for (long i = 0; i < HB_NODES; i++) {
            struct hb_node *n = malloc(sizeof *n);
            n->v = i;
            n->next = head;
            head = n;
        }
        while (head) {
            struct hb_node *next = head->next;
            sum += head->v;
            free(head);
            head = next;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
        if (sum != (long)HB_NODES * (HB_NODES - 1) / 2) printf("wrong sum %ld\\n", sum);
        if (sec < best) best = sec;
    }
    return best;
}
"""
HEAP_RUN = 'printf("CELLC_BENCH %.9f\\n", hb_best(3));\n'
PLAIN_HEAD = "#include <stdio.h>\n#include <time.h>\n"
NOINLINE = "__attribute__((noinline, noipa)) "  # noipa: gcc must not peek into the callee either


def compute(calls: int, rounds: int, logs: Path) -> list[Row]:
    """Call cost at -O0 and -O2, the matmul and the malloc-heavy cell at -O2: kernel vs plain gcc programs."""
    rows = {
        "O0": Row("call into an earlier cell's function, -O0", unit="ns/call", goal=1.3),
        "O2": Row("call into an earlier cell's function, -O2", unit="ns/call", goal=1.3),
        "mm": Row("256x256 double matmul at -O2", unit="ms", goal=1.05),
        "heap": Row("10^6 malloc/free + 10^5-node list at -O2", unit="ms", goal=3.0),
    }
    kernel = Kernel("cellc", logs / "compute.log")
    scratch = Scratch()
    try:
        kernel.execute(HEADERS + "#include <time.h>\n").check("include cell")
        kernel.execute(CALLEE.format(tag="O0")).check("callee -O0")
        kernel.execute(CALLER.format(tag="O0")).check("caller -O0")
        kernel.execute("%cflags -O2").check("%cflags -O2")
        kernel.execute(CALLEE.format(tag="O2")).check("callee -O2")
        kernel.execute(CALLER.format(tag="O2")).check("caller -O2")
        kernel.execute(MATMUL + "mm_fill();\n").check("matmul definitions")
        kernel.execute(HEAP_WORK).check("malloc-heavy definitions")
        programs = {}
        for tag, flag in (("O0", "-O0"), ("O2", "-O2")):
            src = (
                PLAIN_HEAD
                + NOINLINE
                + CALLEE.format(tag=tag)
                + NOINLINE
                + CALLER.format(tag=tag)
                + "int main(void) {\n"
                + CALL_RUN.format(tag=tag, calls=calls)
                + "return 0;\n}\n"
            )
            programs[tag] = (f"calls_{tag}", src, [flag])
        programs["mm"] = (
            "matmul",
            PLAIN_HEAD + MATMUL + "int main(void) {\nmm_fill();\n" + MM_RUN + "return 0;\n}\n",
            ["-O2"],
        )
        programs["heap"] = (
            "heap",
            PLAIN_HEAD + "#include <stdlib.h>\n" + HEAP_WORK + "int main(void) {\n" + HEAP_RUN + "return 0;\n}\n",
            ["-O2"],
        )
        cell_code = {
            "O0": CALL_RUN.format(tag="O0", calls=calls),
            "O2": CALL_RUN.format(tag="O2", calls=calls),
            "mm": MM_RUN,
            "heap": HEAP_RUN,
        }
        ours: dict[str, list[float]] = {k: [] for k in rows}
        theirs: dict[str, list[float]] = {k: [] for k in rows}
        for r in range(rounds):  # alternate kernel and plain program; keep the best of everything
            for key in rows:
                out = kernel.execute(cell_code[key]).check(rows[key].name).stdout
                ours[key].append(bench_value(out))
                name, src, flags = programs[key]
                theirs[key].append(bench_value(scratch.build_and_run(name, src, flags)))
            log(f"  compute: round {r + 1}/{rounds}")
    finally:
        kernel.shutdown()
        scratch.close()
    for key, row in rows.items():
        scale = 1e9 / calls if key in ("O0", "O2") else 1e3
        row.measured, row.reference = min(ours[key]) * scale, min(theirs[key]) * scale
        row.raw = {"kernel_s": ours[key], "plain_s": theirs[key]}
    for key in ("O0", "O2"):
        rows[key].note = (
            f"{calls // 1_000_000}M calls, best of {3 * rounds}; plain program: "
            f"gcc -{key} with __attribute__((noinline, noipa))"
        )
    rows["mm"].note = f"best of {3 * rounds}; plain program: gcc -O2; kernel: %cflags -O2"
    rows["heap"].note = (
        f"best of {3 * rounds}; plain program: gcc -O2 (glibc's malloc alone); "
        "kernel: %cflags -O2, every call recorded in the executor's heap table"
    )
    return list(rows.values())


# -- 5. kernel startup ----------------------------------------------------------------
def startup(n: int, logs: Path) -> Row:
    row = Row("kernel startup (launch -> kernel_info_reply)", unit="ms", goal=1.3)
    times: dict[str, list[float]] = {"cellc": [], "python3": []}
    for i in range(n + 1):  # the first launch of each warms the page cache and is not counted
        for name in times:
            k = Kernel(name, logs / f"startup-{name}.log")
            if i:
                times[name].append(k.startup)
            k.shutdown()
    row.measured, row.reference = median(times["cellc"]) * 1e3, median(times["python3"]) * 1e3
    row.note = f"median of {n} launches each, alternating; reference = ipykernel's python3"
    row.raw = {k: v for k, v in times.items()}
    return row


# -- 8. back to back: cells as "Run All" sends them ------------------------------------------
def defining_cell(i: int) -> str:
    """A cell as notebooks have them: a global, a function, a statement."""
    return f"int g{i} = {i};\nint f{i}(int a) {{ return a + g{i}; }}\nx += f{i}(1);"


def one_program(cells: list[str]) -> str:
    """The same code as one C file, as a user would write it: definitions, then main."""
    defs = [c.rsplit("\n", 1)[0] for c in cells]
    stmts = [c.rsplit("\n", 1)[1] for c in cells]
    body = "\n    ".join(stmts)
    return (
        HEADERS + "int x = 0;\n" + "\n".join(defs) + f'\nint main(void) {{\n    {body}\n    printf("%d\\n", x);\n}}\n'
    )


def back_to_back(n_trivial: int, n_flat: int, logs: Path) -> list[Row]:
    """Cells sent as soon as the previous reply (and idle) arrives: no gap for the kernel."""
    trivial = Row("trivial cell, back to back", unit="ms", goal=0.5)
    flat = Row(
        f"flatness, back to back: cells {n_flat * 9 // 10}-{n_flat} vs 10-{10 + n_flat // 10}", unit="ms", goal=1.15
    )
    mem = Row(f"executor memory per defining cell after {n_flat} (Pss)", unit="KiB", goal=64, absolute=True)
    scratch = Scratch()
    kernel = Kernel("cellc", logs / "back-to-back.log")
    try:
        kernel.execute(HEADERS + "int x = 0;").check("setup")
        cells = [kernel.execute(f"x++; // {i}").check("trivial").latency for i in range(n_trivial)]
        src = scratch.path / "x.c"
        refs = []
        for i in range(n_trivial):
            src.write_text(HEADERS + f"extern int x; void cell_{i}(void) {{ x++; }}\n")
            refs.append(scratch.timed(["gcc", "-shared", "-fPIC", "-o", "x.so", "x.c"]))
        trivial.measured, trivial.reference = median(cells) * 1e3, median(refs) * 1e3
        trivial.note = f"median of {n_trivial} `x++;` cells in a row, then as many gcc -shared -fPIC of the same code"
        before = settle_tree(kernel.pid)
        lat = []
        for i in range(1, n_flat + 1):
            lat.append(kernel.execute(defining_cell(i)).check(f"defining cell {i}").latency)
            if i % 100 == 0:
                log(f"  back to back: {i}/{n_flat} cells, last {lat[-1] * 1e3:.0f} ms")
        after = settle_tree(kernel.pid)
        early, late = lat[9 : 10 + n_flat // 10], lat[n_flat * 9 // 10 - 1 :]
        flat.measured, flat.reference = median(late) * 1e3, median(early) * 1e3
        flat.note = f"medians of {len(late)} and {len(early)} cells like `{defining_cell(7)!r}`"
        flat.raw = {"latency_s": lat}
        pss = sum(p.pss for p in after) - sum(p.pss for p in before)
        mem.measured = pss / n_flat
        mem.note = f"executor tree Pss {sum(p.pss for p in before)} -> {sum(p.pss for p in after)} KiB"
    finally:
        kernel.shutdown()
        scratch.close()
    return [trivial, flat, mem]


def run_all(n: int, logs: Path) -> list[Row]:
    """A notebook of n defining cells: every execute_request queued at once (JupyterLab's Run
    All), and through nbclient (one at a time); against gcc building and running it as one program."""
    queued = Row(f"Run All of {n} cells, all requests queued", unit="ms", goal=5)
    serial = Row("  same through nbclient (one request at a time)", unit="ms")  # each cell alone: no batch
    cells = [HEADERS + "int x = 0;", *(defining_cell(i) for i in range(1, n))]
    scratch = Scratch()
    try:
        (scratch.path / "prog.c").write_text(one_program(cells[1:]))
        refs = []
        for _ in range(3):
            build = scratch.timed(["gcc", "-o", "prog", "prog.c"])
            refs.append(build + scratch.timed(["./prog"]))
        floor = min(refs) * 1e3
        kernel = Kernel("cellc", logs / "run-all.log")
        try:
            start = time.perf_counter()
            ids = [kernel.kc.execute(code, allow_stdin=False) for code in cells]
            statuses = [kernel.reply(msg_id, "run all")["content"]["status"] for msg_id in ids]
            queued.measured = (time.perf_counter() - start) * 1e3
            if statuses.count("ok") != n:
                raise RuntimeError(f"Run All: {n - statuses.count('ok')} cells failed")
        finally:
            kernel.shutdown()
        queued.reference = floor
        queued.note = "reference: gcc -o prog prog.c && ./prog of the same code as one file (best of 3)"
        import nbformat
        from nbclient import NotebookClient

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nb.metadata["kernelspec"] = {"name": "cellc", "display_name": "C (cellc)", "language": "c"}
        client = NotebookClient(nb, kernel_name="cellc", timeout=600)
        start = time.perf_counter()
        with client.setup_kernel():
            ready = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        serial.measured, serial.reference = (time.perf_counter() - ready) * 1e3, floor
        serial.note = f"kernel start ({(ready - start) * 1e3:.0f} ms) not counted"
    finally:
        scratch.close()
    return [queued, serial]


# -- 7. memory of a whole kernel ------------------------------------------------------------
def _kernel_pss(kernel: Kernel) -> tuple[int, int]:
    """(the kernel process's Pss, its executor tree's Pss), KiB."""
    own = 0
    for line in Path(f"/proc/{kernel.pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            own = int(line.split()[1])
    return own, sum(p.pss for p in settle_tree(kernel.pid))


def kernel_memory(n: int, logs: Path) -> list[Row]:
    """What one student's kernel costs a shared server: idle, and after a notebook's worth of cells."""
    idle = Row("kernel memory, idle (kernel + executor tree, Pss)", unit="MiB", absolute=True)
    busy = Row(f"kernel memory after {n} cells", unit="MiB", absolute=True)
    reference = Kernel("python3", logs / "memory-python3.log")
    try:
        python_idle = sum(_kernel_pss(reference)) / 1024
    finally:
        reference.shutdown()
    kernel = Kernel("cellc", logs / "memory.log")
    try:
        kernel.execute("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>").check("memory setup")
        own, tree = _kernel_pss(kernel)
        idle.measured, idle.reference = (own + tree) / 1024, python_idle
        idle.note = f"kernel {own / 1024:.0f} + executor tree {tree / 1024:.0f} MiB; reference: ipykernel python3, idle"
        for i in range(1, n + 1):
            code = (
                f"int g_{i} = {i};\nint f_{i}(int a) {{ return a + g_{i}; }}\n"
                f'char *s_{i} = "cell {i}";\nif (f_{i}(1) != {i + 1}) printf("%s\\n", s_{i});'
            )
            kernel.execute(code).check(f"memory cell {i}")
        own, tree = _kernel_pss(kernel)
        busy.measured, busy.reference = (own + tree) / 1024, idle.measured
        busy.note = f"kernel {own / 1024:.0f} + executor tree {tree / 1024:.0f} MiB; reference: the same kernel idle"
    finally:
        kernel.shutdown()
    return [idle, busy]


# -- 9. %save / %load of a large heap ----------------------------------------------------
PERSIST_CELLS = [
    HEADERS,
    "struct node { int value; struct node *next; };\nstruct node *head;\nint length;",
    "void push(int v) { struct node *n = malloc(sizeof *n); n->value = v; n->next = head; head = n; length++; }",
    "long sum(void) { long s = 0; for (struct node *p = head; p; p = p->next) s += p->value; return s; }",
]


def persist(nodes: int, rounds: int, logs: Path) -> list[Row]:
    """`%save` and `%load` of a program whose list has `nodes` heap blocks: the save against
    the cell that built the list, the load against running the notebook's cells again."""
    save = Row(f"%save of a {nodes:,}-node list", unit="ms")
    load = Row("  %load of it into an empty program", unit="ms")
    build = f"for (int i = 0; i < {nodes}; i++) push(i % 1000);"
    expected = (nodes // 1000) * 499500 + sum(range(nodes % 1000))
    kernel = Kernel("cellc", logs / "persist.log")
    scratch = Scratch()
    path = scratch.path / "list.json"
    times: dict[str, list[float]] = {"save": [], "load": [], "build": [], "rerun": []}
    try:
        for r in range(rounds):
            kernel.execute("%reset -f").check("%reset -f")
            rerun = sum(kernel.execute(cell).check("list cells").latency for cell in PERSIST_CELLS)
            built = kernel.execute(build).check("build the list")
            times["build"].append(built.latency)
            times["rerun"].append(rerun + built.latency)
            saved = kernel.execute(f"%save {path}").check("%save")
            times["save"].append(saved.latency)
            kernel.execute("%reset -f").check("%reset -f")
            loaded = kernel.execute(f"%load {path}").check("%load")
            times["load"].append(loaded.latency)
            out = kernel.execute('printf("%ld %d\\n", sum(), length);').check("after %load").stdout
            if out.split() != [str(expected), str(nodes)]:
                raise RuntimeError(f"after %load the list holds {out.strip()!r}, not {expected} {nodes}")
            log(f"  persist: round {r + 1}/{rounds}, save {saved.latency:.2f} s, load {loaded.latency:.2f} s")
        size = path.stat().st_size
    finally:
        kernel.shutdown()
        scratch.close()
    save.measured, save.reference = median(times["save"]) * 1e3, median(times["build"]) * 1e3
    load.measured, load.reference = median(times["load"]) * 1e3, median(times["rerun"]) * 1e3
    save.note = (
        f"median of {rounds}; file {size / 2**20:.1f} MiB; reference = the cell `{build}` that built the list "
        "(compile + run, round trip)"
    )
    load.note = (
        f"median of {rounds}, after %reset -f; reference = the notebook run again: its {len(PERSIST_CELLS)} "
        "defining cells and the building cell (the sum of their round trips)"
    )
    save.raw = {k: times[k] for k in ("save", "build")}
    load.raw = {k: times[k] for k in ("load", "rerun")}
    return [save, load]


# -- report ----------------------------------------------------------------------------
def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ns/call":
        return f"{value:.2f} ns"
    if unit in ("KiB", "MiB"):
        return f"{value:.1f} {unit}"
    if unit == "":
        return f"{value:.2f}"
    return f"{value:.1f} ms"


def print_table(rows: list[Row]) -> None:
    head = ["row", "measured", "reference", "ratio", "goal", "met"]
    lines = []
    for row in rows:
        goal = "-" if row.goal is None else (f"<= {row.goal:g} {row.unit}" if row.absolute else f"<= {row.goal:g}x")
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
        lines.append([row.name, fmt(row.measured, row.unit), fmt(row.reference, row.unit), ratio, goal, row.met])
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    sep = "  "
    print(sep.join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print(sep.join("-" * w for w in widths))
    for line in lines:
        print(sep.join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))))
    print()
    for row in rows:
        if row.note or row.error:
            print(f"- {row.name.strip()}: {row.error or row.note}")


def main() -> int:
    ap = argparse.ArgumentParser(description="cellc performance table")
    ap.add_argument("--quick", action="store_true", help="few repetitions and cells: a smoke run")
    ap.add_argument("--json", metavar="PATH", help="also write the machine, rows and raw numbers as JSON")
    ap.add_argument("--no-profile", action="store_true", help="skip the in-process breakdown of a trivial cell")
    ap.add_argument("--only", nargs="+", metavar="WORD", help="run only the sections whose title has one of these")
    args = ap.parse_args()
    quick = args.quick
    cfg = {
        "trivial_n": 5 if quick else 30,
        "flat_n": 60 if quick else 300,
        "calls": 2_000_000 if quick else 20_000_000,
        "rounds": 1 if quick else 5,
        "startup_n": 2 if quick else 5,
        "memory_cells": 20 if quick else 100,
        "b2b_n": 100 if quick else 1000,
        "run_all_n": 60 if quick else 300,
        "persist_nodes": 100_000,
        "persist_rounds": 1 if quick else 3,
    }
    started = time.perf_counter()
    info = machine()
    print("cellc benchmarks" + (" (--quick: smoke run, numbers are rough)" if quick else ""))
    print(f"machine: {info['nproc']} CPUs, {info['cpu']}, {info['memory']}, Linux {info['kernel']}")
    print(f"tools: {info['gcc']}; {info['ld']}; Python {info['python']}; load average at start {info['loadavg']}")
    print()

    rows: list[Row] = []
    logdir = Path(tempfile.mkdtemp(prefix="cellc-bench-logs-"))

    def section(title: str, fn: Callable[[], Row | list[Row]], names: list[str]) -> None:
        if args.only and not any(word.lower() in title.lower() for word in args.only):
            return
        log(f"{title}...")
        t = time.perf_counter()
        try:
            got = fn()
            rows.extend(got if isinstance(got, list) else [got])
        except Exception as e:  # a crashed benchmark is reported, the others still run
            traceback.print_exc()
            rows.extend(Row(n, error=f"{type(e).__name__}: {e}".splitlines()[0]) for n in names)
        log(f"  {time.perf_counter() - t:.1f} s")

    section(
        "trivial cell round trip (+ in-process profile)",
        lambda: trivial_cell(cfg["trivial_n"], logdir, not args.no_profile),
        ["trivial cell round trip"],
    )
    section("full-prelude retry", lambda: prelude_fallback(cfg["trivial_n"], logdir), ["full-prelude retry"])
    section("flatness + memory", lambda: flatness(cfg["flat_n"], logdir), ["flatness", "executor memory"])
    section(
        "call cost + matmul + malloc",
        lambda: compute(cfg["calls"], cfg["rounds"], logdir),
        ["call cost -O0", "call cost -O2", "matmul -O2", "malloc-heavy -O2"],
    )
    section("kernel startup", lambda: startup(cfg["startup_n"], logdir), ["kernel startup"])
    section("kernel memory", lambda: kernel_memory(cfg["memory_cells"], logdir), ["kernel memory"])
    section(
        "back to back",
        lambda: back_to_back(cfg["trivial_n"], cfg["b2b_n"], logdir),
        ["trivial cell, back to back", "flatness, back to back", "executor memory per defining cell"],
    )
    section("Run All", lambda: run_all(cfg["run_all_n"], logdir), ["Run All", "  same through nbclient"])
    section(
        "%save/%load of a large heap",
        lambda: persist(cfg["persist_nodes"], cfg["persist_rounds"], logdir),
        ["%save of a list", "  %load of it"],
    )

    print_table(rows)
    trivial = next((r for r in rows if r.name == "trivial cell round trip" and r.measured), None)
    profile_result = trivial.raw.pop("profile", None) if trivial else None
    if profile_result:
        from profile_cell import print_profile

        print_profile(profile_result, trivial.measured / 1e3, median(trivial.raw["comment_cell_s"]))
    print(
        f"\nkernel logs: {logdir}; total {time.perf_counter() - started:.0f} s; load average now "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    if args.json:
        data = {
            "machine": info,
            "config": cfg,
            "rows": [{**asdict(r), "ratio": r.ratio, "met": r.met} for r in rows],
            "profile": profile_result,
        }
        Path(args.json).write_text(json.dumps(data, indent=1))
    return 1 if any(r.error for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
