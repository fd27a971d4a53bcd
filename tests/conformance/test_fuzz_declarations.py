"""A few seeds of `fuzz_declarations.py`: every declaration gcc sees in the
generated file reaches a later cell, whole and split, or a cell says why not.
`CELLC_FUZZ_SEEDS` (default 1-30, under a minute) picks them; the script runs any number."""

from __future__ import annotations

import os

import pytest

from .fuzz_declarations import DEFAULT_CFLAGS, GENERATED, Fuzzer, Generator, gcc
from .harness import seeds

SEEDS = seeds(os.environ.get("CELLC_FUZZ_SEEDS", "1-30"))


@pytest.fixture(scope="module")
def fuzzer():
    f = Fuzzer(DEFAULT_CFLAGS)
    yield f
    f.stop()


@pytest.mark.parametrize("seed", SEEDS)
def test_no_declaration_dropped(fuzzer, seed):
    cells = Generator(seed).items()
    if gcc(["-fsyntax-only"], "\n".join(cells), fuzzer.workdir, DEFAULT_CFLAGS).returncode != 0:
        pytest.skip("gcc rejects the generated file")
    for outcome in fuzzer.check(cells):
        assert not outcome.problem, f"[{outcome.mode}] {outcome.problem}\n--- cells:\n" + "\n--\n".join(cells)
        assert not GENERATED.search(outcome.rejected)
