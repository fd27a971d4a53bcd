"""Shared pieces of the benchmarks: real kernels over jupyter_client, gcc runs, /proc memory.

Everything here drives the real thing (kernel processes over ZMQ, gcc as a
subprocess); nothing is mocked, so the numbers are what a notebook user sees.
"""

from __future__ import annotations

import os
import platform
import queue
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import KernelManager

TIMEOUT = 300.0  # seconds for any one request; generous, the machine is shared
HEADERS = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n"


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def quantile(xs: list[float], q: float) -> float:
    """The q-quantile by nearest rank (for spread, not for the ratios)."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def executor_cpu(executor) -> tuple[float, float]:
    """(user, system) CPU seconds of an Executor's process tree: its root (and
    the snapshots it reaped), the snapshots kept and the live process
    (/proc/PID/stat; a process that is gone counts nothing)."""
    pids = [executor.root, *executor.snapshots[1:], *([executor.live_pid] if executor.live_pid else [])]
    user = system = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user += int(fields[11]) + int(fields[13])  # utime + cutime
        system += int(fields[12]) + int(fields[14])  # stime + cstime
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick


# -- the machine ----------------------------------------------------------------
def machine() -> dict[str, str]:
    """What the numbers were measured on (they are meaningless without it)."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.splitlines()
    ld = subprocess.run(["ld", "--version"], capture_output=True, text=True).stdout.splitlines()
    try:
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f"{mem_kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        mem = "unknown"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "gcc": gcc[0] if gcc else "unknown",
        "ld": ld[0] if ld else "unknown",
        "python": platform.python_version(),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# -- kernels ------------------------------------------------------------------
@dataclass
class Cell:
    """One execute_request as the client saw it."""

    latency: float  # seconds from sending execute_request to receiving execute_reply
    status: str
    stdout: str = ""
    stderr: str = ""
    errors: list[str] = field(default_factory=list)

    def check(self, what: str) -> Cell:
        """Stop the benchmark with the kernel's own words when a cell failed."""
        if self.status != "ok":
            raise RuntimeError(f"{what}: cell failed ({self.status}):\n" + "\n".join(self.errors) + self.stderr)
        return self


class Kernel:
    """A kernel started through jupyter_client's KernelManager, as a frontend would."""

    def __init__(self, name: str, log: Path | None = None):
        self.name = name
        self.km = KernelManager(kernel_name=name)
        # The kernel's stderr goes to a log (ipykernel warns about TCP on every start).
        self.log = log
        self._log = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
        start = time.perf_counter()
        self.km.start_kernel(stderr=self._log)
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            # One kernel_info_request, queued by ZMQ until the kernel binds; the reply is the
            # first moment the kernel can serve a frontend.  (wait_for_ready polls with 1 s and
            # 0.2 s sleeps, which would swamp the measurement.)
            self._shell_reply(self.kc.kernel_info(), "kernel_info_request")
            self.startup = time.perf_counter() - start
            self._drain_iopub(0.2)  # the starting/idle status messages
        except BaseException:
            self.shutdown(now=True)
            raise

    def reply(self, msg_id: str, what: str) -> dict:
        """The shell reply to a request sent earlier (several may be queued)."""
        return self._shell_reply(msg_id, what)

    def _shell_reply(self, msg_id: str, what: str) -> dict:
        """The shell reply to `msg_id`; fails fast (with the kernel's log) if the kernel died."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                reply = self.kc.get_shell_msg(timeout=1.0)  # returns as soon as a message arrives
            except queue.Empty:
                if not self.km.is_alive():
                    raise RuntimeError(f"the {self.name} kernel died before replying to {what}{self._tail()}") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no reply to {what} in {TIMEOUT:.0f} s{self._tail()}") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def _tail(self) -> str:
        if self.log is None:
            return ""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return f"; the end of its log ({self.log}):\n" + "\n".join(lines[-8:])

    @property
    def pid(self) -> int:
        prov = self.km.provisioner
        pid = getattr(prov, "pid", None) or getattr(getattr(prov, "process", None), "pid", None)
        if pid is None:
            raise RuntimeError("cannot find the kernel's pid")
        return int(pid)

    def _drain_iopub(self, timeout: float) -> None:
        while True:
            try:
                self.kc.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                return

    def execute(self, code: str) -> Cell:
        """Run a cell; the latency is execute_request -> execute_reply on the shell channel."""
        start = time.perf_counter()
        msg_id = self.kc.execute(code, allow_stdin=False)
        reply = self._shell_reply(msg_id, f"execute_request {code[:40]!r}")
        latency = time.perf_counter() - start
        cell = Cell(latency, reply["content"]["status"])
        if cell.status != "ok":
            cell.errors.append(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")
        # Output arrives on iopub before the kernel goes idle; wait for idle so the next
        # request starts on a quiet kernel.
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=1.0)
            except queue.Empty:
                if not self.km.is_alive():
                    break
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            if kind == "stream":
                if content["name"] == "stdout":
                    cell.stdout += content["text"]
                else:
                    cell.stderr += content["text"]
            elif kind == "error":
                cell.errors.extend(content.get("traceback", []))
        return cell

    def shutdown(self, now: bool = False) -> None:
        try:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=now or not self.km.is_alive())
        finally:
            if hasattr(self._log, "close"):
                self._log.close()


# -- gcc by hand ----------------------------------------------------------------
class Scratch:
    """A temporary directory for reference programs."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="cellc-bench-")
        self.path = Path(self._tmp.name)

    def close(self) -> None:
        self._tmp.cleanup()

    def timed(self, argv: list[str]) -> float:
        """Run a command in the scratch directory; seconds, or raise with its stderr."""
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, cwd=self.path)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stderr}")
        return elapsed

    def build_and_run(self, name: str, source: str, flags: list[str]) -> str:
        """Compile a standalone program and return its stdout."""
        src = self.path / f"{name}.c"
        src.write_text(source)
        exe = self.path / name
        self.timed(["gcc", *flags, "-o", str(exe), str(src), "-lm"])
        proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=TIMEOUT)
        if proc.returncode != 0:
            raise RuntimeError(f"{name} exited {proc.returncode}:\n{proc.stderr}")
        return proc.stdout


def bench_value(stdout: str, tag: str = "CELLC_BENCH") -> float:
    """The number a benchmark program printed as `TAG value`."""
    for line in stdout.splitlines():
        if line.startswith(tag + " "):
            return float(line.split()[1])
    raise RuntimeError(f"no '{tag}' line in the output:\n{stdout}")


# -- memory of the executor tree --------------------------------------------------
@dataclass
class ProcMem:
    pid: int
    start: int  # start time in clock ticks since boot (the youngest is the live process)
    pss: int  # KiB
    private: int  # KiB, Private_Clean + Private_Dirty
    rss: int  # KiB


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, starttime) from /proc/PID/stat, robust to spaces in the command name."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[19])


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None:
                children.setdefault(st[0], []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            out.append(child)
            todo.append(child)
    return out


def executor_tree(kernel_pid: int) -> list[ProcMem]:
    """Every process of the kernel's executor tree (root, snapshots, live) with its memory."""
    procs = []
    for pid in _descendants(kernel_pid):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if not os.path.basename(exe).startswith("executor-"):
            continue
        st = _stat(pid)
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        values = {}
        for line in rollup.splitlines()[1:]:
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                values[key.strip()] = int(parts[0])
        procs.append(
            ProcMem(
                pid=pid,
                start=st[1] if st else 0,
                pss=values.get("Pss", 0),
                private=values.get("Private_Clean", 0) + values.get("Private_Dirty", 0),
                rss=values.get("Rss", 0),
            )
        )
    return procs


def settle_tree(kernel_pid: int, seconds: float = 0.5) -> list[ProcMem]:
    """The tree after the last cell's snapshot fork and trimming have happened."""
    time.sleep(seconds)
    return executor_tree(kernel_pid)
