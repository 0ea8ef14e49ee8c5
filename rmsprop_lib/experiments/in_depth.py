r"""Notebook 06's bookkeeping: the measurements behind its checks and figures, so that each cell reads like its sentence.

The optimizers themselves stay in the notebook or in :mod:`rmsprop_lib.core.optimizers`; here are

- section 1-4: :func:`step_sizes` (the steps an optimizer takes for a fixed gradient), the frameworks'
  :data:`CONVENTIONS` for where :math:`\epsilon` goes (:func:`convention`, :func:`eps_floor`,
  :class:`TF1RMSProp`), :func:`scaled` (a problem times a constant), :func:`follows_floor` and
  :func:`stall_scale`;
- section 2 and 5: :func:`back_below` (a loss back down after its jump) and :func:`creep` (how much of a
  run's last steps went anywhere);
- section 7: :func:`settled_loss` (the worst loss over a run's last steps) and :func:`unbroken`;
- section 8 (RMSProp under noise): :func:`snr_steps` (the average step at fixed points against
  :func:`~rmsprop_lib.experiments.stochastic.snr_step`), :func:`gap_curves` and :func:`settled_floor`
  (measured noise floors);
- section 9 (the preconditioner): :func:`best_reach` (a race at each method's best learning rate),
  :func:`rate_ratio` (RMSProp's ratio of two coordinates' learning rates) and :func:`log_fraction`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import call_update
from rmsprop_lib.core.optimizers import RMSProp
from rmsprop_lib.core.problems import Problem
from rmsprop_lib.core.runner import Trajectory, minimize
from rmsprop_lib.experiments import stochastic as st

__all__ = [
    "step_sizes", "TF1RMSProp", "CONVENTIONS", "convention", "eps_floor", "scaled", "follows_floor", "stall_scale",
    "back_below", "creep", "settled_loss", "unbroken", "SnrSteps", "snr_steps", "gap_curves",
    "settled_floor", "best_reach", "rate_ratio", "log_fraction",
]


# ------------------------------------------------------------------ sections 1-4: the step, epsilon and the frameworks


def step_sizes(optimizer, grad: ArrayLike, steps: int) -> np.ndarray:
    r"""The step sizes :math:`|u_k|`, :math:`k = 1, \dots, K`, an optimizer takes when fed the same gradient every step.

    No problem is needed: the gradient never changes, so :math:`u_k = \mathrm{update}(g, \mathrm{state}_{k-1})`.
    For RMSProp from :math:`s_0 = 0` and :math:`\epsilon = 0` this is :math:`\eta/\sqrt{1-\rho^k}` per coordinate.

    Args:
        optimizer: any optimizer of the library; hyperparameters of shape ``(B, 1)`` give one per row of ``grad``.
        grad: the constant gradient :math:`g`, any shape the optimizer takes (e.g. ``(B, 1)``: one coordinate per run).
        steps: :math:`K`, an integer >= 1.

    Returns:
        :math:`|u_k|`, shape ``(steps, *grad.shape)``.

    Raises:
        TypeError, ValueError: for an object that is not an optimizer, a gradient that is not an array of real
        numbers, or a ``steps`` that is not a positive integer (the optimizer checks the gradient's values).
    """
    check.optimizer("optimizer", optimizer)
    g = np.asarray(check.real_array("grad", grad), dtype=float)
    steps = check.integer("steps", steps, low=1)
    state, sizes = optimizer.init(g), []
    for _ in range(steps):
        u, state = call_update(optimizer, g, state, params=np.zeros_like(g))  # no weights: decay (if any) acts on 0
        sizes.append(np.abs(u))
    return np.array(sizes)


class TF1RMSProp(RMSProp):
    r"""TensorFlow 1's ``tf.compat.v1.train.RMSPropOptimizer`` (TensorFlow 1.x, 2015): RMSProp whose average starts at
    :math:`s_0 = 1`, not 0.

    Use it with ``eps_in_sqrt=True`` (TF1 divides by :math:`\sqrt{s + \epsilon}`), as :func:`convention` does.
    Its first step is :math:`\eta\, g/\sqrt{\rho + (1-\rho) g^2 + \epsilon}`: about :math:`\eta\, g` for small gradients.
    """

    def init(self, params: ArrayLike):
        return super().init(params)._replace(mean_sq=np.ones(np.shape(params)))


#: Each framework's RMSProp: (optimizer class, its default eps, eps inside the root?, its default rho).
#: From the frameworks' own code (docs/conventions.md): torch ``RMSprop``, Keras 3 ``RMSprop``, optax ``rmsprop``
#: (default ``eps_in_sqrt=True``), TensorFlow 1 ``RMSPropOptimizer`` (with :math:`s_0 = 1`), d2l's chapter, the seed post.
CONVENTIONS = {
    "seed": (RMSProp, 1e-6, False, 0.9),
    "torch": (RMSProp, 1e-8, False, 0.99),
    "Keras": (RMSProp, 1e-7, True, 0.9),
    "optax": (RMSProp, 1e-8, True, 0.9),
    "TF1": (TF1RMSProp, 1e-10, True, 0.9),
    "d2l": (RMSProp, 1e-6, True, 0.9),
}


def convention(name: str, lr: ArrayLike, rho: ArrayLike | None = None) -> RMSProp:
    """The framework ``name``'s RMSProp (a key of :data:`CONVENTIONS`) with its own eps and placement.

    Args:
        name: ``"seed"``, ``"torch"``, ``"Keras"``, ``"optax"``, ``"TF1"`` or ``"d2l"``.
        lr: the learning rate.
        rho: the decay rate; None takes the framework's default.

    Raises:
        KeyError: for another name (the message lists the known ones).
    """
    if name not in CONVENTIONS:
        raise KeyError(f"no convention {name!r}; known: {', '.join(CONVENTIONS)}")
    cls, eps, inside, default_rho = CONVENTIONS[name]
    return cls(lr=lr, rho=default_rho if rho is None else rho, eps=eps, eps_in_sqrt=inside)


def eps_floor(name: str) -> float:
    r"""Where the denominator stops shrinking under tiny gradients: :math:`\sqrt\epsilon` inside the root, :math:`\epsilon` outside.

    Raises:
        KeyError: for a name not in :data:`CONVENTIONS`.
    """
    if name not in CONVENTIONS:
        raise KeyError(f"no convention {name!r}; known: {', '.join(CONVENTIONS)}")
    _, eps, inside, _ = CONVENTIONS[name]
    return float(np.sqrt(eps)) if inside else eps


def scaled(problem: Problem, c: ArrayLike) -> Problem:
    r"""The problem multiplied by constants :math:`c`, one per run: :math:`f_c = c\,f`, :math:`\nabla f_c = c\,\nabla f`.

    The same minimum, flatter (:math:`c < 1`) or steeper; a loss summed instead of averaged, or measured in other
    units, changes :math:`c`.

    Args:
        problem: any :class:`~rmsprop_lib.core.problems.Problem`.
        c: shape ``(B,)``, one constant per run; run it from start points of shape ``(B, 2)``.

    Raises:
        ValueError: if ``c`` is not a 1-D array of positive numbers.
    """
    check.problem("problem", problem)
    c = np.atleast_1d(np.asarray(check.positive("c", c), dtype=float))
    if c.ndim != 1:
        raise ValueError(f"c must have one value per run, shape (B,), got shape {c.shape}")
    return dataclasses.replace(problem, f=lambda p: c * problem.f(p), grad=lambda p: c[:, None] * problem.grad(p))


def follows_floor(g: ArrayLike, sizes: ArrayLike, floor: float, rtol: float = 0.02) -> bool:
    r"""Whether steady steps per unit learning rate have the floor's shape: 1 for :math:`|g| \ge 100\,\text{floor}`,
    :math:`|g|/\text{floor}` for :math:`|g| \le \text{floor}/100` (each within ``rtol``).

    Args:
        g: gradient sizes, shape ``(G,)``.
        sizes: the steady step :math:`|u|/\eta` at each, shape ``(G,)``.
        floor: :math:`\epsilon` or :math:`\sqrt\epsilon` (:func:`eps_floor`).

    Raises:
        ValueError: if the shapes differ or neither range holds a gradient (a check that could not fail).
    """
    g, sizes = np.asarray(g, dtype=float), np.asarray(sizes, dtype=float)
    if g.shape != sizes.shape:
        raise ValueError(f"g and sizes must have the same shape, got {g.shape} and {sizes.shape}")
    above, below = g >= 100 * floor, g <= floor / 100
    if not (above.any() and below.any()):
        raise ValueError("the gradients must reach both 100 times above and 100 times below the floor")
    return bool(np.allclose(sizes[above], 1, rtol=rtol) and np.allclose(sizes[below], g[below] / floor, rtol=rtol))


def stall_scale(scales: ArrayLike, ratio: ArrayLike, level: float = 0.5) -> float:
    r"""The largest scale :math:`c` at which a run did not even bring :math:`f_K/f_0` below ``level`` (it stalled).

    Raises:
        ValueError: if no run stalled.
    """
    scales, ratio = np.asarray(scales, dtype=float), np.asarray(ratio, dtype=float)
    stalled = ratio > level
    if not stalled.any():
        raise ValueError(f"no run stalled: f_K / f_0 <= {level} at every scale")
    return float(scales[stalled].max())


# ------------------------------------------------------------------ sections 2, 5 and 7: runs on Rosenbrock


def back_below(losses: ArrayLike, level: float, window: int = 10) -> np.ndarray:
    r"""Per run, whether the loss is below ``level`` again one step after its highest point among steps 0..``window``.

    Args:
        losses: shape ``(steps + 1, *batch)``, as :class:`~rmsprop_lib.core.runner.Trajectory` records them.

    Returns:
        Booleans of shape ``batch``.
    """
    losses = np.asarray(losses, dtype=float)
    jump = np.argmax(losses[: window + 1], axis=0)
    after = np.take_along_axis(losses, np.expand_dims(jump + 1, 0), axis=0)[0]
    return after < level


def creep(run: Trajectory, target: ArrayLike, last: int = 100) -> tuple[float, float, float]:
    r"""How much of a run's last ``last`` steps went anywhere: ``(path, gained, largest)``.

    ``path`` is the length :math:`\sum_k \|x_k - x_{k-1}\|` of those steps, ``gained`` how much closer they brought
    the run to ``target``, ``largest`` the largest single move of one coordinate. A run zigzagging across a valley
    has ``path`` many times ``gained``. For one run (``xs`` of shape ``(steps + 1, 2)``).

    Raises:
        ValueError: for a batch of runs, or fewer than ``last`` steps.
    """
    xs = np.asarray(run.xs)
    if xs.ndim != 2 or len(xs) <= last:
        raise ValueError(f"creep takes one run of more than {last} steps, got xs of shape {xs.shape}")
    target = np.asarray(target, dtype=float)
    moves = np.diff(xs[-last - 1:], axis=0)
    path = float(np.hypot(*moves.T).sum())
    gained = float(np.hypot(*(xs[-last - 1] - target)) - np.hypot(*(xs[-1] - target)))
    return path, gained, float(np.abs(moves).max())


def settled_loss(run: Trajectory, last: int = 100) -> np.ndarray:
    r"""Per run, the worst loss over its last ``last`` steps: the level a cycling fixed-:math:`\eta` run has settled to.

    A single final loss is partly luck when the run cycles; the worst over a window is not. Diverged runs give NaN.

    Returns:
        Shape ``batch`` of the run.
    """
    last = check.integer("last", last, low=1)
    return np.where(run.diverged, np.nan, run.losses[-last:].max(axis=0))


def unbroken(mask: ArrayLike) -> bool:
    """Whether the True entries of a 1-D mask form one unbroken block (and there is at least one)."""
    where = np.flatnonzero(np.asarray(mask, dtype=bool))
    return bool(where.size) and int(np.ptp(where)) == where.size - 1


# ------------------------------------------------------------------ section 8: RMSProp under noise


@dataclass(frozen=True)
class SnrSteps:
    r"""RMSProp's average step at fixed points, measured against :math:`\mu/\sqrt{\mu^2+\sigma^2}`.

    Attributes (``M`` batch sizes, ``R`` values of rho, ``P`` points, 2 coordinates; steps in units of lr):
        batch_sizes: shape ``(M,)``.
        snr: :math:`\mu/\sigma`, shape ``(M, P, 2)``.
        predicted: :func:`~rmsprop_lib.experiments.stochastic.snr_step`, shape ``(M, P, 2)``.
        measured: the average update, shape ``(M, R, P, 2)``.
        error: its standard error, from blocks of steps, shape ``(M, R, P, 2)``.
        size: the average of :math:`|u|`, shape ``(M, R, P, 2)``.
    """

    batch_sizes: np.ndarray
    snr: np.ndarray
    predicted: np.ndarray
    measured: np.ndarray
    error: np.ndarray
    size: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        """measured - predicted, shape ``(M, R, P, 2)``."""
        return self.measured - self.predicted[:, None]


def snr_steps(data: st.LeastSquares, where: ArrayLike, batch_sizes, rhos, steps: int = 3000, skip: int = 500,
              seed: int = 3, blocks: int = 10) -> SnrSteps:
    r"""RMSProp (Tieleman & Hinton, 2012; :math:`\eta = 1`, :math:`\epsilon = 10^{-6}`) at fixed points, fed ``steps`` mini-batch gradients at each.

    At each point :math:`\theta` and batch size :math:`m`, :func:`~rmsprop_lib.experiments.stochastic.gradient_noise`
    gives the exact :math:`\mu` and :math:`\sigma` of the mini-batch gradient, and
    :func:`~rmsprop_lib.experiments.stochastic.updates_at` the updates :math:`u_k`; the measured step is the average
    of :math:`u_k` over the steps after the first ``skip`` (while :math:`s` fills up), the prediction

    .. math::
        \frac{\mathbb E[u]}{\eta} \approx \frac{\mu}{\sqrt{\mu^2 + \sigma^2}} .

    The standard error comes from ``blocks`` consecutive blocks of the kept steps.

    Args:
        data: the fit (:func:`~rmsprop_lib.experiments.stochastic.line_fit`).
        where: the points, shape ``(P, 2)``.
        batch_sizes: the batch sizes, a sequence of ``M`` integers.
        rhos: the decay rates, a sequence of ``R`` numbers; all run in one batched call per batch size.
        steps, skip, seed, blocks: as above; ``steps - skip`` must divide into ``blocks``.

    Raises:
        ValueError: if ``steps - skip`` is not a positive multiple of ``blocks``.
    """
    where = check.points("where", where)
    rhos = np.asarray(rhos, dtype=float)
    kept = check.integer("steps", steps, low=1) - check.integer("skip", skip)
    if kept <= 0 or kept % check.integer("blocks", blocks, low=2):
        raise ValueError(f"steps - skip = {kept} must be a positive multiple of blocks = {blocks}")
    optimizer = RMSProp(lr=1.0, rho=np.repeat(rhos, len(where))[:, None])  # one run per rho and point
    snr, predicted, measured, error, size = [], [], [], [], []
    for m in batch_sizes:
        mu, sigma = st.gradient_noise(data, where, m)
        u = st.updates_at(data, optimizer, np.tile(where, (len(rhos), 1)), steps, m, seed=seed)[skip:]
        u = u.reshape(kept, len(rhos), *where.shape)
        snr.append(mu / sigma)
        predicted.append(st.snr_step(mu, sigma))
        measured.append(u.mean(axis=0))
        size.append(np.abs(u).mean(axis=0))
        error.append(u.reshape(blocks, kept // blocks, *u.shape[1:]).mean(axis=1).std(axis=0, ddof=1) / np.sqrt(blocks))
    return SnrSteps(np.array(list(batch_sizes)), *map(np.array, (snr, predicted, measured, error, size)))


def gap_curves(data: st.LeastSquares, optimizer, groups: int, runs: int, steps: int, batch_size: int, seed: int,
               decay_steps: ArrayLike | None = None) -> np.ndarray:
    r""":math:`L(\theta_k) - L^\star` of ``groups`` x ``runs`` seeded mini-batch runs from the fit's start, per step.

    One call of :func:`~rmsprop_lib.experiments.stochastic.minimize_stochastic` from ``groups * runs`` copies of the
    start; give the optimizer hyperparameters of shape ``(groups * runs, 1)`` (``np.repeat(values, runs)``) for one
    setting per group.

    Returns:
        Shape ``(steps + 1, groups, runs)``.
    """
    starts = np.tile(data.problem.start, (groups * runs, 1))
    run = st.minimize_stochastic(data, optimizer, starts, steps, batch_size, seed=seed, decay_steps=decay_steps)
    return (run.losses - data.problem.min_value).reshape(steps + 1, groups, runs)


def settled_floor(gaps: ArrayLike, start: int) -> tuple[np.ndarray, np.ndarray]:
    r"""The floor a group of runs settled to: the mean of :math:`L - L^\star` over steps ``start`` on, and its relative
    standard error over the runs.

    Args:
        gaps: shape ``(steps + 1, *groups, runs)`` (:func:`gap_curves`).
        start: the first step counted.

    Returns:
        ``(floor, relative standard error)``, each of shape ``groups``.
    """
    per_run = np.asarray(gaps)[start:].mean(axis=0)  # (*groups, runs)
    floor = per_run.mean(axis=-1)
    return floor, per_run.std(axis=-1, ddof=1) / np.sqrt(per_run.shape[-1]) / floor


# ------------------------------------------------------------------ section 9: RMSProp as a preconditioner


def best_reach(problem: Problem, make, lrs: ArrayLike, steps: int, loss: float) -> tuple[int, float]:
    r"""A race at the best learning rate: ``(k, lr)``, the fewest steps to ``f <= loss`` over the learning rates ``lrs``.

    One batched :func:`~rmsprop_lib.core.runner.minimize` from ``problem.start``.

    Args:
        make: builds the optimizer from learning rates of shape ``(L, 1)``, e.g. ``SGD``.

    Raises:
        ValueError: if no learning rate reaches ``loss`` within ``steps``.
    """
    lrs = np.asarray(lrs, dtype=float)
    reach = minimize(problem, make(lrs[:, None]), np.tile(problem.start, (len(lrs), 1)), steps).steps_to_reach(loss)
    if np.all(reach < 0):
        raise ValueError(f"no learning rate reaches f <= {loss} within {steps} steps")
    reach = np.where(reach < 0, steps + 1, reach)
    return int(reach.min()), float(lrs[reach.argmin()])


def rate_ratio(problem: Problem, optimizer: RMSProp, steps: int, x0: ArrayLike | None = None) -> np.ndarray:
    r"""RMSProp's ratio of its learning rates for :math:`x` and :math:`y`, :math:`(\eta/\sqrt{s_x})/(\eta/\sqrt{s_y}) = \sqrt{s_y/s_x}`, after each step.

    Records :math:`s_k` with :class:`~rmsprop_lib.experiments.stochastic.Recording` over a run from ``x0``
    (``problem.start`` by default).

    Returns:
        Shape ``(steps, *batch)``.
    """
    recorded = st.Recording(optimizer, "mean_sq")
    minimize(problem, recorded, problem.start if x0 is None else x0, steps)
    return np.sqrt(recorded.history[..., 1] / recorded.history[..., 0])


def log_fraction(ratio: ArrayLike, newton_ratio: float) -> np.ndarray:
    r"""Where a ratio of learning rates sits between gradient descent's (1) and a diagonal Newton step's, on a log scale.

    .. math::
        \frac{\log(\text{ratio})}{\log(\text{Newton's ratio})} :\quad 0 \text{ for gradient descent},\ 1 \text{ for Newton},
        \ \tfrac12 \text{ for the square root}.

    Raises:
        ValueError: if ``newton_ratio`` is 1 (no curvature difference to measure against) or not positive.
    """
    newton_ratio = check.positive("newton_ratio", newton_ratio)
    if newton_ratio == 1:
        raise ValueError("newton_ratio must differ from 1")
    return np.log(np.asarray(ratio, dtype=float)) / np.log(newton_ratio)
