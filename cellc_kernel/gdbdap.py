"""gdb on the notebook's program, as a debug adapter (`gdb -i=dap`).

gdb implements DAP; what this adds is the notebook's program: gdb stays on
the live process across cells and attaches anew after a rollback or a reset;
the cells' sources, frames and names are shown as the user wrote them;
stepping into a notebook function goes through its trampoline; a crash stops
where it happens, as an exception would.  debugger.py is JupyterLab's side.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from . import dap, names, toolchain
from .dap import AdapterGone, DapClient

if TYPE_CHECKING:
    from .debugger import CellSources

MIN_GDB = 14  # the first gdb with DAP
RESUMING = ("continue", "next", "stepIn", "stepOut")  # the requests that let the program go on
FAULTS = ("SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT", "SIGSYS")

# The live process goes on from cell to cell, and forks a snapshot after each:
# gdb stays on it (the parent of every fork: the snapshots, the program's own
# children, a crash's frozen copy).  After a rollback or a reset the program
# is another process, which a new gdb attaches to.
GDB_SETTINGS = [
    "set follow-fork-mode parent",
    "set detach-on-fork on",
    "set breakpoint pending on",
    "handle all nostop noprint pass",  # the program's and the executor's signals are theirs
    "handle SIGINT nostop noprint pass",  # the kernel's interrupt
    *(f"handle {sig} stop print pass" for sig in FAULTS),  # a crash stops where it happens
]


def find_gdb() -> tuple[str | None, str]:
    """A gdb that speaks DAP: $CELLC_GDB if set, else the one beside this
    Python (the `debug` extra installs one there) or on PATH; or None and what to install."""
    named = os.environ.get("CELLC_GDB")
    candidates = [named] if named else [str(Path(sys.executable).parent / "gdb"), shutil.which("gdb")]
    seen = []
    for gdb in filter(None, candidates):
        if not os.access(gdb, os.X_OK):
            continue
        try:
            first = toolchain.run([gdb, "--version"], timeout=10).stdout.splitlines()[0]
        except (OSError, IndexError):
            continue
        m = re.search(r"(\d+)\.\d+", first)
        if m and int(m.group(1)) >= MIN_GDB:
            return gdb, ""
        seen.append(f"{gdb} is {first.strip()}")
    found = f" ({'; '.join(seen)})" if seen else ""
    return None, (
        f"the debugger needs gdb {MIN_GDB} or later, which speaks DAP{found}: "
        "install it with `pip install 'cellc-kernel[debug]'` (a gdb build from PyPI), "
        "or name one with the CELLC_GDB environment variable"
    )


class DebugError(Exception):
    """A request the debugger answers with failure and this message."""


class GdbSession:
    """One gdb, attached to the live process of the program."""

    def __init__(
        self,
        interpreter: Callable,
        sources: CellSources,
        publish: Callable[[dict], None],
        initialize: dict,
        breakpoints: Callable[[], Iterable[tuple[str, list[dict]]]],
    ):
        """`publish(event)`: an event for JupyterLab; `initialize`: its arguments to
        `initialize`; `breakpoints()`: (label, breakpoints) to set after attaching."""
        self._interpreter = interpreter
        self.sources = sources
        self.publish = publish
        self.initialize = initialize
        self.breakpoints = breakpoints
        self.capabilities: dict = {}
        self.attached: int | None = None  # the live process gdb is on
        self.stopped: set[int] = set()
        self._quiet = False  # attaching: gdb's stop and module events are not the user's
        self._attach_stop = threading.Event()
        self._attach_thread = 1
        self._fault = ""  # the signal gdb stopped the program for
        self._stepping_in = False  # a stepIn's breakpoints on every notebook function are set
        self.frame_code: dict[int, tuple[str, str]] = {}  # a shown frame's id -> (its function in DWARF, its cell)
        self.client = self._start_gdb()

    @property
    def interp(self):
        return self._interpreter()

    def close(self) -> None:
        """gdb ends; it detaches first, and the program runs on."""
        self.client.close()
        self.stopped.clear()
        self.interp.process.hold(False)

    def let_go(self) -> None:
        """The stop button while the program is held: let it go, the interrupt ends it."""
        if self.stopped:
            try:
                thread = min(self.stopped)
                self.client.start("continue", functools.partial(self._resumed, thread), threadId=thread)
            except AdapterGone:
                pass

    def _resumed(self, thread: int | None, reply: dict) -> None:
        """The program goes on at a request: gdb sends no `continued` for it (DAP
        leaves that to the client), but JupyterLab keeps its frames until told,
        and gdb numbers the frames of each stop from 0 again: after a step it
        would show the last stop's line and variables.  On the reader thread, so
        it comes before the next stop's event."""
        if not reply.get("success"):
            return
        self.stopped.clear()
        self.interp.process.hold(False)
        self.publish(
            {"type": "event", "seq": 0, "event": "continued", "body": {"threadId": thread, "allThreadsContinued": True}}
        )

    def forward(self, command: str, args: dict) -> dict | None:
        """A request of JupyterLab's to gdb; its answer as the user should see it."""
        answered = None
        if command in RESUMING:
            if self._fault:
                self.client.request("evaluate", expression=f"handle {self._fault} nostop noprint pass", context="repl")
                self._fault = ""
            if command == "continue" and self.stopped and args.get("threadId") not in self.stopped:
                # JupyterLab forgets the stopped thread before naming it, and names 1;
                # all threads stop and go on together, so any stopped one does
                args = {**args, "threadId": min(self.stopped)}
            answered = functools.partial(self._resumed, args.get("threadId"))
        reply = self.client.start(command, answered, **args).wait()
        if not reply.get("success"):
            raise DebugError(names.shown(reply.get("message") or f"{command} failed"))
        body = reply.get("body")
        if command == "stackTrace" and body:
            body["stackFrames"] = self._frames(body.get("stackFrames", []))
            body["totalFrames"] = len(body["stackFrames"])
        elif command == "scopes" and body:
            body["scopes"] = [s for s in body.get("scopes", []) if s.get("name") != "Registers"]
            for scope in body["scopes"]:
                scope.pop("source", None)
        elif command == "variables" and body:
            for v in body.get("variables", []):
                _show_names(v)
        return body

    def evaluate(self, args: dict) -> dict:
        """A C expression in the stopped frame (the console, a hover), with the
        notebook's globals and functions as the program defines them now."""
        from .model import linked_expression  # (the parser behind it is not loaded before the first cell)

        local = self._locals(args.get("frameId"))
        expression = linked_expression(self.interp.program, args.get("expression", ""), local)
        args = {**args, "expression": expression}
        if args.get("context") in (None, "repl"):
            args["context"] = "watch"  # the console evaluates C, not gdb commands
        reply = self.client.request("evaluate", **args)
        if not reply.get("success"):
            raise DebugError(names.shown(reply.get("message") or "cannot evaluate this"))
        body = reply.get("body") or {}
        _show_names(body)
        return body

    def step_in(self, args: dict) -> None:
        """Step into the notebook functions the line calls.  A call reaches a
        function through its trampoline, code without lines that gdb steps
        over, callee and all: so the line is stepped over with a breakpoint on
        every notebook function, taken away at the stop (library functions,
        which have no lines either, are stepped over as gdb does)."""
        from .model import linked_expression

        program = self.interp.program
        bodies = [linked_expression(program, name) for name, f in program.functions.items() if f.defined]
        self.client.request(
            "setFunctionBreakpoints", breakpoints=[{"name": b} for b in bodies if b.startswith(names.PREFIX)]
        )
        self._stepping_in = True
        self.forward("next", args)

    def _locals(self, frame: int | None) -> set[str]:
        """The names of a frame's arguments and locals (they shadow the notebook's)."""
        if frame is None:
            return set()
        found: set[str] = set()
        for scope in (self.client.request("scopes", frameId=frame).get("body") or {}).get("scopes", []):
            if scope.get("name") in ("Arguments", "Locals"):
                reply = self.client.request("variables", variablesReference=scope["variablesReference"])
                found |= {v["name"] for v in (reply.get("body") or {}).get("variables", [])}
        return found

    def _frames(self, frames: list[dict]) -> list[dict]:
        """The user's frames: up to the cell's statements (the executor's below
        are not the program's), named as the user knows them."""
        from .crash import shown_function

        shown = []
        sources = self.sources
        for frame in frames:
            source = sources.from_gdb(frame.get("source"))
            name = frame.get("name", "")
            self.frame_code[frame.get("id", -1)] = (name, (frame.get("source") or {}).get("name", ""))
            if names.is_cell_code(name):
                frame["name"] = (source or {}).get("name") or "<cell>"
            else:
                frame["name"] = shown_function(name) or names.shown(name)
            if source is None:
                frame.pop("source", None)
                frame["presentationHint"] = "subtle"
            else:
                frame["source"] = source
            frame.pop("moduleId", None)
            shown.append(frame)
            if names.is_cell_code(name):
                break
        return shown

    def set_breakpoints(self, label: str, breakpoints: list[dict]) -> list[dict]:
        """Cell `label`'s breakpoints, as gdb answers (pending until its code is loaded)."""
        reply = self.client.request(
            "setBreakpoints", source={"path": self.sources.to_gdb(label)}, breakpoints=breakpoints
        )
        return list((reply.get("body") or {}).get("breakpoints", []))

    def follow(self, live: int | None) -> None:
        """Keep gdb on the live process: the same from cell to cell, another
        once a snapshot resumed (a crash, %undo), which gdb attaches anew."""
        if live is None or live == self.attached:
            return
        self.attach(live)

    def attach(self, pid: int | None) -> None:
        """Attach gdb to `pid`, set the breakpoints, and let the program run on
        (attaching stops it); a gdb that was on another process is replaced."""
        if pid is None:
            raise DebugError("the program is not running")
        if self.attached is not None:
            self.client = self._start_gdb()
        self._quiet = True
        self._attach_stop.clear()
        try:
            attached = self.client.start("attach", pid=pid)
            self.client.request("configurationDone")
            reply = attached.wait()
            if not reply.get("success"):
                raise DebugError(f"gdb could not attach to the program: {reply.get('message', '')}")
            if not self._attach_stop.wait(dap.TIMEOUT):
                raise DebugError("gdb attached but the program did not stop")
            self.attached = pid
            for label, bps in self.breakpoints():
                self.set_breakpoints(label, bps)
            self.client.request("continue", threadId=self._attach_thread)
        finally:
            self._quiet = False
        self.stopped.clear()

    def _start_gdb(self) -> DapClient:
        """A new gdb (the old one, if any, ends: gdb's DAP serves one inferior and ends with `disconnect`)."""
        gdb, missing = find_gdb()
        if gdb is None:
            raise DebugError(missing)
        if self.attached is not None:
            self.client.close()
        argv = [gdb, "-q", "-nx", "-nh"]
        for command in GDB_SETTINGS:
            argv += ["-iex", command]
        argv.append("-i=dap")
        self.attached = None
        self.stopped.clear()
        client = DapClient(argv, self._on_event, cwd=str(self.interp.workdir))
        reply = client.request("initialize", **self.initialize)
        if not reply.get("success"):
            client.close()
            raise DebugError(f"gdb did not start: {reply.get('message', '')}")
        self.capabilities = reply.get("body") or {}
        return client

    def _on_event(self, event: dict) -> None:
        """An event of gdb's, on the DAP reader thread: kept, rewritten or passed on."""
        kind = event.get("event")
        body = event.get("body") or {}
        if kind == "stopped":
            if self._quiet:
                self._attach_thread = body.get("threadId", 1)
                self._attach_stop.set()
                return
            self.stopped.add(body.get("threadId", 1))
            if self._stepping_in:  # stepIn's breakpoints go before anything resumes the program
                self._stepping_in = False
                body["reason"] = "step"
                body.pop("hitBreakpointIds", None)
                threading.Thread(target=self._clear_function_breakpoints, args=(event,), daemon=True).start()
                return
            if body.get("reason") == "signal":  # its name is asked of gdb: not on this thread, which reads the answer
                threading.Thread(target=self._stopped_at_fault, args=(event,), daemon=True).start()
                return
        elif kind == "continued":
            self.stopped.clear()
            self.interp.process.hold(False)
        elif kind == "breakpoint":
            bp = body.get("breakpoint") or {}
            source = self.sources.from_gdb(bp.get("source"))
            if source is None:
                return
            bp["source"] = source
        elif kind in ("exited", "terminated", "adapterExited"):
            self.stopped.clear()  # the process gdb was on is gone (or was left after a fork)
            return
        if kind in ("output", "module", "process", "loadedSource", "initialized") or self._quiet:
            return
        if kind == "stopped":
            self.interp.process.hold(True)
        self.publish(event)

    def _clear_function_breakpoints(self, event: dict) -> None:
        try:
            self.client.request("setFunctionBreakpoints", breakpoints=[])
        except AdapterGone:
            pass
        self.interp.process.hold(True)
        self.publish(event)

    def _stopped_at_fault(self, event: dict) -> None:
        """A crash stops where it happens, as an exception would.  Continuing
        lets the executor report it and roll back: gdb no longer stops for the
        signal (the executor raises it again to end the process)."""
        body = event["body"]
        name = "a signal"
        try:
            reply = self.client.request("evaluate", expression="$_siginfo.si_signo", context="watch")
            name = signal.Signals(int((reply.get("body") or {}).get("result", "0"))).name
            self._fault = name
        except (AdapterGone, ValueError):
            pass
        body["reason"] = "exception"
        body["description"] = f"the program received {name}"
        body["text"] = f"{name}: continue, and the cell ends with this crash and is rolled back"
        self.interp.process.hold(True)
        self.publish(event)


def _show_names(variable: dict) -> None:
    """A variable or an evaluation as the user wrote it: no generated names."""
    for key in ("name", "value", "type", "result", "evaluateName"):
        if isinstance(variable.get(key), str):
            variable[key] = names.shown(variable[key])
