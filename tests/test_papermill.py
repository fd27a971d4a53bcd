"""papermill on a cellc notebook, through the real papermill CLI (subprocess, real kernel)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytest.importorskip("papermill", reason="papermill is not installed (pip install papermill)")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "params.ipynb"
PAPERMILL = Path(sys.executable).with_name("papermill")
# Every byte a C literal must get right: quotes, backslashes that look like
# escapes, a control byte followed by a hex digit (the \x trap), a trigraph,
# non-ASCII, a tab and a newline.
TRICKY = 'say "hi" C:\\x41\\n \x01F ??= caf\u00e9 \u2211\tend\nline2'


def run(args: list[str], tmp_path: Path, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        args, cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", env=env, timeout=180, **kw
    )


def outputs(nb: dict) -> list[str]:
    """The stdout of each code cell of an executed notebook."""
    return [
        "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("name") == "stdout")
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
    ]


def injected(nb: dict) -> tuple[int, str]:
    for i, cell in enumerate(nb["cells"]):
        if "injected-parameters" in cell["metadata"].get("tags", []):
            return i, "".join(cell["source"])
    raise AssertionError("papermill injected no parameters cell")


def test_entry_point_makes_plain_papermill_work(tmp_path):
    """`papermill in out -p ...` on the installed package: values become typed C globals."""
    names = {ep.name for ep in entry_points(group="papermill.engine")}
    assert "cellc" in names, (
        "the papermill.engine entry point `cellc = cellc_kernel.papermill_translator:CellcEngine` "
        'is not installed (pyproject.toml [project.entry-points."papermill.engine"]; pip install -e .)'
    )
    out = tmp_path / "out.ipynb"
    args = [str(PAPERMILL), str(NOTEBOOK), str(out), "-p", "n", "10", "-p", "name", "run1"]
    args += ["-p", "scale", "2", "-p", "verbose", "True", "--cwd", str(tmp_path)]
    proc = run(args, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = json.loads(out.read_text())
    index, source = injected(nb)
    assert "parameters" in nb["cells"][index - 1]["metadata"]["tags"]
    # Redeclared with the types of the parameters cell: `-p scale 2` stays a double.
    assert source.splitlines() == [
        "// Parameters",
        "long n = 10;",
        'const char *name = "run1";',
        "double scale = 2;",
        "int verbose = 1;",
    ]
    text = "".join(outputs(nb))
    assert "run run1: n=10 scale/4=0.5 result=" in text
    assert "partial sum 4:" in text  # verbose reached the function defined after the parameters
    # result = 2 * (Leibniz series with 10 terms), computed here independently
    series = sum((-4.0 if k % 2 else 4.0) / (2 * k + 1) for k in range(10))
    assert f"result={2 * series:.12f}" in text


def test_module_cli_strings_and_new_names(tmp_path):
    """`python -m cellc_kernel.papermill_translator`: hard strings survive, unknown names get value types."""
    nb_in = json.loads(NOTEBOOK.read_text())
    check = (
        "#include <string.h>\n"
        'printf("[%s] %zu\\n", name, strlen(name));\n'
        'printf("extra=%g count=%ld flag=%d\\n", extra / 4, count / 4, flag);'
    )
    nb_in["cells"].append(
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": check}
    )
    nb_in["cells"][-1]["id"] = "check-cell"
    src = tmp_path / "in.ipynb"
    src.write_text(json.dumps(nb_in))
    params = tmp_path / "params.yaml"
    params.write_text(json.dumps({"name": TRICKY, "extra": 1.0, "count": 7, "flag": False}))
    out = tmp_path / "out.ipynb"
    args = [sys.executable, "-m", "cellc_kernel.papermill_translator", str(src), str(out), "-f", str(params)]
    proc = run(args, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = json.loads(out.read_text())
    _, source = injected(nb)
    assert "double extra = 1.0;" in source and "long count = 7;" in source and "int flag = 0;" in source
    assert "\\x" not in source.replace("\\\\x", "")  # only octal escapes
    expected = f"[{TRICKY}] {len(TRICKY.encode())}\nextra=0.25 count=1 flag=0\n"
    assert outputs(nb)[-1] == expected


def test_help_notebook_lists_typed_parameters(tmp_path):
    proc = run([sys.executable, "-m", "cellc_kernel.papermill_translator", "--help-notebook", str(NOTEBOOK)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "n: long (default 1000)" in proc.stdout
    assert "terms of the Leibniz series" in proc.stdout
    assert 'name: const char * (default "default")' in proc.stdout


def test_bad_parameter_name_is_refused(tmp_path):
    out = tmp_path / "out.ipynb"
    args = [sys.executable, "-m", "cellc_kernel.papermill_translator", str(NOTEBOOK), str(out), "-p", "bad-name", "1"]
    proc = run(args, tmp_path)
    assert proc.returncode != 0
    assert "not a valid C identifier" in proc.stderr


def test_const_parameters_are_overridden_too(kernel):
    """A `const` global in the parameters cell, redeclared with the same type as papermill's cell does."""
    from cellc_kernel.papermill_translator import CTranslator, declared_parameters

    params_cell = "const long limit = 5;      // a constant the run may change\nconst double eps = 1e-3;"
    kernel.ok(params_cell)
    kernel.ok("long get_limit(void) { return limit; }")
    injected_cell = CTranslator.codify({"limit": 10, "eps": 0.5}, declared=declared_parameters(params_cell))
    assert injected_cell == "// Parameters\nconst long limit = 10;\nconst double eps = 0.5;\n"
    kernel.ok(injected_cell)
    assert kernel.ok("get_limit() * 100 + (int)(eps * 10)").value == "1005"


def test_types_from_values_outside_papermill():
    """Called without a notebook in sight, the types come from the values; C keywords are refused."""
    from papermill.exceptions import PapermillException

    from cellc_kernel.papermill_translator import CTranslator

    code = CTranslator.codify({"n": 3, "x": 0.25, "s": "a\\x41", "ok": True, "xs": [1, 2.5], "big": 2**64 - 1})
    assert code.splitlines() == [
        "// Parameters",
        "long n = 3;",
        "double x = 0.25;",
        'const char *s = "a\\\\x41";',
        "int ok = 1;",
        "double xs[] = {1, 2.5};",
        "unsigned long big = 18446744073709551615UL;",
    ]
    with pytest.raises(PapermillException, match="not a valid C identifier"):
        CTranslator.codify({"int": 1})
