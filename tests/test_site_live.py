"""What a site page's live explorer runs (``tools/live_code.py``), checked in this Python, without a browser.

Each explorer's program — the statements of its notebook it needs — run in a fresh namespace here must make
the very explorer the notebook saved: the same text alternative on its image (``Explorer.alt``, which names the
figure's panels, runs, what to see and every control's value). Run for the pages of ``LIVE_PAGES``
(``06`` in ``make test``, every page in ``make test-lite``; the pages themselves in ``make test-browser``); the browser side is ``tests/test_site.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import live_code  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LIVE_PAGES = [p.strip() for p in os.environ.get("LIVE_PAGES", "06").split(",") if p.strip()]


def saved_explorers(nb: dict) -> list[list[str]]:
    """For each explorer output, the tooltips (text alternatives) of the images in its saved widget state."""
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    found = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(live_code.WIDGET_VIEW)
            if view:
                stack, tooltips = [view["model_id"]], []
                while stack:
                    model = state[stack.pop()]
                    if model["model_name"] == "ImageModel":
                        tooltips.append(model["state"].get("tooltip"))
                    stack += [child.removeprefix("IPY_MODEL_") for child in model["state"].get("children", [])]
                found.append(tooltips)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_explorer_has_a_program_that_ends_in_it(path):
    """One program per saved explorer, its own cell last, imports first; a page's explorers can share a namespace."""
    nb = json.loads(path.read_text())
    page = live_code.page_program(nb)  # raises if two explorers' statements would clash
    assert len(page["explorers"]) == len(saved_explorers(nb)) >= 1
    for ids in page["explorers"]:
        cells = [int(i.split(".")[0]) for i in ids]
        assert cells == sorted(cells), "in notebook order, the explorer's own cell last"
        assert page["statements"][ids[0]].startswith(("import", "from"))
        assert "%" not in "".join(page["statements"][i][:1] for i in ids)  # no magics


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if not LIVE_PAGES or any(p.name.startswith(c) for c in LIVE_PAGES)],
                         ids=lambda p: p.stem)
def test_each_program_makes_the_explorer_the_notebook_saved(path):
    """Run here, in one namespace per page as the page runs them, the programs give the saved explorers; and so
    do the programs shortened by the values that first run left (``live_code.precompute``, as the site ships)."""
    nb = json.loads(path.read_text())
    page = live_code.page_program(nb)
    found, made = live_code.run_page(page)
    shortened = live_code.precompute(page, found)
    assert set(shortened["restored"]) <= set(shortened["statements"])
    namespace: dict = {"__name__": "__main__"}
    ran: set[str] = set()
    for ids, original, tooltips in zip(shortened["explorers"], made, saved_explorers(nb)):
        *body, last = ids
        with contextlib.redirect_stdout(io.StringIO()):
            for statement_id in body:
                if statement_id not in ran:
                    exec(compile(shortened["statements"][statement_id], statement_id, "exec"), namespace)
                    ran.add(statement_id)
            explorer = eval(compile(shortened["statements"][last], last, "eval"), namespace)
        for made_here in (original, explorer):
            assert "application/vnd.jupyter.widget-view+json" in made_here._repr_mimebundle_()
            if tooltips:  # an Explorer (00's is a slider and a label)
                assert made_here.alt == tooltips[0], f"{path.stem}: the live explorer differs from the saved one"
    import matplotlib.pyplot as plt

    plt.close("all")


def test_precompute_restores_only_what_an_explorer_reads_and_runs_a_shared_statement_everywhere():
    """A small page: a statement whose needed names are plain data becomes a restore, what fed only it goes; a
    statement that one explorer restores and another must run (it binds a class) is run by both."""
    def cell(source, explorer=None):
        outputs = [{"output_type": "display_data", "data": {live_code.WIDGET_VIEW: {"model_id": explorer}}}] if explorer else []
        return {"cell_type": "code", "metadata": {}, "outputs": outputs, "source": source}

    nb = {"cells": [
        cell("import numpy as np\nfrom types import SimpleNamespace"),
        cell("grid = np.linspace(0, 1, 5)\nslow, kind = {'best': float(grid[3])}, SimpleNamespace\nseen = []"),
        cell("SimpleNamespace(x=slow['best'])", "a"),
        cell("fast = dict(slow, best=2.0)\nseen.append(1)"),
        cell("kind(x=fast['best'], n=len(seen))", "b"),
    ]}
    page = live_code.page_program(nb)
    found, made = live_code.run_page(page)
    assert [m.x for m in made] == [0.75, 2.0] and made[1].n == 1
    done = live_code.precompute(page, found)
    assert done["explorers"] == [["0.0", "0.1", "1.0*", "1.1", "2.0"],
                                 ["0.0", "0.1", "1.0*", "1.1", "3.0*", "3.1*", "4.0"]], done["explorers"]
    assert done["restored"] == {"1.0*": ["grid"], "3.0*": ["fast"], "3.1*": ["seen"]}
    namespace, ran, shown = {"__name__": "__main__"}, set(), []
    for ids in done["explorers"]:
        for i in ids[:-1]:
            if i not in ran:
                exec(done["statements"][i], namespace)
                ran.add(i)
        shown.append(eval(done["statements"][ids[-1]], namespace))
    assert [m.x for m in shown] == [0.75, 2.0] and shown[1].n == 1
