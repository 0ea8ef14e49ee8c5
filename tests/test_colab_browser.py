"""Every notebook in an ipywidgets-7 front end, in headless Chromium: the checks of tests/test_browser.py.

Colab runs ipywidgets 7.7.1 and draws its widgets with its own front end, which cannot run here. The nearest
that can is ipywidgets 7's own: classic Notebook 6.5 with the widgetsnbextension of the same release.
``make test-colab`` (tools/test_colab.sh) builds Colab's environment in build/colab/venv and runs this module
from .venv (Playwright) with

- ``COLAB_VENV``: the venv whose Notebook 6.5.7 serves the page and whose Python runs the kernel;
- ``COLAB_NBEXTENSIONS``: a Jupyter data folder holding ``nbextensions/jupyter-js-widgets`` of widgetsnbextension
  3.6.1, the front end released with ipywidgets 7.7.1 (Colab's 3.6.10, a later rebuild, fails on the Output
  widget: ``_deserialize_state is not a function``).

Without them the module is skipped. Each notebook opens in its own page; it runs all cells, then every slider
(jQuery UI in ipywidgets 7, moved by keyboard on its handle), dropdown and checkbox is moved and its figure
must redraw, exactly as in the JupyterLab tests (``check_notebook``, ``Exercise``: shared code).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from test_browser import (  # skips when Chromium or Playwright is absent
    BROKEN, CHROMIUM, CHROMIUM_ARGS, CONTROLS, NOTEBOOKS, ROOT, SERVER_TIMEOUT, FrontEnd, _broken_notebook, _free_port,
    check_notebook, sync_api,
)

VENV = os.environ.get("COLAB_VENV")
NBEXTENSIONS = os.environ.get("COLAB_NBEXTENSIONS")
if not (VENV and NBEXTENSIONS):
    pytest.skip("the ipywidgets-7 front end is tested by `make test-colab` (COLAB_VENV, COLAB_NBEXTENSIONS unset)",
                allow_module_level=True)

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts" / "colab-browser"
NOTEBOOK = "#notebook"

# Classic Notebook 6: one page per notebook, the Jupyter global, kernel events for busy and idle.
OPEN_JS = """async (path) => {
  const deadline = Date.now() + %d;
  const ready = () => window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded
    && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected() && Jupyter.WidgetManager;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${path}: the notebook or its kernel did not load`);
    await new Promise(done => setTimeout(done, 100));
  }
  // widgetsnbextension 3.6's manager asks the new kernel for its widgets when it connects: the control comm (which
  // ipywidgets 7.7 closes until ipywidgets is imported), then, falling back, comm_info. When that reply comes after
  // the cells have started, the manager creates the explorer's widgets a second time from the kernel's comms and the
  // view on the page keeps the first, dead model: it stays blank (CI: 01 once; reproduced here under load). Colab
  // does not have this manager; a reader of classic Notebook who runs all cells a second after opening would.
  // Wait until the manager has given up on the control comm, then let a comm_info of our own, answered after the
  // manager's (the kernel answers in order), mark the end of its start-up.
  const settled = Date.now() + 20000;
  while (!window.__controlCommSettled && Date.now() < settled) await new Promise(done => setTimeout(done, 100));
  await new Promise(done => Jupyter.notebook.kernel.comm_info('jupyter.widget', done));
  window.__lastLook = null;
  window.__busy = 0;
  window.__status = 'idle';
  Jupyter.notebook.events.on('kernel_busy.Kernel', () => { window.__busy++; window.__status = 'busy'; });
  Jupyter.notebook.events.on('kernel_idle.Kernel', () => { window.__status = 'idle'; });
  Jupyter.notebook.events.on('kernel_dead.Kernel', () => { window.__status = 'dead'; });
}""" % (SERVER_TIMEOUT * 1000)

PROBLEMS_JS = """() => {
  const problems = [];
  Jupyter.notebook.get_cells().forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    const json = cell.toJSON();
    if (json.execution_count === null) problems.push(`cell ${i} was not executed`);
    for (const output of json.outputs) {
      if (output.output_type === 'error')
        problems.push(`cell ${i} raised ${output.ename}: ${output.evalue}`);
      if (output.output_type === 'stream' && output.name === 'stderr')
        problems.push(`cell ${i} wrote to stderr: ${[].concat(output.text).join('').slice(0, 800)}`);
    }
  });
  for (const node of document.querySelectorAll('#notebook .output_stderr'))
    problems.push(`stderr shown: ${node.textContent.slice(0, 800)}`);
  for (const node of document.querySelectorAll('#notebook .output_subarea'))
    if (/Error (displaying|rendering) (Jupyter )?widget|Loading widget\\.\\.\\./.test(node.textContent))
      problems.push(`a widget did not render: ${node.textContent.slice(0, 200)}`);
  return [...new Set(problems)];
}"""

# True once every widget a cell sent is drawn (Notebook 6 shows nothing, not "Loading widget...", until then).
DRAWN_JS = """() => Jupyter.notebook.get_cells().every(cell => {
  if (cell.cell_type !== 'code') return true;
  const sent = cell.output_area.outputs.filter(o => o.data && o.data['application/vnd.jupyter.widget-view+json']);
  const drawn = [...cell.element[0].querySelectorAll('.output_subarea')]
    .filter(e => !e.parentElement.closest('.jupyter-widgets') && e.querySelector('.jupyter-widgets'));
  return drawn.length >= sent.length;
})"""

TOP = f"{NOTEBOOK} .cell > .output_wrapper > .output > .output_area > .output_subarea"

CLASSIC = FrontEnd(
    name="Notebook 6 + ipywidgets 7",
    open_js=OPEN_JS,
    kernel_status_js="() => window.__status ?? 'none'",
    run_all_js="() => { Jupyter.notebook.clear_all_output(); Jupyter.notebook.execute_all_cells(); }",
    running_js="() => [...document.querySelectorAll('#notebook .input_prompt')].some(e => e.textContent.includes('*'))",
    loading_js=DRAWN_JS,
    problems_js=PROBLEMS_JS,
    settled_js="""() => {
  const look = JSON.stringify([window.__busy, [...document.querySelectorAll('#notebook img')].map(i => i.src)]);
  const settled = look === window.__lastLook && window.__status === 'idle';
  window.__lastLook = look;
  return settled;
}""",
    close_js="""async () => {
  Jupyter.notebook.set_dirty(false);
  window.onbeforeunload = null;
  await Promise.race([new Promise(done => Jupyter.notebook.session.delete(done, done)),
                      new Promise(done => setTimeout(done, 10000))]);
}""",
    widget_outputs=f"{TOP}:has({CONTROLS})",
    shown_widgets=f"{TOP}:has(.jupyter-widgets)",
    stderr=".output_stderr",
    slider_handle=".ui-slider-handle",  # jQuery UI: the handle's place is its style, from 0% to 100%
    position_js="(h) => h.style.left || h.style.bottom",
    ends_js="() => ['0%', '100%']",
    on_grid_at_render=False,
    loading_timeout=180,  # seen to take over 20 s, and once over 60 s, on a loaded machine (load 8)
)


@dataclass
class Server:
    url: str
    token: str
    root: Path
    log: Path


@pytest.fixture(scope="module")
def notebook_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("colab")
    root = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "exercises"))
    # The saved widget state is ipywidgets 8's (@jupyter-widgets/controls 2.0.0), which ipywidgets 7's manager cannot
    # load: it tries once the kernel is connected, then re-renders every widget output, and when that lands while the
    # cells run an explorer can stay blank. Colab does not restore it either: leave it out of the served copies.
    for path in root.glob("*.ipynb"):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if notebook["metadata"].pop("widgets", None) is not None:
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    python = Path(VENV, "bin", "python")
    spec = base / "jupyter_path" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab's versions)", "language": "python",
    }))
    env = dict(
        os.environ, JUPYTER_PATH=os.pathsep.join([str(base / "jupyter_path"), NBEXTENSIONS]),
        JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"), IPYTHONDIR=str(base / "ipython"), MPLCONFIGDIR=str(base / "mpl"),
    )
    env.pop("PYTHONPATH", None)
    token, port = secrets.token_hex(24), _free_port()
    command = [str(python), "-m", "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--NotebookApp.token={token}", f"--NotebookApp.notebook_dir={root}", "--allow-root"]
    log = base / "notebook.log"
    with open(log, "w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=base)
    server = Server(f"http://127.0.0.1:{port}", token, root, log)
    deadline = time.monotonic() + SERVER_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter notebook exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{server.url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline:
                process.terminate()
                raise RuntimeError(f"jupyter notebook did not answer within {SERVER_TIMEOUT} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
    yield server
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class NotebookPage:
    """A browser page for the shared checks (``check_notebook``): one notebook at a time, each at its own URL."""

    front = CLASSIC

    def __init__(self, browser, server: Server):
        self.browser, self.lab, self.page, self.console = browser, server, None, []

    def get(self):
        if self.page is None:
            self.page = self.browser.new_page(viewport={"width": 1400, "height": 1000})
            self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
            self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
            # Marks when the widget manager's control comm has closed (see OPEN_JS).
            self.page.add_init_script("""(() => {
  const warn = console.warn;
  console.warn = function (...args) {
    if (String(args[0]).includes('jupyter.widget.control')) window.__controlCommSettled = true;
    return warn.apply(this, args);
  };
})()""")
        return self.page

    def goto(self, name: str) -> None:
        self.console.clear()
        self.page.goto(f"{self.lab.url}/notebooks/{name}?token={self.lab.token}")

    def discard(self):
        if self.page is not None:
            self.page.close()
            self.page = None


@pytest.fixture(scope="module")
def notebook_page(notebook_server):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        holder = NotebookPage(browser, notebook_server)
        yield holder
        holder.discard()
        browser.close()


def test_the_front_end_is_ipywidgets_7s(notebook_server):
    """The page gets widgetsnbextension 3.6.1's widget manager, and the kernel runs Colab's ipywidgets."""
    served = urllib.request.urlopen(
        f"{notebook_server.url}/nbextensions/jupyter-js-widgets/extension.js?token={notebook_server.token}").read()
    assert served == Path(NBEXTENSIONS, "nbextensions", "jupyter-js-widgets", "extension.js").read_bytes()
    probe = subprocess.run([str(Path(VENV, "bin", "python")), "-c",
                            "import ipywidgets, IPython, numpy, matplotlib, rmsprop_lib; "
                            "print(ipywidgets.__version__, IPython.__version__, numpy.__version__, matplotlib.__version__, "
                            "'site-packages' in rmsprop_lib.__file__)"],
                           capture_output=True, text=True, check=True, cwd=notebook_server.root)
    ipywidgets, ipython, *_, installed = probe.stdout.split()
    assert ipywidgets.startswith("7.") and ipython.startswith("7.") and installed == "True", probe.stdout


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_every_control_redraws(notebook_page, name):
    try:
        counts = check_notebook(notebook_page, name, ARTIFACTS / Path(name).stem)
    except BaseException:
        (ARTIFACTS / Path(name).stem).mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / Path(name).stem / "console.log").write_text("\n".join(notebook_page.console))
        raise
    print(f"{name}: {counts}")
    # Every explorer has its sliders: a notebook without any would mean the widgets never drew.
    if "Explorer(" in (notebook_page.lab.root / name).read_text():
        assert counts["controls"] > 0, f"{name}: no control found in the page"


@pytest.mark.parametrize("fault", list(BROKEN))
def test_a_broken_explorer_fails_the_check(notebook_server, notebook_page, tmp_path, fault):
    """The checks catch a frozen, a raising and a drifting explorer in this front end too."""
    source, message = BROKEN[fault]
    name = f"broken_{fault}.ipynb"
    _broken_notebook(notebook_server.root / name, source)
    with pytest.raises(AssertionError, match=message):
        check_notebook(notebook_page, name, tmp_path / "artifacts", redraw_timeout=3)
