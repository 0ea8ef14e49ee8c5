"""The plotting functions draw what they are given, on the axes they are given."""

import numpy as np
from matplotlib.figure import Figure

from rmsprop_lib import SGD, RMSProp, minimize, problems
from rmsprop_lib.drawing import plotting


def axes():
    return Figure().subplots()


def test_paths_draw_each_run_through_its_iterates():
    runs = {"GD": minimize(problems.bowl, SGD(0.1), [5.0, 4.0], 10), "RMSProp": minimize(problems.bowl, RMSProp(0.1), [5.0, 4.0], 10)}
    ax = axes()
    lines = plotting.paths(ax, runs)
    for label, run in runs.items():
        np.testing.assert_array_equal(lines[label].get_xydata(), run.xs)
        assert lines[label].get_color() == plotting.COLORS[label]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GD", "RMSProp"]


def test_loss_curves_draw_the_gap_to_the_minimum_on_a_log_axis():
    run = minimize(problems.rosenbrock, RMSProp(0.01), problems.rosenbrock.start, 20)
    ax = axes()
    line = plotting.loss_curves(ax, {"RMSProp": run}, problems.rosenbrock.min_value)["RMSProp"]
    assert ax.get_yscale() == "log"
    np.testing.assert_allclose(line.get_ydata(), run.losses - 0.0)


def test_loss_curve_of_a_diverged_run_stops_and_is_named():
    run = minimize(problems.bowl, SGD(1.5), [5.0, 4.0], 40)
    ax = axes()
    line = plotting.loss_curves(ax, {"GD": run}, 0.0)["GD"]
    y = line.get_ydata()
    assert np.all(np.isfinite(y[: run.diverged_at])) and np.all(np.isnan(y[run.diverged_at :]))
    text = plotting.mark_divergence(ax, {"GD": run})
    assert text.get_text() == "GD diverged at step 18"


def test_no_divergence_no_text():
    assert plotting.mark_divergence(axes(), {"GD": minimize(problems.bowl, SGD(0.1), [5.0, 4.0], 5)}) is None


def test_unbounded_problem_uses_a_linear_loss_axis():
    ax = axes()
    plotting.loss_curves(ax, {"GD": minimize(problems.saddle, SGD(0.1), problems.saddle.start, 5)}, problems.saddle.min_value)
    assert ax.get_yscale() == "linear"


def test_contours_cover_the_window_and_mark_the_minima():
    for problem in problems.ALL.values():
        ax = axes()
        plotting.contours(ax, problem)
        assert ax.get_xlim() == problem.window[0] and ax.get_ylim() == problem.window[1]
        stars = [line for line in ax.lines if line.get_marker() == "*"]
        assert len(stars) == (1 if len(problem.minima) else 0)
        if stars:
            np.testing.assert_array_equal(stars[0].get_xydata(), problem.minima)


def test_heatmap_masks_nan_cells():
    ax = axes()
    values = np.array([[1.0, np.nan], [1e-3, 10.0]])
    image = plotting.heatmap(ax, values, x=np.array([0.1, 1.0]), y=np.array([0.5, 0.9]), xlabel="lr", ylabel="rho")
    data = image.get_array()
    assert np.ma.is_masked(data) and data.mask.sum() == 1


def test_effective_steps_draws_one_line_per_parameter():
    lines = plotting.effective_steps(axes(), np.ones((10, 2)) * [0.1, 0.01])
    assert [line.get_label() for line in lines] == ["$x$", "$y$"]


def test_runs_figure_has_two_panels_and_names_divergence():
    runs = {"GD": minimize(problems.bowl, SGD(1.5), [5.0, 4.0], 40)}
    fig = plotting.runs_figure(problems.bowl, runs)
    assert len(fig.axes) == 2
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "GD diverged at step 18" in texts


def test_contours_label_the_axes_with_the_problems_names_for_its_coordinates():
    ax = axes()
    plotting.contours(ax, problems.bowl)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "$y$")
    named = problems.quadratic(1.0, 2.0, axis_labels=("slope $w$", "intercept $b$"))
    ax = axes()
    plotting.contours(ax, named)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("slope $w$", "intercept $b$")


def test_a_static_figure_fits_its_loss_axis_to_the_runs():
    """Curves that never go below 1e-3 are not squashed into the top of a 1e-16..1e3 axis, and a spike above
    the start stays inside the axis; an explorer's view keeps limits that depend on the start only."""
    problem = problems.rosenbrock
    slow = minimize(problem, SGD(lr=1e-4), problem.start, 50)
    spiky = minimize(problem, RMSProp(lr=0.01), (0.9, 0.8), 30)
    assert spiky.losses.max() > 10 * spiky.losses[0]  # the run this test needs: it jumps far above its start
    ax = plotting.runs_figure(problem, {"GD slow": slow, "RMSProp spiky": spiky}).axes[1]
    low, high = ax.get_ylim()
    lowest = min(slow.losses.min(), spiky.losses.min()) - problem.min_value
    assert lowest / 10 >= low > lowest / 100 and high >= 10 * max(slow.losses.max(), spiky.losses.max())

    figure = Figure()
    plotting.draw_runs(*plotting.runs_axes(figure, problem), problem, {"GD slow": slow})
    assert figure.axes[1].get_ylim()[0] < 1e-15


def test_runs_keep_their_optimizer_style_and_a_run_on_top_is_thinner():
    problem = problems.bowl
    same = {name: minimize(problem, SGD(lr=0.1), problem.start, 5) for name in ("GD", "Momentum", "RMSProp")}
    ax = plotting.runs_figure(problem, same).axes[0]
    lines = [line for line in ax.get_lines() if line.get_label() in same]
    assert [line.get_color() for line in lines] == [plotting.COLORS[name] for name in same]
    widths = [line.get_linewidth() for line in lines]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines}) == 3
    assert plotting.style_of("AdamW, wd 0.1") == plotting.STYLES["AdamW"]  # the longest matching name wins


def test_effective_steps_tells_its_parameters_apart_without_colour():
    ax = Figure().subplots()
    lines = plotting.effective_steps(ax, np.ones((5, 3)), labels=("x", "y", "z"))
    assert len({line.get_linestyle() for line in lines}) == 3
    assert [line.get_label() for line in lines] == ["x", "y", "z"]
