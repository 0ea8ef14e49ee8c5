r"""Sign-based optimizers: Rprop, RMSProp's ancestor, and Lion, a recent descendant.

Both step by a fixed amount per coordinate in the direction of a sign, so the
size of the gradient does not set the size of the step:

- :class:`Rprop` (Riedmiller & Braun, 1993) uses the sign of the current
  gradient and adapts a step size per weight: grown while the sign stays,
  shrunk when it flips. It needs full-batch gradients: on mini-batches the
  signs of small and large gradients count the same (Hinton's lecture 6e,
  2012, the origin of RMSProp).
- :class:`Lion` (Chen et al., 2023) uses the sign of a momentum-like
  average, so every coordinate moves by exactly ``lr`` per step.

Same interface as :mod:`rmsprop_lib.core.optimizers`: ``init(params)``,
``update(grad, state)`` returning ``(updates, new_state)``, and
``params - updates`` is the new position. Hyperparameters may be arrays that
broadcast against the parameters (one value per run).

Numerics as in :mod:`rmsprop_lib.core.optimizers` (its policy's rules 1-4):
state in the parameters' dtype but at least float32, hyperparameters never
change it, a NaN or inf gradient gives NaN steps there from then on, and a
finite gradient whose square overflows raises ``FloatingPointError``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import gradient, in_dtype, params_for_decay
from rmsprop_lib.core.optimizers import _Optimizer, _zeros_like

__all__ = ["Rprop", "Lion"]


# ------------------------------------------------------------------------- Rprop


class RpropState(NamedTuple):
    prev_grad: np.ndarray  # g_{t-1}, set to 0 where the sign flipped
    step_size: np.ndarray  # Delta_t, one per parameter; starts at lr


class Rprop(_Optimizer):
    r"""Rprop (Riedmiller & Braun, 1993): the sign of the gradient times a step size per weight.

    .. math::
        s = \operatorname{sign}(g_t\, g_{t-1}), \qquad
        \Delta_t = \operatorname{clip}\big(\Delta_{t-1} \cdot
            \{\eta^+ \text{ if } s > 0,\ \eta^- \text{ if } s < 0,\ 1 \text{ if } s = 0\},
            \ \Delta_{\min}, \Delta_{\max}\big),

        g_t \leftarrow 0 \text{ where } s < 0, \qquad
        u_t = \Delta_t \operatorname{sign}(g_t),

    with :math:`g_0 = 0` and :math:`\Delta_0 = \text{lr}`. After a sign
    change the step is skipped and the next step counts as a fresh start
    (``prev_grad`` is 0 there). This is torch's variant (Rprop without the
    original paper's weight backtracking, "Rprop-" in Igel & Hüsken, 2000).

    Shapes: any; the state has the parameters' shape.

    Args:
        lr: the initial step size :math:`\Delta_0 > 0`.
        eta_minus: the shrink factor, :math:`0 < \eta^- < 1` (paper: 0.5).
        eta_plus: the growth factor, :math:`\eta^+ > 1` (paper: 1.2).
        step_min, step_max: bounds of :math:`\Delta`,
            :math:`0 < \Delta_{\min} \le \Delta_{\max}` (paper: 1e-6, 50).

    Raises:
        ValueError: a hyperparameter out of its range (the message names it),
            or a gradient of another shape than the parameters.

    torch: ``torch.optim.Rprop(params, lr, etas=(eta_minus, eta_plus),
    step_sizes=(step_min, step_max))``, the same defaults (torch: lr=0.01).
    A learning-rate schedule scales the steps here, not only
    :math:`\Delta_0` as torch's schedulers do.
    """

    _hyperparameters = ("lr", "eta_minus", "eta_plus", "step_min", "step_max")
    _repr_fields = _hyperparameters

    def __init__(self, lr: ArrayLike, eta_minus: ArrayLike = 0.5, eta_plus: ArrayLike = 1.2,
                 step_min: ArrayLike = 1e-6, step_max: ArrayLike = 50.0):
        self.lr = check.positive("lr", lr)
        self.eta_minus = check.positive("eta_minus", eta_minus)
        if not np.all(np.asarray(eta_minus) < 1):
            raise ValueError(f"eta_minus must be in (0, 1), got {eta_minus!r}")
        self.eta_plus = check.positive("eta_plus", eta_plus)
        if not np.all(np.asarray(eta_plus) > 1):
            raise ValueError(f"eta_plus must be > 1, got {eta_plus!r}")
        self.step_min = check.positive("step_min", step_min)
        self.step_max = check.positive("step_max", step_max)
        if not np.all(np.asarray(step_min) <= np.asarray(step_max)):
            raise ValueError(f"step_min must be <= step_max, got step_min={step_min!r}, step_max={step_max!r}")

    def init(self, params: ArrayLike) -> RpropState:
        self._check_shapes(params)
        zeros = _zeros_like(params)
        return RpropState(zeros, zeros + in_dtype(self.lr, zeros.dtype))

    @check.policy
    def update(self, grad: ArrayLike, state: RpropState) -> tuple[np.ndarray, RpropState]:
        g = gradient(grad, state.prev_grad)
        eta_minus, eta_plus, step_min, step_max = (in_dtype(getattr(self, name), g.dtype) for name in self._hyperparameters[1:])
        s = np.sign(g * state.prev_grad)
        factor = np.where(s > 0, eta_plus, np.where(s < 0, eta_minus, 1)).astype(g.dtype)  # np.where makes float64
        step_size = np.clip(state.step_size * factor, step_min, step_max)
        step_size = np.where(np.isfinite(g), step_size, np.nan)  # a NaN or inf gradient: NaN steps there from now on
        g = np.where(s < 0, 0, g)  # skip the step after a sign change
        return check.like_grad(step_size * np.sign(g), grad), RpropState(g, step_size)


# -------------------------------------------------------------------------- Lion


class LionState(NamedTuple):
    momentum: np.ndarray  # m: leaky average of g with rate beta2


class Lion(_Optimizer):
    r"""Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2).

    .. math::
        c_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        u_t = \text{lr}\,\big(\operatorname{sign}(c_t) + \lambda\, \theta_{t-1}\big),

        m_t = \beta_2 m_{t-1} + (1 - \beta_2) g_t .

    The direction interpolates between the gradient and the momentum with
    :math:`\beta_1`, the momentum is tracked with the slower :math:`\beta_2`.
    Without weight decay every coordinate moves by exactly lr (0 where
    :math:`c_t = 0`): the paper advises an lr 3-10x smaller than AdamW's
    and a weight decay :math:`\lambda` 3-10x larger.

    Shapes: any; the state has the parameters' shape.

    Args:
        lr: > 0 (the paper's 1e-4 for large models).
        beta1: in [0, 1), paper default 0.9.
        beta2: in [0, 1), paper default 0.99.
        weight_decay: :math:`\lambda \ge 0`, decoupled as in AdamW (scaled
            by lr); default 0.

    ``update(grad, state, params=None)``: ``params`` (the current
    :math:`\theta_{t-1}`) is needed only when ``weight_decay > 0``;
    ``uses_params = True`` tells :func:`~rmsprop_lib.core.runner.minimize` to
    pass it.

    Raises:
        ValueError: a hyperparameter out of range, a gradient or params of
            another shape, or ``params`` missing when ``weight_decay > 0``.

    torch: none in ``torch.optim`` (the paper's code is in JAX/optax:
    ``optax.lion``).
    """

    uses_params = True
    _hyperparameters = ("lr", "beta1", "beta2", "weight_decay")
    _repr_fields = _hyperparameters

    def __init__(self, lr: ArrayLike, beta1: ArrayLike = 0.9, beta2: ArrayLike = 0.99, weight_decay: ArrayLike = 0.0):
        self.lr = check.positive("lr", lr)
        self.beta1 = check.unit_interval("beta1", beta1)
        self.beta2 = check.unit_interval("beta2", beta2)
        self.weight_decay = check.non_negative("weight_decay", weight_decay)

    def init(self, params: ArrayLike) -> LionState:
        self._check_shapes(params)
        return LionState(_zeros_like(params))

    @check.policy
    def update(self, grad: ArrayLike, state: LionState, params: ArrayLike | None = None) -> tuple[np.ndarray, LionState]:
        g = gradient(grad, state.momentum)
        theta = params_for_decay(params, self.weight_decay, state.momentum, "Lion")
        lr, b1, b2, wd = (in_dtype(getattr(self, name), g.dtype) for name in self._hyperparameters)
        c = b1 * state.momentum + (1 - b1) * g
        direction = np.where(np.isfinite(c), np.sign(c), np.nan)  # after a NaN or inf gradient: NaN, not a silent +-1
        if theta is not None:
            direction = direction + wd * theta
        return check.like_grad(lr * direction, grad), LionState(b2 * state.momentum + (1 - b2) * g)
