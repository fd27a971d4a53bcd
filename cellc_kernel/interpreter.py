"""The notebook's C program: a cell in, its outcome out.

This is the interpreter half of the kernel (the Jupyter half is kernel.py),
a façade over the pipeline's owners:
front (front.py) -> compile (cellcompile.py) -> link (linker.py) -> run
(executor.py) -> report (failure.py, values.py), with Run All's batches and
look-ahead in runall.py and the undo history in undo.py.  The program model is
committed only when the cell succeeds.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from . import introspect, names, toolchain
from .batch import BatchedCell
from .cellcompile import CellCompiler
from .compile import Compiler, ObjectSymbols
from .executor import Ending, Executor, ExecutorDied, Handlers, NoPlaceToBuild, Outcome, build_executor
from .export import ResetRecord
from .failure import CellObject, FailureReport, Frozen, frozen_what
from .front import Front
from .generate import CellRecord, Unit
from .limits import Limits
from .linker import Linker, find_library
from .migrate import Plan, plan_migrations
from .model import Program
from .result import CellResult, Rejected, error
from .runall import RunAll
from .undo import UndoHistory, UndoStep

__all__ = ["CellResult", "Interpreter"]

log = logging.getLogger(__name__)


class Interpreter:
    """One notebook's C program: its model, compiler, executor and files."""

    def __init__(self, cwd: str | None = None):
        self.limits = Limits.from_env()
        try:
            binary: Path | None = build_executor()  # before the work directory: a kill -9 now leaves nothing
        except NoPlaceToBuild:
            binary = None
        self.workdir = toolchain.work_directory()
        self.cwd = cwd or os.getcwd()
        self.compiler = Compiler(self.workdir, limits=self.limits)
        self.program = Program()
        self._counter = 0  # the last cell number this interpreter gave
        self.libraries: list[str] = []
        self.executor_env: dict[str, str] = {}  # for the program, kept across resets (%sanitize)
        self.cell_objects: dict[str, CellObject] = {}  # label -> its code
        self.cell_sources: dict[str, str] = {}  # label -> the cell's text
        self.defined_in: dict[str, Path] = {}  # global's symbol -> the .so defining it (its DWARF)
        self.queued: Sequence[tuple[str, str]] = []  # (code, label) of the cells queued after the running one
        self.history = UndoHistory()
        self.on_interrupt: Callable[[], None] = lambda: None  # after SIGINT reached the program
        self.defining = False  # cells define, their statements do not run (%load rebuilds a program)
        try:
            self.binary = binary or build_executor(fallback_dir=self.workdir)
            self.executor = self._start_executor()
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)  # a failed start leaves nothing behind
            raise
        self.frozen_copy = Frozen(lambda pid: self.executor.release(pid))
        self.front = Front(self.compiler, self.cwd)
        self.linker = Linker(self.compiler, self.executor)
        self.cells = CellCompiler(self.front, self.linker, self.compiler, self._plan_migrations)
        self.run_all = RunAll(self.front, self.cells, self.linker, self.compiler)
        self.report = FailureReport(self.limits, self.binary, self.cwd, self.cell_objects, self.cell_sources)

    def _start_executor(self) -> Executor:
        return Executor(
            self.binary,
            cwd=self.cwd,
            workdir=self.workdir,
            env=self.executor_env,
            limits=self.limits,
            on_interrupt=lambda: self.on_interrupt(),
        )

    @property
    def counter(self) -> int:
        """The last cell number given: a batch that was dropped took its numbers too."""
        return max(self._counter, self.run_all.last_used)

    # -- what magics and the debugger ask and change, besides the program model -----
    @property
    def undo_depth(self) -> int:
        """How many steps %undo can take back now."""
        return len(self.history)

    @property
    def cflags(self) -> tuple[str, ...]:
        return self.compiler.cflags

    def set_cflags(self, flags: Iterable[str]) -> None:
        """gcc's flags for later cells: one immutable value, replaced whole;
        what Run All built ahead with other flags is dropped.  What expanded
        a macro of a -D flag that changes keeps it as it was, as the objects
        loaded have it (a struct sized by -DN=3 stays 3 ints after -DN=10)."""
        self.run_all.discard()
        before = self.compiler.macro_lines("") if self.program.definitions or self.program.cells else {}
        self.compiler.cflags = tuple(flags)
        if before:
            program = self.program.copy()
            program.flags_changed(before, self.compiler.macro_lines(""))
            self.program = program

    @property
    def gcc(self) -> str:
        return self.compiler.gcc

    def has_state(self) -> bool:
        """Whether the program holds anything a restart would lose."""
        return bool(self.history.steps or self.program.cells)

    def defines(self, symbol: str) -> bool:
        """Whether the live program has a global `symbol` (a runtime already loaded)."""
        return self.executor.defines(symbol)

    @property
    def undo_capacity(self) -> int:
        """How many steps back %undo can go at most."""
        return self.executor.max_snapshots

    def cell_code(self, label: str) -> CellObject | None:
        """Where cell `label`'s code is (its shared object, its number)."""
        return self.cell_objects.get(label)

    def cell_source(self, label: str) -> str | None:
        """The text cell `label` ran, as its tracebacks quote it."""
        return self.cell_sources.get(label)

    def address(self, symbol: str) -> int:
        """Where a global of the live program is (0 when absent)."""
        return self.executor.address(symbol)

    def peek(self, address: int, size: int) -> bytes | None:
        """`size` bytes of the live program's memory (None where nothing is mapped)."""
        return self.executor.peek(address, size)

    def restart(self, env: dict[str, str]) -> None:
        """A fresh program whose process starts with `env` added (a preloaded runtime)."""
        self.executor_env = env
        self.reset()

    @property
    def process(self) -> Executor:
        """The program's processes, for the debugger: the live one (`live`,
        `live_pid`, `live_parent`) and the cell timeout it holds (`hold`)."""
        return self.executor

    @property
    def frozen(self) -> tuple[int, str, str] | None:
        """(pid, label, what happened) of the last crash's stopped copy, for %debug."""
        return self.frozen_copy.current

    # -- running cells ------------------------------------------------------------
    def execute(self, code: str, label: str, handlers: Handlers) -> CellResult:
        """Run one cell: front, compile, link, run, report."""
        if code.strip():
            self.frozen_copy.release()  # a crash is looked at (%debug) before the next cell, not after
        code = code.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from JSON
        if "\0" in code:
            line = code[: code.index("\0")].count("\n") + 1
            return error("SyntaxError", f"the cell contains a NUL byte (line {line})")
        if code.strip() and not self.workdir.is_dir():
            return error(
                "WorkDirectoryRemoved",
                f"the kernel's work directory {self.workdir} was removed from outside cellc (by a cleaner of"
                " temporary files, or systemd-logind's RemoveIPC at a logout); the cells' objects went with"
                " it, so no cell can run: restart the kernel",
            )
        upcoming, self.queued = self.queued, []
        batched = self.run_all.take_batched(code, label, upcoming, self.counter + 1, self.program)
        if batched is not None:
            return self._run_batched(batched, handlers)
        number = self.counter + 1
        attempt = self.run_all.take_lookahead(code, label, number, self.program)
        attempt = attempt or self.cells.attempt(code, label, number, self.program)
        if attempt is None:
            return CellResult(True)
        self._counter = number
        try:
            compiled = self.cells.compile(attempt)
            so = self.linker.link_cell(compiled)
        except Rejected as rejected:
            return rejected.result
        unit = compiled.unit
        batching = bool(upcoming) and self.run_all.would_batch(upcoming)
        if upcoming and not unit.migrating and not batching:
            self.run_all.look_ahead(upcoming[0], unit.program, number + 1)
        if not batching:  # the next cell's cc1 starts while this one runs
            self.compiler.start_ahead(names.cell_file(number + 1))
        result = self._run_unit(
            so, unit, compiled.symbols, attempt.typed, [compiled.warnings, *unit.warnings], handlers
        )
        labels = attempt.options.asm_labels
        if result.ok and labels:
            # data, even in a segment the executor would call code (.rodata next to .text)
            self.linker.note_data([name for name, (in_code, _) in labels.items() if not in_code])
        return result

    def _run_batched(self, cell: BatchedCell, handlers: Handlers) -> CellResult:
        self._counter = self.counter + 1
        self.run_all.catch_up(cell, self.program)
        batch = self.run_all.batch
        assert batch is not None  # the cell came from it
        result = self._run_unit(
            batch.so, cell.unit, cell.symbols, cell.typed, [cell.warnings, *cell.unit.warnings], handlers
        )
        if not result.ok:
            self.run_all.drop_batch()
        return result

    def _run_unit(
        self, so: Path, unit: Unit, symbols: ObjectSymbols, typed: str, warnings: list[str], handlers: Handlers
    ) -> CellResult:
        """Run a compiled cell; on success its model becomes the program's."""
        label = unit.label
        self.cell_objects[label] = CellObject(so, unit.number)
        self.cell_sources[label] = typed  # for the source lines of a crash's traceback
        shown = "\n".join(w for w in warnings if w)
        outcome = self._run(so, unit.entry, handlers, "define" if self.defining else "run")
        if not outcome.ok:
            return self._failure(outcome, shown, label, idle=outcome.unread)
        self.defined_in.update((name, so) for name in symbols.defined if names.is_variable(name))
        self.history.remember(label, outcome, self.program, self.libraries, self.executor)
        self.program = unit.program
        symbol = None if self.defining else unit.value_symbol
        value = introspect.cell_value(self, so, symbol, symbols.sizes.get(symbol, 0)) if symbol else None
        return CellResult(True, value=value, warnings=shown)

    def _run(self, so: Path, entry: str, handlers: Handlers, command: str = "run") -> Outcome:
        try:
            outcome = self.executor.run(so, entry, handlers, command=command)
            if outcome.ok and outcome.garbage and outcome.before and not self.executor.undo(outcome.before):
                outcome.ending = Ending.GARBAGE  # what the cell wrote into the channel fails it: its effects are undone
            return outcome
        except ExecutorDied as e:
            self.reset()
            return Outcome(Ending.LOST, message=f"{e}; the program was restarted and its state is lost")

    def _plan_migrations(self, unit: Unit, obj: Path) -> dict[str, Plan]:
        cells = [o.so for o in self.cell_objects.values()]
        return plan_migrations(unit, obj, self.defined_in, self.executor, cells)

    # -- reporting ----------------------------------------------------------------
    def _failure(self, outcome: Outcome, warnings: str, label: str, idle: bool = False) -> CellResult:
        """The error of a run that did not end well; the program goes back to
        before the first in-place cell if that is where the executor went."""
        if outcome.frozen:
            self.frozen_copy.keep(outcome.frozen, label, frozen_what(outcome))
        since = None
        base = self.history.in_place_base
        if outcome.ending not in (Ending.ERROR, Ending.LOST) and outcome.rolled_back and base is not None:
            self.history.take_in_place_base()
            self.program, self.libraries, since = base.program, list(base.libraries), base.label
        return self.report.failure(outcome, warnings, since, idle)

    def idle_death(self, label: str, handlers: Handlers) -> CellResult | None:
        """The program ended while no cell ran (a thread's `exit`, a timer's
        signal, a kill from outside): the failure of the cell about to run,
        which does not run; None when the program is alive."""
        try:
            outcome = self.executor.idle_death(handlers)
        except ExecutorDied as e:
            self.reset()
            what = f"the program ended while no cell was running, and {e}; it was restarted and its state is lost"
            return error("StateLost", what)
        return None if outcome is None else self._failure(outcome, "", label, idle=True)

    def symbolize(self, address: int) -> str | None:
        """The notebook or library function at a code address (for function pointers)."""
        name = self.executor.symbol(address)
        if name is None:
            return None
        return names.shown(name.removeprefix("__wrap_"))  # ld's --wrap alias of a trampoline

    # -- magics' helpers ----------------------------------------------------------
    def load_library(self, spec: str, handlers: Handlers, label: str = "") -> str:
        """dlopen a system library into the program; '' or an error message."""
        try:
            path = find_library(spec)
        except LookupError as e:
            return str(e)
        outcome = self.executor.run(Path(path), "", handlers, command="load")
        if outcome.ending is Ending.ERROR:
            return outcome.message
        if not outcome.ok:  # its constructors crashed, exited, were interrupted...
            failure = self._failure(outcome, "", label, idle=outcome.unread)
            frames = self.report.frames(outcome.fault[4:]) if outcome.fault else []
            where = f", {frames[0].title()}" if frames else ""
            return f"loading failed: {failure.evalue}{where}\n{failure.traceback[-1]}"
        self.history.remember(label or f"%lib {spec}", outcome, self.program, self.libraries, self.executor)
        self.libraries.append(path)
        self.program = self.program.copy()
        return ""

    def add_record(self, record) -> None:
        """A step that is no cell of C (`%%file`, `%env`, `%lib`) in the program's history, for %export."""
        self.program = self.program.with_record(record)

    def replace_record(self, label: str, make) -> None:
        """The record of cell `label`, just run for a magic, as the export sees it: `make(record)`."""
        last = self.program.records[-1] if self.program.records else None
        if isinstance(last, CellRecord) and last.label == label:
            self.program = self.program.with_last_record(make)

    def undo(self) -> UndoStep | str:
        """Take back the newest step: the step, or why nothing changed."""
        step = self.history.undo(self.executor)
        if isinstance(step, str):
            return step
        self.program, self.libraries = step.program, step.libraries
        self.linker.forget()  # names an undone %lib brought are gone
        return step

    def reset(self) -> None:
        """A fresh program: new executor, empty model."""
        self.run_all.discard()
        self.frozen_copy.release()
        self.executor.close()
        self.program = Program(records=[*self.program.records, ResetRecord()])  # what ran before, for export
        self.history.clear()
        self.libraries.clear()
        self.linker.forget()
        self.executor = self.linker.executor = self._start_executor()

    def end_program(self, handlers: Handlers | None = None) -> None:
        """End the program as C does: `exit(0)` runs its `atexit` handlers and
        `__attribute__((destructor))` functions (output goes to `handlers`)."""
        if self.program.cells and self.workdir.exists():
            self.execute("__builtin_exit(0);", "<end>", handlers or Handlers())

    def shutdown(self) -> None:
        self.run_all.discard()
        self.frozen_copy.release()
        if self.workdir.exists():
            try:
                self.end_program()
            except Exception:  # noqa: BLE001 - shutting down regardless
                log.debug("the program's end failed", exc_info=True)
        self.executor.close()
        self.compiler.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def interrupt(self) -> None:
        self.executor.interrupt()
