"""Key press -> new image, in JupyterLab in headless Chromium: Explorer against plain ``interact``.

Writes a small notebook to a temporary directory, starts JupyterLab on it,
runs all cells, then presses ArrowRight on each slider in turn (interleaved,
so a busy machine slows all three alike) and times, in the page, from the
``keydown`` to the moment a new image is decoded in that cell's output:

- ``interact_trivial``: ``interact`` over a trivial inline pyplot figure (one curve, log axis);
- ``interact_runs``: ``interact`` drawing the Explorer's figure (same runs) inline;
- ``explorer``: :class:`rmsprop_lib.drawing.widgets.Explorer`, 4 optimizers x 200 steps on Rosenbrock.

Usage: ``python benchmarks/browser_latency.py [--presses 12] [--json]``.
Needs Debian's ``chromium`` on the PATH (Playwright's own download is not used).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import nbformat

SETUP = '''\
import matplotlib.pyplot as plt
import numpy as np
import ipywidgets as widgets
from rmsprop_lib import SGD, Adam, Momentum, RMSProp, minimize, problems
from rmsprop_lib.drawing import plotting
from rmsprop_lib.drawing.widgets import Explorer, lr_slider


def compute(lr):
    p = problems.rosenbrock
    optimizers = {"GD": SGD(lr / 10), "Momentum": Momentum(lr / 10), "RMSProp": RMSProp(lr), "Adam": Adam(lr)}
    return p, {label: minimize(p, opt, p.start, 200) for label, opt in optimizers.items()}
'''

CELLS = {
    "interact_trivial": '''\
x = np.linspace(0, 10, 200)


@widgets.interact(a=widgets.FloatSlider(value=1.0, min=0.1, max=5.0, step=0.1))
def trivial(a):
    plt.figure(figsize=(6, 3))
    plt.semilogy(x, np.exp(-a * x) + 1e-6)
    plt.show()
''',
    "interact_runs": '''\
@widgets.interact(lr=lr_slider(0.01, 1e-4, 1.0))
def same_runs(lr):
    problem, runs = compute(lr)
    plotting.runs_figure(problem, runs, figure=plt.figure(figsize=(10, 4), dpi=80))
    plt.show()
''',
    "explorer": 'Explorer({"lr": lr_slider(0.01, 1e-4, 1.0)}, compute)\n',
}

# window.latency: a promise of the ms from the next keydown to a new, decoded image in the cell.
WATCH = '''
(index) => { window.latency = new Promise((resolve, reject) => {
  const cell = document.querySelectorAll('.jp-CodeCell')[index];
  const sources = () => Array.from(cell.querySelectorAll('img')).map((img) => img.src);
  const before = new Set(sources());
  let pressed = null;
  document.addEventListener('keydown', () => { pressed ??= performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const fresh = Array.from(cell.querySelectorAll('img')).filter((img) => img.src && !before.has(img.src));
    if (pressed === null || fresh.length === 0) return;
    observer.disconnect();
    Promise.all(fresh.map((img) => img.decode().catch(() => null))).then(() => resolve(performance.now() - pressed));
  });
  observer.observe(cell, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
  setTimeout(() => { observer.disconnect(); reject(new Error('no new image within 20 s')); }, 20000);
}); }
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP)] + [nbformat.v4.new_code_cell(source) for source in CELLS.values()]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "latency.ipynb"
    nbformat.write(nb, path)
    return path


def measure(presses: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not on the PATH (apt-get install chromium)")
    folder = Path(tempfile.mkdtemp(prefix="latency-"))
    notebook = write_notebook(folder)
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(folder / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces")}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={folder}",
         "--allow-root"],  # containers often run as root
        stdout=subprocess.DEVNULL, stderr=open(folder / "server.log", "w"), env=env,
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ])
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            deadline = time.time() + 60
            while True:  # the server needs a moment to start
                try:
                    page.goto(f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}&reset", timeout=10_000)
                    break
                except Exception:
                    if time.time() > deadline or server.poll() is not None:
                        print((folder / "server.log").read_text()[-3000:], file=sys.stderr)
                        raise
                    time.sleep(0.5)
            page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=120_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(
                "document.querySelectorAll('.jp-CodeCell .noUi-handle').length >= 3 && "
                "![...document.querySelectorAll('.jp-InputPrompt')].some((p) => p.textContent.includes('*'))",
                timeout=120_000,
            )
            page.wait_for_timeout(1500)  # first images decoded, kernel idle
            times = {name: [] for name in CELLS}
            for _ in range(presses):
                for index, name in enumerate(CELLS, start=1):
                    cell = page.locator(".jp-CodeCell").nth(index)
                    handle = cell.locator(".noUi-handle").first
                    handle.scroll_into_view_if_needed()
                    handle.focus()
                    page.evaluate(WATCH, index)
                    handle.press("ArrowRight")
                    times[name].append(page.evaluate("window.latency"))
                    page.wait_for_timeout(300)  # let the kernel settle before the next press
            browser.close()
        return times
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=12, help="key presses per slider")
    parser.add_argument("--json", action="store_true", help="print the times as one JSON line (ms)")
    args = parser.parse_args()
    times = measure(args.presses)
    if args.json:
        print(json.dumps({name: [t / 1000 for t in values] for name, values in times.items()}))
        return
    for name, values in times.items():
        print(f"{name:18s} median {median(values):7.1f} ms   ({', '.join(f'{t:.0f}' for t in values)})")
    print(f"explorer / interact_trivial = {median(times['explorer']) / median(times['interact_trivial']):.2f} (goal <= 0.5)")


if __name__ == "__main__":
    main()
