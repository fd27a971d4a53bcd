"""Kernel restart, shutdown and kill -9 leave nothing behind.

Each test starts a kernel with its own TMPDIR, so the temp directories it creates (``cellc-*``) are
told apart from those of kernels that other tests run at the same time; its executor processes are
told apart by their session: the executor root is started in a new session, and every process of the
tree (snapshots, the live process, children that cell code forks) stays in it.

Not covered: a cell that forks a child which calls ``setsid()`` (or double-forks into a new session)
leaves the executor's session on purpose; like any daemon, it outlives the kernel.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from conftest import TIMEOUT, Kernel
from jupyter_client.manager import KernelManager

from cellc_kernel import toolchain

EXECUTOR_MARK = "/cellc/executor-"
GONE_WITHIN = 15  # seconds for processes to disappear after a shutdown/restart returned


class IsolatedKernel(Kernel):
    """A cellc kernel whose temp files go to a directory of its own."""

    def __init__(self, tmpdir: Path, ready_timeout: float = TIMEOUT):  # noqa: D107 - Kernel with its own TMPDIR
        self.km = KernelManager(kernel_name="cellc")
        self.km.start_kernel(env={**os.environ, "TMPDIR": str(tmpdir)})
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=ready_timeout)

    @property
    def pid(self) -> int:
        return self.km.provisioner.process.pid


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, session id) of a process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[3])


def _is_executor(pid: int) -> bool:
    try:
        if EXECUTOR_MARK in os.readlink(f"/proc/{pid}/exe"):
            return True
    except OSError:
        pass
    try:
        return EXECUTOR_MARK.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def executor_processes() -> dict[int, int]:
    """Every executor process on the machine: pid -> session id."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and _is_executor(int(name)):
            st = _stat(int(name))
            if st is not None:
                found[int(name)] = st[1]
    return found


def sessions_of(k: IsolatedKernel) -> set[int]:
    """The sessions of the executor trees this kernel started (the root is a child of the kernel)."""
    out = set()
    for pid, sid in executor_processes().items():
        st = _stat(pid)
        if st is not None and st[0] == k.pid:
            out.add(sid)
    return out


def processes_in(sessions: set[int]) -> set[int]:
    """Every live process (executor or not) in these sessions."""
    found = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st is not None and st[1] in sessions:
                found.add(int(name))
    return found


def wait_gone(sessions: set[int]) -> set[int]:
    """The processes of these sessions still alive after a grace period (zombies count as gone)."""
    deadline = time.monotonic() + GONE_WITHIN
    while True:
        left = {p for p in processes_in(sessions) if not _zombie(p)}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def _zombie(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return text[text.rindex(")") + 2] in "ZX"


def waiting_compilers(kernel: int) -> set[int]:
    """The kernel's cc1 and as started ahead, waiting for the next cell's unit."""
    tasks = Path(f"/proc/{kernel}/task").iterdir()  # a thread's children are its own: every thread's
    children = [pid for task in tasks for pid in (task / "children").read_text().split()]
    return {int(pid) for pid in children if Path(f"/proc/{pid}/comm").read_text().strip() in ("cc1", "as")}


def cellc_dirs(tmpdir: Path) -> set[Path]:
    return set(tmpdir.glob("cellc-*"))


def leftovers(tmpdir: Path) -> list[str]:
    """Anything at all left in the kernel's private TMPDIR."""
    return sorted(p.name for p in tmpdir.iterdir())


def kill_leftovers(pids: set[int]) -> None:
    """Clean up what a failing test found (processes this test's kernel started), by pid."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def busy_program(k: Kernel) -> None:
    """Snapshots, a crash and an interrupt: a tree of several executor processes."""
    k.ok("#include <stdio.h>\n#include <unistd.h>\nint g = 1;")
    for i in range(3):
        k.ok(f"g = {i};")
    k.fails("*(volatile int *)0 = 1;")
    r = k.execute("for (;;) {}", interrupt_after=1.0, timeout=30)
    assert r.status == "error"


@pytest.fixture()
def tmpdir_(tmp_path: Path) -> Path:
    d = tmp_path / "tmp"
    d.mkdir()
    return d


def test_shutdown_leaves_no_processes_and_no_temp_dirs(tmpdir_):
    k = IsolatedKernel(tmpdir_)
    try:
        busy_program(k)
        sessions = sessions_of(k)
        assert sessions, "no executor process found for this kernel"
        assert len(processes_in(sessions)) >= 2  # snapshots and the live process
        assert cellc_dirs(tmpdir_), "the kernel made no cellc-* temp dir (was TMPDIR ignored?)"
    finally:
        k.shutdown()
    left = wait_gone(sessions)
    kill_leftovers(left)
    assert not left, f"processes left after shutdown: {left}"
    assert not leftovers(tmpdir_), f"temp files left: {leftovers(tmpdir_)}"


def test_restart_leaves_no_processes_and_no_temp_dirs(tmpdir_):
    k = IsolatedKernel(tmpdir_)
    try:
        busy_program(k)
        old_sessions = sessions_of(k)
        old_dirs = cellc_dirs(tmpdir_)
        assert old_sessions and old_dirs
        k.km.restart_kernel()
        k.kc.wait_for_ready(timeout=TIMEOUT)
        left = wait_gone(old_sessions)
        kill_leftovers(left)
        assert not left, f"processes of the old kernel left after restart: {left}"
        assert not (old_dirs & cellc_dirs(tmpdir_)), "the old kernel's temp dir is still there"
        # The new kernel works, with a fresh program, and has its own executor.
        assert k.ok("6 * 7").value == "42"
        assert k.execute("g").status == "error"
        new_sessions = sessions_of(k)
        assert new_sessions and not (new_sessions & old_sessions)
    finally:
        k.shutdown()
    left = wait_gone(new_sessions)
    kill_leftovers(left)
    assert not left
    assert not leftovers(tmpdir_)


def test_restart_while_a_cell_runs(tmpdir_):
    k = IsolatedKernel(tmpdir_)
    try:
        k.ok("int g = 1;")
        k.ok("g = 2;")
        sessions = sessions_of(k)
        k.kc.execute("for (;;) {}")
        time.sleep(1.0)
        k.km.restart_kernel()
        k.kc.wait_for_ready(timeout=TIMEOUT)
        left = wait_gone(sessions)
        kill_leftovers(left)
        assert not left, f"processes left after a restart during a busy cell: {left}"
        assert k.ok("1 + 1").value == "2"
    finally:
        k.shutdown()
    assert not leftovers(tmpdir_)


def test_shutdown_kills_children_that_cells_forked(tmpdir_):
    """A child a cell forked (still sleeping in the cell's code) belongs to the program: it goes too."""
    k = IsolatedKernel(tmpdir_)
    try:
        k.ok("#include <unistd.h>\n#include <stdio.h>\nint child = 0;")
        r = k.ok('child = fork();\nif (child == 0) { sleep(1000); _exit(0); }\nprintf("%d\\n", child > 0);')
        assert r.stdout == "1\n"
        sessions = sessions_of(k)
        pid = int(k.ok("child").value)
        assert _stat(pid) is not None and _stat(pid)[1] in sessions
    finally:
        k.shutdown()
    left = wait_gone(sessions)
    kill_leftovers(left)
    assert not left, f"processes left after shutdown: {left}"
    assert not leftovers(tmpdir_)


@pytest.mark.parametrize("busy", ["idle", "running", "compiling"])
def test_killed_kernel_takes_its_executor_and_files_along(tmpdir_, busy):
    """When the kernel process dies (killed, crashed, OOM), its executor tree must not live on, and
    its work directory goes too (the executor root removes it, retrying while gcc still writes there).

    Without this, a cell spinning in `for (;;) {}` when the kernel is killed keeps a CPU busy forever."""
    k = IsolatedKernel(tmpdir_)
    try:
        k.ok("int g = 1;")
        k.ok("g = 2;")
        sessions = sessions_of(k)
        tools = waiting_compilers(k.pid)
        assert tools, "no cc1 | as started ahead for the next cell"
        if busy == "running":
            k.kc.execute("for (;;) {}")
            time.sleep(1.0)
        elif busy == "compiling":
            k.kc.execute("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint f(int x) { return x; }")
            time.sleep(0.05)
        k.km.shutdown_kernel(now=True)  # SIGKILL: no chance to clean up in Python
    finally:
        k.kc.stop_channels()
    left = wait_gone(sessions)
    kill_leftovers(left)
    assert not left, f"executor processes outlived the killed kernel: {left}"
    deadline = time.monotonic() + GONE_WITHIN
    while any(not _zombie(pid) for pid in tools) and time.monotonic() < deadline:
        time.sleep(0.2)
    kill_leftovers(tools - {pid for pid in tools if _zombie(pid)})
    assert all(_zombie(pid) for pid in tools), "the cc1 | as waiting for the next cell outlived the kernel"
    while leftovers(tmpdir_) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not leftovers(tmpdir_), f"temp files left after kill -9: {leftovers(tmpdir_)}"


def test_a_work_directory_removed_from_outside_is_said_at_each_cell(tmpdir_):
    """A temp cleaner, or logind's RemoveIPC at a logout, may remove the kernel's files under
    it: each cell then says what happened and what to do, not an internal error."""
    k = IsolatedKernel(tmpdir_)
    try:
        k.ok("#include <stdio.h>\nint f(void) { return 1; }")
        (workdir,) = leftovers(tmpdir_)
        shutil.rmtree(tmpdir_ / workdir)
        for code in ("f() + 1", "int g(void) { return 2; }", 'printf("hi\\n");'):
            r = k.execute(code)
            assert r.status == "error" and r.stdout == ""
            assert "work directory" in r.error_text and "restart the kernel" in r.error_text
            assert "internal error" not in r.error_text and "cellc_" not in r.error_text
    finally:
        k.shutdown()
    assert not leftovers(tmpdir_)


class DefaultPlaceKernel(IsolatedKernel):
    """A cellc kernel that chooses where its files go itself (no TMPDIR)."""

    def __init__(self):  # noqa: D107 - Kernel started without TMPDIR
        self.km = KernelManager(kernel_name="cellc")
        self.km.start_kernel(env={name: value for name, value in os.environ.items() if name != "TMPDIR"})
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)

    def work_directory(self) -> Path:
        """The directory the executor root was started with (its third argument)."""
        (root,) = [pid for pid in executor_processes() if (_stat(pid) or (0, 0))[0] == self.pid]
        return Path(Path(f"/proc/{root}/cmdline").read_bytes().split(b"\0")[3].decode())


def test_work_directory_in_ram_is_private_and_goes_with_a_killed_kernel():
    """Without a TMPDIR of the user's, a notebook's files go to /dev/shm where
    logind cannot empty it (creating files there is cheap); it is the kernel's
    alone and removed after kill -9 too."""
    k = DefaultPlaceKernel()
    try:
        k.ok("int g = 1;")
        workdir = k.work_directory()
        assert workdir.name.startswith("cellc-") and (workdir / "In[1]").is_file()
        assert workdir.stat().st_mode & 0o777 == 0o700
        assert not os.statvfs(workdir).f_flag & os.ST_NOEXEC  # the executor maps the shared objects it holds
        ram = toolchain.RAM_DIRECTORY
        shm = os.statvfs(ram) if os.path.isdir(ram) else None
        spared = os.getuid() <= toolchain.SYSTEM_UID_MAX  # root and system users: logind's RemoveIPC leaves their files
        if spared and shm and not shm.f_flag & os.ST_NOEXEC and shm.f_bavail * shm.f_frsize >= toolchain.RAM_FREE:
            assert str(workdir.parent) == ram
        else:
            assert str(workdir.parent) != ram  # the temp directory
        k.km.shutdown_kernel(now=True)  # SIGKILL: the executor root removes the directory
    finally:
        k.kc.stop_channels()
    deadline = time.monotonic() + GONE_WITHIN
    while workdir.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not workdir.exists()
