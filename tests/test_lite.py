"""The JupyterLite site (``make lite``), in headless Chromium, with no network but 127.0.0.1.

Builds the site with a local Pyodide folder (``PYODIDE=DIR``; ``make test-browser`` passes
``../shared/pyodide-0.27.7`` when it exists), serves it on a free 127.0.0.1 port and drives Debian's
Chromium with Playwright. Every request to any other host is blocked twice over: the browser resolves no
other host name, and a route aborts and records any such request (the test fails if one was made).

For every numbered notebook the checks of the JupyterLab tests (``tests/test_browser.py``, shared code):
run all cells in the Pyodide kernel, no error or stderr output, every widget renders, every control
moved redraws its figure and moving it back restores the image. ``LITE_NOTEBOOKS=00,05`` picks
notebooks (the quick set ``make test-browser`` runs); ``make test-lite`` runs them all.

Without Chromium, Playwright, a Pyodide folder or the build venv (``.venv-lite``) the module is
skipped with one line saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from served import guarded_browser, serve
from test_browser import check_notebook, sync_api  # skips when Chromium is absent

ROOT = Path(__file__).resolve().parents[1]
LITE_PYTHON = ROOT / ".venv-lite" / "bin" / "python"
ARTIFACTS = ROOT / "test-artifacts" / "lite"
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PYODIDE = os.environ.get("PYODIDE")
if PYODIDE:
    PYODIDE = str((ROOT / PYODIDE).resolve()) if not os.path.isabs(PYODIDE) else PYODIDE

if not PYODIDE or not Path(PYODIDE, "pyodide.asm.wasm").exists():
    pytest.skip("JupyterLite tests skipped: no Pyodide folder (make test-browser PYODIDE=DIR, e.g. ../shared/pyodide-0.27.7)",
                allow_module_level=True)
if not LITE_PYTHON.exists():
    pytest.skip("JupyterLite tests skipped: no build venv .venv-lite (make lite-venv)", allow_module_level=True)

pytestmark = pytest.mark.browser

#: Seconds: a cold page load up to a started kernel; running a whole notebook in Pyodide.
LOAD_TIMEOUT, RUN_TIMEOUT = 120, 600

# Test-only settings, served in place of the site's own jupyter-lite.json: the app on window.jupyterapp
# (as --LabApp.expose_app_in_browser does for JupyterLab) and every cell in the DOM.
TEST_CONFIG = {
    "exposeAppInBrowser": "true",
    "settingsOverrides": {
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none", "kernelShutdown": True},
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    },
}


def selected_notebooks() -> list[str]:
    chosen = os.environ.get("LITE_NOTEBOOKS")
    if not chosen:
        return NOTEBOOKS
    prefixes = [c.strip() for c in chosen.split(",") if c.strip()]
    return [n for n in NOTEBOOKS if any(n.startswith(p) for p in prefixes)]


# --------------------------------------------------------------------------- build and serve


def build_site(out: Path, local_pyodide: bool = True) -> None:
    command = [str(LITE_PYTHON), str(ROOT / "tools" / "build_lite.py"), "--out", str(out)]
    done = subprocess.run(command + (["--pyodide", PYODIDE] if local_pyodide else []), capture_output=True, text=True,
                          cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "PYODIDE"})
    assert done.returncode == 0, f"the JupyterLite build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@dataclass
class Site:
    url: str
    root: Path  # the notebooks as the site serves them (files/)
    log: Path  # the browser console, written for failing tests


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("lite") / "site"
    build_site(out)
    server, url = serve(out)
    yield Site(url, out / "files", out.parent / "console.log")
    server.shutdown()


def with_test_config(route):
    """The site's jupyter-lite.json with TEST_CONFIG merged in."""
    response = route.fetch()
    config = response.json()
    data = config.setdefault("jupyter-config-data", {})
    for key, value in TEST_CONFIG.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    route.fulfill(response=response, body=json.dumps(config))


class LitePage:
    """One JupyterLite page for the tests; the interface of test_browser.LabPage (get, discard, lab)."""

    def __init__(self, context, site: Site):
        self.context, self.lab, self.page, self.console = context, site, None, []

    def get(self):
        if self.page is None:
            page = self.context.new_page()
            page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
            page.route("**/jupyter-lite.json", with_test_config)
            page.goto(f"{self.lab.url}/lab/index.html")
            page.wait_for_function("() => window.jupyterapp !== undefined", timeout=LOAD_TIMEOUT * 1000)
            page.evaluate("() => window.jupyterapp.restored")
            self.page = page
        self.lab.log.write_text("\n".join(self.console))
        return self.page

    def discard(self):
        if self.page is not None:
            self.page.close()
            self.page = None


@pytest.fixture(scope="module")
def lite(site):
    with sync_api.sync_playwright() as playwright:
        browser, context, blocked = guarded_browser(playwright, site.url)
        holder = LitePage(context, site)
        holder.blocked, holder.playwright = blocked, playwright  # one sync_playwright per process at a time
        yield holder
        holder.discard()
        browser.close()


# --------------------------------------------------------------------------- the tests


def test_the_site_holds_the_series(site):
    """Notebooks with their stored outputs, exercises, data, our wheels in the lock, no PyPI fallback."""
    for name in NOTEBOOKS:
        assert (site.root / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes(), name
    assert (site.root / "data" / "digits.npz").exists() and (site.root / "exercises").is_dir()
    site_dir = site.root.parent
    config = json.loads((site_dir / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js" and kernel["disablePyPIFallback"] is True
    assert "@jupyter-widgets/jupyterlab-manager" in {e["name"] for e in config["federated_extensions"]}
    lock = json.loads((site_dir / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    for name, module in {"rmsprop-lib": "rmsprop_lib", "ipywidgets": "ipywidgets", "comm": "comm"}.items():
        entry = lock[name]
        assert entry["imports"] == [module] and (site_dir / "static" / "pyodide" / entry["file_name"]).exists()
    assert lock["rmsprop-lite-fontlist"]["depends"] == ["matplotlib"]  # installed after matplotlib's stale cache
    assert kernel["loadPyodideOptions"]["packages"] == ["rmsprop-lite-fontlist", "rmsprop-lib"]


@pytest.mark.parametrize("name", selected_notebooks())
def test_notebook_runs_in_the_browser_kernel_and_every_control_redraws(lite, name, monkeypatch):
    import test_browser

    monkeypatch.setattr(test_browser, "RUN_TIMEOUT", RUN_TIMEOUT)
    started = time.monotonic()
    counts = check_notebook(lite, name, ARTIFACTS / Path(name).stem)
    print(f"{name}: {counts} in {time.monotonic() - started:.0f} s")
    font_cache = [line for line in lite.console if "building the font cache" in line]
    assert not font_cache, font_cache
    assert not lite.blocked, f"requests to other hosts: {lite.blocked[:5]}"


def test_the_default_build_takes_pyodide_packages_from_the_cdn(lite, tmp_path):
    """Without PYODIDE the site carries Pyodide's runtime and asks the public CDN for package files only.

    The CDN is played by the local Pyodide folder (same files, same sha256, CORS as the CDN sends it);
    every other host stays blocked. Needs npm (the runtime is the npm package pyodide).
    """
    if os.environ.get("LITE_NOTEBOOKS"):
        pytest.skip("the default (CDN) build is checked by make test-lite")
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: the default build takes Pyodide's runtime from the npm package")
    sys.path.insert(0, str(ROOT / "tools"))
    from build_lite import PYODIDE_CDN

    out = tmp_path / "site"
    build_site(out, local_pyodide=False)
    lock = json.loads((out / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    assert lock["numpy"]["file_name"] == PYODIDE_CDN + Path(lock["numpy"]["file_name"]).name
    assert not (out / "static" / "pyodide" / Path(lock["numpy"]["file_name"]).name).exists()
    served_by_cdn = []

    def cdn(route):
        name = route.request.url[len(PYODIDE_CDN):]
        served_by_cdn.append(name)
        path = Path(PYODIDE, name)
        cors = {"Access-Control-Allow-Origin": "*"}
        if "/" not in name and path.is_file():
            route.fulfill(status=200, body=path.read_bytes(), headers={**cors, "Content-Type": "application/octet-stream"})
        else:
            route.fulfill(status=404, body=b"", headers=cors)

    server, url = serve(out)
    try:
        browser, context, blocked = guarded_browser(lite.playwright, url, also=(PYODIDE_CDN,))
        try:
            context.route(PYODIDE_CDN + "**", cdn)
            holder = LitePage(context, Site(url, out / "files", tmp_path / "console.log"))
            check_notebook(holder, "00_start_here.ipynb", ARTIFACTS / "default-build")
            holder.discard()
        finally:
            browser.close()
    finally:
        server.shutdown()
    assert not blocked, f"requests to other hosts: {blocked[:5]}"
    assert any(name.startswith("numpy-") for name in served_by_cdn), served_by_cdn
    assert all(name.endswith((".whl", ".zip")) for name in served_by_cdn), served_by_cdn  # packages only
