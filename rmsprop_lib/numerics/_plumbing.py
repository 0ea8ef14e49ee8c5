"""Shared plumbing of the optimizer modules added for notebook 08 (not public).

:mod:`sign_methods`, :mod:`adam_variants` and :mod:`preconditioners` need
the same three small things, by the numerics policy of
:mod:`rmsprop_lib.core.optimizers`: a gradient checked and in the state's dtype,
hyperparameters that never change that dtype (Python numbers stay "weak",
arrays are cast), and the parameters that weight decay needs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check


in_dtype = check.in_dtype  # a hyperparameter for arithmetic in a dtype: Python numbers as they are, arrays cast


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
        raise ValueError(f"params is required: {why}, update(grad, state, params=x) (minimize passes them)")
    params = check.parameters("params", params)  # real numbers (TypeError otherwise)
    if np.shape(params) != like.shape:
        raise ValueError(f"params has shape {np.shape(params)}, but the optimizer state has shape {like.shape}; "
                         "pass the parameters given to init() (their current values)")
    return params.astype(like.dtype, copy=False)
