"""The student notebooks (tools/make_exercises.py, `make exercises`).

- the committed student notebooks are what the generator writes today (not stale);
- no line of a solution appears in a student notebook;
- each student notebook runs top to bottom, every check saying "not attempted yet";
- the generator itself: stubs, cleared outputs, links, determinism, and a
  learner's edits are never overwritten without --force.
"""

import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import make_exercises as mx  # noqa: E402

SOURCES = ROOT / "notebooks"
STUDENTS = SOURCES / "exercises"
WITH_EXERCISES = sorted(p for p in SOURCES.glob("[0-9][0-9]_*.ipynb") if mx.has_solutions(json.loads(p.read_text())))
STUDENT_NOTEBOOKS = sorted(STUDENTS.glob("*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def solution_lines(path: Path) -> set[str]:
    """The stripped lines inside every solution region of a source notebook (comments and blanks aside)."""
    found = set()
    for cell in cells(path):
        lines = mx.source_of(cell).split("\n")
        for first, last, _ in mx.solution_regions(mx.source_of(cell), path.name):
            found |= {line.strip() for line in lines[first + 1 : last] if line.strip() and not line.strip().startswith("#")}
    return found


# ------------------------------------------------------------------ the committed student notebooks


def test_the_series_has_exercises():
    assert WITH_EXERCISES, "no source notebook with ### BEGIN SOLUTION regions"


def test_committed_student_notebooks_are_up_to_date(tmp_path):
    """Regenerating into an empty folder gives exactly the committed files, byte for byte."""
    report = mx.generate(SOURCES, tmp_path)
    assert report.ok
    fresh = {p.name: p.read_bytes() for p in tmp_path.glob("*.ipynb")}
    committed = {p.name: p.read_bytes() for p in STUDENT_NOTEBOOKS}
    assert sorted(committed) == sorted(fresh), "run `make exercises` and commit notebooks/exercises/"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], f"stale student notebooks {stale}: run `make exercises` and commit notebooks/exercises/"


def test_check_mode_agrees():
    assert mx.main(["--check"]) == 0


@pytest.mark.parametrize("source", WITH_EXERCISES, ids=lambda p: p.name)
def test_no_solution_line_appears_in_the_student_notebook(source):
    student = STUDENTS / source.name
    assert student.exists(), f"no student version of {source.name}: run `make exercises`"
    student_lines = {line.strip() for cell in cells(student) for line in mx.source_of(cell).split("\n")}
    leaked = solution_lines(source) & student_lines
    assert leaked == set(), f"{student.name} shows solution lines: {sorted(leaked)}"
    assert not any("BEGIN SOLUTION" in mx.source_of(c) or "END SOLUTION" in mx.source_of(c) for c in cells(student))


@pytest.mark.parametrize("source", WITH_EXERCISES, ids=lambda p: p.name)
def test_every_exercise_is_followed_by_its_check(source):
    code = [mx.source_of(c) for c in cells(source) if c["cell_type"] == "code"]
    for i, text in enumerate(code):
        if mx.solution_regions(text, source.name):
            assert i + 1 < len(code) and "check_" in code[i + 1], f"{source.name}: no check after the exercise\n{text}"


@pytest.mark.parametrize("student", STUDENT_NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebooks_have_no_outputs_and_no_widget_state(student):
    nb = json.loads(student.read_text(encoding="utf-8"))
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in nb["cells"] if c["cell_type"] == "code")
    assert "widgets" not in nb["metadata"]
    assert nb["metadata"]["exercises"]["hash"] == mx.cells_hash(nb)


@pytest.mark.parametrize("student", STUDENT_NOTEBOOKS, ids=lambda p: p.name)
def test_links_in_student_notebooks_point_to_files(student):
    broken, checked = [], 0
    for cell in cells(student):
        if cell["cell_type"] != "markdown":
            continue
        for target in re.findall(r"\]\(([^)\s]+)\)", mx.source_of(cell)):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            checked += 1
            if not (student.parent / target.split("#")[0]).resolve().exists():
                broken.append(target)
    assert checked >= 2, f"only {checked} relative links found (a student notebook has its navigation links at least)"
    assert broken == []


@pytest.mark.parametrize("student", STUDENT_NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebooks_run_top_to_bottom(student):
    """Every cell runs; each check cell reports "not attempted yet" (the stubs raise NotImplementedError)."""
    from nbclient import NotebookClient

    nb = nbformat.read(student, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(STUDENTS)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    warnings = [o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("name") == "stderr"]
    assert warnings == []
    checks = [c for c in nb.cells if c.cell_type == "code" and re.search(r"^check_\w+\(", c.source, re.MULTILINE)]
    assert checks, "no check cell"
    for cell in checks:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert "not attempted yet" in text, f"{student.name}: {cell.source!r} printed {text!r}"


# ------------------------------------------------------------------ the generator on small notebooks


def notebook(*cells, **metadata) -> dict:
    nb = nbformat.v4.new_notebook(metadata=metadata)
    nb.cells = list(cells)
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    return json.loads(nbformat.writes(nb))


def code(source, outputs=()):
    cell = nbformat.v4.new_code_cell(source, execution_count=3)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in outputs]
    return cell


def md(source):
    return nbformat.v4.new_markdown_cell(source)


EXERCISE = '''class Step:
    def update(self, grad):
        """Docstring stays."""
        scale = 2
        ### BEGIN SOLUTION
        if grad > 0:
            return -scale * grad
        return scale * grad
        ### END SOLUTION

def helper():
    ### BEGIN SOLUTION
    return 1
    ### END SOLUTION'''


def make_sources(folder: Path, extra_md: str = "See [the next](02_b.ipynb) and [start](00_start.ipynb#Top).") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    books = {
        "00_start.ipynb": notebook(md("# 00 · Start\n[docs](../docs/workshop.md), [web](https://example.org), [here](#Top)")),
        "01_a.ipynb": notebook(md("# 01 · A\n" + extra_md), code(EXERCISE, ["hi\n"]), code("check(Step)", ["✓\n"]), widgets={"state": {}}),
        "02_b.ipynb": notebook(md("# 02 · B"), code("def f():\n    ### BEGIN SOLUTION\n    return 2\n    ### END SOLUTION"), code("check_f(f)")),
    }
    for name, nb in books.items():
        (folder / name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return folder


def student_cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_solution_regions_become_stubs_at_their_indentation(tmp_path):
    src = make_sources(tmp_path / "src")
    mx.generate(src, tmp_path / "out")
    assert mx.source_of(student_cells(tmp_path / "out" / "01_a.ipynb")[1]) == (
        "class Step:\n"
        "    def update(self, grad):\n"
        '        """Docstring stays."""\n'
        "        scale = 2\n"
        "        # YOUR CODE HERE\n"
        "        raise NotImplementedError()\n"
        "\n"
        "def helper():\n"
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError()"
    )


def test_outputs_counts_and_widget_state_are_cleared_and_the_rest_kept(tmp_path):
    src = make_sources(tmp_path / "src")
    mx.generate(src, tmp_path / "out")
    source = json.loads((src / "01_a.ipynb").read_text())
    student = json.loads((tmp_path / "out" / "01_a.ipynb").read_text())
    assert [c["id"] for c in student["cells"]] == [c["id"] for c in source["cells"]]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in student["cells"] if c["cell_type"] == "code")
    assert "widgets" not in student["metadata"]
    assert mx.source_of(student["cells"][2]) == "check(Step)"
    assert student["metadata"]["exercises"]["source"] == "../01_a.ipynb"


def test_notebooks_without_solutions_get_no_student_version(tmp_path):
    src = make_sources(tmp_path / "src")
    report = mx.generate(src, tmp_path / "out")
    assert sorted(p.name for p in report.written) == ["01_a.ipynb", "02_b.ipynb"]
    assert not (tmp_path / "out" / "00_start.ipynb").exists()


def test_links_point_to_student_siblings_or_one_folder_up(tmp_path):
    src = make_sources(tmp_path / "src", extra_md='[next](02_b.ipynb), [start](00_start.ipynb#Top), [guide](../docs/workshop.md), '
                       '[web](https://example.org/a.ipynb), [here](#Top), ![fig](figures/a.png), <a href="00_start.ipynb">s</a>\n\n[ref]: data/x.csv')
    mx.generate(src, tmp_path / "out")
    text = mx.source_of(student_cells(tmp_path / "out" / "01_a.ipynb")[0])
    assert "[next](02_b.ipynb)" in text  # 02 has a student version: a sibling
    assert "[start](../00_start.ipynb#Top)" in text  # 00 has none: the solution folder
    assert "[guide](../../docs/workshop.md)" in text
    assert "[web](https://example.org/a.ipynb)" in text and "[here](#Top)" in text
    assert "![fig](../figures/a.png)" in text and 'href="../00_start.ipynb"' in text and "[ref]: ../data/x.csv" in text


def test_markdown_answers_are_blanked(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nb = notebook(md("Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"), code("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"))
    (src / "01_q.ipynb").write_text(json.dumps(nb))
    mx.generate(src, tmp_path / "out")
    first, second = student_cells(tmp_path / "out" / "01_q.ipynb")
    assert mx.source_of(first) == "Why?\n\nYOUR ANSWER HERE"
    assert mx.source_of(second) == "# YOUR CODE HERE\nraise NotImplementedError()"


def test_the_output_is_deterministic(tmp_path):
    src = make_sources(tmp_path / "src")
    mx.generate(src, tmp_path / "one")
    mx.generate(src, tmp_path / "two")
    for path in (tmp_path / "one").glob("*.ipynb"):
        assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes()
    report = mx.generate(src, tmp_path / "one")
    assert report.written == [] and len(report.unchanged) == 2


def test_cells_without_ids_get_fixed_ones(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nb = notebook(code("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"))
    del nb["cells"][0]["id"]
    (src / "01_q.ipynb").write_text(json.dumps(nb))
    mx.generate(src, tmp_path / "one")
    mx.generate(src, tmp_path / "two")
    assert (tmp_path / "one" / "01_q.ipynb").read_bytes() == (tmp_path / "two" / "01_q.ipynb").read_bytes()


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "BEGIN SOLUTION without END SOLUTION"),
        ("x = 1\n### END SOLUTION", "END SOLUTION without BEGIN SOLUTION"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another solution region"),
        ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION", "is not a marker; write '### BEGIN SOLUTION'"),
        ("### BEGIN SOLUTION\nx = 1\n###END SOLUTION", "is not a marker"),
    ],
)
def test_broken_markers_are_reported_with_the_cell(tmp_path, source, message):
    src = tmp_path / "src"
    src.mkdir()
    (src / "01_q.ipynb").write_text(json.dumps(notebook(code(source))))
    with pytest.raises(ValueError, match=message) as error:
        mx.generate(src, tmp_path / "out")
    assert "01_q.ipynb, cell c0" in str(error.value)


# ------------------------------------------------------------------ a learner's work is never lost


def edit(path: Path, new_source: str, cell: int = 1) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][cell]["source"] = new_source
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def test_an_edited_student_notebook_is_left_alone_and_named(tmp_path, capsys, monkeypatch):
    src, out = make_sources(tmp_path / "src"), tmp_path / "out"
    mx.generate(src, out)
    edit(out / "01_a.ipynb", "class Step:\n    def update(self, grad):\n        return -grad  # my answer")
    learner_bytes = (out / "01_a.ipynb").read_bytes()
    edit(src / "02_b.ipynb", "# 02 · B, revised", cell=0)  # the instructor changes the sources
    edit(src / "01_a.ipynb", "# 01 · A, revised", cell=0)

    monkeypatch.chdir(tmp_path)
    status = mx.main(["--sources", str(src), "--out", str(out)])
    printed = capsys.readouterr().out
    assert status == 1
    assert "LEFT ALONE: out/01_a.ipynb has been edited since it was generated." in printed
    assert "--force" in printed
    assert "wrote: out/02_b.ipynb" in printed  # the unedited one is refreshed
    assert (out / "01_a.ipynb").read_bytes() == learner_bytes

    assert mx.main(["--sources", str(src), "--out", str(out), "--force"]) == 0
    assert "my answer" not in (out / "01_a.ipynb").read_text()
    assert "revised" in (out / "01_a.ipynb").read_text()


def test_running_cells_is_not_editing(tmp_path):
    """Outputs and execution counts are not a learner's work: an executed, unedited notebook is refreshed."""
    src, out = make_sources(tmp_path / "src"), tmp_path / "out"
    mx.generate(src, out)
    nb = json.loads((out / "02_b.ipynb").read_text())
    nb["cells"][1]["execution_count"] = 1
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "○ not attempted yet"}]
    (out / "02_b.ipynb").write_text(json.dumps(nb))
    edit(src / "02_b.ipynb", "# 02 · B, revised", cell=0)
    report = mx.generate(src, out)
    assert report.ok and [p.name for p in report.written] == ["02_b.ipynb"]
    assert "revised" in (out / "02_b.ipynb").read_text()


@pytest.mark.parametrize("damage", ["not json at all", '{"cells": []}'])
def test_an_unreadable_or_foreign_notebook_is_left_alone(tmp_path, damage):
    src, out = make_sources(tmp_path / "src"), tmp_path / "out"
    out.mkdir()
    (out / "01_a.ipynb").write_text(damage)
    report = mx.generate(src, out)
    assert [p.name for p in report.left_alone] == ["01_a.ipynb"]
    assert (out / "01_a.ipynb").read_text() == damage


def test_check_mode_writes_nothing_and_fails_when_stale(tmp_path):
    src, out = make_sources(tmp_path / "src"), tmp_path / "out"
    assert mx.main(["--sources", str(src), "--out", str(out), "--check"]) == 1
    assert not out.exists()
    mx.generate(src, out)
    assert mx.main(["--sources", str(src), "--out", str(out), "--check"]) == 0


def test_other_notebooks_in_the_folder_are_named_and_kept(tmp_path, capsys):
    """A learner's copy (or a leftover) is reported, never touched; --check counts it as out of date."""
    src, out = make_sources(tmp_path / "src"), tmp_path / "out"
    mx.generate(src, out)
    shutil.copy(out / "01_a.ipynb", out / "01_a-mine.ipynb")
    assert mx.main(["--sources", str(src), "--out", str(out)]) == 0
    assert "not generated here: " in capsys.readouterr().out
    assert (out / "01_a-mine.ipynb").read_bytes() == (out / "01_a.ipynb").read_bytes()
    assert mx.main(["--sources", str(src), "--out", str(out), "--check"]) == 1
