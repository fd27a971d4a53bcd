"""A careless or hostile cell cannot break the kernel, lose state, or take the machine down.

Each case runs through a real kernel: the cell fails with an error that says what happened, and a
global set before it still holds its value (or, where the cell destroyed what cannot be restored,
the error says exactly that). The limits run with low values set in the kernel's environment, as an
operator sets them in the kernelspec, so that the fork bomb is safe on a shared machine.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TIMEOUT, Kernel
from jupyter_client.manager import KernelManager

from cellc_kernel.processes import descendants, parent_of, proportional

SETUP = """#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
int g = 5;"""


class EnvKernel(Kernel):
    """A cellc kernel started with extra environment variables, and arguments after the kernelspec's argv."""

    def __init__(self, *arguments: str, **env: str):  # noqa: D107
        self.km = KernelManager(kernel_name="cellc")
        self.km.start_kernel(env={**os.environ, **env}, extra_arguments=list(arguments))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def k():
    kernel = Kernel()
    kernel.ok(SETUP)
    yield kernel
    kernel.shutdown()


def holds(k: Kernel, value: str = "5") -> None:
    """The state before the failed cell, and a kernel that still compiles cells."""
    assert k.value("g") == value
    assert k.value('(int)strlen("abc") + g') == str(3 + int(value))


# -- 1. signals to the process group ------------------------------------------------------
@pytest.mark.parametrize(
    "call, name",
    [
        ("kill(0, SIGHUP);", "SIGHUP"),
        ("kill(0, SIGTERM);", "SIGTERM"),
        ("killpg(getpgrp(), SIGTERM);", "SIGTERM"),
        ("if (fork() == 0) { sleep(100); _exit(0); } kill(0, SIGTERM);", "SIGTERM"),
    ],
)
def test_signal_to_the_whole_group_reaches_only_the_cell(k, call, name):
    r = k.fails("g = 6; " + call)
    assert name in r.error_text
    assert "as it was before this cell" in r.error_text
    holds(k)


# -- 2. closing or replacing the channel -----------------------------------------------------
@pytest.mark.parametrize(
    "code",
    [
        "for (int i = 3; i < 65536; i++) close(i);",
        'DIR *d = opendir("/proc/self/fd"); struct dirent *e; int top = 0;\n'
        "while ((e = readdir(d))) if (atoi(e->d_name) > top) top = atoi(e->d_name);\n"
        "closedir(d); dup2(1, top);",
    ],
    ids=["close-all", "dup2-over-the-highest"],
)
def test_closing_the_channel_costs_only_the_cell(k, code):
    r = k.fails("g = 7;\n" + code)
    assert "closed or replaced the descriptors" in r.error_text
    assert "as it was before this cell" in r.error_text
    holds(k)


def test_closing_low_descriptors_is_harmless(k):
    """The loop of the issue: the channel sits above it."""
    k.ok("g = 7; for (int i = 3; i < 1024; i++) close(i);")
    holds(k, "7")
    k.ok("g = 5;")
    holds(k)


# -- 3. writing into the channel ------------------------------------------------------------
WRITE_EVERYWHERE = (
    'DIR *d = opendir("/proc/self/fd"); struct dirent *e;\n'
    "while ((e = readdir(d))) { int fd = atoi(e->d_name); if (fd > 2) write(fd, MSG, strlen(MSG)); }\n"
    "closedir(d);"
)


@pytest.mark.parametrize(
    "msg", ["part 999999\\n", "done snapshot\\n", "died 1 exit 0\\n", "\\n\\n\\n", "x" * 5000], ids=repr
)
def test_writing_into_the_channel_fails_the_cell(k, msg):
    r = k.execute(f'g = 8;\n#define MSG "{msg}"\n{WRITE_EVERYWHERE}', timeout=TIMEOUT)
    assert r.status == "error", r.stdout
    assert "wrote into the kernel's private channel" in r.error_text
    assert "as it was before this cell" in r.error_text
    holds(k)


def test_writing_to_a_guessed_descriptor_is_harmless(k):
    k.ok('for (int fd = 3; fd < 200; fd++) write(fd, "part 999999\\n", 12);')
    holds(k)


def test_children_of_a_cell_do_not_hold_the_channel(k):
    code = (
        'int open_fds(void) { int n = 0; DIR *d = opendir("/proc/self/fd"); struct dirent *e;\n'
        "  while ((e = readdir(d))) if (atoi(e->d_name) > 2) n++; closedir(d); return n - 1; }\n"
        'if (fork() == 0) { printf("child %d\\n", open_fds()); fflush(stdout); _exit(0); }\n'
        "wait(NULL);"
    )
    assert k.ok(code).stdout == "child 0\n"


# -- 3b. crashes under the loader's lock or malloc's: reported, never a hang ----------------------
# The fault handler once called dladdr (the loader's lock) and fork (malloc's locks): the
# cases below hung the kernel.  TIMEOUT bounds each cell: a hang fails the test.
def count(r) -> int:
    return r.reply["content"]["execution_count"]


def test_a_crash_in_a_cells_constructor(k):
    """A cell with a constructor is loaded with dlopen: it crashes under the loader's lock."""
    r = k.execute("__attribute__((constructor)) static void boom(void) {\n    g = 9;\n    *(volatile int *)0 = 0;\n}")
    assert r.status == "error"
    assert "Segmentation fault (SIGSEGV): address not mapped at address 0x0" in r.error_text
    assert f"  In[{count(r)}], line 3, in boom" in r.error_text
    assert "libc.so.6" not in r.error_text and "ld-linux" not in r.error_text  # the loader's frames
    assert "as it was before this cell" in r.error_text
    holds(k)


def test_a_thread_crashing_while_a_constructor_waits_for_it(k):
    """The constructor holds the loader's lock while it joins the thread that crashed."""
    k.ok("#include <pthread.h>")
    crash = k.ok("static void *crash(void *arg) {\n    *(volatile int *)0 = 0;\n    return arg;\n}")
    r = k.execute(
        "__attribute__((constructor)) static void wait_for_it(void) {\n"
        "    pthread_t t;\n    pthread_create(&t, 0, crash, 0);\n    pthread_join(t, 0);\n}"
    )
    assert r.status == "error"
    assert "Segmentation fault (SIGSEGV)" in r.error_text
    assert f"  In[{count(crash)}], line 2, in crash" in r.error_text
    holds(k)


@pytest.mark.skipif(shutil.which("gdb") is None, reason="gdb is not installed")
def test_a_double_free_aborting_inside_free(k):
    """glibc aborts with malloc's lock held: the frozen copy for %debug is made without fork()."""
    r = k.execute("g = 10;\nchar *a = malloc(5000), *b = malloc(100);\nfree(a);\nfree(a);")
    assert r.status == "error"
    assert "double free" in r.stderr
    assert "Aborted (SIGABRT)" in r.error_text
    assert f"  In[{count(r)}], line 4" in r.error_text and "in libc.so.6" in r.error_text
    debug = k.ok("%debug").stdout
    assert f"In[{count(r)}] crashed" in debug and f"> #1  In[{count(r)}], line 4" in debug
    holds(k)


def test_a_library_whose_constructor_crashes(k, tmp_path):
    source = tmp_path / "boom.c"
    source.write_text("__attribute__((constructor)) static void boom(void) { *(volatile int *)0 = 0; }\n")
    lib = tmp_path / "libboom.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-g", "-o", str(lib), str(source)], check=True)
    r = k.execute(f"%lib {lib}")
    assert r.status == "error"
    assert (
        f"LibraryError: %lib {lib}: loading failed: Segmentation fault (SIGSEGV): "
        "address not mapped at address 0x0, in libboom.so, boom()"
    ) in r.error_text
    assert "as it was before this cell" in r.error_text
    holds(k)


# -- 4. the executor cache ------------------------------------------------------------------
def _cached_executor(cache: Path) -> Path:
    found = [p for p in (cache / "cellc").glob("executor-*") if not p.name.endswith(".sha256")]
    assert len(found) == 1, found
    return found[0]


def _corrupt(binary: Path, how: str) -> None:
    if how == "truncated":
        binary.write_bytes(binary.read_bytes()[:1000])
    elif how == "empty":
        binary.write_bytes(b"")
    elif how == "directory":
        binary.unlink()
        binary.mkdir()
        (binary / "inside").write_text("x")
    elif how == "not-executable":
        binary.chmod(0o600)
    elif how == "someone-elses":
        binary.write_bytes(b"#!/bin/sh\ntouch " + str(binary.parent / "EXECUTED").encode() + b"\n")
        binary.chmod(0o755)


@pytest.mark.parametrize("how", ["truncated", "empty", "directory", "not-executable", "someone-elses"])
def test_a_corrupted_executor_cache_is_rebuilt(tmp_path, how):
    cache, tmp = tmp_path / "cache", tmp_path / "tmp"
    tmp.mkdir()
    env = {"XDG_CACHE_HOME": str(cache), "TMPDIR": str(tmp)}
    first = EnvKernel(**env)
    try:
        assert first.value("6 * 7") == "42"
    finally:
        first.shutdown()
    assert stat.S_IMODE((cache / "cellc").stat().st_mode) == 0o700
    binary = _cached_executor(cache)
    _corrupt(binary, how)
    second = EnvKernel(**env)
    try:
        assert second.value("6 * 7") == "42"
    finally:
        second.shutdown()
    assert not (cache / "cellc" / "EXECUTED").exists(), "a file cellc did not build was executed"
    assert _cached_executor(cache).is_file()
    assert not list(tmp.iterdir())


def test_a_cache_directory_others_can_write_is_made_private(tmp_path):
    cache = tmp_path / "cache"
    (cache / "cellc").mkdir(parents=True)
    (cache / "cellc").chmod(0o777)
    k = EnvKernel(XDG_CACHE_HOME=str(cache))
    try:
        assert k.value("1 + 1") == "2"
    finally:
        k.shutdown()
    assert stat.S_IMODE((cache / "cellc").stat().st_mode) == 0o700


def test_a_failed_start_leaves_no_temp_directory(tmp_path):
    """No gcc that works: the interpreter cannot start, and says why; nothing is left in TMPDIR."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "gcc").write_text("#!/bin/sh\necho 'gcc: broken on purpose' >&2\nexit 1\n")
    (fake / "gcc").chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {
        **os.environ,
        "PATH": f"{fake}:{os.environ['PATH']}",
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    code = "from cellc_kernel.interpreter import Interpreter\nInterpreter()"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "building the cellc executor failed" in proc.stderr
    assert not list(tmp.iterdir())


# -- 5. a cell signals its parent; a snapshot killed from outside ---------------------------------
def executor_tree(k: Kernel) -> set[int]:
    """The program's processes: the executor's tree under the kernel (not the
    cc1 | as the kernel started ahead for the next cell)."""
    kernel = k.km.provisioner.process.pid
    roots = [pid for pid in descendants(kernel) if parent_of(pid) == kernel and b"executor-" in cmdline(pid)]
    return set(roots).union(*(descendants(root) for root in roots))


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def newest_snapshot(k: Kernel, live: int) -> int:
    """The snapshot of the state after the last cell: the process of the
    executor's tree started last, besides the live one."""

    def started(pid: int) -> tuple[int, int]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return (-1, pid)
        return (int(fields[19]), pid)  # starttime, in clock ticks since boot

    return max(executor_tree(k) - {live}, key=started)


def test_a_cell_signalling_its_parent_loses_nothing(fresh_kernel):
    """The live process's parent is the executor's, as a file's program's is
    the shell: SIGKILL or SIGSTOP to it changes nothing of the program (it
    once killed the snapshot before the cell, and %undo could not go back)."""
    k = fresh_kernel
    k.ok(SETUP)
    k.ok("g = 6;")
    k.ok("g = 7; kill(getppid(), SIGKILL);")
    k.ok("kill(getppid(), SIGSTOP);")
    assert k.value("g") == "7"
    assert "Undid In[" in k.ok("%undo").stdout  # the value cell above
    assert "Undid In[" in k.ok("%undo").stdout  # SIGSTOP
    assert "Undid In[" in k.ok("%undo").stdout  # SIGKILL
    assert k.value("g") == "6"
    r = k.fails("g = 9; kill(getppid(), SIGKILL); *(volatile int *)0 = 1;")
    assert "SIGSEGV" in r.error_text and "as it was before this cell" in r.error_text
    holds(k, "6")


def test_undo_after_the_newest_snapshot_was_killed_from_outside(fresh_kernel):
    k = fresh_kernel
    k.ok(SETUP)
    k.ok("g = 6;")
    live = int(k.value("getpid()"))
    os.kill(newest_snapshot(k, live), signal.SIGKILL)  # as the OOM killer might
    r = k.execute("%undo")
    assert r.status == "error"
    assert "cannot be undone: the saved state from before it is gone" in r.error_text
    assert k.value("g") == "6"  # undo starts again from here
    k.ok("g = 9;")
    assert "Undid In[" in k.ok("%undo").stdout
    assert k.value("g") == "6"


def test_crash_after_the_newest_snapshot_was_killed_says_the_state_is_lost(fresh_kernel):
    k = fresh_kernel
    k.ok(SETUP)
    live = int(k.value("getpid()"))
    os.kill(newest_snapshot(k, live), signal.SIGKILL)
    r = k.fails("g = 9; *(volatile int *)0 = 1;")
    assert r.errors[0]["ename"] == "StateLost"
    assert "kept the program's state before this cell is gone" in r.error_text
    # a fresh program, which says so when used
    assert "'g' undeclared" in k.fails("g").error_text
    assert k.value("6 * 7") == "42"


def test_a_cell_that_keeps_stdout_locked_returns(fresh_kernel):
    k = fresh_kernel
    k.ok(SETUP)
    r = k.ok('flockfile(stdout); printf("locked\\n"); usleep(200000);', timeout=30)
    assert r.stdout == "locked\n"
    assert k.ok('printf("still\\n"); funlockfile(stdout);').stdout == "still\n"
    holds(k)


def test_pthread_exit_on_the_cells_thread_ends_the_program_like_exit(fresh_kernel):
    k = fresh_kernel
    k.ok(SETUP + "\n#include <pthread.h>")
    r = k.fails('g = 8; printf("bye\\n"); pthread_exit(0);', timeout=30)
    assert r.stdout == "bye\n" and "exit(0)" in r.error_text
    holds(k)
    k.ok("void *hw_worker(void *a) { pthread_exit(a); }")
    assert (
        k.value(
            "pthread_t hw_t; void *hw_rv; pthread_create(&hw_t, 0, hw_worker, (void *)7);\n"
            "pthread_join(hw_t, &hw_rv); (long)hw_rv"
        )
        == "7"
    ), "other threads exit as usual"


def test_each_cells_output_is_decoded_on_its_own(k):
    """A UTF-8 character left incomplete by one cell is not completed by the next."""
    assert k.ok('printf("caf\\xc3");').stdout == "caf\ufffd"
    assert k.ok('printf("\\xa9 ok\\n");').stdout == "\ufffd ok\n"
    assert k.ok('printf("caf\\xc3\\xa9\\n");').stdout == "café\n"


def test_a_threads_stack_overflow_has_its_traceback(fresh_kernel):
    k = fresh_kernel
    k.ok(SETUP + "\n#include <pthread.h>")
    k.ok("int so_deep(int n) { volatile char buf[256]; buf[0] = n; return so_deep(n + 1) + buf[0]; }")
    k.ok("void *so_runner(void *a) { return (void *)(long)so_deep(0); }")
    r = k.fails("g = 9; pthread_t so_t; pthread_create(&so_t, 0, so_runner, 0); pthread_join(so_t, 0);")
    assert "stack overflow" in r.error_text and "in so_deep" in r.error_text and "in so_runner" in r.error_text
    holds(k)


def test_macros_named_like_keywords_leave_cellcs_code_alone(fresh_kernel):
    """Legal in a file before its first function: the code cellc writes around the
    user's must mean what it says whatever the user #defines."""
    k = fresh_kernel
    k.ok("#define void int\n#define static\n#define visibility hidden\n#define section nothing")
    k.ok("#include <stdio.h>")
    k.ok("int kw_x = 3;")
    k.ok("int kw_f(int a) { return a + kw_x; }")
    assert k.value("kw_f(1)") == "4"
    assert k.ok('printf("%d\\n", kw_f(2));').stdout == "5\n"
    assert k.value("({ int q = kw_f(3); q; })") == "6"
    k.ok("const int kw_c = 5;")
    assert k.value("kw_c") == "5"
    assert k.value("sizeof(void)") == "4", "the user's macros still apply to the user's code"


def test_a_library_whose_constructor_starts_a_thread(fresh_kernel, tmp_path):
    """The thread lives on in the program (a snapshot fork would lose it); the
    program then runs in place, and a later exit goes back to before %lib."""
    source = tmp_path / "ticker.c"
    source.write_text(
        "#include <pthread.h>\n#include <unistd.h>\nvolatile long ticks;\n"
        "static void *tick(void *a) { for (;;) { ticks++; usleep(1000); } return a; }\n"
        "__attribute__((constructor)) static void start(void) { pthread_t t; pthread_create(&t, 0, tick, 0); }\n"
        "long ticker_ticks(void) { return ticks; }\n"
    )
    library = tmp_path / "libticker.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    k = fresh_kernel
    k.ok(SETUP)
    k.ok(f"%lib {library}")
    k.ok("long ticker_ticks(void);")
    assert k.value("usleep(50000); ticker_ticks() > 0") == "1", "the constructor's thread runs"
    r = k.fails("g = 7; exit(2);")
    assert re.search(r"went back to its state before In\[\d+\]", r.error_text)
    holds(k)
    assert k.ok("%lib").stdout.strip() == "(no libraries loaded)", "the library went with the rollback"


THREADS = (
    SETUP
    + """
#include <pthread.h>
void *late_crash(void *a) { usleep(500000); *(volatile int *)0 = 1; return a; }
void *late_reader(void *a) { usleep(300000); int c = getchar(); printf("thread read %d\\n", c); return a; }
void *spin(void *a) { for (;;) ; return a; }"""
)


def test_a_fault_in_another_thread_ends_the_program_not_the_cells_thread(fresh_kernel):
    """A file's program dies of a fault in any thread: the state goes back to
    before the cell that started the threads, and the next cell runs."""
    k = fresh_kernel
    k.ok(THREADS)
    k.ok("g = 6; pthread_t lc; pthread_create(&lc, 0, late_crash, 0);")
    r = k.fails('for (int i = 0; i < 20; i++) { printf("tick\\n"); usleep(100000); }', timeout=60)
    assert "SIGSEGV" in r.error_text and "in late_crash" in r.error_text
    assert "went back to its state before" in r.error_text
    holds(k)


def test_stdin_belongs_to_the_cells_thread(fresh_kernel):
    """A thread or a forked child that reads stdin sees end-of-file, with a note;
    the kernel's commands are not theirs to read."""
    k = fresh_kernel
    k.ok(THREADS)
    k.ok("pthread_t lr; pthread_create(&lr, 0, late_reader, 0);")
    r = k.ok("usleep(600000); g = 7;")
    assert "thread read -1" in r.stdout and "read by the cell's own thread only" in r.stderr
    assert k.value("g") == "7", "the next cell ran as written"
    code = (
        "pid_t rc = fork(); if (rc == 0) _exit(getchar() == EOF ? 9 : 1);\nint rs; waitpid(rc, &rs, 0); WEXITSTATUS(rs)"
    )
    assert k.value(code) == "9"
    r = k.execute('int in_line; scanf("%d", &in_line); in_line', stdin=["41"])
    assert r.value == "41", "the cell's own thread is served"


def test_an_interrupt_reaches_the_cell_whatever_thread_gets_it(fresh_kernel):
    k = fresh_kernel
    k.ok(THREADS)
    k.ok("pthread_t sp; pthread_create(&sp, 0, spin, 0);")
    code = "sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, 0); g = 2;\n"
    code += "for (volatile long i = 0; i < 200000000000L; i++) ;"
    r = k.fails(code, interrupt_after=1.5, timeout=60)
    assert "Interrupted" in r.error_text and "went back to its state before" in r.error_text
    holds(k)


# -- children of earlier cells (found by tests/test_hostile_soak.py) ------------------------------
CHILDREN = (
    SETUP
    + """
volatile sig_atomic_t chld_seen, usr1_seen;
void on_chld(int sig) { chld_seen++; }
void on_usr1(int sig) { usr1_seen++; }
int reap(pid_t child) { int st; return waitpid(child, &st, 0) < 0 ? -1 : WEXITSTATUS(st); }
int gate[2];
pid_t kid;"""
)
START_GATED = (
    "pipe(gate);\nkid = fork();\nif (kid == 0) { char go = 0; close(gate[1]); read(gate[0], &go, 1); _exit(go); }\n"
    "close(gate[0]);"
)
OPEN_GATE = "char go = 42; write(gate[1], &go, 1); close(gate[1]);"


def released_child(k: Kernel, setup: str = "") -> None:
    """A program whose child, forked in one cell, ends in a later one with status 42."""
    k.ok(CHILDREN)
    if setup:
        k.ok(setup)
    k.ok(START_GATED)
    k.ok(OPEN_GATE)


def test_a_child_of_an_earlier_cell_is_waited_for(fresh_kernel):
    """Its parent is now that cell's snapshot: waitpid once said ECHILD and left the status unset."""
    k = fresh_kernel
    k.ok(CHILDREN)
    k.ok(START_GATED)
    assert k.value("waitpid(kid, NULL, WNOHANG)") == "0", "still running"
    k.ok(OPEN_GATE)
    assert k.value("reap(kid)") == "42"
    assert k.value("reap(kid)") == "-1", "once only"
    k.ok("pid_t quick = fork(); if (quick == 0) _exit(7);")
    k.ok("usleep(50000);")
    by_waitid = "siginfo_t si; waitid(P_PID, quick, &si, WEXITED); si.si_status * 1000 + si.si_pid - quick"
    assert k.value(by_waitid) == "7000"
    assert k.value("wait(NULL)") == "-1"


def test_a_child_of_an_earlier_cell_sends_its_sigchld_and_its_signals(fresh_kernel):
    k = fresh_kernel
    released_child(k, "signal(SIGCHLD, on_chld); signal(SIGUSR1, on_usr1);")
    assert k.value("int got = reap(kid); chld_seen * 100 + got") == "142", "the handler ran before waitpid returned"
    k.ok("kid = fork(); if (kid == 0) { usleep(200000); kill(getppid(), SIGUSR1); _exit(0); }")
    assert k.value("reap(kid); usr1_seen * 10 + chld_seen") == "12", "the child's signal reached the program"


def test_waiting_for_an_earlier_cells_child_is_rolled_back_and_undone(fresh_kernel):
    k = fresh_kernel
    released_child(k)
    k.fails("g = reap(kid); *(volatile int *)0 = 1;")
    assert k.value("reap(kid)") == "42", "the program before the crash had not waited for it"
    k.ok("pid_t other = fork(); if (other == 0) _exit(3);")
    k.ok("%undo")
    assert k.value("wait(NULL)") == "-1", "undone, the program never had that child"


def test_children_ending_around_the_end_of_their_cell_are_each_reaped_by_the_handler(fresh_kernel):
    """The reaper idiom: each child's SIGCHLD comes once, whether it ends during its cell, as the
    cell's process becomes a snapshot, or after (then from the snapshot that reaps it)."""
    k = fresh_kernel
    k.ok(CHILDREN + "\n#include <errno.h>")
    k.ok("volatile sig_atomic_t by_handler;")
    k.ok(
        "void reaper(int sig) {\n    int saved = errno;\n    while (waitpid(-1, NULL, WNOHANG) > 0)\n"
        "        by_handler++;\n    errno = saved;\n}"
    )
    k.ok("struct sigaction sa = { .sa_handler = reaper, .sa_flags = SA_RESTART }; sigaction(SIGCHLD, &sa, NULL);")
    k.ok("for (int i = 0; i < 30; i++) if (fork() == 0) { usleep(i * 3000); _exit(0); }")
    assert k.value("for (int i = 0; i < 500 && by_handler < 30; i++) usleep(10000); by_handler") == "30"
    assert k.value("waitpid(-1, NULL, WNOHANG)") == "-1"


def test_an_ignored_sigchld_hides_an_earlier_cells_child(fresh_kernel):
    """SIGCHLD ignored as a child ends: a file's program has it reaped unseen (what counts is the
    disposition when it ends, not when it was forked)."""
    k = fresh_kernel
    released_child(k, "signal(SIGCHLD, SIG_IGN);")
    assert k.value("reap(kid)") == "-1"
    k.ok(START_GATED)
    k.ok("signal(SIGCHLD, SIG_DFL);")
    k.ok(OPEN_GATE)
    assert k.value("reap(kid)") == "42"


# -- limits ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def limited():
    kernel = EnvKernel(CELLC_MAX_PROCESSES="16", CELLC_CELL_TIMEOUT="3", CELLC_MEMORY_LIMIT="256M")
    kernel.ok(SETUP)
    yield kernel
    kernel.shutdown()


def _program_processes(k: Kernel) -> set[int]:
    return executor_tree(k)


def test_fork_bomb_hits_the_process_limit(limited):
    before = len(_program_processes(limited))
    r = limited.fails("g = 6; while (1) fork();", timeout=120)
    assert r.errors[0]["ename"] == "ProcessLimit"
    assert "more than 16 processes at once (CELLC_MAX_PROCESSES=16)" in r.error_text
    assert "as it was before this cell" in r.error_text
    deadline = time.monotonic() + 10
    while len(_program_processes(limited)) > before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_program_processes(limited)) <= before  # the bomb's processes are gone
    holds(limited)


def test_many_forks_one_at_a_time_stay_under_the_limit(limited):
    code = "int ok = 0; for (int i = 0; i < 40; i++) { pid_t p = fork(); if (p == 0) _exit(3);\n"
    code += "int st; waitpid(p, &st, 0); ok += WEXITSTATUS(st) == 3; }\nok"
    assert limited.value(code) == "40"


def test_children_that_live_at_once_count_against_the_limit(limited):
    """30 children alive together, under a limit of 16: fork fails past it, as
    RLIMIT_NPROC would make it (the count is the program's processes, parent
    and children alike)."""
    code = """int started = 0; pid_t kids[30];
for (int i = 0; i < 30; i++) { kids[i] = fork(); if (kids[i] == 0) { usleep(300000); _exit(0); }
    if (kids[i] < 0) break; started++; usleep(20000); }
for (int i = 0; i < started; i++) waitpid(kids[i], NULL, 0);
started"""
    r = limited.execute(code, timeout=120)
    assert r.status == "error" and r.errors[0]["ename"] == "ProcessLimit", "the 17th process ends the cell"
    holds(limited)
    assert limited.value(code.replace("30", "8")) == "8", "once reaped, children no longer count"


def test_spawned_processes_are_counted(limited):
    limited.ok("#include <spawn.h>\nextern char **environ;")
    code = """int spawned = 0; pid_t sp[20];
char *sleeper[] = { "sleep", "0.3", NULL };
for (int i = 0; i < 20; i++) if (posix_spawnp(&sp[i], "sleep", NULL, NULL, sleeper, environ) == 0) spawned++;
for (int i = 0; i < spawned; i++) waitpid(sp[i], NULL, 0);
spawned"""
    r = limited.execute(code, timeout=120)
    assert r.status == "error" and r.errors[0]["ename"] == "ProcessLimit"
    assert limited.value(code.replace("20", "5")) == "5"
    assert limited.value('system("exit 3") >> 8') == "3", "system() works under the limit"


def test_a_crashing_child_is_the_parents_business(k):
    """Forked children that crash die of their signal, as in a plain program: the
    parent sees it with waitpid, no copy of the unflushed output appears, and
    nothing of them stays behind."""
    before = len(_program_processes(k))
    code = """printf("parent line\\n");
int crashed = 0;
for (int i = 0; i < 5; i++) { pid_t c = fork(); if (c == 0) { *(volatile int *)0 = 0; }
    int st; waitpid(c, &st, 0); crashed += WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV; }
crashed"""
    r = k.ok(code)
    assert r.value == "5" and r.stdout == "parent line\n"
    assert len(_program_processes(k)) <= before + 1, "no frozen copies of the children"
    holds(k)


def test_a_cell_past_the_timeout_is_stopped_and_rolled_back(limited):
    r = limited.fails("g = 6; for (;;) {}", timeout=60)
    assert r.errors[0]["ename"] == "Timeout"
    assert "more than 3 s (CELLC_CELL_TIMEOUT)" in r.error_text
    assert "as it was before this cell" in r.error_text
    holds(limited)
    assert limited.ok("usleep(300000); g").value == "5"  # a short cell is left alone


def test_waiting_for_input_is_not_the_cells_time(limited):
    """The user takes 4 s to answer, the cell's limit is 3 s: the cell is not stopped."""
    msg_id = limited.kc.execute('char line[20]; fgets(line, 20, stdin); printf("[%s]", line);', allow_stdin=True)
    request = limited.kc.get_stdin_msg(timeout=TIMEOUT)
    assert request["header"]["msg_type"] == "input_request"
    time.sleep(4)
    limited.kc.input("hello")
    while True:
        reply = limited.kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    assert reply["content"]["status"] == "ok", reply["content"]


def test_the_limits_bind_the_compiler_too(limited, tmp_path):
    r = limited.fails('#include "/dev/zero"', timeout=120)
    assert "out of memory" in r.error_text and "CELLC_MEMORY_LIMIT=256M" in r.error_text
    fifo = tmp_path / "never_written"
    os.mkfifo(fifo)
    r = limited.fails(f'#include "{fifo}"', timeout=120)
    assert "gcc did not finish within 3 s (CELLC_CELL_TIMEOUT); the cell was not run" in r.error_text
    holds(limited)


def test_the_memory_limit_makes_malloc_fail(limited):
    r = limited.ok('void *big = malloc(512 << 20); printf("%d\\n", big == NULL);')
    assert r.stdout == "1\n"
    assert limited.value("malloc(64 << 20) != NULL") == "1"
    holds(limited)


def test_limits_magic_shows_the_limits(limited):
    out = limited.ok("%limits").stdout
    assert "256M" in out and "CELLC_MEMORY_LIMIT" in out
    assert "16" in out and "CELLC_MAX_PROCESSES" in out
    assert "3 s" in out and "CELLC_CELL_TIMEOUT" in out
    assert "undo snapshots" in out


def test_default_limits(k):
    out = k.ok("%limits").stdout
    assert "unlimited" in out and "256" in out


@pytest.mark.parametrize(
    "var, value",
    [
        ("CELLC_MEMORY_LIMIT", "lots"),
        ("CELLC_MAX_PROCESSES", "-3"),
        ("CELLC_CELL_TIMEOUT", "soon"),
        ("CELLC_WARNINGS", "loud"),
    ],
)
def test_a_bad_limit_is_a_clear_error_at_start(tmp_path, var, value):
    proc = subprocess.run(
        [sys.executable, "-m", "cellc_kernel", "-f", str(tmp_path / "connection.json")],
        env={**os.environ, var: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert f"cellc: {var}: {value!r}" in proc.stderr


def test_a_misspelt_setting_on_the_command_line_is_a_clear_error_at_start(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "cellc_kernel", "-f", str(tmp_path / "connection.json"), "CELLC_TIMEOUT=3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "cellc: 'CELLC_TIMEOUT=3': CELLC_TIMEOUT is no setting (they are CELLC_MEMORY_LIMIT," in proc.stderr


@pytest.mark.parametrize("where", ["stdout", "off"])
def test_settings_on_the_command_line_win_over_the_environment(where):
    """What nbgrader's `extra_arguments` add to the kernelspec's argv: a grading run with the
    warnings out of stderr (nbgrader fails a test cell with any) and a timeout of its own."""
    kernel = EnvKernel(f"CELLC_WARNINGS={where}", "CELLC_CELL_TIMEOUT=7", CELLC_CELL_TIMEOUT="3")
    try:
        r = kernel.ok("int warned(void) { int unused; return 0; }")
        assert r.stderr == ""
        assert ("unused variable 'unused'" in r.stdout) == (where == "stdout")
        assert "unused variable" in kernel.fails("int unused_too(void) { int unused; return x; }").error_text
        out = kernel.ok("%limits").stdout
        assert "7 s  (CELLC_CELL_TIMEOUT)" in out
        assert ("on stdout" if where == "stdout" else "not shown") + "  (CELLC_WARNINGS)" in out
    finally:
        kernel.shutdown()


def test_snapshots_stay_within_the_memory_budget(fresh_kernel):
    """A 200 MB buffer rewritten cell after cell: old snapshots go, undo says so."""
    k = fresh_kernel
    k.ok(SETUP + "\nchar *buf; enum { SIZE = 200 << 20 };")
    k.ok("buf = malloc(SIZE); memset(buf, 1, SIZE);")
    for i in range(2, 7):
        k.ok(f"memset(buf, {i}, SIZE);")
        tree = sum(proportional(p) for p in _program_processes(k))
        assert tree <= 2 * (200 << 20) + (256 << 20) + (64 << 20), tree >> 20  # + the executor's own pages
    r = k.execute("%undo 5")
    assert "was dropped to keep the program's memory within its budget" in r.error_text + r.stdout
    assert k.value("(int)buf[0]") in ("5", "6")  # as much was undone as said, no more


# -- pure functions ------------------------------------------------------------------------------
def test_event_packets_parse_only_with_the_key_and_the_right_length():
    from cellc_kernel.executor import parse_packet

    key = b"0123abcd"
    assert parse_packet(b"0123abcd ready 12 7\n", key) == ("ready", ["12", "7"], b"")
    assert parse_packet(b"0123abcd mem 3\nabc", key) == ("mem", ["3"], b"abc")
    assert parse_packet(b"0123abcd mem -1\n", key) == ("mem", ["-1"], b"")
    assert parse_packet(b"0123abcd kinds 3\nFD?", key) == ("kinds", ["3"], b"FD?")
    assert parse_packet(b"0123abcd part 2\nxy", key) == ("part", ["2"], b"xy")
    assert parse_packet(b"0123abcd long 5000\n", key) == ("long", ["5000"], b"")
    for forged in (
        b"ready 12 7\n",  # no key
        b"ffffffff ready 12 7\n",  # another key
        b"0123abcd part 999999\n",  # a payload that is not there
        b"0123abcd part\n",  # a part of no size
        b"0123abcd long\n",  # a long event of no size
        b"0123abcd long 3\nabc",  # its parts come first
        b"0123abcd kinds 3\nFD",  # an answer short of a name
        b"0123abcd mem 3\nabcdef",  # too much payload
        b"0123abcd done snapshot\ntrailing",  # bytes after an event that has none
        b"0123abcd nonsense 1\n",  # not an event
        b"0123abcd ready 12 7",  # no end of line
    ):
        assert parse_packet(forged, key) is None, forged


def test_limits_parse_sizes_counts_and_seconds():
    from cellc_kernel.limits import LimitError, Limits, format_size, parse_size

    assert parse_size("512M") == 512 << 20
    assert parse_size("2g") == 2 << 30
    assert parse_size("1.5G") == 3 << 29
    assert parse_size("4096") == 4096
    assert parse_size("64MiB") == 64 << 20
    assert format_size(512 << 20) == "512M" and format_size(1536 << 20) == "1.5G"
    limits = Limits.from_env({"CELLC_MEMORY_LIMIT": "1G", "CELLC_MAX_PROCESSES": "64", "CELLC_CELL_TIMEOUT": "2.5"})
    assert (limits.memory, limits.processes, limits.timeout) == (1 << 30, 64, 2.5)
    assert Limits.from_env({"CELLC_MEMORY_LIMIT": "unlimited"}).memory is None
    assert Limits.from_env({}).processes == 256
    assert Limits.from_env({}).warnings == "stderr"
    assert Limits.from_env({"CELLC_WARNINGS": " Stdout "}).warnings == "stdout"
    for var, bad in (
        ("CELLC_MEMORY_LIMIT", "0"),
        ("CELLC_MAX_PROCESSES", "1.5"),
        ("CELLC_CELL_TIMEOUT", "-1"),
        ("CELLC_WARNINGS", "none"),
    ):
        with pytest.raises(LimitError, match=var):
            Limits.from_env({var: bad})


def test_the_command_line_settings_are_split_from_ipykernels_arguments():
    from cellc_kernel.limits import LimitError, split_settings

    argv = ["-f", "/run/CELLC_X=1.json", "CELLC_WARNINGS=stdout", "--debug", "CELLC_CELL_TIMEOUT=10"]
    assert split_settings(argv) == (
        {"CELLC_WARNINGS": "stdout", "CELLC_CELL_TIMEOUT": "10"},
        ["-f", "/run/CELLC_X=1.json", "--debug"],
    )
    with pytest.raises(LimitError, match="CELLC_WARNING is no setting"):
        split_settings(["CELLC_WARNING=off"])
