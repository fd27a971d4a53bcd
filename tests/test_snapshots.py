"""A snapshot is inert, and the program's signal state survives it (issue 24).

After a cell the process that ran it stays behind as a snapshot while a copy goes on. The program's
dispositions, handlers, mask, pending signals and timers must not act on the snapshot (a crash would
then hang, or the state it rolls back to would change), and must come back exactly in the live
process. A live process that ends while no cell runs is reported once, by the next cell, which then
does not run. Each kernel is fresh: a case that broke one must not fail the next.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from conftest import Kernel

SETUP = """#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
int g = 5;"""

CELL_TIMEOUT = 30  # a hang fails the test instead of CI


@pytest.fixture()
def k():
    kernel = Kernel()
    kernel.ok(SETUP)
    yield kernel
    kernel.shutdown()


def crash_rolls_back(k: Kernel) -> None:
    """A crash reports where, and the program is as before it."""
    r = k.fails("g = 6; *(int *)0 = 0;", timeout=CELL_TIMEOUT)
    assert "Segmentation fault (SIGSEGV)" in r.error_text
    assert "as it was before this cell" in r.error_text
    assert k.value("g") == "5"


def test_sigchld_ignored_no_zombies_idiom(k):
    k.ok("signal(SIGCHLD, SIG_IGN);")
    k.ok("if (fork() == 0) _exit(0);")
    crash_rolls_back(k)
    crash_rolls_back(k)


def test_program_stops_its_snapshot(k):
    r = k.fails("kill(getppid(), SIGSTOP); g = 6; *(int *)0 = 0;", timeout=CELL_TIMEOUT)
    assert "SIGSEGV" in r.error_text
    assert k.value("g") == "5"


def test_undo_after_stopping_the_snapshot(k):
    k.ok("g = 7;")
    k.ok("kill(getppid(), SIGSTOP);")
    r = k.ok("%undo", timeout=CELL_TIMEOUT)
    assert "Undid" in r.stdout
    assert k.value("g") == "7"


def test_ptrace_traceme_then_crash(k):
    r = k.fails("ptrace(PTRACE_TRACEME, 0, 0, 0); g = 6; *(int *)0 = 0;", timeout=CELL_TIMEOUT)
    assert "SIGSEGV" in r.error_text and "line 1" in r.error_text
    assert k.value("g") == "5"


def test_ptrace_traceme_in_an_earlier_cell(k):
    k.ok("ptrace(PTRACE_TRACEME, 0, 0, 0);")
    crash_rolls_back(k)
    k.ok("g = 8;")
    assert k.value("g") == "8"


def test_alarm_fires_in_the_program_not_in_its_snapshot(k):
    k.ok("int keep = 456;")
    k.ok("alarm(1);")
    time.sleep(3)  # the program dies of it between cells, as it would in a terminal
    r = k.fails("*(int *)0 = 0;", timeout=CELL_TIMEOUT)
    assert "Alarm clock (SIGALRM)" in r.error_text
    assert "while no cell was running: this cell did not run" in r.error_text
    assert "no longer set" in r.error_text
    crash_rolls_back(k)
    assert k.value("keep") == "456"


def test_a_timer_ends_the_program_while_the_next_cell_compiles(k):
    """The alarm goes off a few ms after its cell returned, while the kernel compiles the next cell:
    the command sent to the process that ended must not run in the one resumed after it.  (It did:
    the cell was reported as killed by the alarm but had run, and each later cell got the output
    and the status of the cell before it.)  Wherever the alarm falls, each cell that succeeds
    prints its own line and the count goes on from the cells that ran."""
    k.ok("int x = 0;")
    for delay in (4000, 7000, 10000, 13000):  # microseconds: a compile takes about 10 ms
        k.ok("x = 0;")
        k.ok(f"ualarm({delay}, 0);")
        count = 0
        for i in range(6):
            r = k.execute(f'x++; printf("cell {i} x=%d\\n", x);', timeout=CELL_TIMEOUT)
            if r.status == "ok":
                count += 1
                assert r.stdout == f"cell {i} x={count}\n"
            else:
                assert "Alarm clock (SIGALRM)" in r.error_text, r.error_text
        assert k.value("x") == str(count)


def test_alarm_and_its_handler_reach_the_next_cell(k):
    k.ok("volatile int hits = 0;")
    k.ok("void on_alarm(int sig) { hits++; }")
    k.ok("signal(SIGALRM, on_alarm); alarm(1);")
    k.ok("pause();", timeout=CELL_TIMEOUT)
    assert k.value("hits") == "1"


def test_timer_keeps_its_remaining_time(k):
    k.ok("struct itimerval it = {{0, 0}, {100, 0}};")
    k.ok("setitimer(ITIMER_REAL, &it, 0);")
    k.ok("struct itimerval now;")
    crash_rolls_back(k)
    k.ok("getitimer(ITIMER_REAL, &now);")
    assert 90 <= int(k.value("now.it_value.tv_sec")) <= 100


def test_sigchld_handler_does_not_run_in_snapshots(k):
    k.ok("volatile int children = 0;")
    k.ok("void on_child(int sig) { children++; }")
    k.ok("signal(SIGCHLD, on_child);")
    crash_rolls_back(k)
    crash_rolls_back(k)
    assert k.value("children") == "0"
    k.ok("if (fork() == 0) _exit(0); wait(NULL);")
    assert k.value("children") == "1"


def test_blocked_pending_signal_stays_pending(k):
    k.ok("sigset_t usr1;")
    k.ok("sigemptyset(&usr1); sigaddset(&usr1, SIGUSR1); sigprocmask(SIG_BLOCK, &usr1, 0);")
    k.ok("raise(SIGUSR1);")
    crash_rolls_back(k)
    k.ok("sigset_t waiting;")
    k.ok("sigpending(&waiting);")
    assert k.value("sigismember(&waiting, SIGUSR1)") == "1"


def test_a_pending_signal_keeps_its_queue(k):
    """kill() while blocked leaves a signal pending to the process, raise() to the thread: one of
    each is handled twice, two kill()s once, across cells as in one run (found by the soak)."""
    k.ok("volatile int hits = 0;")
    k.ok("void on_usr1(int sig) { hits++; }")
    k.ok("signal(SIGUSR1, on_usr1);")
    k.ok("sigset_t usr1;")
    k.ok("sigemptyset(&usr1); sigaddset(&usr1, SIGUSR1); sigprocmask(SIG_BLOCK, &usr1, 0);")
    k.ok("kill(getpid(), SIGUSR1);")
    crash_rolls_back(k)
    k.ok("kill(getpid(), SIGUSR1);")
    assert k.value("sigprocmask(SIG_UNBLOCK, &usr1, 0); hits") == "1"
    k.ok("sigprocmask(SIG_BLOCK, &usr1, 0); raise(SIGUSR1);")
    k.ok("kill(getpid(), SIGUSR1);")
    assert k.value("sigprocmask(SIG_UNBLOCK, &usr1, 0); hits") == "3"


def test_thread_exits_while_no_cell_runs(k):
    k.ok("void *quit_later(void *arg) { sleep(1); exit(3); }")
    k.ok("pthread_t t;")
    k.ok("pthread_create(&t, 0, quit_later, 0); pthread_detach(t);")
    time.sleep(3)  # the thread ends the program between cells
    r = k.fails('g = 9; printf("ran\\n");', timeout=CELL_TIMEOUT)
    assert "exit(3)" in r.error_text and "this cell did not run" in r.error_text
    assert "ran" not in r.stdout
    r = k.ok('printf("next\\n");')
    assert r.stdout == "next\n"
    assert k.value("g") == "5"


def test_killed_from_outside_while_no_cell_runs(k):
    k.ok("g = 6;")
    live = int(k.value("getpid()"))  # the live process goes on from cell to cell
    os.kill(live, signal.SIGKILL)  # as the OOM killer does
    r = k.fails("g = 7;", timeout=CELL_TIMEOUT)
    assert "SIGKILL" in r.error_text and "this cell did not run" in r.error_text
    assert "after the last cell that ran" in r.error_text
    assert k.value("g") == "6"
    assert k.value("g + 1") == "7"
