"""The Jupyter side of cellc: a thin ipykernel wrapper around the Interpreter.

The interpreter (and the modules behind it: tree-sitter, pyelftools, the
executor) is created after the first kernel_info reply, so the kernel answers
as fast as ipykernel's own.
"""

from __future__ import annotations

import atexit
import faulthandler
import functools
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ipykernel.kernelbase import Kernel
from IPython.core.error import StdinNotImplementedError
from traitlets import Float

from . import __version__, names, toolchain
from .debugger import Debugger
from .executor import Handlers
from .ipykernel_adapter import QueuedRequests

if TYPE_CHECKING:
    from .interpreter import Interpreter
    from .magics import Magics
    from .result import CellResult

# The input box has no Ctrl-D: an answer of ^D alone is end-of-file for the program.
INPUT_PROMPT = "stdin (^D alone: end of input)"
END_OF_INPUT = ("^D", "\x04")
IOPUB_WAIT = 10  # seconds, as ipykernel's flush
SWITCH_INTERVAL = 0.0005  # seconds a thread holds the GIL when another wants it (Python's default: 0.005)


@functools.cache
def gcc_version() -> str:
    try:
        return toolchain.gcc_version()
    except OSError:
        return "unknown"


class _Upcoming(Sequence):
    """The cells queued after the running one, read when first asked: most
    cells of a Run All run from a batch built before and never ask."""

    def __init__(self, read: Callable[[], list[tuple[str, str]]]):
        self._read = read
        self._cells: list[tuple[str, str]] | None = None

    def _all(self) -> list[tuple[str, str]]:
        if self._cells is None:
            self._cells = self._read()
        return self._cells

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


class CellcKernel(Kernel):
    implementation = "cellc"
    implementation_version = __version__
    language = "c"
    banner = "cellc: incremental C on gcc — each cell is compiled, loaded and run in a crash-safe executor"
    help_links = [
        {"text": "GCC manual", "url": "https://gcc.gnu.org/onlinedocs/gcc/"},
    ]
    # ipykernel sleeps this long after every cell, in case its flush of sys.stdout
    # has not reached the clients; the kernel waits for its own outputs instead
    # (`_sync_iopub`), and a sleep per cell was a quarter of "Run All".
    _execute_sleep = Float(0.0).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from .history import History

        self.history = History()  # the cells as typed, for history requests
        self._published = False  # the running cell sent something on IOPub
        self._queued = QueuedRequests()  # what "Run All" sent after the running cell
        self._idle = threading.Lock()  # held while a cell runs: the executor is the cell's
        self.debugger = Debugger(lambda: self.interpreter, self._publish_debug_event, self._idle)

    @property
    def language_info(self):
        return {
            "name": "c",
            "version": gcc_version(),
            "mimetype": "text/x-csrc",
            "file_extension": ".c",
            "pygments_lexer": "c",
            "codemirror_mode": "text/x-csrc",
        }

    @property
    def kernel_info(self):
        info = super().kernel_info
        info["supported_features"] = ["debugger"]  # gdb's DAP, brokered (debugger.py)
        return info

    @functools.cached_property
    def interpreter(self) -> Interpreter:
        from .interpreter import Interpreter

        interpreter = Interpreter()
        interpreter.on_interrupt = self.debugger.on_interrupt
        atexit.register(interpreter.shutdown)
        return interpreter

    @functools.cached_property
    def magics(self) -> Magics:
        from .magics import Magics

        return Magics(lambda: self.interpreter)

    async def kernel_info_request(self, stream, ident, parent):
        await super().kernel_info_request(stream, ident, parent)
        # Reply first, then get ready for the first cell.
        self.magics  # noqa: B018
        self.interpreter  # noqa: B018

    # -- output ---------------------------------------------------------------
    def send_response(self, stream, msg_or_type, content=None, *args, **kwargs):
        if stream is self.iopub_socket:
            self._published = True
        return super().send_response(stream, msg_or_type, content, *args, **kwargs)

    def _sync_iopub(self) -> None:
        """Wait until the IOPub thread has sent what this cell published, so its
        outputs leave before its reply (what ipykernel's flush of sys.stdout did)."""
        if self._published:
            self._published = False
            done = threading.Event()
            self.iopub_socket.io_thread.schedule(done.set)
            done.wait(IOPUB_WAIT)

    def stream(self, name: str, text: str) -> None:
        if text:
            self.send_response(self.iopub_socket, "stream", {"name": name, "text": text})

    def display(self, mime: str, data: bytes) -> None:
        """Publish a cellc.h display message; one that cannot be rendered is explained on stderr."""
        from .display import DisplayError, to_bundle

        if mime == "application/x-cellc-clear":
            self.send_response(self.iopub_socket, "clear_output", {"wait": data == b"1"})
            return
        try:
            bundle, metadata = to_bundle(mime, data)
        except DisplayError as e:
            self.stream("stderr", f"{e}\n")
            return
        self.send_response(self.iopub_socket, "display_data", {"data": bundle, "metadata": metadata, "transient": {}})

    def handlers(self, allow_stdin: bool) -> Handlers:
        def read_line() -> str | None:
            if not allow_stdin:
                return None
            try:
                text = self.raw_input(INPUT_PROMPT)
            except (EOFError, StdinNotImplementedError):
                return None
            return None if text.strip() in END_OF_INPUT else text + "\n"

        def bundle(data: dict) -> None:
            self.send_response(self.iopub_socket, "display_data", {"data": data, "metadata": {}, "transient": {}})

        return Handlers(output=self.stream, display=self.display, input=read_line, bundle=bundle)

    def error_reply(self, result: CellResult) -> dict:
        content = {"ename": result.ename, "evalue": result.evalue, "traceback": result.traceback}
        self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    # -- requests ---------------------------------------------------------------
    async def shell_channel_thread_main(self, msg):
        """Note each execute_request as it arrives (ipykernel_adapter.py)."""
        self._queued.note(self.session, msg)
        await super().shell_channel_thread_main(msg)

    def _queued_cells(self) -> list[tuple[str, str]]:
        """(code, label) of the execute_requests queued after the running one,
        up to the first that would not take the next execution count."""
        from .batch import MAX_CELLS

        current = self.get_parent("shell").get("header", {}).get("msg_id")
        cells: list[tuple[str, str]] = []
        for content in self._queued.after(current, 2 * MAX_CELLS):  # a batch and the next
            if content.get("silent") or not content.get("store_history", True):
                break
            cells.append((content.get("code", ""), names.cell_label(self.execution_count + 1 + len(cells))))
        return cells

    async def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, **kwargs):
        try:
            with self._idle:
                return self._execute(code, silent, store_history, allow_stdin)
        finally:
            self._sync_iopub()

    def _execute(self, code: str, silent: bool, store_history: bool, allow_stdin: bool) -> dict:
        self._allow_stdin = allow_stdin
        handlers = self.handlers(allow_stdin)
        label = names.cell_label(self.execution_count)
        from .result import CellResult

        if store_history and not silent:
            self.history.record(self.execution_count, code)
        source = code
        try:
            # (a magic's own cells are not the notebook's next ones)
            self.interpreter.queued = [] if code.lstrip().startswith(("%", "!")) else _Upcoming(self._queued_cells)
            # the program ended since the last cell: this cell reports it and does not run
            result = self.interpreter.idle_death(label, handlers) if code.strip() else None
            if result is None:
                self.stream("stderr", self.debugger.before_cell(label, code))
                code, result = self.magics.run(code, label, handlers)
                self.execution_count = max(self.execution_count, self.magics.label_floor)  # after %load's cells
            if result is None:
                result = self.interpreter.execute(code, label, handlers)
        except KeyboardInterrupt:
            result = CellResult(False, ename="Interrupted", evalue="interrupted", traceback=["Interrupted."])
        except Exception as e:  # a bug of ours: say so, keep the kernel and the program
            self.log.exception("cellc internal error")
            lines = ["cellc internal error (please report it); the program is unchanged:"]
            lines += traceback.format_exception_only(type(e), e)
            result = CellResult(False, ename="InternalError", evalue=str(e), traceback=lines)
        if not result.ok:
            from .export import failed_cell_note

            note = failed_cell_note(label, source, result.ename)
            if note is not None:
                self.interpreter.add_record(note)
            return self.error_reply(result)
        shown = self.interpreter.limits.warnings  # stderr, or stdout for a grader that fails any stderr
        if result.warnings and not silent and shown != "off":
            self.stream(shown, result.warnings + "\n")
        if result.value is not None and not silent:
            text, html_text = result.value
            self.history.set_output(self.execution_count, text)
            self.send_response(
                self.iopub_socket,
                "execute_result",
                {
                    "execution_count": self.execution_count,
                    "data": {"text/plain": text, "text/html": html_text},
                    "metadata": {},
                },
            )
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    async def do_is_complete(self, code):
        from .is_complete import is_complete

        return is_complete(code)

    async def do_complete(self, code, cursor_pos):
        from .complete import complete

        if cursor_pos is None:
            cursor_pos = len(code)
        try:
            return complete(self.interpreter, code, cursor_pos, self.magics.names())
        except Exception as e:  # noqa: BLE001 - a completion bug must not break the kernel
            self.log.warning("completion failed: %s", e, exc_info=True)
            return {"status": "ok", "matches": [], "cursor_start": cursor_pos, "cursor_end": cursor_pos, "metadata": {}}

    async def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        from .introspect import inspect

        if cursor_pos is None:
            cursor_pos = len(code)
        try:
            return inspect(self.interpreter, code, cursor_pos, detail_level)
        except Exception as e:  # noqa: BLE001 - an inspection bug must not break the kernel
            self.log.warning("inspection failed: %s", e, exc_info=True)
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}

    async def do_history(
        self,
        hist_access_type,
        output,
        raw,
        session=None,
        start=None,
        stop=None,
        n=None,
        pattern=None,
        unique=False,
        **kwargs,
    ):
        return self.history.reply(hist_access_type, output, session, start, stop, n, pattern, unique)

    async def do_debug_request(self, msg):
        """A request of JupyterLab's visual debugger (control channel): DAP, brokered to gdb."""
        return self.debugger.handle(msg)

    async def do_shutdown(self, restart):
        self.debugger.close()
        if "interpreter" in self.__dict__:
            self.interpreter.shutdown()
        return {"status": "ok", "restart": restart}


def main() -> None:
    from ipykernel.kernelapp import IPKernelApp

    from .limits import LimitError, Limits, split_settings

    try:
        settings, argv = split_settings(sys.argv[1:])
        os.environ.update(settings)  # the command line's settings win over the kernelspec's env
        Limits.from_env()  # an operator's typo is an error now, in the server's log, not at the first cell
    except LimitError as e:
        sys.exit(f"cellc: {e}")

    # A kernel that seems hung: `kill -USR2 PID` writes every thread's stack to its stderr.
    faulthandler.register(signal.SIGUSR2, all_threads=True)
    # While Run All builds the next batch on a thread (Python: parsing, generating), every
    # blocking call of the main thread (a ZMQ frame, a pipe write, a /proc read) gives up the
    # GIL and waited up to the switch interval, 5 ms, to get it back: a cell's ten or so such
    # calls made the running cells wait for the batch being built.
    sys.setswitchinterval(SWITCH_INTERVAL)
    IPKernelApp.launch_instance(
        argv=argv, kernel_class=CellcKernel, outstream_class="cellc_kernel.ipykernel_adapter.OutStream"
    )
