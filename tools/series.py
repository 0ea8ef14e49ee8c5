"""Keep the series' navigation, titles and maps consistent.

Each numbered notebook ``notebooks/NN_name.ipynb`` has

- a title: the first line of its first Markdown cell, ``# NN · Title``;
- a one-line summary in its metadata: ``metadata["series"]["summary"]``;
- navigation cells at the top and the bottom (Markdown cells tagged ``nav``),
  written by this script: previous · contents · next; the top one also gives
  the reading time (``reading_minutes``), which the map's last column repeats.

The map of notebooks (a table) is written by this script into ``README.md``
and into the cell tagged ``series-map`` in ``00_start_here``, between the
markers ``<!-- notebook-map:start -->`` and ``<!-- notebook-map:end -->``.

**Launch links and the setup cell.** Every numbered, solutions and student
notebook opens with two cells written here:

- a Markdown cell tagged ``launch``: run this notebook in the browser (the
  JupyterLite site on the published site), in Colab, on Binder, and one
  sentence on the cell below it;
- the code cell tagged ``setup`` (``SETUP``, the same in every notebook):
  nothing happens where ``import rmsprop_lib`` works (a local install, Binder,
  the browser site); elsewhere (a fresh Colab kernel) it installs the library,
  digits data included, from the repository at the release tag ``v<version>``,
  quietly, and the notebook goes on.

Every address comes from one place, ``pyproject.toml``: ``[project.urls]``
``Repository`` (github.com/OWNER/REPO) and ``Homepage`` (the published site),
and ``[project] version`` (the tag). Until the series is published, OWNER is
``placeholder-owner`` and every launch line says that its links are not live
yet. The README gets the same links between ``<!-- launch:start -->`` and
``<!-- launch:end -->``; ``tools/build_site.py`` puts them on every page of the
static site (``launch_links``). The student notebooks are written by
``tools/make_exercises.py`` (which takes its launch cell from here): this
script runs it after rewriting the numbered notebooks, and ``--check`` reports
a student notebook whose launch or setup cell is stale.

    python tools/series.py          # rewrite navigation, maps and launch cells in place
    python tools/series.py --check  # exit 1 and list what is out of date

``tests/test_series.py`` runs the check, so a stale link fails ``make test``.
Only cell sources change: outputs and execution counts are left alone.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
PYPROJECT = ROOT / "pyproject.toml"
START, END = "<!-- notebook-map:start -->", "<!-- notebook-map:end -->"
LAUNCH_START, LAUNCH_END = "<!-- launch:start -->", "<!-- launch:end -->"
TITLE = re.compile(r"^#\s+(\d\d)\s+·\s+(.+?)\s*$")
#: The owner [project.urls] names until the series is published; links built from it are marked as not live.
PLACEHOLDER_OWNER = "placeholder-owner"
#: Tags of the cells this script writes at the top of every notebook.
WRITTEN = ("nav", "launch", "setup")


def numbered_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def solutions_notebooks() -> list[Path]:
    return sorted((NOTEBOOKS / "solutions").glob("[0-9][0-9]_*.ipynb"))


# --------------------------------------------------------------------------- the one public address


def address(pyproject: Path = PYPROJECT) -> dict:
    """Repository owner and name, the site's URL and the release tag, from ``pyproject.toml``."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    urls = project.get("urls", {})
    found = re.fullmatch(r"https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)/?", urls.get("Repository", ""))
    if not found:
        raise ValueError("pyproject.toml: [project.urls] Repository must be https://github.com/OWNER/REPO")
    site = urls.get("Homepage", "")
    if not site.startswith("https://"):
        raise ValueError("pyproject.toml: [project.urls] Homepage must be the published site's https:// address")
    return dict(owner=found[1], repo=found[2], site=site.rstrip("/") + "/", ref=f"v{project['version']}",
                placeholder=found[1] == PLACEHOLDER_OWNER)


def launch_links(path: str, where: dict | None = None, browser: str | None = None) -> list[tuple[str, str]]:
    """``[(label, url)]`` to run ``notebooks/<path>`` in the browser site, Colab and Binder, at the release tag.

    ``browser``: the JupyterLite site's address (default: ``lite/`` on the published site); the static site passes
    a relative one.
    """
    a = where or address()
    lite = browser if browser is not None else a["site"] + "lite/"
    return [
        ("in your browser", f"{lite}lab/index.html?path={path}"),
        ("in Colab", f"https://colab.research.google.com/github/{a['owner']}/{a['repo']}/blob/{a['ref']}/notebooks/{path}"),
        ("on Binder", f"https://mybinder.org/v2/gh/{a['owner']}/{a['repo']}/{a['ref']}?urlpath=lab/tree/notebooks/{path}"),
    ]


def not_live_note(where: dict | None = None) -> str:
    a = where or address()
    return (" *(Not live yet: `pyproject.toml` names the placeholder address github.com/"
            f"{PLACEHOLDER_OWNER}; the links work once the series is published.)*") if a["placeholder"] else ""


def launch_markdown(path: str, where: dict | None = None) -> str:
    """The first cell of a notebook: where to run it, and one sentence on the setup cell below."""
    links = " · ".join(f"[{label}]({url})" for label, url in launch_links(path, where))
    return (f"**Run this notebook** {links}.{not_live_note(where)} "
            "The cell below installs the series' library, `rmsprop_lib`, where it is missing (Colab) "
            "and does nothing anywhere else.")


def setup_source(where: dict | None = None) -> str:
    """The setup cell: the same in every notebook; prints nothing unless the install fails."""
    a = where or address()
    url = f"https://github.com/{a['owner']}/{a['repo']}/archive/refs/tags/{a['ref']}.zip"
    return ("try:  # the series' library: installed locally, on Binder and in the browser site\n"
            "    import rmsprop_lib\n"
            f"except ImportError:  # a fresh Colab kernel: install it, with its data, at release {a['ref']}\n"
            "    import subprocess, sys\n"
            f'    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "rmsprop_lib @ {url}"],\n'
            "                         capture_output=True, text=True)\n"
            "    if pip.returncode:\n"
            '        raise RuntimeError("could not install rmsprop_lib:\\n" + pip.stderr)')


def readme_launch(where: dict | None = None) -> str:
    a = where or address()
    links = " · ".join(f"[{label}]({url})" for label, url in launch_links("00_start_here.ipynb", a))
    return (f"**Run the series with nothing to install**, from notebook 00: {links}; or "
            f"[read it on the site]({a['site']}).{not_live_note(a)}")


def with_launch(text: str, line: str) -> str:
    if LAUNCH_START not in text or LAUNCH_END not in text:
        raise ValueError(f"missing {LAUNCH_START} ... {LAUNCH_END} markers")
    head, rest = text.split(LAUNCH_START, 1)
    _, tail = rest.split(LAUNCH_END, 1)
    return f"{head}{LAUNCH_START}\n{line}\n{LAUNCH_END}{tail}"


def top_cells(nb, path: str, where: dict) -> list:
    """The launch and setup cells for ``notebooks/<path>``; the setup cell keeps its stored outputs and count."""
    launch = nbformat.v4.new_markdown_cell(launch_markdown(path, where), metadata={"tags": ["launch"]})
    launch.id = "launch"
    old = [c for c in nb.cells if "setup" in c.metadata.get("tags", [])]
    if old:
        setup = copy.deepcopy(old[0])
        setup.source = setup_source(where)
    else:
        setup = nbformat.v4.new_code_cell(setup_source(where), metadata={"tags": ["setup"]})
        setup.id = "setup"
    return [launch, setup]


def written_here(cell) -> bool:
    return any(tag in WRITTEN for tag in cell.metadata.get("tags", []))


def title_of(nb) -> tuple[str, str]:
    """``("01", "Gradient descent")`` from the first Markdown cell that is not navigation."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not written_here(cell):
            match = TITLE.match(cell.source.splitlines()[0] if cell.source else "")
            if not match:
                raise ValueError(f"the first Markdown cell must start with '# NN · Title', got {cell.source[:60]!r}")
            return match.group(1), match.group(2)
    raise ValueError("no title cell")


#: Reading speeds behind the reading time: technical prose is read at about 200 words a minute (Brysbaert 2019
#: puts silent reading of non-fiction at 238), code at about 10 lines a minute. Outputs are not counted.
WORDS_PER_MINUTE, CODE_LINES_PER_MINUTE = 200, 10


def reading_minutes(nb) -> tuple[int, int, int]:
    """``(minutes, words, code lines)`` of a notebook's own cells (not the cells this script writes)."""
    cells = [c for c in nb.cells if not written_here(c)]
    # the map in 00 is left out: it holds the reading times themselves
    prose = [re.sub(re.escape(START) + ".*?" + re.escape(END), "", c.source, flags=re.S) for c in cells if c.cell_type == "markdown"]
    words = sum(len(re.findall(r"[A-Za-z0-9]+", text)) for text in prose)
    code = sum(1 for c in cells if c.cell_type == "code" for line in c.source.splitlines()
               if line.strip() and not line.lstrip().startswith("#"))
    minutes = words / WORDS_PER_MINUTE + code / CODE_LINES_PER_MINUTE
    return max(5, 5 * round(minutes / 5)), words, code


def map_table(entries: list[dict], link_prefix: str) -> str:
    rows = ["| # | notebook | what you learn | reading time |", "|---|---|---|---|"]
    for e in entries:
        rows.append(f"| {e['number']} | [{e['title']}]({link_prefix}{e['file']}) | {e['summary']} | {e['minutes']} min |")
    total = sum(e["minutes"] for e in entries)
    rows.append(f"| | | all of them, without the exercises | {total // 60} h {total % 60:02d} min |")
    return "\n".join(rows)


def with_map(text: str, table: str) -> str:
    if START not in text or END not in text:
        raise ValueError(f"missing {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def nav_source(entries: list[dict], i: int) -> str:
    parts = []
    if i > 0:
        prev = entries[i - 1]
        parts.append(f"[← {prev['number']} · {prev['title']}]({prev['file']})")
    parts.append(f"[Contents]({entries[0]['file']}#The-map-of-the-series)")
    if i + 1 < len(entries):
        nxt = entries[i + 1]
        parts.append(f"[{nxt['number']} · {nxt['title']} →]({nxt['file']})")
    return " · ".join(parts)


def nav_cell(source: str, cell_id: str):
    cell = nbformat.v4.new_markdown_cell(source, metadata={"tags": ["nav"]})
    cell.id = cell_id  # fixed ids keep diffs quiet
    return cell


def sync(check: bool) -> list[str]:
    """Rewrite (or, with ``check``, only compare) navigation and maps; return what differed."""
    paths = numbered_notebooks()
    books = [nbformat.read(p, as_version=4) for p in paths]
    entries = []
    for path, nb in zip(paths, books):
        number, title = title_of(nb)
        if not path.name.startswith(number + "_"):
            raise ValueError(f"{path.name}: title number {number} does not match the file name")
        summary = nb.metadata.get("series", {}).get("summary")
        if not summary:
            raise ValueError(f"{path.name}: metadata['series']['summary'] is missing")
        minutes, words, code = reading_minutes(nb)
        entries.append(dict(number=number, title=title, file=path.name, summary=summary, minutes=minutes, words=words,
                            code=code))

    where = address()
    stale = []

    def update(path: Path, nb, new_cells: list) -> None:
        old = [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]
        if old != [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in new_cells]:
            stale.append(str(path.relative_to(ROOT)))
            if not check:
                nb.cells = new_cells
                nbformat.write(nb, path)

    for i, (path, nb) in enumerate(zip(paths, books)):
        source = nav_source(entries, i)
        e = entries[i]
        reading = (f"\n\n*About {e['minutes']} minutes to read ({e['words']:,} words, {e['code']} lines of code), more "
                   "with the exercises.*")
        # Copies: the new cells are compared with the old ones, so they must not be the same objects.
        cells = [copy.deepcopy(c) for c in nb.cells if not written_here(c)]
        new_cells = [*top_cells(nb, path.name, where), nav_cell(source + reading, "nav-top"), *cells, nav_cell(source, "nav-bottom")]
        for cell in new_cells:
            if "series-map" in cell.metadata.get("tags", []):
                cell.source = with_map(cell.source, map_table(entries, ""))
        update(path, nb, new_cells)

    for path in solutions_notebooks():
        nb = nbformat.read(path, as_version=4)
        cells = [copy.deepcopy(c) for c in nb.cells if not written_here(c)]
        update(path, nb, [*top_cells(nb, f"solutions/{path.name}", where), *cells])

    readme = README.read_text(encoding="utf-8")
    new_readme = with_launch(with_map(readme, map_table(entries, "notebooks/")), readme_launch(where))
    if new_readme != readme:
        stale.append("README.md")
        if not check:
            README.write_text(new_readme, encoding="utf-8")

    # The student notebooks are made from the numbered ones (tools/make_exercises.py, which takes their launch
    # cell from launch_markdown): written here after them, checked here for a stale launch or setup cell.
    for path in sorted((NOTEBOOKS / "exercises").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        top = [(c.cell_type, c.source) for c in nb.cells[:2]]
        if top != [("markdown", launch_markdown(f"exercises/{path.name}", where)), ("code", setup_source(where))]:
            stale.append(f"{path.relative_to(ROOT)} (make exercises)")
    if not check:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import make_exercises

        report = make_exercises.generate()
        stale = [s for s in stale if not s.endswith("(make exercises)")]
        stale += [f"{p.relative_to(ROOT)}" for p in report.written]
        stale += [f"{p.relative_to(ROOT)} LEFT ALONE: edited since generated (make exercises ARGS=--force)"
                  for p in report.left_alone]
    return stale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what is out of date")
    args = parser.parse_args()
    stale = sync(args.check)
    if args.check and stale:
        print("out of date (run: python tools/series.py):\n  " + "\n  ".join(stale))
        return 1
    print(("rewrote: " + ", ".join(stale)) if stale else "navigation, maps and launch cells are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
