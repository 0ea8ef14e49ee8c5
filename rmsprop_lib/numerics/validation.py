"""Input checks and numeric guards shared by the optimizers, the runners and the widgets.

Every check names the offending parameter, what it got and what is allowed,
so a learner never meets a deep NumPy traceback or a silent NaN instead:

- a wrong *type* (a string, None, a bool, a Decimal, a complex number, an
  array of those, a function ...) raises ``TypeError``; numeric strings are
  refused, not parsed, and the message says how to convert them;
- a wrong *value* (out of range, not finite, a ragged list, a wrong shape)
  raises ``ValueError``;
- a step the numerics policy cannot compute (see :mod:`rmsprop_lib.core.optimizers`)
  raises ``FloatingPointError``.

Hyperparameters may be Python numbers, NumPy real scalars, 0-d arrays or
arrays (one value per run, broadcast against the parameters). Scalars are
returned as Python numbers, which NumPy treats as "weak" (NEP 50): they take
the parameters' dtype instead of promoting float32 to float64.
"""

from __future__ import annotations

import functools
import math
import numbers
import operator

import numpy as np
from numpy.typing import ArrayLike

# ------------------------------------------------------------------ types: what counts as a number


def _refuse(name: str, value, what: str = "a number or an array of numbers") -> None:
    """Raise the TypeError for a value that is not a real number (or array of them)."""
    if value is None:
        raise TypeError(f"{name} must be {what}, got None")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {what}, got the bool {value!r}; pass a number (True is not 1 here)")
    if isinstance(value, str):
        raise TypeError(f"{name} must be {what}, got the string {value!r}; convert it first, e.g. float({value!r})")
    if isinstance(value, bytes):
        raise TypeError(f"{name} must be {what}, got the bytes {value!r}; convert them first, e.g. float({value!r})")
    if isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, got the complex number {value!r}")
    if isinstance(value, numbers.Number):  # decimal.Decimal and other numbers NumPy cannot compute with
        raise TypeError(f"{name} must be a float, an int or a NumPy array, got the {type(value).__name__} {value!r}; "
                        f"convert it first, e.g. float({value!r})")
    raise TypeError(f"{name} must be {what}, got {type(value).__name__} {_short(value)}")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def real_array(name: str, value: ArrayLike) -> np.ndarray:
    """``value`` as an array of real numbers (ints or floats); TypeError/ValueError otherwise."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return value
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, numbers.Number) and not isinstance(value, numbers.Real):
        _refuse(name, value)
    if isinstance(value, (bool, np.bool_)):
        _refuse(name, value)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # NumPy 2: a ragged list is a ValueError
        raise ValueError(f"{name} must be a number or a rectangular array of numbers, got a ragged sequence "
                         f"(rows of different lengths): {_short(value)}") from None
    kind = array.dtype.kind
    if kind in "iuf":
        return array
    if kind == "U" or kind == "S":
        raise TypeError(f"{name} must be a number or an array of numbers, got {'strings' if array.ndim else 'the string'} "
                        f"{_short(value)}; convert first, e.g. np.asarray(value, dtype=float)")
    if kind == "b":
        raise TypeError(f"{name} must be a number or an array of numbers, got bools {_short(value)}")
    if kind == "c":
        raise TypeError(f"{name} must be real, got complex numbers {_short(value)}")
    if kind == "O" and array.ndim == 0:
        if isinstance(value, numbers.Rational):  # fractions.Fraction: exact, so a float is as good
            return np.asarray(float(value))
        _refuse(name, value)
    raise TypeError(f"{name} must be a number or an array of numbers (int or float), got {_short(value)}")


def _number(name: str, value: ArrayLike):
    """A finite real number or array of them: Python int/float as given, other scalars as a Python float."""
    if type(value) is float or type(value) is int:  # the common case, kept quick
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return value
    array = real_array(name, value)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {_short(value)}")
    if array.ndim == 0:
        return int(array) if array.dtype.kind in "iu" else float(array)
    return array.astype(float) if array.dtype.kind in "iu" else array


def _describe(value) -> str:
    array = np.asarray(value)
    return f"{array.item():g}" if array.ndim == 0 else f"values from {array.min():g} to {array.max():g}"


def _all(condition) -> bool:
    return bool(condition) if isinstance(condition, bool) else bool(np.all(condition))


def positive(name: str, value: ArrayLike):
    """Check ``value > 0`` (finite) everywhere; return it as a Python number or an array."""
    value = _number(name, value)
    if not _all(value > 0):
        raise ValueError(f"{name} must be > 0, got {_describe(value)}")
    return value


def non_negative(name: str, value: ArrayLike):
    """Check ``value >= 0`` (finite) everywhere; return it as a Python number or an array."""
    value = _number(name, value)
    if not _all(value >= 0):
        raise ValueError(f"{name} must be >= 0, got {_describe(value)}")
    return value


def unit_interval(name: str, value: ArrayLike):
    """Check ``0 <= value < 1`` everywhere (decay rates); return it as a Python number or an array."""
    value = _number(name, value)
    if not _all((value >= 0) & (value < 1)):
        raise ValueError(f"{name} must be in [0, 1), got {_describe(value)}")
    return value


def integer(name: str, value, low: int = 0, high: int | None = None, what: str | None = None) -> int:
    """Check that ``value`` is an integer in ``[low, high]`` (bools and floats are refused); return an int."""
    allowed = what or (f"an integer >= {low}" if high is None else f"an integer from {low} to {high}")
    if isinstance(value, str):
        raise TypeError(f"{name} must be {allowed}, got the string {value!r}; convert it first, e.g. int({value!r})")
    try:  # ints, NumPy integers and 0-d integer arrays; not bools, floats or 3.0
        if isinstance(value, (bool, np.bool_)) or isinstance(value, np.ndarray) and value.dtype.kind == "b":
            raise TypeError
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be {allowed}, got {type(value).__name__} {_short(value)}") from None
    if value < low or high is not None and value > high:
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def step_count(name: str, value) -> int:
    """Check that ``value`` is an integer >= 0 (bools and floats are refused)."""
    return integer(name, value, 0)


def points(name: str, value: ArrayLike) -> np.ndarray:
    """Return ``value`` as a float array of 2-D points, shape ``(..., 2)``."""
    array = np.array(real_array(name, value), dtype=float)
    if array.ndim == 0 or array.shape[-1] != 2:
        raise ValueError(f"{name} must be 2-D points (an array of shape (2,) or (..., 2)), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {_short(value)}")
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


# ------------------------------------------------------------------ dtypes (numerics policy, rules 1-2)


def state_dtype(dtype) -> np.dtype:
    """The dtype of the state and the arithmetic for parameters of ``dtype``: at least float32.

    float16 -> float32 (as frameworks keep half-precision parameters' state),
    float32 -> float32, float64 -> float64, integers -> float64.
    """
    dtype = np.dtype(dtype)
    return np.promote_types(dtype, np.float32) if dtype.kind == "f" else np.dtype(np.float64)


def parameters(name: str, params: ArrayLike) -> np.ndarray:
    """``params`` as an array of real numbers (its values are not used, so NaN is allowed)."""
    return real_array(name, params)


def gradient(grad: ArrayLike, shape: tuple[int, ...], dtype=None) -> np.ndarray:
    """``grad`` checked (real numbers, the state's ``shape``) and in the state's ``dtype``.

    ``dtype=None`` (SGD, which keeps no state): the grad's own :func:`state_dtype`.
    NaN and inf are let through: the policy turns them into NaN updates.
    """
    array = real_array("grad", grad)
    same_shape("grad", array, shape)
    return array.astype(dtype or state_dtype(array.dtype), copy=False)


def grad_and_state(grad: ArrayLike, s_prev: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The seed function's ``grad`` and ``s_prev``, checked and in their state dtype (at least float32).

    ``s_prev`` may be anything that broadcasts to ``grad``'s shape (the post
    starts from ``np.array([0, 0])``).
    """
    g, s_prev = real_array("grad", grad), real_array("s_prev", s_prev)
    try:
        shape = np.broadcast_shapes(s_prev.shape, g.shape)
    except ValueError:
        shape = None
    if shape != g.shape:
        raise ValueError(f"s_prev has shape {s_prev.shape}, which does not match grad's shape {g.shape}")
    dtype = state_dtype(np.result_type(g, s_prev))
    return g.astype(dtype, copy=False), s_prev.astype(dtype, copy=False)


def in_dtype(value, dtype):
    """A hyperparameter for arithmetic in ``dtype``: Python numbers as they are (weak), arrays cast."""
    return value if type(value) is float or type(value) is int else np.asarray(value, dtype)


def like_grad(updates: np.ndarray, grad: ArrayLike) -> np.ndarray:
    """``updates`` in the gradient's dtype where that is a narrower float (float16): ``params - updates`` keeps it."""
    dtype = getattr(grad, "dtype", None)
    if dtype is not None and dtype.kind == "f" and dtype.itemsize < updates.dtype.itemsize:
        return updates.astype(dtype)
    return updates


# ------------------------------------------------------------------ range (numerics policy, rules 3-5)


def policy(update):
    """Decorator for an ``update``: NumPy's overflow and invalid-value warnings are silenced.

    The numerics policy handles those cases itself (rules 3-6: a clear
    FloatingPointError, or NaN where a gradient was NaN or inf), so the
    warnings would only repeat, less clearly, what the policy says.
    """

    @functools.wraps(update)
    def checked(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore"):
            return update(*args, **kwargs)

    return checked


@functools.lru_cache(maxsize=None)
def underflow_floor(dtype, inside: bool = False) -> float:
    """The least eps that hides a lost (underflowed) square of ``dtype``: the step stays right to the dtype's precision.

    sqrt(tiny) / machine epsilon with eps outside the root (float32 about 9e-13,
    float64 about 7e-139); tiny / machine epsilon with eps inside it.
    """
    info = np.finfo(dtype)
    return float((info.tiny if inside else np.sqrt(info.tiny)) / info.eps)


def squares_fit(grad: np.ndarray, mean_sq: np.ndarray, previous: np.ndarray, eps, inside: bool = False, numerator=None) -> None:
    """Refuse a finite gradient whose square the state cannot hold (rules 4 and 5).

    ``mean_sq`` is the new average (or sum) of squares, ``previous`` the old
    one. Overflow: ``mean_sq`` is inf where ``grad`` and ``previous`` are
    finite (the coordinate would be frozen at a step of 0). Underflow:
    ``mean_sq`` is below the smallest normal number where the step's
    ``numerator`` (by default ``grad``; Adam's is its average ``m``) is not 0
    and ``eps`` is too small to hide the lost digits.
    """
    info = np.finfo(mean_sq.dtype)
    if not mean_sq.max(initial=0) <= info.max:  # inf or NaN somewhere: look closer
        over = np.isinf(mean_sq) & np.isfinite(previous) & np.isfinite(grad)
        if np.any(over):
            biggest = np.abs(grad[np.broadcast_to(over, grad.shape)]).max()
            advice = "scale the loss (and so the gradients) down" + (
                ", or use float64 parameters (float64 state)" if info.bits < 64 else ""
            )
            raise FloatingPointError(
                f"grad has values up to {biggest:.3g} whose squares overflow the optimizer's {mean_sq.dtype} state "
                f"(largest {info.max:.3g}, so |grad| must stay below about {np.sqrt(info.max):.2g}, less for AdaGrad's "
                f"growing sum): the coordinate would freeze at a step of 0. Instead, {advice}."
            )
    floor = underflow_floor(mean_sq.dtype, inside)
    if type(eps) is float and eps >= floor or np.all(eps >= floor):
        return
    lost = ((grad if numerator is None else numerator) != 0) & (mean_sq < info.tiny) & (np.asarray(eps) < floor)
    if np.any(lost):
        where = np.argwhere(lost)
        first = tuple(int(i) for i in where[0])
        raise FloatingPointError(
            f"the average of grad**2 underflows the optimizer's {mean_sq.dtype} state (below its smallest normal number "
            f"{info.tiny:.3g}) where the step is not 0 ({len(where)} value{'s' if len(where) > 1 else ''}, the first at "
            f"index {first}, grad there {np.broadcast_to(grad, lost.shape)[first]:.3g}), and eps = {_describe(eps)} is too "
            f"small to hide the lost digits: the step would be wrong{' or infinite' if np.any(np.asarray(eps) == 0) else ''}. "
            f"Use eps >= {floor:.1g} (every default is), scale the loss up"
            + (", or use float64 parameters." if info.bits < 64 else ".")
        )


def ratio(numerator: np.ndarray, denominator: np.ndarray, eps) -> np.ndarray:
    """``numerator / denominator`` for a step whose denominator is at least ``eps``, by the numerics policy.

    - 0 / 0 is 0: a zero gradient takes no step (eps = 0 before any gradient);
    - x / 0 with x != 0 raises FloatingPointError: the step would be infinite;
    - x / inf is NaN: the state is infinite after an infinite gradient, and
      a silent step of 0 would freeze the coordinate.
    """
    positive = eps > 0 if type(eps) is float else np.all(np.asarray(eps) > 0)  # then the denominator is never 0
    if (positive or denominator.min(initial=np.inf) > 0) and denominator.max(initial=0) < np.inf:
        return numerator / denominator  # the usual case: eps > 0 and a finite state
    zero = denominator == 0
    if np.any(zero & (numerator != 0)):
        index = np.argwhere(np.broadcast_to(zero & (numerator != 0), np.broadcast_shapes(zero.shape, np.shape(numerator))))
        raise FloatingPointError(
            f"the step would be infinite: its denominator (sqrt(s) + eps) is 0 where the gradient is not "
            f"({len(index)} value{'s' if len(index) > 1 else ''}, the first at index {tuple(int(i) for i in index[0])}). "
            "With eps = 0 this happens when the gradients so far have no spread (centered: e.g. the first "
            "bias-corrected step, or a constant gradient). Use eps > 0, e.g. 1e-8."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = numerator / np.where(zero, 1, denominator)  # 0 / 0 -> 0 / 1
    return np.where(np.isinf(denominator), np.nan, quotient)


# ------------------------------------------------------------------ widgets


def slider_range(value, low, high, log: bool = False, kind=float) -> tuple:
    """Check a slider's ``low <= value <= high`` (and ``low > 0`` on a log scale); return them as numbers."""
    def convert(name, v):
        if kind is int:
            return integer(name, v, low=-(2**63), what="an integer")
        v = _number(name, v)
        if np.ndim(v):
            raise TypeError(f"{name} must be a single number, got an array of shape {np.shape(v)}")
        return float(v)

    value, low, high = convert("value", value), convert("low", low), convert("high", high)
    where = f"got value={value!r}, low={low!r}, high={high!r}"
    if log and not low > 0:
        raise ValueError(f"a log-scale slider needs 0 < low < high and low <= value <= high: {where}")
    if not low < high:
        raise ValueError(f"a slider needs low < high: {where}")
    if not low <= value <= high:
        raise ValueError(f"value must be in [low, high] = [{low:g}, {high:g}], {where}")
    return value, low, high


def flag(name: str, value) -> bool:
    """Check that an option is True or False (a string such as "False" would be true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {_short(value)}")
    return bool(value)


# ------------------------------------------------------------------ objects: problems, optimizers, functions


def optimizer(name: str, value):
    """Check that ``value`` is an optimizer object: it has ``init`` and ``update``."""
    if isinstance(value, type) and hasattr(value, "update"):
        raise TypeError(f"{name} must be an optimizer object, got the class {value.__name__}: "
                        f"create one first, e.g. {value.__name__}(lr=0.1)")
    if not (callable(getattr(value, "init", None)) and callable(getattr(value, "update", None))):
        raise TypeError(f"{name} must be an optimizer (an object with init(params) and update(grad, state), "
                        f"e.g. RMSProp(lr=0.1)), got {type(value).__name__} {_short(value)}")
    return value


def problem(name: str, value):
    """Check that ``value`` is a problem: it has callable ``f`` and ``grad``."""
    if not (callable(getattr(value, "f", None)) and callable(getattr(value, "grad", None))):
        hint = f"; e.g. problems.ALL[{value!r}]" if isinstance(value, str) else ""
        raise TypeError(f"{name} must be a Problem (an object with f(points) and grad(points), e.g. problems.bowl), "
                        f"got {type(value).__name__} {_short(value)}{hint}")
    return value


def function(name: str, value, allow_none: bool = False):
    """Check that ``value`` is callable (or None when allowed)."""
    if value is None and allow_none or callable(value):
        return value
    raise TypeError(f"{name} must be a function{' or None' if allow_none else ''}, got {type(value).__name__} {_short(value)}")


def seed(name: str, value) -> int:
    """Check a random seed: an integer >= 0 (what ``np.random.default_rng`` takes)."""
    return integer(name, value, 0)


def text(name: str, value) -> str:
    """Check that ``value`` is a string (a label)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {_short(value)}")
    return value
