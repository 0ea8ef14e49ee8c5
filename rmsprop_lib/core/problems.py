"""Two-dimensional test functions with analytic gradients.

Every function is vectorized over leading axes: ``points`` has shape
``(..., 2)``, ``f(points)`` has shape ``(...)`` and ``grad(points)`` has
shape ``(..., 2)``. So one call evaluates a single point, a batch of runs,
or a whole contour grid.

Each :class:`Problem` also knows its minima, a plotting window and a
suggested start point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.core.numerical import central_difference

from rmsprop_lib.numerics import validation as check

__all__ = [
    "Problem",
    "quadratic",
    "bowl",
    "ill_conditioned",
    "rosenbrock",
    "beale",
    "saddle",
    "himmelblau",
    "long_slope",
    "ALL",
    "from_function",
    "hessian_diagonal",
]


@dataclass(frozen=True, eq=False)
class Problem:
    """A 2-D objective ``f`` with its gradient and what is needed to plot it.

    Attributes:
        name: short identifier, e.g. ``"rosenbrock"``.
        formula: the function in LaTeX, for titles and Markdown.
        f: ``points (..., 2) -> values (...)``.
        grad: ``points (..., 2) -> gradients (..., 2)``.
        minima: the global minimizers, shape ``(k, 2)``; ``k = 0`` when ``f``
            is unbounded below (the saddle).
        window: ``((x_min, x_max), (y_min, y_max))`` for contour plots.
        start: a start point that shows the problem's character.
        log_levels: whether contours look best on a logarithmic scale.
        axis_labels: what the two coordinates are called in figures.
    """

    name: str
    formula: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    minima: np.ndarray
    window: tuple[tuple[float, float], tuple[float, float]]
    start: tuple[float, float]
    log_levels: bool = field(default=False)
    axis_labels: tuple[str, str] = ("$x$", "$y$")

    @property
    def min_value(self) -> float:
        """The minimum value of ``f`` (``-inf`` if unbounded below)."""
        return float(self.f(self.minima[0])) if len(self.minima) else -np.inf

    def __repr__(self) -> str:
        return f"Problem({self.name!r}: ${self.formula}$)"


def _xy(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(points, dtype=float)
    return points[..., 0], points[..., 1]


def quadratic(a: float, b: float, name: str | None = None, **options) -> Problem:
    r"""The quadratic :math:`f(x, y) = a x^2 + b y^2` with ``a, b > 0``.

    Its Hessian is ``diag(2a, 2b)``: the eigenvalues are ``2a`` and ``2b``,
    and the condition number is ``max(a, b) / min(a, b)``. Keyword
    ``options`` override the Problem's fields (formula, window, start).
    """
    a, b = check.positive("a", a), check.positive("b", b)
    if np.ndim(a) or np.ndim(b):
        raise ValueError(f"a and b must be single numbers, got shapes {np.shape(a)} and {np.shape(b)}")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a string or None, got {type(name).__name__} {name!r}")

    def f(points):
        x, y = _xy(points)
        return a * x**2 + b * y**2

    def grad(points):
        x, y = _xy(points)
        return np.stack([2 * a * x, 2 * b * y], axis=-1)

    defaults = dict(
        name=name or f"quadratic({a:g}, {b:g})",
        formula=f"{a:g}x^2 + {b:g}y^2",
        window=((-6.0, 6.0), (-5.0, 5.0)),
        start=(5.0, 4.0),
    )
    return Problem(f=f, grad=grad, minima=np.zeros((1, 2)), **{**defaults, **options})


#: The seed's bowl :math:`x^2 + y^2`, started at (5, 4).
bowl = quadratic(1.0, 1.0, name="bowl", formula="x^2 + y^2")

#: An elongated bowl (a ravine), condition number 20: d2l's example.
ill_conditioned = quadratic(0.1, 2.0, name="ill_conditioned", window=((-6.0, 6.0), (-3.0, 3.0)), start=(-5.0, -2.0))


def _rosenbrock_f(points):
    x, y = _xy(points)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(points):
    x, y = _xy(points)
    return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)


#: Rosenbrock's banana valley; minimum 0 at (1, 1).
rosenbrock = Problem(
    name="rosenbrock",
    formula="(1 - x)^2 + 100(y - x^2)^2",
    f=_rosenbrock_f,
    grad=_rosenbrock_grad,
    minima=np.array([[1.0, 1.0]]),
    window=((-2.0, 2.0), (-1.0, 3.0)),
    start=(-1.5, 2.0),
    log_levels=True,
)


def _beale_terms(points):
    x, y = _xy(points)
    return x, y, 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale_f(points):
    _, _, t1, t2, t3 = _beale_terms(points)
    return t1**2 + t2**2 + t3**2


def _beale_grad(points):
    x, y, t1, t2, t3 = _beale_terms(points)
    dx = 2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1)
    dy = 2 * t1 * x + 2 * t2 * 2 * x * y + 2 * t3 * 3 * x * y**2
    return np.stack([dx, dy], axis=-1)


#: Beale's function: flat plateaus and steep walls; minimum 0 at (3, 0.5).
beale = Problem(
    name="beale",
    formula="(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    f=_beale_f,
    grad=_beale_grad,
    minima=np.array([[3.0, 0.5]]),
    window=((-4.5, 4.5), (-4.5, 4.5)),
    start=(1.0, 1.5),
    log_levels=True,
)


def _saddle_f(points):
    x, y = _xy(points)
    return x**2 - y**2


def _saddle_grad(points):
    x, y = _xy(points)
    return np.stack([2 * x, -2 * y], axis=-1)


#: The saddle :math:`x^2 - y^2`: a stationary point at (0, 0) that is no minimum.
saddle = Problem(
    name="saddle",
    formula="x^2 - y^2",
    f=_saddle_f,
    grad=_saddle_grad,
    minima=np.zeros((0, 2)),
    window=((-2.0, 2.0), (-2.0, 2.0)),
    start=(1.5, 1e-3),
)


def _himmelblau_f(points):
    x, y = _xy(points)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(points):
    x, y = _xy(points)
    a, b = x**2 + y - 11, x + y**2 - 7
    return np.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b], axis=-1)


#: Himmelblau's function: four minima, all with value 0.
himmelblau = Problem(
    name="himmelblau",
    formula="(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    f=_himmelblau_f,
    grad=_himmelblau_grad,
    minima=np.array(
        [
            [3.0, 2.0],
            [-2.805118086952745, 3.131312518250573],
            [-3.779310253377747, -3.283185991286170],
            [3.584428340330492, -1.848126526964404],
        ]
    ),
    window=((-5.0, 5.0), (-5.0, 5.0)),
    start=(0.0, 0.0),
    log_levels=True,
)


def _long_slope_f(points):
    x, y = _xy(points)
    return np.sqrt(1 + x**2) + np.sqrt(1 + y**2) - 2


def _long_slope_grad(points):
    x, y = _xy(points)
    return np.stack([x / np.sqrt(1 + x**2), y / np.sqrt(1 + y**2)], axis=-1)


#: A long, gentle slope to a distant minimum (pseudo-Huber): the gradient has
#: magnitude close to 1 per coordinate until about 1 from (0, 0), where the
#: function turns into the bowl ``(x^2 + y^2) / 2``. Started far away, it shows
#: how far an optimizer travels when the gradient stays the same for many steps.
long_slope = Problem(
    name="long_slope",
    formula=r"\sqrt{1 + x^2} + \sqrt{1 + y^2} - 2",
    f=_long_slope_f,
    grad=_long_slope_grad,
    minima=np.zeros((1, 2)),
    window=((-45.0, 45.0), (-45.0, 45.0)),
    start=(-40.0, 25.0),
)


#: Every problem by name, for selectors.
ALL: dict[str, Problem] = {p.name: p for p in (bowl, ill_conditioned, rosenbrock, beale, saddle, himmelblau, long_slope)}


def from_function(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    name: str = "your function",
    formula: str = "f(x, y)",
    window: tuple[tuple[float, float], tuple[float, float]] = ((-5.0, 5.0), (-5.0, 5.0)),
    start: tuple[float, float] = (3.0, 2.0),
    minima: ArrayLike | None = None,
    log_levels: bool = False,
) -> Problem:
    """A :class:`Problem` from your own ``f(x, y)``; its gradient is computed numerically.

    ``f`` takes two arrays ``x`` and ``y`` of the same shape and returns the
    values, written with NumPy so that it works on arrays, e.g.
    ``lambda x, y: x**2 + 3 * y**2 + np.sin(3 * x)``. The gradient is
    :func:`~rmsprop_lib.core.numerical.central_difference`: its error is about
    :math:`10^{-11}` times the size of :math:`f` (:math:`\\varepsilon^{2/3}`),
    so 8 to 10 correct digits (relative to :math:`\\max(1, |\\nabla f|)`) where
    :math:`|f|` is not large next to its variation (all the series' problems);
    fewer as :math:`|f|` grows (``1e6 + x**2 + y**2``: 5 to 6). Where it is, e.g. ``1e12 + x**2 +
    y**2``, rounding swamps the gradient (there it would be exactly 0), and
    ``grad`` raises ``ValueError`` saying so and what to do, rather than return
    a wrong gradient (fewer than about 4 correct digits; see
    :mod:`rmsprop_lib.core.numerical`). Pass ``minima`` (shape ``(k, 2)``) if you know them: loss panels
    then show the gap ``f - f_min`` on a log axis; without them they show ``f``.

    Raises ``TypeError`` if ``f`` does not work on arrays (``math.sin`` instead
    of ``np.sin``, an ``if`` on the values), ``ValueError`` if ``f`` is not finite
    at ``start`` or ``window``/``start``/``minima`` have the wrong shape.
    """
    window = tuple(tuple(float(v) for v in side) for side in window)
    if len(window) != 2 or any(len(side) != 2 or not side[0] < side[1] for side in window):
        raise ValueError(f"window must be ((x_min, x_max), (y_min, y_max)) with min < max, got {window}")
    start = tuple(float(v) for v in start)
    if len(start) != 2:
        raise ValueError(f"start must be a point (x, y), got {start}")
    minima = np.zeros((0, 2)) if minima is None else np.asarray(minima, dtype=float).reshape(-1, 2)

    def values(points):
        x, y = _xy(points)
        return np.broadcast_to(np.asarray(f(x, y), dtype=float), x.shape)  # a constant f may return one number

    try:
        with np.errstate(all="ignore"):  # a NaN or inf at the start is reported below, not warned about
            at_start = values(np.array([start, start]))
    except (TypeError, ValueError) as error:
        raise TypeError(f"f must work on NumPy arrays x and y (use np.sin, np.exp, np.where instead of math.sin, "
                        f"math.exp or an if): calling it on arrays failed with {type(error).__name__}: {error}") from None
    if not np.all(np.isfinite(at_start)):
        raise ValueError(f"f is not finite at start={start}: pick another start point")
    return Problem(
        name=name, formula=formula, f=values, grad=lambda points: central_difference(values, points, check_rounding=True),
        minima=minima, window=window, start=start, log_levels=log_levels,
    )


def hessian_diagonal(problem: Problem, points: ArrayLike) -> np.ndarray:
    r"""The diagonal of ``problem``'s Hessian, :math:`h_{jj} = \partial^2 f / \partial x_j^2`, by central differences of its gradient.

    .. math::
        h_{jj}(x) \approx \frac{\partial_j f(x + \delta_j e_j) - \partial_j f(x - \delta_j e_j)}{2\delta_j},
        \qquad \delta_j = \varepsilon^{1/3}\max(1, |x_j|)

    (the step of :mod:`rmsprop_lib.core.numerical`): exact up to rounding for a
    quadratic (the ravine :math:`0.1x^2 + 2y^2` gives :math:`(0.2, 4)`), about 8
    digits elsewhere. Dividing the gradient by it is the *diagonal Newton* step
    :math:`x_j \leftarrow x_j - \eta\, \partial_j f / h_{jj}` (Becker & LeCun, 1988); on a
    quadratic, whose Hessian is constant, that is ``SGD(lr=eta / h)``.

    Args:
        problem: any :class:`Problem` (its ``grad`` vectorized over leading axes).
        points: shape ``(..., 2)``.

    Returns:
        Shape ``(..., 2)``.

    Raises:
        TypeError: ``problem`` is not a problem. ValueError: ``points`` not real, finite, of shape ``(..., 2)``.
    """
    check.problem("problem", problem)
    x = check.points("points", points)
    # h_jj: the central difference (numerical.py's stencil and step) of the gradient's j-th component along x_j
    return np.stack([central_difference(lambda p, j=j: np.asarray(problem.grad(p), dtype=float)[..., j], x)[..., j]
                     for j in range(2)], axis=-1)
