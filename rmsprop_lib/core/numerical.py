"""Numerical gradients: bring your own function, no derivative needed.

The central difference along coordinate :math:`i`,

.. math::

    \\partial_i f(x) \\approx \\frac{f(x + h_i e_i) - f(x - h_i e_i)}{2 h_i},
    \\qquad h_i = \\varepsilon^{1/3} \\max(1, |x_i|),

has a truncation error :math:`O(h^2)` (the :math:`f'''` term) and a rounding
error :math:`O(\\varepsilon |f| / h)`, where :math:`\\varepsilon \\approx 2.2 \\times 10^{-16}`
is float64's machine epsilon. The step :math:`h \\approx \\varepsilon^{1/3} \\approx 6 \\times 10^{-6}`
balances the two, which leaves an error of order :math:`\\varepsilon^{2/3} \\approx 4 \\times 10^{-11}`
times the function's scale: on the series' problems, 8 to 10 correct digits relative to
:math:`\\max(1, |\\nabla f|)` all over their windows (worst: Rosenbrock, 1.5e-8, where
:math:`f` reaches thousands), plenty for an optimizer. The condition is that :math:`|f|` is not
large next to its variation: the rounding part, about :math:`\\varepsilon |f| / h`, grows with
:math:`|f|`, and for :math:`f = 10^{12} + x^2 + y^2` it is about 20 near the origin, more than the
gradient itself: at (1, 1) :math:`f(x + h) = f(x - h)` exactly and the computed gradient is 0, at
(3, 2) it is (6.72, 0) instead of (6, 4).
``central_difference(f, points, check_rounding=True)`` (what
:func:`rmsprop_lib.core.problems.from_function` uses) raises instead where the rounding part exceeds
:math:`10^{-4} \\max(1, |\\partial_i f|)` (fewer than about 4 correct digits). ``tests/test_numerical.py``
compares it with every analytic gradient in :mod:`rmsprop_lib.core.problems`. It costs :math:`2n` evaluations of ``f`` for
:math:`n` coordinates, all in one vectorized call.

Source: the step rule is the classic one for central differences, e.g. Nocedal &
Wright, *Numerical Optimization*, 2nd ed. (2006), section 8.1.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["central_difference"]

#: The relative step, float64's machine epsilon to the power 1/3 (about 6.1e-6).
RELATIVE_STEP = float(np.finfo(np.float64).eps ** (1 / 3))


#: ``check_rounding`` refuses a gradient whose rounding error exceeds this times max(1, |gradient|).
ROUNDING_LIMIT = 1e-4


def central_difference(f: Callable[[np.ndarray], np.ndarray], points: ArrayLike, *, check_rounding: bool = False) -> np.ndarray:
    """The gradient of ``f`` at ``points`` by central differences (see the module docstring).

    Parameters
    ----------
    f : callable
        ``points (..., n) -> values (...)``, vectorized over the leading axes
        (as every :class:`~rmsprop_lib.core.problems.Problem`'s ``f``).
    points : array_like, shape (..., n)
        Where to differentiate; converted to float64.
    check_rounding : bool, default False
        Raise (below) where the rounding error of ``f``'s values, about
        ``eps * |f| / h``, exceeds ``ROUNDING_LIMIT * max(1, |gradient|)``.

    Returns
    -------
    numpy.ndarray, shape (..., n)
        The approximate gradient (8 to 10 correct digits for the series' problems).

    Raises
    ------
    ValueError
        If ``points`` is not real and finite, has no last axis, or ``f`` does
        not return one value per point; with ``check_rounding``, if ``f`` is
        so large next to its variation that the gradient is mostly rounding
        (the message names the point, ``|f|`` there and the error).
    """
    try:
        x = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"points must be real numbers of shape (..., n), got {points!r}") from None
    if x.ndim == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"points must be finite and of shape (..., n), got shape {x.shape}")
    n = x.shape[-1]
    h = RELATIVE_STEP * np.maximum(1.0, np.abs(x))  # (..., n)
    shifts = np.eye(n) * h[..., None, :]  # (..., n, n): row i moves coordinate i by h_i
    both = np.stack([x[..., None, :] + shifts, x[..., None, :] - shifts])  # (2, ..., n, n)
    values = np.asarray(f(both), dtype=np.float64)
    if values.shape != both.shape[:-1]:
        raise ValueError(f"f must return one value per point: for points of shape {both.shape} "
                         f"it returned shape {values.shape}")
    # Divide by the step actually taken (x + h - x is not exactly h in floating point).
    taken = np.diagonal(both[0] - both[1], axis1=-2, axis2=-1)
    gradient = (values[0] - values[1]) / taken
    if check_rounding:
        _check_rounding(x, gradient, np.maximum(np.abs(values[0]), np.abs(values[1])), taken)
    return gradient


def _check_rounding(x: np.ndarray, gradient: np.ndarray, size: np.ndarray, taken: np.ndarray) -> None:
    """Raise where the rounding error of f's values, about eps |f| / h, swamps the central difference."""
    error = np.finfo(np.float64).eps * size / taken  # |f| rounds by eps |f|; divided by 2h, twice
    bad = error > ROUNDING_LIMIT * np.maximum(1.0, np.abs(gradient))
    if np.any(bad):
        where = np.argwhere(bad)[0]
        point, i = tuple(where[:-1]), where[-1]
        raise ValueError(
            f"the numerical gradient is unreliable at {np.round(x[point], 6).tolist()}: f is about {size[tuple(where)]:.3g} "
            f"there, and rounding f's values (about {np.finfo(np.float64).eps * size[tuple(where)]:.2g}) over the step "
            f"h = {taken[tuple(where)] / 2:.2g} gives coordinate {i}'s derivative an error of about {error[tuple(where)]:.2g}, "
            f"against {gradient[tuple(where)]:.3g} computed. Subtract the large constant part from f (it does not move the "
            f"minimum), or scale f so that its values are not huge next to their changes."
        )
