"""Every run of an external tool: gcc, ld, nm, objdump, gdb, and the start of the executor.

One place, so every tool gets the same environment and none can hang the
kernel: gcc's messages are read in English with plain quotes (LC_ALL=C;
diagnostics.py and retry.py match them), every call has a timeout (an
`#include` of a FIFO, a gdb that never answers), and the user's words are
argv items, never a shell's input.
"""

from __future__ import annotations

import array
import fcntl
import functools
import os
import resource
import select
import selectors
import shlex
import signal
import subprocess
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

TIMEOUT = 60.0  # seconds: a tool run of our own (nm, objdump, the executor's build) takes far less
RAM_DIRECTORY = "/dev/shm"
RAM_FREE = 1 << 30  # bytes it must have free to hold a notebook's files
SYSTEM_UID_MAX = 999  # systemd's: the users RemoveIPC spares are root and those up to it
# The file name gcc's driver is asked to plan a compile for (`compile_plan`), replaced by each
# unit's: upper case, so no directory tempfile makes can hold it.
PLAN_STEM = "CELLC_PLAN"
CompilePlan = tuple[tuple[str, ...], tuple[str, ...]]  # cc1's argv, as's argv (compile_plan)


class ToolTimeout(TimeoutError):
    """A tool ran past its timeout and was killed.  A TimeoutError, hence an
    OSError: where a missing tool is handled, a hung one is too."""

    def __init__(self, tool: str, timeout: float):
        super().__init__(f"{tool} did not finish within {timeout:g} s")
        self.tool, self.timeout = tool, timeout


@dataclass(frozen=True)
class Result:
    """How a tool ended: its status and output (str, or bytes when run with `text=False`)."""

    returncode: int
    stdout: Any
    stderr: Any


def environment(user_locale: bool = False) -> dict[str, str]:
    """The kernel's environment for a tool.  LC_ALL=C: gcc's messages are
    matched in English, with plain quotes.  `user_locale` (gdb): the tool shows
    the program's strings, which LC_ALL=C would print as octal escapes."""
    return dict(os.environ) if user_locale else {**os.environ, "LC_ALL": "C"}


def work_directory() -> Path:
    """A new private (0700) directory for a notebook's files: its cells' text,
    units, objects and shared objects, written by us, gcc and ld for every cell.

    In /dev/shm when it is safe and usable (`_ram_directory`): creating a file
    there is a few microseconds, where a disk file system may take a
    millisecond of CPU, a few times per cell.  A TMPDIR the user set is used as
    it is (tempfile's choice)."""
    return Path(tempfile.mkdtemp(prefix="cellc-", dir=None if "TMPDIR" in os.environ else _ram_directory()))


def _ram_directory() -> str | None:
    """/dev/shm for the root user and system users only: systemd-logind's
    RemoveIPC (on by default) empties /dev/shm of a regular user's files when
    their last session ends, the kernel's work directory with them, even for
    a kernel a service started (logind.conf(5)).  It must not be mounted
    noexec (the executor maps the shared objects it holds) and must have room."""
    if os.getuid() > SYSTEM_UID_MAX:
        return None
    try:
        fs = os.statvfs(RAM_DIRECTORY)
    except OSError:
        return None
    usable = not fs.f_flag & (os.ST_NOEXEC | os.ST_RDONLY) and os.access(RAM_DIRECTORY, os.W_OK | os.X_OK)
    return RAM_DIRECTORY if usable and fs.f_bavail * fs.f_frsize >= RAM_FREE else None


def _name(argv: list[str]) -> str:
    return Path(argv[0]).name


def run(
    argv: list[str],
    *,
    input: str | bytes | None = None,
    cwd: str | os.PathLike | None = None,
    timeout: float = TIMEOUT,
    memory: int | None = None,
    text: bool = True,
    user_locale: bool = False,
) -> Result:
    """Run a tool to its end, or kill it at `timeout` (`ToolTimeout`).
    `memory`: its address space limit (the operator's, for gcc on the user's text)."""
    try:
        proc = subprocess.run(
            argv,
            input=input,
            capture_output=True,
            text=text,
            errors="replace" if text else None,
            env=environment(user_locale),
            cwd=cwd,
            timeout=timeout,
            preexec_fn=_address_limit(memory),
        )
    except subprocess.TimeoutExpired:
        raise ToolTimeout(_name(argv), timeout) from None
    return Result(proc.returncode, proc.stdout, proc.stderr)


def _address_limit(memory: int | None):
    # setrlimit only, between fork and exec: nothing that takes a lock
    return (lambda: resource.setrlimit(resource.RLIMIT_AS, (memory, memory))) if memory else None


@functools.lru_cache(maxsize=16)
def compile_plan(gcc: str, flags: tuple[str, ...], directory: str) -> CompilePlan | None:
    """The two programs gcc's driver runs for `gcc FLAGS -c -o DIR/X.o DIR/X.c`
    with `-pipe` (cc1's argv, as's argv; X is PLAN_STEM), as `gcc -###` says;
    None when it is not exactly `cc1 ... -o - | as ... -o DIR/X.o` (-save-temps,
    another language, a driver that will not say).  Running them directly
    (`run_plan`) saves the driver's own start: ~2 ms alone, ~0.7 ms of a
    cell's compile in the kernel."""
    source, obj = (os.path.join(directory, PLAN_STEM + ext) for ext in (".c", ".o"))
    try:
        proc = run([gcc, *flags, "-###", "-c", "-o", obj, source], cwd=directory)
        commands = [shlex.split(line) for line in proc.stderr.splitlines() if line.startswith(" ")]
    except (OSError, ValueError):
        return None
    if proc.returncode != 0 or len(commands) != 2:
        return None
    cc1, assembler = commands
    piped = cc1[-3:] == ["-o", "-", "|"] and cc1.count(source) == 1 and assembler[-2:] == ["-o", obj]
    if not piped or os.path.basename(cc1[0]) != "cc1" or os.path.basename(assembler[0]) != "as":
        return None
    return tuple(cc1[:-1]), tuple(assembler)


def run_plan(
    plan: CompilePlan,
    stem: str,
    *,
    cwd: str | os.PathLike,
    timeout: float,
    memory: int | None = None,
) -> Result:
    """`compile_plan`'s cc1 piped into as, for the unit `stem` (DIR/stem.c to
    DIR/stem.o), as the driver runs them: both write to one stderr; the status
    is the first failure's, a program a signal ended is reported in the
    driver's words, and the object of a failed compile is removed.  Past
    `timeout` both are killed (ToolTimeout, named for gcc)."""
    return _PlanRun(plan, stem, cwd, memory).finish(timeout)


class _PlanRun:
    """`compile_plan`'s cc1 | as for one unit, started."""

    def __init__(self, plan: CompilePlan, stem: str, cwd: str | os.PathLike, memory: int | None):
        self.cc1, self.assembler = ([arg.replace(PLAN_STEM, stem) for arg in argv] for argv in plan)
        err_read, err_write = os.pipe()
        common: dict[str, Any] = {"stderr": err_write, "cwd": cwd, "env": environment()}
        common["preexec_fn"] = _address_limit(memory)
        try:
            assembling = subprocess.Popen(self.assembler, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, **common)
            assert assembling.stdin is not None
            try:
                compiling = subprocess.Popen(self.cc1, stdin=subprocess.DEVNULL, stdout=assembling.stdin, **common)
            except BaseException:
                _end([assembling])
                raise
            finally:
                assembling.stdin.close()
        except BaseException:
            os.close(err_read)
            raise
        finally:
            os.close(err_write)
        self.compiling = compiling
        self.processes = [compiling, assembling]
        self._err = err_read

    def finish(self, timeout: float, deadline: float | None = None) -> Result:
        """How they ended, within `timeout` seconds from now or by `deadline` (run_plan)."""
        deadline = deadline or time.monotonic() + timeout
        err_fd, self._err = self._err, -1
        with os.fdopen(err_fd, "rb") as err, selectors.DefaultSelector() as selector:
            selector.register(err, selectors.EVENT_READ)
            chunks = []
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    self.kill()
                    raise ToolTimeout("gcc", timeout)
                chunk = os.read(err.fileno(), 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        try:
            statuses = [p.wait(max(0.0, deadline - time.monotonic())) for p in self.processes]
        except subprocess.TimeoutExpired:
            self.kill()
            raise ToolTimeout("gcc", timeout) from None
        stderr = b"".join(chunks).decode("utf-8", "replace")
        status = next((s for s in statuses if s != 0), 0)
        for argv, s in zip((self.cc1, self.assembler), statuses, strict=True):
            if s < 0:
                what = signal.strsignal(-s) or f"signal {-s}"
                stderr += f"gcc: fatal error: {what} signal terminated program {_name(argv)}\ncompilation terminated.\n"
        if status != 0:
            Path(self.assembler[-1]).unlink(missing_ok=True)
        return Result(1 if status < 0 else status, "", stderr)

    def kill(self) -> None:
        """End both unfinished; their object goes (as creates it as it starts)."""
        _end(self.processes)
        Path(self.assembler[-1]).unlink(missing_ok=True)
        if self._err >= 0:  # not read by `finish`
            os.close(self._err)
            self._err = -1


class CompileAhead:
    """cc1 | as started for a unit whose text is not written yet: the unit's
    path is a FIFO they wait on.  The next cell's compile then skips their
    start (exec, dynamic linking, option processing: ~2.4 ms of a small
    cell's ~10 ms cc1).  The kernel holds the FIFO's write end from the
    start, so cc1 never waits in open() and, if the kernel dies, reads an
    empty unit and ends (if it had not opened the FIFO yet, the executor's
    clean-up of the work directory opens and closes it for writing: the same end)."""

    def __init__(self, plan: CompilePlan, stem: str, *, cwd: str | os.PathLike, memory: int | None = None):
        self.plan, self.stem, self.memory = plan, stem, memory
        self.source = Path(cwd) / f"{stem}.c"
        self.source.unlink(missing_ok=True)
        os.mkfifo(self.source, 0o600)
        self._fd = os.open(self.source, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            self._run = _PlanRun(plan, stem, cwd, memory)
        except BaseException:
            self._close()
            raise

    def compiles(self, stem: str, plan: CompilePlan | None, memory: int | None) -> bool:
        """Whether they compile unit `stem` as `plan` says, within `memory`."""
        return (self.stem, self.plan, self.memory) == (stem, plan, memory)

    def finish(self, text: str, timeout: float) -> Result | None:
        """Compile `text` (as run_plan would); None if cc1 ended before it
        came (the caller compiles it as usual).  The unit's path then holds
        `text`, a regular file, as after any compile."""
        deadline = time.monotonic() + timeout
        if self._run.compiling.poll() is not None:
            self.cancel()
            return None
        data = memoryview(text.encode("utf-8", "surrogateescape"))
        try:
            while data and self._waiting(deadline, timeout):
                try:
                    data = data[os.write(self._fd, data) :]
                except BlockingIOError:  # cc1 reads the whole unit before it compiles
                    select.select([], [self._fd], [], 0.05)
            # Its end of file once cc1 has read it all (a FIFO no one has open drops what it holds,
            # and cc1 may not have opened it yet), and the text a regular file at the unit's path
            # before: cc1 opens it again to quote a line in a message.
            while self._unread() and self._waiting(deadline, timeout):
                time.sleep(0.0001)
            self._close(text)
            return self._run.finish(timeout, deadline)
        finally:
            self._close(text)

    def _waiting(self, deadline: float, timeout: float) -> bool:
        """Whether cc1 still runs; ToolTimeout past the deadline."""
        if time.monotonic() >= deadline:
            self._run.kill()
            raise ToolTimeout("gcc", timeout)
        return self._run.compiling.poll() is None

    def _unread(self) -> int:
        """Bytes written to the FIFO that cc1 has not read."""
        count = array.array("i", [0])
        fcntl.ioctl(self._fd, termios.FIONREAD, count)
        return count[0]

    def cancel(self) -> None:
        """End them unused."""
        self._run.kill()
        self._close()

    def _close(self, text: str | None = None) -> None:
        """The FIFO's end (cc1's end of file), and in its place `text`, or nothing:
        never a FIFO left where a reader (cc1 again, gdb, a user) would wait."""
        if self._fd < 0:
            return
        if text is None:
            self.source.unlink(missing_ok=True)
        else:
            partial = self.source.with_name(self.source.name + ".tmp")
            partial.write_text(text, errors="surrogateescape")
            os.replace(partial, self.source)
        os.close(self._fd)
        self._fd = -1


def _end(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        p.kill()
        p.wait()


class Started:
    """A process started in the background: a tool begun early (the cell's `ld`,
    while pyelftools reads the object), or the executor."""

    def __init__(self, process: subprocess.Popen, argv: list[str], timeout: float | None):
        """`timeout`: how long `finish` waits (None for the executor, which runs as long as the notebook)."""
        self._process = process
        self._tool = _name(argv)
        self.timeout = timeout

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def stdin(self) -> IO[bytes] | None:
        return self._process.stdin

    @property
    def stdout(self) -> IO[bytes] | None:
        return self._process.stdout

    def finish(self) -> Result:
        """Its status and output once it ends; past its timeout it is killed (`ToolTimeout`)."""
        try:
            out, err = self._process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            assert self.timeout is not None  # only a wait with a timeout expires
            raise ToolTimeout(self._tool, self.timeout) from None
        return Result(self._process.returncode, out, err)

    def kill(self) -> None:
        """Stop it unfinished (its result is not wanted) and reap it."""
        self._process.kill()
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout, self._process.stderr):
            if pipe is not None:
                pipe.close()

    def ended(self, timeout: float) -> bool:
        """Whether it ended (and was reaped) within `timeout` seconds."""
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True


def start(argv: list[str], timeout: float = TIMEOUT) -> Started:
    """A tool started in the background, its output captured; `Started.finish` waits at most `timeout`."""
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", env=environment()
    )
    return Started(process, argv, timeout)


def start_server(argv: list[str], cwd: str | None = None) -> Started:
    """A tool that answers on its stdin/stdout (binary pipes) for as long as it is
    needed (gdb as a debug adapter); its stderr is dropped, and `kill` ends it."""
    process = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environment(user_locale=True),
        cwd=cwd,
        start_new_session=True,  # the kernel's interrupt (SIGINT to its group) is not gdb's
    )
    return Started(process, argv, None)


def start_program(
    argv: list[str],
    *,
    stdin: int,
    stdout: int,
    stderr: int,
    pass_fds: tuple[int, ...],
    cwd: str | None,
    env: dict[str, str] | None,
) -> Started:
    """The executor: the user's program, not a tool.  It gets the kernel's
    environment (the user's locale) plus `env`, runs in a session of its own
    (the kernel signals its process group), and as long as the notebook does."""
    process = subprocess.Popen(
        argv,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        pass_fds=pass_fds,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        start_new_session=True,
    )
    return Started(process, argv, None)


def gcc_version(gcc: str = "gcc") -> str:
    """`12.2.0`: what the kernel reports and the executor's build is keyed by."""
    return run([gcc, "-dumpfullversion"]).stdout.strip()


def gcc_file(gcc: str, query: str) -> str | None:
    """The file gcc's driver names for `query` (`-print-file-name=libasan.so`,
    `-print-libgcc-file-name`), resolved; None if it names no file."""
    try:
        proc = run([gcc, query])
    except OSError:
        return None
    path = proc.stdout.strip()
    if proc.returncode != 0 or not path or not os.path.isabs(path) or not os.path.exists(path):
        return None
    return os.path.realpath(path)
