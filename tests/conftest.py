"""Real cellc kernels driven through jupyter_client (`execute_interactive`, as a console frontend)."""

from __future__ import annotations

import threading
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
        """Run a cell; `stdin` lines answer input requests (None: stdin not allowed);
        `interrupt_after` seconds, the kernel is interrupted (as the stop button does)."""
        out = Reply(reply={})
        answers = list(stdin or [])

        def on_output(msg: dict) -> None:
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind in ("status", "execute_input"):
                return
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

        def on_input(msg: dict) -> None:
            self.kc.input(answers.pop(0) if answers else "")

        timer = threading.Timer(interrupt_after, self.km.interrupt_kernel) if interrupt_after is not None else None
        if timer is not None:
            timer.start()
        try:
            out.reply = self.kc.execute_interactive(
                code, allow_stdin=stdin is not None, timeout=timeout, output_hook=on_output, stdin_hook=on_input
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
