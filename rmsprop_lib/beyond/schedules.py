r"""Learning-rate schedules: warm-up, then decay, around any optimizer.

:class:`WarmupThenDecay` wraps an optimizer and multiplies its update
number :math:`k = 0, 1, 2, \dots` by

.. math::
    \phi(k) = \underbrace{\min\!\Big(1, \frac{k+1}{k_w}\Big)}_{\text{linear warm-up}}
              \cdot
              \underbrace{\Big(1 + \frac{\max(0,\, k - k_w)}{k_0}\Big)^{-p}}_{\text{decay}},

so the optimizer itself stays unchanged. Warm-up ramps the rate from
:math:`\eta/k_w` to :math:`\eta` over the first :math:`k_w` steps (it tames
RMSProp's large first steps, taken while its average of :math:`g^2` is still
small); the decay then lowers it polynomially: :math:`p = 1` is inverse-time
decay (:class:`rmsprop_lib.experiments.stochastic.InverseTimeDecay` is this with
:math:`k_w = 0`), :math:`p = 1/2` with :math:`k_0 = 1` is
:math:`\eta/\sqrt t` (:math:`t = k + 1`), the rate of Reddi et al.'s and
Shi et al.'s analyses.

For every optimizer whose update is proportional to ``lr`` (SGD, Momentum,
AdaGrad, RMSProp, Adam, AMSGrad, AdamW, Lion, FullMatrixRMSProp) this is
the same as changing ``lr`` at every step, as ``torch.optim.lr_scheduler``
(e.g. ``LambdaLR(opt, phi)``) does. For Rprop and Adafactor it scales the
whole step, which torch's schedulers do not (they change Rprop's initial
step size and Adafactor's cap :math:`\rho_t` only).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import call_update, uses_params

__all__ = ["WarmupThenDecay", "ScheduleState"]


class ScheduleState(NamedTuple):
    step: int  # k, the number of updates already taken
    inner: Any  # the wrapped optimizer's state


class WarmupThenDecay:
    r"""Any optimizer with a linear warm-up and a polynomial decay of its updates (see the module).

    Args:
        optimizer: an object with ``init(params)`` and ``update(grad,
            state)`` (and ``params=`` if it has ``uses_params = True``:
            the wrapper passes them on and has the same ``uses_params``).
        warmup_steps: :math:`k_w`, an integer >= 0 (0: no warm-up).
        decay_steps: :math:`k_0 > 0`, or None for no decay; may be an
            array of shape ``(B, 1)``, one per run.
        decay_power: :math:`p \ge 0`, default 1 (inverse time); may be an
            array, one per run.

    Raises:
        TypeError: ``optimizer`` is not an optimizer object (e.g. a class).
        ValueError: a value out of range (named) or not broadcasting to the
            parameters' shape in ``init``.
    """

    def __init__(self, optimizer, warmup_steps: int = 0, decay_steps: ArrayLike | None = None, decay_power: ArrayLike = 1.0):
        self.optimizer = check.optimizer("optimizer", optimizer)
        self.uses_params = uses_params(optimizer)
        self.warmup_steps = check.step_count("warmup_steps", warmup_steps)
        self.decay_steps = None if decay_steps is None else check.positive("decay_steps", decay_steps)
        self.decay_power = check.non_negative("decay_power", decay_power)

    def factor(self, k: ArrayLike) -> np.ndarray | float:
        r"""The multiplier :math:`\phi(k)` of update number ``k`` (from 0); ``k`` may be an array (for plots)."""
        k = np.asarray(k, dtype=float)
        warm = np.minimum(1.0, (k + 1) / self.warmup_steps) if self.warmup_steps else 1.0
        if self.decay_steps is None:
            return warm * np.ones_like(k) if k.ndim else float(warm)  # shape of k
        decay = (1 + np.maximum(0.0, k - self.warmup_steps) / np.asarray(self.decay_steps, dtype=float)) ** -np.asarray(self.decay_power, dtype=float)
        return warm * decay

    def init(self, params: ArrayLike) -> ScheduleState:
        for name in ("decay_steps", "decay_power"):
            if getattr(self, name) is not None:
                check.broadcasts_to(name, getattr(self, name), np.shape(params))
        return ScheduleState(0, self.optimizer.init(params))

    def update(self, grad: ArrayLike, state: ScheduleState, params: ArrayLike | None = None) -> tuple[np.ndarray, ScheduleState]:
        updates, inner = call_update(self.optimizer, grad, state.inner, params)
        factor = self.factor(state.step)
        factor = float(factor) if np.ndim(factor) == 0 else np.asarray(factor, updates.dtype)  # keeps float32 float32
        return updates * factor, ScheduleState(state.step + 1, inner)

    def __repr__(self) -> str:
        return (f"WarmupThenDecay({self.optimizer!r}, warmup_steps={self.warmup_steps}, "
                f"decay_steps={self.decay_steps!r}, decay_power={self.decay_power!r})")
