"""Every figure a notebook stores is really there (nbval skips images, so this looks at them), with a text
alternative that says what it shows.

A figure whose cell stored only its text repr (``<Figure size 1000x400 with 2 Axes>``) shows the
reader nothing; a blank image shows nothing either; a cell that displays the same figure twice
(``display(fig)`` and the inline backend's automatic show) shows a duplicate. A figure shown by
``rmsprop_lib.drawing.describe.show`` is an ``<img>`` in ``text/html`` whose ``alt`` is its description;
one shown any other way (a bare ``image/png``) has no text alternative for a screen reader.
"""

import base64
import io
import json
from pathlib import Path

import html
import re

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
DESCRIBED = re.compile(r'^<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"')
#: Notebooks whose figures do not use describe.show yet: 06 gains a section in another branch (issue 18's
#: report lists the cells); its figures adopt describe.show after that merge.
NOT_YET_DESCRIBED: set[str] = set()  # every notebook shows its figures with describe.show


def figure_outputs(path):
    """(cell number, output) for each output of a code cell that carries a figure or a figure's repr."""
    cells = json.loads(path.read_text())["cells"]
    for number, cell in enumerate(cells):
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            data = output.get("data", {})
            if "image/png" in data or "".join(data.get("text/plain", "")).startswith("<Figure size") \
                    or DESCRIBED.match("".join(data.get("text/html", ""))):
                yield number, output


def png_and_alt(data: dict) -> tuple[str | None, str | None]:
    """A figure output's PNG (base64) and its text alternative (None where there is none)."""
    found = DESCRIBED.match("".join(data.get("text/html", "")))
    if found:
        return found[1], html.unescape(found[2])
    return data.get("image/png"), None


def problems_in(path):
    found, images_by_cell = [], {}
    for number, output in figure_outputs(path):
        data = output["data"]
        png, _ = png_and_alt(data)
        if png is None:
            found.append(f"cell {number}: the figure's text {''.join(data['text/plain'])!r} is stored without its image")
            continue
        pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB"))
        if pixels.min() == pixels.max() or pixels.size < 100 * 100 * 3:
            found.append(f"cell {number}: the image is blank or tiny ({pixels.shape[1]}x{pixels.shape[0]})")
        if png in images_by_cell.setdefault(number, []):
            found.append(f"cell {number}: the same figure is shown twice")
        images_by_cell[number].append(png)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT / "notebooks").with_suffix("").as_posix())
def test_every_stored_figure_has_a_visible_image(path):
    assert problems_in(path) == []


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem not in NOT_YET_DESCRIBED],
                         ids=lambda p: p.relative_to(ROOT / "notebooks").with_suffix("").as_posix())
def test_every_stored_figure_says_what_it_shows(path):
    """Each figure's alt text names its panels and axes (describe.describe) in a sentence or more, never a
    file name; the notebook's text/plain of the figure is the same text."""
    for number, output in figure_outputs(path):
        png, alt = png_and_alt(output["data"])
        assert alt is not None, f"cell {number}: a figure without a text alternative (show it with describe.show)"
        assert len(alt.split()) >= 12 and "axis" in alt or "labels" in alt, f"cell {number}: alt text too thin: {alt!r}"
        assert not re.search(r"\.(png|jpe?g|svg)\b", alt), f"cell {number}: alt text names a file: {alt!r}"
        assert "".join(output["data"]["text/plain"]) == alt, f"cell {number}: text/plain is not the alt text"


def test_the_figure_check_finds_each_fault(tmp_path):
    """The check above can fail: a repr without an image, a blank image and a duplicate are each found."""
    buffer = io.BytesIO()
    Image.new("RGB", (200, 150), "white").save(buffer, format="PNG")
    blank = base64.b64encode(buffer.getvalue()).decode()
    source = next(p for p in NOTEBOOKS if any(True for _ in figure_outputs(p)))
    real = png_and_alt(next(output for _, output in figure_outputs(source))["data"])[0]  # shown with describe.show: in text/html

    def figure(png=None):
        data = {"text/plain": ["<Figure size 1000x400 with 2 Axes>"]}
        if png:
            data["image/png"] = png
        return {"output_type": "display_data", "data": data, "metadata": {}}

    cells = [
        {"cell_type": "code", "source": "", "metadata": {}, "execution_count": 1, "outputs": [figure()]},
        {"cell_type": "code", "source": "", "metadata": {}, "execution_count": 2, "outputs": [figure(blank)]},
        {"cell_type": "code", "source": "", "metadata": {}, "execution_count": 3, "outputs": [figure(real), figure(real)]},
        {"cell_type": "code", "source": "", "metadata": {}, "execution_count": 4, "outputs": [figure(real)]},
    ]
    path = tmp_path / "99_broken.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    found = problems_in(path)
    assert [line.split(":")[0] for line in found] == ["cell 0", "cell 1", "cell 2"], found
    assert "without its image" in found[0] and "blank" in found[1] and "twice" in found[2]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_saved_explorer_image_can_be_drawn_with_its_title(path):
    """ipywidgets 8's views read ``description.length`` when a widget has a ``tooltip``: an Image saved with a
    tooltip and no ``description`` is drawn as an error box on the site and in JupyterLab (rmsprop_lib's
    ``_TitledImage`` carries an empty one)."""
    state = json.loads(path.read_text())["metadata"].get("widgets", {})
    models = state.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    broken = [model_id for model_id, model in models.items()
              if model["state"].get("tooltip") and not isinstance(model["state"].get("description"), str)]
    assert not broken, f"{path.name}: widgets saved with a tooltip but no description: {broken}"
