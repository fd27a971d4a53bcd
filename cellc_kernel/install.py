"""`python -m cellc_kernel.install [--user|--sys-prefix|--prefix P]`.

`pip install .` already registers the kernelspec (shared-data in
pyproject.toml); this is for other places, e.g. a per-user install.

The shared-data kernelspec starts `python`, which jupyter_client reads as its own
interpreter: right for the environment cellc was installed in, the only one that
kernelspec is in.  One installed here may be found by a Jupyter (or nbgrader) of
another environment, which has no cellc: it names this interpreter by its path.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

# In a wheel the kernelspec is inside the package; in a source tree it is beside it.
KERNELSPEC_DIR = next(
    (p for p in (Path(__file__).parent / "kernelspec", Path(__file__).parent.parent / "kernelspec") if p.is_dir()),
    Path(__file__).parent / "kernelspec",
)


def install(user: bool = False, prefix: str | None = None) -> str:
    """Install the cellc kernelspec; returns where it went."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "cellc"
        shutil.copytree(KERNELSPEC_DIR, target)
        spec_file = target / "kernel.json"
        spec = json.loads(spec_file.read_text())
        spec["argv"][0] = sys.executable  # as it is: a venv's python is a link that makes it the venv's
        spec_file.write_text(json.dumps(spec, indent=2) + "\n")
        return KernelSpecManager().install_kernel_spec(str(target), "cellc", user=user, prefix=prefix)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Install the cellc Jupyter kernelspec.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for the current user")
    where.add_argument("--sys-prefix", action="store_true", help="install into sys.prefix (e.g. a venv)")
    where.add_argument("--prefix", help="install into PREFIX/share/jupyter/kernels")
    args = parser.parse_args(argv)
    prefix = sys.prefix if args.sys_prefix else args.prefix
    path = install(user=args.user, prefix=prefix)
    print(f"Installed the cellc kernelspec in {path}")


if __name__ == "__main__":
    main()
