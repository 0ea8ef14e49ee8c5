r"""Notebook 05's race: the bookkeeping behind its table, figure and checks, so each cell reads like its sentence.

Every optimizer runs a grid of learning rates at once (one :func:`~rmsprop_lib.core.runner.minimize` call
with ``lr`` of shape ``(n, 1)``); :func:`standing` turns such a sweep into what the notebook reads off it:

- :class:`Standing` - per learning rate, the step at which a run reaches the target, its gap at the end,
  whether it diverged, its longest step; the fastest rate, the window of rates that reach the target;
- :func:`gap_at_end` - the largest :math:`f(x_k) - f^\star` over the last steps (where a run *stays*);
- :func:`escape_steps` - on the saddle :math:`x^2 - y^2`, the step at which a run escapes, :math:`|y| > 1`;
- :func:`table`, :func:`windows`, :func:`steps_at`, :func:`lr_range` - the race's table, the widths of its windows of
  learning rates, a few of its columns, a range of rates;
- :func:`fastest`, :func:`ranking` - who arrives first, at the best rate or at each rate;
- :func:`cycle_loss`, :func:`in_cycle` - fixed-:math:`\eta` RMSProp's :math:`\pm\eta/2` cycle on a quadratic.

The optimizers' own rules stay in :mod:`rmsprop_lib.core.optimizers`; nothing here runs an optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.core.problems import Problem
from rmsprop_lib.core.runner import Trajectory
from rmsprop_lib.numerics import validation as check

__all__ = ["Standing", "standing", "gap_at_end", "escape_steps", "table", "windows", "steps_at", "lr_range", "fastest",
           "ranking", "cycle_loss", "in_cycle"]


def _sweep(run: Trajectory, lrs: ArrayLike | None = None) -> np.ndarray | None:
    """Check that ``run`` is a sweep (positions of shape ``(steps + 1, n, 2)``) of ``n`` learning rates."""
    if not isinstance(run, Trajectory) or run.xs.ndim != 3:
        raise ValueError(f"run must be a Trajectory of a sweep, positions of shape (steps + 1, n, 2), got {run!r:.80}")
    if lrs is None:
        return None
    lrs = np.asarray(check.positive("lrs", lrs), dtype=float)
    if lrs.shape != (run.xs.shape[1],):
        raise ValueError(f"lrs must have shape ({run.xs.shape[1]},), one learning rate per run, got {lrs.shape}")
    return lrs


def gap_at_end(run: Trajectory, problem: Problem, last: int = 100) -> np.ndarray:
    r"""Per run, the largest gap :math:`f(x_k) - f^\star` over the last ``last`` steps: where the run *stays*.

    A run that bounces is judged by the worst point it keeps coming back to, not by where the last step
    happens to land; a diverged run has no gap (NaN).

    Args:
        run: a sweep, positions of shape ``(steps + 1, n, 2)``.
        problem: a problem with a minimum (``f*`` finite).
        last: how many of the final steps to look at, 1 to ``steps + 1``.

    Returns:
        Shape ``(n,)``.

    Raises:
        ValueError: ``run`` is not a sweep, ``problem`` has no minimum, or ``last`` is out of range.
    """
    _sweep(run)
    check.problem("problem", problem)
    if not np.isfinite(problem.min_value):
        raise ValueError(f"{problem.name} has no minimum, so no gap f - f*: use escape_steps")
    last = check.integer("last", last, 1, len(run.losses))
    return np.where(run.diverged, np.nan, run.losses[-last:].max(axis=0) - problem.min_value)


def escape_steps(run: Trajectory) -> np.ndarray:
    r"""Per run, the first step with :math:`|y_k| > 1` while :math:`|x_k| \le |x_0|` (escaped from the saddle), or -1.

    On :math:`x^2 - y^2` a run started next to the ridge :math:`y = 0` escapes along :math:`y`; the condition
    on :math:`x` leaves out a run that is thrown far away along :math:`x` instead.

    Args:
        run: a sweep, positions of shape ``(steps + 1, n, 2)``.

    Returns:
        Integer steps, shape ``(n,)``.

    Raises:
        ValueError: ``run`` is not a sweep.
    """
    _sweep(run)
    escaped = (np.abs(run.xs[..., 1]) > 1) & (np.abs(run.xs[..., 0]) <= np.abs(run.xs[0, :, 0]))
    return np.where(escaped.any(axis=0), escaped.argmax(axis=0), -1)


@dataclass(frozen=True, eq=False)
class Standing:
    r"""How one optimizer did over a grid of learning rates on one problem: a row of notebook 05's race table.

    The target is :math:`f(x_k) - f^\star \le` ``tol`` on a problem with a minimum, the escape
    (:func:`escape_steps`) on the saddle. Every array has one entry per learning rate, shape ``(n,)``.

    Attributes:
        lrs: the learning rates, increasing.
        arrival: the first step at the target, -1 if never (a diverged run counts only its steps before).
        gap: :func:`gap_at_end`; NaN where the run diverged, everywhere on the saddle.
        diverged: whether the run diverged.
        held: whether the run reached the target and stayed there to its last step, without diverging.
        largest_step: the longest step of the run in either coordinate, in units of its learning rate,
            :math:`\max_k \|x_k - x_{k-1}\|_\infty / \eta`.
        tol: the target's tolerance.
    """

    lrs: np.ndarray
    arrival: np.ndarray
    gap: np.ndarray
    diverged: np.ndarray
    held: np.ndarray
    largest_step: np.ndarray
    tol: float

    @property
    def reach(self) -> np.ndarray:
        """Whether each run reaches the target at some step."""
        return self.arrival >= 0

    @property
    def ends(self) -> np.ndarray:
        """Whether each run's gap at the end is within ``tol`` (it arrived and stays; never on the saddle)."""
        return np.nan_to_num(self.gap, nan=np.inf) <= self.tol

    @property
    def fastest(self) -> int | None:
        """The index of the learning rate that reaches the target in the fewest steps (the smaller rate on a tie);
        where none reaches, the one with the smallest gap at the end; None if there is neither."""
        if self.reach.any():
            return int(np.argmin(np.where(self.reach, self.arrival, np.inf)))
        if np.isfinite(self.gap).any():
            return int(np.nanargmin(self.gap))
        return None

    @property
    def fewest(self) -> int | None:
        """The fewest steps to the target over the grid, None if no rate reaches it."""
        return int(self.arrival[self.reach].min()) if self.reach.any() else None

    @property
    def best_gap(self) -> int | None:
        """The index of the learning rate with the smallest gap at the end, None if no run has a gap."""
        return int(np.nanargmin(self.gap)) if np.isfinite(self.gap).any() else None

    @property
    def window(self) -> float | None:
        r"""How many decades of learning rates reach the target, :math:`\log_{10}(\eta_{hi}/\eta_{lo})` between the
        smallest and the largest rate that does (rounded to 0.01); None if none does."""
        where = np.flatnonzero(self.reach)
        return round(float(np.log10(self.lrs[where[-1]] / self.lrs[where[0]])), 2) if len(where) else None

    @property
    def above_window(self) -> np.ndarray:
        """Whether each learning rate lies above every rate that reaches the target (all False if none reaches)."""
        return np.arange(len(self.lrs)) > np.flatnonzero(self.reach).max() if self.reach.any() else np.zeros(len(self.lrs), bool)


def standing(run: Trajectory, problem: Problem, lrs: ArrayLike, tol: float, last: int = 100) -> Standing:
    r"""A sweep's :class:`Standing`: its target is :math:`f - f^\star \le` ``tol``, or the escape on a problem with no minimum.

    Args:
        run: a sweep of ``n`` learning rates, positions of shape ``(steps + 1, n, 2)``.
        problem: the problem it ran on.
        lrs: the learning rates, shape ``(n,)``.
        tol: the tolerance, > 0.
        last: the final steps :func:`gap_at_end` looks at.

    Raises:
        ValueError: ``run`` is not a sweep, ``lrs`` does not match it, ``tol`` is not positive.
    """
    lrs = _sweep(run, lrs)
    check.problem("problem", problem)
    tol = float(check.positive("tol", tol))
    moved = np.abs(np.diff(run.xs, axis=0)).max(axis=(0, 2)) if run.steps else np.zeros(len(lrs))
    if np.isfinite(problem.min_value):
        arrival = np.asarray(run.steps_to_reach(problem.min_value + tol))
        gap = gap_at_end(run, problem, last)
        after = np.arange(len(run.losses))[:, None] >= np.where(arrival >= 0, arrival, len(run.losses))
        stays = np.all(~after | (run.losses - problem.min_value <= tol), axis=0)
        held = (arrival >= 0) & stays & ~run.diverged
    else:
        arrival = escape_steps(run)
        gap = np.full(len(lrs), np.nan)
        held = np.zeros(len(lrs), bool)
    return Standing(lrs=lrs, arrival=arrival, gap=gap, diverged=np.asarray(run.diverged), held=held,
                    largest_step=moved / lrs, tol=tol)


def lr_range(lrs: ArrayLike) -> str:
    """``"0.005 .. 0.79"``: the smallest and the largest of ``lrs`` to 2 significant digits; ``"-"`` if empty."""
    lrs = np.asarray(lrs, dtype=float)
    return f"{lrs.min():.2g} .. {lrs.max():.2g}" if lrs.size else "-"


def table(standings: Mapping[str, Standing], problem: Problem) -> str:
    r"""Notebook 05's race table for one problem, one row per optimizer.

    Columns: the fastest learning rate and its steps to the target; its gap at the end; the best gap at the
    end over the grid and its rate; how many rates reach the target, how many end within it, how many
    diverge; the range of rates that reach it. On a problem with no minimum (the saddle) the target is the
    escape, and the gap, end and diverge columns are empty (a run that has escaped and flies on out of the box
    :func:`~rmsprop_lib.core.runner.minimize` allows counts as diverged there, but it did what was asked).

    Raises:
        ValueError: ``standings`` is empty.
    """
    if not standings:
        raise ValueError("standings is empty: nothing to tabulate")
    check.problem("problem", problem)
    minimum = np.isfinite(problem.min_value)
    target = f"until f - f* <= {next(iter(standings.values())).tol:g}" if minimum else "until |y| > 1 (escape)"
    lines = [f"{problem.name}: f = {problem.formula}, from {problem.start}; steps {target}",
             "  optimizer  fastest lr   steps  gap at end (same lr)  best gap at end (lr)   reach  end  diverge  lrs that reach"]
    for name, s in standings.items():
        i, j = s.fastest, s.best_gap
        fast = f"{s.lrs[i]:10.3g}  {s.fewest if s.fewest is not None else 'never':>6}" if i is not None else f"{'-':>10}  {'never':>6}"
        gap = f"{s.gap[i]:20.1e}  {s.gap[j]:9.1e} ({s.lrs[j]:<8.3g})" if j is not None else f"{'-':>20}  {'-':>20}"
        counts = f"{s.ends.sum():3d}  {s.diverged.sum():7d}" if minimum else f"{'-':>3}  {'-':>7}"
        lines.append(f"  {name:9s}  {fast}  {gap}  {s.reach.sum():5d}  {counts}    {lr_range(s.lrs[s.reach])}")
    return "\n".join(lines)


def windows(standings: Mapping[str, Mapping[str, Standing]]) -> str:
    """A table of :attr:`Standing.window`: how many decades of learning rates reach the target, one row per
    optimizer, one column per problem (``standings[problem][optimizer]``); ``none`` where no rate does.

    Raises:
        ValueError: ``standings`` is empty.
    """
    if not standings:
        raise ValueError("standings is empty: nothing to tabulate")
    names = list(next(iter(standings.values())))
    lines = [f"{'decades of lr reaching the target':34s}" + "".join(f"{p:>17s}" for p in standings)]
    for name in names:
        widths = [standings[p][name].window for p in standings]
        lines.append(f"{name:34s}" + "".join(f"{'none' if w is None else f'{w:.1f}':>17s}" for w in widths))
    return "\n".join(lines)


def _nearest(grid: np.ndarray, lr: float) -> int:
    return int(np.argmin(np.abs(np.log(grid) - np.log(lr))))


def steps_at(standings: Mapping[str, Standing], at: ArrayLike) -> str:
    """A table of the steps each optimizer needs at the grid's learning rates nearest ``at`` (``never``: -1).

    Raises:
        ValueError: ``standings`` is empty, or ``at`` holds a rate that is not positive.
    """
    if not standings:
        raise ValueError("standings is empty: nothing to tabulate")
    at = np.atleast_1d(check.positive("at", at))
    grid = next(iter(standings.values())).lrs
    columns = [_nearest(grid, lr) for lr in at]
    lines = ["  optimizer  steps at lr = " + "".join(f"{grid[i]:>8.3g}" for i in columns)]
    for name, s in standings.items():
        lines.append(f"  {name:9s}  {'':13s} " + "".join(f"{s.arrival[i]:>8d}" if s.arrival[i] >= 0 else f"{'never':>8}" for i in columns))
    return "\n".join(lines)


def fastest(standings: Mapping[str, Standing]) -> list[str]:
    """The optimizers with the fewest steps to the target at their own best learning rate (all of them on a tie);
    an empty list if none reaches it."""
    fewest = {name: s.fewest for name, s in standings.items() if s.fewest is not None}
    return [name for name, k in fewest.items() if k == min(fewest.values())] if fewest else []


def ranking(standings: Mapping[str, Standing]) -> np.ndarray:
    """Per learning rate, the optimizers from the first to arrive to the last: shape ``(n, optimizers)``.

    A run that never arrives counts as arriving after every step; ties keep the order of ``standings``
    (so ``ranking(...)[:, 0]`` is who arrives first, ``[:, -1]`` who arrives last or not at all).

    Raises:
        ValueError: ``standings`` is empty.
    """
    if not standings:
        raise ValueError("standings is empty: nothing to rank")
    names = np.array(list(standings))
    # never arrived: after every step (inf, not a large int: on 32-bit platforms, Pyodide, arrival is int32)
    steps = np.array([np.where(s.reach, s.arrival, np.inf) for s in standings.values()])
    return names[np.argsort(steps, axis=0, kind="stable")].T


def cycle_loss(problem: Problem, lrs: ArrayLike) -> np.ndarray:
    r"""The loss at the corner of fixed-:math:`\eta` RMSProp's cycle, :math:`f(\eta/2, \eta/2) - f^\star`.

    On a quadratic :math:`a x^2 + b y^2` the cycle jumps between :math:`\pm\eta/2` in each coordinate, so every
    point of it has :math:`f = (a + b)\,\eta^2/4`: :math:`\eta^2/2` on :math:`x^2 + y^2`, :math:`0.525\,\eta^2` on
    :math:`0.1x^2 + 2y^2`. Shape of ``lrs``.

    Raises:
        ValueError: ``lrs`` is not positive, or ``problem`` has no minimum.
    """
    check.problem("problem", problem)
    lrs = np.asarray(check.positive("lrs", lrs), dtype=float)
    if not np.isfinite(problem.min_value):
        raise ValueError(f"{problem.name} has no minimum, so no cycle around it")
    return problem.f(np.stack([lrs / 2, lrs / 2], axis=-1)) - problem.min_value


def in_cycle(run: Trajectory, lrs: ArrayLike, rtol: float = 0.01, last: int = 2) -> np.ndarray | bool:
    r"""Whether a run's last ``last`` points are in the :math:`\pm\eta/2` cycle around the origin: :math:`|x|` and :math:`|y|`
    both :math:`\eta/2` (within ``rtol``) at every one of them, every coordinate changing sign at every step between them.

    Args:
        run: one run or a batch, positions of shape ``(steps + 1, *batch, 2)``, at least one step.
        lrs: each run's learning rate, broadcastable to ``batch`` (a number for one run, shape ``(n,)`` for a sweep).
        rtol: the relative tolerance on :math:`|x|, |y|`.
        last: how many of the final points to look at, 2 (the last step) to ``steps + 1``.

    Returns:
        Shape ``batch`` (a bool for one run).

    Raises:
        ValueError: ``run`` has no step, ``lrs`` is not positive or does not broadcast to its batch, ``rtol`` is not
            positive, or ``last`` is out of range.
    """
    if not isinstance(run, Trajectory) or run.steps < 1:
        raise ValueError(f"run must be a Trajectory of at least one step: a cycle needs two points, got {run!r:.80}")
    lrs = np.asarray(check.positive("lrs", lrs), dtype=float)
    check.broadcasts_to("lrs", lrs, run.xs.shape[1:-1])
    rtol = float(check.positive("rtol", rtol))
    last = check.integer("last", last, 2, len(run.xs))
    points = run.xs[-last:]
    half = lrs[..., None] / 2
    at_half = np.all(np.abs(np.abs(points) / half - 1) <= rtol, axis=(0, -1))
    cycling = at_half & np.all(np.sign(points[1:]) == -np.sign(points[:-1]), axis=(0, -1))
    return bool(cycling) if cycling.ndim == 0 else cycling
