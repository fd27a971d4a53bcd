"""Jupyter citizenship: the kernelspec, kernel_info and jupyter_kernel_test.

jupyter_kernel_test drives a real `cellc` kernel through the protocol and
validates every message against the schema, so passing it is what lets
Notebook, Lab, nbconvert and nbclient work with the kernel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jupyter_kernel_test
import pytest
from jupyter_client.kernelspec import KernelSpecManager


class CellcKernelTests(jupyter_kernel_test.KernelTests):
    """The standard protocol conformance suite, filled in for C (the one KernelTests of the suite)."""

    kernel_name = "cellc"
    language_name = "c"
    file_extension = ".c"

    code_hello_world = '#include <stdio.h>\nprintf("hello, world\\n");'
    code_stderr = '#include <stdio.h>\nfprintf(stderr, "this goes to stderr\\n");'

    complete_code_samples = [
        "int x = 1;",
        "int f(void) { return 1; }",
        "#include <stdio.h>",
        "6 * 7",
        "int f(int a) {\n    return a + 1;\n}",
        '#include <stdio.h>\nputs("a { in a string");',
        "/* a closed comment */ int y;",
    ]
    incomplete_code_samples = [
        "int f(void) {",
        "int a[] = { 1,",
        'for (int i = 0; i < 3; i++) {\n    puts("x");',
        "int a[3] = {1, 2",
        "/* an open comment",
        "#define LONG_MACRO(x) \\",
        "f(1,",
    ]
    invalid_code_samples = [
        "x)",
        "int f(void) { }}",
        "#endif",
        "}",
        "int a[2] = {1, 2)};",
    ]

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "1.5 + 1", "result": "2.5"},
        {"code": '"hello"', "result": '"hello"'},
        {"code": "int seven = 7; seven * 6", "result": "42"},
        {"code": "6 * 7", "mime": "text/html"},
    ]

    code_generate_error = "int broken = ;"

    code_clear_output = "#include <cellc.h>\ncellc_clear_output(0);"

    code_display_data = [
        {"code": '#include <cellc.h>\ncellc_html("<b>%d</b>", 42);', "mime": "text/html"},
        {"code": '#include <cellc.h>\ncellc_markdown("*%s*", "md");', "mime": "text/markdown"},
    ]

    completion_samples = [
        {"text": "_Static_as", "matches": ["_Static_assert"]},
        {"text": "#include <stdio.h>\nprin", "matches": {"printf"}},
        {"text": "#include <string.h>\nstrcp", "matches": {"strcpy"}},
        {"text": "whil", "matches": {"while"}},
        {"text": "#include <stdl", "matches": {"stdlib.h"}},
    ]
    code_inspect_sample = "#include <stdlib.h>\nmalloc"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 * 7"
    # code_page_something: C has no pager; not applicable.


@pytest.fixture(scope="module")
def kernel_info(kernel) -> dict:
    """The kernel_info_reply content of a real kernel."""
    msg_id = kernel.kc.kernel_info()
    while True:
        reply = kernel.kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def test_language_info_fields(kernel_info: dict) -> None:
    """Frontends pick the highlighter and file suffix from these exact values."""
    info = kernel_info["language_info"]
    assert info["name"] == "c"
    assert info["mimetype"] == "text/x-csrc"
    assert info["file_extension"] == ".c"
    assert info["pygments_lexer"] == "c"
    assert info["codemirror_mode"] == "text/x-csrc"


def test_language_version_is_gccs(kernel_info: dict) -> None:
    """The version is the compiler that really runs the cells."""
    gcc = subprocess.run(["gcc", "-dumpfullversion"], capture_output=True, text=True, check=True).stdout.strip()
    assert kernel_info["language_info"]["version"] == gcc


def test_debugger_advertised(kernel_info: dict) -> None:
    """JupyterLab shows its debugger for a kernel that claims the feature (debugger.py)."""
    assert kernel_info["supported_features"] == ["debugger"]
    assert kernel_info["implementation"] == "cellc"
    assert kernel_info["status"] == "ok"


def test_kernelspec_registered() -> None:
    """`pip install .` alone registers `cellc` with language c and signal interrupts."""
    spec = KernelSpecManager().get_kernel_spec("cellc")
    assert spec.language == "c"
    assert spec.interrupt_mode == "signal"
    assert spec.metadata.get("debugger") is True  # JupyterLab's bug icon
    assert spec.argv[1:3] == ["-m", "cellc_kernel"]
    assert "{connection_file}" in spec.argv


def test_install_module_with_prefix(tmp_path: Path) -> None:
    """`python -m cellc_kernel.install --prefix P` writes a usable kernelspec under P."""
    proc = subprocess.run(
        [sys.executable, "-m", "cellc_kernel.install", "--prefix", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    spec_file = tmp_path / "share" / "jupyter" / "kernels" / "cellc" / "kernel.json"
    spec = json.loads(spec_file.read_text())
    assert spec["language"] == "c"
    assert spec["argv"][:3] == [sys.executable, "-m", "cellc_kernel"]  # the Python that has cellc


BASE_PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"


@pytest.mark.skipif(
    sys.prefix == sys.base_prefix or not BASE_PYTHON.exists(), reason="needs a venv: its base Python is the other one"
)
def test_an_installed_kernelspec_starts_from_a_jupyter_without_cellc(tmp_path: Path) -> None:
    """A Jupyter (or nbgrader) of another environment, where `python` has no cellc, starts the kernel
    that `python -m cellc_kernel.install` installed: the kernelspec names this Python by its path.
    The other environment is this venv's base Python, given jupyter_client (not cellc: site-packages
    on PYTHONPATH does not run the editable install's .pth)."""
    subprocess.run(
        [sys.executable, "-m", "cellc_kernel.install", "--prefix", str(tmp_path / "prefix")], check=True, timeout=120
    )
    frontend = (
        "import sys\n"
        "from jupyter_client.manager import start_new_kernel\n"
        "try:\n"
        "    import cellc_kernel.kernel\n"
        "    sys.exit('this Python has cellc')\n"
        "except ImportError:\n"
        "    pass\n"
        "km, kc = start_new_kernel(kernel_name='cellc', startup_timeout=120)\n"
        "reply = kc.execute_interactive('6 * 7', timeout=120, output_hook=lambda msg: print(msg['content']))\n"
        "km.shutdown_kernel()\n"
    )
    site_packages = next(p for p in sys.path if p.startswith(sys.prefix) and p.endswith("site-packages"))
    env = {
        **os.environ,
        "PYTHONPATH": site_packages,
        "JUPYTER_PATH": str(tmp_path / "prefix" / "share" / "jupyter"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),  # no user kernelspec
    }
    proc = subprocess.run(
        [str(BASE_PYTHON), "-c", frontend], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "'text/plain': '42'" in proc.stdout


def test_install_module_help() -> None:
    """The install entry point exists and documents its options."""
    proc = subprocess.run(
        [sys.executable, "-m", "cellc_kernel.install", "--help"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    for option in ("--user", "--sys-prefix", "--prefix"):
        assert option in proc.stdout


def test_kernel_module_loads_no_compiler() -> None:
    """kernel_info is answered before the parser, pyelftools or the model are loaded (they load with the first cell)."""
    script = (
        "import sys, cellc_kernel.kernel\n"
        "heavy = ('cellc_kernel.parse', 'cellc_kernel.model', 'elftools', 'tree_sitter')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
