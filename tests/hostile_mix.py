"""Random hostile notebooks for the soak (tests/test_hostile_soak.py), and what a never-crashed
program holds after each of their cells.

A seed makes a notebook the way a user writes one: headers, globals and functions first, then
cells that change globals, an array, a heap struct and list reached from global pointers and a
static inside a function (and redefine that function, or a handler); install handlers that count
into globals (SA_RESETHAND, with and without SA_RESTART), raise signals to the thread or the
process, from threads and from children, and block them; wait for `setitimer` timers in the cell
or let one run across cells; start threads (joined, or detached and waited for); fork children
that print, exit, crash or read stdin, and one that a later cell releases and waits for; read
stdin (answered through the kernel's input requests); crash after some of this (segfault, abort,
assert, division by zero, double free, stack overflow, a thread's segfault, overflow or exit, a
handler's segfault, a signal whose default kills, exit, pthread_exit); and `%undo` now and then.

The reference is a model in Python, not a second kernel. Every effect a generated statement has
is short to state (a counter goes up by the handler's step, a blocked signal waits in the thread's
or the process's queue, a child's status lands in a global, scanf reads what the answer left in
stdin's buffer), so the model says exactly what a file's program holds, where a second kernel
would share cellc's mistakes: each bug the soak found was in what both kernels would have done
alike. A crashing cell changes nothing (rollback); `%undo N` goes back N successful cells (the
probes count), of at most 8 kept; what is outside the program (a child that ended, its pipe) is
not brought back by `%undo`.

Timing is never part of the model, and shapes whose result depends on it are left out:
- a timer left running across cells is counted as fired when it is set (the probe counts an armed
  or pending SIGALRM as one), and while it runs no cell touches SIGALRM's handler or timer;
- a SIGUSR1 handler without SA_RESTART never meets a waitpid() for the child that sends it (EINTR
  or the status, in a file too, depending on which comes first);
- the child started in one cell is released by a cell that does not crash (its SIGCHLD would come
  while the program is rolled back); after a rollback its parent is gone, and the root reaps it;
  while it waits, no cell ends with kill(0, SIGTERM) (that would end it too, as in one file).
Left out as documented limits: a pid saved before a rollback and signalled by the program after it
(getpid() changes then), MAP_SHARED memory (not rolled back), popen (not counted).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field

EOF = -1
MASKABLE = ("USR1", "CHLD")  # the signals cells block
UNDO_DEPTH = 8  # snapshots the kernel keeps (executor.max_snapshots)

SETUP = [
    """#define _GNU_SOURCE
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>""",
    "#define DRAIN() do { int c_; while ((c_ = getchar()) != '\\n' && c_ != EOF) {} } while (0)",
    """int ga, gb;
long arr[8];
int last_status = -2, last_in = -2;""",
    "struct rec { int n; long sum; };",
    "struct rec *rp;",
    "rp = calloc(1, sizeof *rp);",
    "struct node { long v; struct node *next; };",
    "struct node *head;",
    """void push(long v) {
    struct node *n = malloc(sizeof *n);
    n->v = v;
    n->next = head;
    head = n;
}""",
    """void pop(void) {
    struct node *n = head;
    if (n) {
        head = n->next;
        free(n);
    }
}""",
    "int bg_pipe[2];",
    "pid_t bg;",
    "int tally(int d) { static int total; total += d; return total; }",
    "volatile sig_atomic_t n_usr1, n_alrm, n_chld;",
    "void on_usr1(int sig) { n_usr1 += 1; }",
    "void on_usr1_b(int sig) { n_usr1 += 10; }",
    "void on_alrm(int sig) { n_alrm += 1; }",
    "void on_chld(int sig) { n_chld += 1; }",
    "void on_usr1_crash(int sig) { *(volatile int *)NULL = sig; }",
    "pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;",
    """void *adder(void *p) {
    long k = (long)p;
    pthread_mutex_lock(&mu);
    arr[k % 8] += k;
    pthread_mutex_unlock(&mu);
    return NULL;
}""",
    "void *pusher(void *p) { push((long)p); return p; }",
    "void *crasher(void *p) { *(volatile int *)p = 1; return p; }",
    "void *raiser(void *p) { kill(getpid(), SIGUSR1); return p; }",
    "void *quitter(void *p) { exit(4); }",
    "void *thread_reader(void *p) { *(int *)p = getchar(); return p; }",
    "volatile int detached_done;",
    "void *detached_worker(void *p) { gb += (int)(long)p; detached_done = 1; return NULL; }",
    "int deep(int n) { volatile char pad[512]; pad[0] = n; return deep(n + 1) + pad[0]; }",
    "void *deep_runner(void *p) { return (void *)(long)deep(0); }",
    """int reap(pid_t child) {
    int st;
    if (waitpid(child, &st, 0) < 0)
        return -1;
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}""",
    """char disposition(int sig) {
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    if (sa.sa_handler == SIG_DFL) return 'D';
    if (sa.sa_handler == SIG_IGN) return 'I';
    if (sa.sa_handler == on_usr1 || sa.sa_handler == on_alrm || sa.sa_handler == on_chld) return 'h';
    if (sa.sa_handler == on_usr1_b) return 'b';
    return '?';
}""",
    """void probe(void) {
    sigset_t alarm_only, mask, waiting;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    sigprocmask(SIG_BLOCK, &alarm_only, &mask);
    struct itimerval left;
    getitimer(ITIMER_REAL, &left);
    sigpending(&waiting);
    /* a timer still running counts as fired: when it fires is not the model's business */
    int alarms = n_alrm + ((left.it_value.tv_sec || left.it_value.tv_usec) || sigismember(&waiting, SIGALRM));
    sigprocmask(SIG_SETMASK, &mask, NULL);
    int nodes = 0;
    long hash = 0;
    for (struct node *n = head; n; n = n->next, nodes++)
        hash = (hash * 31 + n->v) % 1000003;
    printf("ga=%d gb=%d arr=%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld rec=%d,%ld list=%d,%ld tally=%d "
           "usr1=%d alrm=%d chld=%d disp=%c%c%c blocked=%d%d pending=%d%d status=%d in=%d\\n",
           ga, gb, arr[0], arr[1], arr[2], arr[3], arr[4], arr[5], arr[6], arr[7], rp->n, rp->sum, nodes, hash,
           tally(0), (int)n_usr1, alarms, (int)n_chld, disposition(SIGUSR1), disposition(SIGALRM),
           disposition(SIGCHLD), sigismember(&mask, SIGUSR1), sigismember(&mask, SIGCHLD),
           sigismember(&waiting, SIGUSR1), sigismember(&waiting, SIGCHLD), last_status, last_in);
}""",
]
PROBE = "probe();"


@dataclass
class State:
    """What the program holds, as probe() prints it (and what it cannot print: stdin's buffer)."""

    ga: int = 0
    gb: int = 0
    arr: list[int] = field(default_factory=lambda: [0] * 8)
    rec_n: int = 0
    rec_sum: int = 0
    nodes: list[int] = field(default_factory=list)  # from head
    tally: int = 0
    tally_mul: int = 1  # tally()'s current definition: total += d * tally_mul
    usr1_step: int = 1  # on_usr1's current definition
    n_usr1: int = 0
    n_alrm: int = 0  # a timer set and not yet waited for is counted already
    n_chld: int = 0
    disp: dict[str, str] = field(default_factory=lambda: {"USR1": "D", "ALRM": "D", "CHLD": "D"})
    once: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(MASKABLE + ("ALRM",), False))  # SA_RESETHAND
    restart: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(MASKABLE + ("ALRM",), True))  # SA_RESTART
    blocked: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(MASKABLE, False))
    # Pending while blocked: to the thread (raise) and to the process (kill, a child's end) are two
    # queues; a signal pending in both is handled twice when unblocked.
    pending: dict[str, set[str]] = field(default_factory=lambda: {sig: set() for sig in MASKABLE})
    armed: bool = False  # a one-shot ITIMER_REAL left running across cells
    bg: int | None = None  # a child started in an earlier cell, blocked on bg_pipe: the code it will exit with
    bg_id: int = 0  # which one (Mix.released: the ones that ended, which %undo does not bring back)
    last_status: int = -2
    last_in: int = -2
    stdin_rest: str = ""  # what stdin's buffer holds of the last line read

    def line(self) -> str:
        """probe()'s line for this state."""
        hash_ = 0
        for v in self.nodes:
            hash_ = (hash_ * 31 + v) % 1000003
        arr = ",".join(map(str, self.arr))
        disp = self.disp["USR1"] + self.disp["ALRM"] + self.disp["CHLD"]
        return (
            f"ga={self.ga} gb={self.gb} arr={arr} rec={self.rec_n},{self.rec_sum} list={len(self.nodes)},{hash_} "
            f"tally={self.tally} usr1={self.n_usr1} alrm={self.n_alrm} chld={self.n_chld} disp={disp} "
            f"blocked={int(self.blocked['USR1'])}{int(self.blocked['CHLD'])} "
            f"pending={int(bool(self.pending['USR1']))}{int(bool(self.pending['CHLD']))} "
            f"status={self.last_status} in={self.last_in}\n"
        )


@dataclass
class Cell:
    """A cell and what the kernel must answer: its status, output and input requests."""

    code: str
    kind: str
    error: str | None = None  # the ename a failing cell reports
    stdout: str | None = ""  # None: not checked (%undo's message)
    inputs: list[str] = field(default_factory=list)  # one answer per input request, in order


class Killed(Exception):
    """A statement ends the program: the cell fails with this ename."""

    def __init__(self, ename: str):
        super().__init__(ename)
        self.ename = ename


class Writing:
    """One cell being written: the program's state as its statements leave it, the input it
    asks for and what it prints."""

    def __init__(self, state: State, rng: random.Random, released: set[int], crashing: bool = False):
        self.s = copy.deepcopy(state)
        self.rng = rng
        self.released = released  # background children that ended: the world outside is not rolled back
        self.crashing = crashing  # the cell will crash: nothing in it may outlive it in the world outside
        self.inputs: list[str] = []
        self.out: list[str] = []
        self.eof = False  # a thread's read saw end-of-file: stdin stays there until the cell ends
        self.declared: set[str] = set()  # names the cell declares at its top level

    # -- signals -------------------------------------------------------------------------------
    def deliver(self, sig: str) -> None:
        """SIG arrives and is not blocked: its disposition acts (Killed if it kills)."""
        disp = self.s.disp[sig]
        if disp == "I" or (disp == "D" and sig == "CHLD"):
            return
        if disp == "D":
            raise Killed("SIG" + sig)
        if self.s.once[sig]:  # SA_RESETHAND: back to SIG_DFL as the handler starts
            self.s.disp[sig], self.s.once[sig] = "D", False
        if sig == "USR1":
            self.s.n_usr1 += self.s.usr1_step if disp == "h" else 10
        elif sig == "ALRM":
            self.s.n_alrm += 1
        else:
            self.s.n_chld += 1

    def interrupts_waits(self) -> bool:
        """Whether SIGUSR1 coming during a waitpid() for the child that sent it makes the result a
        race, in a file too (EINTR if it comes before the child has ended, its status after)."""
        return self.s.disp["USR1"] in "hb" and not self.s.restart["USR1"] and not self.s.blocked["USR1"]

    def lethal(self, sig: str) -> bool:
        """Whether raise(SIG) now ends the program."""
        return self.s.disp[sig] == "D" and sig != "CHLD" and not self.s.blocked.get(sig, False)

    def send(self, sig: str, to: str = "process") -> None:
        """kill() (to the process) or raise() (to the thread): pending if blocked (whatever its
        disposition), else delivered."""
        if self.s.blocked.get(sig, False):
            self.s.pending[sig].add(to)
        else:
            self.deliver(sig)

    def child_ended(self) -> None:
        """A child ended: the kernel sends SIGCHLD unless it is ignored."""
        if self.s.disp["CHLD"] != "I":
            self.send("CHLD")

    def set_disposition(self, sig: str, disp: str, once: bool = False, restart: bool = True) -> None:
        self.s.disp[sig], self.s.once[sig], self.s.restart[sig] = disp, once, restart
        if sig in MASKABLE and (disp == "I" or (disp == "D" and sig == "CHLD")):
            self.s.pending[sig] = set()  # POSIX: a pending signal that is now ignored is discarded

    def unblock(self, sig: str) -> None:
        self.s.blocked[sig] = False
        queues, self.s.pending[sig] = self.s.pending[sig], set()
        for _ in queues:
            self.deliver(sig)

    def unblock_kills(self, sig: str) -> str | None:
        """The ename if unblocking SIG now would end the program."""
        try:
            copy.deepcopy(self).unblock(sig)
        except Killed as e:
            return e.ename
        return None

    # -- stdin -------------------------------------------------------------------------------------
    def getc(self, make_line: Callable[[], str]) -> int:
        """The cell's thread reads a character: a new line is asked for when the buffer is empty."""
        if self.eof:
            return EOF
        if not self.s.stdin_rest:
            line = make_line()
            self.inputs.append(line)
            self.s.stdin_rest = line + "\n"
        c, self.s.stdin_rest = self.s.stdin_rest[0], self.s.stdin_rest[1:]
        return ord(c)

    def scan_int(self, make_line: Callable[[], str]) -> int | None:
        """scanf("%d"): skips white space (asking for lines), reads the digits, leaves the rest;
        None at end-of-file or before what is not a number."""
        c = self.getc(make_line)
        while c != EOF and chr(c).isspace():
            c = self.getc(make_line)
        if c == EOF:
            return None
        digits = chr(c)
        if not digits.isdigit():  # a word left by an earlier read: no match, it stays in the buffer
            self.s.stdin_rest = digits + self.s.stdin_rest
            return None
        while self.s.stdin_rest[:1].isdigit():
            digits += self.s.stdin_rest[0]
            self.s.stdin_rest = self.s.stdin_rest[1:]
        return int(digits)

    def gets(self, make_line: Callable[[], str], size: int = 32) -> str | None:
        """fgets(buf, size, stdin)."""
        text = ""
        while len(text) < size - 1:
            c = self.getc(make_line)
            if c == EOF:
                break
            text += chr(c)
            if text.endswith("\n"):
                break
        return text or None

    def other_getc(self, thread: bool) -> int:
        """getchar() in another thread (which shares stdin's buffer) or a forked child (a copy of it):
        what is buffered, else end-of-file: only the cell's own thread asks the kernel for input."""
        rest = self.s.stdin_rest
        if rest:
            if thread:
                self.s.stdin_rest = rest[1:]
            return ord(rest[0])
        if thread:
            self.eof = True  # end-of-file is sticky in glibc's stdio until clearerr (the next cell)
        return EOF

    # -- helpers ---------------------------------------------------------------------------------
    def number(self) -> str:
        return str(self.rng.randrange(1000))

    def word(self) -> str:
        return self.rng.choice(["y", "no", "42", "q", "abc", "7", "hello"])


def _atoi(text: str | None) -> int:
    digits = ""
    for ch in (text or "").lstrip():
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else 0


def _block(*lines: str) -> str:
    """A braced block of statements, as one writes locals that belong to one step."""
    return "{\n" + "".join(f"    {line}\n" for text in lines for line in text.split("\n")) + "}"


def _top(w: Writing, name: str, *lines: str) -> str:
    """Statements that declare `name` at the top of the cell (a global, as a user's cell makes it);
    in a block if the cell declared it already."""
    if name in w.declared:
        return _block(*lines)
    w.declared.add(name)
    return "\n".join(lines)


# -- effects: each writes statements and applies them to the state, or returns None ---------------
Effect = Callable[[Writing], "str | None"]


def e_ints(w: Writing) -> str:
    r, s = w.rng, w.s
    v = r.randrange(1, 100)
    choice = r.randrange(4)
    if choice == 0:
        s.ga = v
        return f"ga = {v};"
    if choice == 1:
        s.gb += v
        return f"gb += {v};"
    if choice == 2:
        s.ga = (s.ga * 7 + s.gb) % 1000
        return "ga = (ga * 7 + gb) % 1000;"
    s.ga, s.gb = s.gb, s.ga
    return _block("int t = ga;", "ga = gb;", "gb = t;")


def e_array(w: Writing) -> str:
    r, s = w.rng, w.s
    choice = r.randrange(3)
    if choice == 0:
        i, v = r.randrange(8), r.randrange(1, 50)
        s.arr[i] += v
        return f"arr[{i}] += {v};"
    if choice == 1:
        s.arr = [(x * 3 + i) % 1000 for i, x in enumerate(s.arr)]
        return "for (int i = 0; i < 8; i++)\n    arr[i] = (arr[i] * 3 + i) % 1000;"
    s.arr = [s.arr[0], *s.arr[:7]]
    return "memmove(arr + 1, arr, 7 * sizeof *arr);"


def e_heap(w: Writing) -> str:
    r, s = w.rng, w.s
    choice = r.randrange(6)
    v = r.randrange(1, 60)
    if choice == 0:
        s.rec_n += v
        s.rec_sum += s.rec_n
        return f"rp->n += {v};\nrp->sum += rp->n;"
    if choice == 1:  # the struct moves: the global pointer follows it
        return _block("struct rec *moved = malloc(sizeof *moved);", "*moved = *rp;", "free(rp);", "rp = moved;")
    if choice == 2:
        s.nodes.insert(0, v)
        return f"push({v});"
    if choice == 3:
        s.nodes = s.nodes[1:]
        return "pop();"
    if choice == 4:
        k = r.randrange(2, 6)
        for i in range(k):
            s.nodes.insert(0, i * v)
        return f"for (int i = 0; i < {k}; i++)\n    push(i * {v});"
    s.nodes = []
    return "while (head)\n    pop();"


def e_tally(w: Writing) -> str:
    v = w.rng.randrange(1, 30)
    w.s.tally += v * w.s.tally_mul
    return f"tally({v});"


def e_handler(w: Writing) -> str | None:
    r, s = w.rng, w.s
    sig = r.choice(["USR1", "USR1", "ALRM", "CHLD"])
    if sig == "ALRM" and s.armed:
        return None  # the running timer's signal must find the handler that counts it
    options = {"USR1": ["h", "b", "I", "D"], "ALRM": ["h", "I", "D"], "CHLD": ["h", "I", "D"]}[sig]
    disp = r.choice(options)
    target = {"h": {"USR1": "on_usr1", "ALRM": "on_alrm", "CHLD": "on_chld"}[sig], "b": "on_usr1_b"}.get(
        disp, {"I": "SIG_IGN", "D": "SIG_DFL"}.get(disp)
    )
    once = disp in "hb" and r.random() < 0.25
    # Without SA_RESTART, a SIGALRM would end any wait the cell is in (a timer runs across cells).
    restart = sig == "ALRM" or disp not in "hb" or r.random() < 0.7
    w.set_disposition(sig, disp, once, restart)
    if r.random() < 0.5 and not once and restart:
        return f"signal(SIG{sig}, {target});"
    flags = " | ".join(["SA_RESTART"] * restart + ["SA_RESETHAND"] * once) or "0"
    return _block(
        "struct sigaction sa;",
        "memset(&sa, 0, sizeof sa);",
        f"sa.sa_handler = {target};",
        f"sa.sa_flags = {flags};",
        f"sigaction(SIG{sig}, &sa, NULL);",
    )


def e_raise(w: Writing) -> str | None:
    r = w.rng
    sig = r.choice(["USR1", "USR1", "ALRM", "CHLD"])
    if w.lethal(sig):
        return None
    if sig == "USR1" and r.random() < 0.3:  # from another thread: the signal is the process's
        w.send(sig)
        return _block("pthread_t t;", "pthread_create(&t, NULL, raiser, NULL);", "pthread_join(t, NULL);")
    if r.random() < 0.5:
        w.send(sig, "thread")
        return f"raise(SIG{sig});"
    w.send(sig)
    return f"kill(getpid(), SIG{sig});"


def e_mask(w: Writing) -> str | None:
    s = w.s
    sig = w.rng.choice(MASKABLE)
    how = "SIG_UNBLOCK" if s.blocked[sig] else "SIG_BLOCK"
    if s.blocked[sig]:
        if w.unblock_kills(sig):
            return None  # a crash tail
        w.unblock(sig)
    else:
        s.blocked[sig] = True
    return _mask(how, sig)


def _mask(how: str, sig: str) -> str:
    return _block("sigset_t s;", "sigemptyset(&s);", f"sigaddset(&s, SIG{sig});", f"sigprocmask({how}, &s, NULL);")


def _timer(usec: int, interval: int = 0) -> str:
    return f"setitimer(ITIMER_REAL, &(struct itimerval){{{{0, {interval}}}, {{0, {usec}}}}}, NULL);"


def e_alarm_here(w: Writing) -> str | None:
    """A timer set and waited for in the cell."""
    r, s = w.rng, w.s
    if s.armed:
        return None  # its expiry would be taken for the running one's
    disp = s.disp["ALRM"]
    choice = r.randrange(4)
    if choice == 0:  # alarm() set and taken back
        return _block("unsigned before = alarm(5);", "alarm(0);", "(void)before;")
    if disp == "D":
        return None  # it would kill: a crash tail
    usec = r.randrange(2, 20) * 1000
    if choice == 1 or disp == "I":
        # The careless way: the signal may come before usleep starts, which then sleeps in full.
        if disp == "h":
            w.deliver("ALRM")
        return f"{_timer(usec)}\nusleep(300000);"
    # The careful way: SIGALRM blocked until sigsuspend waits for it.
    blocked = ("sigset_t block, old;", "sigemptyset(&block);", "sigaddset(&block, SIGALRM);")
    blocked += ("sigprocmask(SIG_BLOCK, &block, &old);",)
    if choice == 2:
        w.deliver("ALRM")
        wait = ("int seen = n_alrm;", _timer(usec), "while (n_alrm == seen)", "    sigsuspend(&old);")
        return _block(*blocked, *wait, "sigprocmask(SIG_SETMASK, &old, NULL);")
    if s.once["ALRM"]:
        return None  # a second tick would find SIG_DFL
    ticks = r.randrange(2, 5)
    for _ in range(ticks):
        w.deliver("ALRM")
    return _block(
        *blocked,
        _timer(3000, 3000),
        f"for (int tick = 0; tick < {ticks}; tick++)",
        "    sigsuspend(&old);",
        "setitimer(ITIMER_REAL, &(struct itimerval){0}, NULL);",
        "struct timespec now = {0};",
        "sigtimedwait(&block, NULL, &now); /* a tick that came after the last one counted */",
        "sigprocmask(SIG_SETMASK, &old, NULL);",
    )


def e_alarm_carried(w: Writing) -> str | None:
    """A one-shot timer that runs on after the cell, or the wait for it in a later cell."""
    s = w.s
    if s.armed:
        s.armed = False  # counted when it was set
        return _block(
            "struct itimerval left;",
            "do {",
            "    usleep(2000);",
            "    getitimer(ITIMER_REAL, &left);",
            "} while (left.it_value.tv_sec || left.it_value.tv_usec);",
        )
    if s.disp["ALRM"] != "h" or s.once["ALRM"]:
        return None  # it must find the handler that counts it, whenever it fires
    s.armed = True
    s.n_alrm += 1
    return _timer(w.rng.randrange(50, 400) * 1000)


def e_threads(w: Writing) -> str:
    r, s = w.rng, w.s
    choice = r.randrange(3)
    if choice == 0:
        n, base = r.randrange(2, 5), r.randrange(20)
        for i in range(n):
            s.arr[(i + base) % 8] += i + base
        return _block(
            f"pthread_t t[{n}];",
            f"for (long i = 0; i < {n}; i++)",
            f"    pthread_create(&t[i], NULL, adder, (void *)(i + {base}));",
            f"for (int i = 0; i < {n}; i++)",
            "    pthread_join(t[i], NULL);",
        )
    v = r.randrange(1, 90)
    if choice == 1:
        s.nodes.insert(0, v)
        start = f"pthread_create(&pt, NULL, pusher, (void *){v});"
        return _top(w, "pt", "pthread_t pt;", start, "pthread_join(pt, NULL);")
    s.gb += v
    return _block(
        "detached_done = 0;",
        "pthread_t t;",
        f"pthread_create(&t, NULL, detached_worker, (void *){v});",
        "pthread_detach(t);",
        "while (!detached_done)",
        "    usleep(1000);",
    )


def _status(w: Writing, code: int) -> int:
    """What reap() returns for a child that ended with `code`: SIGCHLD ignored, it is reaped unseen."""
    ignored = w.s.disp["CHLD"] == "I"  # as it ends: a SA_RESETHAND handler may reset it just after
    w.child_ended()
    return -1 if ignored else code


def e_fork(w: Writing) -> str:
    r, s = w.rng, w.s
    choice = r.randrange(6)
    v = r.randrange(1, 100)
    if choice == 4:
        k = r.randrange(2, 5)
        for i in range(k):
            s.last_status = _status(w, i + v)
        return _block(
            f"for (int i = 0; i < {k}; i++) {{",
            "    pid_t c = fork();",
            "    if (c == 0)",
            f"        exit(i + {v});",
            "    last_status = reap(c);",
            "}",
        )
    if choice == 5 and s.disp["CHLD"] == "I":
        return "if (fork() == 0) /* SIGCHLD ignored: no zombie to reap */\n    _exit(0);"
    if choice == 5 and not w.lethal("USR1") and not w.interrupts_waits():
        w.send("USR1")  # before the child ends
        s.last_status = _status(w, 0)
        child = "if (kid == 0) {\n    kill(getppid(), SIGUSR1);\n    _exit(0);\n}"
    elif choice == 1:
        s.last_status = _status(w, 128 + 11)
        child = "if (kid == 0)\n    *(volatile int *)NULL = 1;"
    elif choice == 2:
        s.last_status = _status(w, 128 + 6)
        child = "if (kid == 0)\n    abort();"
    elif choice == 3:
        c = w.other_getc(thread=False)
        s.last_status = _status(w, 200 if c == EOF else c)
        child = "if (kid == 0) {\n    int c = getchar();\n    _exit(c == EOF ? 200 : c);\n}"
    else:
        w.out.append(f"child {v}\n")
        s.last_status = _status(w, v)
        child = (
            f'if (kid == 0) {{\n    ga = 999;\n    printf("child %d\\n", {v});\n'
            f"    fflush(stdout);\n    _exit({v});\n}}"
        )
    return _top(w, "kid", "pid_t kid = fork();", child, "last_status = reap(kid);")


def e_background(w: Writing) -> str | None:
    """A child started in one cell that a later cell releases and waits for (after a rollback, its
    parent is gone and the executor's root reaps it for the program)."""
    s = w.s
    if s.bg is None:
        s.bg, s.bg_id = w.rng.randrange(1, 100), w.rng.getrandbits(48)
        return (
            "pipe(bg_pipe);\nbg = fork();\n"
            "if (bg == 0) {\n    signed char go = 0;\n    close(bg_pipe[1]);\n"
            "    read(bg_pipe[0], &go, 1);\n"
            "    if (go < 0) { /* told to signal its parent first */\n"
            "        kill(getppid(), SIGUSR1);\n        go = -go;\n    }\n"
            "    _exit(go);\n}\n"
            "close(bg_pipe[0]);"
        )
    if w.crashing:
        return None  # it would end as the program is rolled back: when its SIGCHLD comes is not the model's
    code = go = s.bg
    s.bg = None
    if s.bg_id in w.released:
        # %undo went back to before a cell that released it: it has ended, and its pipe has no reader
        # (a write would raise SIGPIPE); its status is still there for the program that never waited.
        s.last_status = -1 if s.disp["CHLD"] == "I" else code
        return "close(bg_pipe[1]);\nlast_status = reap(bg);"
    w.released.add(s.bg_id)
    if w.rng.random() < 0.4 and not w.lethal("USR1") and not w.interrupts_waits():
        w.send("USR1")
        go = -code
    s.last_status = _status(w, code)
    release = _block(f"signed char go = {go};", "write(bg_pipe[1], &go, 1);", "close(bg_pipe[1]);")
    return release + "\nlast_status = reap(bg);"


def e_stdin(w: Writing) -> str:
    r, s = w.rng, w.s
    choice = r.randrange(6)
    if choice == 0:
        got = w.scan_int(w.number)
        if got is not None:
            s.last_in = got
        return 'scanf("%d", &last_in);'
    if choice == 1:
        s.last_in = w.getc(w.word)
        return "last_in = getchar();"
    if choice == 2:
        line = w.gets(w.number)
        if line is not None:
            s.last_in = _atoi(line)
        return _block("char line[32];", "if (fgets(line, sizeof line, stdin))", "    last_in = atoi(line);")
    if choice == 3:
        while w.getc(w.word) not in (ord("\n"), EOF):
            pass
        return "DRAIN();"
    if choice == 4:

        def two() -> str:
            return f"{r.randrange(100)} {r.randrange(100)}"

        a = w.scan_int(two)
        b = w.scan_int(two) if a is not None else None
        if a is not None:
            s.ga = a
        if b is not None:
            s.gb = b
        return 'scanf("%d %d", &ga, &gb);'
    s.last_in = w.other_getc(thread=True)
    return _block("pthread_t t;", "pthread_create(&t, NULL, thread_reader, &last_in);", "pthread_join(t, NULL);")


def e_sleep(w: Writing) -> str:
    return f"usleep({w.rng.randrange(1, 20) * 1000});"


EFFECTS: list[tuple[Effect, int]] = [
    (e_ints, 6),
    (e_array, 5),
    (e_heap, 6),
    (e_tally, 3),
    (e_handler, 6),
    (e_raise, 5),
    (e_mask, 3),
    (e_alarm_here, 3),
    (e_alarm_carried, 3),
    (e_threads, 4),
    (e_fork, 5),
    (e_background, 3),
    (e_stdin, 5),
    (e_sleep, 1),
]


# -- definitions: a redefined function reaches its callers, a static starts afresh -----------------
def d_tally(w: Writing) -> str:
    start, mul = w.rng.randrange(0, 50), w.rng.randrange(1, 4)
    w.s.tally, w.s.tally_mul = start, mul
    return f"int tally(int d) {{ static int total = {start}; total += d * {mul}; return total; }}"


def d_on_usr1(w: Writing) -> str:
    step = w.rng.randrange(1, 6)
    w.s.usr1_step = step
    return f"void on_usr1(int sig) {{ n_usr1 += {step}; }}"


DEFINITIONS = [d_tally, d_on_usr1]


# -- crashes: the end of a cell that kills the program (Killed), chosen for the state at that point --
def crash_tail(w: Writing) -> tuple[str, str]:
    """Statements that end the program, and the ename the kernel reports."""
    r, s = w.rng, w.s

    def thread(fn: str) -> str:
        return _block("pthread_t t;", f"pthread_create(&t, NULL, {fn}, NULL);", "pthread_join(t, NULL);")

    tails: list[tuple[str, str]] = [
        ("*(volatile int *)NULL = 1;", "SIGSEGV"),
        ("abort();", "SIGABRT"),
        ("assert(ga < 0);", "SIGABRT"),
        (_block("volatile int zero = 0;", "ga = ga / zero;"), "SIGFPE"),
        ("deep(0);", "SIGSEGV"),
        (thread("crasher"), "SIGSEGV"),
        (thread("deep_runner"), "SIGSEGV"),
        (thread("quitter"), "Exit"),
        (_block("char *p = malloc(16);", "free(p);", "free(p);"), "SIGABRT"),
        (f"exit({r.randrange(0, 5)});", "Exit"),
        ("pthread_exit(NULL);", "Exit"),
    ]
    if s.bg is None:  # else it would end the background child too: it is in the program's group, as in one file
        tails.append(("kill(0, SIGTERM);", "SIGTERM"))
    if not s.blocked["USR1"]:
        tails.append(("signal(SIGUSR1, on_usr1_crash);\nraise(SIGUSR1);", "SIGSEGV"))
    if s.blocked["USR1"] and w.unblock_kills("USR1"):  # SIG_DFL, or a SA_RESETHAND handler pending twice
        tails.append((_mask("SIG_UNBLOCK", "USR1"), "SIGUSR1"))
    if s.disp["USR1"] == "D":
        if not s.blocked["USR1"]:
            tails.append(("raise(SIGUSR1);", "SIGUSR1"))
            kill_parent = "if (kid == 0) {\n    kill(getppid(), SIGUSR1);\n    _exit(0);\n}"
            tails.append((_top(w, "kid", "pid_t kid = fork();", kill_parent, "last_status = reap(kid);"), "SIGUSR1"))
    if s.disp["ALRM"] == "D":
        tails.append(("raise(SIGALRM);", "SIGALRM"))
        if not s.armed:
            tails.append((f"{_timer(r.randrange(2, 20) * 1000)}\nusleep(300000);", "SIGALRM"))
    return r.choice(tails)


class Mix:
    """The notebook of one seed, cell by cell, and the model of a program that never crashed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.released: set[int] = set()
        self.state = State()
        self.undo: list[State | None] = [None] * len(SETUP)  # the state before each undoable step; None: setup

    def setup(self) -> list[Cell]:
        return [Cell(code, "setup") for code in SETUP]

    def _succeeded(self, after: State) -> None:
        self.undo.append(self.state)
        del self.undo[:-UNDO_DEPTH]
        self.state = after

    def probe(self) -> Cell:
        """The cell that prints the state; it is a cell like the others (undo counts it)."""
        self._succeeded(copy.deepcopy(self.state))
        return Cell(PROBE, "probe", stdout=self.state.line())

    def _effects(self, w: Writing, count: int) -> list[str]:
        effects, weights = zip(*EFFECTS, strict=True)
        lines: list[str] = []
        while len(lines) < count:
            code = self.rng.choices(effects, weights)[0](w)
            if code is not None:
                lines.append(code)
        return lines

    def next(self) -> Cell:
        """The next cell of the notebook, the model moved past it."""
        roll = self.rng.random()
        if roll < 0.07:
            return self._undo()
        w = Writing(self.state, self.rng, self.released, crashing=roll < 0.27)
        if roll < 0.27:  # a crash after some of the program's work
            lines = [d(w) for d in DEFINITIONS if self.rng.random() < 0.1]
            lines += self._effects(w, self.rng.randrange(0, 4))
            tail, ename = crash_tail(w)
            return Cell("\n".join([*lines, tail]), "crash", ename, "".join(w.out), w.inputs)
        if roll < 0.33:
            code = self.rng.choice(DEFINITIONS)(w)
            kind = "definition"
        else:
            code = "\n".join(self._effects(w, self.rng.choice([1, 1, 1, 2, 3])))
            kind = "statements"
        self._succeeded(w.s)
        return Cell(code, kind, None, "".join(w.out), w.inputs)

    def _undo(self) -> Cell:
        """%undo N: N successful cells (probes count) back; never into the setup."""
        n = self.rng.choice([1, 2, 2, 3])
        if not self.undo:
            return Cell("%undo", "undo", "UndoError", None)
        undoable = 0
        for before in reversed(self.undo):
            if before is None:
                break
            undoable += 1
        if undoable == 0:
            return self.next()
        n = min(n, undoable)
        for _ in range(n):
            self.state = self.undo.pop()
        return Cell(f"%undo {n}" if n > 1 else "%undo", "undo", None, None)
