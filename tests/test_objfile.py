"""Unit tests of the one reader of object files (objfile.py), on objects gcc really builds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cellc_kernel import objfile
from cellc_kernel.ctype import type_name

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not available")

SOURCE = """\
#include <stdio.h>
struct point { int x, y; };
struct point origin = { 1, 2 };
int later(int);
static int twice(int v) { return 2 * v; }
static int calls;
int area(const struct point *p) {
    int w = p->x + calls++;
    { double h = p->y; w *= (int)h; }
    printf("%d\\n", later(w));
    return twice(w);
}
int (*table[])(const struct point *) = { area };
"""
AREA_BODY_LINE = 8  # `int w = p->x;`


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(x.o, x.so) of SOURCE, with debug information, as the kernel builds cells."""
    work = tmp_path_factory.mktemp("objfile")
    (work / "x.c").write_text(SOURCE)
    base = ["gcc", "-g", "-O0", "-fPIC"]
    subprocess.run([*base, "-c", "x.c", "-o", "x.o"], cwd=work, check=True)
    subprocess.run([*base, "-shared", "x.o", "-o", "x.so", "-Wl,--unresolved-symbols=ignore-all"], cwd=work, check=True)
    return work / "x.o", work / "x.so"


def test_symbols_defined_and_undefined(built):
    obj = objfile.open_object(built[0])
    by_name = {s.name: s for s in obj.symbols() if s.name}
    assert by_name["area"].defined and by_name["area"].kind == "func" and by_name["area"].code
    assert by_name["area"].bind == "global"
    assert by_name["origin"].kind == "object" and not by_name["origin"].code and by_name["origin"].size == 8
    assert by_name["twice"].bind == "local"
    assert not by_name["printf"].defined and by_name["printf"].section == "UNDEF"
    assert not by_name["later"].defined


def test_references_are_grouped_by_their_holder(built):
    obj = objfile.open_object(built[0])
    refs = obj.references()
    assert refs["area"] == {"printf", "later", "calls"}  # a local by its section's symbol
    assert refs["table"] == {"area"}
    assert "printf" in {r.symbol.name for r in obj.relocations() if r.symbol is not None}


def test_lines_both_ways_and_what_is_at_an_address(built):
    so = objfile.open_object(built[1])
    addresses = so.addresses_of("x.c", AREA_BODY_LINE)
    assert addresses
    assert so.line_at(addresses[0]) == ("x.c", AREA_BODY_LINE)
    assert so.function_at(addresses[0]).name == "area"
    assert so.section_at(addresses[0]) == ".text"
    origin = next(s for s in so.symbols() if s.name == "origin")
    assert so.object_at(origin.value + 4).name == "origin"
    assert so.section_at(origin.value) == ".data"
    assert so.function_at(origin.value) is None


def test_types_of_a_global_and_of_locals(built):
    obj = objfile.open_object(built[0])
    assert type_name(obj.variable_type("origin")) == "struct point"
    assert type_name(obj.variable_type("table")) == "int (*[1])(const struct point *)"
    assert type_name(obj.local_type("area", "p")) == "const struct point *"
    assert type_name(obj.local_type("area", "h")) == "double"
    shown = [(v.name, type_name(v.type), v.parameter) for v in obj.locals("area")]
    assert shown == [("p", "const struct point *", True), ("w", "int", False), ("h", "double", False)]
    assert obj.variable_type("nothing") is None and obj.local_type("area", "nothing") is None
    assert "later" in obj.declared_functions()


def test_one_reader_per_file_while_it_stays_the_same(tmp_path: Path):
    src, o = tmp_path / "y.c", tmp_path / "y.o"
    src.write_text("int y = 1;\n")
    subprocess.run(["gcc", "-g", "-c", str(src), "-o", str(o)], check=True)
    first = objfile.open_object(o)
    assert objfile.open_object(str(o)) is first
    src.write_text("double y[4] = { 1 };\n")
    subprocess.run(["gcc", "-g", "-c", str(src), "-o", str(o)], check=True)
    second = objfile.open_object(o)
    assert second is not first and type_name(second.variable_type("y")) == "double [4]"
    objfile.forget(o)
    assert objfile.open_object(o) is not second
    (tmp_path / "junk.o").write_bytes(b"not an object")
    with pytest.raises(objfile.NotAnObject):
        objfile.open_object(tmp_path / "junk.o")
