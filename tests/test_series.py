"""Navigation links, titles and the notebook maps agree (tools/series.py)."""

import json
import shutil
import re
import subprocess
import sys
from pathlib import Path

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
    """tools/series.py, README.md and the numbered notebooks, copied so that they can be broken."""
    (tmp_path / "tools").mkdir()
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "tools" / "series.py", tmp_path / "tools")
    shutil.copy(ROOT / "README.md", tmp_path)
    for path in NOTEBOOKS:
        shutil.copy(path, tmp_path / "notebooks")
    return tmp_path


def _check(root):
    return subprocess.run([sys.executable, str(root / "tools" / "series.py"), "--check"], capture_output=True, text=True)


def _edit_notebook(path, edit):
    nb = json.loads(path.read_text())
    edit(nb["cells"])
    path.write_text(json.dumps(nb))


@pytest.mark.parametrize("what", ["map in 00", "navigation of 03", "map in README"])
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
    else:
        readme = root / "README.md"
        readme.write_text(readme.read_text().replace("| 01 |", "| 1 |"))
        stale = "README.md"
    result = _check(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert stale in result.stdout
    assert _check(root).returncode == 1  # the check wrote nothing
