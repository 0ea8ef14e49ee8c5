"""Every explorer of every notebook in JupyterLab: key press -> new image, beside a plain ``interact``.

For each numbered notebook this starts from the browser tests' JupyterLab
(``tests/test_browser.py``: the same server, page and controls, over a copy
of ``notebooks/``), adds one cell at the end of the copy - a plain
``interact`` over a trivial inline plot, the peer - runs all cells, and then
presses the arrow keys on every slider of every explorer: half the presses
one way, half back, as a learner does. After each press on an explorer's
slider the peer's slider is pressed too (interleaved, in the same kernel, so
that a busy machine slows both alike). Each time is measured in the page,
from the ``keydown`` to the new image decoded in that widget output.

A press that changes no image (a step too small to show) is not counted.

Usage: ``python benchmarks/explorer_latency.py [--presses 6] [--only 08] [--json]``.
The kernels get the environment of ``make lab`` (``OPENBLAS_NUM_THREADS=1`` unless set);
``--blas-threads N`` sets another value, ``--blas-threads default`` leaves it unset.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

GOAL_MS = 150.0

PEER = '''\
# benchmark peer: a plain interact over a trivial inline plot
import ipywidgets as _widgets
import matplotlib.pyplot as _plt
import numpy as _np

_x = _np.linspace(0, 10, 200)


@_widgets.interact(a=_widgets.FloatSlider(value=1.0, min=0.1, max=5.0, step=0.1))
def _trivial(a):
    _plt.figure(figsize=(6, 3))
    _plt.semilogy(_x, _np.exp(-a * _x) + 1e-6)
    _plt.show()
'''

# window.__latency: a promise of the ms from the next keydown to a new, decoded image in ``node``;
# null when no new image came within ``quiet`` ms after the kernel went idle again (nothing to redraw).
WATCH_JS = '''
(node) => { window.__latency = new Promise((resolve, reject) => {
  const before = new Set(Array.from(node.querySelectorAll('img')).map((img) => img.src));
  const busy = window.__busy;
  let pressed = null;
  document.addEventListener('keydown', () => { pressed ??= performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const fresh = Array.from(node.querySelectorAll('img')).filter((img) => img.src && !before.has(img.src));
    if (pressed === null || fresh.length === 0) return;
    observer.disconnect();
    clearInterval(idle);
    Promise.all(fresh.map((img) => img.decode().catch(() => null))).then(() => resolve(performance.now() - pressed));
  });
  observer.observe(node, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
  let quietSince = null;
  const idle = setInterval(() => {
    const status = window.__panel.sessionContext.session?.kernel?.status;
    if (window.__busy > busy && status === 'idle') {
      quietSince ??= performance.now();
      if (performance.now() - quietSince > 1500) { observer.disconnect(); clearInterval(idle); resolve(null); }
    } else quietSince = null;
  }, 50);
  setTimeout(() => { observer.disconnect(); clearInterval(idle); reject(new Error('no new image within 30 s')); }, 30000);
}); }
'''


def _press(page, output, handle, key: str) -> float | None:
    """Press ``key`` on a slider handle; the ms until ``output`` shows a new image (None: nothing redrew)."""
    output.evaluate(WATCH_JS)
    handle.press(key)
    return page.evaluate("window.__latency")


def _keys(handle, presses: int) -> list[str]:
    """Half the presses away from the nearer end, half back."""
    at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    forward, backward = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
    half = max(1, presses // 2)
    return [forward] * half + [backward] * half


def measure_notebook(lab_page, name: str, presses: int, settle_ms: int = 150) -> list[dict]:
    """Run ``name`` (with the peer cell appended) and time every slider of every explorer against the peer."""
    import test_browser as tb

    page = lab_page.get()
    page.evaluate(tb.OPEN_JS, name)
    page.wait_for_function(f"() => ({tb.KERNEL_STATUS_JS})() === 'idle'", timeout=tb.RUN_TIMEOUT * 1000)
    page.evaluate(tb.RUN_ALL_JS)
    page.wait_for_function(f"() => !({tb.RUNNING_JS})() && ({tb.KERNEL_STATUS_JS})() === 'idle'",
                           timeout=tb.RUN_TIMEOUT * 1000, polling=100)
    page.wait_for_function("() => !/Loading widget\\.\\.\\./.test(window.__panel.node.textContent)", timeout=20_000)
    page.wait_for_function(tb.SETTLED_JS, timeout=tb.RUN_TIMEOUT * 1000, polling=150)
    problems = page.evaluate(tb.PROBLEMS_JS)
    if problems:
        raise RuntimeError(f"{name}: " + "\n".join(problems))

    outputs = page.locator(tb.WIDGET_OUTPUTS)
    count = outputs.count()
    peer = outputs.nth(count - 1)  # the cell added last
    peer_handle = peer.locator(".noUi-handle").first
    peer_step = 0

    results = []
    for i in range(count - 1):
        output = outputs.nth(i)
        if output.locator("img").count() == 0:
            continue  # a widget without a figure (none in the series today)
        sliders = output.locator(".widget-slider")
        result = {"notebook": name, "explorer": len(results) + 1, "sliders": {}, "peer": [], "quiet": 0}
        for s in range(sliders.count()):
            control = sliders.nth(s)
            label, handle = tb._describe(control), control.locator(".noUi-handle").first
            handle.scroll_into_view_if_needed()
            times = result["sliders"].setdefault(label, [])
            for key in _keys(handle, presses):
                handle.focus()
                took = _press(page, output, handle, key)
                if took is None:
                    result["quiet"] += 1
                else:
                    times.append(took)
                page.wait_for_timeout(settle_ms)
                # the peer, pressed right after: right then left, so it stays near its start
                peer_handle.focus()
                took = _press(page, peer, peer_handle, "ArrowRight" if peer_step % 2 == 0 else "ArrowLeft")
                peer_step += 1
                if took is not None:
                    result["peer"].append(took)
                page.wait_for_timeout(settle_ms)
                handle.scroll_into_view_if_needed()
        results.append(result)
    page.evaluate(tb.CLOSE_JS)
    return results


def measure(presses: int, only: str | None, blas_threads: str | None = None) -> list[dict]:
    import test_browser as tb

    with tempfile.TemporaryDirectory(prefix="explorer-latency-") as folder:
        base = Path(folder)
        extra = tb.LAB_ENV if blas_threads is None else {} if blas_threads == "default" else {"OPENBLAS_NUM_THREADS": blas_threads}
        server, lab = tb._start_lab(base, extra_env=extra)
        try:
            names = [n for n in tb.NOTEBOOKS if only is None or any(n.startswith(o) for o in only.split(","))]
            for name in names:  # the peer cell at the end of each copy
                nb = nbformat.read(lab.root / name, as_version=4)
                nb.cells.append(nbformat.v4.new_code_cell(PEER))
                nbformat.write(nb, lab.root / name)
            results = []
            with tb.sync_api.sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_ARGS)
                lab_page = tb.LabPage(browser, lab)
                for name in names:
                    if "Explorer(" not in (lab.root / name).read_text():
                        continue
                    started = time.monotonic()
                    results += measure_notebook(lab_page, name, presses)
                    print(f"[{name}: {time.monotonic() - started:.0f} s]", file=sys.stderr, flush=True)
                lab_page.discard()
                browser.close()
            return results
        finally:
            server.terminate()
            server.wait(timeout=20)


def summary(result: dict) -> dict:
    """Medians in ms: over all presses of the explorer, per slider, and the peer's."""
    every = [t for times in result["sliders"].values() for t in times]
    return {
        "name": f"{Path(result['notebook']).stem} explorer {result['explorer']}",
        "median": median(every) if every else float("nan"),
        "n": len(every),
        "sliders": {label: median(times) for label, times in result["sliders"].items() if times},
        "first": {label: times[0] for label, times in result["sliders"].items() if times},
        "peer": median(result["peer"]) if result["peer"] else float("nan"),
        "peer_n": len(result["peer"]),
        "quiet": result["quiet"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=6, help="key presses per slider (half one way, half back)")
    parser.add_argument("--only", help="notebooks whose names start with these, e.g. 07,08")
    parser.add_argument("--blas-threads", help="OPENBLAS_NUM_THREADS for the kernels (default: as make lab, 1); 'default': unset")
    parser.add_argument("--json", action="store_true", help="print one JSON line per explorer (ms)")
    args = parser.parse_args()
    for result in measure(args.presses, args.only, args.blas_threads):
        row = summary(result)
        if args.json:
            print(json.dumps({**row, "raw": result}), flush=True)
            continue
        met = "yes" if row["median"] <= GOAL_MS else "no"
        per = ", ".join(f"{label} {t:.0f}" for label, t in row["sliders"].items())
        print(f"{row['name']:40s} median {row['median']:6.0f} ms (n = {row['n']}; {per})  "
              f"peer {row['peer']:6.0f} ms  goal <= {GOAL_MS:.0f} ms: {met}", flush=True)


if __name__ == "__main__":
    main()
