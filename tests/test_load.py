"""Many users on one machine: eight kernels at once, each running a realistic notebook.

Every cell succeeds (or fails where the notebook means it to), no kernel sees another's output, and
after shutdown every process and file of every kernel is gone.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_lifecycle import IsolatedKernel, kill_leftovers, leftovers, sessions_of, wait_gone

pytestmark = pytest.mark.slow  # eight kernels at once

KERNELS = 8


def notebook(n: int) -> list[tuple[str, str | None, str]]:
    """(cell, expected stdout or None, expected status) of kernel n's notebook."""
    return [
        ("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>", "", "ok"),
        (f"int me = {n};\nint square(int x) {{ return x * x; }}", "", "ok"),
        ('printf("kernel %d: %d\\n", me, square(me));', f"kernel {n}: {n * n}\n", "ok"),
        ("struct point { int x, y; };\nstruct point p = { 1, 2 };", "", "ok"),
        ("int square(int x) { return x * x + me; }", "", "ok"),
        ('printf("%d %d\\n", square(3), p.x + p.y);', f"{9 + n} 3\n", "ok"),
        ("int *cells = malloc(1000 * sizeof *cells);\nfor (int i = 0; i < 1000; i++) cells[i] = i * me;", "", "ok"),
        ("*(volatile int *)0 = me;", None, "error"),
        (
            'long sum = 0; for (int i = 0; i < 1000; i++) sum += cells[i];\nprintf("%ld\\n", sum);',
            f"{499500 * n}\n",
            "ok",
        ),
        ('char name[32]; snprintf(name, sizeof name, "student-%d", me); puts(name);', f"student-{n}\n", "ok"),
        ("%undo", None, "ok"),
        ('printf("%d\\n", me);', f"{n}\n", "ok"),
    ]


def run_notebook(n: int, tmpdir: Path, results: dict[int, object]) -> None:
    try:
        k = IsolatedKernel(tmpdir, ready_timeout=300)  # eight start at once on a small machine
    except Exception as e:  # noqa: BLE001 - reported by the test
        results[n] = RuntimeError(f"kernel {n} did not start: {type(e).__name__}: {e}")
        return
    problems = []
    try:
        sessions: set[int] = set()
        for code, stdout, status in notebook(n):
            r = k.execute(code, timeout=300)
            if r.status != status or (stdout is not None and r.stdout != stdout):
                problems.append((code, r.status, r.stdout, r.error_text[-300:]))
            sessions |= sessions_of(k)
        results[n] = (problems, sessions)
    finally:
        k.shutdown()


def test_eight_kernels_at_once(tmp_path):
    dirs = {n: tmp_path / f"user{n}" for n in range(1, KERNELS + 1)}
    for d in dirs.values():
        d.mkdir()
    results: dict[int, object] = {}
    threads = [threading.Thread(target=run_notebook, args=(n, d, results)) for n, d in dirs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    assert len(results) == KERNELS, f"kernels that did not finish: {set(dirs) - set(results)}"
    sessions = set()
    for n, result in sorted(results.items()):
        assert not isinstance(result, Exception), (n, result)
        problems, theirs = result
        assert not problems, (n, problems)
        assert theirs, f"kernel {n} had no executor"
        sessions |= theirs
    left = wait_gone(sessions)
    kill_leftovers(left)
    assert not left, f"processes left after the kernels shut down: {left}"
    for n, d in dirs.items():
        assert not leftovers(d), (n, leftovers(d))
