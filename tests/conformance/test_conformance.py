"""gcc is the oracle: every corpus program and Csmith seed behaves in a notebook
as the same file built by gcc, whole (one cell) and split (one cell per item),
and the split notebook exported with `%export` behaves the same too.

The corpus is `corpus/*.c`; `CELLC_CSMITH_SEEDS` (default 1-30) picks the
Csmith seeds, `CELLC_CSMITH_EXPORT_SEEDS` (default 1-10) those also
exported; `harness.py` runs any number of them outside pytest."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .harness import CSMITH_INCLUDE, DEFAULT_CFLAGS, MODES, RUN_TIMEOUT, Session, check, csmith_program, seeds

pytestmark = pytest.mark.slow  # minutes: the corpus and Csmith programs, three ways each

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.c"))
SEEDS = seeds(os.environ.get("CELLC_CSMITH_SEEDS", "1-30"))
EXPORT_SEEDS = set(seeds(os.environ.get("CELLC_CSMITH_EXPORT_SEEDS", "1-10")))


@pytest.fixture(scope="module")
def session():
    s = Session()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def generated():
    path = Path(tempfile.mkdtemp(prefix="cellc-csmith-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _assert_same(result) -> None:
    assert result is not None, "gcc does not build it"
    assert result.ok, "\n" + result.report()


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_program(session, path):
    _assert_same(check(path, session, DEFAULT_CFLAGS))


@pytest.mark.skipif(shutil.which("csmith") is None, reason="csmith is not installed (apt-get install csmith)")
@pytest.mark.parametrize("seed", SEEDS)
def test_csmith_seed(session, generated, seed):
    path = csmith_program(seed, generated)
    assert path is not None, f"csmith failed for seed {seed}"
    modes = MODES if seed in EXPORT_SEEDS else [m for m in MODES if m != "export"]
    result = check(path, session, [*DEFAULT_CFLAGS, "-I" + CSMITH_INCLUDE], modes)
    if result is None:
        pytest.skip(f"gcc's program for seed {seed} does not finish within {RUN_TIMEOUT} s")
    _assert_same(result)
