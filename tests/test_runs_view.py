"""The Explorer's fast redraw (RunsView) shows exactly what a full redraw shows."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rmsprop_lib import SGD, Adam, RMSProp, minimize, problems
from rmsprop_lib.drawing import training_plots
from rmsprop_lib.experiments.digits import load_digits, train_test_split
from rmsprop_lib.experiments.network import MLP
from rmsprop_lib.experiments.training import Stacked, train
from rmsprop_lib.drawing.widgets import Explorer, RunsView, lr_slider


def runs_for(problem, lr, steps=60):
    return {
        "GD": minimize(problem, SGD(lr / 10), problem.start, steps),
        "RMSProp": minimize(problem, RMSProp(lr), problem.start, steps),
        "Adam": minimize(problem, Adam(lr), problem.start, steps),
    }


def pixels(figure, blank_legends=True):
    """The canvas, with the legends blanked: runs no longer show through their frames."""
    image = np.asarray(figure.canvas.buffer_rgba()).copy()
    height = image.shape[0]
    for ax in figure.axes:
        if ax.get_legend() and blank_legends:
            x0, y0, x1, y1 = ax.get_legend().get_window_extent().extents
            image[int(height - y1) - 3 : int(height - y0) + 4, int(x0) - 3 : int(x1) + 4] = 0
    return image


@pytest.mark.parametrize("name", ["rosenbrock", "saddle"])
def test_blitted_picture_equals_a_full_redraw_outside_the_legends(name):
    problem = problems.ALL[name]
    figure = Figure(figsize=(8, 3), dpi=50)
    FigureCanvasAgg(figure)
    view = RunsView(figure)
    backgrounds = set()
    for lr in (0.01, 0.0101, 0.0102, 0.3, 0.0103):  # 0.3 diverges for GD on the rosenbrock
        view.draw(problem, runs_for(problem, lr))
        backgrounds.add(id(view.background))
        fast = pixels(figure)
        figure.canvas.draw()
        np.testing.assert_array_equal(fast, pixels(figure))
    if name == "rosenbrock":
        assert len(backgrounds) < 5  # some redraws reused the background


def test_other_panels_blit_to_a_full_redraw_too():
    """Notebook 07's view: training loss and accuracy panels, legend outside, over several learning rates."""
    x, y = load_digits()
    data = train_test_split(x[:300], y[:300], test_size=100, seed=0)
    model = MLP((64, 16, 10))

    def runs(lr):
        both = Stacked([SGD(lr), Adam(lr / 30)])
        return train(model, both, data.x_train, data.y_train, 2, 25, seeds=[0, 0], x_test=data.x_test, y_test=data.y_test).groups(["SGD", "Adam"])

    figure = Figure(figsize=(8, 3), dpi=50)
    FigureCanvasAgg(figure)
    view = RunsView(figure, training_plots.training_axes, training_plots.draw_training)
    backgrounds = set()
    for lr in (0.1, 0.11, 0.12, 1e4, 0.13):  # 1e4: both blow up, the loss axis grows
        view.draw("two epochs", runs(lr))
        backgrounds.add(id(view.background))
        fast = pixels(figure, blank_legends=False)  # nothing runs under this legend: it must match too
        figure.canvas.draw()
        np.testing.assert_array_equal(fast, pixels(figure, blank_legends=False))
    assert len(backgrounds) < 5  # some redraws reused the background
    assert len(figure.axes) == 2 and figure.axes[1].get_legend() is not None


def test_the_figure_holds_only_the_current_runs():
    figure = Figure()
    FigureCanvasAgg(figure)
    view = RunsView(figure)
    view.draw(problems.rosenbrock, runs_for(problems.rosenbrock, 0.3))
    ax_path, ax_loss = figure.axes
    assert [text.get_text() for text in ax_loss.texts] == ["GD diverged at step 3"]
    view.draw(problems.rosenbrock, runs_for(problems.rosenbrock, 0.01))
    assert [line.get_label() for line in ax_loss.lines] == ["GD", "RMSProp", "Adam"]
    assert len(ax_loss.texts) == 0  # the divergence message of the first draw is gone
    view.draw(problems.bowl, runs_for(problems.bowl, 0.1))  # another problem: new panels
    assert len(figure.axes) == 2 and figure.axes[0] is not ax_path


def test_an_explorer_recovers_after_an_error_in_the_middle_of_a_redraw():
    def compute(lr):
        runs = runs_for(problems.rosenbrock, lr)
        if lr > 1:
            runs["GD"] = "not a trajectory"
        return problems.rosenbrock, runs

    ex = Explorer({"lr": lr_slider(0.01, 1e-3, 10.0)}, compute)
    ex.controls["lr"].value = 5.0
    assert ex.error is not None
    ex.controls["lr"].value = 0.02
    assert ex.error is None
    assert [line.get_label() for line in ex.figure.axes[1].lines] == ["GD", "RMSProp", "Adam"]
