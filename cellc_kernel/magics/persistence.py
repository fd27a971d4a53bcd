"""%save and %load: a program that outlives its kernel (persist.py says how)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .. import names, persist
from ..executor import Handlers
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
        except (OSError, OverflowError) as e:
            return MagicResult(error("SaveError", f"%save {name}: {getattr(e, 'strerror', None) or e}"), consumed=True)
        kept = [r for r in doc["regions"] if not r.get("dropped")]
        count = {k: sum(1 for r in kept if r["kind"] == k) for k in ("global", "static", "block")}
        cells = sum(1 for s in doc["steps"] if "cell" in s)
        size = sum(r["size"] for r in kept)
        lines = [
            f"Saved {name}: {cells} cells, {count['global']} globals, {count['static']} statics, "
            f"{count['block']} heap blocks ({size:,} bytes).",
            *saver.notes,
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
            notes = self._replay(doc, label, handlers)
            restorer = persist.Restorer(interp, doc)
            restored = self._restore(doc, restorer, name, label)
        except persist.LoadError as e:
            interp.reset()  # nothing of the file stays
            interp.set_cflags(flags)
            return MagicResult(error("LoadError", f"%load {name}: {e}"), consumed=True)
        finally:
            interp.defining = False
        globals_, statics, blocks, size = restored
        cells = sum(1 for s in doc["steps"] if "cell" in s)
        self.print(
            "\n".join(
                [
                    f"Loaded {name}: {cells} cells defined (their statements not run again); restored {globals_} "
                    f"globals, {statics} statics, {blocks} heap blocks ({size:,} bytes).",
                    *notes,
                    *restorer.notes,
                ]
            )
        )
        return MagicResult(CellResult(True), consumed=True)

    def _replay(self, doc: dict, label: str, handlers: Handlers) -> list[str]:
        """The file's steps again, each cell loaded without running."""
        interp = self.interpreter
        interp.set_cflags(doc["cflags"])
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
        answers = iter(("sizes", "written"))

        def answer() -> str:
            if next(answers, "") == "sizes":
                return f"{len(sizes)} {' '.join(map(str, sizes))}\n"
            if len(allocated) == len(sizes) and all(allocated):
                with ProcessMemory(interp.process.live_pid or 0, writable=True) as memory:
                    restored.append(restorer.write(memory, allocated))
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
            why = result.evalue if not result.ok else "the program could not allocate its heap blocks"
            raise persist.LoadError(f"the data could not be restored: {why}")
        interp.replace_record(own, lambda _r: NoteRecord(own, f"%load {name} (in the notebook only)"))
        self.magics.label_floor = names.cell_number(own) or 0
        return restored[0]
