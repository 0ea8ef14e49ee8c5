"""Input checks shared by the optimizers and the runner.

Every check raises a ``ValueError`` that names the offending parameter and
its valid range, so a learner never meets a deep NumPy traceback or a silent
NaN instead. Hyperparameters may be Python numbers or NumPy arrays (one value
per run, broadcast against the parameters).
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike


def _as_float_array(name: str, value: ArrayLike) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return array


def _describe(array: np.ndarray) -> str:
    return f"{array.item():g}" if array.ndim == 0 else f"values from {array.min():g} to {array.max():g}"


def positive(name: str, value: ArrayLike):
    """Check ``value > 0`` (finite) everywhere; return it unchanged."""
    array = _as_float_array(name, value)
    if np.any(array <= 0):
        raise ValueError(f"{name} must be > 0, got {_describe(array)}")
    return value


def non_negative(name: str, value: ArrayLike):
    """Check ``value >= 0`` (finite) everywhere; return it unchanged."""
    array = _as_float_array(name, value)
    if np.any(array < 0):
        raise ValueError(f"{name} must be >= 0, got {_describe(array)}")
    return value


def unit_interval(name: str, value: ArrayLike):
    """Check ``0 <= value < 1`` everywhere (decay rates); return it unchanged."""
    array = _as_float_array(name, value)
    if np.any((array < 0) | (array >= 1)):
        raise ValueError(f"{name} must be in [0, 1), got {_describe(array)}")
    return value


def step_count(name: str, value) -> int:
    """Check that ``value`` is an integer >= 0 (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value}")
    return int(value)


def points(name: str, value: ArrayLike) -> np.ndarray:
    """Return ``value`` as a float array of 2-D points, shape ``(..., 2)``."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be 2-D points (an array of shape (2,) or (..., 2)), got {value!r}") from None
    if array.ndim == 0 or array.shape[-1] != 2:
        raise ValueError(f"{name} must be 2-D points (an array of shape (2,) or (..., 2)), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return array


def broadcasts_to(name: str, value: ArrayLike, shape: tuple[int, ...]) -> None:
    """Check that a hyperparameter broadcasts against parameters of ``shape``."""
    value_shape = np.shape(value)
    try:
        result = np.broadcast_shapes(value_shape, shape)
    except ValueError:
        result = None
    if result != tuple(shape):
        raise ValueError(
            f"{name} has shape {value_shape}, which does not broadcast to the parameters' shape {tuple(shape)}; "
            f"use a scalar or an array such as shape {(shape[0], 1) if len(shape) > 1 else shape} for one value per run"
        )


def same_shape(name: str, array: np.ndarray, expected: tuple[int, ...]) -> None:
    """Check that ``array`` (e.g. a gradient) has the state's shape."""
    if np.shape(array) != tuple(expected):
        raise ValueError(
            f"{name} has shape {np.shape(array)}, but the optimizer state has shape {tuple(expected)}; "
            "pass a gradient of the same shape as the parameters given to init()"
        )
