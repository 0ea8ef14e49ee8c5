"""Shared plumbing of the optimizers and the loops that call them (not public).

:mod:`sign_methods`, :mod:`adam_variants` and :mod:`preconditioners` need
the same three small things, by the numerics policy of
:mod:`rmsprop_lib.core.optimizers`: a gradient checked and in the state's dtype,
hyperparameters that never change that dtype (Python numbers stay "weak",
arrays are cast), and the parameters that weight decay needs.

Every loop or wrapper that calls an optimizer (``minimize``,
``minimize_stochastic``, ``train``, ``Stacked``, ``WarmupThenDecay``,
``online.run``, and so the explorers built on them) calls it through
:func:`call_update`, the one place that knows which optimizers need the
parameters (optax's convention ``update(grad, state, params)``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check


in_dtype = check.in_dtype  # a hyperparameter for arithmetic in a dtype: Python numbers as they are, arrays cast


def uses_params(optimizer) -> bool:
    """Whether ``optimizer.update`` needs the current parameters: its ``uses_params`` attribute (default False).

    True for AdamW, Lion, Adafactor and for wrappers around one of them
    (``WarmupThenDecay``, ``Stacked``), which pass them on.
    """
    return bool(getattr(optimizer, "uses_params", False))


def call_update(optimizer, grad, state, params):
    """One step of any optimizer: ``optimizer.update(grad, state)``, plus ``params=params`` if it uses them.

    ``params`` are the current parameters :math:`\\theta_{t-1}` (the
    ones the gradient was taken at), shape as given to ``init``; optimizers
    without ``uses_params`` never see them, so any object with
    ``init(params)`` and ``update(grad, state)`` works. Returns
    ``(updates, new_state)``.
    """
    if uses_params(optimizer):
        return optimizer.update(grad, state, params=params)
    return optimizer.update(grad, state)


def gradient(grad: ArrayLike, like: np.ndarray) -> np.ndarray:
    """``grad`` checked against the state array ``like`` (real numbers, same shape), in its dtype."""
    return check.gradient(grad, like.shape, like.dtype)


def params_for_decay(params: ArrayLike | None, weight_decay, like: np.ndarray, name: str) -> np.ndarray | None:
    """The parameters weight decay needs, checked; None when ``weight_decay`` is 0 everywhere.

    Raises:
        ValueError: ``params`` is None although ``weight_decay > 0`` (the
            optax convention ``update(grad, state, params)``), or it has
            another shape than the state ``like``.
    """
    if not np.any(np.asarray(weight_decay) != 0):
        return None
    return parameters(params, like, f"{name} with weight_decay > 0 needs the current parameters")


def parameters(params: ArrayLike | None, like: np.ndarray, why: str) -> np.ndarray:
    """The current parameters passed to ``update``, checked against the state ``like``, in its dtype.

    Raises:
        ValueError: ``params`` is None (the message says ``why`` they are
            needed) or has another shape than ``like``.
    """
    if params is None:
        raise ValueError(f"params is required: {why}, update(grad, state, params=x) (every loop of the library passes "
                         "them: minimize, minimize_stochastic, train, online.run, WarmupThenDecay, Stacked)")
    params = check.parameters("params", params)  # real numbers (TypeError otherwise)
    if np.shape(params) != like.shape:
        raise ValueError(f"params has shape {np.shape(params)}, but the optimizer state has shape {like.shape}; "
                         "pass the parameters given to init() (their current values)")
    return params.astype(like.dtype, copy=False)
