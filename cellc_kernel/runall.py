"""Run All scheduling: queued cells compiled before their turn.

Two ways, both only used when a cell then arrives exactly as queued onto the
very model it was made for (batch.py says how cells share a unit):
- batches: when the cells queued after the running one can share a unit, they
  are compiled together, and while they run the batch after them is built on
  a thread, against a copy of the model they leave;
- look-ahead: when the next queued cell cannot share a unit, it is compiled
  alone on a thread while the running cell links and runs.
Nothing built ahead asks the executor anything (`NotAhead`: it waits for its turn).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import names
from .batch import (
    FIRST_CELLS,
    MAX_ATTEMPTS,
    MAX_CELLS,
    MAX_TEXT,
    Batch,
    BatchedCell,
    first_named,
    messages_of,
    redefines,
    shareable,
    split_symbols,
    warnings_of,
)
from .cellcompile import Attempt, CellCompiler
from .compile import CompileError, Compiler, declarations_among_statements, read_symbols
from .diagnostics import has_errors
from .front import Front
from .generate import Options, generate, misread_items
from .linker import Linker, annotate, complete_arrays
from .model import Program, SharedUnit
from .result import Rejected
from .retry import adjust, first_options

log = logging.getLogger(__name__)


@dataclass
class Lookahead:
    """The next queued cell, being compiled ahead of its turn."""

    code: str
    label: str
    number: int
    program: Program  # the model it is compiled against
    cflags: tuple[str, ...]
    thread: threading.Thread | None = None
    attempt: Attempt | None = None  # once gcc compiled it


class RunAll:
    """The batches and look-ahead of one notebook's queued cells."""

    def __init__(self, front: Front, cells: CellCompiler, linker: Linker, compiler: Compiler):
        self.front = front
        self.cells = cells
        self.linker = linker
        self.compiler = compiler
        self.ahead: Lookahead | None = None
        self.batch: Batch | None = None
        self.batch_after = 0  # no batch until the cell numbers reach this (one failed for no cell's fault)
        self.last_used = 0  # the last cell number a dropped batch gave: never given again

    # -- batches -------------------------------------------------------------------
    @staticmethod
    def would_batch(cells: Sequence[tuple[str, str]]) -> bool:
        return len(cells) >= 2 and shareable(cells[0][0]) and shareable(cells[1][0])

    def take_batched(
        self, code: str, label: str, upcoming: Sequence[tuple[str, str]], number: int, program: Program
    ) -> BatchedCell | None:
        """Cell `number` from the batch compiled before it, or from a batch
        started now with the cells queued after it; None: it goes alone."""
        if self.batch is not None and not self.batch.cells:
            self.batch = self._following(self.batch)
        if self.batch is not None:
            cell = self.batch.take(code, label, number, program, self.compiler.cflags)
            if cell is not None:
                self._build_following(self.batch, upcoming)
                return cell
            self.drop_batch()
            number = max(number, self.last_used + 1)
        if number <= self.batch_after or not self.would_batch([(code, label), *upcoming]):
            return None
        self.discard()
        cells = [(code, label), *upcoming][:FIRST_CELLS]  # while they run, the next batch is built
        try:
            batch = self._build_batch(self._plan_batch(cells, program, number))
        except CompileError:  # gcc did not finish: the cell goes alone and says so
            batch = None
        if batch is None:
            return None
        self.batch = batch
        cell = batch.cells.pop(0)
        self._build_following(batch, upcoming)
        return cell

    @staticmethod
    def catch_up(cell: BatchedCell, program: Program) -> None:
        """The cell was generated before the cells ahead of it had run: its model
        takes what they noted in `program` (who calls and uses what), then its own."""
        model = cell.unit.program
        for name, f in program.functions.items():
            mine = model.functions.get(name)
            if mine is None or mine is cell.before_functions.get(name):
                model.functions[name] = f
            elif not f.callers <= mine.callers:
                model.functions[name] = replace(mine, callers=mine.callers | f.callers)
        model.variables.update(program.variables)
        annotate(model, cell.symbols, cell.label, cell.unit.defines)

    def drop_batch(self) -> None:
        """Forget the cells of a batch that will not run from it (and the batch
        built after it).  Their numbers are not given again (the batch's object
        may be loaded, with their symbols): see `last_used`."""
        batch, self.batch = self.batch, None
        if batch is not None:
            following = self._following(batch)
            self.last_used = max(self.last_used, following.last_number if following else batch.last_number)

    def _build_following(self, batch: Batch, upcoming: Sequence[tuple[str, str]]) -> None:
        """Start building, on a thread, the batch of the cells queued after `batch`'s."""
        if batch.following is not None:
            return  # (most cells: the kernel then never reads the queue)
        rest = list(upcoming[len(batch.cells) :][: min(MAX_CELLS, 2 * batch.size)])
        if not self.would_batch(rest):
            return
        base = batch.last.copy()  # its dicts change in the turns of the cells before it

        def build() -> None:
            try:
                planned = self._plan_batch(rest, base, batch.last_number + 1, ahead=True)
                following = self._build_batch(planned, ahead=True)
            except Exception:  # noqa: BLE001 - NotAhead, or any failure: its cells go in their turn
                log.debug("the next batch was not built", exc_info=True)
                return
            if following is not None:
                batch.built.append(following)

        batch.following = threading.Thread(target=build, daemon=True)
        batch.following.start()

    @staticmethod
    def _following(batch: Batch) -> Batch | None:
        """The batch built after `batch`, ready to run onto the model `batch` left."""
        if batch.following is None:
            return None
        batch.following.join()
        if not batch.built:
            return None
        following = batch.built[0]
        following.cells[0].before = batch.last  # it was planned against a copy
        return following

    def _plan_batch(
        self,
        cells: list[tuple[str, str]],
        program: Program,
        number: int,
        retried: dict[str, Options] | None = None,
        ahead: bool = False,
    ) -> list[BatchedCell]:
        """The queued cells that can share a unit, the first numbered `number`
        onto `program`, each generated against the model the one before it
        leaves (with the options gcc's complaints led to, `retried`, for those
        compiled before).  `ahead`: on a thread, while the executor is busy."""
        shared, header, size = SharedUnit(), "", 0
        is_data = self.linker.known_data if ahead else self.linker.is_library_data
        planned: list[BatchedCell] = []
        for i, (code, label) in enumerate(cells[:MAX_CELLS]):
            code = code.encode("utf-8", "replace").decode("utf-8")
            size += len(code)
            if not shareable(code) or "\0" in code or size > MAX_TEXT:
                break
            try:
                typed, parsed = self.front.read(code, program, ahead=True)
                if not parsed.items:
                    break
                options = (retried or {}).get(label) or first_options(parsed, program)
                options.shared = shared
                unit = generate(program, parsed, number + i, label, options, is_data)
            except Exception:  # noqa: BLE001 - the cell goes alone in its turn and reports its own errors
                log.debug("%s goes alone", label, exc_info=True)
                break
            if unit.migrating or redefines(program, unit) or (header and unit.header not in ("", header)):
                break
            header = header or unit.header
            shared.labels.add(label)
            planned.append(
                BatchedCell(code, label, unit.number, typed, parsed, options, program, dict(program.functions), unit)
            )
            program = unit.program
        return planned

    def _build_batch(self, planned: list[BatchedCell], ahead: bool = False) -> Batch | None:
        """Compile and link the planned cells as one object.  A cell gcc
        rejects is generated again with the options its complaint calls for
        (retry.py), as alone; the batch is cut before the first cell that
        still fails or that the linker lacks a name for.  None if fewer than
        two cells are left."""
        cflags = self.compiler.cflags  # if %cflags changes them meanwhile, the batch is not used
        for _attempt in range(MAX_ATTEMPTS):
            if len(planned) < 2:
                return None
            header = next((c.unit.header for c in planned if c.unit.header), "")
            body = "".join(c.unit.body for c in planned)
            stem = names.batch_file(planned[0].number, planned[-1].number)
            obj, stderr = self.compiler.compile_shared(stem, header, body, {c.label: c.typed for c in planned})
            cut = first_named(stderr, [c.label for c in planned])
            if cut is None and obj is None:
                cut = -1
            if cut is not None:
                if cut < 0:  # gcc blames none of them: not again for these cells
                    self._no_batch(planned, ahead)
                    return None
                retried = {}
                for cell in planned[cut:]:
                    own = messages_of(stderr, cell.label)
                    if has_errors(own) and not adjust(cell.options, own, cell.parsed, cell.label):
                        break
                    retried[cell.label] = cell.options
                kept = planned[: cut + len(retried)]
                first = planned[0]
                again = [(c.code, c.label) for c in kept]
                planned = self._plan_batch(again, first.before, first.number, retried, ahead)[: len(kept)]
                continue
            assert obj is not None
            declaring = [bool(misread_items(c.parsed, declarations_among_statements(stderr, c.label))) for c in planned]
            if any(declaring):  # that cell is split again in its turn, alone
                planned = planned[: declaring.index(True)]
                continue
            symbols = read_symbols(obj, by_holder=True)
            shares = split_symbols(symbols, [c.number for c in planned])
            kinds = self.linker.kinds_of(symbols, ahead)
            missing = {name for name, kind in kinds.items() if kind == "?"}
            if shares is None or missing:
                lacking = [i for i, c in enumerate(planned) if shares and shares[c.number].referenced & missing]
                if not lacking:
                    self._no_batch(planned, ahead)
                    return None
                planned = planned[: min(lacking)]
                continue
            last = planned[-1].unit.program
            try:
                so = self.linker.link(obj, kinds, last, planned[-1].number, stderr)
            except Rejected:
                self._no_batch(planned, ahead)
                return None
            for cell in planned:
                # once the object is loaded, all its trampolines exist in the program
                cell.unit.program.trampolines |= last.trampolines
                cell.symbols = shares[cell.number]
                cell.warnings = warnings_of(stderr, cell.label, list(cflags))
                # the arrays' dimensions, in its model and the batch's last (the next batch is planned
                # from a copy of that); the models between take them from the program in their turn
                for model in {id(cell.unit.program): cell.unit.program, id(last): last}.values():
                    complete_arrays(model, obj, cell.unit.arrays)
            return Batch(planned, so, cflags, last, planned[-1].number, len(planned))
        return None

    def _no_batch(self, planned: list[BatchedCell], ahead: bool) -> None:
        """A batch failed for no cell's fault: no batch again before these cells are past."""
        if not ahead:
            self.batch_after = planned[-1].number

    # -- look-ahead ----------------------------------------------------------------
    def look_ahead(self, cell: tuple[str, str], program: Program, number: int) -> None:
        """Compile the next queued cell against the model the running cell
        leaves if it succeeds, on another thread, while that one links and runs."""
        code, label = cell
        if re.search(r"^\s*([%!?]|#\s*include)|\?\s*$", code, re.M):
            return  # magics, help, headers (a cell may write one): in their turn
        ahead = Lookahead(code, label, number, program, self.compiler.cflags)
        thread = threading.Thread(target=self._compile_ahead, args=(ahead,), daemon=True)
        ahead.thread, self.ahead = thread, ahead
        thread.start()

    def _compile_ahead(self, ahead: Lookahead) -> None:
        try:
            attempt = self.cells.attempt(ahead.code, ahead.label, ahead.number, ahead.program, ahead=True)
            if attempt is None:
                return
            self.cells.compile_ahead(attempt)
            if attempt.built is not None and not attempt.built[0].migrating:
                ahead.attempt = attempt
        except Exception:  # noqa: BLE001 - the cell is compiled again in its turn and reports its own errors
            log.debug("%s is compiled in its turn", ahead.label, exc_info=True)

    def take_lookahead(self, code: str, label: str, number: int, program: Program) -> Attempt | None:
        """What the look-ahead compiled for cell `number`, if it still holds."""
        ahead, self.ahead = self.ahead, None
        if ahead is None:
            return None
        if ahead.thread is not None:
            ahead.thread.join()
        holds = (
            ahead.attempt is not None
            and (ahead.code, ahead.label, ahead.number) == (code, label, number)
            and ahead.program is program
            and ahead.cflags == self.compiler.cflags
        )
        return ahead.attempt if holds else None

    def discard(self) -> None:
        """Forget what was built ahead (`last_used` says which numbers it took)."""
        ahead, self.ahead = self.ahead, None
        if ahead is not None and ahead.thread is not None:
            ahead.thread.join()
        self.drop_batch()
