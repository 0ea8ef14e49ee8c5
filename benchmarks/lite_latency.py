"""The JupyterLite site in headless Chromium: cold load -> first explorer image, and key press -> new image.

Builds the site with a local Pyodide (``--pyodide DIR``, default ``$PYODIDE`` or ``../shared/pyodide-0.27.7``),
serves it on 127.0.0.1 (every other host blocked) and, in a fresh browser profile (nothing cached):

1. cold load: from ``goto`` of ``lab/index.html?path=01_gradient_descent.ipynb`` until the first explorer
   image that the Pyodide kernel drew is decoded (the notebook's outputs are cleared and all cells run as
   soon as the notebook is open, as a learner pressing "Run all" at once would); the page's performance
   marks split it into: app ready, kernel ready (Pyodide started, packages loaded), cells run;
2. update: ArrowRight / ArrowLeft on the explorer's first slider, in turn, ``--presses`` times; from the
   ``keydown`` to the new image decoded (the same measurement as ``browser_latency.py`` in JupyterLab).

Prints rows in the table format of ``bench.py`` (``--json`` for one JSON line). Goals (issue 13):
cold load <= 20 s, update median <= 300 ms, on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

NOTEBOOK = "01_gradient_descent.ipynb"

FIRST_IMAGE_JS = """() => {
  const panel = window.__panel;
  if (!panel || !window.__ranAll) return false;
  return [...panel.node.querySelectorAll('.jp-OutputArea-output img.widget-image, .jp-OutputArea-output .widget-image img')]
    .some(img => img.complete && img.naturalWidth > 0);
}"""

RUN_ALL_WHEN_OPEN_JS = """async (path) => {
  const app = window.jupyterapp;
  const find = () => [...app.shell.widgets('main')].find(w => w.sessionContext && w.context && w.context.path === path);
  let panel = null;
  const deadline = Date.now() + 120000;
  while (!(panel = find())) {
    if (Date.now() > deadline) throw new Error(`the notebook ${path} did not open`);
    await new Promise(r => setTimeout(r, 50));
  }
  await panel.context.ready;
  performance.mark('notebook-open');
  await panel.sessionContext.ready;  // "Run all" before the session exists would ask which kernel to start
  window.__panel = panel;
  window.__marks = [[performance.now(), 'notebook open, session started']];
  panel.sessionContext.iopubMessage.connect((_, msg) => {
    if (msg.header.msg_type === 'execute_input')
      window.__marks.push([performance.now(), `cell [${msg.content.execution_count}] starts: ${msg.content.code.split('\\n')[0].slice(0, 70)}`]);
  });
  const kernel = panel.sessionContext.session.kernel;
  kernel.info.then(() => window.__marks.push([performance.now(), 'kernel ready (Pyodide started, packages loaded)']));
  app.shell.activateById(panel.id);
  await app.commands.execute('notebook:clear-all-cell-outputs');
  window.__ranAll = true;
  app.commands.execute('notebook:run-all-cells');  // not awaited: it settles when the last cell has run
  return true;
}"""


def measure(pyodide: str, presses: int) -> dict:
    os.environ["PYODIDE"] = pyodide  # test_lite (its test settings are reused here) needs one
    from served import guarded_browser, serve
    from test_browser import sync_api
    from test_lite import with_test_config
    from browser_latency import WATCH

    out = Path(tempfile.mkdtemp(prefix="lite-bench-")) / "site"
    subprocess.run([str(ROOT / ".venv-lite" / "bin" / "python"), str(ROOT / "tools" / "build_lite.py"),
                    "--pyodide", pyodide, "--out", str(out)], check=True, capture_output=True)
    server, url = serve(out)
    result = {"size_mb": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6}
    try:
        with sync_api.sync_playwright() as playwright:
            browser, context, blocked = guarded_browser(playwright, url)
            page = context.new_page()
            page.route("**/jupyter-lite.json", with_test_config)
            console: list[tuple[float, str]] = []
            page.on("console", lambda message: console.append((time.monotonic() - started, message.text)))
            started = time.monotonic()
            page.goto(f"{url}/lab/index.html?path={NOTEBOOK}")
            page.wait_for_function("() => window.jupyterapp !== undefined", timeout=120_000)
            app_ready = time.monotonic() - started
            page.evaluate(RUN_ALL_WHEN_OPEN_JS, NOTEBOOK)
            page.wait_for_function("() => window.__panel.sessionContext.session?.kernel?.status === 'idle' "
                                   "|| window.__panel.sessionContext.session?.kernel?.status === 'busy'",
                                   timeout=120_000, polling=50)
            try:
                page.wait_for_function(FIRST_IMAGE_JS, timeout=180_000, polling=50)
            except Exception:
                page.screenshot(path=str(out.parent / "timeout.png"))
                print(f"no explorer image within 180 s; screenshot {out.parent / 'timeout.png'}; console:\n"
                      + "\n".join(f"{t:6.1f} {text[:200]}" for t, text in console[-15:]), file=sys.stderr)
                raise
            result["cold_load_s"] = time.monotonic() - started
            result["app_ready_s"] = app_ready
            marks = page.evaluate("() => window.__marks")
            packages = [(round(t, 2), f"Pyodide: {text[:110]}") for t, text in console if text.startswith(("Loading ", "Loaded "))]
            result["console"] = sorted([(round(ms / 1000, 2), text) for ms, text in marks] + packages)
            # the kernel's own account: Pyodide start and package loading until the first cell ran
            page.wait_for_function("() => window.__panel.sessionContext.session?.kernel?.status === 'idle' && "
                                   "![...window.__panel.node.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'))",
                                   timeout=180_000, polling=100)
            page.wait_for_timeout(1000)
            cell_index = page.evaluate("""() => [...document.querySelectorAll('.jp-CodeCell')]
                .findIndex(c => c.querySelector('.widget-image') && c.querySelector('.noUi-handle'))""")
            cell = page.locator(".jp-CodeCell").nth(cell_index)
            handle = cell.locator(".noUi-handle").first
            times = []
            for i in range(presses):
                handle.scroll_into_view_if_needed()
                handle.focus()
                page.evaluate(WATCH, cell_index)
                handle.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
                times.append(page.evaluate("window.latency"))
                page.wait_for_timeout(300)
            result["update_ms"] = times
            result["blocked"] = blocked
            browser.close()
    finally:
        server.shutdown()
    return result


def rows(result: dict) -> list[str]:
    cold, update = result["cold_load_s"], median(result["update_ms"])
    return [
        f"| 5 | JupyterLite: cold load -> first explorer image ({NOTEBOOK}, fresh profile, served from 127.0.0.1; "
        f"app {result['app_ready_s']:.1f} s; site {result['size_mb']:.0f} MB) | {cold:.1f} s | | | | <= 20 s | {'yes' if cold <= 20 else '**no**'} |",
        f"| 5 | JupyterLite: Explorer key press -> new image in Pyodide (median of {len(result['update_ms'])}) "
        f"| {update:.0f} ms | | | | <= 300 ms | {'yes' if update <= 300 else '**no**'} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("PYODIDE") or str(ROOT.parent / "shared" / "pyodide-0.27.7")
    parser.add_argument("--pyodide", default=default)
    parser.add_argument("--presses", type=int, default=12)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pyodide = str((ROOT / args.pyodide).resolve())
    if not Path(pyodide, "pyodide.asm.wasm").exists():
        print(f"| 5 | JupyterLite rows | skipped: no Pyodide folder at {args.pyodide} (PYODIDE=DIR) | | | | | |")
        return
    result = measure(pyodide, args.presses)
    if args.json:
        print(json.dumps(result))
        return
    print("\n".join(rows(result)))
    print(f"update times (ms): {', '.join(f'{t:.0f}' for t in result['update_ms'])}")
    print("where the cold load went (s after the page started loading):")
    print(f"  {result['app_ready_s']:6.1f}  JupyterLab ready")
    for t, text in result["console"]:
        print(f"  {t:6.1f}  {text}")
    print(f"  {result['cold_load_s']:6.1f}  first explorer image drawn by the kernel")
    if result["blocked"]:
        print(f"requests to other hosts (blocked): {result['blocked'][:5]}")


if __name__ == "__main__":
    main()
