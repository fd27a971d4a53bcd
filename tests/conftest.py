"""Real cellc kernels driven through jupyter_client."""

from __future__ import annotations

import queue
from dataclasses import dataclass, field

import pytest
from jupyter_client.manager import KernelManager

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


class Kernel:
    """A started cellc kernel and a blocking client."""

    def __init__(self):
        self.km = KernelManager(kernel_name="cellc")
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)

    def execute(
        self, code: str, stdin: list[str] | None = None, timeout: float = TIMEOUT, interrupt_after=None
    ) -> Reply:
        """Run a cell; `stdin` lines answer input requests (None: stdin not allowed)."""
        msg_id = self.kc.execute(code, allow_stdin=stdin is not None)
        answers = list(stdin or [])
        out = Reply(reply={})
        idle = False
        import time

        start = time.monotonic()
        interrupted = False
        while not idle or not out.reply:
            if interrupt_after is not None and not interrupted and time.monotonic() - start > interrupt_after:
                self.km.interrupt_kernel()
                interrupted = True
            if stdin is not None:
                try:
                    req = self.kc.get_stdin_msg(timeout=0.01)
                    if req["header"]["msg_type"] == "input_request":
                        self.kc.input(answers.pop(0) if answers else "")
                except queue.Empty:
                    pass
            if not out.reply:
                try:
                    rep = self.kc.get_shell_msg(timeout=0.01)
                    if rep["parent_header"].get("msg_id") == msg_id:
                        out.reply = rep
                except queue.Empty:
                    pass
            try:
                msg = self.kc.get_iopub_msg(timeout=0.01)
            except queue.Empty:
                if time.monotonic() - start > timeout:
                    raise TimeoutError(f"no reply to {code!r}") from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            content = msg["content"]
            if kind == "status":
                idle = content["execution_state"] == "idle"
                continue
            if kind == "execute_input":
                continue
            out.messages.append(msg)
            if kind == "stream":
                if content["name"] == "stdout":
                    out.stdout += content["text"]
                else:
                    out.stderr += content["text"]
            elif kind == "execute_result":
                out.results.append(content["data"])
            elif kind == "display_data":
                out.displays.append(content["data"])
            elif kind == "error":
                out.errors.append(content)
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
