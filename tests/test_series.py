"""Navigation links, titles and the notebook maps agree (tools/series.py)."""

import importlib.util
import json
import shutil
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_navigation_and_maps_are_current():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "series.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_relative_link_in_notebooks_and_readme_points_to_a_file():
    broken, checked = [], 0
    sources = [(ROOT / "README.md", (ROOT / "README.md").read_text())]
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        sources.append((path, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")))
    for path, text in sources:
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file = (path.parent / target.split("#")[0]).resolve()
            checked += 1
            if not file.exists():
                broken.append(f"{path.name}: {target}")
    assert checked >= 2 * len(NOTEBOOKS), f"only {checked} relative links found: is the link pattern still right?"
    assert broken == []


def test_the_series_is_numbered_without_gaps():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(numbers)))


def _copy_of_the_series(tmp_path):
    """tools/series.py (and make_exercises.py, which it runs), pyproject.toml, README.md, the numbered, student and
    solutions notebooks, copied so that they can be broken."""
    (tmp_path / "tools").mkdir()
    (tmp_path / "notebooks").mkdir()
    for tool in ("series.py", "make_exercises.py"):
        shutil.copy(ROOT / "tools" / tool, tmp_path / "tools")
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path)
    for path in NOTEBOOKS:
        shutil.copy(path, tmp_path / "notebooks")
    for folder in ("exercises", "solutions"):
        shutil.copytree(ROOT / "notebooks" / folder, tmp_path / "notebooks" / folder)
    return tmp_path


def _check(root):
    """``series.py --check`` on a copy, in this process (a new interpreter spends seconds importing nbformat)."""
    spec = importlib.util.spec_from_file_location(f"series_copy_{len(sys.modules)}", root / "tools" / "series.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stale = module.sync(check=True)
    return SimpleNamespace(returncode=1 if stale else 0, stdout="\n".join(stale), stderr="")


def _edit_notebook(path, edit):
    nb = json.loads(path.read_text())
    edit(nb["cells"])
    path.write_text(json.dumps(nb))


@pytest.mark.parametrize("what", ["map in 00", "navigation of 03", "map in README", "launch links of 05",
                                  "setup cell of solutions/03", "launch links of exercises/04", "launch in README"])
def test_the_check_fails_on_a_stale_map_or_navigation(tmp_path, what):
    root = _copy_of_the_series(tmp_path)
    assert _check(root).returncode == 0  # the copy starts up to date
    if what == "map in 00":
        def drop_last_row(cells):
            cell = next(c for c in cells if "series-map" in c["metadata"].get("tags", []))
            text = "".join(cell["source"])
            rows = [line for line in text.splitlines() if line.startswith("| 0")]
            cell["source"] = text.replace(rows[-1] + "\n", "")
        _edit_notebook(root / "notebooks" / "00_start_here.ipynb", drop_last_row)
        stale = "notebooks/00_start_here.ipynb"
    elif what == "navigation of 03":
        def break_nav(cells):
            cells[0]["source"] = "[Contents](00_start_here.ipynb)"
        _edit_notebook(root / "notebooks" / "03_momentum.ipynb", break_nav)
        stale = "notebooks/03_momentum.ipynb"
    elif what == "launch links of 05":
        def older_tag(cells):
            cells[0]["source"] = "".join(cells[0]["source"]).replace("/blob/v", "/blob/main-was-v")
        _edit_notebook(root / "notebooks" / "05_rmsprop.ipynb", older_tag)
        stale = "notebooks/05_rmsprop.ipynb"
    elif what == "setup cell of solutions/03":
        def edited_setup(cells):
            cells[1]["source"] = "".join(cells[1]["source"]).replace('"-q", ', "")
        _edit_notebook(root / "notebooks" / "solutions" / "03_momentum.ipynb", edited_setup)
        stale = "notebooks/solutions/03_momentum.ipynb"
    elif what == "launch links of exercises/04":
        def full_notebook(cells):  # the student notebook must launch itself, not the full one
            cells[0]["source"] = "".join(cells[0]["source"]).replace("exercises/04", "04")
        _edit_notebook(root / "notebooks" / "exercises" / "04_adagrad.ipynb", full_notebook)
        stale = "notebooks/exercises/04_adagrad.ipynb"
    elif what == "launch in README":
        readme = root / "README.md"
        readme.write_text(readme.read_text().replace("colab.research.google.com", "colab.example.org", 1))
        stale = "README.md"
    else:
        readme = root / "README.md"
        readme.write_text(readme.read_text().replace("| 01 |", "| 1 |"))
        stale = "README.md"
    result = _check(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert stale in result.stdout
    assert _check(root).returncode == 1  # the check wrote nothing


def _top_cells(path):
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells[:2]], [c["metadata"].get("tags") for c in cells[:2]]


def test_every_notebook_opens_with_its_launch_links_and_the_same_setup_cell():
    sys.path.insert(0, str(ROOT / "tools"))
    import series

    where = series.address()
    notebooks = NOTEBOOKS + sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb")) \
        + sorted((ROOT / "notebooks" / "exercises").glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) >= 20
    for path in notebooks:
        (launch, setup), tags = _top_cells(path)
        assert tags == [["launch"], ["setup"]], path
        assert setup == series.setup_source(where), path
        relative = path.relative_to(ROOT / "notebooks").as_posix()
        links = re.findall(r"\]\((https://[^)\s]+)\)", launch)
        assert links == [url for _, url in series.launch_links(relative, where)], path
        for url in links[1:]:  # Colab and Binder open the release tag, never a moving branch
            assert f"/{where['ref']}/" in url or f"/{where['ref']}?" in url, url
    assert f"refs/tags/{where['ref']}.zip" in series.setup_source(where)


def test_one_address_the_placeholder_is_marked_and_a_new_address_reaches_every_copy(tmp_path):
    root = _copy_of_the_series(tmp_path)
    readme = (root / "README.md").read_text()
    assert "placeholder-owner" in readme and "Not live yet" in readme  # marked as such until published
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("placeholder-owner/rmsprop-series", "someone/rmsprop-series")
                         .replace("https://placeholder-owner.github.io", "https://someone.github.io"))
    result = _check(root)
    assert result.returncode == 1
    for name in ("README.md", "notebooks/00_start_here.ipynb", "notebooks/solutions/07_training_a_network.ipynb",
                 "notebooks/exercises/05_rmsprop.ipynb"):
        assert name in result.stdout, result.stdout
    written = subprocess.run([sys.executable, str(root / "tools" / "series.py")], capture_output=True, text=True)
    assert written.returncode == 0, written.stdout + written.stderr
    assert _check(root).returncode == 0
    readme_launch = (root / "README.md").read_text().split("<!-- launch:start -->")[1].split("<!-- launch:end -->")[0]
    texts = [readme_launch] + ["\n".join(_top_cells(p)[0]) for p in (root / "notebooks").rglob("*.ipynb")]
    assert not any("placeholder-owner" in text or "Not live yet" in text for text in texts)
    assert all("someone/rmsprop-series" in text for text in texts)


def test_reading_time_counts_prose_and_code_but_not_the_cells_it_writes_or_the_map():
    sys.path.insert(0, str(ROOT / "tools"))
    import nbformat
    import series

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("stale nav " * 500, metadata={"tags": ["nav"]}),  # written by series.py: not counted
        nbformat.v4.new_markdown_cell("# 01 · T\n\n" + "word " * 3998),  # 4000 words ("01", "T" and 3998): 20 min
        nbformat.v4.new_markdown_cell(f"{series.START}\n" + "map " * 900 + f"\n{series.END}"),  # the map: not counted
        nbformat.v4.new_code_cell("# a comment\n\nx = 1\n" * 50),  # 50 lines of code: 5 min
    ]
    assert series.reading_minutes(nb) == (25, 4000, 50)
    nb.cells[3].source = "x = 1\n" * 24  # 22.4 min rounds to 20
    assert series.reading_minutes(nb)[0] == 20
    nb.cells = nb.cells[:1]
    assert series.reading_minutes(nb) == (5, 0, 0)  # never less than 5


def test_each_notebook_states_its_reading_time_at_the_top_and_the_map_repeats_it():
    sys.path.insert(0, str(ROOT / "tools"))
    import nbformat
    import series

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in series.numbered_notebooks():
        nb = nbformat.read(path, as_version=4)
        minutes = series.reading_minutes(nb)[0]
        top = next(c for c in nb.cells if "nav" in c.metadata.get("tags", []))
        assert f"*About {minutes} minutes to read (" in top.source, path.name
        assert re.search(rf"\({re.escape('notebooks/' + path.name)}\) \| [^|]+ \| {minutes} min \|", readme), path.name
