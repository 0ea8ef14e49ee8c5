r"""Notebook 08's experiments: the bookkeeping behind its checks, so each cell reads like the sentence it checks.

- :func:`play` - one weight fed a fixed sequence of gradients (Hinton's mini-batch example, §1);
- :func:`rescaled`, :func:`rotated`, :func:`rotation` - the same problem in other units or turned (§2);
- :func:`fewest_steps` - an optimizer at its best learning rate of a sweep (§2);
- :func:`decayed`, :func:`cycle_drift`, :func:`predicted_critical_rho` - Reddi et al.'s problem and the critical
  :math:`\rho` of RMSProp on it (§3-4);
- :func:`shifted` - a problem with its minimum moved (AdamW against L2, §6);
- :func:`least_squares`, :func:`fit`, :func:`state_numbers`, :func:`first_stretch_below` - Adafactor against
  Adam on a least-squares problem (§6).

The optimizers' own rules stay in :mod:`rmsprop_lib.beyond` and :mod:`rmsprop_lib.core.optimizers`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.beyond.schedules import WarmupThenDecay
from rmsprop_lib.core.problems import Problem
from rmsprop_lib.core.runner import minimize
from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import call_update

__all__ = ["play", "rescaled", "rotation", "rotated", "fewest_steps", "decayed", "cycle_drift",
           "predicted_critical_rho", "shifted", "least_squares", "fit", "state_numbers", "first_stretch_below"]


def play(optimizer, grads: ArrayLike, runs: int = 1) -> np.ndarray:
    r"""One weight per run, starting at 0, fed the same sequence of gradients: :math:`x_k = x_{k-1} - u_k(g_k)`.

    The gradient does not depend on :math:`x` (Hinton's example: :math:`+0.1` on nine mini-batches,
    :math:`-0.9` on the tenth), so the runs differ only by the optimizer's hyperparameters, which broadcast
    against shape ``(runs, 1)`` (e.g. ``rho=rhos[:, None]``).

    Args:
        optimizer: any optimizer with ``init`` / ``update``.
        grads: shape ``(steps,)``, the gradient at each step.
        runs: how many weights to run side by side.

    Returns:
        ``x`` after each step, shape ``(steps + 1, runs)``; row 0 is the start, 0.

    Raises:
        ValueError: ``grads`` is not a 1-D sequence of finite numbers, or ``runs`` is below 1.
    """
    grads = np.asarray(grads, dtype=float)
    if grads.ndim != 1 or not np.all(np.isfinite(grads)):
        raise ValueError(f"grads must be a 1-D sequence of finite numbers, got shape {grads.shape}")
    if int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be a whole number >= 1, got {runs!r}")
    x = np.zeros((int(runs), 1))
    state, xs = optimizer.init(x), [x]
    for g in grads:
        updates, state = call_update(optimizer, np.full_like(x, g), state, params=x)
        x = x - updates
        xs.append(x)
    return np.array(xs)[..., 0]


def rescaled(problem: Problem, c: ArrayLike) -> Problem:
    r"""``problem`` in other units, :math:`x = c \odot y`: :math:`\tilde f(y) = f(c \odot y)`, :math:`\nabla\tilde f(y) = c \odot \nabla f(c \odot y)`.

    A coordinate measured in units :math:`c_j` times larger has its gradient multiplied by :math:`c_j` and its
    curvature by :math:`c_j^2`. Points are in the new units ``y``; map a path back with ``xs * c``.

    Args:
        problem: any :class:`Problem`.
        c: the units, shape ``(2,)``, or ``(runs, 2)`` for one pair per run (points of shape ``(..., runs, 2)``).

    Raises:
        ValueError: ``c`` is not positive and finite or its last axis is not 2.
    """
    check.problem("problem", problem)
    c = np.asarray(c, dtype=float)
    if c.shape[-1:] != (2,) or not np.all(np.isfinite(c) & (c > 0)):
        raise ValueError(f"c must be positive and finite with a last axis of 2, got {c!r}")
    return dataclasses.replace(problem, f=lambda p: problem.f(c * p), grad=lambda p: c * problem.grad(c * p))


def rotation(degrees: float) -> np.ndarray:
    r"""The 2-D rotation :math:`R = \begin{pmatrix}\cos a & -\sin a\\ \sin a & \cos a\end{pmatrix}` by ``degrees`` (counter-clockwise), shape ``(2, 2)``."""
    a = np.radians(float(degrees))
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def rotated(problem: Problem, degrees: float) -> Problem:
    r"""``problem`` turned by ``degrees`` about the origin: :math:`\tilde f(p) = f(R^\top p)`, :math:`\nabla\tilde f(p) = R\,\nabla f(R^\top p)`.

    Its minima and start are turned too (:math:`R\,x`), its window widened to :math:`[-6, 6]^2`; :func:`rotation`
    gives :math:`R`. A run on the turned problem by a rotation-equivariant method is the first run turned.

    Raises:
        ValueError: ``degrees`` is not a finite number.
    """
    check.problem("problem", problem)
    if not np.isfinite(degrees):
        raise ValueError(f"degrees must be finite, got {degrees!r}")
    R = rotation(degrees)
    return dataclasses.replace(
        problem, name=f"{problem.name}, turned {degrees:g}°", formula=rf"{problem.formula}\ \mathrm{{turned\ {degrees:g}°}}",
        f=lambda p: problem.f(np.asarray(p) @ R), grad=lambda p: problem.grad(np.asarray(p) @ R) @ R.T,
        minima=problem.minima @ R.T, start=tuple(np.asarray(problem.start) @ R.T), window=((-6.0, 6.0), (-6.0, 6.0)))


def fewest_steps(problem: Problem, make, lrs: ArrayLike, loss: float, steps: int) -> tuple[int, float]:
    r"""The fewest steps to :math:`f \le` ``loss`` over a sweep of learning rates, and the rate that takes them.

    One vectorized run per rate from ``problem.start``: ``make(lr=lrs[:, None])`` for ``steps`` steps.

    Returns:
        ``(steps, lr)``; ``steps`` is ``10**9`` if no rate gets there.

    Raises:
        ValueError: ``lrs`` is not a non-empty 1-D array (the optimizer raises on non-positive rates).
    """
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(f"lrs must be a non-empty 1-D array, got shape {lrs.shape}")
    run = minimize(problem, make(lr=lrs[:, None]), np.tile(problem.start, (lrs.size, 1)), steps)
    reach = run.steps_to_reach(loss)
    reach = np.where(reach < 0, 10**9, reach)
    return int(reach.min()), float(lrs[reach.argmin()])


def decayed(optimizer) -> WarmupThenDecay:
    r"""``optimizer`` at the rate :math:`\eta_k = \eta/\sqrt k` of online convex analysis (``k = 1, 2, ...``).

    ``WarmupThenDecay(optimizer, decay_steps=1, decay_power=0.5)``, as Reddi et al. (2018) and Shi et al. (2021) run it.
    """
    return WarmupThenDecay(optimizer, decay_steps=1, decay_power=0.5)


def cycle_drift(rho: ArrayLike, C: ArrayLike) -> np.ndarray:
    r"""How RMSProp's steady cycle on Reddi et al.'s problem moves :math:`x`, per :math:`\eta_k`: positive means towards :math:`-1`.

    The gradients do not depend on :math:`x`, so :math:`s` soon repeats with period 3 (and once :math:`\eta_k` changes slowly,
    the three steps of a cycle share one rate); with :math:`\sigma_1` its value at the
    :math:`C` step and :math:`\sigma_2, \sigma_3` the next two,

    .. math::
        \sigma_1 = \frac{C^2 + \rho + \rho^2}{1 + \rho + \rho^2}, \quad \sigma_2 = \rho\sigma_1 + 1 - \rho, \quad
        \sigma_3 = \rho\sigma_2 + 1 - \rho, \qquad
        \text{drift} = \frac{C}{\sqrt{\sigma_1}} - \frac{1}{\sqrt{\sigma_2}} - \frac{1}{\sqrt{\sigma_3}} .

    ``rho`` and ``C`` broadcast. Raises ValueError for ``rho`` outside [0, 1) or ``C`` not above 2.
    """
    rho, C = np.asarray(rho, dtype=float), np.asarray(C, dtype=float)
    if not np.all((rho >= 0) & (rho < 1)):
        raise ValueError(f"rho must lie in [0, 1), got {rho!r}")
    if not np.all(C > 2):
        raise ValueError(f"C must be > 2, got {C!r}")
    s1 = (C**2 + rho + rho**2) / (1 + rho + rho**2)
    s2 = rho * s1 + 1 - rho
    s3 = rho * s2 + 1 - rho
    return C / np.sqrt(s1) - 1 / np.sqrt(s2) - 1 / np.sqrt(s3)


def predicted_critical_rho(C: ArrayLike, grid: ArrayLike | None = None) -> np.ndarray:
    r"""Per ``C``: the smallest :math:`\rho` of ``grid`` (default 100,000 values from 0 to 0.9999) where :func:`cycle_drift` > 0.

    Above it RMSProp's cycle drifts towards the best point :math:`-1` (the drift grows with :math:`\rho`).
    Returns shape ``(len(C),)``, NaN where no value of the grid drifts towards :math:`-1` (``C`` very close to 2).

    Raises:
        ValueError: ``C`` not above 2 (from :func:`cycle_drift`).
    """
    grid = np.linspace(0.0, 0.9999, 100_000) if grid is None else np.asarray(grid, dtype=float)
    C = np.atleast_1d(np.asarray(C, dtype=float))[:, None]
    converges = cycle_drift(grid[None, :], C) > 0
    return np.where(converges.any(axis=1), grid[np.argmax(converges, axis=1)], np.nan)


def least_squares(seed: int = 8, examples: int = 200, n: int = 30, m: int = 20) -> tuple[np.ndarray, np.ndarray, float]:
    r"""A least-squares problem :math:`Y \approx XW`, :math:`W` of shape ``(n, m)``, with inputs of very different scales.

    :math:`X` has ``examples`` rows of standard normal inputs, column :math:`j` scaled by the :math:`j`-th of ``n``
    values from 0.1 to 10 (geometric); :math:`Y = X W_\text{true} + 0.1\,\text{noise}`. Seeded.

    Returns:
        ``(X, Y, best_loss)``: shapes ``(examples, n)`` and ``(examples, m)``, and the least loss
        :math:`\min_W \tfrac12\operatorname{mean}\big((XW - Y)^2\big)`.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(examples, n)) * np.geomspace(0.1, 10, n)
    Y = X @ rng.normal(size=(n, m)) + 0.1 * rng.normal(size=(examples, m))
    best_loss = 0.5 * np.mean((X @ np.linalg.lstsq(X, Y, rcond=None)[0] - Y) ** 2)
    return X, Y, float(best_loss)


def fit(optimizer, X: np.ndarray, Y: np.ndarray, best_loss: float, shape: tuple[int, ...], steps: int = 2000):
    r"""Fit :math:`W` to :math:`\tfrac12\operatorname{mean}\big((XW - Y)^2\big)` with ``optimizer``, :math:`W` held in ``shape``.

    :math:`W` starts at 0.1 everywhere (Adafactor's steps are relative to :math:`|W|`); the gradient is
    :math:`X^\top (XW - Y) / (\text{examples} \cdot m)`, reshaped to ``shape``: ``(n, m)`` lets Adafactor factor it,
    ``(n * m,)`` does not.

    Returns:
        ``(gaps, state)``: the loss minus ``best_loss`` after each step, shape ``(steps,)``, and the final state.

    Raises:
        ValueError: ``shape`` does not hold ``n * m`` numbers.
    """
    n, m = X.shape[1], Y.shape[1]
    if int(np.prod(shape)) != n * m:
        raise ValueError(f"shape {shape} does not hold the {n} x {m} weights")
    W = np.full(shape, 0.1)
    state, gaps = optimizer.init(W), []
    for _ in range(steps):
        residual = X @ W.reshape(n, m) - Y
        grad = (X.T @ residual / residual.size).reshape(shape)
        updates, state = call_update(optimizer, grad, state, W)
        W = W - updates
        gaps.append(0.5 * np.mean((X @ W.reshape(n, m) - Y) ** 2) - best_loss)
    return np.array(gaps), state


def state_numbers(state) -> int:
    """How many numbers an optimizer's state holds: the sizes of its arrays (step counters and scalars left out)."""
    return int(sum(np.size(a) for a in state if isinstance(a, np.ndarray)))


def first_stretch_below(a: ArrayLike, b: ArrayLike) -> tuple[int, int]:
    """The first stretch of steps where curve ``a`` lies below curve ``b``: ``(start, end)``, as indices.

    ``a[start:end] < b[start:end]`` holds and ``a[end] >= b[end]`` (``end == len(a)`` if it stays below).

    Raises:
        ValueError: the curves differ in shape, are not 1-D, or ``a`` is never below ``b``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"a and b must be 1-D of one shape, got {a.shape} and {b.shape}")
    under = a < b
    if not under.any():
        raise ValueError("a is never below b")
    start = int(np.argmax(under))
    above = ~under[start:]
    end = start + int(np.argmax(above)) if above.any() else len(a)
    return start, end


def shifted(problem: Problem, centre: ArrayLike, start: ArrayLike = (0.0, 0.0), window=None) -> Problem:
    r"""``problem`` moved so that its minimum lies at ``centre``: :math:`\tilde f(p) = f(p - c)`, started at ``start``.

    ``window`` defaults to the box around ``start`` and ``centre`` with a margin of half a unit.

    Raises:
        ValueError: ``centre`` or ``start`` is not two finite numbers.
    """
    check.problem("problem", problem)
    centre, start = np.asarray(centre, dtype=float), np.asarray(start, dtype=float)
    if centre.shape != (2,) or start.shape != (2,) or not np.all(np.isfinite(centre)) or not np.all(np.isfinite(start)):
        raise ValueError(f"centre and start must be two finite numbers each, got {centre!r} and {start!r}")
    if window is None:
        low, high = np.minimum(centre, start) - 0.5, np.maximum(centre, start) + 0.5
        window = ((float(low[0]), float(high[0])), (float(low[1]), float(high[1])))
    return dataclasses.replace(problem, name=f"{problem.name}, moved", f=lambda p: problem.f(np.asarray(p) - centre),
                               grad=lambda p: problem.grad(np.asarray(p) - centre), minima=problem.minima + centre,
                               start=tuple(start), window=window)
