"""Real cellc kernels driven through jupyter_client (`execute_interactive`, as a console frontend,
or requests queued at once and their channels read by hand, as JupyterLab's "Run All")."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from jupyter_client.manager import KernelManager

# The quick lane (`-m quick`): unit tests of pure functions and the pipeline in-process.
QUICK = {
    "test_units.py",
    "test_retry.py",
    "test_pipeline.py",
    "test_parse_generate.py",
    "test_values.py",
    "test_objfile.py",
    "test_memgraph.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in QUICK:
            item.add_marker(pytest.mark.quick)


TIMEOUT = 60


@dataclass
class Reply:
    """Everything one execute_request produced."""

    reply: dict
    stdout: str = ""
    stderr: str = ""
    results: list[dict] = field(default_factory=list)  # execute_result data bundles
    displays: list[dict] = field(default_factory=list)  # display_data data bundles
    errors: list[dict] = field(default_factory=list)  # error contents
    messages: list[dict] = field(default_factory=list)  # all iopub messages but status

    @property
    def status(self) -> str:
        return self.reply["content"]["status"]

    @property
    def value(self) -> str | None:
        return self.results[-1]["text/plain"] if self.results else None

    @property
    def error_text(self) -> str:
        return "\n".join(line for e in self.errors for line in e["traceback"])

    def add(self, msg: dict) -> None:
        """Keep one iopub message of the request (its status messages and echoed input are not kept)."""
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind in ("status", "execute_input"):
            return
        self.messages.append(msg)
        if kind == "stream":
            if content["name"] == "stdout":
                self.stdout += content["text"]
            else:
                self.stderr += content["text"]
        elif kind == "execute_result":
            self.results.append(content["data"])
        elif kind == "display_data":
            self.displays.append(content["data"])
        elif kind == "error":
            self.errors.append(content)


class Pending:
    """Execute requests sent without waiting for their replies (as "Run All" sends them): `wait`
    reads the shell, iopub and stdin channels by hand until each has its reply and went idle."""

    def __init__(self, kc, ids: list[str]):
        self.kc = kc
        self.ids = ids
        self.replies = {i: Reply(reply={}) for i in ids}
        self.idle: set[str] = set()

    def next_message(self, get: Callable[..., dict], timeout: float) -> tuple[Reply, dict] | None:
        """The next message on a channel (`kc.get_iopub_msg`...), within `timeout`, with its
        request's Reply; None when none came or it is another request's (the start's kernel_info)."""
        try:
            msg = get(timeout=timeout)
        except queue.Empty:
            return None
        msg_id = msg["parent_header"].get("msg_id")
        return (self.replies[msg_id], msg) if msg_id in self.replies else None

    def read_iopub(self, timeout: float) -> None:
        """Take one iopub message (if one comes within `timeout`) into its request's Reply."""
        if got := self.next_message(self.kc.get_iopub_msg, timeout):
            reply, msg = got
            if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                self.idle.add(msg["parent_header"]["msg_id"])
            reply.add(msg)

    def done(self) -> bool:
        return all(r.reply for r in self.replies.values()) and self.idle == set(self.ids)

    def wait(self, timeout: float, on_input: Callable[[dict], None] | None = None) -> list[Reply]:
        """Every request's Reply, in the order sent; `on_input` answers each input_request
        (None: the requests do not allow stdin)."""
        deadline = time.monotonic() + timeout
        while not self.done():
            assert time.monotonic() < deadline, (
                f"{sum(not r.reply for r in self.replies.values())} requests got no reply"
            )
            if on_input is not None and (got := self.next_message(self.kc.get_stdin_msg, 0.01)):
                if got[1]["header"]["msg_type"] == "input_request":
                    on_input(got[1])
            if got := self.next_message(self.kc.get_shell_msg, 0.01):
                reply, msg = got
                reply.reply = msg
            self.read_iopub(0.01)
        return [self.replies[i] for i in self.ids]


class Kernel:
    """A started cellc kernel and a blocking client."""

    def __init__(self, env: dict[str, str] | None = None):
        self.km = KernelManager(kernel_name="cellc")
        self.km.start_kernel(**({"env": {**os.environ, **env}} if env else {}))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)

    def execute(
        self, code: str, stdin: list[str] | None = None, timeout: float = TIMEOUT, interrupt_after=None
    ) -> Reply:
        """Run a cell; `stdin` lines answer input requests (None: stdin not allowed);
        `interrupt_after` seconds, the kernel is interrupted (as the stop button does)."""
        out = Reply(reply={})
        answers = list(stdin or [])

        def on_input(msg: dict) -> None:
            self.kc.input(answers.pop(0) if answers else "")

        timer = threading.Timer(interrupt_after, self.km.interrupt_kernel) if interrupt_after is not None else None
        if timer is not None:
            timer.start()
        try:
            out.reply = self.kc.execute_interactive(
                code, allow_stdin=stdin is not None, timeout=timeout, output_hook=out.add, stdin_hook=on_input
            )
        except TimeoutError:
            raise TimeoutError(f"no reply to {code!r}") from None
        finally:
            if timer is not None:
                timer.cancel()
        return out

    def ok(self, code: str, **kw) -> Reply:
        r = self.execute(code, **kw)
        assert r.status == "ok", r.error_text
        return r

    def value(self, expr: str) -> str:
        """The text/plain value of a cell that is one expression."""
        r = self.ok(expr)
        assert r.value is not None, (expr, r.stdout, r.stderr)
        return r.value

    def fails(self, code: str, **kw) -> Reply:
        r = self.execute(code, **kw)
        assert r.status == "error", (r.stdout, r.stderr, r.value)
        assert len(r.errors) == 1
        return r

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()


@pytest.fixture()
def fresh_kernel():
    k = Kernel()
    yield k
    k.shutdown()
