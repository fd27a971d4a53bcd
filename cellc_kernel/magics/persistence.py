"""%save and %load: a program that outlives its kernel (persist.py says how)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .. import names, persist
from ..executor import Handlers, ProtocolError
from ..export import FileRecord, LibRecord, NoteRecord
from ..processes import ProcessMemory
from ..result import CellResult, error
from .base import ArgumentParser, MagicFamily, MagicResult, UsageError, template_flags

RESTORE_MIME = "application/x-cellc-restore"
TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "restore.h"


def _file(magic: str, args: str, rest: str) -> str:
    parser = ArgumentParser(magic, f"{magic} FILE")
    parser.add_argument("file")
    if rest.strip():
        raise UsageError(f"{magic}: put {magic} in a cell of its own (the code after it would not run)")
    return parser.parse(args).file


class PersistenceMagics(MagicFamily):
    def __init__(self, magics) -> None:
        super().__init__(magics)
        self._created: list[Path] = []  # the files of `%%file` steps a load wrote (removed if it fails)

    def line_save(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%save FILE: write the program to FILE for %load: its definitions and data (globals, statics, their heap)."""
        name = _file("%save", args, rest)
        interp = self.interpreter
        pid = interp.process.live()
        try:
            with ProcessMemory(pid or 0) as memory:
                saver = persist.Saver(interp, memory)
                doc = saver.document()
            path = Path(interp.cwd, os.path.expanduser(name))
            temporary = path.with_name(path.name + ".part")
            temporary.write_text(json.dumps(doc, separators=(",", ":")))
            os.replace(temporary, path)
        except (OSError, OverflowError, ProtocolError) as e:  # (the executor out of memory to list its heap)
            return MagicResult(error("SaveError", f"%save {name}: {getattr(e, 'strerror', None) or e}"), consumed=True)
        kept = [r for r in doc["regions"] if not r.get("dropped")]
        count = {k: sum(1 for r in kept if r["kind"] == k) for k in ("global", "static", "block")}
        cells = sum(1 for s in doc["steps"] if "cell" in s)
        heap = sum(r["size"] for r in kept if r["kind"] == "block")
        lines = [
            f"Saved {name}: {cells} cells, {count['global']} globals, {count['static']} statics, "
            f"{count['block']} heap blocks ({heap:,} bytes).",
            *(f"Not saved: {note}" for note in saver.notes),
        ]
        self.print("\n".join(lines))
        return MagicResult(CellResult(True), consumed=True)

    def line_load(self, args: str, rest: str, label: str, handlers: Handlers) -> MagicResult:
        """%load FILE: rebuild a program %save wrote: its definitions (their statements not run again), its data.

        Loading runs the C definitions the file holds (constructors included), as opening a notebook
        would.  The program must be empty: a new kernel, or after %reset -f."""
        name = _file("%load", args, rest)
        interp = self.interpreter
        if interp.has_state():
            raise UsageError(
                "%load: the program already holds cells; %load needs an empty one (%reset -f, or a new kernel)"
            )
        try:
            doc = persist.check(Path(interp.cwd, os.path.expanduser(name)).read_bytes())
        except OSError as e:
            return MagicResult(error("LoadError", f"%load {name}: {e.strerror}"), consumed=True)
        except persist.LoadError as e:
            return MagicResult(error("LoadError", f"%load {name}: {e}"), consumed=True)
        flags = interp.cflags
        try:
            lines = self.rebuild(doc, name, label, handlers)
        except persist.LoadError as e:
            interp.reset()  # nothing of the file stays, nor the files it wrote
            interp.set_cflags(flags)
            for path in self._created:
                path.unlink(missing_ok=True)
            return MagicResult(error("LoadError", f"%load {name}: {e}"), consumed=True)
        self.print("\n".join(lines))
        return MagicResult(CellResult(True), consumed=True)

    def saved(self) -> dict:
        """The program as %save writes it, checked as %load reads it (to carry it across a restart)."""
        with ProcessMemory(self.interpreter.process.live() or 0) as memory:
            doc = persist.Saver(self.interpreter, memory).document()
        return persist.check(json.dumps(doc).encode())

    def rebuild(
        self, doc: dict, name: str, label: str, handlers: Handlers, cflags: list[str] | None = None
    ) -> list[str]:
        """Rebuild a checked program in the empty one (LoadError if it cannot be); what to say of it.
        `cflags`: gcc's flags to build it with, instead of the saved ones."""
        try:
            notes = self._replay({**doc, "cflags": doc["cflags"] if cflags is None else cflags}, label, handlers)
            restorer = persist.Restorer(self.interpreter, doc)
            globals_, statics, blocks, size = self._restore(doc, restorer, name, label)
        finally:
            self.interpreter.defining = False
        cells = sum(1 for s in doc["steps"] if "cell" in s)
        return [
            f"Loaded {name}: {cells} cells defined (their statements not run again); restored {globals_} "
            f"globals, {statics} statics, {blocks} heap blocks ({size:,} bytes).",
            *(f"Not restored: {note}" for note in doc["not_saved"]),
            *notes,
            *restorer.notes,
        ]

    def _replay(self, doc: dict, label: str, handlers: Handlers) -> list[str]:
        """The file's steps again, each cell loaded without running."""
        interp = self.interpreter
        interp.set_cflags(doc["cflags"])
        self._created = []
        quiet = Handlers(input=handlers.input)
        notes = []
        interp.defining = True
        for step in doc["steps"]:
            if "cell" in step:
                result = interp.execute(step["code"], step["cell"], quiet)
                if not result.ok:
                    first = next((line for line in result.traceback if line.strip()), result.evalue)
                    raise persist.LoadError(f"{step['cell']} of the file does not build here: {first}")
            elif "file" in step:
                path = Path(interp.cwd, step["file"])
                if not path.exists():
                    path.write_text(step["text"])
                    self._created.append(path)
                elif path.read_text(errors="replace") != step["text"] and not step.get("append"):
                    notes.append(f"Kept {step['file']} as it is on disk (it differs from the saved one)")
                interp.add_record(FileRecord(label, step["file"], step["text"], bool(step.get("append"))))
            elif "lib" in step:
                problem = interp.load_library(step["lib"], quiet, label)
                if problem:
                    raise persist.LoadError(f"%lib {step['lib']}: {problem}")
                interp.add_record(LibRecord(label, step["lib"]))
            else:
                notes.append(f"Not restored: %env {step['env']} (set it again with %env)")
        interp.defining = False
        return notes

    def _restore(self, doc: dict, restorer: persist.Restorer, name: str, label: str) -> tuple:
        """Allocate the blocks in a cell of ours, and write the data while it waits."""
        interp = self.interpreter
        sizes = restorer.sizes()
        allocated: list[int] = []
        restored: list[tuple] = []
        problems: list[str] = []
        answers = iter(("sizes", "written"))

        def answer() -> str:
            if next(answers, "") == "sizes":
                return f"{len(sizes)} {' '.join(map(str, sizes))}\n"
            if len(allocated) == len(sizes) and all(allocated):
                try:  # (an exception here would leave the program waiting for this line)
                    with ProcessMemory(interp.process.live_pid or 0, writable=True) as memory:
                        restored.append(restorer.write(memory, allocated))
                except OSError as e:
                    problems.append(f"the program's memory cannot be written ({e.strerror})")
            return "\n"

        def display(mime: str, data: bytes) -> None:
            if mime == RESTORE_MIME:
                allocated.extend(int(word, 16) for word in data.split())

        with ProcessMemory(interp.process.live() or 0) as memory:
            restorer.prepare(memory)
        numbers = [names.cell_number(s["cell"]) or 0 for s in doc["steps"] if "cell" in s]
        own = names.cell_label(max([*numbers, names.cell_number(label) or 0]) + 1)
        saved = interp.cflags
        interp.set_cflags([*saved, *template_flags(TEMPLATE)])
        try:
            result = interp.execute(f"{names.RESTORE};", own, Handlers(display=display, input=answer))
        finally:
            interp.set_cflags(saved)
        if not result.ok or not restored:
            why = (
                result.evalue if not result.ok else (problems or ["the program could not allocate its heap blocks"])[0]
            )
            raise persist.LoadError(f"the data could not be restored: {why}")
        interp.replace_record(own, lambda _r: NoteRecord(own, f"%load {name} (in the notebook only)"))
        self.magics.label_floor = names.cell_number(own) or 0
        return restored[0]
