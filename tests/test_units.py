"""Unit tests of pure functions: generated names, C string literals, magic options, diagnostics, endings."""

from __future__ import annotations

import os
import signal
import stat
import time
from pathlib import Path

import pytest

from cellc_kernel import names
from cellc_kernel.ctext import c_string
from cellc_kernel.magics.base import template_flags
from cellc_kernel.magics.timing import TEMPLATES, TimingMagics
from cellc_kernel.result import CellResult


def test_every_generated_name_reads_back():
    assert names.function_of_trampoline(names.trampoline("add")) == "add"
    assert names.function_of_body(names.body(12, "my_func")) == "my_func"
    assert names.variable_name(names.variable("counter_2", 7)) == "counter_2"
    assert names.is_variable(names.variable("x", 1)) and not names.is_variable(names.trampoline("x"))
    assert names.is_cell_code(names.run(3)) and not names.is_cell_code(names.entry(3))
    assert names.is_value_or_init(names.value(4)) and names.is_value_or_init(names.INIT)
    for symbol in (names.run(41), names.entry(41), names.value(41), names.body(41, "f_2"), names.variable("v_3", 41)):
        assert names.cell_of_symbol(symbol) == 41
    assert names.cell_of_symbol(names.trampoline("f_41")) is None and names.cell_of_symbol(names.INIT) is None
    assert names.old_type("struct pt", 5).startswith("struct ") and names.is_ours(names.old_type("T", 5))


def test_shown_names_are_the_users():
    text = (
        f"{names.body(3, 'f')} calls {names.trampoline('g')}; {names.variable('x', 9)} and "
        f'{names.source("y")}; struct {names.old_type("pt", 2)} p __asm__("{names.variable("p", 2)}")'
    )
    assert names.shown(text) == "f calls g; x and y; struct pt p"
    assert names.PREFIX not in names.shown(text)


def test_loop_indices_are_renamed():
    text = f"for (unsigned long {names.loop_index(0)} = 0; ...) a[{names.loop_index(1)}]"
    assert names.rename_loop_indices(text, lambda d: f"i{d}") == "for (unsigned long i0 = 0; ...) a[i1]"


@pytest.mark.parametrize(
    "text, literal",
    [
        ("hi", '"hi"'),
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("line\n\ttab", '"line\\n\\ttab"'),
        ("what??!", '"what?\\?!"'),
        ("é", '"\\303\\251"'),
        ("\x01x", '"\\001x"'),
    ],
)
def test_c_string(text, literal):
    assert c_string(text) == literal


def test_c_string_split_lines():
    assert c_string("a\nb\n", split_lines=True) == '"a\\n"\n"b\\n"'


@pytest.mark.parametrize(
    "args, options, rest",
    [
        ("-n5 x++;", {"n": 5, "r": 7}, "x++;"),
        ("-n 5 -r 2 x++;", {"n": 5, "r": 2}, "x++;"),
        ("-r3 f(-n)", {"n": 0, "r": 3}, "f(-n)"),
        ("x = -1;", {"n": 0, "r": 7}, "x = -1;"),
        ("", {"n": 0, "r": 7}, ""),
    ],
)
def test_timeit_options(args, options, rest):
    assert TimingMagics._timeit_options(args) == (options, rest)


@pytest.mark.parametrize("args", ["-n x y;", "-r 0 y;", "-n -3 y;"])
def test_timeit_bad_options(args):
    result, _ = TimingMagics._timeit_options(args)
    assert isinstance(result, CellResult) and result.ename == "UsageError"


def test_timing_templates_are_one_line_macros():
    flags = template_flags(TEMPLATES)
    defined = {f.split("=")[0].split("(")[0][2:] for f in flags}
    assert {names.STAMP, names.TIMED_AS, names.TIMEIT_BEGIN, names.TIMEIT_END} <= defined
    assert all("\n" not in f and "/*" not in f for f in flags)


def test_clean_diagnostics_keeps_this_cells_messages_in_the_users_names():
    from cellc_kernel.compile import clean_diagnostics

    raw = (
        f"In[2]: In function '{names.run(2)}':\n"
        f"In[2]:1:5: error: '{names.variable('x', 1)}' undeclared (first use in this function)\n"
        "    1 | y = x + 1;\n"
        "      |     ^\n"
        "In[1]:3:9: warning: unused variable 'q' [-Wunused-variable]\n"
        "In[1]: At top level:\n"
        f"In[2]:2:1: warning: implicit declaration of function '{names.trampoline('g')}'\n"
    )
    cleaned = clean_diagnostics(raw, "In[2]")
    assert names.PREFIX not in cleaned
    assert "In[2]:1:5: error: 'x' undeclared" in cleaned
    assert "In function" not in cleaned and "At top level" not in cleaned
    assert "unused variable 'q'" not in cleaned  # a warning of an earlier cell's code
    assert "implicit declaration of function 'g'" in cleaned


def test_clean_diagnostics_keeps_errors_from_elsewhere():
    from cellc_kernel.compile import clean_diagnostics

    raw = "In[1]:4:2: error: conflicting types for 'f'\nIn[3]:1:5: note: previous declaration of 'f'\n"
    cleaned = clean_diagnostics(raw, "In[3]")
    assert "conflicting types for 'f'" in cleaned and "previous declaration" in cleaned


def test_a_tool_past_its_timeout_is_killed_with_a_clear_error():
    from cellc_kernel import toolchain

    with pytest.raises(toolchain.ToolTimeout, match=r"^sleep did not finish within 0\.2 s$") as e:
        toolchain.run(["sleep", "30"], timeout=0.2)
    assert isinstance(e.value, OSError)  # where a missing tool is handled, a hung one is too
    started = toolchain.start(["sleep", "30"], timeout=0.2)
    with pytest.raises(toolchain.ToolTimeout, match="sleep did not finish"):
        started.finish()
    assert started.ended(0)  # killed and reaped


def test_cc1_and_as_run_without_the_driver_make_the_drivers_object(tmp_path):
    """gcc's own plan (`gcc -###`), run directly: the same bytes as `gcc -c`, for cellc's flags
    with a header and with the user's; a plan the driver would not run as cc1 | as is not used."""
    from cellc_kernel import toolchain
    from cellc_kernel.compile import BASE_FLAGS

    unit = '#include <stdio.h>\nstatic int sq(int a) { return a * a; }\nint main(void) { printf("%d", sq(3)); }\n'
    (tmp_path / "unit.c").write_text(unit)
    for extra in ([], ["-O2", "-DN=3", "-Wextra"], ["-fsanitize=address"]):
        flags = [*BASE_FLAGS, *extra]
        toolchain.run(["gcc", *flags, "-c", "-o", str(tmp_path / "unit.o"), str(tmp_path / "unit.c")], cwd=tmp_path)
        by_driver = (tmp_path / "unit.o").read_bytes()
        plan = toolchain.compile_plan("gcc", tuple(flags), str(tmp_path))
        assert plan is not None
        assert toolchain.run_plan(plan, "unit", cwd=tmp_path, timeout=60) == toolchain.Result(0, "", "")
        assert (tmp_path / "unit.o").read_bytes() == by_driver, extra
    assert toolchain.compile_plan("gcc", (*BASE_FLAGS, "-save-temps"), str(tmp_path)) is None


def test_cc1_and_as_run_without_the_driver_fail_as_the_driver_does(tmp_path):
    from cellc_kernel import toolchain

    plan = toolchain.compile_plan("gcc", ("-pipe", "-fmessage-length=0"), str(tmp_path))
    assert plan is not None
    for stem, text in [("wrong", "int f(void) { return y; }\n"), ("asm", 'void f(void) { __asm__("nonsense"); }\n')]:
        (tmp_path / f"{stem}.c").write_text(text)
        driver = toolchain.run(["gcc", "-pipe", "-fmessage-length=0", "-c", f"{stem}.c"], cwd=tmp_path)
        direct = toolchain.run_plan(plan, stem, cwd=tmp_path, timeout=60)
        assert direct.returncode == driver.returncode == 1
        assert direct.stderr.replace(str(tmp_path) + "/", "") == driver.stderr, stem
        assert not (tmp_path / f"{stem}.o").exists()  # as the driver, no object of a failed compile
    os.mkfifo(tmp_path / "never_written")
    (tmp_path / "waits.c").write_text(f'#include "{tmp_path / "never_written"}"\n')
    with pytest.raises(toolchain.ToolTimeout, match=r"^gcc did not finish within 0\.5 s$"):
        toolchain.run_plan(plan, "waits", cwd=tmp_path, timeout=0.5)


def _children(pid: int) -> list[int]:
    """The processes `pid` started (a thread's children are its own: every thread's)."""
    return [int(p) for task in Path(f"/proc/{pid}/task").iterdir() for p in (task / "children").read_text().split()]


def test_cc1_started_ahead_makes_the_same_object_and_leaves_the_text(tmp_path):
    """cc1 | as started before the unit's text exists (waiting on a FIFO at its path): the same
    bytes as when started with the file there, at once (cc1 may not have opened the FIFO yet) or
    after a while; the unit's path then holds the text, a regular file."""
    from cellc_kernel import toolchain
    from cellc_kernel.compile import BASE_FLAGS

    header = tmp_path / "prelude.h"
    header.write_text("#include <stdio.h>\n")
    toolchain.run(["gcc", *BASE_FLAGS, "-x", "c-header", "-o", f"{header}.gch", str(header)], cwd=tmp_path)
    plan = toolchain.compile_plan("gcc", tuple(BASE_FLAGS), str(tmp_path))
    assert plan is not None
    text = f'#include "{header}"\nstatic int sq(int a) {{ return a * a; }}\nvoid f(void) {{ printf("%d", sq(3)); }}\n'
    (tmp_path / "unit.c").write_text(text)
    assert toolchain.run_plan(plan, "unit", cwd=tmp_path, timeout=60).returncode == 0
    cold = (tmp_path / "unit.o").read_bytes()
    for wait in (0, 0.3):
        ahead = toolchain.CompileAhead(plan, "unit", cwd=tmp_path)
        assert stat.S_ISFIFO((tmp_path / "unit.c").stat().st_mode)
        time.sleep(wait)
        assert ahead.finish(text, 60) == toolchain.Result(0, "", "")
        assert (tmp_path / "unit.o").read_bytes() == cold, wait
        assert (tmp_path / "unit.c").read_text() == text and (tmp_path / "unit.c").is_file()
    big = text + "".join(f"int g{i} = {i};\n" for i in range(20000))  # more than a pipe holds
    ahead = toolchain.CompileAhead(plan, "big", cwd=tmp_path)
    assert ahead.finish(big, 60).returncode == 0 and (tmp_path / "big.o").exists()
    assert not _children(os.getpid())


def test_cc1_started_ahead_fails_ends_and_times_out_as_a_compile(tmp_path):
    """Errors as any compile; cancelled, nothing is left (no FIFO, object or process); a cc1 that
    ended while it waited leaves the compile to the caller; a unit that never ends times out."""
    from cellc_kernel import toolchain

    plan = toolchain.compile_plan("gcc", ("-pipe", "-fmessage-length=0"), str(tmp_path))
    assert plan is not None
    descriptors = len(os.listdir("/proc/self/fd"))
    ahead = toolchain.CompileAhead(plan, "wrong", cwd=tmp_path)
    (tmp_path / "same.c").write_text("int f(void) { return y; }\n")
    expected = toolchain.run_plan(plan, "same", cwd=tmp_path, timeout=60).stderr.replace("same.c", "wrong.c")
    failed = ahead.finish("int f(void) { return y; }\n", 60)
    assert failed == toolchain.Result(1, "", expected) and not (tmp_path / "wrong.o").exists()

    ahead = toolchain.CompileAhead(plan, "unused", cwd=tmp_path)
    time.sleep(0.2)
    ahead.cancel()
    assert not list(tmp_path.glob("unused*")) and not _children(os.getpid())

    ahead = toolchain.CompileAhead(plan, "killed", cwd=tmp_path)
    time.sleep(0.2)
    for pid in _children(os.getpid()):
        os.kill(pid, signal.SIGKILL)
        while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            time.sleep(0.01)
    assert ahead.finish("int x;\n", 60) is None
    assert not list(tmp_path.glob("killed*"))  # the caller compiles it

    os.mkfifo(tmp_path / "never_written")
    ahead = toolchain.CompileAhead(plan, "waits", cwd=tmp_path)
    with pytest.raises(toolchain.ToolTimeout, match=r"^gcc did not finish within 0\.5 s$"):
        ahead.finish(f'#include "{tmp_path / "never_written"}"\n', 0.5)
    assert (tmp_path / "waits.c").is_file() and not _children(os.getpid())
    assert len(os.listdir("/proc/self/fd")) == descriptors  # none left open on any path


def test_the_next_cells_cc1_follows_the_flags(tmp_path):
    """The compiler's cc1 started ahead is used only with the flags it was started with: after
    `%cflags` changes them, the next unit compiles with the new ones."""
    from cellc_kernel.compile import Compiler

    compiler = Compiler(tmp_path)
    try:
        compiler.start_ahead("cell2")
        compiler.cflags = (*compiler.cflags, "-DN=42")
        obj, _, _ = compiler.compile("cell2", "", "int n = N;\n", "In[2]")
        assert obj.exists()
        compiler.start_ahead("cell3")
        compiler.start_ahead("cell3")  # the same unit: the one already waiting stays
        obj, _, _ = compiler.compile("cell3", "", "int m = N;\n", "In[3]")
        assert obj.exists()
        # A unit compiled (by the look-ahead's thread) before its cc1 was started ahead: none is,
        # no FIFO replaces the unit its cc1 reads.
        obj, _, _ = compiler.compile("cell4", "", "int k = N;\n", "In[4]")
        compiler.start_ahead("cell4")
        compiler.start_ahead("cell5")  # (waits until the one before is done)
        assert stat.S_ISREG((tmp_path / "cell4.c").stat().st_mode) and obj.exists()
    finally:
        compiler.close()
    assert not _children(os.getpid())


def test_a_live_process_that_ends_while_it_forks_is_told_apart():
    """The executor's events, as the kernel books them: the live process ends after `done snapshot`
    and before `snapshot PID`.  A signal of the program (held off during the fork) ends it once the
    new snapshot is in the lineage, and that one resumes: the last cell's state is kept.  A SIGKILL
    before that resumes the snapshot from before the last cell: its state is gone, which the next
    command must say (`went_back`), not run on as if it were there."""
    from cellc_kernel.executor import _Tree

    root, live, first, new, resumed = (5_000_000 + i for i in range(5))  # above any pid_max: no process

    def after_two_cells() -> _Tree:
        tree = _Tree(root)
        for kind, args in [("ready", [live, root]), ("done", ["snapshot"]), ("snapshot", [first])]:
            tree.note(kind, [str(a) for a in args])
        tree.note("done", ["snapshot"])
        tree.note("died", [str(live), "signal", "KILL"])
        return tree

    kept = after_two_cells()
    kept.note("ready", [str(resumed), str(new)])
    assert not kept.went_back and kept.live_parent == new and new in kept.snapshots
    gone = after_two_cells()
    gone.note("ready", [str(resumed), str(first)])
    assert gone.went_back
    idle = _Tree(root)  # an end after the fork (a timer while no cell runs) is not one
    for kind, args in [("ready", [live, root]), ("done", ["snapshot"]), ("snapshot", [first])]:
        idle.note(kind, [str(a) for a in args])
    idle.note("died", [str(live), "signal", "ALRM", "timer"])
    idle.note("ready", [str(resumed), str(first)])
    assert not idle.went_back


def test_tools_run_in_the_c_locale_but_gdb_in_the_users():
    from cellc_kernel import toolchain

    assert toolchain.run(["sh", "-c", "echo $LC_ALL"]).stdout == "C\n"
    assert toolchain.environment(user_locale=True).get("LC_ALL") == os.environ.get("LC_ALL")


def test_the_work_directory_follows_tmpdir_or_goes_to_ram_only_where_logind_spares_it(tmp_path, monkeypatch):
    from cellc_kernel import toolchain

    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the user's choice stands
    monkeypatch.setattr("tempfile.tempdir", None)
    chosen = toolchain.work_directory()
    assert chosen.parent == tmp_path and chosen.stat().st_mode & 0o777 == 0o700
    monkeypatch.delenv("TMPDIR")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # what tempfile would choose without /dev/shm
    monkeypatch.setattr(os, "getuid", lambda: 1000)  # a regular user: logind's RemoveIPC empties /dev/shm
    assert toolchain.work_directory().parent == tmp_path
    monkeypatch.setattr(os, "getuid", lambda: 0)  # root: spared
    monkeypatch.setattr(toolchain, "RAM_DIRECTORY", str(tmp_path / "absent"))
    assert toolchain.work_directory().parent == tmp_path
    ram = tmp_path / "ram"
    ram.mkdir()
    monkeypatch.setattr(toolchain, "RAM_DIRECTORY", str(ram))
    monkeypatch.setattr(toolchain, "RAM_FREE", 0)
    chosen = toolchain.work_directory()
    assert chosen.parent == ram and chosen.name.startswith("cellc-") and chosen.stat().st_mode & 0o777 == 0o700


def test_gcc_output_parses_into_messages_with_their_lines():
    from cellc_kernel.diagnostics import Diagnostic, parse

    raw = (
        "In file included from In[1]:1:\n"
        "In[2]: In function 'f':\n"
        "In[2]:3:14: error: 'y' undeclared (first use in this function)\n"
        "    3 |     return x + y;\n"
        "      |                ^\n"
        "In[2]:3:14: note: each undeclared identifier is reported only once\n"
        '<command-line>: warning: "N" redefined\n'
        "hdr.h:7: warning: no column\n"
        "In[4]:1:1: fatal error: nothere.h: No such file or directory\n"
        "compilation terminated.\n"
    )
    found = parse(raw)
    assert [(d.file, d.line, d.column, d.severity) for d in found] == [
        ("", None, None, ""),
        ("", None, None, ""),
        ("In[2]", 3, 14, "error"),
        ("In[2]", 3, 14, "note"),
        ("<command-line>", None, None, "warning"),
        ("hdr.h", 7, None, "warning"),
        ("In[4]", 1, 1, "fatal error"),
    ]
    assert found[1] == Diagnostic("", None, None, "", "In[2]: In function 'f':", ("In[2]: In function 'f':",))
    error = found[2]
    assert error.message == "'y' undeclared (first use in this function)" and error.is_error and error.located
    assert error.lines[1:] == ("    3 |     return x + y;", "      |                ^")
    assert found[-1].is_error and found[-1].lines[-1] == "compilation terminated."  # what follows belongs to it
    assert not found[4].located and not found[3].is_error
    assert parse("") == [] and parse("  stray\nIn[1]:1:1: error: e")[0].lines == ("  stray",)


def test_diagnostics_helpers_read_what_the_pipeline_needs():
    from cellc_kernel.diagnostics import caret_line, cell_place, has_errors, implicitly_declared, source_quote

    raw = (
        "In[3]:2:5: warning: implicit declaration of function 'g' [-Wimplicit-function-declaration]\n"
        "    2 |     g(1);\n"
        "      |     ^\n"
    )
    assert implicitly_declared(raw) == {"g"} and not has_errors(raw)
    assert has_errors("In[3]:1:1: error: e\n") and has_errors("x.h:1:1: fatal error: f\n")
    assert cell_place("In[12]:4:7: runtime error: signed integer overflow") == ("In[12]", 4, 7, 11)
    assert cell_place("hdr.h:4:7: error: e") is None and cell_place("In[2]:4: error: e") is None
    assert source_quote("    2 |     g(1);") == ("    2 | ", 2, "    g(1);")
    assert caret_line("      |     ^") == ("      | ", "    ^") and source_quote("      |     ^") is None


def test_cell_labels_are_made_and_read_in_names():
    assert names.cell_label(7) == "In[7]" and names.cell_number(names.cell_label(7)) == 7
    assert names.cell_number(names.GENERATED_FILE) is None and names.cell_number("In[7]x") is None


def test_the_ipykernel_adapter_knows_the_version_it_taps() -> None:
    """The shell-thread tap is on only for the ipykernel it was written for."""
    import ipykernel

    from cellc_kernel import ipykernel_adapter

    major = int(ipykernel.__version__.split(".")[0])
    assert ipykernel_adapter.TAP_WORKS == (major in ipykernel_adapter.WRITTEN_FOR)
    queued = ipykernel_adapter.QueuedRequests()
    assert queued.after("nothing", 10) == []


def test_a_command_ends_the_first_way_its_events_say() -> None:
    """Events that tell of several endings make one, in the order failure.py reports them."""
    from cellc_kernel.executor import Ending, _Evidence

    live = 7
    ways: list[tuple[Ending, list[tuple[str, list[str], bytes]], str]] = [
        (Ending.CHANNEL_LOST, [("died", [str(live), "lost"], b"")], ""),
        (Ending.GARBAGE, [], "garbage"),
        (Ending.UNDEFINED, [("undefined", ["f"], b"")], ""),
        (Ending.PROCESS_LIMIT, [("died", [str(live), "limit", "processes"], b"")], ""),
        (Ending.TIMED_OUT, [], "timed_out"),
        (Ending.INTERRUPTED, [("interrupted", [], b"")], ""),
        (Ending.EXITED, [("died", [str(live), "exit", "3"], b"")], ""),
        (Ending.CRASHED, [("fault", ["SEGV", "1", "0", "0"], b"")], ""),
    ]
    rolledback = ("rolledback", ["no"], b"")
    for i, (ending, _, _) in enumerate(ways):
        evidence = _Evidence()
        for _, events, flag in reversed(ways[i:]):
            for event in events:
                evidence.note(event, live)
            if flag:
                setattr(evidence, flag, True)
        outcome = evidence.outcome(rolledback, None)
        assert outcome.ending is ending and not outcome.ok and not outcome.rolled_back
        assert evidence.outcome(("done", ["snapshot"], b""), 1).ok
        assert evidence.outcome(("error", ["no", "entry"], b""), 1).message == "no entry"
    interrupted = _Evidence()
    interrupted.note(("died", [str(live), "signal", "SEGV"], b""), live)
    interrupted.interrupted = True
    assert interrupted.outcome(("died", [str(live), "signal", "SEGV"], b""), 1).ending is Ending.CRASHED
