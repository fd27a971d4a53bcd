""" "Run All": every execute_request queued at once, as JupyterLab sends them.

The kernel compiles the next queued cell while the current one links and runs. The user must not be
able to tell, except by the clock: each cell keeps its own reply, output, value, error and undo
step. The same notebook is run queued and one cell at a time, in fresh kernels, and every cell's
results must be the same.
"""

from __future__ import annotations

import queue
import time

from conftest import TIMEOUT, Kernel

NOTEBOOK = [
    "#include <stdio.h>\nint x = 0;",
    "int f(int a) { return a + 1; }",
    "x = f(x);",
    "int f(int a) { return a * 10; }",  # a redefinition: the next cell must see the new body
    "x = f(x) + 1;",
    "x",
    "int broken( {",  # a compile error: the cells after it compile against the model before it
    "x += 100;",
    "*(volatile int *)0 = 1;",  # a crash: rolled back, and the next cell was compiled ahead for nothing
    "x",
    "int arr[] = {1, 2, 3};",
    "sizeof arr / sizeof *arr",  # the array's completed type reaches the next cell
    "struct p { int a; };\nstruct p q = { 5 };",
    "q.a + x",
    "%whos",
    "int x2 = x * 2;",
    "x2",
    'printf("%d %d\\n", x, x2);',
    "%undo",
    "int g(void) { return x2 + 1; }\ng()",
    "#define N 4\nint n = N;",
    "n * N",
    "#undef N\n#define N 5",
    "N",
    "exit(3);",
    "x + n",
]


def _results(k: Kernel, ids: list[str]) -> list[tuple]:
    """(status, stdout, stderr, value, error) of each request, from the channels' messages."""
    replies: dict[str, dict] = {}
    outputs = {i: {"stdout": "", "stderr": "", "value": None, "error": None, "idle": False} for i in ids}
    deadline = time.monotonic() + 10 * TIMEOUT
    while (len(replies) < len(ids) or not all(o["idle"] for o in outputs.values())) and time.monotonic() < deadline:
        try:
            msg = k.kc.get_shell_msg(timeout=0.01)
            replies[msg["parent_header"]["msg_id"]] = msg["content"]
        except queue.Empty:
            pass
        try:
            msg = k.kc.get_iopub_msg(timeout=0.01)
        except queue.Empty:
            continue
        out = outputs.get(msg["parent_header"].get("msg_id"))
        if out is None:
            continue
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            out["idle"] = True
        elif kind == "stream":
            out[content["name"]] += content["text"]
        elif kind == "execute_result":
            out["value"] = content["data"]["text/plain"]
        elif kind == "error":
            out["error"] = (content["ename"], content["evalue"])
    assert len(replies) == len(ids), "some cells got no reply"
    return [
        (replies[i]["status"], outputs[i]["stdout"], outputs[i]["stderr"], outputs[i]["value"], outputs[i]["error"])
        for i in ids
    ]


def test_queued_run_all_gives_what_one_cell_at_a_time_gives():
    queued = Kernel()
    try:
        ids = [queued.kc.execute(code, stop_on_error=False) for code in NOTEBOOK]  # all at once, before any reply
        at_once = _results(queued, ids)
    finally:
        queued.shutdown()
    single = Kernel()
    try:
        one_by_one = []
        for code in NOTEBOOK:
            one_by_one += _results(single, [single.kc.execute(code, stop_on_error=False)])
    finally:
        single.shutdown()
    for code, a, b in zip(NOTEBOOK, at_once, one_by_one, strict=True):
        assert a == b, (code, a, b)
    statuses = [r[0] for r in at_once]
    assert statuses.count("error") == 3  # the compile error, the crash, exit(3)
    assert at_once[NOTEBOOK.index("x")][3] == "11"
    assert at_once[NOTEBOOK.index("sizeof arr / sizeof *arr")][3] == "3"
    assert at_once[NOTEBOOK.index("N")][3] == "5"
    assert at_once[-1][3] == str(111 + 4)


def test_a_cell_queued_behind_a_failing_one_sees_the_state_before_it(fresh_kernel):
    """The look-ahead compiled the next cell against the failing cell's model: it must not be used."""
    k = fresh_kernel
    cells = ["int v = 1;", "int w = v + 1; *(volatile int *)0 = 1;", "int w = 40;", "w + v"]
    ids = [k.kc.execute(code, stop_on_error=False) for code in cells]
    results = _results(k, ids)
    assert [r[0] for r in results] == ["ok", "error", "ok", "ok"]
    assert results[3][3] == "41"


def test_the_next_cell_is_compiled_ahead_and_used():
    """In-process: the interpreter compiles the queued cell while the current one (which cannot
    share a unit with it: it includes a header) runs, and uses it."""
    from cellc_kernel.executor import Handlers
    from cellc_kernel.interpreter import Interpreter

    interp = Interpreter()
    try:
        interp.queued = [("int twice(int a) { return 2 * a; }\ntwice(21)", "In[2]")]
        assert interp.execute("#include <stdio.h>\nint seed = 1;", "In[1]", Handlers()).ok
        ahead = interp._ahead
        assert ahead is not None
        ahead.thread.join()
        assert ahead.result is not None, "the next cell was not compiled ahead"
        result = interp.execute("int twice(int a) { return 2 * a; }\ntwice(21)", "In[2]", Handlers())
        assert result.ok and result.value[0] == "42"
        assert interp._ahead is None
        # a queued cell that changed before its turn is compiled afresh
        interp.queued = [("int three = 3;", "In[4]")]
        assert interp.execute("int two = 2;", "In[3]", Handlers()).ok
        result = interp.execute("int three = 3 + two;\nthree", "In[4]", Handlers())
        assert result.ok and result.value[0] == "5"
    finally:
        interp.shutdown()
