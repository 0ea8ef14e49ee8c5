"""Explorers driven from Python: set a slider, check what was computed and drawn."""

import numpy as np

from rmsprop_lib import SGD, RMSProp, minimize, problems
from rmsprop_lib.drawing.widgets import Explorer, int_slider, lr_slider, problem_dropdown, slider


def gd_explorer():
    def compute(problem, lr, steps):
        chosen = problems.ALL[problem]
        return chosen, {"GD": minimize(chosen, SGD(lr), chosen.start, steps)}

    controls = {"problem": problem_dropdown(["bowl", "ill_conditioned"]), "lr": lr_slider(0.1, 1e-3, 2.0), "steps": int_slider(20, 1, 100)}
    return Explorer(controls, compute)


def path_line(explorer):
    ax = explorer.figure.axes[0]
    return next(line for line in ax.lines if line.get_label() == "GD")


def test_explorer_draws_on_creation():
    ex = gd_explorer()
    assert ex.updates >= 1 and ex.error is None
    assert ex.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_array_equal(path_line(ex).get_xydata(), ex.runs["GD"].xs)


def test_moving_a_slider_recomputes_and_redraws():
    ex = gd_explorer()
    before = ex.image.value
    ex.controls["lr"].value = 0.3
    assert ex.values["lr"] == 0.3
    expected = minimize(problems.bowl, SGD(0.3), problems.bowl.start, 20)
    np.testing.assert_array_equal(ex.runs["GD"].xs, expected.xs)
    np.testing.assert_array_equal(path_line(ex).get_xydata(), expected.xs)
    assert ex.image.value != before


def test_steps_and_problem_controls_reach_the_computation():
    ex = gd_explorer()
    ex.controls["steps"].value = 7
    assert ex.runs["GD"].xs.shape == (8, 2)
    ex.controls["problem"].value = "ill_conditioned"
    assert ex.problem is problems.ill_conditioned
    np.testing.assert_array_equal(ex.runs["GD"].xs[0], problems.ill_conditioned.start)


def test_divergence_is_written_on_the_figure():
    ex = gd_explorer()
    ex.controls["lr"].value = 2.0
    assert ex.runs["GD"].diverged
    texts = [t.get_text() for ax in ex.figure.axes for t in ax.texts]
    assert any(text.startswith("GD diverged at step") for text in texts)
    assert ex.error is None


def test_errors_in_the_callback_are_shown_not_swallowed():
    def compute(lr):
        if lr > 1:
            raise RuntimeError("boom: lr too large for this demo")
        return problems.bowl, {"RMSProp": minimize(problems.bowl, RMSProp(lr), [5.0, 4.0], 5)}

    ex = Explorer({"lr": lr_slider(0.1, 1e-3, 10.0)}, compute)
    assert ex.error is None
    ex.controls["lr"].value = 5.0
    assert isinstance(ex.error, RuntimeError)
    shown = "".join(output.get("text", "") for output in ex.errors.outputs)
    assert "boom: lr too large" in shown and "Traceback" in shown
    ex.controls["lr"].value = 0.2  # recovering clears the message
    assert ex.error is None and ex.errors.outputs == ()


def test_bad_settings_raise_a_clear_message_in_the_explorer():
    def compute(rho):
        return problems.bowl, {"RMSProp": minimize(problems.bowl, RMSProp(0.1, rho=rho), [5.0, 4.0], 5)}

    ex = Explorer({"rho": slider(0.9, 0.0, 1.0, 0.01, "rho")}, compute)
    ex.controls["rho"].value = 1.0
    assert isinstance(ex.error, ValueError) and "rho must be in [0, 1)" in str(ex.error)


def test_lr_slider_is_logarithmic_within_its_range():
    s = lr_slider(0.1, 1e-4, 10.0)
    assert (s.min, s.max, s.base) == (-4.0, 1.0, 10.0)
    assert s.value == 0.1


def test_tiny_ranges_read_in_scientific_notation():
    assert lr_slider(1e-6, 1e-10, 10.0, description="eps").readout_format == ".2e"
    assert lr_slider(0.1, 1e-4, 10.0).readout_format == ".3g"
