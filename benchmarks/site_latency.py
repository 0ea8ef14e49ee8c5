"""The site's live explorers in headless Chromium: click -> live explorer, and key press -> new image, cold.

Builds the site as ``make site`` does (the JupyterLite copy with a local Pyodide, ``--pyodide DIR``, default
``$PYODIDE`` or ``../shared/pyodide-0.27.7``; then the pages, whose build compiles the live explorers' modules
with it), or takes one already built (``--site DIR``), serves it on 127.0.0.1 (every other host blocked) and,
for each page with explorers, in a fresh browser context (an empty cache):

1. click -> live: from the click on an explorer's "Make it live" button until the live explorer is drawn
   (its image decoded), for the first explorer of the page (Pyodide starts) and each next one (it reuses it);
   ``window.__live.events`` (site/live.js, site/live-worker.js) splits the first into: the worker started,
   Pyodide started, the packages loaded, the bytecode unpacked, the imports, the notebook's statements
   (the slowest named) and the explorer's first drawing;
2. key press -> new image: ArrowRight / ArrowLeft in turn on each live explorer's first slider, ``--presses``
   times, from the ``keydown`` to the new image decoded (as ``browser_latency.py`` measures JupyterLab).

Prints rows in the table format of ``bench.py`` and where the time went (``--json``: one JSON line). Goals
(issue 18), on this 2-core machine: the first explorer of a page <= 10 s, the next <= 2 s, key press median
<= 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
FIRST_GOAL, NEXT_GOAL, PRESS_GOAL = 10.0, 2.0, 150.0


def build(pyodide: str) -> Path:
    out = Path(tempfile.mkdtemp(prefix="site-bench-")) / "site"
    for command in ([ROOT / ".venv-lite" / "bin" / "python", ROOT / "tools" / "build_lite.py", "--pyodide", pyodide,
                     "--out", out / "lite"],
                    [ROOT / ".venv-site" / "bin" / "python", ROOT / "tools" / "build_site.py", "--out", out]):
        done = subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            raise SystemExit(f"the build failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return out


def where_the_time_went(events: list[dict]) -> list[tuple[float, str]]:
    """(seconds after the first click, what) from site/live.js's events, for the page's first explorer."""
    click = next(e["t"] for e in events if e["what"] == "click")
    booted = next(e for e in events if e["what"] == "booted")
    lines = [(0.0, "click")] + [((t - click) / 1000, f"worker: {what}") for t, what in booted["worker"]]
    ran = next(e for e in events if e["what"] == "ran")
    timings = sorted(ran["timings"], key=lambda item: -item[1])
    slowest = ", ".join(f"{statement_id} {seconds:.2f} s" for statement_id, seconds in timings[:3])
    lines.append(((ran["t"] - click) / 1000, f"the notebook's {len(timings)} statements ran "
                                              f"({sum(s for _, s in timings):.2f} s; slowest: {slowest}; the last one builds the explorer)"))
    shown = next(e for e in events if e["what"] == "shown" and e["index"] == ran["index"])
    lines.append(((shown["t"] - click) / 1000, "its widgets made on the page"))
    return lines


def measure(site: Path, pages: list[str], presses: int) -> dict:
    from served import guarded_browser, serve
    from test_browser import sync_api
    from test_site import LIVE_SHOWN_JS, press_and_time
    import audit_site

    server, url = serve(site)
    results = {}
    try:
        with sync_api.sync_playwright() as playwright:
            for name in pages:
                browser, context, blocked = guarded_browser(playwright, url)  # a fresh profile: nothing cached
                page = context.new_page()
                page.goto(f"{url}/{name}.html")
                page.evaluate(audit_site.SETTLED_JS)
                count = page.locator("button.make-live").count()
                live_s, drawn = [], None
                for index in range(count):
                    started = page.evaluate("performance.now()")
                    page.locator(f'button.make-live[data-explorer="{index}"]').click()
                    page.wait_for_function(LIVE_SHOWN_JS, arg=index, timeout=300_000, polling=20)
                    live_s.append((page.evaluate("performance.now()") - started) / 1000)
                    drawn = drawn or page.evaluate("window.__live.events")
                presses_ms = {}
                for index in range(count):
                    if not page.locator(f'.live-explorer[data-explorer="{index}"] img').count():
                        continue  # 00's explorer is a slider and a label: no image to time
                    times = []
                    for i in range(presses):
                        times.append(press_and_time(page, index, "ArrowRight" if i % 2 == 0 else "ArrowLeft"))
                        page.wait_for_timeout(150)
                    presses_ms[index] = times
                results[name] = {"live_s": live_s, "presses_ms": presses_ms, "events": drawn, "blocked": blocked}
                browser.close()
    finally:
        server.shutdown()
    return results


def rows(results: dict) -> list[str]:
    out = []
    for name, result in results.items():
        first, *others = result["live_s"]
        out.append(f"| 18 | site, live explorer: click -> first explorer live ({name}.html, empty cache) "
                   f"| {first:.1f} s | | | | <= {FIRST_GOAL:.0f} s | {'yes' if first <= FIRST_GOAL else '**no**'} |")
        for i, seconds in enumerate(others, 2):
            out.append(f"| 18 | site, live explorer: click -> explorer {i} live, same page ({name}.html) "
                       f"| {seconds:.1f} s | | | | <= {NEXT_GOAL:.0f} s | {'yes' if seconds <= NEXT_GOAL else '**no**'} |")
        for index, times in result["presses_ms"].items():
            m = median(times)
            out.append(f"| 18 | site, live explorer {index + 1}: key press -> new image ({name}.html, median of {len(times)}; "
                       f"first {times[0]:.0f} ms) | {m:.0f} ms | | | | <= {PRESS_GOAL:.0f} ms | {'yes' if m <= PRESS_GOAL else '**no**'} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("PYODIDE") or str(ROOT.parent / "shared" / "pyodide-0.27.7")
    parser.add_argument("--pyodide", default=default)
    parser.add_argument("--site", type=Path, help="a site already built by `make site` (default: build one)")
    parser.add_argument("--pages", default="", help="notebook prefixes, e.g. 01,06 (default: every page with explorers)")
    parser.add_argument("--presses", type=int, default=12)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pyodide = str((ROOT / args.pyodide).resolve())
    if args.site is None and not Path(pyodide, "pyodide.asm.wasm").exists():
        print(f"| 18 | live explorers on the site | skipped: no Pyodide folder at {args.pyodide} (PYODIDE=DIR) | | | | | |")
        return
    site = args.site.resolve() if args.site else build(pyodide)
    chosen = [p for p in args.pages.split(",") if p]
    pages = sorted(p.stem for p in (site / "_static" / "live").glob("[0-9][0-9]_*.json")
                   if not chosen or any(p.stem.startswith(c) for c in chosen))
    results = measure(site, pages, args.presses)
    if args.json:
        print(json.dumps(results))
        return
    print("\n".join(rows(results)))
    for name, result in results.items():
        print(f"{name}: where the first explorer's {result['live_s'][0]:.1f} s went (s after the click):")
        for seconds, what in where_the_time_went(result["events"]):
            print(f"  {seconds:6.2f}  {what}")
        if result["blocked"]:
            print(f"  requests to other hosts (blocked): {result['blocked'][:5]}")


if __name__ == "__main__":
    main()
