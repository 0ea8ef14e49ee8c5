"""Navigation links, titles and the notebook maps agree (tools/series.py)."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_navigation_and_maps_are_current():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "series.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_relative_link_in_notebooks_and_readme_points_to_a_file():
    broken = []
    sources = [(ROOT / "README.md", (ROOT / "README.md").read_text())]
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        sources.append((path, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")))
    for path, text in sources:
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file = (path.parent / target.split("#")[0]).resolve()
            if not file.exists():
                broken.append(f"{path.name}: {target}")
    assert broken == []


def test_the_series_is_numbered_without_gaps():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(numbers)))
