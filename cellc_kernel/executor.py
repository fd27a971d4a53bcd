"""Start the executor process and speak its protocol.

docs/protocol.md is the protocol's one description (pipes, packets, the
commands and events); executor.c follows it.  The protocol's limits are defined
here and given to executor.c as -D flags when it is built (`build_executor`),
so the two sides cannot disagree.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import secrets
import select
import selectors
import shutil
import signal
import stat
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, auto
from pathlib import Path

from . import names, toolchain
from .limits import SNAPSHOT_MARGIN, Limits
from .processes import (
    alive,
    is_under,
    proportional,
    resident,
    send_signal,
    stop_tree,
    stopped,
    wait_ended,
)

SOURCE = Path(__file__).with_name("executor.c")
EXPORTS = (  # what comes first in the global scope: the executor's wrappers (the heap's: its heap table)
    f"{{ read; _exit; _Exit; fork; vfork; wait; waitpid; wait3; wait4; waitid; cellc_*; {names.LAZY}; "
    "malloc; free; calloc; realloc; reallocarray; posix_memalign; aligned_alloc; memalign; valloc; pvalloc; "
    "strdup; strndup; };\n"
)
OUTPUT_LIMIT = 4 * 1024 * 1024  # bytes of stdout+stderr shown per cell
STDERR_KEPT = 4096  # bytes of the end of a command's stderr its Outcome keeps
COMMAND_LINE = 1 << 16  # the protocol's limits (see above)
PACKET = select.PIPE_BUF
BUILD_TIMEOUT = 300.0  # seconds for gcc to build the executor (~2 s alone; kernels may start many at once)
HEAP_RECORD = struct.Struct("=QQQ")  # a `heap` record: address, size, flags (bit 0: freed), native byte order
PAYLOAD_EVENTS = ("display", "mem", "refs", "kinds", "heap", "part")  # events followed by N bytes
EVENTS = {
    *PAYLOAD_EVENTS,
    *("ready", "done", "snapshot", "error", "fault", "died", "interrupted", "rolledback", "input", "long"),
    *("undefined", "frozen", "addr", "symbol", "leaks", "heaptable", "sync", "stale"),
}


@dataclass(frozen=True)
class HeapTable:
    """The executor's heap table as it lies in memory (executor.c, `heaptable`):
    a pointer to its slots and their count at two addresses; a slot is two
    native uint64, the block's address (0: empty) and its size, with the freed
    bit and a stamp above."""

    slots_at: int
    count_at: int
    freed_bit: int
    stamp_shift: int

    def read(self, read: Callable[[int, int], bytes | None]) -> list[tuple[int, int, bool]]:
        """(address, size, freed) of every block, read through `read`: None if unreadable."""
        slots_word, count_word = read(self.slots_at, 8), read(self.count_at, 8)
        if slots_word is None or count_word is None:
            return []
        slots, count = int.from_bytes(slots_word, sys.byteorder), int.from_bytes(count_word, sys.byteorder)
        data = read(slots, count * 16) or b""
        size_mask = (1 << self.freed_bit) - 1
        return [
            (address, meta & size_mask, bool(meta >> self.freed_bit & 1))
            for address, meta in struct.iter_unpack("=QQ", data)
            if address
        ]


class ExecutorDied(Exception):
    """The executor process tree is gone."""


class ProtocolError(RuntimeError):
    """A command the protocol cannot carry, or one the executor answered with `error`."""


class OutOfMemory(ProtocolError):
    """The executor had no memory for a command's answer: the program holds all
    that its memory limit allows (the command runs in the program's process)."""


def parse_packet(packet: bytes, key: bytes) -> tuple[str, list[str], bytes] | None:
    """One packet of the event pipe as (kind, args, payload); None when it is
    not a well-formed event of ours (the program wrote it)."""
    prefix = key + b" "
    nl = packet.find(b"\n")
    if not packet.startswith(prefix) or nl < 0:
        return None
    kind, _, rest = packet[len(prefix) : nl].decode("utf-8", "replace").partition(" ")
    args = rest.split(" ") if rest else []
    body = packet[nl + 1 :]
    if kind not in EVENTS:
        return None
    if kind in PAYLOAD_EVENTS and args and args[-1].isdigit():
        return (kind, args, body) if len(body) == int(args[-1]) else None
    if kind == "part" or (kind == "long" and not (len(args) == 1 and args[0].isdigit())):
        return None
    return (kind, args, b"") if not body else None


def _lines_of(words: list[str], room: int) -> list[list[str]]:
    """`words` in runs whose space-separated text takes at most `room` bytes
    (a word longer than that alone: sending it fails loudly)."""
    runs: list[list[str]] = []
    size = room
    for word in words:
        n = len(word.encode("utf-8", "surrogateescape"))
        if not runs or size + 1 + n > room:
            runs.append([])
            size = -1
        runs[-1].append(word)
        size += 1 + n
    return runs


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cellc"


class NoPlaceToBuild(RuntimeError):
    """Neither the cache nor the fallback directory can hold the executor."""


def _private_dir(directory: Path) -> bool:
    """Make `directory` (0700), or check that it is ours; it is made private."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = directory.lstat()
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            return False
        if st.st_mode & 0o077:
            os.chmod(directory, 0o700)
        return True
    except OSError:
        return False


def _verified(binary: Path) -> bool:
    """Whether `binary` is what cellc built there: an executable file of ours,
    writable by us only, with the SHA-256 recorded beside it when it was built."""
    try:
        st = binary.lstat()
        recorded = binary.with_name(binary.name + ".sha256").read_text().strip()
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022 or not st.st_mode & 0o100:
            return False
        return hashlib.sha256(binary.read_bytes()).hexdigest() == recorded
    except OSError:
        return False


def build_executor(gcc: str = "gcc", fallback_dir: Path | None = None) -> Path:
    """The executor binary, built once per source version and gcc into the
    user's private cache, and rebuilt whenever it is not what we built."""
    source = SOURCE.read_bytes()
    gcc_path = shutil.which(gcc) or gcc
    version = toolchain.gcc_version(gcc_path)
    limits = [f"-DCELLC_COMMAND_LINE={COMMAND_LINE}", f"-DCELLC_PACKET={PACKET}"]
    key = hashlib.sha1(source + version.encode() + EXPORTS.encode() + " ".join(limits).encode()).hexdigest()[:16]
    for directory in (_cache_dir(), fallback_dir):
        if directory is None or not _private_dir(directory):
            continue
        binary = directory / f"executor-{key}"
        if _verified(binary):
            return binary
        try:
            tmp = Path(tempfile.mkdtemp(dir=directory))
        except OSError:
            continue
        try:
            exports = tmp / "exports.txt"
            exports.write_text(EXPORTS)
            out = tmp / "executor"
            # frame pointers: a sanitizer's fast unwinder walks through the malloc wrappers to the cell
            argv = [gcc_path, "-O2", "-g", "-fno-omit-frame-pointer", f"-fdebug-prefix-map={tmp}=.", *limits]
            argv += ["-o", str(out), str(SOURCE)]
            argv += [f"-Wl,--dynamic-list={exports}", "-Wl,--no-as-needed", "-lm", "-lpthread", "-ldl"]
            try:
                proc = toolchain.run(argv, cwd=tmp, timeout=BUILD_TIMEOUT)
            except toolchain.ToolTimeout as e:  # an OSError, which would mean "try another directory"
                raise RuntimeError(f"building the cellc executor failed: {e}") from None
            if proc.returncode != 0:
                raise RuntimeError(f"building the cellc executor failed:\n{proc.stderr}")
            os.chmod(out, 0o700)
            digest = tmp / "sha256"
            digest.write_text(hashlib.sha256(out.read_bytes()).hexdigest() + "\n")
            if binary.is_dir() and not binary.is_symlink():
                shutil.rmtree(binary, ignore_errors=True)
            os.replace(digest, binary.with_name(binary.name + ".sha256"))
            os.replace(out, binary)
            return binary
        except OSError:
            continue
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    raise NoPlaceToBuild("no writable directory to build the cellc executor in")


class Ending(Enum):
    """How a command that runs user code ended.  One that neither returned nor
    was refused ended the first of these ways that applies, in this order
    (`_Evidence.outcome` decides; failure.py reports each)."""

    DONE = auto()  # it returned
    ERROR = auto()  # the executor refused it (a load error): nothing ran
    LOST = auto()  # the executor died: the program was restarted and its state is lost
    CHANNEL_LOST = auto()  # the cell closed or replaced the channel's descriptors
    GARBAGE = auto()  # the cell wrote into the kernel's event pipe
    UNDEFINED = auto()  # it called a function that is declared, not defined
    PROCESS_LIMIT = auto()  # the program tried to have more processes than its limit
    TIMED_OUT = auto()  # stopped at the cell timeout
    INTERRUPTED = auto()
    EXITED = auto()  # the program called exit (a sanitizer's report does too)
    CRASHED = auto()  # a fatal signal (`fault` has its details when it was a fault)


@dataclass
class Outcome:
    """How a command that runs user code ended, with the detail its ending needs."""

    ending: Ending
    before: int | None = None  # the snapshot holding the state before the command
    message: str = ""  # ERROR, LOST: what the executor said, or how it was lost
    function: str = ""  # UNDEFINED: the function called
    signal: str = ""  # the signal the live process died of
    exit_status: int | None = None
    fault: list[str] | None = None  # fields of the `fault` event
    timer_off: bool = False  # the signal that ended it came from a timer, now disarmed
    frozen: int | None = None  # pid of the stopped copy of the crashed process (for %debug)
    frozen_after: Ending = Ending.CRASHED  # what stopped that copy: EXITED (a report), INTERRUPTED, CRASHED
    in_place: bool = False  # it ran with no snapshot after it (threads were running)
    rolled_back: bool = True  # a failure went back to the state before the command
    garbage: bool = False  # the cell wrote into the event pipe (a cell that returned is undone for it)
    unread: bool = False  # the live process ended before it read the command, which did not run
    last_stderr: str = ""  # the end of what the program wrote to stderr meanwhile (a failed assert's message)

    @property
    def ok(self) -> bool:
        return self.ending is Ending.DONE


@dataclass
class _Evidence:
    """What the events of a running command say about how it ends."""

    fault: list[str] | None = None  # fields of the `fault` event
    signal: str = ""  # the signal the live process died of
    exit_status: int | None = None
    channel_lost: bool = False  # the cell closed or replaced the channel's descriptors
    limit: str = ""  # the limit the cell hit ("processes") and was ended for
    timer_off: bool = False  # that signal came from a timer, now disarmed
    undefined: str = ""  # the function called that is declared, not defined
    frozen: int | None = None  # pid of the stopped copy of the process
    interrupted: bool = False  # SIGINT was sent (by the user, at the timeout), or an in-place cell was interrupted
    timed_out: bool = False  # stopped at the cell timeout
    garbage: bool = False  # the cell wrote into the event pipe

    def note(self, event: tuple[str, list[str], bytes], live: int | None) -> None:
        """What an event says about how the running command ends (`live`: its process)."""
        kind, args, _ = event
        if kind == "died" and int(args[0]) == live:
            if args[1] == "exit":
                self.exit_status = int(args[2])
            elif args[1] == "lost":
                self.channel_lost = True
            elif args[1] == "limit":
                self.limit = args[2]
            else:
                self.signal = args[2]
                self.timer_off = args[3:4] == ["timer"]
        elif kind == "fault":
            self.fault = args
        elif kind == "undefined":
            self.undefined = args[0] if args else "?"
        elif kind == "frozen" and args:
            self.frozen = int(args[0], 16)
        elif kind == "interrupted":
            self.interrupted = True

    def outcome(self, last: tuple[str, list[str], bytes], before: int | None) -> Outcome:
        """How the command ended, decided once it has: by its last event (`done`,
        `error`, `rolledback` or the live process's `died`) and what the events
        before it said; `before`: the snapshot holding the state before it."""
        kind, args, _ = last
        ending = {"done": Ending.DONE, "error": Ending.ERROR}.get(kind) or self._failure()
        # a frozen copy stops at a sanitizer's report (which exits), an interrupt or a crash
        frozen_after = Ending.EXITED if self.exit_status else Ending.INTERRUPTED if self.interrupted else Ending.CRASHED
        return Outcome(
            ending,
            before,
            message=" ".join(args) if kind == "error" else "",
            function=self.undefined,
            signal=self.signal,
            exit_status=self.exit_status,
            fault=self.fault,
            timer_off=self.timer_off,
            frozen=self.frozen,
            frozen_after=frozen_after,
            in_place=kind == "rolledback" or (kind == "done" and args[0] == "inplace"),
            rolled_back=kind != "rolledback",
            garbage=self.garbage,
        )

    def _failure(self) -> Ending:
        """How a command that neither returned nor was refused ended: the first that applies."""
        if self.channel_lost:
            return Ending.CHANNEL_LOST
        if self.garbage:
            return Ending.GARBAGE
        if self.undefined:
            return Ending.UNDEFINED
        if self.limit == "processes":
            return Ending.PROCESS_LIMIT
        if self.timed_out:
            return Ending.TIMED_OUT
        if self.interrupted and self.signal in ("INT", "KILL", ""):
            return Ending.INTERRUPTED
        if self.exit_status is not None:
            return Ending.EXITED
        return Ending.CRASHED


@dataclass
class Handlers:
    """What to do with what the program produces while it runs."""

    output: Callable[[str, str], None] = lambda name, text: None
    display: Callable[[str, bytes], None] = lambda mime, data: None
    input: Callable[[], str | None] = lambda: None  # a line, or None for EOF
    bundle: Callable[[dict], None] = lambda data: None  # a display of the kernel's own: a MIME bundle


@dataclass
class _Stream:
    name: str
    fd: int
    decoder: codecs.IncrementalDecoder = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))


class _Channel:
    """The two pipes of the protocol: commands down, keyed event packets up."""

    def __init__(self, command_fd: int, event_fd: int, key: bytes):
        self.command_fd = command_fd
        self.event_fd = event_fd
        self.key = key
        self.packets: list[bytes] = []  # read, not yet parsed
        self.parts: list[bytes] = []  # of an event larger than a packet

    def send(self, line: str, payload: bytes = b"") -> None:
        data = line.encode("utf-8", "surrogateescape") + b"\n"
        if len(data) > COMMAND_LINE or b"\n" in data[:-1]:
            what = "a line break" if b"\n" in data[:-1] else f"{len(data)} bytes"
            raise ProtocolError(f"a command line of {what} does not fit the protocol ({COMMAND_LINE} bytes, one line)")
        data += payload
        try:
            while data:  # the command pipe is blocking: a write may be partial, never refused
                n = os.write(self.command_fd, data)
                data = data[n:]
        except OSError as e:
            raise ExecutorDied(str(e)) from None

    def read(self) -> bool:
        """Read the packets the event pipe has; False when it is closed."""
        for _ in range(256):
            try:
                packet = os.read(self.event_fd, PACKET)
            except BlockingIOError:
                return True
            if not packet:
                return False
            self.packets.append(packet)
        return True

    def next_event(self) -> tuple[str, list[str], bytes] | None:
        """The next event (the `part`s of a large payload collected), or None."""
        while self.packets:
            event = parse_packet(self.packets.pop(0), self.key)
            if event is None:
                return "garbage", [], b""
            kind, args, payload = event
            if kind == "part":
                self.parts.append(payload)
                continue
            if kind == "long":
                whole = b"".join(self.parts)
                self.parts = []
                event = parse_packet(self.key + b" " + whole, self.key) if len(whole) == int(args[0]) else None
                if event is None or event[0] in ("part", "long"):
                    return "garbage", [], b""
            return event
        return None

    def holds_death_of(self, pid: int | None) -> bool:
        """Whether a packet read but not yet handled says `pid` died."""
        for packet in self.packets:
            event = parse_packet(packet, self.key)
            if event is not None and event[0] == "died" and event[1][:1] == [str(pid)]:
                return True
        return False


class _Output:
    """The program's stdout and stderr, forwarded as they come, within the output limit."""

    def __init__(self, stdout_fd: int, stderr_fd: int, limit: int):
        self.streams = [_Stream("stdout", stdout_fd), _Stream("stderr", stderr_fd)]
        self.limit = limit
        self.last_stderr = b""  # the end of stderr, shown or not, since the command began (Executor.run)
        for stream in self.streams:
            os.set_blocking(stream.fd, False)

    def end(self, handlers: Handlers) -> None:
        """Each request's output is decoded on its own: a character whose bytes it
        left incomplete is shown as U+FFFD here, not glued to the next cell's."""
        for stream in self.streams:
            text = stream.decoder.decode(b"", final=True)
            stream.decoder.reset()
            if text:
                handlers.output(stream.name, text)

    def drain(self, handlers: Handlers, budget: list[int]) -> None:
        for stream in self.streams:
            self.read(stream, handlers, budget, drain=True)

    def read(self, stream: _Stream, handlers: Handlers, budget: list[int], drain: bool = False) -> None:
        """Forward what a pipe holds as one message; past the budget, drop it."""
        chunks = []
        size = 0
        while size < (1 << 20):
            try:
                chunk = os.read(stream.fd, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        if not data:
            return
        if stream.name == "stderr":
            self.last_stderr = (self.last_stderr + data)[-STDERR_KEPT:]
        shown = data[: max(budget[0], 0)]
        if shown:
            budget[0] -= len(shown)
            text = stream.decoder.decode(shown)
            if text:
                handlers.output(stream.name, text)
        if len(shown) < len(data):
            if budget[1] == 0:
                limit = self.limit // (1 << 20)
                handlers.output(
                    "stderr",
                    f"\n[cellc: output truncated: a cell shows at most {limit} MiB; the rest is dropped]\n",
                )
            budget[1] += len(data) - len(shown)
        if drain and size >= (1 << 20):
            self.read(stream, handlers, budget, drain)


class _Tree:
    """The executor's process tree as the events tell it: the live process and
    the snapshots (resume points, oldest first), kept within depth and memory."""

    def __init__(self, root: int, max_snapshots: int = 8):
        self.root = root
        self.live_pid: int | None = None
        # the snapshot that resumes if the live process ends: the state after the last cell,
        # named even once it is gone (then the state before the next cell is lost)
        self.live_parent: int | None = root
        self.forking = False  # `done snapshot` came, `snapshot PID` not yet
        # The live process ended while it forked, before it said which snapshot keeps the last
        # cell (a SIGKILL: the fork holds off the program's signals), and one from before that
        # cell resumed: the last cell's state is gone (a new snapshot resuming is one not yet heard of).
        self.went_back = False
        self._ended_forking = False
        self.snapshots: list[int] = [root]
        self.max_snapshots = max_snapshots
        self.dropped: dict[int, str] = {}  # snapshots `trim` removed -> "depth" or "memory"
        self._resident: dict[int, int] = {}  # the older snapshots' resident sizes, as first read

    def note(self, kind: str, args: list[str]) -> None:
        """Book-keeping of the tree common to every wait."""
        if kind == "ready":  # the first live process, or one a snapshot started as it resumed
            self.live_pid = int(args[0])
            self.live_parent = parent = int(args[1])
            self.went_back = self.went_back or (self._ended_forking and parent in self.snapshots)
            self._ended_forking = False
            if parent not in self.snapshots:
                self.snapshots.append(parent)
        elif kind == "done" and args == ["snapshot"]:
            self.forking = True
        elif kind == "snapshot":
            # the live process goes on; its copy as the cell left it waits, the newest snapshot
            self.forking = False
            snapshot = int(args[0])
            if snapshot:
                self.live_parent = snapshot
                self.snapshots.append(snapshot)
                self.trim(snapshot)
            else:  # none could be made: as after a cell run in place
                self.forget()
        elif kind == "died":
            pid = int(args[0])
            if pid == self.live_pid:
                self.live_pid = None
                self._ended_forking, self.forking = self.forking, False
            if pid in self.snapshots:
                self.snapshots.remove(pid)
            self._resident.pop(pid, None)  # its number may come again

    def trim(self, newest: int) -> None:
        """Keep at most `max_snapshots` snapshots, and the tree within its
        memory budget: twice the program's size plus SNAPSHOT_MARGIN.  The
        live process forked from `newest` shares its pages and may rewrite
        them all, so the older snapshots may hold SNAPSHOT_MARGIN; past it
        the oldest go.  `newest`, the state before the next cell, stays."""
        while len(self.snapshots) > self.max_snapshots:
            self._drop_oldest("depth")
        older = [pid for pid in self.snapshots if pid != newest]
        # A snapshot runs nothing but the executor's wait: its resident size, read once, stays.
        self._resident = {pid: self._resident.get(pid) or resident(pid) for pid in older}
        if sum(self._resident.values()) <= SNAPSHOT_MARGIN:
            return  # the cheap upper bound is enough: no need for Pss
        while older and sum(proportional(pid) for pid in older) > SNAPSHOT_MARGIN:
            wait_ended(self._drop_oldest("memory"))  # its pages are gone before the next sum
            older.pop(0)

    def _drop_oldest(self, reason: str) -> int:
        """Kill the oldest snapshot (without waiting: its exit overlaps the next cell)."""
        victim = self.snapshots.pop(0)
        self.dropped[victim] = reason
        if victim != self.root:  # the root stays as reaper, no longer a resume point
            send_signal(victim, signal.SIGKILL)
        return victim

    def continue_stopped(self) -> None:
        """A snapshot the program stopped (`kill(getppid(), SIGSTOP)`) cannot
        take over when the live process ends: it is no program, so it goes on."""
        for pid in self.snapshots:
            if stopped(pid):
                send_signal(pid, signal.SIGCONT)

    def forget(self) -> None:
        """Undo cannot go back past a cell that ran in place."""
        self.snapshots = self.snapshots[-1:]


class _Pump:
    """The executor's events and output, pumped until the event awaited: the
    program's output and displays forwarded, its input answered, the user's
    SIGINT passed on to the live process (SIGKILL a second later if it
    ignores it), the cell timeout kept."""

    def __init__(
        self,
        channel: _Channel,
        output: _Output,
        tree: _Tree,
        timeout: float | None,
        on_interrupt: Callable[[], None] = lambda: None,
    ):
        """`on_interrupt` runs after SIGINT was sent to the live process (a debugger lets it go)."""
        self.channel = channel
        self.output = output
        self.tree = tree
        self.timeout = timeout
        self.on_interrupt = on_interrupt
        self._held_since: float | None = None  # a debugger holds the program: its time stops
        self.dead = False  # the executor is gone: nothing more comes
        self._interrupts = 0
        self._in_input = False
        self._deadline: float | None = None

    def send(self, line: str, payload: bytes = b"") -> None:
        try:
            self.channel.send(line, payload)
        except ExecutorDied:
            self.dead = True
            raise

    def read(self) -> None:
        """Read the packets the event pipe has; ExecutorDied when it is closed."""
        if not self.channel.read():
            self.dead = True
            raise ExecutorDied("the executor died")

    def _handle(self, event: tuple[str, list[str], bytes]) -> str:
        """Book-keeping common to every wait; returns the event kind."""
        kind, args, _ = event
        if kind == "died" and args and int(args[0]) == self.tree.live_pid:
            self.channel.parts = []  # of an event it did not finish
        self.tree.note(kind, args)
        return kind

    def wait(
        self,
        until: Callable[[str, list[str], bytes], bool],
        handlers: Handlers | None = None,
        evidence: _Evidence | None = None,
        interruptible: bool = False,
        waiting_on: int | None = None,
    ) -> tuple[str, list[str], bytes]:
        """Pump events and output until `until(event)` is true; `evidence`: what
        they say of how the running command ends; `waiting_on`: the process
        that must send it (ExecutorDied once it is gone)."""
        handlers = handlers or Handlers()
        evidence = evidence or _Evidence()
        budget = [self.output.limit, 0]
        sel = selectors.PollSelector()  # three pipes: poll(2) needs no descriptor of its own, as epoll's
        sel.register(self.channel.event_fd, selectors.EVENT_READ, None)
        for stream in self.output.streams:
            sel.register(stream.fd, selectors.EVENT_READ, stream)
        kill_at: float | None = None
        previous = signal.getsignal(signal.SIGINT)
        self._interrupts = 0
        self._deadline = time.monotonic() + self.timeout if interruptible and self.timeout else None
        if interruptible:
            self._catch_interrupts()
        try:
            while True:
                if kill_at is None and self._past_deadline():
                    evidence.timed_out = True
                    self.interrupt()
                    self._interrupts += 1
                if interruptible and self._interrupts and kill_at is None:
                    # SIGINT reached the kernel: the live process got it too;
                    # if it ignores it, SIGKILL follows a second later.
                    evidence.interrupted = True
                    kill_at = time.monotonic() + 1.0
                if kill_at is not None and time.monotonic() >= kill_at:
                    self.kill_live()
                    kill_at = float("inf")
                event = self.channel.next_event()
                if event is not None and event[0] == "garbage":
                    evidence.garbage = True  # the caller undoes the cell if it returns
                    continue
                if event is not None:
                    live = self.tree.live_pid
                    kind = self._handle(event)
                    evidence.note(event, live)
                    if kind in ("input", "display", "fault", "done", "error", "died", "interrupted", "undefined"):
                        self.output.drain(handlers, budget)
                    if kind == "input":
                        self._answer_input(handlers)
                        continue
                    if kind == "display":
                        try:
                            handlers.display(event[1][0], event[2])
                        finally:
                            if "wait" in event[1]:
                                self.send("shown")
                        continue
                    if until(*event):
                        self.output.end(handlers)
                        return event
                    continue
                ready = sel.select(0.1 if interruptible else 0.5)
                if not ready:
                    self.tree.continue_stopped()
                if not ready and waiting_on and not alive(waiting_on) and not self.channel.packets:
                    self.dead = True
                    raise ExecutorDied("the process that kept the program's state before this cell is gone")
                for key, _ in ready:
                    if key.data is None:
                        self.read()
                    else:
                        self.output.read(key.data, handlers, budget)
        finally:
            sel.close()
            if interruptible:
                signal.signal(signal.SIGINT, previous)

    def _catch_interrupts(self) -> None:
        """While user code runs, SIGINT is forwarded to it instead of raising
        KeyboardInterrupt at some random point of the protocol."""
        self._in_input = False

        def on_sigint(signum, frame):
            self._interrupts += 1
            if self._in_input:
                raise KeyboardInterrupt
            self.interrupt()

        signal.signal(signal.SIGINT, on_sigint)

    def _answer_input(self, handlers: Handlers) -> None:
        self._in_input = True
        asked = time.monotonic()
        try:
            line = handlers.input()
        except KeyboardInterrupt:
            line = None
            self.interrupt()
        finally:
            self._in_input = False
            if self._deadline is not None:  # waiting for the user is not the cell's time
                self._deadline += time.monotonic() - asked
        if line is None:
            self.send("eof")
        else:
            data = line.encode("utf-8", "surrogateescape")
            self.send(f"line {len(data)}", data)

    def _signal_live(self, signum: int) -> None:
        if self.tree.live_pid:
            try:
                os.kill(self.tree.live_pid, signum)
            except ProcessLookupError:
                pass

    def interrupt(self) -> None:
        self._signal_live(signal.SIGINT)
        self.on_interrupt()

    def hold(self, held: bool) -> None:
        """A debugger stopped the program (True) or let it go: the cell's timeout does not count that time."""
        now = time.monotonic()
        if held and self._held_since is None:
            self._held_since = now
        elif not held and self._held_since is not None:
            if self._deadline is not None:
                self._deadline += now - self._held_since
            self._held_since = None

    def _past_deadline(self) -> bool:
        """The cell ran out of time (not counting time a debugger held it)."""
        return self._deadline is not None and self._held_since is None and time.monotonic() >= self._deadline

    def kill_live(self) -> None:
        self._signal_live(signal.SIGKILL)


class Executor:
    """The executor process tree seen from the kernel."""

    def __init__(
        self,
        binary: Path,
        cwd: str | None = None,
        output_limit: int = OUTPUT_LIMIT,
        workdir: Path | None = None,
        env: dict[str, str] | None = None,
        limits: Limits | None = None,
        on_interrupt: Callable[[], None] = lambda: None,
    ):
        """`env` is added to the kernel's environment for the program (e.g. LD_PRELOAD);
        `on_interrupt` runs after the live process was sent SIGINT (the debugger lets it go)."""
        self.limits = limits or Limits()
        self.binary = binary
        self.output_limit = output_limit
        self._heap_table: HeapTable | None = None
        cmd_r, cmd_w = os.pipe()
        evt_r, evt_w = os.pipe2(os.O_DIRECT)  # packet mode: one event per read
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        devnull = os.open(os.devnull, os.O_RDONLY)
        self.proc = toolchain.start_program(
            [str(binary), str(cmd_r), str(evt_w), *([str(workdir)] if workdir else [])],
            stdin=devnull,
            stdout=out_w,
            stderr=err_w,
            pass_fds=(cmd_r, evt_w),
            cwd=cwd,
            env=env,
        )
        for fd in (cmd_r, evt_w, out_w, err_w, devnull):
            os.close(fd)
        self.pgid = self.proc.pid
        self.root = self.proc.pid
        os.set_blocking(evt_r, False)
        self.channel = _Channel(cmd_w, evt_r, secrets.token_hex(8).encode())
        self.output = _Output(out_r, err_r, output_limit)
        self.tree = _Tree(self.root)
        self.pump = _Pump(self.channel, self.output, self.tree, self.limits.timeout, on_interrupt)
        try:
            self.pump.send(f"start {self.channel.key.decode()} {self.limits.memory or 0} {self.limits.processes}")
            self._wait_ready()
        except BaseException:
            self.close()
            raise

    # the tree's state, as the rest of the kernel reads it
    @property
    def live_pid(self) -> int | None:
        return self.tree.live_pid

    @property
    def live_parent(self) -> int | None:
        return self.tree.live_parent

    @property
    def snapshots(self) -> list[int]:
        return self.tree.snapshots

    @property
    def max_snapshots(self) -> int:
        return self.tree.max_snapshots

    @property
    def dropped(self) -> dict[int, str]:
        return self.tree.dropped

    @property
    def _cmd_w(self) -> int:
        return self.channel.command_fd

    def _wait_ready(self) -> None:
        """Until the live process reads commands: once it started, and once it
        forked the snapshot of the last cell (`snapshot PID`)."""
        if self.live_pid is None or self.tree.forking:
            self.pump.wait(lambda kind, args, payload: self.live_pid is not None and not self.tree.forking)

    def _check_went_back(self) -> None:
        """ExecutorDied (the state is lost) if the state resumed is older than the last cell's."""
        if self.tree.went_back:
            self.tree.went_back = False
            raise ExecutorDied("the program was killed while it kept its state after the last cell")

    def _wait_resumed(self, before: int | None, handlers: Handlers | None = None) -> None:
        """The live process that snapshot `before` starts once the live one ended."""
        self.pump.wait(lambda kind, a, p: kind == "ready", handlers, waiting_on=before)
        if before is not None and self.tree.live_parent != before:  # it was killed: the root resumed
            raise ExecutorDied("the process that kept the program's state before this cell is gone")

    def idle_death(self, handlers: Handlers) -> Outcome | None:
        """How the live process ended while no command ran (a thread's `exit`,
        a timer, a SIGKILL from outside), once the new live process that its
        snapshot forks is ready; None when it lives.  Each death is told once:
        its events are consumed here, before the next command is sent.  While
        the live process forks the last cell's snapshot it lives; an end after
        that is the next command's to tell (`stale`: that cell did not run), so
        the next cell compiles while the fork goes on."""
        if self.pump.dead or self.tree.forking:
            return None
        self._wait_ready()  # after a resume, the new live process says `ready` (it may have ended since)
        self._check_went_back()
        live = self.live_pid
        self.pump.read()
        if live is not None and alive(live) and not self.channel.holds_death_of(live):
            return None
        before = self.live_parent
        evidence = _Evidence()
        died = lambda kind, args, p: kind == "died" and int(args[0]) == live  # noqa: E731
        last = self.pump.wait(died, handlers, evidence, waiting_on=before)
        self._wait_resumed(before, handlers)
        return evidence.outcome(last, before)

    # -- commands ---------------------------------------------------------------
    def run(self, so: Path, entry: str, handlers: Handlers, command: str = "run") -> Outcome:
        """Run a cell (`run`; `define`: its slots stored, its statements not run)
        or load a library; returns how it ended."""
        self._wait_ready()
        self._check_went_back()
        before, live = self.live_parent, self.live_pid
        evidence = _Evidence()
        self.pump.send(f"{command} {live} {so} {entry}".rstrip())

        def finished(kind: str, args: list[str], payload: bytes) -> bool:
            return kind in ("done", "error", "rolledback") or (kind == "died" and int(args[0]) == live)

        self.output.last_stderr = b""
        last = self.pump.wait(finished, handlers, evidence, interruptible=True)
        last_stderr = self.output.last_stderr.decode("utf-8", "replace")
        unread = False
        if last[0] == "died" and before:
            # the snapshot before the cell resumes; a cell may have killed it
            self._wait_resumed(before)
            unread = not self._read_before_death()
            if evidence.limit:
                self._kill_leftovers()
        outcome = evidence.outcome(last, before)
        outcome.unread = unread
        outcome.last_stderr = last_stderr
        return outcome

    def _read_before_death(self) -> bool:
        """After the live process ended during a command: whether it had read
        it.  It may have ended before (a timer's signal while the cell
        compiled): the command then waited in the pipe, and the process resumed
        after it answers `stale` to it before it answers `sync`."""
        self.pump.send("sync")
        kind, _, _ = self.pump.wait(lambda kind, args, payload: kind in ("sync", "stale"))
        if kind == "sync":
            return True
        self.pump.wait(lambda kind, args, payload: kind == "sync")
        return False

    def _kill_leftovers(self) -> None:
        """After a fork bomb: every process of the tree but the snapshots and the live one."""
        for pid in stop_tree(self.root, keep={*self.snapshots, self.live_pid or 0}):
            send_signal(pid, signal.SIGKILL)

    def query(self, line: str, reply: str) -> tuple[list[str], bytes]:
        """Send a command that answers with one event of kind `reply`."""
        self._wait_ready()
        self.pump.send(line)
        kind, args, payload = self.pump.wait(lambda kind, a, p: kind in (reply, "error"))
        if kind == "error":
            if args == ["out", "of", "memory"]:
                raise OutOfMemory(f"the executor had no memory left for `{line.split(' ')[0]}`")
            raise ProtocolError(f"the executor answered `{line.split(' ')[0]}` with: {' '.join(args)}")
        return args, payload

    def kinds(self, names: list[str]) -> dict[str, str]:
        """What each global name is in the program: F function, D data, ? absent."""
        out: dict[str, str] = {}
        for chunk in _lines_of(names, COMMAND_LINE - len("kinds \n")):
            _, answer = self.query("kinds " + " ".join(chunk), "kinds")
            found = answer.decode("ascii", "replace")
            if len(found) != len(chunk) or set(found) - set("FD?"):
                raise ProtocolError(f"`kinds` of {len(chunk)} names answered {found[:40]!r}")
            out.update(zip(chunk, found, strict=True))
        return out

    def defines(self, name: str) -> bool:
        """Whether the program's global scope has `name` (e.g. a sanitizer runtime)."""
        return self.kinds([name]).get(name, "?") != "?"

    def address(self, name: str) -> int:
        args, _ = self.query(f"addr {name}", "addr")
        return int(args[0], 16) if args else 0

    def peek(self, address: int, size: int) -> bytes | None:
        args, payload = self.query(f"peek {address:#x} {size}", "mem")
        if args == ["-1"]:
            return None
        if len(payload) != size:
            raise ProtocolError(f"`peek` of {size} bytes answered {len(payload)}")
        return payload

    def references(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Where the program's writable memory holds a pointer into [start, end):
        (location, offset in its loaded object, object path or "-")."""
        args, payload = self.query(f"refs {start:#x} {end:#x}", "refs")
        out = []
        for line in payload.decode("utf-8", "replace").splitlines():
            loc, off, path = line.split(" ", 2)
            out.append((int(loc, 16), int(off, 16), path))
        return out

    def heap(self) -> list[tuple[int, int, bool]]:
        """Every heap block the program allocated: (address, size, freed), live
        ones and the most recent freed ones (docs/protocol.md, `heap`)."""
        _, payload = self.query("heap", "heap")
        if len(payload) % HEAP_RECORD.size:
            raise ProtocolError(f"`heap` answered {len(payload)} bytes, not whole records")
        return [(address, size, bool(flags & 1)) for address, size, flags in HEAP_RECORD.iter_unpack(payload)]

    def heap_table(self) -> HeapTable:
        """Where the heap table lies in the program's memory, to read it while
        the program is stopped and cannot answer `heap` (a breakpoint)."""
        if self._heap_table is None:
            args, _ = self.query("heaptable", "heaptable")
            address, slots, cap, freed_bit, stamp = (int(a, 0) for a in args)
            self._heap_table = HeapTable(address + slots, address + cap, freed_bit, stamp)
        return self._heap_table

    def heap_table_known(self) -> HeapTable | None:
        """The heap table's place if asked before (`heap_table`), without asking."""
        return self._heap_table

    def leaks(self) -> tuple[int, int]:
        """The live heap blocks nothing in the program reaches: (count, bytes)."""
        args, _ = self.query("leaks", "leaks")
        return int(args[0]), int(args[1])

    def symbol(self, address: int) -> str | None:
        args, _ = self.query(f"symbol {address:#x}", "symbol")
        return args[0] if args and args[0] != "?" else None

    def release(self, pid: int) -> None:
        """Kill a frozen copy of a crashed process, if it is still one of ours and stopped."""
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        stopped = "\nState:\tT" in status or "\nState:\tt" in status
        if stopped and is_under(pid, self.root):
            os.kill(pid, signal.SIGKILL)

    def forget_snapshots(self) -> None:
        """Undo cannot go back past a cell that ran in place."""
        self.tree.forget()

    def undo(self, before: int) -> str:
        """Go back to snapshot `before`, the one before the newest; '' or an error."""
        self._wait_ready()
        if len(self.snapshots) < 2:
            return "nothing to undo"
        target = self.snapshots[-1]
        if self.snapshots[-2] != before or not alive(before) or not alive(target):
            return "lost"
        self.pump.send(f"undo {self.live_pid}")
        seen: set[str] = set()

        def undone(kind: str, args: list[str], payload: bytes) -> bool:
            """The newest snapshot ended, and the live process `before` starts said `ready`."""
            if kind == "ready" or (kind == "died" and int(args[0]) == target):
                seen.add(kind)
            return kind in ("error", "stale") or seen == {"ready", "died"}

        kind, args, _ = self.pump.wait(undone)
        if kind == "stale":  # the live process ended before it read `undo`: the newest snapshot resumed
            return "lost"
        return " ".join(args) if kind == "error" else ""

    # -- signals and shutdown -----------------------------------------------------
    def interrupt(self) -> None:
        self.pump.interrupt()

    def hold(self, held: bool) -> None:
        self.pump.hold(held)

    def live(self) -> int | None:
        """The live process, once it is ready (after a cell it is forked anew)."""
        self._wait_ready()
        return self.live_pid

    def close(self) -> None:
        """Kill the whole process tree and close the pipes.

        The live process is a process group of its own and the program may
        start more: stop every process under the root until none appears
        (a stopped process cannot fork), then kill them all."""
        for pid in (*stop_tree(self.root), self.root, *self.snapshots):
            send_signal(pid, signal.SIGKILL)
        # if a cell killed the root, its orphans are no longer under it: their groups remain
        for group in {self.pgid, self.live_pid or self.pgid, self.live_parent or self.pgid}:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc.ended(5)
        for fd in (self.channel.command_fd, self.channel.event_fd, *(s.fd for s in self.output.streams)):
            try:
                os.close(fd)
            except OSError:
                pass
        self.pump.dead = True
