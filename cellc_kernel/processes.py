"""The executor's process tree as /proc shows it (no library needed for three reads)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Set as AbstractSet
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def send_signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _stat(pid: int) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return stat[stat.rindex(b")") + 2 :].split()


def parent_of(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def alive(pid: int) -> bool:
    """Whether a process exists and has not ended (a zombie has)."""
    fields = _stat(pid)
    if not fields:
        return False
    return fields[0] not in (b"Z", b"X")


def stopped(pid: int) -> bool:
    """Whether a process is stopped by a signal (SIGSTOP), not by a tracer."""
    fields = _stat(pid)
    if not fields:
        return False
    return fields[0] == b"T"


def is_under(pid: int, root: int) -> bool:
    """Whether `root` is an ancestor of `pid`."""
    for _ in range(64):
        parent = parent_of(pid)
        if parent is None or parent <= 1:
            return False
        if parent == root:
            return True
        pid = parent
    return False


def descendants(root: int) -> set[int]:
    """The processes under `root`: the whole executor tree, because the root
    is the subreaper of what the program's processes leave orphaned."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            parent = parent_of(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    out: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def stop_tree(root: int, keep: AbstractSet[int] = frozenset()) -> set[int]:
    """Stop (SIGSTOP) every process under `root` but `keep`, until no new one
    appears: a stopped process cannot fork.  Returns the stopped ones."""
    stopped: set[int] = set()
    for _ in range(50):
        found = descendants(root) - stopped - keep
        if not found:
            break
        for pid in found:
            send_signal(pid, signal.SIGSTOP)
        stopped |= found
    return stopped


def resident(pid: int) -> int:
    """Bytes of a process in RAM, pages shared with other processes counted in full (cheap)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:  # once per snapshot and cell: no pathlib
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def proportional(pid: int) -> int:
    """Bytes of a process in RAM, each shared page divided among its sharers (Pss)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def wait_ended(pid: int, seconds: float = 1.0) -> None:
    """Wait (briefly) until a killed process has released its memory."""
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.005)


class ProcessMemory:
    """Reads a process's memory through /proc/PID/mem: one pread (a few µs)
    where the executor protocol's `peek` takes a round trip, which matters to a
    walk of 10^5 nodes.  An address that is not mapped reads as None; nothing
    the reader does can crash the process read."""

    def __init__(self, pid: int, writable: bool = False):
        self.pid = pid
        self._fd = os.open(f"/proc/{pid}/mem", (os.O_RDWR if writable else os.O_RDONLY) | os.O_CLOEXEC)
        self._mapped: list[tuple[int, int, str, str]] | None = None  # /proc/PID/maps, read once

    def read(self, address: int, size: int) -> bytes | None:
        try:
            return os.pread(self._fd, size, address) or None
        except (OSError, OverflowError, ValueError):
            return None

    def write(self, address: int, data: bytes) -> bool:
        """Write `data` at `address` (a writable mapping of the process, and opened `writable`)."""
        try:
            return os.pwrite(self._fd, data, address) == len(data)
        except (OSError, OverflowError, ValueError):
            return False

    def base_of(self, path: str) -> int | None:
        """Where the shared object `path` is loaded (its mapping at file offset 0)."""
        try:
            for line in Path(f"/proc/{self.pid}/maps").read_text().splitlines():
                fields = line.split(maxsplit=5)
                if len(fields) == 6 and fields[5] == path and int(fields[2], 16) == 0:
                    return int(fields[0].split("-")[0], 16)
        except (OSError, ValueError):
            pass
        return None

    def mapping(self, address: int) -> tuple[str, str] | None:
        """(permissions, path) of the mapping holding `address` ("rw-p", "" for anonymous memory)."""
        for lo, hi, perms, path in self._maps():
            if lo <= address < hi:
                return perms, path
        return None

    def _maps(self) -> list[tuple[int, int, str, str]]:
        if self._mapped is None:
            self._mapped = []
            try:
                for line in Path(f"/proc/{self.pid}/maps").read_text().splitlines():
                    fields = line.split(maxsplit=5)
                    lo, hi = fields[0].split("-")
                    self._mapped.append((int(lo, 16), int(hi, 16), fields[1], fields[5] if len(fields) == 6 else ""))
            except (OSError, ValueError, IndexError):
                pass
        return self._mapped

    def heap_ranges(self) -> list[tuple[int, int]]:
        """The [heap] mapping(s): memory of the allocator that no block may hold."""
        out = []
        try:
            for line in Path(f"/proc/{self.pid}/maps").read_text().splitlines():
                if line.endswith("[heap]"):
                    lo, hi = line.split(" ", 1)[0].split("-")
                    out.append((int(lo, 16), int(hi, 16)))
        except OSError:
            pass
        return out

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> ProcessMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
