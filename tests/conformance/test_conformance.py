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


# A known intermittent bug, older than the mark, kept visible (xfail runs the test and says so):
# in "Run All" (queued), b101's last three lines of output sometimes come out twice (the workers'
# fork with SIGCHLD ignored, then a blocked SIGUSR1); `harness.py --mode queued` on it alone
# shows it in about one run of three.  Remove the mark with the fix.
KNOWN_INTERMITTENT = {
    "b101_alarm_and_children": "queued Run All intermittently repeats the last cells' output",
}


def _corpus_param(path: Path):
    reason = KNOWN_INTERMITTENT.get(path.stem)
    marks = [pytest.mark.xfail(reason=reason, strict=False)] if reason else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_corpus_param(p) for p in CORPUS])
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
