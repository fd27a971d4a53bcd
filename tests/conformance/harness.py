"""Differential conformance: a C file through gcc and through a real cellc kernel.

gcc is the oracle.  Each program is built with plain gcc and run; then the
same text goes through a cellc kernel — the whole file as one cell, and
split into one cell per top-level item (the way people paste code into a
notebook), sent one at a time and, in the mode `queued`, all at once as
"Run All" does (the kernel then compiles queued cells together) — and a
last cell calls `exit(main(...))`, as the C runtime does.  stdout and the
exit status (or the fatal signal) must match.  The last mode, `export`,
runs the split cells (the last one `int cellc_status = main(...);`),
exports them with `%export -o` and runs the exported program instead: its
stdout must match, and main's status is the one the kernel saw.

    python tests/conformance/harness.py tests/conformance/corpus          # every .c file
    python tests/conformance/harness.py --mode split --cflags "-O2" f.c   # one file, one mode

The kernel is reused between programs (`%reset` gives a fresh program) and
started anew when it stops answering.
"""

from __future__ import annotations

import argparse
import bisect
import difflib
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import KernelManager

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from cellc_kernel.parse import parse_tree, top_level_starts  # noqa: E402

DEFAULT_CFLAGS = ["-O0", "-std=gnu17", "-w"]
RUN_TIMEOUT = 10
CELL_TIMEOUT = 120
MODES = ("whole", "split", "queued", "export")
WHOLE_ONLY = "conformance: whole only"  # in a program's text: skip the split mode


@dataclass
class Run:
    """What a program did: its stdout and how it ended."""

    stdout: str
    status: str  # "exit N" | "signal SIGx" | "error: ..." (cellc could not run it)
    cells: int = 0


@dataclass
class Result:
    path: Path
    reference: Run
    runs: dict[str, Run] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(self.same(run) for run in self.runs.values())

    def same(self, run: Run) -> bool:
        return run.stdout == self.reference.stdout and run.status == self.reference.status

    def report(self) -> str:
        lines = []
        for mode, run in self.runs.items():
            if self.same(run):
                continue
            lines.append(
                f"--- {self.path.name} [{mode}, {run.cells} cells]: {run.status} (gcc: {self.reference.status})"
            )
            if run.stdout != self.reference.stdout:
                diff = difflib.unified_diff(
                    self.reference.stdout.splitlines(), run.stdout.splitlines(), "gcc", "cellc", lineterm="", n=1
                )
                lines.extend(list(diff)[:40])
        return "\n".join(lines)


# -- gcc, the oracle ---------------------------------------------------------------------
def reference(path: Path, cflags: list[str], workdir: Path) -> Run | None:
    """The program built by gcc and run (None: gcc does not build it, or it
    does not finish within RUN_TIMEOUT)."""
    exe = workdir / (path.stem + ".exe")
    build = subprocess.run(
        ["gcc", *cflags, "-o", str(exe), str(path), "-lm", "-lpthread"], capture_output=True, text=True
    )
    if build.returncode != 0:
        return None
    try:
        proc = subprocess.run(
            ["prog"],
            executable=str(exe),
            capture_output=True,
            timeout=RUN_TIMEOUT,
            cwd=path.parent,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return None  # Csmith makes some programs that run for minutes: nothing to compare
    return Run(proc.stdout.decode("utf-8", "replace"), _status(proc.returncode))


def _status(returncode: int) -> str:
    if returncode < 0:
        return f"signal {signal.Signals(-returncode).name}"
    return f"exit {returncode}"


# -- splitting a file into cells ---------------------------------------------------------
def split_items(source: str, cflags: list[str] = ()) -> list[str]:
    """One cell per top-level item as gcc reads the file (macros expanded),
    whole lines each: a directive between items is a cell of its own, a
    top-level `#if` block one cell with all it holds, items that share a
    line share a cell, and comments go with the item they precede.

    The items are found in gcc's preprocessed text (`top_level_starts`,
    their lines by gcc's line markers); tree-sitter's top-level nodes when
    the preprocessor fails.  `#line` renumbers the rest of its cell only
    (docs/limits.md): what follows it stays in its cell."""
    lines = source.splitlines(keepends=True)
    items = _items_as_gcc_reads(source, cflags)
    if items is None:
        data = source.encode()
        nodes = [n for n in parse_tree(data).root_node.children if n.end_byte > n.start_byte]
        items = [(n.start_point[0], True) for n in nodes]
    first_token_after = {}  # row -> whether the next token after that row starts an item
    for row, starts in reversed(items):
        first_token_after[row] = starts
    starts = {row for row, is_start in items if is_start}
    cuts: set[int] = set()
    nesting, continued, ended = 0, False, False
    next_tokens = sorted(first_token_after)
    for i, line in enumerate(lines):
        directive = not continued and re.match(r"\s*#\s*(\w*)", line)
        continued = line.rstrip("\n").endswith("\\")
        if ended:
            break
        if directive:
            word = directive.group(1)
            later = bisect.bisect_right(next_tokens, i)
            between_items = later == len(next_tokens) or first_token_after[next_tokens[later]]
            if nesting == 0 and between_items:
                cuts.add(i)
            if word in ("if", "ifdef", "ifndef"):
                nesting += 1
            elif word == "endif":
                nesting = max(nesting - 1, 0)
            elif word == "line" and nesting == 0:
                ended = True  # the rest is this cell
        elif i in starts and nesting == 0:
            cuts.add(i)
    cells: list[int] = []
    for cut in sorted(cuts):
        while cut > 0 and cut - 1 not in cuts and _comment_or_blank(lines[cut - 1]):
            cut -= 1  # the comment before an item goes with it
        if not cells or cut > cells[-1]:
            cells.append(cut)
    if not cells or cells[0] > 0:
        cells.insert(0, 0)
    bounds = [*cells, len(lines)]
    out = ["".join(lines[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    return [cell for cell in out if cell.strip()]


def _comment_or_blank(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith(("/*", "*", "//"))


def _items_as_gcc_reads(source: str, cflags: list[str]) -> list[tuple[int, bool]] | None:
    """(0-based line, whether it starts an item) of each token of the file
    as gcc's preprocessor gives it, or None if the preprocessor fails."""
    proc = subprocess.run(["gcc", *cflags, "-E", "-x", "c", "-"], input=source, capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    text, rows = [], []  # the main file's lines, and the source line of each
    row, main = 0, False
    for line in proc.stdout.splitlines(keepends=True):
        m = re.match(r'# (\d+) "([^"]*)"', line)
        if m:
            row, main = int(m.group(1)) - 1, m.group(2) == "<stdin>"
            continue
        if main:
            text.append(line)
            rows.append(row)
        row += 1
    data = "".join(text).encode()
    offsets = [0]
    for line in text:
        offsets.append(offsets[-1] + len(line.encode()))
    starts = set(top_level_starts(data))
    tokens = [m.start() for m in re.finditer(rb"\S+", data)]
    return [(rows[bisect.bisect_right(offsets, at) - 1], at in starts) for at in tokens]


def main_call(source: str, export: bool = False) -> str:
    """The last cell: what the C runtime does with main (to export: main's
    status kept in a global)."""
    args = "" if re.search(r"\bmain\s*\(\s*(void)?\s*\)", source) else '1, (char *[]){ "prog", 0 }'
    return f"int cellc_status = main({args});" if export else f"__builtin_exit(main({args}));"


# -- cellc -------------------------------------------------------------------------------
class Session:
    """A cellc kernel reused across programs."""

    def __init__(self):
        self.km: KernelManager | None = None
        self.kc = None

    def _start(self) -> None:
        self.km = KernelManager(kernel_name="cellc")
        self.km.start_kernel(stdin=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def stop(self) -> None:
        if self.km is not None:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=True)
            self.km = self.kc = None

    def execute(self, code: str) -> tuple[dict, str, list[dict]]:
        """(reply content, stdout, error contents) of one cell."""
        out: list[str] = []
        errors: list[dict] = []

        def hook(msg):
            kind = msg["header"]["msg_type"]
            if kind == "stream" and msg["content"]["name"] == "stdout":
                out.append(msg["content"]["text"])
            elif kind == "error":
                errors.append(msg["content"])

        reply = self.kc.execute_interactive(code, output_hook=hook, timeout=CELL_TIMEOUT, allow_stdin=False)
        return reply["content"], "".join(out), errors

    def execute_queued(self, cells: list[str]):
        """(reply content, stdout, error contents) of each cell, all sent before
        any reply, as JupyterLab's "Run All" does (after an error the rest are aborted)."""
        ids = [self.kc.execute(code, allow_stdin=False) for code in cells]
        replies: dict[str, dict] = {}
        out: dict[str, list[str]] = {i: [] for i in ids}
        errors: dict[str, list[dict]] = {i: [] for i in ids}
        idle: set[str] = set()
        deadline = time.monotonic() + CELL_TIMEOUT * 2
        while (len(replies) < len(ids) or len(idle) < len(ids)) and time.monotonic() < deadline:
            try:
                msg = self.kc.get_shell_msg(timeout=0.001)
                replies[msg["parent_header"].get("msg_id")] = msg["content"]
                continue
            except queue.Empty:
                pass
            try:
                msg = self.kc.get_iopub_msg(timeout=0.01)
            except queue.Empty:
                continue
            parent, kind = msg["parent_header"].get("msg_id"), msg["header"]["msg_type"]
            if parent not in out:
                continue
            if kind == "stream" and msg["content"]["name"] == "stdout":
                out[parent].append(msg["content"]["text"])
            elif kind == "error":
                errors[parent].append(msg["content"])
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle.add(parent)
        if len(replies) < len(ids):
            raise TimeoutError("Run All: some cells got no reply")
        for i in ids:
            yield replies[i], "".join(out[i]), errors[i]

    def run(
        self, cells: list[str], cflags: list[str], final: str, export: Path | None = None, queued: bool = False
    ) -> Run:
        if self.km is None or not self.km.is_alive():
            self.stop()
            self._start()
        try:
            self.execute("%reset")
            reply, _, errors = self.execute("%cflags " + shlex.join(cflags))
            if reply["status"] != "ok":
                return Run("", f"error: %cflags: {errors}")
            stdout = []
            results = self.execute_queued(cells + [final]) if queued else map(self.execute, cells + [final])
            for k, (cell, (reply, text, errors)) in enumerate(zip(cells + [final], results, strict=True)):
                stdout.append(text)
                if reply["status"] == "ok":
                    continue
                if k == len(cells) and export is not None:
                    export = None  # main ended the program: it ran as in the split mode
                evalue = errors[0]["evalue"] if errors else reply.get("evalue", "")
                ename = errors[0]["ename"] if errors else reply.get("ename", "")
                m = re.match(r"the program called exit\((-?\d+)\)", evalue)
                if ename == "Exit" and m:
                    status = f"exit {int(m.group(1)) & 0xFF}"
                elif ename.startswith("SIG"):
                    status = f"signal {ename}"
                else:
                    trace = "\n".join(errors[0]["traceback"]) if errors else evalue
                    status = f"error in cell {k + 1}/{len(cells) + 1}: {ename}: {trace[:2000]}\n{cell[:300]}"
                return Run("".join(stdout), status, len(cells))
            if export is not None:
                return self.run_exported(export, len(cells))
            return Run("".join(stdout), "error: main returned to the notebook", len(cells))
        except Exception as e:  # a hung or dead kernel costs this program only
            self.stop()
            return Run("", f"error: kernel: {type(e).__name__}: {e}", len(cells))

    def run_exported(self, where: Path, cells: int) -> Run:
        """`%export -o` of the program the kernel holds, built and run."""
        reply, _, errors = self.execute(f"%export -o {where}/prog {where}/prog.c")
        if reply["status"] != "ok":
            trace = "\n".join(errors[0]["traceback"]) if errors else reply.get("evalue", "")
            return Run("", f"error: %export: {trace[:3000]}", cells)
        reply, shown, errors = self.execute('printf("%d", cellc_status);')
        if reply["status"] != "ok":
            return Run("", f"error: main's status: {errors}", cells)
        status = int(shown) & 0xFF
        try:
            proc = subprocess.run(
                [str(where / "prog")], capture_output=True, timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            return Run("", "error: the exported program did not finish", cells)
        ended = f"exit {status}" if proc.returncode == 0 else f"exported program: {_status(proc.returncode)}"
        return Run(proc.stdout.decode("utf-8", "replace"), ended, cells)


def check(path: Path, session: Session, cflags: list[str], modes=MODES, workdir: Path | None = None) -> Result | None:
    """gcc vs cellc for one file (None: gcc's program does not build or finish)."""
    source = path.read_text()
    with tempfile.TemporaryDirectory() as tmp:
        ref = reference(path, cflags, Path(workdir or tmp))
    if ref is None:
        return None
    result = Result(path, ref)
    final = main_call(source)
    if WHOLE_ONLY in source:  # a documented difference of split cells (docs/limits.md)
        modes = [m for m in modes if m == "whole"]
    for mode in modes:
        cells = [source] if mode == "whole" else split_items(source, cflags)
        if mode == "export":
            with tempfile.TemporaryDirectory() as tmp:
                result.runs[mode] = session.run(cells, cflags, main_call(source, export=True), Path(tmp))
        else:
            result.runs[mode] = session.run(cells, cflags, final, queued=mode == "queued")
    return result


CSMITH_INCLUDE = "/usr/include/csmith"


def csmith_program(seed: int, directory: Path) -> Path | None:
    """Csmith's program for `seed` (None: csmith is not installed)."""
    if shutil.which("csmith") is None:
        return None
    path = directory / f"csmith_{seed}.c"
    proc = subprocess.run(
        ["csmith", "--seed", str(seed), "-o", str(path)], capture_output=True, text=True, cwd=directory
    )
    return path if proc.returncode == 0 else None


def seeds(text: str) -> list[int]:
    """`1-30,45` -> [1, ..., 30, 45]"""
    out: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        out.extend(range(int(first), int(last or first) + 1))
    return out


def files_in(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(p.glob("*.c")) if p.is_dir() else [p])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="C files or directories of C files")
    parser.add_argument("--seeds", type=seeds, default=[], help="also Csmith's programs for these seeds (1-1000)")
    parser.add_argument("--mode", choices=[*MODES, "all"], default="all")
    parser.add_argument("--cflags", default="", help="extra gcc flags, for both gcc and the notebook")
    parser.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    args = parser.parse_args(argv)
    cflags = DEFAULT_CFLAGS + shlex.split(args.cflags)
    modes = MODES if args.mode == "all" else (args.mode,)
    session = Session()
    passed = failed = skipped = 0
    start = time.monotonic()
    generated = Path(tempfile.mkdtemp(prefix="cellc-csmith-"))
    jobs = [(path, cflags) for path in files_in(args.paths)]
    csmith_flags = [*cflags, "-I" + CSMITH_INCLUDE]
    try:
        for seed in args.seeds:
            path = csmith_program(seed, generated)
            if path is None:
                print(f"skip csmith seed {seed}: csmith is not installed or failed", flush=True)
                continue
            jobs.append((path, csmith_flags))
        for path, flags in jobs:
            result = check(path, session, flags, modes)
            if result is None:
                skipped += 1
                print(f"skip {path.name}: gcc's program does not build or finish", flush=True)
            elif result.ok:
                passed += 1
                if not args.quiet:
                    print(f"ok   {path.name}", flush=True)
            else:
                failed += 1
                print(f"FAIL {path.name}\n{result.report()}", flush=True)
            if (result is None or result.ok) and path.parent == generated:  # keep failures only
                path.unlink()
    finally:
        session.stop()
        (generated / "platform.info").unlink(missing_ok=True)  # csmith's note on the machine
        if not any(generated.iterdir()):
            generated.rmdir()
        else:
            print(f"failing Csmith programs are kept in {generated}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped in {time.monotonic() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
