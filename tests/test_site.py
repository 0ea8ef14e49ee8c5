"""The static site (``make site``), in headless Chromium, with no network but 127.0.0.1.

Builds the pages (``tools/build_site.py`` in ``.venv-site``) into a temporary folder, with the JupyterLite
site beside them when a Pyodide folder is available (``PYODIDE=DIR``), serves it on 127.0.0.1 and opens
every page: it loads, every image shows, every link within the site resolves, math is typeset by the
vendored MathJax, each explorer's saved image is drawn by the vendored widget manager with a "run it
live" link next to it, and no request goes to any other host. Skipped with one line without Chromium,
Playwright or the site venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import series  # noqa: E402  (the launch links)
import audit_site  # noqa: E402  (the accessibility audit)
from test_browser import sync_api  # skips when Chromium or Playwright is absent
from served import guarded_browser, serve

ROOT = Path(__file__).resolve().parents[1]
SITE_PYTHON = ROOT / ".venv-site" / "bin" / "python"
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted(f"solutions/{p.stem}" for p in (ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
#: WCAG 2.1 A/AA violations that come from a library's own markup the project cannot change:
#: (axe rule, CSS selector of the element) -> the upstream issue. Empty: every page passes the whole audit
#: (ipywidgets' unnamed slider handles, ipywidgets issue 2650, are named by site/slider-names.js).
UPSTREAM: dict[tuple[str, str], str] = {}
PYODIDE = os.environ.get("PYODIDE")
LITE_PYTHON = ROOT / ".venv-lite" / "bin" / "python"

if shutil.which("npm") is None:
    pytest.skip("static site tests skipped: no npm (the build vendors require.js, html-manager and MathJax from npm)",
                allow_module_level=True)
if not SITE_PYTHON.exists():
    pytest.skip("static site tests skipped: no site venv .venv-site (make site-venv)", allow_module_level=True)

pytestmark = pytest.mark.browser

PAGE_JS = """async () => {
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  const deadline = Date.now() + 20000;  // the widget manager renders the saved state after load
  const expected = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  while (expected && !document.querySelector('.jupyter-widgets') && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  return {
    title: document.title,
    images: [...document.images].map(img => [img.getAttribute('src').slice(0, 80), img.naturalWidth]),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    math: document.querySelectorAll('.math').length,
    typeset: document.querySelectorAll('mjx-container').length,
    mathErrors: document.querySelectorAll('mjx-merror').length,
    widgetViews: expected,
    widgets: document.querySelectorAll('.jupyter-widgets').length,
    widgetImages: [...document.querySelectorAll('img.widget-image')].filter(img => img.naturalWidth > 0).length,
    liveLinks: [...document.querySelectorAll('p.run-live a')].map(a => a.href),
    launchLinks: [...document.querySelectorAll('p.launch a')].map(a => a.href),
  };
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    with_lite = bool(PYODIDE) and LITE_PYTHON.exists()
    if with_lite:  # first, as `make site` does: the pages' build takes its Pyodide (bytecode, precomputed values)
        pyodide = str((ROOT / PYODIDE).resolve())
        done = subprocess.run([str(LITE_PYTHON), str(ROOT / "tools" / "build_lite.py"), "--pyodide", pyodide,
                               "--out", str(out / "lite")], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, f"the lite build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    # the live programs of only the pages made live below are precomputed (LIVE_PAGES; empty: all, as make site does)
    done = subprocess.run([str(SITE_PYTHON), str(ROOT / "tools" / "build_site.py"), "--out", str(out),
                           "--precompute", os.environ.get("LIVE_PAGES", "06")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, f"the site build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    server, url = serve(out)
    yield out, url, with_lite
    server.shutdown()


@pytest.fixture(scope="module")
def browser_context(site):
    _, url, _ = site
    with sync_api.sync_playwright() as playwright:
        browser, context, blocked = guarded_browser(playwright, url)
        yield context, blocked
        browser.close()


def saved_images(name: str) -> int:
    """How many image widgets (an explorer's figure) the notebook's saved widget state holds."""
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return sum(model["model_name"] == "ImageModel" for model in state.values())


def resolves(url: str) -> bool:
    try:
        with urllib.request.urlopen(url.split("#")[0], timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.parametrize("page_name", ["index", *NOTEBOOKS, *SOLUTIONS])
def test_page_loads_whole_from_this_site_and_passes_the_wcag_21_aa_audit(site, browser_context, page_name):
    """One visit per page (a page is loaded once, for both halves): it loads whole from this site (below), then
    passes axe-core's WCAG 2.1 A and AA rules (``accessible``)."""
    out, url, with_lite = site
    context, blocked = browser_context
    page = context.new_page()
    errors, missing = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: response.status >= 400 and missing.append(f"{response.status} {response.url}"))
    response = page.goto(f"{url}/{page_name}.html")
    assert response.ok, f"{page_name}.html: HTTP {response.status}"
    state = page.evaluate(PAGE_JS)
    assert not errors, f"{page_name}: script errors {errors[:3]}"
    assert not missing, f"{page_name}: requests this site could not answer: {missing[:5]}"
    loads_whole(page_name, state, url, with_lite)
    accessible(page, page_name)
    page.close()
    assert not blocked, f"{page_name}: requests to other hosts: {blocked[:5]}"


def loads_whole(page_name: str, state: dict, url: str, with_lite: bool) -> None:
    """Every image shows, math is typeset, every link within the site resolves; on the numbered notebooks' pages
    and the front page, the launch line, the map, and each explorer's saved image with its "run it live" link."""
    broken = [src for src, width in state["images"] if width == 0]
    assert not broken, f"{page_name}: images that did not load: {broken}"
    assert state["typeset"] >= state["math"] and not state["mathErrors"], f"{page_name}: math not typeset: {state}"
    own = {link.split("#")[0] for link in state["links"] if link.startswith(url)}
    if not with_lite:
        own = {link for link in own if not link.startswith(f"{url}/lite/")}
    unresolved = sorted(link for link in own if not resolves(link))
    assert not unresolved, f"{page_name}: links that do not resolve: {unresolved}"
    if page_name.startswith("solutions/"):
        return
    # the launch line: this site's JupyterLite copy, then Colab and Binder from the one address (tools/series.py)
    notebook = "00_start_here" if page_name == "index" else page_name
    expected = [url for _, url in series.launch_links(f"{notebook}.ipynb", browser=f"{url}/lite/")]
    assert state["launchLinks"] == expected, state["launchLinks"]
    if page_name == "index":
        for name in NOTEBOOKS:  # the map and the table of contents reach every notebook
            assert f"{url}/{name}.html" in own, f"the front page does not link {name}"
        assert state["liveLinks"] == []
    else:
        # every widget drawn by the vendored widget manager; each explorer's saved image shown, a "run it live"
        # link under each widget output
        assert state["widgetViews"] and state["widgets"], f"{page_name}: no widget rendered: {state}"
        assert state["widgetImages"] == saved_images(page_name), f"{page_name}: explorer images shown: {state}"
        assert state["liveLinks"] == [expected[0]] * state["widgetViews"], state["liveLinks"]


def accessible(page, page_name: str) -> None:
    """axe-core's WCAG 2.1 A and AA rules (tools/audit_site.py): no violation but those listed in UPSTREAM;
    every image has a text alternative that is no file name; every slider handle has a name and its value
    as text, and moves with the keyboard."""
    violations = audit_site.audit(page)
    left = [v for v in violations if any((v["id"], " ".join(map(str, node["target"]))) not in UPSTREAM for node in v["nodes"])]
    assert not left, f"{page_name}: WCAG 2.1 A/AA violations:\n{audit_site.summary(left)}"
    names = page.evaluate("""() => [...document.images].map(img => img.getAttribute('alt') || img.getAttribute('title') || '')""")
    assert all(len(name.split()) >= 5 and not name.endswith((".png", ".svg")) for name in names), \
        f"{page_name}: images without a text alternative that says what they show: {[n[:60] for n in names]}"
    handles = page.locator(".noUi-handle")
    for i in range(handles.count()):
        handle = handles.nth(i)
        label = page.evaluate("id => document.getElementById(id)?.textContent", handle.get_attribute("aria-labelledby"))
        assert label and handle.get_attribute("aria-valuetext"), f"{page_name}: slider {i} has no name or no value text"
    if handles.count():  # aria-valuenow is rounded (a log slider's -0.347 and -0.297 both read -0.3): use End/Home
        before = handles.first.get_attribute("aria-valuenow")
        handles.first.focus()
        page.keyboard.press("End")
        if handles.first.get_attribute("aria-valuenow") == before:  # it was at its end already
            page.keyboard.press("Home")
        assert handles.first.get_attribute("aria-valuenow") != before, f"{page_name}: the first slider ignores the End and Home keys"


def test_the_site_has_a_page_per_notebook_and_no_cdn_reference(site):
    out, _, _ = site
    for name in NOTEBOOKS:
        assert (out / f"{name}.html").exists(), name
    for page in out.glob("*.html"):
        text = page.read_text()
        for cdn in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "unpkg.com"):
            assert cdn not in text, f"{page.name} refers to {cdn}"


# --------------------------------------------------------------------------- live explorers (site/live.js)

#: Pages whose explorers are made live: ``LIVE_PAGES=06`` (make test-browser: the page with two explorers, so the second
#: reuses the running Python), every page with ``LIVE_PAGES=`` empty (make test-lite).
LIVE_PAGES = os.environ.get("LIVE_PAGES", "06")
#: Seconds: a cold start of Pyodide and the explorer's statements on a busy 2-core machine; one key press.
LIVE_TIMEOUT, REDRAW_TIMEOUT = 180, 30

#: Resolves when the live explorer ``index`` is on the page and drawn (its image decoded, or its widgets shown).
LIVE_SHOWN_JS = """(index) => {
  const live = document.querySelector(`.live-explorer[data-explorer="${index}"]`);
  if (!live || !live.querySelector('.jupyter-widgets')) return false;
  const images = [...live.querySelectorAll('img')];
  return images.every(img => img.complete && img.naturalWidth > 0);
}"""

#: Before a key press: window.redrawn resolves with the milliseconds from the keydown to the live explorer's new
#: image decoded (or, without an image, its text changed), as benchmarks/browser_latency.py measures JupyterLab.
WATCH_LIVE_JS = """(index) => { window.redrawn = new Promise((resolve, reject) => {
  const live = document.querySelector(`.live-explorer[data-explorer="${index}"]`);
  const shown = () => [...live.querySelectorAll('img')].map(img => img.src).join(' ') || live.innerText;
  const before = shown();
  let pressed = null;
  document.addEventListener('keydown', () => { pressed ??= performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (pressed === null || shown() === before) return;
    observer.disconnect();
    Promise.all([...live.querySelectorAll('img')].map(img => img.decode().catch(() => null)))
      .then(() => resolve(performance.now() - pressed));
  });
  observer.observe(live, {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['src']});
  setTimeout(() => { observer.disconnect(); reject(new Error('no redraw within 30 s')); }, 30000);
}); }"""


def live_pages() -> list[str]:
    chosen = [p.strip() for p in LIVE_PAGES.split(",") if p.strip()]
    return [n for n in NOTEBOOKS if not chosen or any(n.startswith(p) for p in chosen)]


def make_live(page, index: int) -> float:
    """Click explorer ``index``'s "Make it live" button; seconds until the live explorer is drawn."""
    button = page.locator(f'button.make-live[data-explorer="{index}"]')
    started = page.evaluate("performance.now()")
    button.click()
    page.wait_for_function(LIVE_SHOWN_JS, arg=index, timeout=LIVE_TIMEOUT * 1000, polling=50)
    return (page.evaluate("performance.now()") - started) / 1000


def press_and_time(page, index: int, key: str) -> float:
    """Press ``key`` on the live explorer's first slider; milliseconds until it has redrawn."""
    handle = page.locator(f'.live-explorer[data-explorer="{index}"] .noUi-handle').first
    handle.focus()
    page.evaluate(WATCH_LIVE_JS, index)
    page.keyboard.press(key)
    return page.evaluate("window.redrawn")


@pytest.mark.parametrize("page_name", live_pages())
def test_every_explorer_goes_live_on_the_page_and_redraws(site, browser_context, page_name):
    """Before a click the saved picture is there, under it a button that the keyboard reaches; Enter on it starts
    Python in the page (Pyodide from the site's JupyterLite copy, no other host) and puts the working explorer in
    the picture's place; a key on its slider redraws it; a second explorer reuses the running Python."""
    _, url, with_lite = site
    if not with_lite:
        pytest.skip("live explorers need the JupyterLite copy's Pyodide (PYODIDE=DIR)")
    context, blocked = browser_context
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/{page_name}.html")
    page.evaluate(audit_site.SETTLED_JS)
    buttons = page.locator("button.make-live")
    saved = page.locator(".widget-subarea:not(.live-explorer) .jupyter-widgets")
    assert buttons.count() == page.locator("p.run-live").count() >= 1, f"{page_name}: a button under every explorer"
    assert saved.count() >= buttons.count(), f"{page_name}: the saved explorers are drawn before any click"
    for index in range(buttons.count()):
        button = page.locator(f'button.make-live[data-explorer="{index}"]')
        button.focus()  # from the keyboard: the button takes the focus and Enter presses it
        assert page.evaluate("document.activeElement.textContent") == "Make it live"
        started = page.evaluate("performance.now()")
        page.keyboard.press("Enter")
        page.wait_for_function(LIVE_SHOWN_JS, arg=index, timeout=LIVE_TIMEOUT * 1000, polling=50)
        seconds = (page.evaluate("performance.now()") - started) / 1000
        live = page.locator(f'.live-explorer[data-explorer="{index}"]')
        status = page.locator("p.run-live .live-status").nth(index).text_content()
        assert "Live" in status, f"{page_name} explorer {index}: {status}"
        assert live.locator(".noUi-handle").count() >= 1, f"{page_name} explorer {index}: no slider"
        handle = live.locator(".noUi-handle").first
        label = page.evaluate("id => document.getElementById(id)?.textContent", handle.get_attribute("aria-labelledby"))
        assert label, f"{page_name} explorer {index}: its live slider has no name"
        at_end = page.evaluate("h => h.getAttribute('aria-valuenow') === h.getAttribute('aria-valuemax')", handle.element_handle())
        redraw = press_and_time(page, index, "ArrowLeft" if at_end else "ArrowRight")  # raises unless it redraws
        print(f"{page_name} explorer {index}: live after {seconds:.1f} s, redrawn {redraw:.0f} ms after a key press")
        if index:  # the same Python: the worker started once
            assert page.evaluate("window.__live.events.filter(e => e.what === 'booted').length") == 1
    violations = audit_site.audit(page)  # the live explorers pass the audit too
    assert not violations, f"{page_name} (live): WCAG 2.1 A/AA violations:\n{audit_site.summary(violations)}"
    page.close()
    assert not errors, f"{page_name}: script errors {errors[:3]}"
    assert not blocked, f"{page_name}: requests to other hosts: {blocked[:5]}"
