"""Run an optimizer on a problem and record the whole trajectory.

``minimize`` is the loop every notebook uses::

    x_0 = x0
    for k in 1 .. steps:
        updates, state = optimizer.update(problem.grad(x_{k-1}), state)
        x_k = x_{k-1} - updates

It runs a batch of trajectories at once: ``x0`` of shape ``(B, 2)`` (and
hyperparameters of shape ``(B, 1)``) gives B runs with no Python loop over
runs. A run *diverges* at the first step whose position or loss is not
finite or whose position leaves the box ``|x|, |y| <= bound``; from then on it
stays where it was, and no NumPy overflow warning reaches the learner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import call_update, init_runs
from rmsprop_lib.core.problems import Problem

__all__ = ["Trajectory", "minimize"]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What :func:`minimize` recorded.

    Attributes:
        xs: positions, shape ``(steps + 1, *batch, 2)``; ``xs[0]`` is ``x0``.
        losses: ``f(xs)``, shape ``(steps + 1, *batch)``.
        diverged_at: per run, the first step ``k`` at which the run diverged
            (``xs[k:]`` then repeat the last good position), or -1; shape
            ``batch`` (a plain int for a single run).
    """

    xs: np.ndarray
    losses: np.ndarray
    diverged_at: np.ndarray | int

    @property
    def steps(self) -> int:
        return len(self.xs) - 1

    @property
    def final(self) -> np.ndarray:
        """The last position of each run, shape ``(*batch, 2)``."""
        return self.xs[-1]

    @property
    def diverged(self) -> np.ndarray | bool:
        """Whether each run diverged."""
        return np.asarray(self.diverged_at) >= 0

    def steps_to_reach(self, loss: float) -> np.ndarray | int:
        """Per run, the first step ``k`` with ``losses[k] <= loss``, or -1 if never.

        A diverged run counts only its steps before it diverged. Shape
        ``batch`` (a plain int for a single run).
        """
        loss = check.real_array("loss", loss)
        reached = self.losses <= loss
        if np.ndim(self.diverged_at) or self.diverged_at >= 0:  # ignore the frozen steps after divergence
            k = np.arange(len(self.losses)).reshape(-1, *[1] * (reached.ndim - 1))
            diverged_at = np.asarray(self.diverged_at)
            reached &= (diverged_at < 0) | (k < diverged_at)
        first = np.where(reached.any(axis=0), reached.argmax(axis=0), -1)
        return int(first) if first.ndim == 0 else first


def minimize(problem: Problem, optimizer, x0: ArrayLike, steps: int, bound: float = 1e6) -> Trajectory:
    """Take ``steps`` optimizer steps on ``problem`` from ``x0``.

    Args:
        problem: a :class:`~rmsprop_lib.core.problems.Problem` (anything with
            ``f`` and ``grad`` over points of shape ``(..., 2)``).
        optimizer: an object with ``init(params)`` and ``update(grad, state)``
            (called as ``update(grad, state, params=x)`` if it has
            ``uses_params = True``: AdamW, Lion, Adafactor, and wrappers
            around them).
        x0: the start, shape ``(2,)`` or ``(*batch, 2)``.
        steps: the number of updates, an integer >= 0.
        bound: a run whose coordinates exceed this in absolute value has
            diverged.

    Returns:
        A :class:`Trajectory`.
    """
    check.problem("problem", problem)
    check.optimizer("optimizer", optimizer)
    x = check.points("x0", x0)
    steps = check.step_count("steps", steps)
    bound = check.positive("bound", bound)

    batch = x.shape[:-1]
    xs = np.empty((steps + 1, *x.shape))
    losses = np.empty((steps + 1, *batch))
    diverged_at = np.full(batch, -1)
    running = np.full(batch, True)  # the runs that have not diverged
    state = init_runs(optimizer, x, run_ndim=len(batch))  # every leading axis is a run

    with np.errstate(all="ignore"):
        xs[0] = x
        losses[0] = problem.f(x)
        for k in range(1, steps + 1):
            updates, state = call_update(optimizer, problem.grad(x), state, params=x)  # params only to those that use them
            candidate = x - updates
            loss = problem.f(candidate)
            # One test for the whole batch first (NaN fails <=); run by run only once one fails.
            if not (running.all() and np.isfinite(loss).all() and np.abs(candidate).max() <= bound):
                inside = np.abs(candidate) <= bound
                ok = np.isfinite(loss) & inside[..., 0] & inside[..., 1]
                diverged_at[running & ~ok] = k
                running &= ok
                candidate = np.where(running[..., None], candidate, x)  # hold the diverged runs where they were
                loss = np.where(running, loss, losses[k - 1])
            x = xs[k] = candidate
            losses[k] = loss

    return Trajectory(xs=xs, losses=losses, diverged_at=int(diverged_at) if diverged_at.ndim == 0 else diverged_at)
