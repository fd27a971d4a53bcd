"""How a cell that did not end well is reported.

Every way a run can end badly (a fatal signal with its call stack, `exit`, an
interrupt, the cell timeout, the process limit, a function declared and never
defined, the kernel's channel closed or written into, the executor lost) becomes
one error with a sentence on the program's state after it.  The stopped copy of
a process that crashed is kept here for `%debug` (crash.py reads it).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import crash, names
from .executor import Ending, Outcome
from .limits import Limits, format_size
from .result import CellResult, error

SIGNAL_NAMES = {
    "SEGV": "Segmentation fault",
    "BUS": "Bus error",
    "FPE": "Floating point exception",
    "ILL": "Illegal instruction",
    "ABRT": "Aborted",
    "TRAP": "Trace/breakpoint trap",
    "SYS": "Bad system call",
    "INT": "Interrupted",
    "KILL": "Killed",
    "TERM": "Terminated",
    "PIPE": "Broken pipe",
    "ALRM": "Alarm clock",
}
FPE_CODES = {1: "integer divide by zero", 2: "integer overflow", 3: "floating-point divide by zero"}
SEGV_CODES = {1: "address not mapped", 2: "invalid permissions"}
# dlerror()'s words when the program's address space has no room for the cell's object
_NO_ROOM_TO_LOAD = re.compile(r"failed to map segment from shared object|Cannot allocate memory")
_UNDEFINED_AT_LOAD = re.compile(r"^\S+: undefined symbol: (\S+)$")  # dlopen's words, the cell's path first
_ASSERTION = re.compile(r"Assertion `(.*)' failed\.$", re.M)  # the end of glibc's message of a failed assert
STACK_SLACK = 1 << 16  # a fault this close to the stack pointer is a stack overflow
FROZEN_SECONDS = 600  # a crashed process is kept for %debug this long (or until the next cell)


@dataclass
class CellObject:
    """Where a cell's code is: its shared object (one batch may hold several cells) and number."""

    so: Path
    number: int


class Frozen:
    """The stopped copy of the last process that crashed or was interrupted,
    kept for `%debug` until the next cell runs or FROZEN_SECONDS pass."""

    def __init__(self, release: Callable[[int], None]):
        self._release = release  # kills a frozen process
        self.current: tuple[int, str, str] | None = None  # (pid, label, what happened)
        self._timer: threading.Timer | None = None

    def keep(self, pid: int, label: str, what: str) -> None:
        self.release()
        self.current = (pid, label, what)
        self._timer = threading.Timer(FROZEN_SECONDS, self.release)
        self._timer.daemon = True
        self._timer.start()

    def release(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.current is not None:
            self._release(self.current[0])
            self.current = None


class FailureReport:
    """Reports failures of one notebook's cells (whose objects and sources it is given)."""

    def __init__(self, limits: Limits, binary: Path, cwd: str, objects: dict[str, CellObject], sources: dict[str, str]):
        self.limits = limits
        self.machinery = {str(binary), os.path.realpath(binary)}  # the executor's own frames are never shown
        self.cwd = cwd
        self.objects = objects  # label -> its code (the interpreter adds to it)
        self.sources = sources  # label -> the cell's text, for the source lines of a traceback

    def failure(self, outcome: Outcome, warnings: str, since: str | None = None, idle: bool = False) -> CellResult:
        """The error of a run that did not end well.  `since`: the program went
        back to before that cell (threads ran since); `idle`: the program
        ended before the cell, which did not run."""
        extra = [warnings] if warnings else []
        ending = outcome.ending
        if ending in (Ending.ERROR, Ending.LOST):
            ename = "StateLost" if ending is Ending.LOST else "LoadError"
            message = outcome.message
            undefined = _UNDEFINED_AT_LOAD.match(message) if ending is Ending.ERROR else None
            if ending is Ending.ERROR and _NO_ROOM_TO_LOAD.search(message):
                message = self._no_room_to_load()
            elif undefined:  # each cell is a shared object: what one does not export, the next cannot see
                message = (
                    f"the cell could not be loaded: it needs {names.shown(undefined.group(1))}, which no cell or"
                    " library of the program exports (one defined with hidden visibility, as under `#pragma GCC"
                    " visibility push(hidden)`, is seen by its own cell only)"
                )
            return error(ename, message, "\n".join([*extra, message]))
        state = self._state(outcome, since, idle)
        if ending is Ending.CHANNEL_LOST:
            return _said(
                "ChannelClosed",
                "the cell closed or replaced the descriptors the kernel talks to the program through",
                extra,
                state,
            )
        if ending is Ending.GARBAGE:
            return _said(
                "ChannelMisuse", "the cell wrote into the kernel's private channel to the program", extra, state
            )
        if ending is Ending.UNDEFINED:
            what = f"{outcome.function}() was called but is declared, not defined"
            return error("UndefinedFunction", what, "\n".join([*extra, what, state]))
        if ending is Ending.PROCESS_LIMIT:
            n = self.limits.processes
            what = f"the program tried to have more than {n} processes at once"
            detail = f"{_capital(what)} (CELLC_MAX_PROCESSES={n}): the cell was stopped."
            return error("ProcessLimit", what, "\n".join([*extra, detail, state]))
        if ending is Ending.TIMED_OUT:
            what = f"the cell ran for more than {self.limits.timeout:g} s (CELLC_CELL_TIMEOUT) and was stopped"
            return _said("Timeout", what, extra, state)
        if ending is Ending.INTERRUPTED:
            return error("Interrupted", "the cell was interrupted", "\n".join([*extra, "Interrupted.", state]))
        if ending is Ending.EXITED:
            return _said("Exit", f"the program called exit({outcome.exit_status})", extra, state)
        return self._crash(outcome, extra, state)

    def _no_room_to_load(self) -> str:
        """A cell whose object found no room in the program's memory: no cell can
        free it then, so the way out is to go back."""
        limit = f" (CELLC_MEMORY_LIMIT={format_size(self.limits.memory)})" if self.limits.memory else ""
        return (
            f"the program has no memory left to load this cell{limit}: the cell did not run. "
            "%undo goes back to before the cell that took the memory; %reset starts over"
        )

    def _crash(self, outcome: Outcome, extra: list[str], state: str) -> CellResult:
        """A fatal signal, with the fault's call stack when it was a fault."""
        sig = outcome.signal or (outcome.fault[0] if outcome.fault else "")
        message = f"{SIGNAL_NAMES.get(sig, 'Fatal signal')} (SIG{sig})"
        trace: list[str] = []
        if outcome.fault and outcome.fault[0] == sig:
            frames = self.frames(outcome.fault[4:])
            detail = describe_fault(outcome.fault) or failed_assertion(frames, outcome.last_stderr)
            if detail:
                message += f": {detail}"
            trace = self.traceback(frames)
        return error(f"SIG{sig}", message, "\n".join([*extra, *trace, message, state]))

    @staticmethod
    def _state(outcome: Outcome, since: str | None, idle: bool) -> str:
        """The sentence on the program's state after the failure."""
        if not outcome.rolled_back:
            state = "Threads are running, so the state could not be rolled back: the cell's partial effects remain."
        elif since is not None:
            state = (
                f"Threads were running since {since}, so no snapshot was taken after it: "
                f"the program went back to its state before {since} (its threads are gone)."
            )
        elif idle:
            state = "The program's state is as it was after the last cell that ran."
        else:
            state = "The program's state is as it was before this cell."
        if outcome.timer_off:
            state += f" The timer that sent SIG{outcome.signal} has gone off: it is no longer set."
        if idle:
            state = "It ended while no cell was running: this cell did not run. " + state
        return state

    def frames(self, tokens: list[str]) -> list[crash.Frame]:
        """The user's frames of a `fault` event, innermost first (crash.py)."""
        labels = {str(o.so): label for label, o in self.objects.items()}
        try:
            return crash.frames_of(tokens, labels, self.machinery)
        except (OSError, ValueError):
            return []

    def traceback(self, frames: list[crash.Frame]) -> list[str]:
        """The crash's call stack (`frames`), most recent call last."""

        def source_of(file: str) -> str | None:
            if file in self.sources:
                return self.sources[file]
            path = Path(self.cwd, file)
            return path.read_text(errors="replace") if path.is_file() else None

        return crash.format_traceback(frames, source_of)


def describe_fault(fault: list[str]) -> str:
    """What the fault's code and address say (`fault SIG CODE ADDR SP ...`)."""
    sig, code, addr, sp = fault[0], int(fault[1], 16), int(fault[2], 16), int(fault[3], 16)
    if sig == "SEGV":
        if abs(addr - sp) <= STACK_SLACK:  # the guard page right at the stack pointer
            return "stack overflow (runaway recursion?)"
        return f"{SEGV_CODES.get(code, 'invalid memory access')} at address {addr:#x}"
    if sig == "FPE":
        return FPE_CODES.get(code, "arithmetic error")
    return ""


def failed_assertion(frames: list[crash.Frame], stderr: str) -> str:
    """What a failed `assert` says, when the crash is one (`frames` pass
    through glibc's `__assert_fail`): its message on the program's stderr,
    `Assertion `!"not implemented yet"' failed`."""
    if not any(f.library and f.function == "__assert_fail" for f in frames):
        return ""
    said = _ASSERTION.findall(stderr)
    return f"Assertion `{said[-1]}' failed" if said else "an assertion failed"


def frozen_what(outcome: Outcome) -> str:
    """What happened to a process whose frozen copy is kept."""
    return {Ending.EXITED: "stopped at a report", Ending.INTERRUPTED: "was interrupted"}.get(
        outcome.frozen_after, "crashed"
    )


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def _said(ename: str, what: str, extra: list[str], state: str) -> CellResult:
    return error(ename, what, "\n".join([*extra, _capital(what) + ".", state]))
