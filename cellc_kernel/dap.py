"""A client of the Debug Adapter Protocol, over a debug adapter's stdin/stdout.

The adapter is gdb (`gdb -i=dap`), which implements DAP itself; this module
only frames messages (`Content-Length` headers, JSON bodies), matches
responses to requests and hands events to a callback.  No maintained Python
package offers a DAP client for a subprocess, and the framing is all there is.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import IO

from . import toolchain

log = logging.getLogger(__name__)
TIMEOUT = 30.0  # seconds for an answer: attaching reads every cell's DWARF


class AdapterGone(RuntimeError):
    """The debug adapter ended or stopped answering."""


class Pending:
    """A request sent, its response to come."""

    def __init__(self, command: str, answered: Callable[[dict], None] | None = None):
        self.command = command
        self.answered = answered  # on the reader thread, before any event that follows the response
        self._done = threading.Event()
        self._response: dict | None = None

    def answer(self, response: dict | None) -> None:
        """Its response (None: the adapter ended first)."""
        self._response = response
        self._done.set()

    def wait(self, timeout: float = TIMEOUT) -> dict:
        if not self._done.wait(timeout):
            raise AdapterGone(f"the debugger did not answer `{self.command}` within {timeout:g} s")
        if self._response is None:
            raise AdapterGone("the debugger has ended")
        return self._response


class DapClient:
    """One debug adapter process and the conversation with it.  Requests may
    come from any thread; events are handed to `on_event` on the reader thread."""

    def __init__(self, argv: list[str], on_event: Callable[[dict], None], cwd: str | None = None):
        self.process = toolchain.start_server(argv, cwd=cwd)
        self.on_event = on_event
        self._seq = 0
        self._lock = threading.RLock()  # one writer at a time, and the pending table (re-entered by the SIGINT handler)
        self._pending: dict[int, Pending] = {}
        self._closed = False
        self._reader = threading.Thread(target=self._read_all, name="cellc-dap", daemon=True)
        self._reader.start()

    def request(self, command: str, timeout: float = TIMEOUT, **arguments) -> dict:
        """Send a request and wait for its response (the whole message)."""
        return self.start(command, **arguments).wait(timeout)

    def start(self, command: str, answered: Callable[[dict], None] | None = None, **arguments) -> Pending:
        """Send a request; its response is awaited later (gdb holds `attach`'s
        until `configurationDone`).  `answered(response)` runs on the reader
        thread, in order with the events: gdb sends the events a request causes
        after its response."""
        pending = Pending(command, answered)
        with self._lock:
            if self._closed:
                raise AdapterGone("the debugger has ended")
            self._seq += 1
            self._pending[self._seq] = pending
            message = {"seq": self._seq, "type": "request", "command": command, "arguments": arguments}
            try:
                _write(self.process.stdin, message)
            except (OSError, ValueError):
                self._pending.pop(self._seq, None)
                raise AdapterGone("the debugger has ended") from None
        return pending

    def _read_all(self) -> None:
        stream = self.process.stdout
        try:
            while (message := _read(stream)) is not None:
                if message.get("type") == "response":
                    with self._lock:
                        waiter = self._pending.pop(message.get("request_seq", -1), None)
                    if waiter is not None:
                        if waiter.answered is not None:
                            try:
                                waiter.answered(message)
                            except Exception:  # noqa: BLE001 - as for an event
                                log.exception("handling a debug response failed")
                        waiter.answer(message)
                elif message.get("type") == "event":
                    try:
                        self.on_event(message)
                    except Exception:  # noqa: BLE001 - one bad event must not end the conversation
                        log.exception("handling a debug event failed")
        except (OSError, ValueError):
            log.debug("reading the debug adapter failed", exc_info=True)
        finally:
            with self._lock:
                self._closed = True
                pending, self._pending = self._pending, {}
            for waiter in pending.values():
                waiter.answer(None)
            try:
                self.on_event({"type": "event", "event": "adapterExited"})
            except Exception:  # noqa: BLE001
                log.exception("handling the adapter's end failed")

    @property
    def alive(self) -> bool:
        return not self._closed

    def close(self) -> None:
        """End the adapter.  It detaches first: killed while attached, gdb
        would leave its breakpoint traps in the program."""
        if self.alive:
            try:
                self.request("disconnect", timeout=10, terminateDebuggee=False)
            except AdapterGone:
                pass
        with self._lock:
            if self.process.stdin is not None:
                self.process.stdin.close()  # gdb ends at the end of its input
        if not self.process.ended(2):
            self.process.kill()
        self._reader.join(timeout=5)


def _write(stream: IO[bytes] | None, message: dict) -> None:
    assert stream is not None
    body = json.dumps(message).encode("utf-8")
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def _read(stream: IO[bytes] | None) -> dict | None:
    """The next message, or None at the end of the stream."""
    assert stream is not None
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            if length is not None:
                break
            continue
        name, _, value = line.decode("ascii", "replace").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = stream.read(length)
    if len(body) < length:
        return None
    return json.loads(body)
