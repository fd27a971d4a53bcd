"""The undo history: which executor snapshot holds the program before each step.

Each step a cell (or `%lib`) made is kept with the model and libraries before
it and the snapshot process holding its state; `%undo` resumes that snapshot.
A cell that ran in place (threads were running) has no snapshot after it: undo
cannot cross it, and a failure goes back to before the first such cell
(`in_place_base`).  The executor keeps at most `max_snapshots`, so do we.
"""

from __future__ import annotations

from dataclasses import dataclass

from .executor import Executor, Outcome
from .limits import SNAPSHOT_MARGIN, format_size
from .model import Program


@dataclass
class UndoStep:
    """What %undo takes back: a cell (or %lib) and the program before it."""

    label: str
    program: Program
    libraries: list[str]
    snapshot: int  # the executor process that holds the state before it


@dataclass
class InPlaceBase:
    """The program before the first cell that ran in place: where a failure goes back to."""

    program: Program
    label: str
    libraries: list[str]


class UndoHistory:
    def __init__(self) -> None:
        self.steps: list[UndoStep] = []  # oldest first; one per snapshot the executor keeps
        self.in_place_base: InPlaceBase | None = None

    def __len__(self) -> int:
        return len(self.steps)

    def remember(
        self, label: str, outcome: Outcome, program: Program, libraries: list[str], executor: Executor
    ) -> None:
        """Keep the model before step `label` (which just succeeded) for undo and rollback."""
        if outcome.in_place or outcome.before is None:
            if self.in_place_base is None:
                self.in_place_base = InPlaceBase(program, label, list(libraries))
            self.steps.clear()
            executor.forget_snapshots()
            return
        self.in_place_base = None
        self.steps.append(UndoStep(label, program, list(libraries), outcome.before))
        del self.steps[: -executor.max_snapshots]

    def take_in_place_base(self) -> InPlaceBase | None:
        """The state a failure after in-place cells went back to (it is the program's again)."""
        base, self.in_place_base = self.in_place_base, None
        return base

    def undo(self, executor: Executor) -> UndoStep | str:
        """Resume the snapshot before the newest step: the step, or why nothing changed."""
        if not self.steps:
            return "nothing to undo"
        step = self.steps[-1]
        if executor.dropped.get(step.snapshot) == "memory":
            self.steps.clear()
            return (
                f"{step.label} cannot be undone: its snapshot was dropped to keep the program's memory "
                f"within its budget: twice the program's size plus {format_size(SNAPSHOT_MARGIN)} (see %limits)."
            )
        failure = executor.undo(step.snapshot)
        if failure == "lost":
            self.steps.clear()
            return (
                f"{step.label} cannot be undone: the saved state from before it is gone "
                "(a cell killed the process that held it); undo history starts again from here."
            )
        if failure:
            return failure
        return self.steps.pop()

    def clear(self) -> None:
        self.steps.clear()
        self.in_place_base = None
