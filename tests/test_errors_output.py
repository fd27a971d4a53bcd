"""Compile errors change nothing; output reaches the notebook.

Real kernel, real gcc: the diagnostics checked here are gcc's own, after the
kernel maps them back onto the cell's lines.
"""

from __future__ import annotations

import re
import time

import pytest

GENERATED = ("__cellc", "__asm__", "<cellc>")


def assert_clean(text: str) -> None:
    """No trace of the code the kernel generates around a cell."""
    for word in GENERATED:
        assert word not in text, f"generated code {word!r} leaks into:\n{text}"


# -- a compile error changes nothing ----------------------------------------------------------


def test_failing_cell_changes_nothing(kernel) -> None:
    kernel.ok("int err_kept = 1;\nint err_kept_f(void) { return 10; }")
    r = kernel.fails(
        "int err_lost = 2;\n"
        "err_kept = 100;\n"
        "int err_bad = nosuch_identifier;\n"
        "#define ERR_LOST_MACRO 1\n"
        "struct err_lost_s { int a; };\n"
        "int err_kept_f(void) { return 20; }\n"
        "int err_lost_f(void) { return 3; }\n"
        "#include <stdio.h>\n"
        'puts("must not run");'
    )
    assert r.stdout == "", "no statement of a failing cell runs"
    assert kernel.ok("err_kept").value == "1"
    assert kernel.ok("err_kept_f()").value == "10", "the failed redefinition did not replace the function"
    for later in ("int err_x = err_lost;", "int err_y = ERR_LOST_MACRO;", "struct err_lost_s err_s;", "err_lost_f();"):
        assert kernel.execute(later).status == "error", f"{later!r} sees a name from the failed cell"
    assert kernel.ok("err_kept + err_kept_f()").value == "11"


def test_failed_redefinition_of_global_keeps_value(kernel) -> None:
    kernel.ok("double err_d = 2.5;")
    kernel.fails("double err_d = 7.0;\nint err_oops = ;")
    assert kernel.ok("err_d").value == "2.5"


def test_error_reply_shape(kernel) -> None:
    r = kernel.fails("int err_shape = ;")
    assert r.reply["content"]["status"] == "error"
    assert len(r.errors) == 1
    kinds = [m["header"]["msg_type"] for m in r.messages]
    assert kinds == ["error"], "a failing cell sends the error and nothing else"
    assert r.errors[0]["ename"] and r.errors[0]["evalue"]
    assert r.reply["content"]["ename"] == r.errors[0]["ename"]


def test_diagnostic_on_cells_own_line(kernel) -> None:
    r = kernel.fails("int err_lf(void) {\n  int v = 1;\n  return v + undeclared_thing;\n}")
    assert re.search(r"In\[\d+\]:3:\d+: error: 'undeclared_thing' undeclared", r.error_text), r.error_text
    assert "return v + undeclared_thing;" in r.error_text, "gcc quotes the user's own line"
    assert_clean(r.error_text)


def test_diagnostic_line_after_earlier_items(kernel) -> None:
    """Line numbers count from the top of the cell, whatever the cell holds before the error."""
    r = kernel.fails(
        "#include <stdio.h>\n"
        "#define ERR_N 3\n"
        "struct err_ln { int a; };\n"
        "int err_ln_f(void) { return ERR_N; }\n"
        'puts("x");\n'
        'int err_ln_g = ERR_N * "s";\n'
    )
    assert re.search(r"In\[\d+\]:6:\d+: error", r.error_text), r.error_text
    assert_clean(r.error_text)


@pytest.mark.parametrize(
    ("code", "where"),
    [
        ('int err_col_a = 1;\nint err_col_b = "str" * 2;', ":2:23:"),
        ("int err_col_f(void) {\n  return 1 +;\n}", ":2:13:"),
        ('int err_col_g(void) { return "x"; }', ":1:30:"),
    ],
    ids=["global-initializer", "function-body", "function-first-line"],
)
def test_diagnostic_column_is_the_cells(kernel, code: str, where: str) -> None:
    """gcc's caret and column point into the user's text, not into text the kernel put on the same line."""
    r = kernel.execute(code)
    text = r.error_text or r.stderr
    assert where in text, text
    assert_clean(text)


def test_undeclared_trailing_value_points_at_cell(kernel) -> None:
    r = kernel.fails("err_never_declared")
    assert "err_never_declared" in r.error_text
    assert re.search(r"In\[\d+\]:1:\d+: error", r.error_text), r.error_text
    assert_clean(r.error_text)


def test_note_on_earlier_definition_is_clean(kernel) -> None:
    """A note pointing at an earlier cell's prototype names that cell, not the generated prelude."""
    kernel.ok("struct err_pt { int x; };\nint err_twice(struct err_pt p) { return 2 * p.x; }")
    r = kernel.fails("int err_call(void) {\n  return err_twice(3);\n}")
    assert re.search(r"In\[\d+\]:2:\d+: error: incompatible type for argument 1", r.error_text), r.error_text
    assert_clean(r.error_text)


def test_note_on_a_parameter_points_at_the_cell_that_declared_it(kernel) -> None:
    """gcc's note on the parameter a warning is about names the earlier cell and
    its line, not the generated prelude (`<cellc>:1:23: note: ...`)."""
    kernel.ok("#include <stdio.h>")
    declared = kernel.ok("void err_show(char *s)\n{\n    puts(s);\n}")
    label = f"In[{declared.reply['content']['execution_count']}]"
    kernel.ok('const char *err_message = "hi";')
    r = kernel.ok("err_show(err_message);")
    assert "passing argument 1 of 'err_show' discards 'const' qualifier" in r.stderr
    assert f"{label}:1:21: note: expected 'char *' but argument is of type 'const char *'" in r.stderr, r.stderr
    assert "void err_show(char *s)" in r.stderr  # gcc quotes the line
    assert_clean(r.stderr)


def test_warning_gets_no_include_chain_of_a_message_left_out(fresh_kernel) -> None:
    """The chain of includes before a message that is not shown (gcc's note on
    a header's macro an earlier cell redefined) once prefixed the next warning."""
    fresh_kernel.ok("// limits\n// of\n// paths\n#include <limits.h>")
    fresh_kernel.ok("#define PATH_MAX 64")
    r = fresh_kernel.ok("int err_path(void) {\n    int unused_here;\n    return PATH_MAX;\n}")
    assert "unused variable 'unused_here'" in r.stderr
    assert "included from" not in r.stderr, r.stderr
    assert_clean(r.stderr)


def test_syntax_error_is_never_silently_dropped(kernel) -> None:
    """An initializer that does not parse is an error, not a shorter initializer."""
    kernel.ok("int err_q = 1;")
    r = kernel.execute("int err_e = err_q +;")
    assert r.status == "error", f"accepted invalid C; err_e became {kernel.execute('err_e').value}"
    assert re.search(r"In\[\d+\]:1:\d+: error", r.error_text), r.error_text


def test_warnings_of_good_cell_go_to_stderr(kernel) -> None:
    r = kernel.ok("int err_unused(void) {\n  int q;\n  return 0;\n}")
    assert r.errors == []
    assert "unused variable 'q'" in r.stderr
    assert re.search(r"In\[\d+\]:2:\d+: warning", r.stderr), r.stderr
    assert_clean(r.stderr)
    assert kernel.ok("err_unused()").value == "0", "a cell with warnings is committed"


def test_warnings_are_in_the_error_of_a_failing_cell(kernel) -> None:
    r = kernel.fails("int err_w(void) { int unused_local; return 0; }\nint err_w2 = ;")
    assert "unused variable 'unused_local'" in r.error_text
    assert "error" in r.error_text


def test_undefined_function_is_clear(kernel) -> None:
    r = kernel.fails('#include <stdio.h>\nputs("before");\nerr_nowhere_defined(3);')
    assert "undefined: err_nowhere_defined" in r.error_text
    assert r.stdout == "", "the undefined name is found before anything runs"
    assert_clean(r.error_text)


def test_declared_but_never_defined_function(kernel) -> None:
    kernel.ok("int err_only_declared(int);")
    r = kernel.fails("err_only_declared(1);")
    assert "err_only_declared" in r.error_text
    assert_clean(r.error_text)
    assert kernel.ok("1 + 1").value == "2"


def test_a_global_of_hidden_visibility_is_named_as_written(kernel) -> None:
    """Each cell is a shared object: a global defined under `#pragma GCC
    visibility push(hidden)` cannot be seen from the next cells, which fail
    to load; the error names it as the user did (it once showed the cell's
    shared object and our symbol, `__cellc_var_..._N`)."""
    kernel.ok("#pragma GCC visibility push(hidden)")
    kernel.ok("int hv_counter = 5;")
    kernel.ok("#pragma GCC visibility pop")
    r = kernel.fails("int hv_use(void) { return hv_counter + 1; }")
    assert "needs hv_counter" in r.error_text and "hidden visibility" in r.error_text, r.error_text
    assert_clean(r.error_text)
    assert ".so" not in r.error_text
    assert kernel.ok("1 + 1").value == "2"


def test_kernel_survives_many_errors(kernel) -> None:
    for bad in ("}", "int;;; x y z", "#include <no_such_header_xyz.h>", "int f(", "@@@", '"unterminated'):
        r = kernel.execute(bad)
        assert r.status == "error", bad
        assert len(r.errors) == 1, bad
    assert kernel.ok("2 + 3").value == "5"


def test_missing_header_is_reported(kernel) -> None:
    r = kernel.fails("#include <no_such_header_xyz.h>")
    assert "no_such_header_xyz.h" in r.error_text
    assert re.search(r"In\[\d+\]:1:\d+: fatal error", r.error_text), r.error_text
    assert_clean(r.error_text)


# -- output ---------------------------------------------------------------------------------


def test_stdout_and_stderr_streams(kernel) -> None:
    r = kernel.ok(
        "#include <stdio.h>\n#include <unistd.h>\n"
        'printf("printf %d\\n", 1);\n'
        'puts("puts");\n'
        'write(1, "write\\n", 6);\n'
        'fprintf(stderr, "fprintf stderr\\n");\n'
        'write(2, "write2\\n", 7);\n'
        "putchar('c'); putchar('\\n');\n"
    )
    assert sorted(r.stdout.splitlines()) == sorted(["printf 1", "puts", "write", "c"])
    assert sorted(r.stderr.splitlines()) == ["fprintf stderr", "write2"]
    for m in r.messages:
        if m["header"]["msg_type"] == "stream":
            assert m["parent_header"]["msg_id"] == r.reply["parent_header"]["msg_id"]


def test_output_without_newline_is_flushed(kernel) -> None:
    r = kernel.ok('#include <stdio.h>\nprintf("no newline");')
    assert r.stdout == "no newline"
    r = kernel.ok('#include <stdio.h>\nfputs("err no newline", stderr);')
    assert r.stderr == "err no newline"


# exit() meets the stdout flusher in mid-flush, every time: the cell points its stdout at a pipe it
# has filled, prints a line and waits until another thread (the executor's flusher) holds stdout's
# lock, blocked writing that line; then it calls exit().  A child of the cell drains the pipe only
# once exit() has begun and the cell's thread sleeps (blocked in exit's own flush of the line, or
# waiting for the flusher to finish), and counts the copies of the line it gets.
FLUSH_MEETS_EXIT = r"""
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int once_exit_begun[2];
static void once_exit_begins(void) { write(once_exit_begun[1], "x", 1); }

static int once_sleeping(pid_t pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)pid);
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 1;
    text[n] = 0;
    char *state = strrchr(text, ')');
    return state && state[2] == 'S';
}

static void once_count(int from, const char *result)
{
    char c, got[1 << 17];
    read(once_exit_begun[0], &c, 1);
    for (int i = 0; i < 5000 && !once_sleeping(getppid()); i++)
        usleep(1000);
    size_t len = 0;
    ssize_t n;
    while (len < sizeof got - 1 && (n = read(from, got + len, sizeof got - 1 - len)) > 0)
        len += (size_t)n;
    got[len] = 0;
    int copies = 0;
    for (char *at = got; (at = strstr(at, "once\n")); at++)
        copies++;
    char part[4096];
    snprintf(part, sizeof part, "%s.part", result);
    FILE *f = fopen(part, "w");
    fprintf(f, "%d", copies);
    fclose(f);
    rename(part, result);
}

int once_out[2];
pipe(once_out);
pipe(once_exit_begun);
fcntl(once_out[1], F_SETFL, O_NONBLOCK);
static char once_fill[4096];
memset(once_fill, '#', sizeof once_fill);
while (write(once_out[1], once_fill, sizeof once_fill) > 0)
    ;
fcntl(once_out[1], F_SETFL, 0);
fflush(stdout);
if (fork() == 0) {
    close(once_out[1]);
    close(once_exit_begun[1]);
    once_count(once_out[0], "RESULT");
    _exit(0);
}
close(once_out[0]);
close(once_exit_begun[0]);
dup2(once_out[1], 1);
close(once_out[1]);
atexit(once_exit_begins);
printf("once\n");
for (int i = 0; i < 5000 && ftrylockfile(stdout) == 0; i++) { /* until another thread flushes stdout */
    funlockfile(stdout);
    usleep(1000);
}
exit(0);
"""


def test_output_printed_before_exit_is_written_once(kernel, tmp_path) -> None:
    """exit() flushes stdout without its lock: the executor's flusher, which flushes
    stdout every 50 ms while a cell runs, must not be writing the same buffer then."""
    result = tmp_path / "copies"
    r = kernel.fails(FLUSH_MEETS_EXIT.replace("RESULT", str(result)))
    assert r.errors[0]["ename"] == "Exit", r.error_text
    deadline = time.monotonic() + 30
    while not result.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert result.read_text() == "1", "the line printed before exit() was written more than once"


def test_a_child_ended_by_sigint_does_not_write_its_parents_output(kernel) -> None:
    """A forked child inherits the parent's unwritten stdout; SIGINT ends it as in a plain
    program, without writing that buffer (the executor's SIGINT handler is the cell's only)."""
    kernel.ok("#include <stdio.h>\n#include <unistd.h>\n#include <signal.h>\n#include <sys/wait.h>")
    r = kernel.ok(
        'printf("once");\npid_t child = fork();\nif (child == 0) {\n    pause();\n    _exit(0);\n}\n'
        "usleep(200000);\nkill(child, SIGINT);\nint status;\nwaitpid(child, &status, 0);\n"
        'printf(" %d\\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGINT);'
    )
    assert r.stdout == "once 1\n"


def test_an_error_of_the_generated_code_is_the_cells(kernel) -> None:
    """A value of an incomplete type fails in the code around the expression: the error is
    the cell's, in gcc's words, without a line of ours."""
    kernel.ok("struct opaque;\nstruct opaque *op;")
    r = kernel.fails("*op")
    assert r.errors[0]["ename"] == "CompileError"
    assert "error: invalid use of undefined type 'struct opaque'" in r.error_text
    assert "<cellc>" not in r.error_text and "__cellc" not in r.error_text


def test_output_from_function_defined_earlier(kernel) -> None:
    kernel.ok('#include <stdio.h>\nvoid err_hello(int n) { for (int i = 0; i < n; i++) printf("hi %d\\n", i); }')
    r = kernel.ok("err_hello(3);")
    assert r.stdout == "hi 0\nhi 1\nhi 2\n"


def test_library_writes_to_stderr(kernel) -> None:
    r = kernel.ok('#include <stdio.h>\n#include <errno.h>\nerrno = ENOENT;\nperror("lookup");')
    assert r.stderr == "lookup: No such file or directory\n"


def test_output_and_value_together(kernel) -> None:
    r = kernel.ok('#include <stdio.h>\nprintf("partial");\n7 * 6')
    assert r.stdout == "partial"
    assert r.value == "42"


def test_large_output_arrives(kernel) -> None:
    """100k lines: all of it (or a visible truncation notice), and the kernel stays responsive."""
    r = kernel.execute('#include <stdio.h>\nfor (int i = 0; i < 100000; i++) printf("line %d\\n", i);', timeout=300)
    assert r.status == "ok", r.error_text
    lines = r.stdout.splitlines()
    complete = len(lines) == 100000 and lines[0] == "line 0" and lines[-1] == "line 99999"
    notice = re.search(r"truncat|dropped|limit", r.stdout + r.stderr, re.IGNORECASE)
    assert complete or notice, (len(lines), lines[-1:])
    if not notice:
        assert lines == [f"line {i}" for i in range(100000)], "nothing lost, nothing out of order"
    assert kernel.ok("1 + 1").value == "2"


def test_broken_conditional_is_reported_not_dropped(kernel) -> None:
    r = kernel.fails("#if BROKEN(\nint eo_cond = 1;\n#endif")
    assert ":1:" in r.error_text and "#if" in r.error_text


def test_statement_expression_value_gives_no_warning_of_ours(kernel) -> None:
    r = kernel.execute("({ int t = 4; t + 1; })")
    assert r.status == "ok" and r.value == "5"
    assert r.stderr == "", r.stderr
