#!/usr/bin/env bash
# Install cellc with its test dependencies into a fresh venv and run the tests.
# Used by CI (.ci/run) and by developers: `bash ci/test.sh [pytest args...]`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v gcc >/dev/null; then
    echo "cellc needs gcc (apt-get install gcc)" >&2
    exit 1
fi

# System packages: Chromium for the browser test (JupyterLab in headless
# Chromium), Csmith for the random programs of the conformance tests, gdb
# for %debug, graphviz for %draw's pictures.
if [ "${CI:-}" = "true" ] && command -v apt-get >/dev/null; then
    missing=""
    command -v chromium >/dev/null || missing="$missing chromium"
    command -v csmith >/dev/null && [ -f /usr/include/csmith/csmith.h ] || missing="$missing csmith libcsmith-dev"
    command -v gdb >/dev/null || missing="$missing gdb"
    command -v dot >/dev/null || missing="$missing graphviz"
    if [ -n "$missing" ]; then
        # shellcheck disable=SC2086
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
            || echo "warning: could not install$missing; their tests will be skipped" >&2
    fi
fi

VENV="${CELLC_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
. "$VENV/bin/activate"
python -m pip install -q --upgrade pip
python -m pip install -q -e '.[test]'

ruff check cellc_kernel tests benchmarks
ruff format --check cellc_kernel tests benchmarks
mypy cellc_kernel
# The executor is C the kernel builds with the user's gcc: it must stay warning-free.
python - <<'PY'
import subprocess, sys
from cellc_kernel.executor import COMMAND_LINE, PACKET, SOURCE
flags = ["-Wall", "-Wextra", "-Werror", "-O2", f"-DCELLC_COMMAND_LINE={COMMAND_LINE}", f"-DCELLC_PACKET={PACKET}"]
sys.exit(subprocess.run(["gcc", *flags, "-c", "-o", "/dev/null", str(SOURCE)]).returncode)
PY
python -m pytest -q -p no:cacheprovider "$@"
