"""Figures for network training: loss per step, accuracy per epoch, learning-rate sweeps, each layer's steps.

The network counterpart of :mod:`rmsprop_lib.drawing.plotting`: every function draws
on what it is given and keeps no state. Runs are passed as a mapping from a
label (starting with an optimizer's name, for its colour, line style and marker) to a
:class:`~rmsprop_lib.experiments.training.TrainingRun` of one or more seeds. With several
seeds a curve is their mean, with a band from the lowest to the highest.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from rmsprop_lib.drawing.plotting import style_of, warning_text
from rmsprop_lib.experiments.training import TrainingRun, per_epoch  # per_epoch: here too, where figures have used it

__all__ = [
    "loss_per_step", "accuracy_per_epoch", "divergence_message", "training_figure", "training_axes", "draw_training",
    "lr_sensitivity", "per_epoch", "layer_steps", "batch_losses", "symptom_panels", "decay_panels",
]

#: Line style of the weight matrices W1, W2, ... in :func:`layer_steps` (the colour and marker say the optimizer).
LAYER_STYLES = ("-", "--", ":", "-.")


def _mean_and_band(ax: Axes, x: np.ndarray, values: np.ndarray, color: str, label: str, **style):
    """Mean over runs (columns) as a line, min-max as a band; NaN (diverged) entries are left out."""
    values = np.asarray(values, dtype=float).reshape(len(x), -1)
    finite = np.isfinite(values)
    with np.errstate(all="ignore"):
        counts = finite.sum(axis=1)
        mean = np.where(counts > 0, np.where(finite, values, 0).sum(axis=1) / np.maximum(counts, 1), np.nan)
        low = np.where(counts > 0, np.where(finite, values, np.inf).min(axis=1), np.nan)
        high = np.where(counts > 0, np.where(finite, values, -np.inf).max(axis=1), np.nan)
    (line,) = ax.plot(x, mean, color=color, label=label, **style)
    if values.shape[1] > 1:
        ax.fill_between(x, low, high, color=color, alpha=0.15, lw=0)
    return line


def loss_per_step(ax: Axes, runs: Mapping[str, TrainingRun]) -> dict:
    """Training loss against the step (on the left panel of :func:`training_axes`, a log axis).

    A single run also shows its mini-batch loss at every step (thin); the
    bold line with dots is the loss on the whole training set after each
    evaluated epoch. A diverged run's curve stops where it diverged (a cross).
    """
    lines = {}
    for i, (label, run) in enumerate(runs.items()):
        color, linestyle, marker = style_of(label, i)
        single = run.losses.shape[1] == 1
        if single and len(run.losses):
            ax.plot(np.arange(1, len(run.losses) + 1), run.losses[:, 0], color=color, lw=0.7, alpha=0.35)
        steps = run.eval_epochs * run.steps_per_epoch
        lines[label] = _mean_and_band(ax, steps, run.train_loss, color, label, lw=1.8, linestyle=linestyle, marker=marker, ms=3)
        k = int(run.diverged_at[0])
        if single and k >= 1:  # the last good step, marked with a cross
            ax.plot(k - 1, run.losses[k - 2, 0] if k >= 2 else run.train_loss[0, 0], "x", color=color, ms=10, mew=2)
    return lines


def accuracy_per_epoch(ax: Axes, runs: Mapping[str, TrainingRun]) -> dict:
    """Accuracy on the held-out data after each evaluated epoch (on the right panel of :func:`training_axes`)."""
    lines = {}
    for i, (label, run) in enumerate(runs.items()):
        if len(run.test_accuracy):
            color, linestyle, marker = style_of(label, i)
            lines[label] = _mean_and_band(ax, run.eval_epochs, run.test_accuracy, color, label, lw=1.8,
                                          linestyle=linestyle, marker=marker, ms=3)
    return lines


def divergence_message(runs: Mapping[str, TrainingRun]) -> str:
    """One line per label with a diverged run: ``"<label> diverged at step k"`` (the earliest)."""
    messages = []
    for label, run in runs.items():
        if run.diverged.any():
            first = int(run.diverged_at[run.diverged].min())
            runs_note = f" ({run.diverged.sum()} of {run.diverged.size} runs)" if run.diverged.size > 1 else ""
            messages.append(f"{label} diverged at step {first}{runs_note}")
    return "\n".join(messages)


def training_figure(
    runs: Mapping[str, TrainingRun], title: str | None = None, figure: Figure | None = None, accuracy_label: str = "test accuracy"
) -> Figure:
    """The network explorer's view: training loss per step (left), held-out accuracy per epoch (right).

    Draws on ``figure`` (a new 10 x 4 in figure when None) and returns it;
    diverged runs are named on the loss panel ("diverged at step k"). It is
    :func:`training_axes` (the panels) followed by :func:`draw_training` (the runs).
    """
    figure = figure or Figure(figsize=(10, 4))
    figure.clear()
    draw_training(*training_axes(figure, title, accuracy_label), title, runs)
    return figure


def training_axes(figure: Figure, title: str | None = None, accuracy_label: str = "test accuracy") -> tuple[Axes, Axes]:
    """The two panels of :func:`training_figure`, with room on the right for the legend.

    Left: training loss against the step, on a log axis; right: accuracy
    against the epoch, with chance level (1/10) dotted. The margins are fixed
    (in inches), as in :func:`~rmsprop_lib.drawing.plotting.runs_axes`, so that an
    explorer can redraw just the runs (:class:`~rmsprop_lib.drawing.widgets.RunsView`).
    """
    width, height = figure.get_size_inches()
    top = 0.4 + (0.3 if title else 0.0)
    ax_loss, ax_acc = figure.subplots(
        1, 2, gridspec_kw=dict(left=0.75 / width, right=1 - 1.3 / width, bottom=0.55 / height, top=1 - top / height, wspace=0.3)
    )
    ax_loss.set_yscale("log")
    ax_loss.set(xlabel="step", ylabel="training loss (cross-entropy)")
    ax_acc.axhline(0.1, color="grey", ls=":", lw=1)
    ax_acc.set(xlabel="epoch", ylabel=accuracy_label, ylim=(0, 1.02))
    for ax in (ax_loss, ax_acc):
        ax.grid(True, which="major", alpha=0.3)
    if title:
        figure.suptitle(title, fontsize=11)
    return ax_loss, ax_acc


def draw_training(ax_loss: Axes, ax_acc: Axes, title: str | None, runs: Mapping[str, TrainingRun]) -> None:
    """The runs of :func:`training_figure`: loss and accuracy curves, legend, divergence.

    ``title`` is not used (the panels show it); it is there so that an
    explorer can pass what it computed to both. The axis limits depend only
    on how long the runs are and, for the loss, on the decades its curves
    span: so the axes stay put while a learning rate changes.
    """
    loss_lines = loss_per_step(ax_loss, runs)
    accuracy_lines = accuracy_per_epoch(ax_acc, runs) or loss_lines
    if runs:
        steps = max(1, *(run.losses.shape[0] for run in runs.values()))  # at least 1: zero epochs draw the start
        epochs = max(1, *(int(run.eval_epochs[-1]) for run in runs.values()))
        ax_loss.set_xlim(-0.02 * steps, 1.02 * steps)
        ax_acc.set_xlim(-0.02 * epochs, 1.02 * epochs)
        drawn = np.concatenate([line.get_ydata() for line in ax_loss.lines])
        drawn = drawn[np.isfinite(drawn) & (drawn > 0)]
        if drawn.size:  # whole decades around the curves (at least one)
            low, high = np.floor(np.log10(drawn.min())), np.ceil(np.log10(drawn.max()))
            ax_loss.set_ylim(10.0**low, 10.0 ** max(high, low + 1))
        ax_acc.legend(handles=list(accuracy_lines.values()), fontsize=8, loc="center left", bbox_to_anchor=(1.03, 0.5))
    else:
        ax_loss.text(0.5, 0.5, "no optimizer selected", transform=ax_loss.transAxes, ha="center", va="center")
    message = divergence_message(runs)
    if message:
        warning_text(ax_loss, message)


def lr_sensitivity(ax: Axes, lrs: np.ndarray, scores: Mapping[str, np.ndarray], ylabel: str = "validation accuracy") -> dict:
    """A score against the learning rate (log axis), one curve per label.

    ``scores[label]`` has shape ``(len(lrs), seeds)``: the mean is drawn with
    a min-max band over seeds; NaN entries (diverged runs) are left out.
    """
    lines = {}
    for i, (label, values) in enumerate(scores.items()):
        color, linestyle, marker = style_of(label, i)
        lines[label] = _mean_and_band(ax, np.asarray(lrs), values, color, label, lw=1.8, linestyle=linestyle, marker=marker, ms=4)
    ax.set_xscale("log")
    ax.set(xlabel="learning rate", ylabel=ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return lines


#: What :func:`layer_steps` draws: a :class:`~rmsprop_lib.experiments.training.LayerNorms` attribute and its axis label.
LAYER_MEASURES = {
    "update": r"step length  $\|\Delta W\|$",
    "update_ratio": r"step / weights  $\|\Delta W\| \,/\, \|W\|$",
    "effective_lr": r"effective learning rate  $\|\Delta W\| \,/\, \|g_W\|$",
}


def layer_steps(axes: tuple[Axes, ...], runs: Mapping[str, TrainingRun], measures: tuple[str, ...] = tuple(LAYER_MEASURES)) -> dict:
    r"""Each weight matrix's steps per epoch, one panel per measure: by default step length, step / weights, effective lr.

    The runs must be recorded with ``train(..., per_layer=True)``. Per epoch
    (x axis, 1 to the last) the mean over its steps of each measure of
    :class:`~rmsprop_lib.experiments.training.LayerNorms`:
    :math:`\lVert \Delta W_l \rVert`, :math:`\lVert \Delta W_l \rVert / \lVert W_l \rVert`
    and :math:`\lVert \Delta W_l \rVert / \lVert g_{W_l} \rVert`; with several
    seeds, their mean with a min-max band. Colour and marker by optimizer,
    line style by layer (W1 solid, W2 dashed). Log y axes; the legend goes
    right of the last panel. Returns the lines by ``(measure, "<label>, <layer>")``.
    Raises ValueError for a run recorded without ``per_layer=True``, or for
    a measure not in ``LAYER_MEASURES`` or fewer axes than measures.
    """
    unknown = [m for m in measures if m not in LAYER_MEASURES]
    if unknown or len(axes) != len(measures):
        raise ValueError(f"measures must be among {list(LAYER_MEASURES)}, one per axes; got {list(measures)} for {len(axes)} axes")
    lines = {}
    for i, (label, run) in enumerate(runs.items()):
        if run.layers is None:
            raise ValueError(f"run {label!r} has no per-layer record: train it with per_layer=True")
        color, _, marker = style_of(label, i)
        epochs = np.arange(1, len(run.losses) // run.steps_per_epoch + 1)
        for ax, measure in zip(axes, measures):
            means = per_epoch(getattr(run.layers, measure), run.steps_per_epoch)  # (epochs, runs, layers)
            for l, name in enumerate(run.layers.names):
                lines[measure, f"{label}, {name}"] = _mean_and_band(
                    ax, epochs, means[..., l], color, f"{label}, {name}", lw=1.8,
                    linestyle=LAYER_STYLES[l % len(LAYER_STYLES)], marker=marker, ms=4)
    for ax, measure in zip(axes, measures):
        ax.set(xlabel="epoch", ylabel=LAYER_MEASURES[measure], yscale="log")
        ax.grid(True, which="both", alpha=0.3)
    axes[-1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.03, 0.5))
    return lines


def batch_losses(ax: Axes, runs: Mapping[str, TrainingRun], styles: Sequence[tuple[str, str]] | None = None) -> dict:
    """Every run's mini-batch loss at every step, one thin line per seed, on a log y axis.

    One colour and line style per label: ``styles[i] = (colour, linestyle)``
    for the ``i``-th label, or by default :func:`~rmsprop_lib.drawing.plotting.style_of`.
    Only each label's first seed carries the label, so a legend lists each
    label once. A seed that diverged stops where it did (its losses are NaN
    from there). Returns each label's first line.
    """
    lines = {}
    for i, (label, run) in enumerate(runs.items()):
        color, linestyle = styles[i] if styles is not None else style_of(label, i)[:2]
        steps = np.arange(1, len(run.losses) + 1)
        for r in range(run.losses.shape[1]):
            (line,) = ax.plot(steps, run.losses[:, r], color=color, linestyle=linestyle, lw=1.1, alpha=0.85,
                              label=label if r == 0 else None)
            lines.setdefault(label, line)
    ax.set(xlabel="step", ylabel="mini-batch loss (cross-entropy)", yscale="log")
    ax.grid(True, which="major", alpha=0.3)
    return lines


#: Okabe-Ito colours and line styles of :func:`symptom_panels`: the symptom vermillion, the remedies blue and green.
SYMPTOM_STYLES = (("#D55E00", "-"), ("#0072B2", "--"), ("#009E73", ":"))


def symptom_panels(cases: Mapping[str, Mapping[str, TrainingRun]], styles: Sequence[tuple[str, str]] = SYMPTOM_STYLES) -> Figure:
    """One panel per case of notebook 07's "When a run misbehaves": every seed's mini-batch loss (:func:`batch_losses`).

    ``cases`` maps a title to ``{label: run}``, the symptom's run first and
    then its remedies, drawn in ``styles`` (colour, line style) in that
    order, on shared log axes, two panels a row, with ln 10 (what guessing
    uniformly among 10 classes scores) as a dash-dotted line. Raises
    ValueError if a case has more runs than ``styles``.
    """
    if any(len(runs) > len(styles) for runs in cases.values()):
        raise ValueError(f"each case may have at most {len(styles)} runs (one style each)")
    rows = -(-len(cases) // 2)
    figure = Figure(figsize=(11, 3.5 * rows), layout="constrained")
    axes = np.atleast_2d(figure.subplots(rows, 2, sharex=True, sharey=True))
    for ax, (case, runs) in zip(axes.flat, cases.items()):
        batch_losses(ax, runs, styles)
        ax.axhline(np.log(10), color="black", lw=0.8, ls="-.", label="ln 10: guessing")
        ax.set_title(case, fontsize=10)
        ax.legend(fontsize=8, loc="lower left")  # the runs that blow up fill the upper right
    for ax in axes.flat[len(cases):]:
        ax.set_visible(False)
    for ax in axes[:, 1:].flat:
        ax.set_ylabel("")
    for ax in axes[:-1].flat:
        ax.set_xlabel("")
    return figure


def decay_panels(l2_rate: Mapping[str, np.ndarray], adamw_rate: float, kept: Mapping[str, Sequence[float]]) -> Figure:
    r"""Notebook 07's weight-decay figure: the decay each weight feels (left), what is left of each quarter of W1 (right).

    Left: histograms (log bins from 1e-3 to 1e2) of L2's decay per step
    :math:`\eta\lambda/(\sqrt{\hat v} + \epsilon)`, one per weight matrix
    (``l2_rate[name]``, shape ``(seeds, weights)``), and AdamW's single
    :math:`\eta\lambda` (``adamw_rate``) as a dashed line. Right: per label
    of ``kept`` (two: L2, then AdamW) four bars, the norm left of each quarter
    of :math:`W_1`'s weights by gradient size, relative to no decay.
    """
    figure = Figure(figsize=(11, 3.8), layout="constrained")
    ax_rate, ax_kept = figure.subplots(1, 2)
    bins = np.logspace(-3, 2, 21)
    for (name, rate), (color, hatch) in zip(l2_rate.items(), (("#E69F00", None), ("#CC79A7", "//"))):
        rate = np.atleast_2d(rate)
        ax_rate.hist(rate.ravel(), bins=bins, color=color, alpha=0.75, hatch=hatch, edgecolor="black", lw=0.3,
                     label=f"Adam + L2, {name} ({rate.shape[1]} weights x {rate.shape[0]} seeds)")
    ax_rate.axvline(adamw_rate, color="#0072B2", lw=2.2, ls="--", label=f"AdamW: {adamw_rate:.2f} for every weight")
    ax_rate.set(xscale="log", xlabel=r"decay per step: $\eta\lambda / (\sqrt{\hat v} + \epsilon)$; AdamW: $\eta\lambda$",
                ylabel="weights", title="the decay each weight feels at the end of training")
    ax_rate.set_ylim(top=1.5 * ax_rate.get_ylim()[1])  # room for the legend above the bars
    ax_rate.legend(fontsize=8, loc="upper left")
    for i, (label, heights) in enumerate(kept.items()):
        ax_kept.bar(np.arange(4) + (i - 0.5) * 0.38, heights, width=0.36, label=label, color=("#E69F00", "#0072B2")[i % 2],
                    hatch=(None, "//")[i % 2], edgecolor="black", lw=0.5)
    ax_kept.set_xticks(range(4), ["smallest", "2nd", "3rd", "largest"])
    ax_kept.set(xlabel="quarter of W1's weights, by gradient size", ylabel="norm relative to no decay", ylim=(0, 1),
                title="what is left of each quarter of W1 after training")
    ax_kept.legend(fontsize=8)
    return figure
