"""A C course graded by nbgrader: examples/course (its nbgrader_config.py, the source notebook and
seven submissions) run through real nbgrader in a temporary copy: generate_assignment, autograde,
generate_feedback. Each submission's points per test cell are what docs/teaching.md promises."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader")
from nbgrader.api import Gradebook  # noqa: E402 - only once nbgrader is known to be there

pytestmark = pytest.mark.slow  # about a minute: three nbgrader runs, six kernels, a 10 s timeout

COURSE = Path(__file__).parent.parent / "examples" / "course"
ASSIGNMENT = "linked_lists"
POINTS = {"test_length": 1, "test_sum": 1, "test_reverse": 2}

# points of each test cell, per submission in examples/course/submitted
GRADES = {
    # correct, with gcc warnings in an answer cell (unused variable) and in a test cell (its sum()
    # lost `const`: the test passes it a const pointer)
    "alice": {"test_length": 1, "test_sum": 1, "test_reverse": 2},
    # sum skips the first node; reverse returns the list unchanged: right for short lists only,
    # which the partial-credit test of reverse counts
    "bob": {"test_length": 1, "test_sum": 0, "test_reverse": 1},
    # sum(NULL) is a segmentation fault: only sum's test loses its point
    "carol": {"test_length": 1, "test_sum": 0, "test_reverse": 2},
    # reverse does not compile
    "dave": {"test_length": 1, "test_sum": 1, "test_reverse": 0},
    # length never ends: stopped by CELLC_CELL_TIMEOUT, the rest graded
    "erin": {"test_length": 0, "test_sum": 1, "test_reverse": 2},
    # the stubs as released: every test fails its assert
    "frank": {"test_length": 0, "test_sum": 0, "test_reverse": 0},
    # a cheat: wrong answers, and `#define NDEBUG` and `#define assert(x) ((void)0)` so that no test
    # could fail; each test cell undefines NDEBUG and includes <assert.h> again, as in one C file
    "grace": {"test_length": 0, "test_sum": 0, "test_reverse": 1},
}


def nbgrader(course: Path, *args: str) -> None:
    """Run an nbgrader command in the course directory, as a teacher would."""
    env = {
        **os.environ,
        # no user configuration, and no user kernelspec shadowing the cellc under test
        "JUPYTER_CONFIG_DIR": str(course.parent / "config"),
        "JUPYTER_DATA_DIR": str(course.parent / "data"),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    shutil.copytree(COURSE, root, ignore=shutil.ignore_patterns("release", "autograded", "feedback", "gradebook.db"))
    for command in ("generate_assignment", "autograde", "generate_feedback"):
        nbgrader(root, command, ASSIGNMENT)
    return root


def cell(course: Path, student: str, cell_id: str) -> nbformat.NotebookNode:
    nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return next(c for c in nb.cells if c.id == cell_id)


def test_the_released_notebook_has_the_c_stub(course: Path) -> None:
    nb = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    length = next(c for c in nb.cells if c.id == "length")
    assert length.source == (
        'int length(const struct node *list) {\n    /* YOUR CODE HERE */\n    assert(!"not implemented yet");\n}'
    )
    assert "BEGIN SOLUTION" not in "".join(c.source for c in nb.cells)


@pytest.mark.parametrize("student", GRADES)
def test_each_submission_gets_its_points(course: Path, student: str) -> None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        points = {grade.name: grade.score for grade in submission.grades}
    assert points == GRADES[student]
    total = sum(GRADES[student].values())
    feedback = (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert f"{ASSIGNMENT} (Score: {total:.1f} / {sum(POINTS.values()):.1f})" in feedback


def test_warnings_reach_the_graded_run_on_stdout(course: Path) -> None:
    """CELLC_WARNINGS=stdout (the config's extra_arguments) reached the kernel: gcc's warning is in
    the test cell's output, for the feedback, and nothing is on stderr, which would zero the cell."""
    outputs = cell(course, "alice", "test_sum").outputs
    assert [(o.output_type, o.name) for o in outputs] == [("stream", "stdout")]
    assert "discards 'const' qualifier" in outputs[0].text
    assert "unused variable 'i'" in cell(course, "alice", "length").outputs[0].text


def test_the_endless_loop_is_stopped_by_the_cell_timeout(course: Path) -> None:
    (error,) = [o for o in cell(course, "erin", "test_length").outputs if o.output_type == "error"]
    assert "more than 10 s (CELLC_CELL_TIMEOUT)" in error.evalue
