"""`jupyter nbconvert --to cellc NOTEBOOK.ipynb`: the notebook as one C program.

Which cells succeed, which globals are initialized at run time and how
redefined types move are what the kernel decides when it runs the cells, so
the exporter runs the notebook top to bottom in a fresh cellc kernel (in the
notebook's directory, as `nbconvert --execute` would, input answered with
end-of-file) and asks it for `%export --all`.  Headers that `%%file` cells
wrote and later cells include come along as extra outputs, written next to
the C file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from jupyter_client.manager import KernelManager
from nbconvert.exporters import Exporter
from traitlets import Integer, Unicode


class CellcExporter(Exporter):
    """Exports a cellc notebook as a C file that gcc builds without cellc."""

    export_from_notebook = "C program (cellc)"
    output_mimetype = "text/x-csrc"
    timeout = Integer(600, help="Seconds a cell may run before it is interrupted.").tag(config=True)
    kernel_name = Unicode("cellc", help="The kernel that runs the notebook.").tag(config=True)

    def _file_extension_default(self) -> str:
        return ".c"

    def from_notebook_node(self, nb, resources=None, **kw):
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        meta = resources.get("metadata", {})
        name = meta.get("name") or "notebook"
        cwd = meta.get("path") or os.getcwd()
        with tempfile.TemporaryDirectory(prefix="cellc-export-") as tmp:
            target = Path(tmp, f"{name}.c")
            self._run(nb_copy, cwd, target)
            source = target.read_text()
            outputs = resources.setdefault("outputs", {})
            for extra in Path(tmp).iterdir():
                if extra != target:
                    outputs[extra.name] = extra.read_bytes()
        return source, resources

    def _run(self, nb, cwd: str, target: Path) -> None:
        km = KernelManager(kernel_name=self.kernel_name)
        km.start_kernel(cwd=cwd)
        kc = km.client()
        try:
            kc.start_channels()
            kc.wait_for_ready(timeout=120)
            for cell in nb.cells:
                if cell.cell_type == "code" and cell.source.strip():
                    self._execute(km, kc, cell.source)
            reply = self._execute(km, kc, f"%export --all {target}")
            if reply.get("status") != "ok" or not target.exists():
                raise RuntimeError(f"the kernel could not export the notebook: {reply.get('evalue', '')}")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)

    def _execute(self, km, kc, code: str) -> dict:
        try:
            reply = kc.execute_interactive(code, timeout=self.timeout, allow_stdin=False, output_hook=lambda msg: None)
        except TimeoutError:
            km.interrupt_kernel()
            reply = kc.get_shell_msg(timeout=60)
        return reply["content"]
