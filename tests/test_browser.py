"""cellc in the wider Jupyter world: JupyterLab in a real headless Chromium, nbconvert HTML, the logo.

The browser tests start JupyterLab on 127.0.0.1 (random free port, random
token) in a temporary directory and drive Debian's `chromium` with
Playwright: one opens a cellc notebook, runs all cells and waits for a text
output and two images (cellc_image_rgb and cellc_plot) that the browser
actually decoded; one drives the visual debugger (the bug toggle, a
breakpoint clicked in the gutter, the call stack and variables panels, Next,
Continue).  Screenshots go to test-output/ (gitignored); with
CELLC_UPDATE_SCREENSHOT=1 the notebook's and the debugger's are also copied
to docs/jupyterlab.png and docs/debugger.png.

They skip, saying why, when chromium, JupyterLab or Playwright is missing
(the debugger's also without a gdb that speaks DAP, the `debug` extra); CI
installs them (ci/test.sh).  Playwright's own browser downloads are
never used (`executable_path` points at the system chromium).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from cellc_kernel.gdbdap import find_gdb

pytestmark = pytest.mark.slow  # a browser and a JupyterLab server

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = ROOT / "test-output"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 120_000

DRAW_CELLS = [
    "#include <stdlib.h>",
    "struct node {\n    int value;\n    struct node *next;\n};",
    "struct node *list = NULL;\nfor (int i = 1; i <= 3; i++) {\n    struct node *n = malloc(sizeof *n);\n"
    "    n->value = i;\n    n->next = list;\n    list = n;\n}",
    "%draw list",
]
NOTEBOOK_CELLS = [
    "#include <cellc.h>\n#include <math.h>\n#include <stdio.h>",
    'printf("hello from C: 6 * 7 = %d\\n", 6 * 7);',
    "/* The Mandelbrot set, coloured by escape time */\n"
    "enum { W = 360, H = 240 };\n"
    "static unsigned char px[W * H * 3];\n"
    "for (int y = 0; y < H; y++)\n"
    "    for (int x = 0; x < W; x++) {\n"
    "        double cr = -2.2 + 3.2 * x / W, ci = -1.2 + 2.4 * y / H, zr = 0, zi = 0;\n"
    "        int k = 0;\n"
    "        while (k < 100 && zr * zr + zi * zi < 4) {\n"
    "            double t = zr * zr - zi * zi + cr;\n"
    "            zi = 2 * zr * zi + ci;\n"
    "            zr = t;\n"
    "            k++;\n"
    "        }\n"
    "        unsigned char *p = px + 3 * (y * W + x);\n"
    "        p[0] = k == 100 ? 0 : 255 * sqrt(k / 100.0);\n"
    "        p[1] = k == 100 ? 0 : 120 * k / 100;\n"
    "        p[2] = k == 100 ? 40 : 255 - 2 * k;\n"
    "    }\n"
    "cellc_image_rgb(px, W, H);",
    "double xs[200], ys[200];\n"
    "for (int i = 0; i < 200; i++) { xs[i] = i / 20.0; ys[i] = sin(xs[i]) * exp(-xs[i] / 4); }\n"
    'cellc_plot(xs, ys, 200, "a damped sine, drawn by the kernel");',
]


DEBUGGER_CELLS = [
    "#include <stdio.h>",
    "int square(int x) {\n    int y = x * x;\n    return y;\n}",
    'int r = square(7);\nprintf("r=%d\\n", r);',
]
GDB, NO_GDB = find_gdb()


def cellc_notebook(cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "cellc", "display_name": "C (cellc)", "language": "c"},
            "language_info": {"name": "c", "pygments_lexer": "c", "codemirror_mode": "text/x-csrc"},
        }
    )
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    return nb


# -- nbconvert and the kernelspec (no browser needed) ---------------------------------------


def test_kernelspec_lists_the_logos() -> None:
    """`jupyter kernelspec list --json` points at the logos frontends show in the launcher."""
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"], capture_output=True, text=True, check=True
    )
    resource_dir = Path(json.loads(proc.stdout)["kernelspecs"]["cellc"]["resource_dir"])
    data = (resource_dir / "logo-64x64.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert int.from_bytes(data[16:20], "big") == 64 and int.from_bytes(data[20:24], "big") == 64
    assert (resource_dir / "logo-32x32.png").read_bytes()[:8] == data[:8]
    assert "<svg" in (resource_dir / "logo-svg.svg").read_text()


def _executed_html(src: Path, out: Path) -> str:
    """`jupyter nbconvert --to html --execute` of a notebook: the HTML."""
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute", str(src)]
        + ["--output-dir", str(out), "--ExecutePreprocessor.timeout=300"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return (out / f"{src.stem}.html").read_text()


def test_nbconvert_html_has_c_highlighting_and_pictures(tmp_path: Path) -> None:
    """`jupyter nbconvert --execute --to html` of pictures.ipynb: C lexer spans, embedded PNGs, the table."""
    html = _executed_html(ROOT / "notebooks" / "pictures.ipynb", tmp_path)
    # Pygments' C lexer: Keyword.Type for int/double, Comment.Preproc for #include.
    assert re.search(r'<span class="kt">(int|double|char)</span>', html)
    assert '<span class="cp">#include' in html
    assert html.count('src="data:image/png;base64,') >= 3  # Mandelbrot + two convergence plots
    assert "<table><tr><th>k</th>" in html
    assert "stay bounded" in html
    assert "<strong>doubles</strong>" in html  # cellc_markdown, rendered by nbconvert


def test_nbconvert_html_embeds_memory_diagrams(tmp_path: Path) -> None:
    """memory.ipynb executed to HTML: each %draw is an inline SVG diagram, the dangling pointer red."""
    if shutil.which("dot") is None:
        pytest.skip("graphviz is not installed (apt-get install graphviz)")
    src = ROOT / "notebooks" / "memory.ipynb"
    html = _executed_html(src, tmp_path)
    draws = sum(1 for c in nbformat.read(src, as_version=4).cells if c.source.startswith("%draw"))
    pictures = [
        base64.b64decode(data).decode() for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]
    assert len(pictures) == draws >= 8
    assert all(p.lstrip().startswith("<svg") for p in pictures)
    drawn = "".join(pictures)
    assert "heap block (16 bytes)" in drawn and "dangling" in drawn and "leaked" in drawn


# -- JupyterLab in Chromium --------------------------------------------------------------------


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path  # the server's output, the kernel's stderr with it
    pid: int  # the server's


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab server on loopback with its own config, workspace and settings directories."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed (pip install jupyterlab)")
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    nbformat.write(cellc_notebook(NOTEBOOK_CELLS), str(root / "pictures.ipynb"))
    nbformat.write(cellc_notebook(DRAW_CELLS), str(root / "draw.ipynb"))
    config = base / "config"
    (config / "labconfig").mkdir(parents=True)
    # No news/update checks: the machine has no network, and a toast would cover the page.
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    port, token = _free_port(), secrets.token_hex(16)
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        f"--LabApp.user_settings_dir={base / 'settings'}",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(base / "runtime"))
    log_path = base / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within 120 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield Lab(url, token, root, log_path, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def browser(lab: Lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def test_launcher_shows_the_cellc_logo(lab: Lab, browser) -> None:
    # The server offers the logos as kernelspec resources, and serves them.
    with urllib.request.urlopen(f"{lab.url}/api/kernelspecs?token={lab.token}", timeout=30) as resp:
        resources = json.load(resp)["kernelspecs"]["cellc"]["resources"]
    assert {"logo-64x64", "logo-svg"} <= set(resources), resources
    with urllib.request.urlopen(f"{lab.url}{resources['logo-64x64']}?token={lab.token}", timeout=30) as resp:
        assert resp.read()[:8] == b"\x89PNG\r\n\x1a\n"
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        card = page.locator('.jp-LauncherCard[data-category="Notebook"][title="C (cellc)"]')
        card.wait_for(timeout=TIMEOUT_MS)
        img = card.locator("img.jp-Launcher-kernelIcon")
        assert "/kernelspecs/cellc/logo" in img.get_attribute("src")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
        OUTPUT_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT_DIR / "jupyterlab-launcher.png"))
    finally:
        page.close()


def _kernels_of(server: int) -> list[int]:
    """The pids of the cellc kernels the server started."""
    from cellc_kernel.processes import parent_of

    kernels = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if parent_of(int(proc.name)) == server and b"cellc_kernel" in (proc / "cmdline").read_bytes():
                kernels.append(int(proc.name))
        except OSError:
            continue
    return kernels


def _what_the_page_shows(page, lab: Lab, failure: str = "the outputs did not come") -> str:
    """The cells' prompts and outputs, the kernel's status and the server's log
    (with the kernel's stderr), for a failure that happens only elsewhere."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "jupyterlab-failed.png"))
    prompts = page.locator(".jp-NotebookPanel .jp-InputPrompt").all_inner_texts()
    outputs = page.locator(".jp-NotebookPanel .jp-OutputArea-output").all_inner_texts()
    status = page.locator(".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator").evaluate_all(
        "els => els.map(e => e.dataset.status)"
    )
    tabs = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current").all_inner_texts()
    for kernel in _kernels_of(lab.pid):
        os.kill(kernel, signal.SIGUSR2)  # its threads' stacks, into the server's log
    time.sleep(1)
    return (
        f"{failure}; prompts {prompts}, kernel status {status}, current tab {tabs}\noutputs: {outputs}\n"
        f"server log:\n{lab.log.read_text()[-12000:]}"
    )


def _run_all_cells(page) -> None:
    """Run > Run All Cells, as a user does it, until JupyterLab has started the run (a prompt
    shows [*] or a number).  The notebook is clicked first, so that it is the current widget
    even if the workspace restored the launcher over it (the menu item is disabled then), and
    a click that JupyterLab dropped while it still set the session up is repeated."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = (
        "() => [...document.querySelectorAll('.jp-NotebookPanel .jp-InputPrompt')]"
        ".some(p => /\\[(\\*|\\d+)\\]/.test(p.innerText))"
    )
    run_all = page.locator('.lm-Menu-item[data-command="runmenu:run-all"]')
    for _ in range(3):
        page.locator(".jp-NotebookPanel .jp-InputPrompt").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        run_all.wait_for(timeout=TIMEOUT_MS)
        if "lm-mod-disabled" in (run_all.get_attribute("class") or ""):
            page.keyboard.press("Escape")
            page.wait_for_timeout(1000)
            continue
        run_all.click()
        try:
            page.wait_for_function(started, timeout=20_000)
            return
        except PlaywrightTimeout:
            continue  # the caller's wait for the outputs reports what the page shows


def test_notebook_runs_in_jupyterlab(lab: Lab, browser) -> None:
    """Open the notebook, Run All Cells, see the text and both pictures decoded by the browser."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1280, "height": 1500})
    try:
        page.goto(f"{lab.url}/lab/tree/pictures.ipynb?token={lab.token}")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=TIMEOUT_MS)
        # A user runs the notebook once the status says the kernel is idle: the kernel's name shows
        # while the session is still being set up, and a run asked for then can be dropped.
        page.locator(".jp-NotebookPanel-toolbar", has_text="C (cellc)").wait_for(timeout=TIMEOUT_MS)
        page.locator('.jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(
            timeout=TIMEOUT_MS
        )
        _run_all_cells(page)

        text = page.locator(".jp-OutputArea-output", has_text="hello from C: 6 * 7 = 42")
        try:
            text.wait_for(timeout=TIMEOUT_MS)
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
                ".filter(i => i.complete && i.naturalWidth > 0).length >= 2",
                timeout=TIMEOUT_MS,
            )
        except PlaywrightTimeout:
            pytest.fail(_what_the_page_shows(page, lab))
        images = page.locator(".jp-OutputArea-output img")
        sizes = images.evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
        assert [360, 240] in sizes  # cellc_image_rgb, as the browser decoded our PNG
        assert [640, 400] in sizes  # cellc_plot, rendered by matplotlib
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
        assert errors.count() == 0
        page.wait_for_timeout(500)  # let the layout settle before the picture
        page.locator(".jp-NotebookPanel .jp-Cell").first.scroll_into_view_if_needed()
        OUTPUT_DIR.mkdir(exist_ok=True)
        shot = OUTPUT_DIR / "jupyterlab.png"
        page.screenshot(path=str(shot))
        if os.environ.get("CELLC_UPDATE_SCREENSHOT") == "1":
            (ROOT / "docs").mkdir(exist_ok=True)
            shutil.copyfile(shot, ROOT / "docs" / "jupyterlab.png")
    finally:
        page.close()


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz is not installed (apt-get install graphviz)")
def test_memory_diagram_in_jupyterlab(lab: Lab, browser) -> None:
    """A %draw cell's SVG diagram, rendered by JupyterLab and decoded by the browser."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{lab.url}/lab/tree/draw.ipynb?reset&token={lab.token}")  # only this notebook open
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=TIMEOUT_MS)
        page.locator('.jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(
            timeout=TIMEOUT_MS
        )
        _run_all_cells(page)
        svg = page.locator('.jp-OutputArea-output[data-mime-type="image/svg+xml"] img')
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type=\"image/svg+xml\"] img')]"
                ".filter(i => i.complete && i.naturalWidth > 100).length >= 1",
                timeout=TIMEOUT_MS,
            )
        except PlaywrightTimeout:
            pytest.fail(_what_the_page_shows(page, lab, "the diagram did not come"))
        source = svg.first.get_attribute("src") or ""
        assert source.startswith("data:image/svg+xml")
        decoded = urllib.parse.unquote(source)
        assert "heap block (16 bytes)" in decoded and "list" in decoded
        width, height = svg.first.evaluate("i => [i.naturalWidth, i.naturalHeight]")
        assert width > 200 and height > 30
        page.locator(".jp-NotebookPanel .jp-Cell").first.click()
        page.keyboard.press("Control+b")  # the file browser closed: the picture has the width
        page.wait_for_timeout(500)
        OUTPUT_DIR.mkdir(exist_ok=True)
        shot = OUTPUT_DIR / "draw.png"
        svg.first.scroll_into_view_if_needed()
        page.screenshot(path=str(shot))
        if os.environ.get("CELLC_UPDATE_SCREENSHOT") == "1":
            shutil.copyfile(shot, ROOT / "docs" / "draw.png")
    finally:
        page.close()


def _debugger_panels(page) -> str:
    """What the debugger's sidebar shows, for a failure."""
    panels = page.locator("#jp-debugger-sidebar .lm-AccordionPanel > .lm-Widget")
    return "\n".join(panels.all_inner_texts())


@pytest.mark.skipif(GDB is None, reason=NO_GDB)
def test_debugger_in_jupyterlab(lab: Lab, browser) -> None:
    """The visual debugger as a user drives it: the toolbar's bug turns it on, a
    click in the gutter sets a breakpoint in a function's cell, the cell that
    calls it stops there with the call stack and the arguments shown, Next
    steps to the next line, Continue ends the cell with its output; run again,
    it stops again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    nbformat.write(cellc_notebook(DEBUGGER_CELLS), str(lab.root / "debugger.ipynb"))
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        # a workspace of its own: the sidebars this test opens stay out of the other tests' layout
        page.goto(f"{lab.url}/lab/workspaces/debugger/tree/debugger.ipynb?token={lab.token}")
        toolbar = page.locator(".jp-NotebookPanel-toolbar")
        bug = toolbar.locator(".jp-DebuggerBugButton")
        # the bug is enabled once the kernel said it supports debugging
        expect(bug).to_have_attribute("title", "Enable Debugger", timeout=TIMEOUT_MS)
        toolbar.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=TIMEOUT_MS)
        cells = page.locator(".jp-NotebookPanel .jp-Cell")
        prompts = page.locator(".jp-NotebookPanel .jp-InputPrompt")
        sidebar = page.locator("#jp-debugger-sidebar")
        try:
            cells.nth(0).locator(".jp-InputPrompt").click()
            page.keyboard.press("Shift+Enter")
            page.keyboard.press("Shift+Enter")
            expect(prompts.nth(1)).to_have_text("[2]:", timeout=TIMEOUT_MS)

            left = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
            if left.count():  # the file browser closed, as for a picture of the notebook and its debugger
                left.click()
            bug.click()
            expect(bug).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT_MS)
            page.locator('.jp-SideBar.jp-mod-right .lm-TabBar-tab[data-id="jp-debugger-sidebar"]').click()
            sidebar.wait_for(timeout=TIMEOUT_MS)
            # the debugger numbers the lines and adds the breakpoint gutter (its first element is a hidden spacer)
            square = cells.nth(1)
            square.locator(".cm-gutter.cm-breakpoint-gutter > .cm-gutterElement:visible").nth(1).click()
            square.locator(".cm-breakpoint-gutter .cm-breakpoint-icon:visible").wait_for(timeout=TIMEOUT_MS)
            # listed once the kernel answered: set before the caller runs
            sidebar.locator(".jp-DebuggerBreakpoint").wait_for(timeout=TIMEOUT_MS)

            frames = sidebar.locator(".jp-DebuggerCallstackFrame")
            variables = sidebar.locator(".jp-DebuggerVariables-body jp-tree-item")
            for run in (3, 4):
                cells.nth(2).locator(".jp-InputPrompt").click()
                page.keyboard.press("Shift+Enter")
                expect(frames.first.locator(".jp-DebuggerCallstackFrame-name")).to_have_text(
                    "square", timeout=TIMEOUT_MS
                )
                location = frames.first.locator(".jp-DebuggerCallstackFrame-location")
                expect(location).to_have_text("Cell [2]:2", timeout=TIMEOUT_MS)  # the cell, as JupyterLab names it
                x = variables.filter(has=page.locator(".jp-DebuggerVariables-name", has_text=re.compile(r"^x$")))
                expect(x.locator(".jp-DebuggerVariables-detail")).to_have_text("7", timeout=TIMEOUT_MS)
                if run == 3:
                    page.wait_for_timeout(500)  # let the layout settle before the picture
                    OUTPUT_DIR.mkdir(exist_ok=True)
                    shot = OUTPUT_DIR / "debugger.png"
                    page.screenshot(path=str(shot))
                    if os.environ.get("CELLC_UPDATE_SCREENSHOT") == "1":
                        shutil.copyfile(shot, ROOT / "docs" / "debugger.png")
                    sidebar.locator('jp-button[data-command="debugger:next"]').click()
                    expect(location).to_have_text("Cell [2]:3", timeout=TIMEOUT_MS)
                    expect(square.locator(".jp-DebuggerEditor-highlight")).to_contain_text(
                        "return y;", timeout=TIMEOUT_MS
                    )
                # Continue names thread 1, whichever thread stopped (the second run's is another)
                sidebar.locator('jp-button[data-command="debugger:continue"]').click()
                expect(prompts.nth(2)).to_have_text(f"[{run}]:", timeout=TIMEOUT_MS)
                expect(cells.nth(2).locator(".jp-OutputArea-output")).to_have_text("r=49", timeout=TIMEOUT_MS)
        except (PlaywrightTimeout, AssertionError):
            failure = f"the debugger did not do what a user expects; its panels:\n{_debugger_panels(page)}"
            pytest.fail(_what_the_page_shows(page, lab, failure))
    finally:
        page.close()
