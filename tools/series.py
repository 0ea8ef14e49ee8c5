"""Keep the series' navigation, titles and maps consistent.

Each numbered notebook ``notebooks/NN_name.ipynb`` has

- a title: the first line of its first Markdown cell, ``# NN · Title``;
- a one-line summary in its metadata: ``metadata["series"]["summary"]``;
- navigation cells at the top and the bottom (Markdown cells tagged ``nav``),
  written by this script: previous · contents · next.

The map of notebooks (a table) is written by this script into ``README.md``
and into the cell tagged ``series-map`` in ``00_start_here``, between the
markers ``<!-- notebook-map:start -->`` and ``<!-- notebook-map:end -->``.

    python tools/series.py          # rewrite navigation and maps in place
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
START, END = "<!-- notebook-map:start -->", "<!-- notebook-map:end -->"
TITLE = re.compile(r"^#\s+(\d\d)\s+·\s+(.+?)\s*$")


def numbered_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title_of(nb) -> tuple[str, str]:
    """``("01", "Gradient descent")`` from the first Markdown cell that is not navigation."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "nav" not in cell.metadata.get("tags", []):
            match = TITLE.match(cell.source.splitlines()[0] if cell.source else "")
            if not match:
                raise ValueError(f"the first Markdown cell must start with '# NN · Title', got {cell.source[:60]!r}")
            return match.group(1), match.group(2)
    raise ValueError("no title cell")


def map_table(entries: list[dict], link_prefix: str) -> str:
    rows = ["| # | notebook | what you learn |", "|---|---|---|"]
    for e in entries:
        rows.append(f"| {e['number']} | [{e['title']}]({link_prefix}{e['file']}) | {e['summary']} |")
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
        entries.append(dict(number=number, title=title, file=path.name, summary=summary))

    stale = []
    for i, (path, nb) in enumerate(zip(paths, books)):
        source = nav_source(entries, i)
        # Copies: the new cells are compared with the old ones, so they must not be the same objects.
        cells = [copy.deepcopy(c) for c in nb.cells if "nav" not in c.metadata.get("tags", [])]
        new_cells = [nav_cell(source, "nav-top"), *cells, nav_cell(source, "nav-bottom")]
        for cell in new_cells:
            if "series-map" in cell.metadata.get("tags", []):
                cell.source = with_map(cell.source, map_table(entries, ""))
        old = [(c.cell_type, c.source) for c in nb.cells]
        if old != [(c.cell_type, c.source) for c in new_cells]:
            stale.append(str(path.relative_to(ROOT)))
            if not check:
                nb.cells = new_cells
                nbformat.write(nb, path)

    readme = README.read_text(encoding="utf-8")
    new_readme = with_map(readme, map_table(entries, "notebooks/"))
    if new_readme != readme:
        stale.append("README.md")
        if not check:
            README.write_text(new_readme, encoding="utf-8")
    return stale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what is out of date")
    args = parser.parse_args()
    stale = sync(args.check)
    if args.check and stale:
        print("out of date (run: python tools/series.py):\n  " + "\n  ".join(stale))
        return 1
    print(("rewrote: " + ", ".join(stale)) if stale else "navigation and maps are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
