"""Write the workshop's student notebooks from the solution notebooks.

For every notebook ``notebooks/NN_name.ipynb`` that contains solution regions
(nbgrader's markers, so nbgrader can also grade these files)::

    def gd_step(x, grad, lr):
        ### BEGIN SOLUTION
        return x - lr * grad
        ### END SOLUTION

this writes ``notebooks/exercises/NN_name.ipynb`` where

- each region in a code cell becomes ``# YOUR CODE HERE`` and
  ``raise NotImplementedError()`` at the marker's indentation (in a Markdown
  cell: ``YOUR ANSWER HERE``);
- outputs, execution counts, run timestamps and saved widget state are cleared;
- relative links in Markdown are rewritten for the new folder: a link to a
  numbered notebook that has a student version stays a sibling link
  (``03_momentum.ipynb``), every other relative link gets ``../``
  (``../00_start_here.ipynb``, ``../../docs/workshop.md``);
- the launch cell (tagged ``launch``, written by ``tools/series.py``) links this
  student notebook, not the full one: Colab, Binder and the browser site open
  ``notebooks/exercises/NN_name.ipynb``;
- everything else is unchanged (cell ids, tags, metadata).

The output is deterministic: the same sources give byte-identical files.

A learner's work is never overwritten silently. Each student notebook stores
a hash of its cells (types and sources) in ``metadata["exercises"]["hash"]``.
If the cells no longer match that hash, someone has edited the notebook since
it was generated: it is left alone (and listed) unless ``--force`` is given.
Running cells without editing them changes only outputs, which are not work
and may be overwritten.

    python tools/make_exercises.py           # write notebooks/exercises/ (make exercises)
    python tools/make_exercises.py --force   # also overwrite edited student notebooks
    python tools/make_exercises.py --check   # write nothing; exit 1 if anything is out of date
    python tools/make_exercises.py --out DIR # write somewhere else

Exit status: 0 when every student notebook is up to date afterwards, 1 when
an edited one was left alone (with ``--check``: when anything would change,
or the folder holds a notebook that no source generates).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from series import launch_markdown  # noqa: E402  (the launch links: one address, tools/series.py)

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "notebooks"
STUDENTS = SOURCES / "exercises"

# nbgrader's markers, exactly (a stripped line equal to them), so both tools agree on what is a solution.
BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
NEAR_MISS = re.compile(r"^\s*#+\s*(BEGIN|END)\s*SOLUTION", re.IGNORECASE)  # e.g. "# BEGIN SOLUTION": an error
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)
NUMBERED = re.compile(r"^\d\d_[^/]+\.ipynb$")

# Markdown link targets: [text](target), ![alt](target), [ref]: target, href="target", src="target".
LINK = re.compile(r"(\]\(\s*<?)([^)\s>]+)|(^\s*\[[^\]]+\]:\s*)(\S+)|((?:href|src)=[\"'])([^\"']+)", re.MULTILINE)


# ------------------------------------------------------------------ one notebook


def solution_regions(source: str, where: str) -> list[tuple[int, int, str]]:
    """``(first line, last line, indentation)`` of each region, markers included."""
    regions, start = [], None
    for number, line in enumerate(source.split("\n")):
        if BEGIN.match(line):
            if start is not None:
                raise ValueError(f"{where}: BEGIN SOLUTION inside another solution region (line {number + 1})")
            start, indent = number, BEGIN.match(line).group(1)
        elif END.match(line):
            if start is None:
                raise ValueError(f"{where}: END SOLUTION without BEGIN SOLUTION (line {number + 1})")
            regions.append((start, number, indent))
            start = None
        elif NEAR_MISS.match(line):
            raise ValueError(f"{where}: line {number + 1} {line.strip()!r} is not a marker; write '### BEGIN SOLUTION' or '### END SOLUTION' exactly")
    if start is not None:
        raise ValueError(f"{where}: BEGIN SOLUTION without END SOLUTION (line {start + 1})")
    return regions


def stub_solutions(source: str, stub: tuple[str, ...], where: str) -> str:
    """``source`` with each solution region replaced by ``stub`` at the region's indentation."""
    lines = source.split("\n")
    for first, last, indent in reversed(solution_regions(source, where)):
        lines[first : last + 1] = [indent + line for line in stub]
    return "\n".join(lines)


def rewrite_link(target: str, siblings: set[str]) -> str:
    """A Markdown link target as seen from the student folder, one level down."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith(("#", "/")):
        return target  # absolute URL, anchor in this notebook, or absolute path
    file = target.split("#", 1)[0].split("?", 1)[0]
    if NUMBERED.match(file) and file in siblings:
        return target  # the student version sits next to this one
    return "../" + target


def rewrite_links(markdown: str, siblings: set[str]) -> str:
    def replace(match: re.Match) -> str:
        for prefix, target in ((1, 2), (3, 4), (5, 6)):
            if match.group(prefix) is not None:
                return match.group(prefix) + rewrite_link(match.group(target), siblings)
        return match.group(0)

    return LINK.sub(replace, markdown)


def has_solutions(nb: dict) -> bool:
    return any(NEAR_MISS.match(line) for cell in nb["cells"] for line in source_of(cell).split("\n"))


def source_of(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def cells_hash(nb: dict) -> str:
    """Hash of what a learner edits: each cell's type and source, in order."""
    cells = [[cell["cell_type"], source_of(cell)] for cell in nb["cells"]]
    return "sha256:" + hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()


def student_version(nb: dict, name: str, siblings: set[str]) -> dict:
    """The student notebook for the source notebook ``nb`` (a dict, as read from JSON)."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb["cells"]):
        where = f"{name}, cell {cell.get('id', index)}"
        source = source_of(cell)
        if cell["cell_type"] == "code":
            cell["source"] = stub_solutions(source, CODE_STUB, where)
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.get("metadata", {}).pop("execution", None)  # run timestamps belong to the cleared outputs
        elif "launch" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = launch_markdown(f"exercises/{name}")
        else:
            cell["source"] = rewrite_links(stub_solutions(source, MARKDOWN_STUB, where), siblings)
        if nb.get("nbformat_minor", 0) >= 5 and "id" not in cell:
            cell["id"] = f"cell-{index:02d}"  # a fixed id, where nbformat would invent a random one
    nb["metadata"].pop("widgets", None)  # saved widget state belongs to the cleared outputs
    nb["metadata"]["exercises"] = {
        "source": f"../{name}",
        "generated_by": "tools/make_exercises.py (make exercises); edit the source notebook, not this file",
        "hash": cells_hash(nb),
    }
    return nb


def to_text(nb: dict) -> str:
    """nbformat's own serialisation (1-space indent, sorted keys, sources as lists of lines)."""
    notebook = nbformat.from_dict(nb)
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


# ------------------------------------------------------------------ the folder


@dataclass
class Report:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    left_alone: list[Path] = field(default_factory=list)  # edited since generated
    others: list[Path] = field(default_factory=list)  # not generated from any source (e.g. a learner's copy)

    @property
    def ok(self) -> bool:
        return not self.left_alone


def edited_since_generated(path: Path) -> bool:
    """True if the student notebook at ``path`` no longer matches the hash it was generated with."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        return nb["metadata"]["exercises"]["hash"] != cells_hash(nb)
    except (ValueError, KeyError, TypeError):
        return True  # unreadable or not generated by this tool: treat as someone's work


def generate(sources: Path = SOURCES, out: Path = STUDENTS, force: bool = False, check: bool = False) -> Report:
    """Write (or with ``check`` only compare) the student notebooks; say what happened to each."""
    notebooks = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(sources.glob("[0-9][0-9]_*.ipynb"))}
    with_exercises = {name: nb for name, nb in notebooks.items() if has_solutions(nb)}
    siblings = set(with_exercises)

    report = Report()
    for name, nb in with_exercises.items():
        target = out / name
        text = to_text(student_version(nb, name, siblings))
        if target.exists() and target.read_text(encoding="utf-8") == text:
            report.unchanged.append(target)
        elif target.exists() and edited_since_generated(target) and not force:
            report.left_alone.append(target)
        else:
            report.written.append(target)
            if not check:
                out.mkdir(parents=True, exist_ok=True)
                target.write_bytes(text.encode("utf-8"))
    if out.exists():
        report.others = [path for path in sorted(out.glob("*.ipynb")) if path.name not in with_exercises]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="also overwrite student notebooks edited since they were generated")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a student notebook is out of date")
    parser.add_argument("--out", type=Path, default=STUDENTS, help="folder for the student notebooks (default: notebooks/exercises)")
    parser.add_argument("--sources", type=Path, default=SOURCES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    report = generate(args.sources, args.out, force=args.force, check=args.check)

    def show(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    for path in report.written:
        print(f"{'out of date' if args.check else 'wrote'}: {show(path)}")
    for path in report.unchanged:
        print(f"up to date: {show(path)}")
    for path in report.left_alone:
        print(f"LEFT ALONE: {show(path)} has been edited since it was generated.")
    for path in report.others:
        print(f"not generated here: {show(path)} (no source notebook with exercises has this name; left as it is)")
    if report.left_alone:
        print(
            "Nothing of the edits was touched. To replace them with fresh copies (losing those edits), run\n"
            "    python tools/make_exercises.py --force      (or: make exercises ARGS=--force)"
        )
    if args.check:
        return 0 if report.ok and not report.written and not report.others else 1
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
