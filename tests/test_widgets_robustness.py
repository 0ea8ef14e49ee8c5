"""Explorers at their extremes, in a kernel, without a browser.

Every explorer of every numbered notebook: the statements it needs (as a site
page's live explorer runs them, ``tools/live_code.py``) run in a kernel, then
``explorer_corners.check_all()`` pushes each explorer's sliders to every
combination of their extreme values (and its dropdowns and checkboxes through
their values) and reports any error, missing image, broken axis, warning, or
diverged run the figure does not name. The same checks are first shown to work
on small explorers built here, some of them broken on purpose.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import ipywidgets as widgets
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import explorer_corners
from rmsprop_lib import SGD, RMSProp, minimize, problems
from rmsprop_lib.drawing.widgets import Explorer, int_slider, lr_slider, problem_dropdown, slider

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))
import live_code  # noqa: E402
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _makes_explorer(cell) -> bool:
    return cell.cell_type == "code" and "Explorer(" in cell.source


WITH_EXPLORERS = [p.name for p in NOTEBOOKS if any(_makes_explorer(c) for c in nbformat.read(p, as_version=4).cells)]


# --------------------------------------------------------------------------- the checks, on explorers built here


def gd(problem="bowl", lr=0.1, steps=20):
    chosen = problems.ALL[problem]
    return chosen, {"GD": minimize(chosen, SGD(lr=lr), chosen.start, steps)}


def gd_controls():
    return {"problem": problem_dropdown(["bowl", "rosenbrock"]), "lr": lr_slider(0.1, 1e-3, 10.0), "steps": int_slider(20, 1, 50)}


def test_a_sound_explorer_passes_and_every_corner_is_visited():
    ex = Explorer(gd_controls(), gd)
    visited = explorer_corners.corner_values(ex)
    corners = {(v["problem"], round(v["lr"], 9), v["steps"]) for v in visited}
    assert corners == {(p, lr, s) for p in (0, 1) for lr in (0.001, 10.0) for s in (1, 50)}
    report = explorer_corners.check(ex)
    assert report["problems"] == []
    assert report["states"] >= 8
    assert ex.values == {"problem": "bowl", "lr": 0.1, "steps": 20}  # left at its defaults


def test_corners_are_visited_one_slider_change_at_a_time():
    ex = Explorer({"lr": lr_slider(0.1, 1e-3, 1.0), "rho": slider(0.9, 0.0, 0.99, 0.01, "rho"),
                   "steps": int_slider(10, 1, 30)},
                  lambda lr, rho, steps: gd("bowl", lr, steps))
    corners = [c for _, c in explorer_corners.combinations(ex)]
    assert len(corners) == len(set(corners)) == 8
    assert all(sum(a != b for a, b in zip(c1, c2)) == 1 for c1, c2 in zip(corners, corners[1:]))


def test_past_the_budget_each_other_choice_meets_both_extreme_corners_moving_each_slider_once():
    controls = {**gd_controls(), "rho": slider(0.9, 0.0, 0.99, 0.01, "rho"), "flag": widgets.Checkbox(value=False),
                "other": widgets.Checkbox(value=True)}
    ex = Explorer(controls, lambda problem, lr, steps, rho, flag, other: gd(problem, lr, steps))
    visits = explorer_corners.combinations(ex, budget=8)
    n = 3  # sliders: lr, steps, rho
    assert len(visits) == 2**n + 3 * 2  # every corner at the defaults; three other choices, two corners each
    others = visits[2**n:]
    for row in {tuple(sorted(r.items())) for r, _ in others}:
        assert {c for r, c in others if tuple(sorted(r.items())) == row} == {(False,) * n, (True,) * n}
    moves = [sum(a != b for a, b in zip(c1, c2)) for (_, c1), (_, c2) in zip(visits[2**n - 1:], visits[2**n:])]
    assert sum(moves) == 1 + 3 * n  # into each row's first corner: at most one slider; then each slider once


def test_a_figure_that_does_not_name_a_diverged_run_is_reported():
    def draw_without_warning(figure, problem, runs):
        ax = figure.subplots()
        for label, run in runs.items():
            ax.plot(np.nan_to_num(run.losses[:5]), label=label)

    ex = Explorer(gd_controls(), gd, draw_without_warning)
    problems_ = explorer_corners.check(ex)["problems"]
    assert any("run 'GD' diverged at step" in p and "the figure does not say so" in p for p in problems_)
    assert any(p.startswith("problem=bowl, lr=10") for p in problems_)  # where it happened


def test_a_slider_reaching_an_invalid_value_is_reported():
    def rmsprop(lr, rho):
        return problems.bowl, {"RMSProp": minimize(problems.bowl, RMSProp(lr, rho=rho), problems.bowl.start, 10)}

    ex = Explorer({"lr": lr_slider(0.1, 1e-3, 1.0), "rho": slider(0.9, 0.0, 1.0, 0.01, "rho")}, rmsprop)
    problems_ = explorer_corners.check(ex)["problems"]
    assert any("rho=1" in p and "ValueError: rho must be in [0, 1)" in p for p in problems_)


def test_warnings_and_off_grid_defaults_are_reported():
    def noisy(lr):
        np.exp(np.array([1000.0]))  # overflows: a RuntimeWarning a learner would see on stderr
        return gd("bowl", lr, 5)

    off_grid = widgets.FloatLogSlider(value=0.45, base=10, min=-3, max=0, step=0.05, description="lr")
    with pytest.warns(RuntimeWarning):  # the explorer's first drawing
        ex = Explorer({"lr": off_grid}, noisy)
    problems_ = explorer_corners.check(ex)["problems"]
    assert any("RuntimeWarning: overflow" in p for p in problems_)
    assert any("slider 'lr': value 0.45 is not on its step grid" in p and "0.4467" in p for p in problems_)


@pytest.mark.parametrize("value, low, high", [(0.45, 1e-4, 2.0), (0.003, 1e-4, 1.0), (0.1, 1e-4, 10.0), (1e-10, 1e-10, 10.0), (0.5, 1e-3, 100.0)])
def test_lr_slider_puts_its_default_on_the_grid_within_its_range(value, low, high):
    s = lr_slider(value, low, high)
    assert s.value == value and explorer_corners.off_grid("lr", s) is None
    assert low * (1 - 1e-9) <= s.base**s.min <= low * 10**s.step and high / 10**s.step <= s.base**s.max <= high * (1 + 1e-9)


def test_an_explorer_that_swallows_errors_is_reported():
    class Quiet(Explorer):
        def update(self):
            try:
                super().update()
            finally:
                self.error, self.errors.outputs = None, ()

    problems_ = explorer_corners.check(Quiet({"lr": lr_slider(0.1, 1e-3, 1.0)}, lambda lr: gd("bowl", lr)))["problems"]
    assert problems_ == ["an exception in compute is not shown under the figure"]


# --------------------------------------------------------------------------- every notebook's explorers, in a kernel


def _checking_notebook(path: Path) -> nbformat.NotebookNode:
    """The statements the notebook's explorers need, between recording and checking cells: what a site page's
    live explorers run (``tools/live_code.py``: each explorer's program in turn, each statement once), not the
    rest of the notebook, which nbval runs."""
    page = live_code.page_program(json.loads(path.read_text()))
    code = [page["statements"][i] for i in dict.fromkeys(i for ids in page["explorers"] for i in ids)]
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n"
                                  "import explorer_corners\nexplorer_corners.record_explorers()"),
        *(nbformat.v4.new_code_cell(source) for source in code),
        nbformat.v4.new_code_cell("import json\nprint(json.dumps(explorer_corners.check_all()))"),
    ]
    return nb


def _check_in_kernel(path: Path) -> list[dict]:
    nb = _checking_notebook(path)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    return json.loads(out)


@pytest.fixture(scope="module")
def kernel_spec(tmp_path_factory):
    """The kernel is this environment's Python, whatever kernels the user has installed."""
    spec = tmp_path_factory.mktemp("jupyter_path") / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python",
    }))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(spec.parents[1]))
        mp.setenv("MPLBACKEND", "Agg")
        yield


@pytest.mark.parametrize("name", WITH_EXPLORERS)
def test_every_explorer_survives_its_extremes(kernel_spec, name):
    reports = _check_in_kernel(ROOT / "notebooks" / name)
    assert reports, f"{name} makes an Explorer, but none was recorded"
    lines = []
    for i, report in enumerate(reports, 1):
        print(f"{name} explorer {i}: {report['states']} states, controls {report['controls']}")
        lines += [f"explorer {i}: {problem}" for problem in report["problems"]]
    assert not lines, f"{name}:\n" + "\n".join(lines)
