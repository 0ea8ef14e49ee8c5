r"""Reddi, Kale & Kumar's online convex counterexample (ICLR 2018, Section 3, Theorem 1).

On the interval :math:`\mathcal F = [-1, 1]` a learner meets, at steps
:math:`t = 1, 2, 3, \dots`, the linear losses

.. math::
    f_t(x) = \begin{cases} C\,x & t \bmod 3 = 1 \\ -x & \text{otherwise,} \end{cases}
    \qquad C > 2,

so the gradient is :math:`C` once every three steps and :math:`-1` on the
other two. Over each cycle of three the losses add up to :math:`(C - 2)\,x`:
the best fixed point is :math:`x^\star = -1`. An online method plays
:math:`x_t`, sees :math:`g_t = f_t'(x_t)` and moves, projected back onto
:math:`\mathcal F` (in one dimension projection is clipping):

.. math::
    x_{t+1} = \Pi_{[-1, 1]}\big(x_t - u_t\big), \qquad
    u_t = \text{the optimizer's update for } g_t .

Reddi et al. take Adam with :math:`\beta_1 = 0` (RMSProp with
:math:`\rho = \beta_2`, no bias correction), :math:`\beta_2 = 1/(1 + C^2)`
and :math:`\alpha_t = \alpha/\sqrt t` with :math:`\alpha < \sqrt{1-\beta_2}`,
and prove it converges to :math:`x = +1`, the *worst* point: the large
gradient :math:`C` is quickly forgotten by the small :math:`\beta_2`, so it
moves :math:`x` only about as far as each :math:`-1` does, and the two
:math:`-1` steps win. The average regret

.. math::
    \frac{R_T}{T} = \frac1T \sum_{t=1}^{T} f_t(x_t) - \min_{x \in \mathcal F} \frac1T \sum_{t=1}^{T} f_t(x)

then stays away from 0 (Theorem 1). (The proof starts at :math:`x_1 = 1`,
without loss of generality; :func:`run` lets you choose.) AMSGrad
(:class:`rmsprop_lib.AMSGrad`) keeps the largest average of :math:`g^2`
and converges to :math:`-1`; Shi, Li, Hong & Sun (ICLR 2021) show that
RMSProp/Adam converge once :math:`\beta_2` (:math:`\rho`) is close enough to 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import call_update, init_runs

__all__ = ["gradient", "loss", "run", "OnlineRun", "critical_beta2"]


def _check_c(C: ArrayLike) -> np.ndarray:
    check.positive("C", C)
    if not np.all(np.asarray(C, dtype=float) > 2):
        raise ValueError(f"C must be > 2 (otherwise x = +1 is the best point and nothing fails), got {C!r}")
    return np.asarray(C, dtype=float)


def gradient(t: ArrayLike, C: ArrayLike) -> np.ndarray:
    r"""The gradient :math:`f_t'(x)`: ``C`` where ``t % 3 == 1``, ``-1`` elsewhere (``t`` from 1); broadcasts."""
    return np.where(np.asarray(t) % 3 == 1, np.asarray(C, dtype=float), -1.0)


def loss(t: ArrayLike, C: ArrayLike, x: ArrayLike) -> np.ndarray:
    r"""The loss :math:`f_t(x) = f_t'\, x` (the losses are linear); broadcasts."""
    return gradient(t, C) * np.asarray(x, dtype=float)


def critical_beta2(C: ArrayLike) -> np.ndarray | float:
    r"""Reddi et al.'s :math:`\beta_2 = 1/(1 + C^2)`, for which Adam with :math:`\beta_1 = 0` goes to :math:`+1`."""
    C = _check_c(C)
    value = 1.0 / (1.0 + C * C)
    return float(value) if value.ndim == 0 else value


class OnlineRun(NamedTuple):
    xs: np.ndarray  # x_1 .. x_{T+1}, shape (steps + 1, *batch)
    regret: np.ndarray  # regret[t - 1] = R_t / t, the average regret after t steps, shape (steps, *batch)


def run(optimizer, C: ArrayLike, steps: int, x0: ArrayLike = 0.0) -> OnlineRun:
    r"""Play the counterexample for ``steps`` steps with ``optimizer``, projecting onto [-1, 1].

    Args:
        optimizer: any optimizer of the library (``init`` / ``update``); its
            hyperparameters must broadcast to the runs' shape, e.g. ``rho``
            of shape ``(R, 1)`` against ``C`` of shape ``(1, K)``. Wrap it in
            :class:`~rmsprop_lib.beyond.schedules.WarmupThenDecay` with
            ``decay_steps=1, decay_power=0.5`` for the paper's
            :math:`\alpha/\sqrt t`.
        C: the large gradient, > 2; a scalar or an array (one per run).
        steps: :math:`T`, an integer >= 0.
        x0: the start :math:`x_1` in [-1, 1], default 0; a scalar or an array.

    Returns:
        :class:`OnlineRun`: ``xs[t - 1]`` is :math:`x_t`, and the average
        regret after each step; the runs' shape is the broadcast of
        ``np.shape(C)`` and ``np.shape(x0)``.

    Raises:
        TypeError: ``optimizer`` is not an optimizer object, or a value of
            the wrong type (named).
        ValueError: ``C <= 2``, ``x0`` outside [-1, 1], a bad ``steps`` or
            hyperparameter shapes that do not broadcast (named).
    """
    check.optimizer("optimizer", optimizer)
    C = _check_c(C)
    steps = check.step_count("steps", steps)
    x0 = _check_start(x0)
    x = np.broadcast_to(x0, np.broadcast_shapes(C.shape, x0.shape)).astype(float)
    C = np.broadcast_to(C, x.shape)
    state = init_runs(optimizer, x, run_ndim=x.ndim - 1)

    xs = np.empty((steps + 1, *x.shape))
    xs[0] = x
    played = np.zeros(x.shape)  # sum of f_s(x_s)
    slope = np.zeros(x.shape)  # sum of f_s' (the sum of losses is slope * x)
    regret = np.empty((steps, *x.shape))
    for t in range(1, steps + 1):
        g = gradient(t, C)
        played += g * x
        slope += g
        regret[t - 1] = (played + np.abs(slope)) / t  # min over [-1, 1] of slope * x is -|slope|
        updates, state = call_update(optimizer, g, state, params=x)
        x = xs[t] = np.clip(x - updates, -1.0, 1.0)
    return OnlineRun(xs, regret)


def _check_start(x0: ArrayLike) -> np.ndarray:
    x0 = check.real_array("x0", x0)  # real numbers (TypeError otherwise)
    if not (np.all(np.isfinite(x0)) and np.all(np.abs(x0) <= 1)):
        raise ValueError(f"x0 must be in [-1, 1] (the feasible set), got {x0!r}")
    return x0.astype(float)
