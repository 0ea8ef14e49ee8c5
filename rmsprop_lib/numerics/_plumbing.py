"""Shared plumbing of the optimizers and the loops that call them (not public).

:mod:`sign_methods`, :mod:`adam_variants` and :mod:`preconditioners` need
the same three small things, by the numerics policy of
:mod:`rmsprop_lib.core.optimizers`: a gradient checked and in the state's dtype,
hyperparameters that never change that dtype (Python numbers stay "weak",
arrays are cast), and the parameters that weight decay needs.

Every loop or wrapper that calls an optimizer (``minimize``,
``minimize_stochastic``, ``minimize_shared_batches``, ``updates_at``,
``train``, ``Stacked``, ``WarmupThenDecay``, ``online.run``, and so the
explorers built on them) calls it through :func:`call_update`, the one place
that knows which optimizers need the parameters (optax's convention
``update(grad, state, params)``); ``tests/test_entry_points.py`` fails on a
direct ``.update(`` call anywhere else in the library. Every loop that runs a
batch of runs starts its optimizer with :func:`init_runs`, which refuses an
optimizer whose state would mix those runs.
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


def wrapped(optimizer) -> list:
    """The optimizer and every optimizer inside it: ``WarmupThenDecay``'s ``optimizer``, ``Stacked``'s ``optimizers``."""
    inner = getattr(optimizer, "optimizers", None) or [getattr(optimizer, "optimizer", None)]
    return [optimizer] + [found for opt in inner if opt is not None for found in wrapped(opt)]


def init_runs(optimizer, params: np.ndarray, run_ndim: int):
    """``optimizer.init(params)`` for a loop whose runs are the first ``run_ndim`` axes of ``params``.

    Optimizers whose state mixes the entries of one tensor (Adafactor's row
    and column averages and its RMS over each run's tensor) treat the first
    ``batch_ndim`` axes as runs and the rest as one tensor. With
    ``batch_ndim`` below ``run_ndim`` the loop's runs would share that state:
    each run's steps would depend on the others, silently.

    Raises:
        ValueError: an optimizer (or one wrapped inside it) has
            ``batch_ndim < run_ndim`` while those axes hold more than one
            run; the message names ``batch_ndim`` and the value to pass.
    """
    state = optimizer.init(params)  # first: its own errors (e.g. Adafactor's per-run lr) name the hyperparameter
    shape = np.shape(params)
    for opt in wrapped(optimizer):
        batch_ndim = getattr(opt, "batch_ndim", None)
        if batch_ndim is not None and batch_ndim < run_ndim and int(np.prod(shape[batch_ndim:run_ndim])) > 1:
            raise ValueError(
                f"{type(opt).__name__} has batch_ndim={batch_ndim}, but the parameters have shape {shape} with "
                f"{int(np.prod(shape[:run_ndim]))} runs along the first {run_ndim} axes: its averages and RMS over "
                f"each tensor would mix the runs, silently coupling them. Pass batch_ndim={run_ndim} "
                f"(e.g. {type(opt).__name__}(..., batch_ndim={run_ndim})), one run per point"
            )
    return state


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
                         "them: minimize, minimize_stochastic, train, online.run, updates_at, WarmupThenDecay, Stacked)")
    params = check.parameters("params", params)  # real numbers (TypeError otherwise)
    if np.shape(params) != like.shape:
        raise ValueError(f"params has shape {np.shape(params)}, but the optimizer state has shape {like.shape}; "
                         "pass the parameters given to init() (their current values)")
    return params.astype(like.dtype, copy=False)
