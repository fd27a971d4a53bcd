"""The pipeline's stages in-process: an `Interpreter` with capturing handlers.

These are the quick lane's tests of logic that the protocol tests only reach end
to end: prelude pruning (a cell's unit declares only what its names reach, and
falls back to the whole prelude when that is not enough), migration planning,
how Run All cuts a batch, and how export renames what a notebook redefined.
gcc really compiles and the executor really runs; only Jupyter is left out.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cellc_kernel import names, objfile
from cellc_kernel.ctype import CType
from cellc_kernel.executor import Handlers
from cellc_kernel.export import export_program
from cellc_kernel.generate import generate
from cellc_kernel.interpreter import Interpreter
from cellc_kernel.migrate import plan_migration
from cellc_kernel.result import CellResult


@dataclass
class InProcess:
    """An interpreter whose output is kept, cell by cell."""

    interp: Interpreter
    out: list[str] = field(default_factory=list)

    def run(self, code: str) -> CellResult:
        self.out.clear()
        handlers = Handlers(output=lambda name, text: self.out.append(text))
        label = f"In[{self.interp.counter + 1}]"
        return self.interp.execute(code, label, handlers)

    def ok(self, code: str) -> CellResult:
        result = self.run(code)
        assert result.ok, result.traceback
        return result

    def unit_of(self, code: str):
        """The unit the generator makes for `code` as the next cell (not run)."""
        interp = self.interp
        attempt = interp.cells.attempt(code, "In[99]", 99, interp.program)
        return generate(interp.program, attempt.parsed, 99, "In[99]", attempt.options, interp.linker.is_library_data)


@pytest.fixture
def ip(tmp_path):
    interp = Interpreter(cwd=str(tmp_path))
    try:
        yield InProcess(interp)
    finally:
        interp.shutdown()


# -- prelude pruning -------------------------------------------------------------------------------


def test_a_cell_declares_only_what_its_names_reach(ip):
    ip.ok("#include <stdio.h>\n#include <string.h>")
    ip.ok("int used = 1;\nint unused = 2;")
    ip.ok("int reached(void) { return used; }\nint never(void) { return unused; }")
    ip.ok("struct far { int a; };\ntypedef struct far far_t;")
    unit = ip.unit_of("int r = reached();")
    text = unit.header + unit.body
    assert names.trampoline("reached") in text
    for absent in ("never", "unused", "struct far", "far_t", "stdio.h"):
        assert absent not in text, absent
    assert unit.header == ""  # nothing from a header: the precompiled header is not even loaded


def test_a_name_a_macro_pastes_falls_back_to_the_whole_prelude(ip):
    ip.ok("#define CAT(a, b) a##b\nint AB(int x) { return x + 1; }")
    attempt = ip.interp.cells.attempt("int p = CAT(A, B)(41);", "In[9]", 9, ip.interp.program)
    assert not attempt.options.full_prelude
    compiled = ip.interp.cells.compile(attempt)
    compiled.speculative.kill()
    assert attempt.options.full_prelude  # the pruned unit did not declare AB
    assert ip.ok("int p = CAT(A, B)(41);\np").value[0] == "42"


# -- migration planning ----------------------------------------------------------------------------


def _type_of(tmp: Path, source: str, name: str) -> CType:
    src, obj = tmp / f"{name}.c", tmp / f"{name}.o"
    src.write_text(source)
    subprocess.run(["gcc", "-g", "-c", "-o", str(obj), str(src)], check=True)
    ctype = objfile.open_object(obj).variable_type(name)
    assert ctype is not None
    return ctype


def test_migration_plan_keeps_converts_adds_and_drops(tmp_path):
    old = _type_of(tmp_path, "struct acct { int id; float balance; char tag; } old;", "old")
    new = _type_of(tmp_path, "struct acct { int id; double balance; int flags; } new;", "new")
    plan = plan_migration("alice", old, new, {"struct acct"})
    assert not plan.unsafe
    assert plan.kept == ["alice.id"]
    assert [c.split(" ")[0] for c in plan.converted] == ["alice.balance"]
    assert plan.added == ["alice.flags"]
    assert plan.dropped == ["alice.tag"]
    assert any("alice.balance" in s for s in plan.statements)


def test_migration_plan_refuses_an_array_that_changed_length(tmp_path):
    old = _type_of(tmp_path, "struct buf { int n; char data[8]; } old;", "old")
    new = _type_of(tmp_path, "struct buf { int n; char data[16]; } new;", "new")
    assert plan_migration("b", old, new, {"struct buf"}).unsafe


def test_a_stored_address_pins_a_global_to_its_old_type(ip):
    ip.ok("struct pt { int x, y; };\nstruct pt gp = { 1, 2 };\nstruct pt *cur = &gp;")
    result = ip.ok("struct pt { int x, y, z; };")
    assert "gp" in result.warnings and "cur" in result.warnings, result.warnings
    assert ip.ok("gp.x + cur->y").value[0] == "3"


# -- Run All: how a batch is cut -------------------------------------------------------------------


def test_a_batch_is_cut_before_a_cell_gcc_rejects(ip):
    cells = [
        ("int b1 = 1;", "In[1]"),
        ("int b2 = b1 + 1;", "In[2]"),
        ("int b3 = no_such_name;", "In[3]"),
        ("int b4 = 4;", "In[4]"),
    ]
    results = []
    for k, (code, label) in enumerate(cells):
        ip.interp.queued = cells[k + 1 :]
        results.append(ip.interp.execute(code, label, Handlers()))
        if k == 0:
            batch = ip.interp.run_all.batch
            assert batch is not None and batch.size == 2, "the batch holds the cells before the failing one"
    assert [r.ok for r in results] == [True, True, False, True]
    assert "no_such_name" in "\n".join(results[2].traceback)
    objects = {o.so.stem for o in ip.interp.cell_objects.values()}
    assert objects == {names.batch_file(1, 2), names.cell_file(4)}  # the failing cell was compiled alone


# -- export renaming -------------------------------------------------------------------------------


def test_export_forwards_a_redefined_function_and_renames_a_retyped_global(ip):
    ip.ok("#include <stdio.h>")
    ip.ok("int score(int x) { return x; }\nint (*scorer)(int) = score;")
    ip.ok("int score(int x) { return x * x; }")
    ip.ok("int level = 1;\nint old_level(void) { return level; }")
    ip.ok("double level = 2.5;")
    ip.ok('printf("%d %d %g\\n", scorer(5), old_level(), level);')
    exported = export_program(ip.interp.program, "prog", [])
    source = exported.source
    assert "score_def1" in source and "score_def2" in source and "score_ptr" in source
    assert "level_v1" in source
    prog = Path(ip.interp.workdir, "prog.c")
    prog.write_text(source)
    binary = prog.with_suffix("")
    subprocess.run(["gcc", "-o", str(binary), str(prog)], check=True)
    assert subprocess.run([str(binary)], capture_output=True, text=True).stdout == "25 1 2.5\n"
