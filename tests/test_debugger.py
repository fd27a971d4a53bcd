"""JupyterLab's visual debugger, message for message: a real kernel, real gdb.

Each test replays what JupyterLab sends (packages/debugger: `debugInfo`,
`initialize`, `attach`, then per cell `dumpCell`, `debugInfo`,
`setBreakpoints`, `configurationDone`; `stackTrace`, `scopes`, `variables`
on a stop) over the control channel, and reads the `debug_event`s on IOPub.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from pathlib import Path

import pytest
from ipykernel.compiler import murmur2_x86
from jupyter_client.manager import KernelManager

from cellc_kernel.gdbdap import find_gdb

TIMEOUT = 60

pytestmark = pytest.mark.skipif(find_gdb()[0] is None, reason="no gdb with DAP (the `debug` extra)")


class Session:
    """A kernel, and a client that talks to it as JupyterLab's debugger does."""

    def __init__(self, env: dict[str, str] | None = None):
        self.km = KernelManager(kernel_name="cellc")
        self.km.start_kernel(env={**os.environ, **(env or {})})
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)
        self.seq = 0
        self.events: queue.Queue[dict] = queue.Queue()
        self.outputs: dict[str, list[dict]] = {}  # execute msg_id -> its IOPub messages
        self._stop = False
        self._pump = threading.Thread(target=self._read_iopub, daemon=True)
        self._pump.start()

    def _read_iopub(self) -> None:
        while not self._stop:
            try:
                msg = self.kc.iopub_channel.get_msg(timeout=0.2)
            except queue.Empty:
                continue
            except Exception:  # noqa: BLE001 - the channel closed
                return
            if msg["header"]["msg_type"] == "debug_event":
                self.events.put(msg["content"])
            else:
                self.outputs.setdefault(msg["parent_header"].get("msg_id", ""), []).append(msg)

    def request(self, command: str, **arguments) -> dict:
        """A debug_request on the control channel; its debug_reply's content."""
        self.seq += 1
        content = {"type": "request", "seq": self.seq, "command": command, "arguments": arguments}
        msg = self.kc.session.msg("debug_request", content)
        self.kc.control_channel.send(msg)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            reply = self.kc.control_channel.get_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                assert reply["header"]["msg_type"] == "debug_reply"
                return reply["content"]
        raise TimeoutError(command)

    def ok(self, command: str, **arguments) -> dict:
        reply = self.request(command, **arguments)
        assert reply["success"], reply.get("message")
        assert reply["request_seq"] == self.seq and reply["command"] == command
        return reply.get("body") or {}

    def start(self) -> None:
        """The toggle: JupyterLab's DebuggerSession.start, restoreState, then what
        the panels show (the globals, the Kernel Sources)."""
        self.ok("debugInfo")
        self.ok(
            "initialize",
            clientID="jupyterlab",
            clientName="JupyterLab",
            adapterID="cellc",
            pathFormat="path",
            linesStartAt1=True,
            columnsStartAt1=True,
            supportsVariableType=True,
            supportsVariablePaging=True,
            supportsRunInTerminalRequest=True,
            locale="en",
        )
        self.ok("attach")
        assert self.ok("debugInfo")["isStarted"] is True
        self.ok("setExceptionBreakpoints", filters=[])
        self.ok("inspectVariables")
        self.ok("modules")

    def breakpoints(self, code: str, *lines: int) -> list[dict]:
        """A click in a cell's gutter: DebuggerService.updateBreakpoints."""
        path = self.ok("dumpCell", code=code)["sourcePath"]
        self.ok("debugInfo")
        body = self.ok("setBreakpoints", source={"path": path}, breakpoints=[{"line": n} for n in lines])
        self.ok("configurationDone")
        return body["breakpoints"]

    def run(self, code: str) -> str:
        """Send a cell without waiting (it may stop at a breakpoint); its msg_id."""
        return self.kc.execute(code)

    def reply(self, msg_id: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg_id:
                time.sleep(0.2)  # its outputs left before it; the pump may not have sorted them yet
                return reply["content"]
        raise TimeoutError(msg_id)

    def stdout(self, msg_id: str) -> str:
        return "".join(
            m["content"]["text"]
            for m in self.outputs.get(msg_id, [])
            if m["header"]["msg_type"] == "stream" and m["content"]["name"] == "stdout"
        )

    def execute(self, code: str) -> dict:
        return self.reply(self.run(code))

    def event(self, name: str, timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=0.2)
            except queue.Empty:
                continue
            if event["event"] == name:
                return event
        raise TimeoutError(f"no {name} event")

    def stopped(self) -> tuple[int, list[dict]]:
        """The next stop: its thread and frames (JupyterLab's _getAllFrames)."""
        event = self.event("stopped")
        thread = event["body"]["threadId"]
        frames = self.ok("stackTrace", threadId=thread)["stackFrames"]
        return thread, frames

    def finish(self, msg_id: str, thread: int) -> dict:
        """Continue from a stop: the cell ends well."""
        self.ok("continue", threadId=thread)
        reply = self.reply(msg_id)
        assert reply["status"] == "ok", reply
        return reply

    def variables(self, frame: dict) -> dict[str, dict[str, str]]:
        """scope name -> {variable: value}, as the Variables panel shows them."""
        out = {}
        for scope in self.ok("scopes", frameId=frame["id"])["scopes"]:
            found = self.ok("variables", variablesReference=scope["variablesReference"])["variables"]
            out[scope["name"]] = {v["name"]: v["value"] for v in found}
        return out

    def gdb_running(self) -> bool:
        kernel = self.km.provisioner.process.pid  # type: ignore[union-attr]
        tasks = Path(f"/proc/{kernel}/task").iterdir()  # a thread's children are its own: every thread's
        for child in " ".join((task / "children").read_text() for task in tasks).split():
            try:
                if b"gdb" in Path(f"/proc/{child}/cmdline").read_bytes():  # the PyPI build runs under ld.so
                    return True
            except OSError:
                continue
        return False

    def close(self) -> None:
        self._stop = True
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture()
def session():
    s = Session()
    yield s
    s.close()


SQUARE = "int square(int x) {\n    int y = x * x;\n    return y;\n}"


def test_debug_info_names_cells_as_jupyterlab_does(session: Session) -> None:
    """JupyterLab computes a cell's path itself: prefix + murmur2(code, seed) + suffix."""
    info = session.ok("debugInfo")
    assert info["isStarted"] is False and info["hashMethod"] == "Murmur2"
    assert info["stoppedThreads"] == [] and info["breakpoints"] == []
    code = 'printf("héllo\\n");'
    path = session.ok("dumpCell", code=code)["sourcePath"]
    assert path == f"{info['tmpFilePrefix']}{murmur2_x86(code, info['hashSeed'])}{info['tmpFileSuffix']}"
    assert Path(path).read_text() == code
    assert Path(info["tmpFilePrefix"]).stat().st_mode & 0o077 == 0  # private, as the work directory
    assert "ipykernel_" in info["tmpFilePrefix"]  # JupyterLab's panels then name the cell, not the file
    assert not session.gdb_running()  # nothing started until the debugger is turned on


def test_breakpoint_in_an_earlier_cells_function(session: Session) -> None:
    """Stop in a function of an earlier cell: frames with each cell's source,
    arguments and locals, evaluate, step, continue; the cell ends as without
    the debugger."""
    session.execute("#include <stdio.h>")
    session.execute(SQUARE)
    session.execute("int g = 5;\nint twice(int v) { return 2 * v; }")
    session.start()
    [bp] = session.breakpoints(SQUARE, 3)
    assert bp["verified"] is True and bp["line"] == 3
    caller = 'int r = square(g);\nprintf("r=%d\\n", r);\nr'
    msg = session.run(caller)
    thread, frames = session.stopped()
    assert [f["name"] for f in frames] == ["square", "In[4]"]  # the cell's statements end the stack
    assert frames[0]["line"] == 3 and frames[1]["line"] == 1
    assert frames[0]["source"]["path"] == session.ok("dumpCell", code=SQUARE)["sourcePath"]
    assert frames[1]["source"]["path"] == session.ok("dumpCell", code=caller)["sourcePath"]
    assert session.ok("debugInfo")["stoppedThreads"] == [thread]
    scopes = session.variables(frames[0])
    assert scopes["Arguments"] == {"x": "5"} and set(scopes["Locals"]) == {"y"}
    assert scopes["Globals"] == {"g": "5"}  # the notebook's, by their names
    assert "Registers" not in scopes

    def evaluate(expression: str) -> str:
        return session.ok("evaluate", expression=expression, frameId=frames[0]["id"], context="repl")["result"]

    assert evaluate("x * 10 + g") == "55"  # a notebook global, by the name the user gave it
    failed = session.request("evaluate", expression="nope + 1", frameId=frames[0]["id"])
    assert not failed["success"] and failed["message"] == 'No symbol "nope" in current context.', failed.get("message")
    assert evaluate("twice(3) + y") == "31"  # a notebook function, called; a local
    # The call ran the program: gdb announces it, and stops again ("function call"), so the
    # client asks for the frames again (gdb renumbers them).  This stop is read here, or the
    # next step's wait would take it and ask for frames while the program steps.
    assert session.event("stopped")["body"]["reason"] == "function call"
    frames = session.ok("stackTrace", threadId=thread)["stackFrames"]
    rich = session.ok("richInspectVariables", variableName="y", frameId=frames[0]["id"])
    assert rich["data"]["text/plain"] == "25"
    session.ok("stepOut", threadId=thread)
    thread, frames = session.stopped()
    assert [f["name"] for f in frames] == ["In[4]"]
    session.ok("next", threadId=thread)
    thread, frames = session.stopped()
    assert frames[0]["line"] == 2
    session.ok("continue", threadId=thread)
    reply = session.reply(msg)
    assert reply["status"] == "ok"
    assert session.stdout(msg) == "r=25\n"
    assert session.ok("debugInfo")["stoppedThreads"] == []


def test_kernel_sources_are_the_cells_that_ran(session: Session) -> None:
    """JupyterLab asks for `modules` as the toggle turns on, nothing stopped:
    the Kernel Sources panel lists the cells that ran, each opened by its path."""
    session.execute("#include <stdio.h>")
    session.execute(SQUARE)
    session.start()
    modules = session.ok("modules")["modules"]
    assert [m["name"] for m in modules] == ["In[1]", "In[2]"]
    assert modules[1]["path"] == session.ok("dumpCell", code=SQUARE)["sourcePath"]
    assert session.ok("source", source={"path": modules[1]["path"]})["content"] == SQUARE


def test_a_step_is_announced_and_continue_may_name_thread_one(session: Session) -> None:
    """JupyterLab keeps a stop's frames until a `continued` event (gdb numbers
    each stop's frames from 0: without it the panels would keep the first
    stop's line and variables), and its Continue names thread 1 whichever
    thread stopped."""
    session.execute(SQUARE)
    session.start()
    session.breakpoints(SQUARE, 2)
    for value in (2, 7):  # the same live process, and gdb on it, from one cell to the next
        msg = session.run(f"int r{value} = square({value});")
        thread, _ = session.stopped()
        session.ok("next", threadId=thread)
        assert session.event("continued")["body"]["threadId"] == thread  # before the step's stop
        thread, frames = session.stopped()
        assert frames[0]["line"] == 3 and session.variables(frames[0])["Locals"] == {"y": str(value * value)}
        session.ok("continue", threadId=1)
        assert session.reply(msg)["status"] == "ok"
        assert session.ok("debugInfo")["stoppedThreads"] == []


def test_step_in_to_a_function_of_another_cell_and_across_cells(session: Session) -> None:
    """stepIn goes into another cell's function; the next cell stops again
    (gdb stays on the live process, which goes on from cell to cell)."""
    session.execute(SQUARE)
    session.start()
    caller = "int a = 2;\nint b = square(a);"
    session.breakpoints(caller, 2)
    for _ in range(2):  # the same cell twice: a new label, the same breakpoints
        msg = session.run(caller)
        thread, frames = session.stopped()
        assert frames[0]["name"].startswith("In[") and frames[0]["line"] == 2
        session.ok("stepIn", threadId=thread)
        thread, frames = session.stopped()
        assert frames[0]["name"] == "square" and frames[0]["line"] == 2
        session.finish(msg, thread)


def test_breakpoint_in_a_cell_not_yet_run_and_a_redefined_function(session: Session) -> None:
    """A breakpoint set before its cell runs is set as it runs; a function
    redefined in a new cell stops in the new body."""
    session.execute(SQUARE)
    session.start()
    cell = "int total = 0;\nfor (int i = 0; i < 3; i++)\n    total += i;\ntotal"
    [bp] = session.breakpoints(cell, 3)
    assert bp["verified"] is False and bp["line"] == 3
    msg = session.run(cell)
    thread, frames = session.stopped()
    assert frames[0]["line"] == 3
    assert session.variables(frames[0])["Locals"] == {"i": "0"}
    session.ok("setBreakpoints", source=frames[0]["source"], breakpoints=[])  # removed from the gutter
    session.ok("configurationDone")
    session.finish(msg, thread)
    redefined = "int square(int x) {\n    return x * x + 1;\n}"
    session.breakpoints(redefined, 2)
    session.execute(redefined)
    msg = session.run("int s = square(3);")
    thread, frames = session.stopped()
    assert frames[0]["name"] == "square"
    assert frames[0]["source"]["path"] == session.ok("dumpCell", code=redefined)["sourcePath"]
    session.finish(msg, thread)
    assert session.ok("inspectVariables")["variables"] == [
        {"name": "s", "value": "10", "type": "int", "evaluateName": "s", "variablesReference": 0},
        {"name": "total", "value": "3", "type": "int", "evaluateName": "total", "variablesReference": 0},
    ]


def test_a_crash_stops_as_an_exception_then_rolls_back(session: Session) -> None:
    """The faulting line stops with reason "exception" and its variables;
    continue reports the crash and rolls back; debugging goes on."""
    session.execute("int counter = 1;")
    session.start()
    msg = session.run("counter = 2;\nint *p = 0;\n*p = counter;")
    event = session.event("stopped")
    assert event["body"]["reason"] == "exception"
    assert "SIGSEGV" in event["body"]["description"]
    frames = session.ok("stackTrace", threadId=event["body"]["threadId"])["stackFrames"]
    assert frames[0]["line"] == 3
    session.ok("continue", threadId=event["body"]["threadId"])
    reply = session.reply(msg)
    assert reply["status"] == "error" and reply["ename"] == "SIGSEGV"
    session.breakpoints(SQUARE, 2)
    session.execute(SQUARE)
    msg = session.run("int c = square(counter);")  # a new process after the rollback: attached again
    thread, frames = session.stopped()
    assert session.variables(frames[0])["Arguments"] == {"x": "1"}  # the state before the crash
    session.finish(msg, thread)


def test_interrupt_while_stopped(session: Session) -> None:
    """The stop button ends a cell held at a breakpoint, as it ends a running one."""
    session.execute(SQUARE)
    session.start()
    session.breakpoints(SQUARE, 2)
    msg = session.run("int v = square(7);")
    session.stopped()
    session.km.interrupt_kernel()
    reply = session.reply(msg)
    assert reply["status"] == "error" and "nterrupt" in reply["ename"] + reply["evalue"]
    assert session.ok("debugInfo")["stoppedThreads"] == []
    msg = session.run("int w = square(2);")  # still debugging: it stops again
    thread, _ = session.stopped()
    session.finish(msg, thread)
    msg = session.run("for (;;) {}")  # and a running cell is interrupted as without the debugger
    time.sleep(1)
    session.km.interrupt_kernel()
    reply = session.reply(msg)
    assert reply["status"] == "error" and "nterrupt" in reply["ename"] + reply["evalue"]
    msg = session.run("int after = square(1);")  # rolled back to a new process: attached again
    thread, frames = session.stopped()
    assert frames[0]["name"] == "square"
    session.finish(msg, thread)


def test_threads_are_listed_and_stop_together(session: Session) -> None:
    session.execute("#include <pthread.h>")
    worker = "void *worker(void *arg) {\n    int *n = arg;\n    *n += 1;\n    return 0;\n}"
    session.execute(worker)
    session.start()
    session.breakpoints(worker, 3)
    msg = session.run("int n = 41;\npthread_t t;\npthread_create(&t, 0, worker, &n);\npthread_join(t, 0);\nn")
    thread, frames = session.stopped()
    assert frames[0]["name"] == "worker"
    threads = session.ok("threads")["threads"]
    assert len(threads) >= 2 and thread in {t["id"] for t in threads}
    session.finish(msg, thread)


def test_turning_the_debugger_off_detaches(session: Session) -> None:
    session.execute(SQUARE)
    session.start()
    session.breakpoints(SQUARE, 2)
    assert session.gdb_running()
    session.ok("disconnect", restart=False, terminateDebuggee=False)
    assert session.ok("debugInfo")["isStarted"] is False
    deadline = time.monotonic() + 10
    while session.gdb_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session.gdb_running()
    reply = session.execute("int z = square(9);")  # runs on, stops nowhere
    assert reply["status"] == "ok"
    session.start()  # and on again
    msg = session.run("int z2 = square(3);")
    thread, _ = session.stopped()
    session.finish(msg, thread)


def test_a_gdb_without_dap_is_named() -> None:
    """A gdb older than 14 cannot debug: initialize fails and says what to install."""
    old = Path("/usr/bin/gdb")
    if not old.exists():
        pytest.skip("no system gdb")
    s = Session(env={"CELLC_GDB": str(old), "PATH": "/usr/bin:/bin"})
    try:
        s.ok("debugInfo")
        reply = s.request("initialize", clientID="jupyterlab", adapterID="cellc", pathFormat="path")
        if reply["success"]:
            pytest.skip("the system gdb speaks DAP")
        assert "gdb 14 or later" in reply["message"] and "cellc-kernel[debug]" in reply["message"]
        assert s.execute("int fine = 1;")["status"] == "ok"
    finally:
        s.close()


def test_structs_arrays_and_pointers_expand(session: Session) -> None:
    session.execute("struct point { int x, y; };")
    walk = "int walk(struct point *p, int n) {\n    int a[3] = {p->x, p->y, n};\n    return a[0] + a[1] + a[2];\n}"
    session.execute(walk)
    session.execute("struct point origin = { 3, 4 };")
    session.start()
    session.breakpoints(walk, 3)
    msg = session.run("int w = walk(&origin, 5);")
    thread, frames = session.stopped()
    scopes = {s["name"]: s for s in session.ok("scopes", frameId=frames[0]["id"])["scopes"]}
    found = session.ok("variables", variablesReference=scopes["Locals"]["variablesReference"])["variables"]
    [array] = [v for v in found if v["name"] == "a"]
    items = session.ok("variables", variablesReference=array["variablesReference"])["variables"]
    assert [v["value"] for v in items] == ["3", "4", "5"]
    args = session.ok("variables", variablesReference=scopes["Arguments"]["variablesReference"])["variables"]
    [pointer] = [v for v in args if v["name"] == "p"]
    assert pointer["variablesReference"] > 0  # followable
    [pointee] = session.ok("variables", variablesReference=pointer["variablesReference"])["variables"]
    assert pointee["type"] == "struct point"  # *p
    fields = session.ok("variables", variablesReference=pointee["variablesReference"])["variables"]
    assert {v["name"]: v["value"] for v in fields} == {"x": "3", "y": "4"}
    session.finish(msg, thread)
    shown = session.ok("richInspectVariables", variableName="origin")["data"]  # nothing stopped: its diagram
    assert shown["text/plain"] == "[1] origin: struct point\n    .x = 3\n    .y = 4"
    assert "<svg" in shown["image/svg+xml"] and "origin" in shown["image/svg+xml"]


def test_a_reset_program_is_attached_again(session: Session) -> None:
    session.start()
    session.execute("%reset -f")
    session.execute(SQUARE)
    session.breakpoints(SQUARE, 2)
    msg = session.run("int a = square(5);")
    thread, frames = session.stopped()
    assert frames[0]["name"] == "square"
    session.finish(msg, thread)
    session.execute("%undo")
    msg = session.run("int b = square(6);")
    thread, _ = session.stopped()
    session.finish(msg, thread)


def test_time_held_at_a_breakpoint_is_not_the_cells() -> None:
    s = Session(env={"CELLC_CELL_TIMEOUT": "2"})
    try:
        s.execute(SQUARE)
        s.start()
        s.breakpoints(SQUARE, 2)
        msg = s.run("int late = square(4);")
        thread, _ = s.stopped()
        time.sleep(3)  # longer than the cell may run
        s.finish(msg, thread)
        reply = s.execute("for (;;) {}")  # the timeout still ends a cell that runs too long
        assert reply["status"] == "error"
    finally:
        s.close()


def test_a_pointer_at_a_breakpoint_is_shown_as_its_diagram(session: Session) -> None:
    """The rich variable viewer at a breakpoint: a local list pointer and a global, drawn from the
    stopped process's memory, the heap blocks sized from the executor's table."""
    session.execute("#include <stdlib.h>")
    session.execute("struct item { int key; struct item *next; };")
    session.execute("struct item *items;")
    session.execute(
        "for (int i = 1; i <= 2; i++) {\n    struct item *c = malloc(sizeof *c);\n"
        "    c->key = i;\n    c->next = items;\n    items = c;\n}"
    )
    count = "int count(struct item *l) {\n    int n = 0;\n    for (; l; l = l->next)\n        n++;\n    return n;\n}"
    session.execute(count)
    session.start()
    session.breakpoints(count, 2)
    msg = session.run("int how_many = count(items->next);")
    thread, frames = session.stopped()
    shown = session.ok("richInspectVariables", variableName="l", frameId=frames[0]["id"])["data"]
    assert shown["text/plain"] == (
        "[1] l: struct item * → [2]\n[2] heap block (16 bytes): struct item\n    .key = 1\n    .next = NULL"
    )
    assert "<svg" in shown["image/svg+xml"]
    shown = session.ok("richInspectVariables", variableName="items", frameId=frames[0]["id"])["data"]
    assert shown["text/plain"].startswith("[1] items: struct item * → [2]\n[2] heap block (16 bytes): struct item\n")
    assert shown["text/plain"].count("heap block") == 2
    shown = session.ok("richInspectVariables", variableName="n", frameId=frames[0]["id"])["data"]
    assert "image/svg+xml" not in shown and not shown["text/plain"].startswith("[1]")  # a number: its value
    session.finish(msg, thread)
