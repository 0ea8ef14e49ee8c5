"""Figures for the series: contours with paths, loss curves, step sizes, heat maps.

Every function draws on the axes it is given and returns the artists it
made; nothing here keeps state or touches ``pyplot``. Runs are passed as a
mapping from a label to a :class:`~rmsprop_lib.runner.Trajectory` of a single
run (``xs`` of shape ``(steps + 1, 2)``).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .problems import Problem
from .runner import Trajectory

__all__ = [
    "COLORS",
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

#: One colour per optimizer, the same in every notebook.
COLORS = {
    "GD": "#1f77b4",
    "SGD": "#1f77b4",
    "Momentum": "#ff7f0e",
    "Nesterov": "#8c564b",
    "AdaGrad": "#2ca02c",
    "RMSProp": "#d62728",
    "Adam": "#9467bd",
}
_FALLBACK = ["#17becf", "#bcbd22", "#e377c2", "#7f7f7f", "#1f77b4", "#ff7f0e"]

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


def color_of(label: str, index: int = 0) -> str:
    """The colour for a run: by optimizer name where the label starts with one."""
    for name, color in COLORS.items():
        if label.startswith(name):
            return color
    return _FALLBACK[index % len(_FALLBACK)]


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
    """Each run's path as a line with dots at the iterates; the start as a ring."""
    lines = {}
    for i, (label, run) in enumerate(runs.items()):
        xs = run.xs
        (line,) = ax.plot(xs[:, 0], xs[:, 1], "-o", color=color_of(label, i), lw=1.4, ms=2.5, label=label, zorder=4)
        lines[label] = line
    first = next(iter(runs.values()), None)
    if first is not None:
        ax.plot(*first.xs[0], "o", mfc="none", mec="black", ms=9, zorder=6)
    if len(runs) > 1:
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
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
        (line,) = ax.plot(np.arange(len(y)), y, color=color_of(label, i), lw=1.6, label=label)
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

    ``steps`` has shape ``(n_steps, n_parameters)``; drawn on a log axis.
    """
    lines = ax.semilogy(np.arange(1, len(steps) + 1), steps, lw=1.6)
    for line, label in zip(lines, labels):
        line.set_label(label)
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
    stays while a slider moves) followed by :func:`draw_runs` (the runs).
    """
    figure = figure or Figure(figsize=(10, 4))
    figure.clear()
    draw_runs(*runs_axes(figure, problem, title), problem, runs)
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


def draw_runs(ax_path: Axes, ax_loss: Axes, problem: Problem, runs: Mapping[str, Trajectory]) -> None:
    """The runs of :func:`runs_figure`: paths, loss curves, legends, divergence.

    On a log axis the loss limits depend only on where the runs start: from
    the floor ``LOSS_FLOOR`` to a decade above the starting gap. So the axes
    stay put while a slider moves the curves, and curves can be compared
    from one setting to the next.
    """
    paths(ax_path, runs)
    loss_curves(ax_loss, runs, problem.min_value)
    if ax_loss.get_yscale() == "log" and runs:
        start_gap = max(float(problem.f(run.xs[0])) - problem.min_value for run in runs.values())
        ax_loss.set_ylim(LOSS_FLOOR / 2, 10.0 ** (np.ceil(np.log10(max(start_gap, LOSS_FLOOR))) + 1))
    if len(runs) > 1:
        ax_loss.legend(fontsize=8)
    mark_divergence(ax_loss, runs)
