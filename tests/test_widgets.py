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


# along_sliders: every position of the moved slider in one batched run, looked up afterwards


def online_explorer_parts():
    from rmsprop_lib import AMSGrad, WarmupThenDecay
    from rmsprop_lib.experiments import online

    def decayed(optimizer):
        return WarmupThenDecay(optimizer, decay_steps=1, decay_power=0.5)

    def compute(rho, C, lr, steps):
        return (rho, C), {
            "RMSProp": online.run(decayed(RMSProp(lr=lr, rho=rho, eps=1e-8)), C, steps),
            "AMSGrad": online.run(decayed(AMSGrad(lr=lr, beta1=0.0, beta2=rho, bias_correction=False)), C, steps),
        }

    controls = {"rho": slider(0.3, 0.0, 0.99, 0.01, "rho"), "C": slider(3.0, 2.1, 10.0, 0.1, "C"),
                "lr": lr_slider(0.5, 0.01, 5.0), "steps": int_slider(60, 30, 200)}
    return compute, controls


def assert_same_result(got, want):
    (got_setting, got_runs), (want_setting, want_runs) = got, want
    assert tuple(map(float, got_setting)) == tuple(map(float, want_setting))
    assert list(got_runs) == list(want_runs)
    for label in want_runs:
        for ours, theirs in zip(got_runs[label], want_runs[label]):
            np.testing.assert_array_equal(ours, theirs)  # bit for bit: a batch computes each run as alone


def test_along_sliders_answers_as_compute_does_and_computes_once_per_line():
    from rmsprop_lib.drawing.widgets import along_sliders, positions

    compute, controls = online_explorer_parts()
    cached = along_sliders(compute, controls, steps="steps")
    values = {name: control.value for name, control in controls.items()}
    lr_grid = positions(controls["lr"])
    moves = [{}, {"rho": 0.31}, {"rho": 0.32}, {"rho": 0.3}, {"C": 3.1}, {"C": 3.2}, {"lr": lr_grid[lr_grid > 0.5][0]},
             {"steps": 50}, {"steps": 61}, {"steps": 200}, {"rho": 0.123456}]  # the last one is off the grid
    computed = []
    for move in moves:
        values |= move
        assert_same_result(cached(**values), compute(**values))
        computed.append(cached.computed)
    # rho: one line; C: one line; lr: one line; 50 steps: a prefix; 61 and 200 steps: lines of 1.5x; off-grid: alone
    assert computed == [1, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6]


def test_positions_are_the_values_a_browser_can_reach():
    from rmsprop_lib.drawing.widgets import positions

    np.testing.assert_allclose(positions(slider(0.3, 0.0, 0.99, 0.01, "rho"))[[0, 30, -1]], [0.0, 0.3, 0.99])
    grid = positions(lr_slider(0.5, 0.01, 5.0))
    assert np.isclose(grid, 0.5, rtol=1e-12).sum() == 1 and grid[0] >= 0.01 and grid[-1] <= 5.0
    np.testing.assert_array_equal(positions(int_slider(5, 1, 9)), np.arange(1, 10))


def test_panels_key_keeps_the_panels_and_draws_the_setting_with_the_runs():
    """An Explorer whose panels do not depend on the setting makes them once; the picture equals a full redraw."""
    calls = []

    def make_axes(figure, setting):
        calls.append(setting)
        ax = figure.subplots()
        ax.set(xlim=(0, 1), ylim=(0, 1))
        return (ax,)

    def draw_runs(ax, setting, runs):
        ax.plot([0, 1], [0, setting], label=f"ends at {setting:.2f}")
        ax.annotate(f"setting {setting:.2f}", (0.5, 1), xycoords="axes fraction", ha="center", va="bottom")
        ax.legend(loc="upper left")

    ex = Explorer({"a": slider(0.5, 0.0, 1.0, 0.1, "a")}, lambda a: (a, {"line": None}), make_axes=make_axes,
                  draw_runs=draw_runs, panels_key=lambda setting: None)
    ex.controls["a"].value = 0.8
    assert len(calls) == 1  # the panels were made once
    fast = np.asarray(ex.figure.canvas.buffer_rgba()).copy()
    ex.figure.canvas.draw()  # everything drawn at once
    # equal everywhere: the legend's label changed, so it was drawn over the run (as here), not pasted
    np.testing.assert_array_equal(fast, np.asarray(ex.figure.canvas.buffer_rgba()))
    assert ex.figure.axes[0].get_legend().get_texts()[0].get_text() == "ends at 0.80"


def test_the_explorer_image_says_what_it_shows_after_every_redraw():
    """Its alt text (the Image widget's tooltip, the <img>'s title) names the panels, how each run ends and the
    controls' values, and follows the sliders."""
    ex = gd_explorer()
    assert ex.image.tooltip == ex.alt
    assert "x axis step k" in ex.alt and "GD ends with f − f* about" in ex.alt
    assert ex.alt.endswith("Settings: problem = bowl, lr = 0.1, steps = 20.")
    ex.controls["lr"].value = 1.5
    assert "GD diverged at step" in ex.alt and "lr = 1.5," in ex.alt and ex.image.tooltip == ex.alt


def start_following_explorer(hold: bool):
    """05's race explorer in small: a new problem moves the start sliders to the problem's own start."""
    seen = []

    def compute(problem, x0, y0):
        seen.append((problem, x0, y0))
        chosen = problems.ALL[problem]
        return chosen, {"GD": minimize(chosen, SGD(0.1), [x0, y0], 5)}

    controls = {"problem": problem_dropdown(["bowl", "rosenbrock"]), "x0": slider(5.0, -6.0, 6.0, 0.5, "x0"),
                "y0": slider(4.0, -6.0, 6.0, 0.5, "y0")}
    made = {}

    def follow_problem(change):  # observes before the explorer exists, as in 05; finds it when called
        def move():
            controls["x0"].value, controls["y0"].value = problems.ALL[change.new].start
        if hold:
            with made["explorer"].hold():
                move()
        else:
            move()

    controls["problem"].observe(follow_problem, names="value")
    made["explorer"] = Explorer(controls, compute)
    return made["explorer"], controls, seen


def test_a_control_that_moves_others_redraws_once_per_new_setting_and_once_in_all_when_held():
    start = tuple(problems.ALL["rosenbrock"].start)
    for hold, redraws in ((False, 2), (True, 1)):
        ex, controls, seen = start_following_explorer(hold)
        before = ex.updates
        controls["problem"].value = "rosenbrock"
        # unheld: once with x0 moved, once with y0 too; the problem's own notification draws nothing new
        assert ex.updates - before == redraws, hold
        assert seen[-1] == ("rosenbrock", *start) and ex.values == {"problem": "rosenbrock", "x0": start[0], "y0": start[1]}
        assert len(set(seen)) == len(seen), f"the same setting computed twice: {seen}"
    with ex.hold():  # nothing changed inside: nothing redrawn
        pass
    assert ex.updates - before == 1
