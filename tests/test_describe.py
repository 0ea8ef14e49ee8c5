"""Text alternatives of figures (rmsprop_lib.drawing.describe): what they say and how they are shown."""

import html
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from rmsprop_lib import SGD, RMSProp, minimize, problems
from rmsprop_lib.drawing import describe, plotting


def two_runs(lr=0.1, steps=50):
    bowl = problems.bowl
    return bowl, {"GD": minimize(bowl, SGD(lr=lr), bowl.start, steps), "RMSProp": minimize(bowl, RMSProp(lr=lr), bowl.start, steps)}


@pytest.mark.parametrize("tex, text", [
    (r"$f(x_k) - f^\star$", "f(xₖ) - f*"),
    (r"steps until $f < 10^{-8}$", "steps until f < 10⁻⁸"),
    (r"$\eta/(\sqrt{s_k}+\epsilon)$", "η/(√sₖ+ε)"),
    (r"$\frac{\mathrm{tr}\,\Sigma}{m}$", "(tr Σ)/(m)"),
    (r"$|u_k| = \eta/\sqrt{1-\rho^k}$", "|uₖ| = η/√(1-ρᵏ)"),  # a root over several terms keeps its extent
    (r"$\sqrt{1+x^2} + \sqrt{1+y^2}$", "√(1+x²) + √(1+y²)"),
    (r"$\mathbb{E}[u]\,\mathrm{sign}(\mu) / \eta$", "E[u] sign(μ) / η"),
    (r"$\sqrt{m}$, $\rho^{k}$, $e^{kx}$", "√m, ρᵏ, e^kx"),  # other powers keep their caret
    ("no math: x_k stays", "no math: x_k stays"),
])
def test_plain_reads_math_text_aloud(tex, text):
    assert describe.plain(tex) == text


def test_a_runs_figure_is_described_by_its_title_panels_runs_and_what_to_see():
    problem, runs = two_runs()
    figure = plotting.runs_figure(problem, runs, title="two runs, lr = 0.1")
    text = describe.describe(figure, describe.runs_summary(problem, runs))
    assert text.startswith("two runs, lr = 0.1. Panel 1 of 2: “x² + y²”, x axis x, y axis y, contour lines")
    assert "Panel 2 of 2: x axis step k, y axis f(xₖ) - f* (log scale), showing GD; RMSProp." in text
    assert text.endswith("What to see: GD ends with f − f* about 1e-8; RMSProp ends with f − f* about 1e-1.")


def test_runs_summary_names_divergence_and_rounds_to_a_decade():
    problem, runs = two_runs(lr=1.5, steps=30)
    assert describe.runs_summary(problem, runs).startswith("GD diverged at step ")
    problem, runs = two_runs(lr=0.5, steps=200)
    assert "GD ends with f − f* below 1e-16" in describe.runs_summary(problem, runs)


def test_colour_bars_and_twin_axes_belong_to_their_panel():
    figure = Figure()
    ax, other = figure.subplots(1, 2)
    plotting.heatmap(ax, np.ones((3, 4)), np.arange(1, 5), np.arange(3), "lr", "rho", colorbar_label="final loss")
    twin = other.twinx()
    twin.set_ylabel("gradient")
    text = describe.describe(figure)
    assert "Panel 1 of 2" in text and "Panel 3" not in text
    assert "a colour map, colour scale: final loss" in text and "right-hand y axis gradient" in text


def test_an_axis_with_no_label_takes_its_shared_neighbours_label_else_its_scale_or_nothing():
    figure = Figure()
    top, bottom = figure.subplots(2, 1, sharex=True)
    top.plot([1, 2], [1, 10], label="run")
    top.set_yscale("log")
    top.legend()
    bottom.plot([1, 2], [3, 4])
    bottom.set(xlabel="step", ylabel="loss")
    twin = bottom.twinx()  # no label, linear, shared with nothing labelled: not named
    text = describe.describe(figure)
    # the top panel's x axis is unlabelled but shared with the bottom one's: it is the step too
    assert "Panel 1 of 2: x axis step, y axis on a log scale, showing run." in text
    assert "Panel 2 of 2: x axis step, y axis loss." in text and "x axis," not in text and "right-hand" not in text
    twin.set_yscale("log")
    assert "Panel 2 of 2: x axis step, y axis loss, right-hand y axis on a log scale." in describe.describe(figure)
    lone = Figure().subplots()
    lone.plot([1, 2], [3, 4])  # no label and nothing shared: neither axis is named
    assert "axis" not in describe.describe(lone.figure)


def test_show_displays_an_img_with_the_text_as_alt_and_as_plain_text():
    problem, runs = two_runs()
    shown = describe.Described(plotting.runs_figure(problem, runs), 'a "quoted" <text>')
    bundle = shown._repr_mimebundle_()
    assert bundle["text/plain"] == 'a "quoted" <text>'
    found = re.match(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]*)"', bundle["text/html"])
    assert found and html.unescape(found[1]) == 'a "quoted" <text>'


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(TypeError, match="matplotlib Figure"):
        describe.describe("figure.png")
    with pytest.raises(ValueError, match="non-empty"):
        describe.Described(Figure(), " ")
