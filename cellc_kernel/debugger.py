"""JupyterLab's visual debugger: its debug requests brokered to gdb's own DAP.

JupyterLab speaks the Debug Adapter Protocol plus Jupyter's requests
(`debugInfo`, `dumpCell`, `inspectVariables`, `richInspectVariables`) on the
control channel; gdb 14 and later speaks DAP itself (`gdb -i=dap`).  What the
broker adds (docs/debugger.md):

- cell names: JupyterLab names a cell's source prefix + murmur2(code) + suffix,
  gcc names it by its label (`In[7]`, under `#line`); `CellSources` maps
  sources both ways, and sets a cell's breakpoints again on each new label of
  the same code (a cell run again, a function redefined);
- the process: gdb attaches to the live process and follows it across cells
  (it forks after each, see `FOLLOW_SCRIPT`), and attaches again after a
  rollback or `%reset` (a new process);
- gdb's habits: it holds the `attach` response until `configurationDone` and
  refuses a second one, while JupyterLab awaits `attach` and sends
  `configurationDone` after every `setBreakpoints`: the broker answers those;
- what users see: frames, variables and stop reasons named as the user wrote
  them (no generated names), the cell's statements as a frame named after it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from . import dap, names, toolchain
from .dap import AdapterGone, DapClient

log = logging.getLogger(__name__)

_TOKENS = re.compile(r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\b\w+\b""")  # strings, chars, words
HASH_SEED = 0xC70F6907  # ipykernel's: any seed works, JupyterLab uses the one debugInfo gives
MIN_GDB = 14  # the first gdb with DAP
FAULTS = ("SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT", "SIGSYS")

# The live process forks after every cell: the parent stays as the snapshot,
# the child goes on.  gdb follows the child of that fork (the executor calls
# `cellc_live_fork` just before it) and the parent of any other fork (the
# program's own, the frozen copy of a crash), so it stays with the program.
# Each followed child is a new gdb inferior: the old ones are removed, and
# gdb's DAP, which selects a thread by its number in the current inferior
# where DAP gives its global number, is made to select by the global number.
FOLLOW_SCRIPT = """\
import sys
import gdb

def select_thread(thread_id):
    for inferior in gdb.inferiors():
        for thread in inferior.threads():
            if thread.global_num == thread_id:
                thread.switch()
                return
    raise gdb.GdbError("no thread %d" % thread_id)

def fix_dap():
    for name, module in list(sys.modules.items()):
        if name.startswith("gdb.dap.") and hasattr(module, "set_thread"):
            module.set_thread = select_thread

class CellcFollow(gdb.Breakpoint):
    def __init__(self, where, mode):
        super().__init__(where, internal=True)
        self.mode = mode
    def stop(self):
        fix_dap()
        gdb.execute("set follow-fork-mode " + self.mode)
        if self.mode == "parent":
            for inferior in gdb.inferiors():
                if inferior.pid == 0 and inferior != gdb.selected_inferior():
                    gdb.execute("remove-inferiors %d" % inferior.num)
        return False

CellcFollow("cellc_live_fork", "child")
CellcFollow("cellc_live_forked", "parent")
"""
GDB_SETTINGS = [
    "set follow-fork-mode parent",
    "set detach-on-fork on",
    "set breakpoint pending on",
    "handle all nostop noprint pass",  # the program's and the executor's signals are theirs
    "handle SIGINT nostop noprint pass",  # the kernel's interrupt
    *(f"handle {sig} stop print pass" for sig in FAULTS),  # a crash stops where it happens
]


def murmur2(text: str, seed: int = HASH_SEED) -> int:
    """MurmurHash2 (x86, 32 bits) of the UTF-8 text: JupyterLab's cell id."""
    data = text.encode("utf-8")
    m, length = 0x5BD1E995, len(data)
    h = (seed ^ length) & 0xFFFFFFFF
    cut = length - length % 4
    for i in range(0, cut, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    rest = data[cut:]
    if rest:
        h ^= int.from_bytes(rest, "little")
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


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


class CellSources:
    """Cell sources as JupyterLab names them (a path per code) and as gcc does (a label)."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.prefix = str(workdir / "debug") + "/"
        self.suffix = ".c"
        self.codes: dict[str, str] = {}  # label -> the cell's code as typed

    def path(self, code: str) -> str:
        return f"{self.prefix}{murmur2(code)}{self.suffix}"

    def dump(self, code: str) -> str:
        """Write the cell where JupyterLab expects it (it may open the file)."""
        path = self.path(code)
        os.makedirs(self.prefix, mode=0o700, exist_ok=True)
        Path(path).write_text(code, encoding="utf-8")
        return path

    def labels(self, path: str) -> list[str]:
        """The labels a cell source ran under, oldest first."""
        return [label for label, code in self.codes.items() if self.path(code) == path]

    def code_at(self, path: str) -> str | None:
        return next((code for code in self.codes.values() if self.path(code) == path), None)

    def to_gdb(self, label: str) -> str:
        return str(self.workdir / label)  # gcc ran in the work directory

    def from_gdb(self, source: dict | None) -> dict | None:
        """A source gdb names, as JupyterLab knows it; None for generated code."""
        if not source:
            return source
        name = source.get("name") or ""
        code = self.codes.get(name)
        if code is not None:
            return {"name": name, "path": self.path(code)}
        if name == names.GENERATED_FILE or str(source.get("path", "")).startswith(str(self.workdir) + "/"):
            return None
        return source


class Debugger:
    """The debug session of one kernel: JupyterLab's requests in, gdb's answers and events out."""

    def __init__(self, interpreter: Callable, publish: Callable[[dict], None], idle: threading.Lock):
        """`interpreter()`: the notebook's; `publish(event)`: a `debug_event` on IOPub;
        `idle`: held while a cell runs (the executor is then the cell's)."""
        self._interpreter = interpreter
        self.publish = publish
        self.idle = idle
        self.sources: CellSources | None = None
        self.client: DapClient | None = None
        self.started = False
        self.attached: int | None = None  # the live process gdb is attached to
        self.breakpoints: dict[str, list[dict]] = {}  # cell path -> JupyterLab's breakpoints there
        self.stopped: set[int] = set()
        self._quiet = False  # attaching: gdb's stop and module events are not the user's
        self._attach_stop = threading.Event()
        self._attach_thread = 1
        self._initialize: dict = {}
        self._fault = ""  # the signal gdb stopped the program for
        self._stepping_in = False  # a stepIn's breakpoints on every notebook function are set
        self._capabilities: dict = {}
        self._lock = threading.RLock()

    @property
    def interp(self):
        return self._interpreter()

    def cell_sources(self) -> CellSources:
        if self.sources is None:
            self.sources = CellSources(self.interp.workdir)
        return self.sources

    # -- the kernel's side ----------------------------------------------------------
    def before_cell(self, label: str, code: str) -> str:
        """A cell is about to run: it is one of the sources, and gdb follows the
        program into it.  '' or why the debugger stopped (for the cell's stderr)."""
        self.cell_sources().codes[label] = code
        if not self.started:
            return ""
        with self._lock:
            try:
                self._follow(self.interp.live_process())
                path = self.cell_sources().path(code)
                if self.breakpoints.get(path):
                    self._set_in_gdb(label, self.breakpoints[path])
            except (AdapterGone, DebugError) as e:
                self._end()
                self.publish({"type": "event", "seq": 0, "event": "terminated", "body": {}})
                return f"The debugger stopped: {e}. Turn it on again to go on debugging.\n"
        return ""

    def on_interrupt(self) -> None:
        """The stop button while the program is held at a breakpoint: let it go, the interrupt ends it."""
        if self.stopped and self.client is not None:
            try:
                self.client.start("continue", threadId=min(self.stopped))
            except AdapterGone:
                pass

    def close(self) -> None:
        with self._lock:
            self._end()

    # -- JupyterLab's requests --------------------------------------------------------
    def handle(self, request: dict) -> dict:
        """The response to one request of JupyterLab's."""
        command = request.get("command", "")
        args = request.get("arguments") or {}
        try:
            with self._lock:
                handler = getattr(self, "_request_" + command, None)
                body = handler(args) if handler else self._forward(command, args)
            return _response(request, True, body)
        except DebugError as e:
            return _response(request, False, message=str(e))
        except AdapterGone as e:
            self._end()
            return _response(request, False, message=f"the debugger ended: {e}")

    def _request_debugInfo(self, args: dict) -> dict:
        sources = self.cell_sources()
        return {
            "isStarted": self.started,
            "hashMethod": "Murmur2",
            "hashSeed": HASH_SEED,
            "tmpFilePrefix": sources.prefix,
            "tmpFileSuffix": sources.suffix,
            "breakpoints": [{"source": path, "breakpoints": bps} for path, bps in self.breakpoints.items() if bps],
            "stoppedThreads": sorted(self.stopped),
            "richRendering": True,
            "exceptionPaths": [],
            "copyToGlobals": False,
        }

    def _request_dumpCell(self, args: dict) -> dict:
        return {"sourcePath": self.cell_sources().dump(args.get("code", ""))}

    def _request_initialize(self, args: dict) -> dict:
        self._end()
        self._initialize = dict(args)
        self._start_gdb()
        body = dict(self._capabilities)
        body["exceptionBreakpointFilters"] = []  # a crash always stops; C has no exceptions to filter
        return body

    def _request_attach(self, args: dict) -> None:
        if self.client is None:
            raise DebugError("the debugger is not initialized")
        if self.idle.acquire(blocking=False):  # between cells: the live process is waiting for one
            try:
                self._attach(self.interp.live_process())
            finally:
                self.idle.release()
        else:
            self._attach(self.attached_candidate())
        self.started = True

    def attached_candidate(self) -> int | None:
        """The live process while a cell runs (its pid, without asking the busy executor)."""
        return self.interp.live_pid

    def _request_configurationDone(self, args: dict) -> None:
        return None  # gdb had its own when it attached; it refuses a second

    def _request_setBreakpoints(self, args: dict) -> dict:
        path = (args.get("source") or {}).get("path", "")
        wanted = list(args.get("breakpoints") or [])
        self.breakpoints[path] = wanted
        labels = self.cell_sources().labels(path)
        answer = None
        for label in labels:
            answer = self._set_in_gdb(label, wanted)
        if answer is None:  # a cell that has not run: set when it does
            answer = [{"verified": False, "message": "set when the cell runs"} for _ in wanted]
        for bp, asked in zip(answer, wanted, strict=False):
            bp.setdefault("line", asked.get("line"))
            bp["source"] = {"path": path}
        return {"breakpoints": answer}

    def _request_source(self, args: dict) -> dict:
        path = (args.get("source") or {}).get("path", "")
        code = self.cell_sources().code_at(path)
        if code is None:
            raise DebugError(f"no source for {path or 'this frame'}")
        return {"content": code}

    def _request_inspectVariables(self, args: dict) -> dict:
        return {"variables": [self._global(name, value, tname) for name, value, tname in self._globals()]}

    def _request_richInspectVariables(self, args: dict) -> dict:
        from . import introspect, values

        name = args.get("variableName", "")
        if self.stopped and self.client is not None:
            found = self._request_evaluate({"expression": name, "frameId": args.get("frameId"), "context": "hover"})
            return {"data": {"text/plain": found.get("result", "")}, "metadata": {}}
        for gname, value, _type in self._globals(name):
            ctype = introspect.variable_type(self.interp, gname)
            html = values.type_info_html(ctype, value) if ctype is not None else ""
            return {"data": {"text/plain": value, **({"text/html": html} if html else {})}, "metadata": {}}
        raise DebugError(f"{name} is no global of the notebook")

    def _request_disconnect(self, args: dict) -> None:
        if self.client is not None:
            try:
                self.client.request("disconnect", terminateDebuggee=False, timeout=10)
            except AdapterGone:
                pass
        self._end()

    # -- talking to gdb --------------------------------------------------------------
    def _forward(self, command: str, args: dict) -> dict | None:
        if self.client is None:
            raise DebugError("the debugger is not started")
        if self._fault and command in ("continue", "next", "stepIn", "stepOut"):
            self.client.request("evaluate", expression=f"handle {self._fault} nostop noprint pass", context="repl")
            self._fault = ""
        reply = self.client.request(command, **args)
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

    def _request_evaluate(self, args: dict) -> dict:
        """A C expression in the stopped frame (the console, a hover).  gdb knows
        the notebook's globals and functions by their linker names: a name it
        does not find is tried again as the program defines it now."""
        if self.client is None:
            raise DebugError("the debugger is not started")
        args = {**args, "context": "watch"} if args.get("context") == "repl" else args  # C, not gdb commands
        reply = self.client.request("evaluate", **args)
        if not reply.get("success") and "No symbol" in reply.get("message", ""):
            reply = self.client.request("evaluate", **{**args, "expression": self._linked(args.get("expression", ""))})
        if not reply.get("success"):
            raise DebugError(names.shown(reply.get("message") or "cannot evaluate this"))
        body = reply.get("body") or {}
        _show_names(body)
        return body

    def _request_stepIn(self, args: dict) -> None:
        """Step into the notebook functions the line calls.  A call reaches a
        function through its trampoline, code without lines that gdb steps
        over, callee and all: so the line is stepped over with a breakpoint on
        every notebook function, taken away at the stop (library functions,
        which have no lines either, are stepped over as gdb does)."""
        if self.client is None:
            raise DebugError("the debugger is not started")
        program = self.interp.program
        bodies = [self._linked(name) for name, f in program.functions.items() if f.defined]
        self.client.request(
            "setFunctionBreakpoints", breakpoints=[{"name": b} for b in bodies if b.startswith(names.PREFIX)]
        )
        self._stepping_in = True
        self._forward("next", args)

    def _linked(self, expression: str) -> str:
        """`expression` with the notebook's names as the linker knows them now."""
        program = self.interp.program

        def symbol(m: re.Match) -> str:
            word = m.group(0)
            if not word[0].isalpha() and word[0] != "_" or expression[: m.start()].rstrip().endswith((".", "->")):
                return word  # a literal, or a member
            if word in program.variables:
                return program.variables[word].symbol
            function = program.functions.get(word)
            cell = names.cell_number(function.label) if function is not None and function.defined else None
            return names.body(cell, word) if cell is not None else word

        return _TOKENS.sub(symbol, expression)

    def _frames(self, frames: list[dict]) -> list[dict]:
        """The user's frames: up to the cell's statements (the executor's below
        are not the program's), named as the user knows them."""
        from .crash import shown_function

        shown = []
        sources = self.cell_sources()
        for frame in frames:
            source = sources.from_gdb(frame.get("source"))
            name = frame.get("name", "")
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

    def _set_in_gdb(self, label: str, breakpoints: list[dict]) -> list[dict]:
        assert self.client is not None
        reply = self.client.request(
            "setBreakpoints", source={"path": self.cell_sources().to_gdb(label)}, breakpoints=breakpoints
        )
        return list((reply.get("body") or {}).get("breakpoints", []))

    def _follow(self, live: int | None) -> None:
        """Keep gdb on the live process: it followed the fork after the last cell
        (the new live process's parent is the one gdb was on), or it attaches anew."""
        if live is None or live == self.attached:
            return
        if self.attached is not None and self.interp.live_parent == self.attached:
            self.attached = live
            return
        self._attach(live)

    def _attach(self, pid: int | None) -> None:
        """Attach gdb to `pid`, set the breakpoints, and let the program run on
        (attaching stops it).  A gdb that was on another process is replaced:
        gdb's DAP serves one inferior, and ends with `disconnect`."""
        if pid is None:
            raise DebugError("the program is not running")
        if self.client is None or self.attached is not None:
            self._start_gdb()
        assert self.client is not None
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
            for path, bps in self.breakpoints.items():
                for label in self.cell_sources().labels(path):
                    self._set_in_gdb(label, bps)
            self.client.request("continue", threadId=self._attach_thread)
        finally:
            self._quiet = False
        self.stopped.clear()

    def _start_gdb(self) -> None:
        gdb, missing = find_gdb()
        if gdb is None:
            raise DebugError(missing)
        if self.client is not None:
            self.client.close()
        argv = [gdb, "-q", "-nx", "-nh"]
        for command in GDB_SETTINGS:
            argv += ["-iex", command]
        argv += ["-iex", "python exec(" + repr(FOLLOW_SCRIPT) + ")", "-i=dap"]
        self.attached = None
        self.client = DapClient(argv, self._on_event, cwd=str(self.interp.workdir))
        reply = self.client.request("initialize", **self._initialize)
        if not reply.get("success"):
            raise DebugError(f"gdb did not start: {reply.get('message', '')}")
        self._capabilities = reply.get("body") or {}

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
            self.interp.hold_timeout(False)
        elif kind == "breakpoint":
            bp = body.get("breakpoint") or {}
            source = self.cell_sources().from_gdb(bp.get("source"))
            if source is None:
                return
            bp["source"] = source
        elif kind in ("exited", "terminated", "adapterExited"):
            self.stopped.clear()  # the process gdb was on is gone (or was left after a fork)
            return
        if kind in ("output", "module", "process", "loadedSource", "initialized") or self._quiet:
            return
        if kind == "stopped":
            self.interp.hold_timeout(True)
        self.publish(event)

    def _clear_function_breakpoints(self, event: dict) -> None:
        client = self.client
        try:
            if client is not None:
                client.request("setFunctionBreakpoints", breakpoints=[])
        except AdapterGone:
            pass
        self.interp.hold_timeout(True)
        self.publish(event)

    def _stopped_at_fault(self, event: dict) -> None:
        """A crash stops where it happens, as an exception would.  Continuing
        lets the executor report it and roll back: gdb no longer stops for the
        signal (the executor raises it again to end the process)."""
        body = event["body"]
        name = "a signal"
        client = self.client
        try:
            if client is not None:
                reply = client.request("evaluate", expression="$_siginfo.si_signo", context="watch")
                number = int((reply.get("body") or {}).get("result", "0"))
                name = signal.Signals(number).name
                self._fault = name
        except (AdapterGone, ValueError):
            pass
        body["reason"] = "exception"
        body["description"] = f"the program received {name}"
        body["text"] = f"{name}: continue, and the cell ends with this crash and is rolled back"
        self.interp.hold_timeout(True)
        self.publish(event)

    def _globals(self, only: str | None = None) -> list[tuple[str, str, str]]:
        """(name, value, type) of the notebook's globals, read while no cell runs."""
        from .introspect import global_value

        if not self.idle.acquire(blocking=False):
            return []
        try:
            out = []
            for name in sorted(self.interp.program.variables):
                if only is not None and name != only:
                    continue
                found = global_value(self.interp, name)
                if found is not None:
                    out.append((name, *found))
            return out
        finally:
            self.idle.release()

    @staticmethod
    def _global(name: str, value: str, tname: str) -> dict:
        return {"name": name, "value": value, "type": tname, "evaluateName": name, "variablesReference": 0}

    def _end(self) -> None:
        """No debug session: gdb ends (it detaches from the program, which runs on)."""
        client, self.client = self.client, None
        self.started = False
        self.attached = None
        self.stopped.clear()
        if client is not None:
            client.close()
        try:
            self.interp.hold_timeout(False)
        except Exception:  # noqa: BLE001 - ending regardless
            log.debug("releasing the cell's timeout failed", exc_info=True)


class DebugError(Exception):
    """A request the debugger answers with failure and this message."""


def _response(request: dict, success: bool, body: dict | None = None, message: str = "") -> dict:
    response = {
        "type": "response",
        "request_seq": request.get("seq", 0),
        "seq": 0,
        "command": request.get("command", ""),
        "success": success,
        "body": body if body is not None else {},
    }
    if message:
        response["message"] = message
    return response


def _show_names(variable: dict) -> None:
    """A variable or an evaluation as the user wrote it: no generated names."""
    for key in ("name", "value", "type", "result", "evaluateName"):
        if isinstance(variable.get(key), str):
            variable[key] = names.shown(variable[key])
