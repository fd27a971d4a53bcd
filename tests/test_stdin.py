"""stdin.

Reading stdin from a cell sends one ``input_request`` per line the program asks for when the execute
request allows stdin, and the answers flow into the program; when stdin is not allowed, the read sees
end-of-file at once and the cell completes. Every case goes through a real kernel; the requests are
counted on the client side (one ``input`` answer per ``input_request``).
"""

from __future__ import annotations

import time

import pytest
from conftest import Pending

NO_HANG = 30  # seconds; a read that waits for input that never comes would exceed this

# scanf leaves the rest of the line (at least its newline) in stdin's buffer for the next read, in a
# notebook as in any C program; the cells below that use scanf read the rest of the line with DRAIN().
HEADERS = r"""
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#define DRAIN() do { int c_; while ((c_ = getchar()) != '\n' && c_ != EOF) {} } while (0)
int sentinel = 11;
"""


class Counted:
    """Counts the input_requests a cell makes (the conftest helper answers each with one `input`)."""

    def __init__(self, k):
        self.k = k
        self.answers: list[str] = []
        self._input = k.kc.input

    def __enter__(self) -> Counted:
        def counting(text: str) -> None:
            self.answers.append(text)
            self._input(text)

        self.k.kc.input = counting
        return self

    def __exit__(self, *exc) -> None:
        self.k.kc.input = self._input

    @property
    def requests(self) -> int:
        return len(self.answers)


@pytest.fixture(scope="module")
def k(kernel):
    kernel.ok(HEADERS)
    return kernel


def run(k, code: str, lines: list[str]) -> tuple[str, int]:
    """Run a cell that reads stdin, answering with `lines`; returns (stdout, number of requests)."""
    with Counted(k) as c:
        r = k.ok(code, stdin=lines, timeout=NO_HANG)
    return r.stdout, c.requests


def test_scanf_one_request_per_line(k):
    out, n = run(
        k, 'int a = 0, b = 0;\nscanf("%d", &a);\nscanf("%d", &b);\nDRAIN();\nprintf("sum=%d\\n", a + b);', ["3", "4"]
    )
    assert "sum=7" in out
    assert n == 2


def test_scanf_two_values_on_one_line_ask_once(k):
    out, n = run(
        k, 'int c = 0, d = 0;\nint got = scanf("%d %d", &c, &d);\nDRAIN();\nprintf("%d:%d\\n", got, c * d);', ["6 7"]
    )
    assert "2:42" in out
    assert n == 1


def test_fgets(k):
    out, n = run(
        k, 'char fb[64];\nchar *fp = fgets(fb, sizeof fb, stdin);\nprintf("[%s]", fp ? fb : "NULL");', ["hello"]
    )
    assert out == "[hello\n]"
    assert n == 1


def test_fgets_twice_asks_twice(k):
    code = 'char l1[32], l2[32];\nfgets(l1, sizeof l1, stdin);\nfgets(l2, sizeof l2, stdin);\nprintf("%s|%s", l1, l2);'
    out, n = run(k, code, ["one", "two"])
    assert out == "one\n|two\n"
    assert n == 2


def test_empty_line_is_not_end_of_file(k):
    out, n = run(
        k, 'char eb[8] = "x";\nchar *ep = fgets(eb, sizeof eb, stdin);\nprintf("%d", ep ? (int)eb[0] : -1);', [""]
    )
    assert out == "10"  # the newline, not NULL
    assert n == 1


def test_getchar_reads_one_line_at_a_time(k):
    code = 'int ch = getchar();\nint nl = getchar();\nprintf("%d %d", ch, nl);'
    out, n = run(k, code, ["A"])
    assert out == "65 10"
    assert n == 1  # the rest of the line needs no new request


def test_getline(k):
    code = (
        'char *gl = NULL;\nsize_t gcap = 0;\nssize_t glen = getline(&gl, &gcap, stdin);\nprintf("%zd [%s]", glen, gl);'
    )
    out, n = run(k, code, ["hello world"])
    assert out == "12 [hello world\n]"
    assert n == 1


def test_read_fd0(k):
    code = 'char rb[64];\nssize_t rn = read(0, rb, sizeof rb);\nprintf("%zd [%.*s]", rn, (int)rn, rb);'
    out, n = run(k, code, ["xyz"])
    assert out == "4 [xyz\n]"
    assert n == 1


def test_input_reaches_the_program_state(k):
    run(k, 'int age = 0;\nscanf("%d", &age);\nDRAIN();', ["42"])
    assert k.ok("age * 2").value == "84"


def test_reading_cell_that_crashes_is_rolled_back(k):
    with Counted(k) as c:
        r = k.fails('sentinel = 99;\nint lost = 0;\nscanf("%d", &lost);\n*(volatile int *)0 = lost;', stdin=["5"])
    assert c.requests == 1
    assert "SIGSEGV" in r.error_text
    assert k.ok("sentinel").value == "11"
    out, n = run(k, 'int again = 0;\nscanf("%d", &again);\nDRAIN();\nprintf("%d", again);', ["8"])
    assert (out, n) == ("8", 1)


def pump(k, code: str, answer: str, prompt: str) -> tuple[bool, str, dict]:
    """Run a cell that prompts and reads one line, driving the protocol by hand.

    At the input_request we wait (up to 10 s) for the prompt on iopub before answering: the kernel
    is blocked on our answer, so a prompt that only comes after it was not shown before the request.
    Returns (prompt seen before the request, stdout, execute_reply)."""
    pending = Pending(k.kc, [k.kc.execute(code, allow_stdin=True)])
    (reply,) = pending.replies.values()
    seen = False

    def on_input(msg: dict) -> None:
        nonlocal seen
        wait_until = time.monotonic() + 10
        while prompt not in reply.stdout and time.monotonic() < wait_until:
            pending.read_iopub(0.05)
        seen = prompt in reply.stdout
        k.kc.input(answer)

    pending.wait(NO_HANG, on_input)
    return seen, reply.stdout, reply.reply


def test_prompt_without_newline_is_shown_before_the_request(k):
    seen, out, reply = pump(
        k,
        'int pv = 0;\nprintf("Your number? ");\nscanf("%d", &pv);\nDRAIN();\nprintf("got %d\\n", pv);',
        "9",
        "Your number? ",
    )
    assert reply["content"]["status"] == "ok"
    assert seen, f"the prompt was not delivered before the input_request: {out!r}"
    assert out == "Your number? got 9\n"


def test_prompt_on_stderr_and_stdout_is_flushed(k):
    """A prompt written with fputs(stdout) after other output, several prompts in one cell."""
    code = (
        'int x1 = 0, x2 = 0;\nputs("two questions");\nfputs("first? ", stdout);\nscanf("%d", &x1);\n'
        'fputs("second? ", stdout);\nscanf("%d", &x2);\nDRAIN();\nprintf("%d\\n", x1 - x2);'
    )
    with Counted(k) as c:
        r = k.ok(code, stdin=["10", "3"], timeout=NO_HANG)
    assert r.stdout == "two questions\nfirst? second? 7\n"
    assert c.requests == 2


# -- stdin not allowed: end-of-file at once ---------------------------------------------------------

EOF_READS = {
    "scanf": ('int sv = 5;\nint src = scanf("%d", &sv);\nprintf("%d %d", src, sv);', "-1 5"),
    "fgets": ('char nb[16];\nprintf("%s", fgets(nb, sizeof nb, stdin) ? "line" : "NULL");', "NULL"),
    "getchar": ('printf("%d", getchar() == EOF);', "1"),
    "getline": ('char *nl = NULL;\nsize_t ncap = 0;\nprintf("%zd", getline(&nl, &ncap, stdin));', "-1"),
    "read": ('char nrb[16];\nprintf("%zd", read(0, nrb, sizeof nrb));', "0"),
}


def test_reads_without_stdin_see_end_of_file(fresh_kernel):
    k = fresh_kernel
    k.ok(HEADERS)
    for name, (code, expected) in EOF_READS.items():
        r = k.execute(code, stdin=None, timeout=NO_HANG)
        assert r.status == "ok", (name, r.error_text)
        assert r.stdout == expected, name
    assert k.ok("sentinel").value == "11"


@pytest.mark.parametrize("name", list(EOF_READS))
def test_stdin_works_again_after_a_cell_saw_end_of_file(fresh_kernel, name):
    """End-of-file in one cell (no stdin there) must not stick: a later cell that may ask, asks."""
    k = fresh_kernel
    k.ok(HEADERS)
    r = k.execute(EOF_READS[name][0], stdin=None, timeout=NO_HANG)
    assert r.stdout == EOF_READS[name][1]
    out, n = run(
        k, 'char wb[32] = "";\nchar *wp = fgets(wb, sizeof wb, stdin);\nprintf("[%s]", wp ? wb : "NULL");', ["back"]
    )
    assert out == "[back\n]"
    assert n == 1


def test_the_unread_rest_of_a_long_line_stays_readable(k):
    """A 20,000-character answer to fgets(b, 10, stdin): the rest is there for the next cell,
    beyond what stdio buffered."""
    long_line = "".join(chr(ord("a") + i % 26) for i in range(20000))
    out, asked = run(k, 'char lr_b[10];\nfgets(lr_b, sizeof lr_b, stdin);\nprintf("[%s]\\n", lr_b);', [long_line])
    assert out == f"[{long_line[:9]}]\n" and asked == 1
    out, asked = run(
        k,
        "size_t lr_n = 0; int lr_c, lr_last = 0;\n"
        "while ((lr_c = getchar()) != '\\n' && lr_c != EOF) { lr_n++; lr_last = lr_c; }\n"
        'printf("%zu %c\\n", lr_n, lr_last);',
        [],
    )
    assert asked == 0, "no new request: the rest of the line was still there"
    assert out == f"{len(long_line) - 9} {long_line[-1]}\n", out


def test_end_of_input_from_the_input_box(k):
    """A program reading until EOF can be ended from the notebook: ^D alone."""
    code = 'int eof_n = 0, eof_c;\nwhile ((eof_c = getchar()) != EOF) eof_n++;\nprintf("%d chars\\n", eof_n);'
    with Counted(k) as c:
        r = k.ok(code, stdin=["ab", "cde", "^D"], timeout=NO_HANG)
    assert r.stdout == "7 chars\n" and c.requests == 3, (r.stdout, c.answers)  # "ab\n" and "cde\n"
    prompts: list[str] = []

    def ctrl_d(msg: dict) -> None:
        prompts.append(msg["content"]["prompt"])
        k.kc.input("\x04")  # a Ctrl-D character, where a frontend can send one

    (r,) = Pending(k.kc, [k.kc.execute("int eof_x = getchar();", allow_stdin=True)]).wait(NO_HANG, ctrl_d)
    assert r.status == "ok", r.error_text
    assert len(prompts) == 1 and "^D" in prompts[0] and "end of input" in prompts[0], prompts
    assert k.value("eof_x") == "-1"
