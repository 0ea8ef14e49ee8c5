"""Build the static site to read the series: one HTML page per notebook, from the stored outputs.

``make site`` runs this with the site venv ``.venv-site`` (``site/requirements.txt``) and then puts the
JupyterLite site beside it (``build/site/lite/``), so one folder holds both and any static host can serve
it. What this script does:

1. stages copies of the numbered notebooks (the committed files never change) with, on each page, the
   launch line under the title (run it in your browser, i.e. this site's JupyterLite copy, in Colab, on
   Binder: ``tools/series.py``'s ``launch_links``, from the one address in ``pyproject.toml``) in place of
   the notebook's own launch and setup cells, and a "run it live" line under every explorer; links to
   headings in other notebooks get MyST's anchors (``#The-map-of-the-series`` -> ``#the-map-of-the-series``);
2. writes the front page: the series' title, the same launch line for the series (from notebook 00), the
   map of the series, taken from ``00_start_here.ipynb`` (between its ``notebook-map`` markers), and the
   table of contents;
3. vendors require.js, @jupyter-widgets/html-manager and MathJax 3 from the npm registry (``npm pack``,
   cached in ``build/.site-cache``) so that no page asks any other host for anything;
4. runs Sphinx with myst-nb (``site/conf.py``): no execution, the stored outputs as they are;
5. for the live explorers (``site/live.js``: a "Make it live" button under each saved picture), writes
   ``_static/live/<notebook>.json``, the statements each explorer needs (``tools/live_code.py``), and, when the
   JupyterLite copy is already in ``<out>/lite/`` (``make site`` builds it first) and node is there,
   ``_static/live/bytecode.zip``, the imported modules compiled by its Pyodide (``tools/live_bytecode.mjs``).

Usage: ``python tools/build_site.py [--out build/site] [--lite-url lite/]``.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import series  # noqa: E402  (the launch links: one address, pyproject.toml)
import live_code  # noqa: E402  (what each explorer needs to run on the page)

NOTEBOOKS = ROOT / "notebooks"
CACHE = ROOT / "build" / ".site-cache"

#: npm packages copied into _static/vendor/: (package, version, {file in the package: name in vendor/}).
VENDOR = [
    ("requirejs", "2.3.7", {"require.js": "require.js"}),
    # the 1.0 line renders the widget state ipywidgets 8 saves (myst-nb's default is 1.0.6 from a CDN)
    # and the icon fonts its widgets' CSS asks for, beside it (site/widgets-assets.js says where they are)
    ("@jupyter-widgets/html-manager", "1.0.15", {"dist/embed-amd.js": "embed-amd.js", "dist/*.woff2": ".",
                                                 "dist/*.woff": ".", "dist/*.ttf": "."}),
    ("mathjax", "3.2.2", {"es5/tex-mml-chtml.js": "mathjax/tex-mml-chtml.js",
                          "es5/output/chtml/fonts/woff-v2": "mathjax/output/chtml/fonts/woff-v2",
                          "es5/input/tex/extensions": "mathjax/input/tex/extensions",
                          "LICENSE": "mathjax/LICENSE"}),
]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: The live explorers (site/live.js): the page's script, the worker that runs Pyodide, its Python side.
LIVE_FILES = ("live.js", "live-worker.js", "live_kernel.py")
MAP = re.compile(r"<!-- notebook-map:start -->\n(.*?)<!-- notebook-map:end -->", re.S)


def run(*command, **kwargs) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def npm_package(name: str, version: str) -> Path:
    """The npm package name@version, unpacked once into the cache; returns its folder."""
    folder = CACHE / f"{name.replace('/', '+')}-{version}"
    if not folder.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            run("npm", "pack", f"{name}@{version}", "--silent", "--pack-destination", tmp)
            (tarball,) = Path(tmp).glob("*.tgz")
            with tarfile.open(tarball) as tar:
                tar.extractall(tmp, filter="data")
            shutil.copytree(Path(tmp) / "package", folder)
    return folder


def vendor(static: Path) -> None:
    for name, version, files in VENDOR:
        package = npm_package(name, version)
        for source, target in files.items():
            if "*" in source:  # a pattern: every matching file, into the folder target
                for found in sorted(package.glob(source)):
                    shutil.copy2(found, static / "vendor" / target / found.name)
                continue
            destination = static / "vendor" / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            if (package / source).is_dir():
                shutil.copytree(package / source, destination)
            else:
                shutil.copy2(package / source, destination)
    (static / "vendor" / "widgets-cdn").mkdir()


# --------------------------------------------------------------------------- the pages


def md_cell(text: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def anchors_for_myst(text: str) -> str:
    """``(05_rmsprop.ipynb#Some-Heading)`` -> ``(05_rmsprop.ipynb#some-heading)``: MyST's heading anchors."""
    return re.sub(r"\]\(([^)#\s]*)#([^)\s]+)\)", lambda m: f"]({m[1]}#{m[2].lower()})", text)


def live_url(lite_url: str, name: str) -> str:
    return f"{lite_url}lab/index.html?path={name}"


def launch_line(path: str, lite_url: str) -> str:
    """The page's launch line: this site's JupyterLite copy (a relative link), Colab and Binder (series.py)."""
    links = series.launch_links(path, browser=lite_url)
    where = series.address()
    note = " (not live yet: the series is not published)" if where["placeholder"] else ""
    (_, browser), *others = links
    rest = " · ".join(f"<a href=\"{url}\">{label}</a>" for label, url in others)
    return (f"<p class=\"launch\">▶ Run this notebook <a href=\"{browser}\">in your browser</a> (nothing to install; "
            f"every explorer redraws as you move it) · {rest}{note}</p>")


def stage_notebook(source: Path, target: Path, lite_url: str) -> int:
    """A copy for the site: MyST anchors, launch and "run it live" links; returns how many explorers it links."""
    nb = json.loads(source.read_text())
    path = source.relative_to(NOTEBOOKS).as_posix()  # solutions/NN_name.ipynb for a solutions page
    # A relative site link is relative to the page: one folder down, it needs one "../" more.
    lite = lite_url if "://" in lite_url or lite_url.startswith("/") else "../" * path.count("/") + lite_url
    url = live_url(lite, path)
    cells, explorers, titled = [], 0, False
    for cell in nb["cells"]:
        if set(cell.get("metadata", {}).get("tags", [])) & {"launch", "setup"}:
            continue  # a page carries its launch line under the title; the setup cell is for Colab
        if cell["cell_type"] == "markdown":
            cell["source"] = anchors_for_myst("".join(cell["source"]))
        if cell["cell_type"] == "markdown" and not titled and cell["source"].lstrip().startswith("# "):
            titled = True  # the launch line goes right under the title line, above the introduction
            title, _, rest = cell["source"].lstrip().partition("\n")
            cells += [md_cell(title, "title"), md_cell(launch_line(path, lite), "launch")]
            if rest.strip():
                cells.append({**cell, "source": rest})
            continue
        cells.append(cell)
        if cell["cell_type"] == "code" and any(WIDGET_VIEW in o.get("data", {}) for o in cell.get("outputs", [])):
            explorers += 1
            cells.append(md_cell(f"<p class=\"run-live\">▶ This is the saved picture at the default settings. "
                                 f"<a href=\"{url}\">Run it live</a> to move the controls.</p>", f"run-live-{explorers}"))
    nb["cells"] = cells
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False))
    return explorers


def live_program(source: Path, folder: Path, lite_url: str) -> list[str]:
    """``_static/live/<notebook>.json``: what each explorer runs when made live (``tools/live_code.py``) and
    where Pyodide is (the JupyterLite copy's, relative to the site's root unless ``lite_url`` is absolute).
    Returns the program's import statements."""
    program = live_code.page_program(json.loads(source.read_text()))
    if not program["explorers"]:
        return []
    folder.mkdir(exist_ok=True)
    program["pyodide"] = f"{lite_url}static/pyodide/"
    (folder / f"{source.stem}.json").write_text(json.dumps(program, ensure_ascii=False))
    return [code for code in program["statements"].values()
            if isinstance(ast.parse(code).body[0], (ast.Import, ast.ImportFrom))]


def live_bytecode(pyodide: Path, imports: list[str], out: Path) -> None:
    """``_static/live/bytecode.zip``: the imported modules' bytecode, compiled by the site's Pyodide in node
    (``tools/live_bytecode.mjs``), which saves the first live explorer of a page compiling them in the browser."""
    if not (pyodide / "pyodide.mjs").exists() or shutil.which("node") is None:
        print(f"no bytecode for the live explorers: needs node and the JupyterLite copy's Pyodide in {pyodide} "
              "(make site builds it first); they compile their modules in the browser instead")
        return
    with tempfile.TemporaryDirectory() as tmp:
        listed = Path(tmp) / "imports.json"
        listed.write_text(json.dumps(sorted(set(imports))))
        run("node", ROOT / "tools" / "live_bytecode.mjs", pyodide, ROOT / "site" / "live_kernel.py", listed, out)


def live_precompute(pyodide: Path, pages: list[Path], every: list[Path]) -> None:
    """Each page's program shortened by the results its explorers only read, computed once now by the site's
    Pyodide in node (``tools/live_precompute.mjs``, ``live_code.precompute``); without node or that Pyodide the
    pages compute them when made live (slower). Only ``pages`` are shortened; the per-statement notes that
    precompute needs are dropped from ``every`` page."""
    if pages and (pyodide / "pyodide.mjs").exists() and shutil.which("node") is not None:
        run("node", ROOT / "tools" / "live_precompute.mjs", pyodide, ROOT / "site" / "live_kernel.py",
            ROOT / "tools" / "live_code.py", *pages)
    for page in every:
        program = json.loads(page.read_text())
        if program.pop("meta", None) is not None:
            page.write_text(json.dumps(program, ensure_ascii=False))


def front_page(names: list[str], lite_url: str) -> str:
    start = json.loads((NOTEBOOKS / "00_start_here.ipynb").read_text())
    text = "\n".join("".join(c["source"]) for c in start["cells"] if c["cell_type"] == "markdown")
    found = MAP.search(text)
    if not found:
        raise SystemExit("00_start_here.ipynb has no notebook map (<!-- notebook-map:start --> ... end -->)")
    toctree = "\n".join(str(Path(n).with_suffix("")) for n in names)
    return (f"# RMSProp from the ground up\n\n"
            f"A notebook series that builds RMSProp from plain gradient descent, one idea per notebook, with an "
            f"explorer to move in each. These pages show every notebook with its stored outputs.\n\n"
            f"{launch_line('00_start_here.ipynb', lite_url).replace('Run this notebook', 'Run the series from notebook 00')}\n\n"
            f"## The map of the series\n\n{anchors_for_myst(found[1])}\n"
            f"```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{toctree}\n```\n")


def build(out: Path, lite_url: str, precompute: str = "") -> None:
    out = out.resolve()
    names = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="site-src-") as tmp:
        stage = Path(tmp)
        shutil.copy2(ROOT / "site" / "conf.py", stage / "conf.py")
        (stage / "_static").mkdir()
        for name in ("custom.css", "mathjax-widgets.js", "slider-names.js", "widgets-assets.js", *LIVE_FILES):
            shutil.copy2(ROOT / "site" / name, stage / "_static" / name)
        vendor(stage / "_static")
        explorers = {name: stage_notebook(NOTEBOOKS / name, stage / name, lite_url) for name in names}
        imports = [code for name in names for code in live_program(NOTEBOOKS / name, stage / "_static" / "live", lite_url)]
        # The worked solutions, linked from each notebook's exercises, get pages too (solutions/NN_name.html).
        solutions = sorted(f"solutions/{p.name}" for p in (NOTEBOOKS / "solutions").glob("[0-9][0-9]_*.ipynb"))
        (stage / "solutions").mkdir()
        for name in solutions:
            stage_notebook(NOTEBOOKS / name, stage / name, lite_url)
        (stage / "index.md").write_text(front_page(names + solutions, lite_url))
        shutil.rmtree(out / "_static", ignore_errors=True)
        for page in out.glob("*.html") if out.exists() else []:
            page.unlink()
        run(sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-j", "2", stage, out)
    for junk in (".doctrees", ".buildinfo", "objects.inv"):
        path = out / junk
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    beside = "://" not in lite_url and not lite_url.startswith("/")  # the JupyterLite copy is in this folder
    pyodide = out / lite_url / "static" / "pyodide" if beside else out / "no-pyodide-here"
    if beside:
        live_bytecode(pyodide, imports, out / "_static" / "live" / "bytecode.zip")
    pages = sorted((out / "_static" / "live").glob("*.json"))
    live_precompute(pyodide, [p for p in pages if p.stem.startswith(tuple(precompute.split(",")))], pages)
    print(f"static site in {out}: {len(names)} notebook pages, {sum(explorers.values())} explorers linked live")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--lite-url", default="lite/", help="where the JupyterLite site is, relative to the pages")
    parser.add_argument("--precompute", default="", metavar="PAGES",
                        help="precompute the live programs of only these pages (comma-separated prefixes, e.g. 05,08; "
                             "default: every page); tests/test_site.py passes the pages it makes live")
    args = parser.parse_args(argv)
    build(args.out, args.lite_url, args.precompute)


if __name__ == "__main__":
    main()
