"""JupyterLab's visual debugger: its debug requests brokered to gdb's own DAP.

JupyterLab speaks the Debug Adapter Protocol plus Jupyter's requests
(`debugInfo`, `dumpCell`, `inspectVariables`, `richInspectVariables`) on the
control channel; gdb 14 and later speaks DAP itself (`gdb -i=dap`, driven by
gdbdap.py).  This side keeps what JupyterLab knows (docs/debugger.md):

- cell names: JupyterLab names a cell's source prefix + murmur2(code) + suffix,
  gcc names it by its label (`In[7]`, under `#line`); `CellSources` maps one
  to the other, and a cell's breakpoints are set again on each new label of
  the same code (a cell run again, a function redefined);
- the session: gdb holds the `attach` response until `configurationDone` and
  refuses a second one, while JupyterLab awaits `attach` and sends
  `configurationDone` after every `setBreakpoints`: the broker answers those;
- the notebook's globals when nothing is stopped (`inspectVariables`), shown
  with cellc's own value display.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from . import names
from .ctype import CType, strip_typedefs
from .dap import AdapterGone
from .gdbdap import DebugError, GdbSession

if TYPE_CHECKING:
    from .memgraph import Named

log = logging.getLogger(__name__)

HASH_SEED = 0xC70F6907  # ipykernel's: any seed works, JupyterLab uses the one debugInfo gives
GLOBALS = 2**31 - 2  # the variablesReference of the notebook's globals (gdb counts its own up from 1)
MAX_GLOBALS = 500  # shown in a stop's Globals scope
RICH_NODES = 30  # nodes of a global's diagram in the rich variable viewer


@functools.lru_cache(maxsize=4096)  # every source crossing to or from gdb names a cell by it
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


class CellSources:
    """Cell sources as JupyterLab names them (a path per code) and as gcc does (a label)."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        # JupyterLab shows a path with "ipykernel_" in it as its cell ("Cell [2]"), others as the path
        self.prefix = str(workdir / "ipykernel_debug") + "/"
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
    """The debug session of one kernel: JupyterLab's requests in, answers and events out."""

    def __init__(self, interpreter: Callable, publish: Callable[[dict], None], idle: threading.Lock):
        """`interpreter()`: the notebook's; `publish(event)`: a `debug_event` on IOPub;
        `idle`: held while a cell runs (the executor is then the cell's)."""
        self._interpreter = interpreter
        self.publish = publish
        self.idle = idle
        self.sources: CellSources | None = None
        self.gdb: GdbSession | None = None
        self.started = False  # JupyterLab attached
        self.breakpoints: dict[str, list[dict]] = {}  # cell path -> JupyterLab's breakpoints there
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
        if not self.started or self.gdb is None:
            return ""
        with self._lock:
            try:
                self.gdb.follow(self.interp.process.live())
                self.interp.process.heap_table()  # a new program after %reset: asked while it can answer
                wanted = self.breakpoints.get(self.cell_sources().path(code))
                if wanted:
                    self.gdb.set_breakpoints(label, wanted)
            except (AdapterGone, DebugError) as e:
                self._end()
                self.publish({"type": "event", "seq": 0, "event": "terminated", "body": {}})
                return f"The debugger stopped: {e}. Turn it on again to go on debugging.\n"
        return ""

    def on_interrupt(self) -> None:
        """The stop button: a program held at a breakpoint is let go, so the interrupt ends the cell."""
        if self.gdb is not None:
            self.gdb.let_go()

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
                body = handler(args) if handler else self._session().forward(command, args)
            return _response(request, True, body)
        except DebugError as e:
            return _response(request, False, message=str(e))
        except AdapterGone as e:
            self._end()
            return _response(request, False, message=f"the debugger ended: {e}")

    def _session(self) -> GdbSession:
        if self.gdb is None:
            raise DebugError("the debugger is not started")
        return self.gdb

    def _request_debugInfo(self, args: dict) -> dict:
        sources = self.cell_sources()
        return {
            "isStarted": self.started,
            "hashMethod": "Murmur2",
            "hashSeed": HASH_SEED,
            "tmpFilePrefix": sources.prefix,
            "tmpFileSuffix": sources.suffix,
            "breakpoints": [{"source": path, "breakpoints": bps} for path, bps in self.breakpoints.items() if bps],
            "stoppedThreads": sorted(self.gdb.stopped) if self.gdb else [],
            "richRendering": True,
            "exceptionPaths": [],
            "copyToGlobals": False,
        }

    def _request_dumpCell(self, args: dict) -> dict:
        return {"sourcePath": self.cell_sources().dump(args.get("code", ""))}

    def _request_initialize(self, args: dict) -> dict:
        self._end()
        self.gdb = GdbSession(self._interpreter, self.cell_sources(), self.publish, dict(args), self._by_label)
        body = dict(self.gdb.capabilities)
        body["exceptionBreakpointFilters"] = []  # a crash always stops; C has no exceptions to filter
        return body

    def _request_attach(self, args: dict) -> None:
        gdb = self._session()
        if self.idle.acquire(blocking=False):  # between cells: the live process is waiting for one
            try:
                self.interp.process.heap_table()  # asked now: at a breakpoint the executor cannot answer
                gdb.attach(self.interp.process.live())
            finally:
                self.idle.release()
        else:  # a cell runs: the process it runs in (the executor is the cell's)
            gdb.attach(self.interp.process.live_pid)
        self.started = True

    def _request_configurationDone(self, args: dict) -> None:
        return None  # gdb had its own when it attached; it refuses a second

    def _request_setBreakpoints(self, args: dict) -> dict:
        path = (args.get("source") or {}).get("path", "")
        wanted = list(args.get("breakpoints") or [])
        self.breakpoints[path] = wanted
        answer = None
        if self.gdb is not None:
            for label in self.cell_sources().labels(path):
                answer = self.gdb.set_breakpoints(label, wanted)
        if answer is None:  # a cell that has not run: set when it does
            answer = [{"verified": False, "message": "set when the cell runs"} for _ in wanted]
        for bp, asked in zip(answer, wanted, strict=False):
            bp.setdefault("line", asked.get("line"))
            bp["source"] = {"path": path}
        return {"breakpoints": answer}

    def _by_label(self) -> Iterator[tuple[str, list[dict]]]:
        """Each label's breakpoints, for a gdb that attaches anew."""
        for path, wanted in self.breakpoints.items():
            for label in self.cell_sources().labels(path):
                yield label, wanted

    def _request_source(self, args: dict) -> dict:
        path = (args.get("source") or {}).get("path", "")
        code = self.cell_sources().code_at(path)
        if code is None:
            raise DebugError(f"no source for {path or 'this frame'}")
        return {"content": code}

    def _request_modules(self, args: dict) -> dict:
        """The Kernel Sources panel: the cells that ran, each openable by its
        path.  JupyterLab asks as it starts, when nothing is stopped (gdb answers
        only a stopped program, and with the cells' generated object files)."""
        sources = self.cell_sources()
        modules = [{"id": label, "name": label, "path": sources.path(code)} for label, code in sources.codes.items()]
        return {"modules": modules, "totalModules": len(modules)}

    def _request_scopes(self, args: dict) -> dict:
        """A frame's scopes, and the notebook's globals (their own cells' scopes, for gdb)."""
        body = self._session().forward("scopes", args) or {}
        if self.interp.program.variables:
            body.setdefault("scopes", []).append({"name": "Globals", "variablesReference": GLOBALS, "expensive": False})
        return body

    def _request_variables(self, args: dict) -> dict | None:
        gdb = self._session()
        if args.get("variablesReference") != GLOBALS:
            return gdb.forward("variables", args)
        shown = []
        for name in sorted(self.interp.program.variables)[:MAX_GLOBALS]:
            try:
                found = gdb.evaluate({"expression": name, "context": "variables"})
            except DebugError:
                continue  # declared, not defined
            shown.append(
                {
                    **_variable(name, found.get("result", ""), found.get("type", "")),
                    "variablesReference": found.get("variablesReference", 0),
                }
            )
        return {"variables": shown}

    def _request_evaluate(self, args: dict) -> dict:
        return self._session().evaluate(args)

    def _request_stepIn(self, args: dict) -> None:
        self._session().step_in(args)

    def _request_inspectVariables(self, args: dict) -> dict:
        return {"variables": [_variable(name, value, tname) for name, value, tname in self._globals()]}

    def _request_richInspectVariables(self, args: dict) -> dict:
        """A variable as JupyterLab's rich viewer shows it: a struct, array or
        pointer as its memory diagram (%draw's; at a breakpoint a local or a
        global, read from the stopped process's memory), a number as its value."""
        from . import diagram, introspect, values
        from .executor import OutOfMemory

        name = args.get("variableName", "")
        if self.gdb is not None and self.gdb.stopped:
            root = self._stopped_object(name, args.get("frameId"))
            if root is None or not _drawn(root.type):
                found = self.gdb.evaluate({"expression": name, "frameId": args.get("frameId"), "context": "hover"})
                return {"data": {"text/plain": found.get("result", "")}, "metadata": {}}
            graph = introspect.memory_graph(self.interp, [root], RICH_NODES, stopped=True)
            return {"data": diagram.bundle(graph), "metadata": {}}
        if not self.idle.acquire(blocking=False):
            raise DebugError("the program is running")
        try:
            roots = [g for g in introspect.notebook_globals(self.interp) if g.name == name]
            if not roots:
                raise DebugError(f"{name} is no global of the notebook")
            if _drawn(roots[0].type):
                try:
                    graph = introspect.memory_graph(self.interp, roots, RICH_NODES)
                except OutOfMemory:
                    raise DebugError("the program has no memory left to draw it (CELLC_MEMORY_LIMIT)") from None
                return {"data": diagram.bundle(graph), "metadata": {}}
            value = introspect.global_value(self.interp, name)
        finally:
            self.idle.release()
        text = value[0] if value else ""
        return {"data": {"text/plain": text, "text/html": values.type_info_html(roots[0].type, text)}, "metadata": {}}

    def _stopped_object(self, name: str, frame: int | None) -> Named | None:
        """Where a variable of the stopped frame is and its DWARF type: a local
        (the frame's function in its cell's object) or a notebook global."""
        from . import introspect, objfile
        from .memgraph import Named
        from .model import linked_expression

        assert self.gdb is not None
        function, label = self.gdb.frame_code.get(frame if frame is not None else -1, ("", ""))
        cell = self.interp.cell_code(label)
        ctype = None
        if cell is not None:
            found = [v for v in objfile.open_object(cell.so).locals(function) if v.name == name]
            ctype = found[-1].type if found else None  # the innermost block's
        expression = name
        if ctype is None and name in self.interp.program.variables:
            ctype = introspect.variable_type(self.interp, name)
            expression = linked_expression(self.interp.program, name)
        if ctype is None:
            return None
        reply = self.gdb.client.request("evaluate", expression=f"&({expression})", frameId=frame, context="watch")
        address = (
            re.search(r"0x[0-9a-fA-F]+", (reply.get("body") or {}).get("result", "")) if reply.get("success") else None
        )
        return Named(name, int(address.group(0), 16), ctype) if address else None

    def _request_disconnect(self, args: dict) -> None:
        self._end()

    def _globals(self, only: str | None = None) -> list[tuple[str, str, str]]:
        """(name, value, type) of the notebook's globals, read while no cell runs."""
        from .introspect import global_value

        if not self.idle.acquire(blocking=False):
            return []
        try:
            out = []
            for name in sorted(self.interp.program.variables):
                if only is None or name == only:
                    found = global_value(self.interp, name)
                    if found is not None:
                        out.append((name, *found))
            return out
        finally:
            self.idle.release()

    def _end(self) -> None:
        """No debug session: gdb ends (it detaches from the program, which runs on)."""
        gdb, self.gdb = self.gdb, None
        self.started = False
        if gdb is not None:
            try:
                gdb.close()
            except Exception:  # noqa: BLE001 - ending regardless
                log.debug("ending gdb failed", exc_info=True)


def _drawn(t: CType) -> bool:
    """Whether the viewer shows a variable of type `t` as a diagram (a number is its value)."""
    return strip_typedefs(t).kind in ("struct", "union", "array", "pointer")


def _variable(name: str, value: str, tname: str) -> dict:
    return {"name": name, "value": value, "type": tname, "evaluateName": name, "variablesReference": 0}


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
