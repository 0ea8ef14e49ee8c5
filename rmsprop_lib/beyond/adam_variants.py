r"""Two repairs of Adam: AMSGrad (convergence) and AdamW (weight decay).

- :class:`AMSGrad` (Reddi, Kale & Kumar, 2018) divides by the largest
  second-moment average seen so far, so the effective step never grows.
  Reddi et al. show that Adam and RMSProp can converge to the *worst* point
  of a simple online convex problem (:mod:`rmsprop_lib.experiments.online`) when the
  second-moment decay is small; AMSGrad cannot.
- :class:`AdamW` (Loshchilov & Hutter, 2019) decays the weights directly,
  beside the adaptive step, instead of adding :math:`\lambda\theta` to the
  gradient, where Adam's division would weaken it for weights with large
  gradients. :func:`l2_regularized` builds the other option, L2
  regularisation inside the loss, for comparison.

Same interface as :mod:`rmsprop_lib.core.optimizers`; :class:`AdamW` takes the
current parameters as ``update(grad, state, params)`` (optax's convention).

Numerics as in :mod:`rmsprop_lib.core.optimizers` (its policy's rules 1-4):
state in the parameters' dtype but at least float32, hyperparameters never
change it, a NaN or inf gradient gives NaN steps there from then on, and a
finite gradient whose square overflows raises ``FloatingPointError``.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import gradient, in_dtype, params_for_decay
from rmsprop_lib.core.optimizers import Adam, AdamState, _Optimizer, _zeros_like
from rmsprop_lib.core.problems import Problem

__all__ = ["AMSGrad", "AdamW", "l2_regularized"]


# ----------------------------------------------------------------------- AMSGrad


class AMSGradState(NamedTuple):
    step: int  # t, the number of updates taken so far
    mean: np.ndarray  # m: leaky average of g
    mean_sq: np.ndarray  # v: leaky average of g^2
    max_mean_sq: np.ndarray  # v-hat: the largest v so far


class AMSGrad(_Optimizer):
    r"""AMSGrad (Reddi, Kale & Kumar, 2018): Adam dividing by the largest average so far.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad
        \hat v_t = \max(\hat v_{t-1}, v_t),

        u_t = \frac{\text{lr}}{1-\beta_1^t}\,
              \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon}
        \quad\text{(bias\_correction=True, torch's form)}

        u_t = \text{lr}\, \frac{m_t}{\sqrt{\hat v_t} + \epsilon}
        \quad\text{(bias\_correction=False, the paper's Algorithm 2)}

    The maximum is taken over the uncorrected :math:`v_t`, so
    :math:`\sqrt{\hat v_t}` never decreases. With :math:`\beta_1 = 0` and
    ``bias_correction=False`` this is RMSProp (:math:`\rho = \beta_2`) with
    the max.

    Shapes: any; the state has the parameters' shape.

    Args:
        lr: > 0. beta1, beta2: in [0, 1), defaults 0.9 and 0.999.
        eps: >= 0, default 1e-8. bias_correction: see above, default True.

    Raises:
        ValueError: a hyperparameter out of range (named), a gradient of
            another shape.

    torch: ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps,
    amsgrad=True)`` (torch's lr default 1e-3).
    """

    _hyperparameters = ("lr", "beta1", "beta2", "eps")
    _repr_fields = ("lr", "beta1", "beta2", "eps", "bias_correction")

    def __init__(self, lr: ArrayLike, beta1: ArrayLike = 0.9, beta2: ArrayLike = 0.999, eps: ArrayLike = 1e-8,
                 bias_correction: bool = True):
        self.lr = check.positive("lr", lr)
        self.beta1 = check.unit_interval("beta1", beta1)
        self.beta2 = check.unit_interval("beta2", beta2)
        self.eps = check.non_negative("eps", eps)
        self.bias_correction = check.flag("bias_correction", bias_correction)

    def init(self, params: ArrayLike) -> AMSGradState:
        self._check_shapes(params)
        zeros = _zeros_like(params)
        return AMSGradState(0, zeros, zeros, zeros)

    @check.policy
    def update(self, grad: ArrayLike, state: AMSGradState) -> tuple[np.ndarray, AMSGradState]:
        g = gradient(grad, state.mean)
        lr, b1, b2, eps = (in_dtype(getattr(self, name), g.dtype) for name in self._hyperparameters)
        t = state.step + 1
        mean = b1 * state.mean + (1 - b1) * g
        mean_sq = b2 * state.mean_sq + (1 - b2) * (g * g)
        check.squares_fit(g, mean_sq, state.mean_sq, eps, numerator=mean)  # no overflow; no underflow eps cannot hide
        max_mean_sq = np.maximum(state.max_mean_sq, mean_sq)
        if self.bias_correction:
            denominator = np.sqrt(max_mean_sq) / (1 - b2**t) ** 0.5 + eps  # ** 0.5: a Python float keeps float32
            numerator = lr / (1 - b1**t) * mean
        else:
            denominator, numerator = np.sqrt(max_mean_sq) + eps, lr * mean
        updates = check.ratio(numerator, denominator, eps)  # 0/0 is 0 (eps = 0), x/inf is NaN
        return check.like_grad(updates, grad), AMSGradState(t, mean, mean_sq, max_mean_sq)


# ------------------------------------------------------------------------- AdamW


class AdamW(_Optimizer):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

    .. math::
        u_t = \text{lr}\,\lambda\,\theta_{t-1}
              + \underbrace{\frac{\text{lr}}{1-\beta_1^t}\,
              \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}}_{\text{Adam's update}}

    with :math:`m_t, v_t` as in :class:`~rmsprop_lib.core.optimizers.Adam`. The
    decay pulls every weight towards 0 by the same fraction
    :math:`\text{lr}\,\lambda` per step, whatever its gradients; L2
    regularisation (:func:`l2_regularized`) instead adds
    :math:`\lambda\theta` to the gradient, which Adam then divides by
    :math:`\sqrt{v_t}`. The paper writes the decay as
    :math:`\eta_t \lambda \theta` with a schedule multiplier :math:`\eta_t`
    and :math:`\lambda` not multiplied by the learning rate :math:`\alpha`;
    torch and optax multiply by lr, as here: the paper's :math:`\lambda`
    is ``lr * weight_decay``.

    Shapes: any; the state (:class:`~rmsprop_lib.core.optimizers.AdamState`) has
    the parameters' shape.

    Args:
        lr: > 0. beta1, beta2: in [0, 1), defaults 0.9, 0.999. eps: >= 0,
            default 1e-8. weight_decay: :math:`\lambda \ge 0`, default 1e-2
            (torch's).

    ``update(grad, state, params=None)``: ``params`` (the current
    :math:`\theta_{t-1}`) is required when ``weight_decay > 0``;
    ``uses_params = True`` tells :func:`~rmsprop_lib.core.runner.minimize` to
    pass it.

    Raises:
        ValueError: a hyperparameter out of range (named), a gradient or
            params of another shape, ``params`` missing while
            ``weight_decay > 0``.

    torch: ``torch.optim.AdamW(params, lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay)`` (torch multiplies the parameters by
    :math:`1 - \text{lr}\lambda` before Adam's step: the same position).
    """

    uses_params = True
    _hyperparameters = ("lr", "beta1", "beta2", "eps", "weight_decay")
    _repr_fields = _hyperparameters

    def __init__(self, lr: ArrayLike, beta1: ArrayLike = 0.9, beta2: ArrayLike = 0.999, eps: ArrayLike = 1e-8,
                 weight_decay: ArrayLike = 1e-2):
        self.adam = Adam(lr, beta1, beta2, eps)  # checks lr, beta1, beta2, eps
        self.lr, self.beta1, self.beta2, self.eps = self.adam.lr, self.adam.beta1, self.adam.beta2, self.adam.eps
        self.weight_decay = check.non_negative("weight_decay", weight_decay)

    def init(self, params: ArrayLike) -> AdamState:
        self._check_shapes(params)
        return self.adam.init(params)

    def update(self, grad: ArrayLike, state: AdamState, params: ArrayLike | None = None) -> tuple[np.ndarray, AdamState]:
        theta = params_for_decay(params, self.weight_decay, state.mean, "AdamW")
        updates, state = self.adam.update(grad, state)
        if theta is not None:
            lr, wd = in_dtype(self.lr, theta.dtype), in_dtype(self.weight_decay, theta.dtype)
            updates = check.like_grad(updates + lr * wd * theta, grad)
        return updates, state


# ------------------------------------------------------------ L2 regularisation


def l2_regularized(problem: Problem, weight: float, minima: ArrayLike | None = None) -> Problem:
    r"""``problem`` plus an L2 penalty: :math:`f(\theta) + \frac{\lambda}{2}\|\theta\|^2`.

    The gradient becomes :math:`\nabla f(\theta) + \lambda\theta`, so any
    optimizer run on it does "L2 regularisation inside the optimizer" (what
    ``weight_decay=`` means in ``torch.optim.Adam``), to compare with
    :class:`AdamW`'s decoupled decay.

    Args:
        problem: a :class:`~rmsprop_lib.core.problems.Problem`.
        weight: :math:`\lambda \ge 0`.
        minima: the penalised problem's minimizers, shape ``(k, 2)``, if
            you know them (the penalty moves the original ones); None
            leaves them empty (``min_value`` is then ``-inf``).

    Returns:
        A new ``Problem`` named ``"<name> + L2"``.

    Raises:
        ValueError: ``weight`` negative or not finite.
    """
    weight = check.non_negative("weight", weight)
    if np.ndim(weight):
        raise ValueError(f"weight must be a single number, got an array of shape {np.shape(weight)}")

    def f(points):
        points = np.asarray(points, dtype=float)
        return problem.f(points) + 0.5 * weight * (points * points).sum(axis=-1)

    def grad(points):
        points = np.asarray(points, dtype=float)
        return problem.grad(points) + weight * points

    return dataclasses.replace(problem, name=f"{problem.name} + L2", formula=rf"{problem.formula} + \tfrac{{{weight:g}}}{{2}}\|\theta\|^2",
                               f=f, grad=grad, minima=np.empty((0, 2)) if minima is None else check.points("minima", minima).reshape(-1, 2))
