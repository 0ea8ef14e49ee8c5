"""Every notebook in JupyterLab, in headless Chromium: run it, then move every control.

nbval checks what the kernel prints; it never renders a widget. These tests
open each numbered notebook in a real JupyterLab (started from this
environment on a free localhost port with a random token, over a temporary
copy of ``notebooks/`` so that the committed files never change) and drive
Debian's Chromium with Playwright:

1. run all cells; wait until the kernel is idle and no prompt shows ``*``;
   assert that no cell produced an error or anything on stderr and that every
   widget rendered;
2. for every control of every widget output (sliders by keyboard on the
   noUiSlider handle, dropdowns, checkboxes, toggle buttons, radio buttons):
   move it and assert that the output redraws (an explorer's image changes,
   without an error), that the readout shows the new value, and that moving
   back and forth gives the same image again for the same value.

On failure a screenshot of every widget output and of the page lands in
``test-artifacts/browser/<notebook>/`` (after every notebook with
``BROWSER_TEST_SCREENSHOTS=1``). Without Chromium (``apt-get install
chromium``) the module is skipped with one line saying so.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

if CHROMIUM is None:
    pytest.skip("browser tests skipped: no `chromium` on PATH (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests skipped: playwright is not installed")

pytestmark = pytest.mark.browser

#: Seconds: starting JupyterLab, running a whole notebook, one redraw after a control moved.
SERVER_TIMEOUT, RUN_TIMEOUT, REDRAW_TIMEOUT = 60, 120, 15

# Settings for the temporary JupyterLab: every cell in the DOM, no autosave, no network.
# The news pop-up and update checks are off through the project's own overrides (tools/lab-overrides.json, installed
# into the environment by make), as a learner gets them: test_lab_opens_calm checks that.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "kernelShutdown": True},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}


# --------------------------------------------------------------------------- the server


@dataclass
class Lab:
    url: str
    token: str
    root: Path  # the server's root: a copy of notebooks/
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_lab(base: Path, extra_env: dict | None = None) -> tuple[subprocess.Popen, Lab]:
    """JupyterLab over a copy of ``notebooks/`` in ``base``; ``extra_env``: more environment for the server and its kernels."""
    root = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "exercises"))
    for plugin, values in LAB_SETTINGS.items():
        path = base / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    # The kernel is this environment's Python, whatever kernels the user has installed.
    spec = base / "jupyter_path" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python",
    }))
    env = dict(
        os.environ, JUPYTER_PATH=str(base / "jupyter_path"), JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"), JUPYTER_RUNTIME_DIR=str(base / "runtime"), IPYTHONDIR=str(base / "ipython"),
        **(extra_env or {}),
    )
    token, port = secrets.token_hex(24), _free_port()
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={base / 'settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI often run as root
    log = base / "jupyter-lab.log"
    with open(log, "w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=base)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    deadline = time.monotonic() + SERVER_TIMEOUT
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{lab.url}/api/status?token={token}", timeout=2)
            return server, lab
        except OSError:
            if time.monotonic() > deadline:
                server.terminate()
                raise RuntimeError(f"jupyter lab did not answer within {SERVER_TIMEOUT} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)


#: The kernels' environment as `make lab` gives it: one BLAS thread (unless set), see the Makefile.
LAB_ENV = {"OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server, lab = _start_lab(tmp_path_factory.mktemp("lab"), extra_env=LAB_ENV)
    yield lab
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class LabPage:
    """One browser page with JupyterLab loaded, reused by the tests; rebuilt after a failure."""

    def __init__(self, browser, lab: Lab):
        self.browser, self.lab, self.page = browser, lab, None

    def get(self):
        if self.page is None:
            page = self.browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{self.lab.url}/lab?token={self.lab.token}&reset")
            page.wait_for_function("() => window.jupyterapp !== undefined", timeout=SERVER_TIMEOUT * 1000)
            page.evaluate("() => window.jupyterapp.restored")
            self.page = page
        return self.page

    def discard(self):
        if self.page is not None:
            self.page.close()
            self.page = None


@pytest.fixture(scope="module")
def lab_page(lab):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        holder = LabPage(browser, lab)
        yield holder
        holder.discard()
        browser.close()


# --------------------------------------------------------------------------- the page

OPEN_JS = """async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  window.__panel = panel;
  window.__lastLook = null;
  window.__busy = 0;  // how often the kernel went busy: tells a move the kernel handled from one it never saw
  panel.sessionContext.statusChanged.connect((_, status) => { if (status === 'busy') window.__busy++; });
}"""

KERNEL_STATUS_JS = "() => window.__panel.sessionContext.session?.kernel?.status ?? 'none'"

RUN_ALL_JS = """async () => {
  const app = window.jupyterapp;
  app.shell.activateById(window.__panel.id);
  await app.commands.execute('notebook:clear-all-cell-outputs');
  await app.commands.execute('notebook:run-all-cells');
}"""

RUNNING_JS = """() => [...window.__panel.node.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'))"""

# What the notebook model holds after the run: unexecuted code cells, errors, stderr.
PROBLEMS_JS = """() => {
  const problems = [];
  const cells = window.__panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    if (cell.executionCount === null) problems.push(`cell ${i} was not executed`);
    for (const output of cell.toJSON().outputs) {
      if (output.output_type === 'error')
        problems.push(`cell ${i} raised ${output.ename}: ${output.evalue}`);
      if (output.output_type === 'stream' && output.name === 'stderr')
        problems.push(`cell ${i} wrote to stderr: ${[].concat(output.text).join('').slice(0, 800)}`);
    }
  }
  // What the page shows: stderr or tracebacks (also inside widget Outputs), widgets that failed to render.
  for (const node of window.__panel.node.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    problems.push(`stderr shown: ${node.textContent.slice(0, 800)}`);
  for (const node of window.__panel.node.querySelectorAll('.jp-OutputArea-output'))
    if (/Error displaying widget|Loading widget\\.\\.\\./.test(node.textContent))
      problems.push(`a widget did not render: ${node.textContent.slice(0, 200)}`);
  return [...new Set(problems)];
}"""

# True once the kernel is idle and no image changed since the last look.
SETTLED_JS = """() => {
  const look = JSON.stringify([window.__busy, [...window.__panel.node.querySelectorAll('img')].map(i => i.src)]);
  const settled = look === window.__lastLook && window.__panel.sessionContext.session?.kernel?.status === 'idle';
  window.__lastLook = look;
  return settled;
}"""

CLOSE_JS = """async () => {
  const panel = window.__panel;
  if (!panel || panel.isDisposed) return;
  await Promise.race([panel.sessionContext.shutdown(), new Promise(done => setTimeout(done, 10000))]);
  panel.context.model.dirty = false;
  panel.dispose();
}"""

# A widget output: a top-level output of a cell that holds at least one control.
CONTROLS = ".widget-slider, .widget-dropdown, .widget-checkbox, .widget-toggle-buttons, .widget-radio-box"
OTHER_INPUTS = (".widget-text, .widget-textarea, .widget-colorpicker, .widget-datepicker, .widget-play, "
                ".widget-button, .widget-toggle-button, .widget-combobox, .widget-select, .widget-select-multiple")
WIDGET_OUTPUTS = f".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output:has({CONTROLS})"

# The visible state of a widget output: its images, the text outside its controls, any error shown.
STATE_JS = """async (node, {hash, stderr}) => {
  const images = [...node.querySelectorAll('img')];
  const digest = async (img) => {
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const sum = await crypto.subtle.digest('SHA-256', bytes);
    return [...new Uint8Array(sum)].map(b => b.toString(16).padStart(2, '0')).join('');
  };
  const copy = node.cloneNode(true);
  copy.querySelectorAll('%s').forEach(e => e.remove());
  const errors = [...node.querySelectorAll(stderr)].map(e => e.textContent);
  return {
    srcs: images.map(img => img.src),
    hashes: hash ? await Promise.all(images.map(digest)) : null,
    text: copy.textContent,
    errors,
  };
}""" % CONTROLS




@dataclass(frozen=True)
class FrontEnd:
    """What differs between the front ends the notebooks are tested in: how a page opens, runs and reads a notebook.

    The checks (``check_notebook``, ``Exercise``) are the same for all; ``tests/test_colab_browser.py`` adds
    classic Notebook 6 with ipywidgets 7 (jQuery UI sliders) to JupyterLab (noUiSlider).
    """

    name: str
    open_js: str  # (path) => set up the page for one notebook: window.__busy counts the kernel going busy
    kernel_status_js: str
    run_all_js: str
    running_js: str  # true while a prompt shows *
    loading_js: str  # true once no widget shows "Loading widget..."
    problems_js: str
    settled_js: str
    close_js: str
    widget_outputs: str  # top-level outputs that hold a control
    shown_widgets: str  # top-level outputs that hold any widget
    stderr: str  # a stderr output, also inside a widget Output
    slider_handle: str
    position_js: str  # (handle) => its position, as text
    ends_js: str  # (handle) => [its position at the minimum, at the maximum]
    on_grid_at_render: bool = True  # a slider puts its value on its step grid when drawn (noUiSlider does)
    loading_timeout: float = 20  # seconds for every widget to draw once the cells have run


LAB = FrontEnd(
    name="JupyterLab", open_js=OPEN_JS, kernel_status_js=KERNEL_STATUS_JS, run_all_js=RUN_ALL_JS, running_js=RUNNING_JS,
    loading_js="() => !/Loading widget\\.\\.\\./.test(window.__panel.node.textContent)",
    problems_js=PROBLEMS_JS, settled_js=SETTLED_JS, close_js=CLOSE_JS, widget_outputs=WIDGET_OUTPUTS,
    shown_widgets=".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output:has(.jupyter-widgets)",
    stderr='.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
    slider_handle=".noUi-handle",  # ipywidgets 8
    position_js="(h) => h.getAttribute('aria-valuetext')",
    ends_js="(h) => [h.getAttribute('aria-valuemin'), h.getAttribute('aria-valuemax')]",
)


def _state(output, hash: bool = True, front: FrontEnd = LAB) -> dict:
    return output.evaluate(STATE_JS, {"hash": hash, "stderr": front.stderr})


def _describe(control) -> str:
    """A control's description (a checkbox keeps it beside the box, not in its label)."""
    for text in control.locator("label").all_text_contents():
        if text.strip("\u200b \n"):
            return text.strip("\u200b \n")
    return "(no description)"


class Exercise:
    """Moves one widget output's controls and checks each redraw."""

    def __init__(self, page, output, where: str, redraw_timeout: float, front: FrontEnd = LAB):
        self.page, self.output, self.where, self.redraw_timeout = page, output, where, redraw_timeout
        self.front = front
        self.has_image = output.locator("img").count() > 0
        self.moves = 0

    def busy_count(self) -> int:
        return self.page.evaluate("() => window.__busy")

    def state(self, hash: bool = True) -> dict:
        return _state(self.output, hash, self.front)

    def kernel_status(self) -> str:
        return self.page.evaluate(self.front.kernel_status_js)

    def wait_for_redraw(self, before: dict, what: str, busy_before: int | None = None) -> dict | None:
        """Wait until the output changed and settled; return its new state.

        With ``busy_before`` (the kernel's busy count before the move), return None instead of failing
        when the kernel handled the move and stayed idle without any visible change.
        """
        deadline = time.monotonic() + self.redraw_timeout
        quiet_since = None
        while True:
            now = self.state(hash=False)
            if now["errors"]:
                raise AssertionError(f"{self.where}: {what}: the output shows an error:\n{now['errors'][0][-1500:]}")
            changed = now["srcs"] != before["srcs"] if self.has_image else now["text"] != before["text"]
            if changed:
                break
            if busy_before is not None and self.busy_count() > busy_before and self.kernel_status() == "idle":
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 0.5:
                    return None
            else:
                quiet_since = None
            if time.monotonic() > deadline:
                kind = "its figure did not redraw" if self.has_image else "its output did not change"
                raise AssertionError(f"{self.where}: {what}: {kind} within {self.redraw_timeout:g} s "
                                     f"(kernel {self.kernel_status()})")
            time.sleep(0.03)
        settled = self.settle(what, deadline + self.redraw_timeout)
        self.moves += 1
        if self.has_image and settled["hashes"] == before.get("hashes"):
            return None if busy_before is not None else self.fail(what, "the image was re-sent but did not change")
        return settled

    def settle(self, what: str, deadline: float) -> dict:
        """The state once the kernel is idle and the output stayed the same over two looks."""
        last = None
        while True:
            now = self.state(hash=False)
            if now == last and self.kernel_status() == "idle":
                break
            if time.monotonic() > deadline:
                self.fail(what, "the output kept changing")
            last = now
            time.sleep(0.08)
        settled = self.state()
        if settled["errors"]:
            self.fail(what, f"the output shows an error:\n{settled['errors'][0][-1500:]}")
        return settled

    def fail(self, what: str, message: str):
        raise AssertionError(f"{self.where}: {what}: {message}")

    # -- sliders: keyboard on the slider's handle (noUiSlider in ipywidgets 8, jQuery UI in 7)

    def slider(self, control) -> None:
        """One step with the arrow keys; back again. Where a step shows nothing, jump to the end instead."""
        name = f"slider {_describe(control)!r}"
        handles = control.locator(self.front.slider_handle)
        if handles.count() != 1:
            self.fail(name, f"{handles.count()} handles; only single-value sliders are exercised")
        handle, readout = handles.first, control.locator(".widget-readout").first
        position = lambda: handle.evaluate(self.front.position_js)  # noqa: E731
        ends = handle.evaluate(self.front.ends_js)
        at_max = position() == ends[1]
        forward, backward = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
        jump = "Home" if at_max else "End"

        start_text, start_position, start = readout.text_content(), position(), self.state()

        def move(key: str, before: dict, quiet_ok: bool = False) -> dict | None:
            old_text, old_position, busy = readout.text_content(), position(), self.busy_count()
            handle.press(key)
            if position() == old_position:
                self.fail(name, f"the handle does not move with {key}")
            what = f"{name} moved with {key} from {old_text} to {readout.text_content()}"
            if readout.text_content() == old_text:
                if quiet_ok:  # a step too small for the readout (and the figure): let it pass, then jump instead
                    self.page.wait_for_function(f"() => window.__busy > {busy}", timeout=self.redraw_timeout * 1000)
                    return None
                self.fail(what, "the readout did not change")
            return self.wait_for_redraw(before, what, busy if quiet_ok else None)

        moved = move(forward, start, quiet_ok=True)
        if moved is not None:  # the usual case: one step redraws, one step back restores the image
            back = move(backward, moved)
            if (back["hashes"], back["text"]) == (start["hashes"], start["text"]):
                return
            if not self.front.on_grid_at_render:
                # ipywidgets 7's jQuery UI slider aligns a moved value to its step grid at 5 decimals (of the
                # exponent, for a log slider): the value set from Python may lie just off it, so the start image
                # need not return. From now on the same position must draw the same image.
                again = move(forward, back)
                again_back = move(backward, again)
                if [(x["hashes"], x["text"]) for x in (again, again_back)] == [(x["hashes"], x["text"]) for x in (moved, back)]:
                    return
            self.fail(f"{name} moved back to {readout.text_content()}", "the first image did not return")
        # One step changes nothing visible (e.g. eps at 1e-10): jump to the end; it must redraw.
        stepped = self.settle(f"{name} moved one step", time.monotonic() + self.redraw_timeout)
        jumped = move(jump, stepped)
        jumped_text = readout.text_content()
        # Back to the start value: by the opposite key where it was an end, else by typing the readout.
        if start_position in ends:
            back = move("End" if jump == "Home" else "Home", jumped)
        else:
            back = self.type_readout(readout, start_text, jumped, name)
        if readout.text_content() != start_text:
            self.fail(name, f"moving back shows {readout.text_content()}, not {start_text}")
        if (back["hashes"], back["text"]) != (start["hashes"], start["text"]):
            # Typing the readout restores the value only to its shown digits: the same value must draw the same image.
            again = move(jump, back)
            if readout.text_content() != jumped_text or (again["hashes"], again["text"]) != (jumped["hashes"], jumped["text"]):
                self.fail(name, f"the same value {jumped_text} drew a different image the second time")
            self.type_readout(readout, start_text, again, name)

    def type_readout(self, readout, text: str, before: dict, name: str) -> dict:
        readout.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        return self.wait_for_redraw(before, f"{name}: typed {text} into its readout")

    # -- discrete controls: change, then change back; the original image must return exactly

    def toggle(self, name: str, change, undo) -> None:
        start = self.state()
        change()
        moved = self.wait_for_redraw(start, f"{name} changed")
        undo()
        back = self.wait_for_redraw(moved, f"{name} changed back")
        if (back["hashes"], back["text"]) != (start["hashes"], start["text"]):
            self.fail(name, "changing it back did not restore the image")

    def dropdown(self, control) -> None:
        select = control.locator("select")
        options = select.locator("option").evaluate_all("(options) => options.map(o => o.value)")
        if len(options) < 2:
            return
        current = select.input_value()
        other = options[(options.index(current) + 1) % len(options)]
        self.toggle(f"dropdown {_describe(control)!r} ({current} -> {other})",
                    lambda: select.select_option(other), lambda: select.select_option(current))

    def checkbox(self, control) -> None:
        box = control.locator("input[type=checkbox]")
        self.toggle(f"checkbox {_describe(control)!r}", box.click, box.click)

    def buttons(self, control, selector: str, kind: str) -> None:
        buttons = control.locator(selector)
        if buttons.count() < 2:
            return
        states = buttons.evaluate_all("(bs) => bs.map(b => b.classList.contains('mod-active') || b.checked === true)")
        current = states.index(True) if True in states else 0
        other = (current + 1) % buttons.count()
        self.toggle(f"{kind} {_describe(control)!r}", buttons.nth(other).click, buttons.nth(current).click)

    def run(self) -> int:
        unknown = self.output.locator(OTHER_INPUTS)
        if unknown.count():
            self.fail("controls", f"some are of a kind these tests do not exercise: "
                                  f"{unknown.evaluate_all('(es) => es.map(e => e.className)')}")
        controls = self.output.locator(CONTROLS)
        count = controls.count()
        for i in range(count):
            control = controls.nth(i)
            classes = control.get_attribute("class")
            started = time.monotonic()
            if "widget-slider" in classes:
                self.slider(control)
            elif "widget-dropdown" in classes:
                self.dropdown(control)
            elif "widget-checkbox" in classes:
                self.checkbox(control)
            elif "widget-toggle-buttons" in classes:
                self.buttons(control, "button", "toggle buttons")
            elif "widget-radio-box" in classes:
                self.buttons(control, "input[type=radio]", "radio buttons")
            if os.environ.get("BROWSER_TEST_TIMES"):
                print(f"  {self.where}: {_describe(control)} {time.monotonic() - started:.2f} s")
        return count


def screenshot_widgets(page, directory: Path, front: FrontEnd = LAB) -> None:
    """The page and every widget output as PNGs (best effort: called while a test is failing)."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(directory / "page.png"))
        outputs = page.locator(front.widget_outputs)
        for i in range(outputs.count()):
            outputs.nth(i).screenshot(path=str(directory / f"widget-output-{i + 1}.png"), timeout=10_000)
    except Exception as error:  # a screenshot must not hide the real failure
        (directory / "screenshot-error.txt").write_text(repr(error))


def _saved_widget_outputs(path: Path) -> int:
    cells = nbformat.read(path, as_version=4).cells
    return sum("application/vnd.jupyter.widget-view+json" in output.get("data", {})
               for cell in cells if cell.cell_type == "code" for output in cell.outputs)


def check_notebook(lab_page: LabPage, name: str, artifacts: Path, redraw_timeout: float = REDRAW_TIMEOUT) -> dict:
    """Open ``name`` (relative to the server's root), run it, move every control; raise AssertionError on a fault.

    ``lab_page`` (``get()``, ``discard()``, ``lab.root``, ``lab.log``) may name its ``front`` end (default
    JupyterLab) and have a ``goto(name)`` that loads the notebook's own page first (classic Notebook).
    Returns counts for the report: ``{"widget outputs": n, "controls": m, "redraws": k}``.
    """
    front = getattr(lab_page, "front", LAB)
    page = lab_page.get()
    started = time.monotonic()
    try:
        if hasattr(lab_page, "goto"):
            lab_page.goto(name)
        page.evaluate(front.open_js, name)
        page.wait_for_function(f"() => ({front.kernel_status_js})() === 'idle'", timeout=RUN_TIMEOUT * 1000)
        page.evaluate(front.run_all_js)
        page.wait_for_function(f"() => !({front.running_js})() && ({front.kernel_status_js})() === 'idle'",
                               timeout=RUN_TIMEOUT * 1000, polling=100)
        # Widgets render asynchronously after their output arrives.
        page.wait_for_function(front.loading_js, timeout=front.loading_timeout * 1000)
        # A rendered slider may send its value back (noUiSlider snaps it to the step grid): let that settle.
        page.wait_for_function(front.settled_js, timeout=RUN_TIMEOUT * 1000, polling=150)
        problems = page.evaluate(front.problems_js)
        assert not problems, f"{name}: after running all cells:\n" + "\n".join(problems)
        if os.environ.get("BROWSER_TEST_TIMES"):
            print(f"  {name}: opened and ran in {time.monotonic() - started:.2f} s")

        outputs = page.locator(front.widget_outputs)
        counts = {"widget outputs": outputs.count(), "controls": 0, "redraws": 0}
        # Every widget the saved notebook shows must be found here, or its controls would go untested.
        saved = _saved_widget_outputs(lab_page.lab.root / name)
        shown = page.locator(front.shown_widgets).count()
        assert shown >= saved, f"{name}: the saved notebook shows {saved} widget outputs, the browser {shown}"
        for i in range(counts["widget outputs"]):
            exercise = Exercise(page, outputs.nth(i), f"{name}, widget output {i + 1}", redraw_timeout, front)
            counts["controls"] += exercise.run()
            counts["redraws"] += exercise.moves
        problems = page.evaluate(front.problems_js)
        assert not problems, f"{name}: after moving the controls:\n" + "\n".join(problems)
        if os.environ.get("BROWSER_TEST_SCREENSHOTS"):  # to look at what a learner sees, passing or not
            screenshot_widgets(page, artifacts, front)
        page.evaluate(front.close_js)
        return counts
    except BaseException:
        screenshot_widgets(page, artifacts, front)
        (artifacts / "jupyter-lab.log").write_text(lab_page.lab.log.read_text())
        try:  # close the notebook and stop its kernel; if the page is stuck, start the next test on a fresh one
            page.evaluate(front.close_js)
        except Exception:
            lab_page.discard()
        raise


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_every_control_redraws(lab_page, name):
    counts = check_notebook(lab_page, name, ARTIFACTS / Path(name).stem)
    print(f"{name}: {counts}")


def test_lab_opens_calm(lab, lab_page):
    """No "get notified about official Jupyter news?" pop-up over the figures, and no update check."""
    url = f"{lab.url}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={lab.token}"
    reply = json.loads(urllib.request.urlopen(url, timeout=10).read())
    # Overrides change the defaults the server sends with the schema; the user's own settings still win.
    defaults = {name: spec.get("default") for name, spec in reply["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False, (
        f"JupyterLab's notification defaults are {defaults}: run `make install` (it installs tools/lab-overrides.json)")
    page = lab_page.get()
    page.wait_for_timeout(3000)  # the question appears a moment after start-up when it is not answered
    assert page.get_by_text("official Jupyter news").count() == 0


# A test of the test: broken explorers must make check_notebook fail, with a screenshot.

BROKEN = {
    "frozen": (
        "def compute(lr):  # ignores lr: the figure never changes\n"
        "    return problems.bowl, {'GD': minimize(problems.bowl, SGD(0.1), problems.bowl.start, 20)}\n",
        # the image is re-sent (its text alternative names the new lr) but stays the same, or is not re-sent at all
        r"slider 'lr' moved with End from .* (the image was re-sent but did not change|its figure did not redraw within)",
    ),
    "raising": (
        "def compute(lr):  # fails as soon as the slider moves\n"
        "    if abs(lr - 0.1) > 1e-9:\n"
        "        raise RuntimeError('broken on purpose')\n"
        "    return problems.bowl, {'GD': minimize(problems.bowl, SGD(lr), problems.bowl.start, 20)}\n",
        r"slider 'lr' moved with ArrowRight .* the output shows an error:(.|\n)*RuntimeError: broken on purpose",
    ),
    "drifting": (
        "import itertools\n"
        "calls = itertools.count(5)\n"
        "def compute(lr):  # draws one step more on every call, whatever the slider says\n"
        "    return problems.bowl, {'GD': minimize(problems.bowl, SGD(lr), problems.bowl.start, next(calls))}\n",
        r"slider 'lr' moved back to .*: the first image did not return",
    ),
}


def _broken_notebook(path: Path, compute_source: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("from rmsprop_lib import SGD, minimize, problems\n"
                                  "from rmsprop_lib.drawing.widgets import Explorer, lr_slider"),
        nbformat.v4.new_code_cell(compute_source + "\nExplorer({'lr': lr_slider(0.1, 1e-3, 1.0)}, compute)"),
    ]
    nbformat.write(nb, path)


@pytest.mark.parametrize("fault", list(BROKEN))
def test_a_broken_explorer_fails_the_check(lab, lab_page, tmp_path, fault):
    source, message = BROKEN[fault]
    name = f"broken_{fault}.ipynb"
    _broken_notebook(lab.root / name, source)
    with pytest.raises(AssertionError, match=message):
        check_notebook(lab_page, name, tmp_path / "artifacts", redraw_timeout=3)
    assert (tmp_path / "artifacts" / "widget-output-1.png").stat().st_size > 0


def test_an_error_in_a_cell_fails_the_check(lab, lab_page, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("print('fine')"), nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(nb, lab.root / "broken_cell.ipynb")
    with pytest.raises(AssertionError, match=r"cell 1 raised ZeroDivisionError"):
        check_notebook(lab_page, "broken_cell.ipynb", tmp_path / "artifacts")
    assert (tmp_path / "artifacts" / "page.png").exists()
