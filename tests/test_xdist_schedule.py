"""tests/xdist_schedule.py: which tests spread over `make test`'s workers, and in which order they start."""

import importlib
from pathlib import Path

import xdist_schedule as schedule

ROOT = Path(__file__).resolve().parents[1]


def test_every_named_test_and_module_exists():
    for name in schedule.SPREAD:
        module, function = name.split("::")
        assert callable(getattr(importlib.import_module(Path(module).stem), function, None)), name
    assert all((ROOT / module).is_file() for module in schedule.EARLY)


def test_spread_cases_are_their_own_unit_and_everything_else_goes_by_file():
    case = "tests/test_widgets_robustness.py::test_every_explorer_survives_its_extremes[05_rmsprop.ipynb]"
    assert schedule.scope(case) == case
    assert schedule.scope("tests/test_widgets_robustness.py::test_lr_slider_puts_its_default_on_the_grid_within_its_range[0.45-0.0001-2.0]") == "tests/test_widgets_robustness.py"
    assert schedule.scope("notebooks/05_rmsprop.ipynb::Cell 12") == "notebooks/05_rmsprop.ipynb"


def test_spread_tests_start_first_then_the_early_modules_then_the_rest():
    order = ["notebooks/01_gradient_descent.ipynb::Cell 0", "tests/test_site.py::test_x",
             "tests/test_exercises.py::test_student_notebooks_run_top_to_bottom[01_gradient_descent.ipynb]",
             "tests/test_widgets_robustness.py::test_every_explorer_survives_its_extremes[08_beyond_rmsprop.ipynb]"]
    assert sorted(order, key=schedule.rank) == order[::-1]


def test_the_make_target_uses_this_schedule():
    make_test = next(line for line in (ROOT / "Makefile").read_text().splitlines() if "-m pytest -n $(JOBS)" in line)
    assert "--dist loadscope --no-loadscope-reorder" in make_test
