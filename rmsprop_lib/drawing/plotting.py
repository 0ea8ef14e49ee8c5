"""Figures for the series: contours with paths, loss curves, step sizes, heat maps.

Every function draws on the axes it is given and returns the artists it
made; nothing here keeps state or touches ``pyplot``. Runs are passed as a
mapping from a label to a :class:`~rmsprop_lib.core.runner.Trajectory` of a single
run (``xs`` of shape ``(steps + 1, 2)``).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rmsprop_lib.core.problems import Problem
from rmsprop_lib.core.runner import Trajectory

__all__ = [
    "STYLES",
    "COLORS",
    "style_of",
    "color_of",
    "contours",
    "paths",
    "loss_curves",
    "mark_divergence",
    "warning_text",
    "effective_steps",
    "heatmap",
    "runs_figure",
    "runs_axes",
    "draw_runs",
    "use_series_style",
]

#: One colour, line style and marker per optimizer, the same in every notebook. The colours are
#: Okabe & Ito's palette (2008), told apart with every common kind of colour blindness; the line
#: styles and markers tell runs apart in grey print and where two colours are hard to name.
STYLES = {
    "GD": ("#0072B2", "-", "o"),  # blue
    "SGD": ("#0072B2", "-", "o"),
    "Momentum": ("#E69F00", "--", "s"),  # orange
    "Nesterov": ("#CC79A7", "-.", "^"),  # reddish purple
    "AdaGrad": ("#009E73", ":", "D"),  # bluish green
    "RMSProp": ("#D55E00", "-", "v"),  # vermillion
    "Adam": ("#56B4E9", "--", "P"),  # sky blue
    "AMSGrad": ("#56B4E9", ":", "X"),
    "AdamW": ("#56B4E9", "-.", "p"),
    "Rprop": ("#000000", ":", "x"),  # black
    "Lion": ("#000000", "--", "h"),
    "Adafactor": ("#009E73", "-.", "*"),
    "full-matrix RMSProp": ("#CC79A7", "-", "d"),  # reddish purple
}
#: The colour of each optimizer (from :data:`STYLES`).
COLORS = {name: style[0] for name, style in STYLES.items()}
_FALLBACK = [("#000000", "-", "o"), ("#707070", "--", "s"), ("#0072B2", ":", "^"), ("#E69F00", "-.", "D"),
             ("#009E73", "--", "v"), ("#D55E00", ":", "P")]

#: One (colour, line style) per parameter where a figure draws parameters, not optimizers: x, y, ...
PARAMETER_STYLES = [("#0072B2", "-"), ("#E69F00", "--"), ("#009E73", ":"), ("#000000", "-.")]

#: Losses are drawn as the gap f(x) - f_min on a log axis, floored here.
LOSS_FLOOR = 1e-16


def use_series_style() -> None:
    """Draw with matplotlib's own defaults, whatever a ``matplotlibrc`` says.

    The series' figures are laid out for matplotlib's default size, dpi
    (100), fonts and colours; a user's ``matplotlibrc`` (a bigger dpi, a dark
    style) would change how they look and the ``<Figure size WxH ...>`` text
    that nbval compares. Each notebook calls this once, after importing
    ``pyplot``. The backend (inline, widget) is left as it is.
    """
    matplotlib.rcdefaults()


def style_of(label: str, index: int = 0) -> tuple[str, str, str]:
    """``(colour, line style, marker)`` for a run: by optimizer name where the label starts with one
    (longest name first, so "AdamW ..." is not "Adam"), else the ``index``-th fallback."""
    for name in sorted(STYLES, key=len, reverse=True):
        if label.startswith(name):
            return STYLES[name]
    return _FALLBACK[index % len(_FALLBACK)]


def color_of(label: str, index: int = 0) -> str:
    """The colour for a run: by optimizer name where the label starts with one."""
    return style_of(label, index)[0]


def _width(i: int, n: int, thinnest: float) -> float:
    """Line width of run ``i`` of ``n``: the first drawn is the widest, so a later run exactly on top of it
    leaves it visible as a border (the legend says so)."""
    return thinnest + 1.6 * (n - 1 - i) / max(n - 1, 1)


def _legend(ax: Axes, n: int, **options) -> None:
    if n > 1:
        ax.legend(title="later runs drawn thinner, on top", title_fontsize=7, fontsize=8, **options)


def contour_grid(problem: Problem, resolution: int = 160) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``X, Y, Z`` over the problem's window, for ``ax.contour``."""
    (x0, x1), (y0, y1) = problem.window
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return X, Y, problem.f(np.stack([X, Y], axis=-1))


def contours(ax: Axes, problem: Problem, levels: int = 25, resolution: int = 160):
    """Contour lines of ``problem.f`` over its window, with its minima as stars.

    Log-spaced levels for problems with steep walls (``problem.log_levels``),
    evenly spaced otherwise. Returns the contour set.
    """
    X, Y, Z = contour_grid(problem, resolution)
    if problem.log_levels:
        low = max(float(Z.min()), 1e-3)
        values = np.geomspace(low, float(Z.max()), levels)
        norm = mcolors.LogNorm(values[0], values[-1])
    else:
        values = np.linspace(float(Z.min()), float(Z.max()), levels)
        norm = None
    contour_set = ax.contour(X, Y, Z, values, cmap="viridis", norm=norm, linewidths=0.7, alpha=0.8)
    if len(problem.minima):
        ax.plot(*problem.minima.T, "*", color="gold", markeredgecolor="black", markersize=13, zorder=5)
    (x0, x1), (y0, y1) = problem.window
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel=problem.axis_labels[0], ylabel=problem.axis_labels[1], aspect="equal")
    ax.set_title(f"${problem.formula}$", fontsize=10)
    return contour_set


def paths(ax: Axes, runs: Mapping[str, Trajectory]) -> dict:
    """Each run's path: a line in its optimizer's colour and style, its marker at the iterates (at about 40 of
    them for a long run); the start as a ring.

    Runs drawn later are thinner, so a path hidden under another still shows as a border.
    """
    lines = {}
    for i, (label, run) in enumerate(runs.items()):
        color, linestyle, marker = style_of(label, i)
        xs = run.xs
        # Long runs get a marker at about 40 iterates only: a marker at each would hide the runs below.
        (line,) = ax.plot(xs[:, 0], xs[:, 1], linestyle=linestyle, marker=marker, color=color,
                          lw=_width(i, len(runs), 1.2), ms=3.5 - 1.5 * i / max(len(runs) - 1, 1),
                          markevery=max(1, len(xs) // 40), label=label, zorder=4 + i / 10)
        lines[label] = line
    first = next(iter(runs.values()), None)
    if first is not None:
        ax.plot(*first.xs[0], "o", mfc="none", mec="black", ms=9, zorder=6)
    _legend(ax, len(runs), loc="lower right", framealpha=0.9)
    return lines


def loss_curves(ax: Axes, runs: Mapping[str, Trajectory], min_value: float = 0.0) -> dict:
    """Loss per step: the gap ``f - min_value`` on a log axis.

    A diverged run's curve stops at its last good step, marked with a cross.

    Where ``min_value`` is ``-inf`` (a function unbounded below, such as the
    saddle) the loss itself is drawn on a linear axis.
    """
    lines = {}
    log = np.isfinite(min_value)
    for i, (label, run) in enumerate(runs.items()):
        y = np.maximum(run.losses - min_value, LOSS_FLOOR) if log else run.losses.copy()
        k = int(run.diverged_at)
        if k >= 0:  # stop the curve where the run diverged, and mark the spot
            y[k:] = np.nan
            ax.plot(k - 1, y[k - 1], "x", color=color_of(label, i), ms=10, mew=2)
        color, linestyle, _ = style_of(label, i)
        (line,) = ax.plot(np.arange(len(y)), y, color=color, linestyle=linestyle, lw=_width(i, len(runs), 1.4),
                          label=label, zorder=2 + i / 10)
        lines[label] = line
    if log:
        ax.set_yscale("log")
        ax.set_ylabel(r"$f(x_k) - f^\star$")
    else:
        ax.set_ylabel(r"$f(x_k)$")
    ax.set_xlabel("step $k$")
    ax.grid(True, which="major", alpha=0.3)
    return lines


def mark_divergence(ax: Axes, runs: Mapping[str, Trajectory]):
    """Write "<label> diverged at step k" on the axes for each run that diverged."""
    messages = [f"{label} diverged at step {int(run.diverged_at)}" for label, run in runs.items() if run.diverged_at >= 0]
    return warning_text(ax, "\n".join(messages)) if messages else None


def warning_text(ax: Axes, message: str):
    """``message`` in a red box in the middle of the axes, above everything else."""
    return ax.text(
        0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=11,
        color="#b00000", bbox=dict(boxstyle="round", facecolor="white", edgecolor="#b00000", alpha=0.9), zorder=10,
    )


def effective_steps(ax: Axes, steps: np.ndarray, labels: Sequence[str] = ("$x$", "$y$"), title: str | None = None):
    """Per-parameter effective learning rate over time, e.g. ``lr / (sqrt(s_k) + eps)``.

    ``steps`` has shape ``(n_steps, n_parameters)``; drawn on a log axis, one colour and line style per
    parameter (:data:`PARAMETER_STYLES`), so the lines differ without colour too.
    """
    lines = ax.semilogy(np.arange(1, len(steps) + 1), steps, lw=1.6)
    for line, label, (color, dash) in zip(lines, labels, PARAMETER_STYLES * len(lines)):
        line.set(label=label, color=color, linestyle=dash)
    ax.set(xlabel="step $k$", ylabel="effective step size")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return lines


def heatmap(
    ax: Axes,
    values: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    xlabel: str,
    ylabel: str,
    log_x: bool = True,
    log_color: bool = True,
    colorbar_label: str = "final loss",
):
    """``values[i, j]`` at ``(x[j], y[i])`` as a colour map; NaN cells (diverged) in grey.

    Returns the image; a colour bar is added beside ``ax``.
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    norm = None
    if log_color and finite.size:
        positive = finite[finite > 0]
        low = positive.min() if positive.size else LOSS_FLOOR
        norm = mcolors.LogNorm(max(low, LOSS_FLOOR), max(finite.max(), low * 10))
        values = np.where(values <= 0, max(low, LOSS_FLOOR), values)  # NaN (diverged) stays NaN
    cmap = matplotlib.colormaps["magma_r"].with_extremes(bad="#bbbbbb")
    image = ax.pcolormesh(x, y, np.ma.masked_invalid(values), cmap=cmap, norm=norm, shading="nearest")
    if log_x:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.figure.colorbar(image, ax=ax, label=colorbar_label)
    return image


def runs_figure(problem: Problem, runs: Mapping[str, Trajectory], title: str | None = None, figure: Figure | None = None):
    """The explorer's view: paths over contours (left) and loss per step (right).

    Draws on ``figure`` (a new 10 x 4 in figure when None) and returns it;
    diverged runs are named on both panels. It is :func:`runs_axes` (what
    stays while a slider moves) followed by :func:`draw_runs` (the runs),
    with the loss axis fitted to these runs (``fit_loss_axis=True``).
    """
    figure = figure or Figure(figsize=(10, 4))
    figure.clear()
    draw_runs(*runs_axes(figure, problem, title), problem, runs, fit_loss_axis=True)
    return figure


def runs_axes(figure: Figure, problem: Problem, title: str | None = None) -> tuple[Axes, Axes]:
    """The two panels of :func:`runs_figure`, with the problem's contours on the left.

    The margins are fixed (in inches) rather than found by a layout engine:
    laying out would measure every label on every redraw, and with fixed
    panels a slider can redraw just the runs.
    """
    width, height = figure.get_size_inches()
    top = 0.4 + (0.3 if title else 0.0)
    ax_path, ax_loss = figure.subplots(
        1, 2, width_ratios=[1.1, 1],
        gridspec_kw=dict(left=0.75 / width, right=1 - 0.2 / width, bottom=0.55 / height, top=1 - top / height, wspace=0.3),
    )
    contours(ax_path, problem)
    if title:
        figure.suptitle(title, fontsize=11)
    return ax_path, ax_loss


def draw_runs(ax_path: Axes, ax_loss: Axes, problem: Problem, runs: Mapping[str, Trajectory],
              fit_loss_axis: bool = False) -> None:
    """The runs of :func:`runs_figure`: paths, loss curves, legends, divergence.

    On a log axis the loss limits are whole decades. By default (an
    explorer) they depend only on the problem and where the runs start: from
    the floor ``LOSS_FLOOR`` to a decade above the starting gap, so the axes
    stay put while a slider moves the curves, and curves can be compared from
    one setting to the next; the step axis ends at a round count at or above
    the number of steps (see the code). With ``fit_loss_axis`` (a static figure) they
    span these runs' gaps instead, from a decade below the smallest to a
    decade above the largest, so neither a curve that never gets low nor a
    spike above the start is squashed or cut off.
    """
    paths(ax_path, runs)
    loss_curves(ax_loss, runs, problem.min_value)
    if not fit_loss_axis and runs:
        # The step axis ends at a round count (a multiple of 5, 50, 500, ... at or above the steps: the
        # explorers' defaults are such counts), so most moves of a steps slider leave the axes alone.
        steps = max(len(run.losses) for run in runs.values()) - 1
        if steps >= 10:
            unit = 5 * 10 ** (len(str(steps)) - 2)
            end = -(-steps // unit) * unit
            ax_loss.set_xlim(-0.05 * end, 1.05 * end)  # the margins autoscaling gives a run of `end` steps
    if ax_loss.get_yscale() == "log" and runs:
        gaps = [float(problem.f(run.xs[0])) - problem.min_value for run in runs.values()]
        low = LOSS_FLOOR
        if fit_loss_axis:
            finite = np.concatenate([run.losses[np.isfinite(run.losses)] for run in runs.values()]) - problem.min_value
            gaps = [*gaps, float(finite.max(initial=0.0))]
            low = max(float(finite.min()) if finite.size else LOSS_FLOOR, LOSS_FLOOR)
        high = max(max(gaps), LOSS_FLOOR)
        ax_loss.set_ylim(10.0 ** (np.floor(np.log10(low)) - (0 if low == LOSS_FLOOR else 1)) / (2 if low == LOSS_FLOOR else 1),
                         10.0 ** (np.ceil(np.log10(high)) + 1))
    _legend(ax_loss, len(runs))
    mark_divergence(ax_loss, runs)
