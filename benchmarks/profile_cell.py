"""Where a trivial cell's time goes: the interpreter's stages, timed in-process.

The real Interpreter runs real cells (real gcc, ld and executor); its stage
functions are wrapped with timers for the duration of the measurement only.
Then the tools are timed by hand on the very unit the interpreter generated
(gcc -c with and without the precompiled header, ld -shared), so the lead can
see which costs are gcc's floor and which are ours.  With --flat N, the stages
of early and late cells of an N-cell notebook instead, and the CPU a cell costs
each process (this one, gcc and ld, the executor tree's user and system time):
where the growth with the cell count is.

    python benchmarks/profile_cell.py [--cells N] [--cprofile] [--flat N]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import re
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import HEADERS, executor_cpu, median  # noqa: E402

from cellc_kernel import cellcompile as cellcompile_mod  # noqa: E402
from cellc_kernel import compile as compile_mod  # noqa: E402
from cellc_kernel import interpreter as interp_mod  # noqa: E402
from cellc_kernel.executor import Handlers  # noqa: E402
from cellc_kernel.interpreter import Interpreter  # noqa: E402
from cellc_kernel.linker import Linker  # noqa: E402
from cellc_kernel.parse import Splitter  # noqa: E402

#: (owner, attribute, stage name, top level) of what is timed; the owner's attribute is wrapped.
#: Top-level stages are consecutive steps of Interpreter.execute and add up to (almost) its total;
#: the others are parts of one of them.  Attributes the pipeline no longer has are skipped, so the
#: profile survives refactoring (it then shows up as "unaccounted").
STAGES = [
    (Splitter, "split", "parse (tree-sitter split)", True),
    (cellcompile_mod, "generate", "generate unit", True),
    (compile_mod.Compiler, "compile", "compile (total)", True),
    (compile_mod.Compiler, "_header", "  prelude header / PCH lookup", False),
    (cellcompile_mod, "read_symbols", "read symbols (pyelftools)", True),
    (Linker, "kinds_of", "undefined-name lookup", True),
    (Linker, "trampolines", "library trampolines", True),
    (compile_mod.Compiler, "assemble", "  assemble trampolines", False),
    (compile_mod.Compiler, "link", "link (total)", True),
    (Interpreter, "_run", "executor run (dlopen, call, fork)", True),
    (interp_mod, "complete_arrays", "complete arrays", True),
    (Interpreter, "_value", "value (DWARF + peek)", True),
    (Interpreter, "execute", "Interpreter.execute (total)", False),
]
TOP = {stage for _, _, stage, top in STAGES if top}


def _kind(argv: list[str]) -> str:
    """Which tool a subprocess.run call of the pipeline is."""
    name = os.path.basename(str(argv[0]))
    if name == "ld" or "-shared" in argv:
        return "  ld -shared (subprocess)"
    if "c-header" in argv:
        return "  gcc PCH build (subprocess)"
    if any(str(a).endswith((".s", ".S")) for a in argv) or name == "as":
        return "  gcc/as assembling .s (subprocess)"
    if "-c" in argv:
        return "  gcc -c (subprocess)"
    return f"  other subprocess ({name})"


@contextmanager
def timed_stages(times: dict[str, list[float]]):
    """Wrap the stage functions (and subprocess.run) with timers while inside."""
    saved = []

    def wrap(owner, attr: str, stage: str):
        original = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
        fn = original.__func__ if isinstance(original, staticmethod) else original

        @functools.wraps(fn)
        def timer(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                times[stage].append(time.perf_counter() - start)

        saved.append((owner, attr, original))
        setattr(owner, attr, staticmethod(timer) if isinstance(original, staticmethod) else timer)

    for owner, attr, stage, _ in STAGES:
        if (attr in owner.__dict__) if isinstance(owner, type) else hasattr(owner, attr):
            wrap(owner, attr, stage)
    real_run = subprocess.run

    def run(argv, *args, **kwargs):
        start = time.perf_counter()
        try:
            return real_run(argv, *args, **kwargs)
        finally:
            times[_kind(list(argv))].append(time.perf_counter() - start)

    subprocess.run = run
    try:
        yield
    finally:
        subprocess.run = real_run
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)


def _time_cmds(commands: dict[str, list[str]], cwd: Path, times: dict[str, list[float]]) -> None:
    """Run each command once, appending its seconds to `times`."""
    for name, argv in commands.items():
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd)
        times[name].append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stderr}")


class CellProfiler:
    """An in-process Interpreter whose trivial cells are timed stage by stage.

    `step()` runs one cell, then times the tools alone on the unit it generated;
    run.py interleaves steps with the kernel's round trips so all of them see
    the same machine load."""

    def __init__(self, cprofile: bool = False):
        self.interp = Interpreter()
        self.handlers = Handlers()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.tool_times: dict[str, list[float]] = defaultdict(list)
        self.prof = cProfile.Profile() if cprofile else None
        self.cells = 0
        try:
            self._ok(HEADERS, "include cell")
            for i in range(3):  # warm up: PCH build, first dlopen, Python caches
                self._ok(f"int w_{i} = {i};", "warm-up cell")
        except BaseException:
            self.interp.shutdown()
            raise

    def _ok(self, code: str, what: str):
        label = f"In[{self.interp.counter + 1}]"
        r = self.interp.execute(code, label, self.handlers)
        if not r.ok:
            raise RuntimeError(f"{what} failed: {r.traceback}")
        return r

    def step(self, tools: bool = True) -> None:
        """One timed trivial cell, then (if `tools`) one run of each tool alone."""
        i = self.cells
        with timed_stages(self.times):
            if self.prof:
                self.prof.enable()
            try:
                self._ok(f"int t_{i} = {i};", "trivial cell")
            finally:
                if self.prof:
                    self.prof.disable()
        self.cells += 1
        if tools:
            _time_cmds(_tool_commands(self.interp), self.interp.workdir, self.tool_times)

    def result(self) -> dict:
        """Per-cell medians of each stage and of each tool alone (seconds)."""
        stages = {k: median(xs) * len(xs) / max(1, self.cells) for k, xs in self.times.items()}
        tools = {k: median(xs) for k, xs in self.tool_times.items()}
        report = None
        if self.prof:
            buf = io.StringIO()
            pstats.Stats(self.prof, stream=buf).sort_stats("cumulative").print_stats(25)
            report = buf.getvalue()
        return {"stages": stages, "tools": tools, "cells": self.cells, "cprofile": report}

    def close(self) -> None:
        self.interp.shutdown()


def profile(cells: int = 20, cprofile: bool = False) -> dict:
    """Run a notebook of trivial cells in-process; per-stage medians (seconds) and tool timings."""
    profiler = CellProfiler(cprofile)
    try:
        for _ in range(cells):
            profiler.step()
        return profiler.result()
    finally:
        profiler.close()


def profile_flatness(n: int = 300) -> dict[str, tuple[float, float]]:
    """Per-stage medians (s) of cells 10-40 and 270-300 (scaled to n) of the
    flatness notebook, then the CPU a cell costs each process in those windows
    (a stage's time grows too when another process takes the CPU it needs)."""
    e0, e1 = max(1, round(n * 10 / 300)), round(n * 40 / 300)
    l0 = round(n * 270 / 300)
    interp = Interpreter()
    per_cell: list[dict[str, float]] = []
    marks: dict[int, tuple[float, ...]] = {}

    def cpu() -> tuple[float, ...]:
        t = os.times()
        return (t.user + t.system, t.children_user + t.children_system, *executor_cpu(interp.executor))

    try:
        for i in range(1, n + 1):
            if i in (e0, l0):
                marks[i] = cpu()
            times: dict[str, list[float]] = defaultdict(list)
            code = f"int g_{i} = {i}; int f_{i}(void) {{ return g_{i} + 1; }} f_{i}();"
            with timed_stages(times):
                r = interp.execute(code, f"In[{i}]", Handlers())
            if not r.ok:
                raise RuntimeError(f"flatness cell {i} failed: {r.traceback}")
            per_cell.append({k: sum(v) for k, v in times.items()})
            if i in (e1, n):
                marks[i] = cpu()
    finally:
        interp.shutdown()
    early, late = per_cell[e0 - 1 : e1], per_cell[l0 - 1 :]
    stages = list(dict.fromkeys(k for cell in per_cell for k in cell))
    result = {k: (median([c.get(k, 0.0) for c in early]), median([c.get(k, 0.0) for c in late])) for k in stages}
    owners = ["CPU: this process", "CPU: gcc and ld", "CPU: executor tree, user", "CPU: executor tree, system"]
    for i, owner in enumerate(owners):
        result[owner] = tuple(  # type: ignore[assignment]
            (marks[end][i] - marks[start][i]) / (end - start + 1) for start, end in ((e0, e1), (l0, n))
        )
    return result


def _tool_commands(interp: Interpreter) -> dict[str, list[str]]:
    """The tools alone on the newest generated unit: gcc's floor under our flags."""
    work = interp.workdir
    compiler = interp.compiler
    flags = compiler.flags()
    src = max(work.glob("cell*.c"), key=lambda p: int(p.stem[4:]))
    text = src.read_text()
    obj = work / "bench-probe.o"
    commands: dict[str, list[str]] = {
        "gcc -c cell unit, with PCH": [compiler.gcc, *flags, "-c", "-o", str(obj), str(src)]
    }
    nog = [f for f in flags if f != "-g"]
    commands["gcc -c cell unit, with PCH, no -g"] = [compiler.gcc, *nog, "-c", "-o", str(obj), str(src)]
    m = re.search(r'^#include "([^"]+)"\n', text, re.M)
    if m and Path(m.group(1)).exists():
        nopch = work / "bench-nopch.c"
        nopch.write_text(text[: m.start()] + Path(m.group(1)).read_text() + "\n" + text[m.end() :])
        commands["gcc -c cell unit, headers parsed (no PCH)"] = [compiler.gcc, *flags, "-c", "-o", str(obj), str(nopch)]
    empty = work / "bench-empty.c"
    empty.write_text("")
    commands["gcc -c empty file, same flags"] = [compiler.gcc, *flags, "-c", "-o", str(obj), str(empty)]
    commands["gcc -c empty file, no flags"] = [compiler.gcc, "-c", "-o", str(obj), str(empty)]
    commands["ld -shared cell object"] = [
        compiler.ld or "ld",
        "-shared",
        "-o",
        str(work / "bench-probe.so"),
        str(src.with_suffix(".o")),
    ]
    ref = work / "bench-ref.c"
    ref.write_text(HEADERS + "void cell(void) { int t = 1; (void)t; }\n")
    commands["gcc -shared -fPIC of 4 headers + 1 line (ref)"] = [
        "gcc",
        "-shared",
        "-fPIC",
        "-o",
        str(work / "bench-ref.so"),
        str(ref),
    ]
    commands["spawn /bin/true (subprocess.run)"] = ["true"]
    return commands


def print_profile(result: dict, round_trip: float | None = None, empty_trip: float | None = None) -> None:
    """A short breakdown table.

    `round_trip` and `empty_trip` (seconds) are the kernel's medians for the trivial
    cell and for a cell with nothing to compile, measured interleaved with this profile."""
    stages, tools = result["stages"], result["tools"]
    total = stages.get("Interpreter.execute (total)", float("nan"))
    print(f"\nWhere a trivial cell's time goes (in-process Interpreter, median of {result['cells']} cells):")
    order = list(dict.fromkeys(stage for _, _, stage, _ in STAGES)) + sorted(
        k for k in stages if k.startswith("  ") and k not in {st for _, _, st, _ in STAGES}
    )
    for stage in order:
        if stage in stages:
            share = f"{100 * stages[stage] / total:5.1f}%" if total == total and total > 0 else ""
            print(f"  {stage:<44} {stages[stage] * 1e3:8.2f} ms  {share}")
    named = sum(t for stage, t in stages.items() if stage in TOP)
    print(f"  {'unaccounted inside execute':<44} {(total - named) * 1e3:8.2f} ms")
    if round_trip is not None:
        print(f"  {'kernel round trip of the same cell':<44} {round_trip * 1e3:8.2f} ms")
        print(f"  {'  minus Interpreter.execute (kernel+protocol)':<44} {(round_trip - total) * 1e3:8.2f} ms")
    if empty_trip is not None:
        print(f"  {'kernel round trip of a comment-only cell':<44} {empty_trip * 1e3:8.2f} ms")
    print("Tools alone on the newest generated unit, interleaved with the cells (median):")
    for name, t in tools.items():
        print(f"  {name:<44} {t * 1e3:8.2f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=30, help="trivial cells to time (default 30)")
    ap.add_argument("--cprofile", action="store_true", help="also print cProfile's top functions")
    ap.add_argument("--flat", type=int, metavar="N", help="instead: stages of early vs late cells of N flatness cells")
    args = ap.parse_args()
    if args.flat:
        result = profile_flatness(args.flat)
        print(f"Flatness notebook of {args.flat} cells, in-process, per-stage medians, then CPU per cell (ms):")
        print("  early / late / ratio")
        for stage, (early, late) in result.items():
            ratio = f"{late / early:5.2f}x" if early > 0 else ""
            print(f"  {stage:<44} {early * 1e3:8.2f} {late * 1e3:8.2f}  {ratio}")
        return 0
    result = profile(args.cells, cprofile=args.cprofile)
    print_profile(result)
    if result["cprofile"]:
        print(result["cprofile"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
