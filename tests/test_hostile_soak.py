"""A randomized hostile notebook, checked after every cell against a program that never crashed.

tests/hostile_mix.py writes, from a seed, a notebook that mixes signals, timers, threads, forks,
stdin and crashes across cells, and models what each cell leaves in the program (its docstring
says why a model and not a second kernel).  Each cell is followed by `probe();`, which prints
every global, counter, disposition, the mask and what is pending in one line: the line must be
the model's, and each cell's status, error name, output and number of input requests what the
generator expects.  A failure names the seed and shows the cells before it, to replay it.

Longer soaks: `python tests/test_hostile_soak.py --seeds 1-50 [--cells 100]`.
"""

from __future__ import annotations

import argparse
import sys
import time

import pytest
from conftest import Kernel, Reply
from hostile_mix import Cell, Mix

SEEDS = [1, 2, 3, 4, 5]
CELLS = 100  # cells per seed, each followed by a probe
CELL_TIMEOUT = 30  # a hang fails the soak instead of CI


class Mismatch(AssertionError):
    """A cell whose answer is not the one a never-crashed program gives."""


def run(k: Kernel, cell: Cell) -> tuple[Reply, int]:
    """Run a cell, answering its input requests; returns the reply and how many it made."""
    asked: list[str] = []
    plain_input = k.kc.input

    def counting(text: str) -> None:
        asked.append(text)
        plain_input(text)

    k.kc.input = counting
    try:
        return k.execute(cell.code, stdin=list(cell.inputs), timeout=CELL_TIMEOUT), len(asked)
    finally:
        k.kc.input = plain_input


def check(cell: Cell, r: Reply, asked: int) -> list[str]:
    """What differs between the kernel's answer and the model's."""
    wrong: list[str] = []
    ename = r.errors[0]["ename"] if r.errors else None
    if r.status != ("error" if cell.error else "ok") or ename != cell.error:
        wrong.append(f"status {r.status} {ename}, expected {cell.error or 'ok'}:\n{r.error_text}")
    elif cell.error and "The program's state is as it was before this cell." not in r.error_text:
        wrong.append(f"the crash does not say the state was rolled back:\n{r.error_text}")
    if cell.stdout is None:
        if not cell.error and not r.stdout.startswith("Undid"):
            wrong.append(f"stdout {r.stdout!r}, expected an undo")
    elif r.stdout != cell.stdout:
        wrong.append(f"stdout {r.stdout!r}, expected {cell.stdout!r}")
    if asked != len(cell.inputs):
        wrong.append(f"{asked} input requests, expected {len(cell.inputs)}")
    return wrong


def soak(seed: int, cells: int) -> None:
    """Run the notebook of `seed` in a fresh kernel; Mismatch at the first wrong answer."""
    mix = Mix(seed)
    k = Kernel()
    transcript: list[str] = []

    def step(cell: Cell) -> None:
        r, asked = run(k, cell)
        transcript.append(f"[{cell.kind}{' ' + cell.error if cell.error else ''}]\n{cell.code}")
        wrong = check(cell, r, asked)
        if wrong:
            shown = "\n".join(transcript[-12:])
            raise Mismatch(f"seed {seed}, cell {len(transcript)}: " + "\n".join(wrong) + f"\n-- cells:\n{shown}")

    try:
        for cell in mix.setup():
            step(cell)
        for _ in range(cells):
            step(mix.next())
            step(mix.probe())
    finally:
        k.shutdown()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_random_hostile_notebook_keeps_the_state_of_a_program_that_never_crashed(seed):
    soak(seed, CELLS)


def _seeds(text: str) -> list[int]:
    """'1-50', '7', '1,4,9-12'."""
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += range(int(lo), int(hi or lo) + 1)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=_seeds, default=SEEDS, help="e.g. 1-50 or 3,8,10-12")
    parser.add_argument("--cells", type=int, default=CELLS, help="cells per seed (each followed by a probe)")
    args = parser.parse_args()
    failed: list[int] = []
    for seed in args.seeds:
        start = time.monotonic()
        try:
            soak(seed, args.cells)
            print(f"seed {seed}: ok ({time.monotonic() - start:.1f} s)", flush=True)
        except (Mismatch, TimeoutError) as e:
            failed.append(seed)
            print(f"seed {seed}: FAILED ({time.monotonic() - start:.1f} s)\n{e}\n", flush=True)
    print(f"{len(args.seeds) - len(failed)}/{len(args.seeds)} seeds ok" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
