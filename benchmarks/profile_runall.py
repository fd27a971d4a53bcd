"""Where a queued "Run All" spends its time, in-process (no ipykernel).

The 300-cell notebook of run.py's Run All row goes through a real Interpreter
as the kernel gives it cells: each with the cells queued after it, so batches
and the batch built on a thread are the kernel's.  Prints the wall time, the
CPU of this process (and its main thread), of gcc/ld and of the executor
tree, the main thread's waits (the executor's run and ready, the join of the
batch built ahead), the time spent planning and building batches (on any
thread: near the whole run, the cells wait for the build), and with
--cprofile the top functions of every thread (wall time: a thread waiting for
the GIL counts in the call that gave it up).

    python benchmarks/profile_runall.py [--cells 300] [--cprofile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import HEADERS, executor_cpu  # noqa: E402
from run import defining_cell  # noqa: E402

from cellc_kernel import executor as executor_mod  # noqa: E402
from cellc_kernel import runall as runall_mod  # noqa: E402
from cellc_kernel.batch import MAX_CELLS  # noqa: E402
from cellc_kernel.executor import Handlers  # noqa: E402
from cellc_kernel.interpreter import Interpreter  # noqa: E402


def _timed(owner, attr: str, waits: dict[str, float], key: str, static: bool = False) -> None:
    original = getattr(owner, attr)

    def timer(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            waits[key] += time.perf_counter() - start

    setattr(owner, attr, staticmethod(timer) if static else timer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=300)
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()
    cells = [HEADERS + "int x = 0;", *(defining_cell(i) for i in range(1, args.cells))]
    waits = {"executor run (incl. ready)": 0.0, "  of which ready": 0.0, "join of the batch built ahead": 0.0}
    _timed(executor_mod.Executor, "run", waits, "executor run (incl. ready)")
    _timed(executor_mod.Executor, "_wait_ready", waits, "  of which ready")
    _timed(runall_mod.RunAll, "_following", waits, "join of the batch built ahead", static=True)
    # Where batches are made (the first on the main thread, the others on the build thread):
    # when they take about the whole run, building is what the cells wait for.
    building = {"planned (front and generate)": 0.0, "built (gcc, ld, symbols)": 0.0}
    _timed(runall_mod.RunAll, "_plan_batch", building, "planned (front and generate)")
    _timed(runall_mod.RunAll, "_build_batch", building, "built (gcc, ld, symbols)")
    profiles: list[cProfile.Profile] = []
    if args.cprofile:
        run = threading.Thread.run

        def profiled(self):
            prof = cProfile.Profile()
            profiles.append(prof)
            prof.enable()
            try:
                run(self)
            finally:
                prof.disable()

        threading.Thread.run = profiled  # type: ignore[method-assign]
    interp = Interpreter()
    handlers = Handlers()
    try:
        if not interp.execute("int warm = 1;", "In[1]", handlers).ok:
            raise RuntimeError("the warm-up cell failed")
        labels = [f"In[{i + 2}]" for i in range(len(cells))]
        exec_before = sum(executor_cpu(interp.executor))
        for key in waits:
            waits[key] = 0.0
        main_prof = cProfile.Profile() if args.cprofile else None
        cpu, start, main_cpu = os.times(), time.perf_counter(), time.thread_time()
        if main_prof:
            main_prof.enable()
        for i, code in enumerate(cells):
            after_it = slice(i + 1, i + 1 + 2 * MAX_CELLS)
            interp.queued = list(zip(cells[after_it], labels[after_it], strict=True))
            result = interp.execute(code, labels[i], handlers)
            if not result.ok:
                raise RuntimeError(f"cell {i} failed: {result.traceback}")
        if main_prof:
            main_prof.disable()
        wall, after, main_cpu = time.perf_counter() - start, os.times(), time.thread_time() - main_cpu
        interp.executor.live()  # once the last cell's snapshot is forked
        exec_cpu = sum(executor_cpu(interp.executor))
        print(f"queued Run All of {len(cells)} cells, in-process: {wall * 1e3:.0f} ms")
        print(f"  this process CPU: {(after.user - cpu.user + after.system - cpu.system) * 1e3:.0f} ms")
        print(f"    of which the main thread: {main_cpu * 1e3:.0f} ms")
        tools = after.children_user - cpu.children_user + after.children_system - cpu.children_system
        print(f"  gcc and ld CPU: {tools * 1e3:.0f} ms")
        print(f"  executor tree CPU: {(exec_cpu - exec_before) * 1e3:.0f} ms")
        for key, seconds in waits.items():
            print(f"  main thread, {key}: {seconds * 1e3:.0f} ms")
        for key, seconds in building.items():
            print(f"  batches {key}: {seconds * 1e3:.0f} ms ({100 * seconds / wall:.0f}% of the run)")
        if main_prof:
            stats = pstats.Stats(main_prof)
            for prof in profiles:
                stats.add(prof)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
    finally:
        interp.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
