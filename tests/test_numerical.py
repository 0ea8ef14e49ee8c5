"""Numerical gradients (rmsprop_lib.core.numerical) and problems.from_function."""

import math

import numpy as np
import pytest

from rmsprop_lib import RMSProp, minimize, problems
from rmsprop_lib.drawing import plotting
from rmsprop_lib.core.numerical import central_difference


def points_in(problem, n=200, seed=0):
    (x0, x1), (y0, y1) = problem.window
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], axis=-1)


@pytest.mark.parametrize("problem", problems.ALL.values(), ids=lambda p: p.name)
def test_central_difference_agrees_with_every_analytic_gradient(problem):
    """8 digits at least relative to the gradient's size (or to 1 where it is small), all over the window."""
    points = np.concatenate([points_in(problem), problem.minima, [problem.start]])
    exact = problem.grad(points)
    approx = central_difference(problem.f, points)
    error = np.abs(approx - exact) / np.maximum(1.0, np.abs(exact))
    assert approx.shape == exact.shape
    assert error.max() < 5e-8, f"{problem.name}: worst relative error {error.max():.1e}"


def test_central_difference_works_in_n_dimensions():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    x = np.array([[0.5, -1.0, 2.0, 10.0], [0.0, 0.0, 0.0, 0.0]])
    assert np.allclose(central_difference(lambda p: (a * p**2).sum(-1), x), 2 * a * x, rtol=1e-8, atol=1e-8)


def test_central_difference_explains_bad_input():
    with pytest.raises(ValueError, match="one value per point"):
        central_difference(lambda p: p, [1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        central_difference(problems.bowl.f, [np.nan, 1.0])
    with pytest.raises(ValueError, match="points must be real"):
        central_difference(problems.bowl.f, ["a", "b"])


def test_from_function_runs_like_a_built_in_problem():
    mine = problems.from_function(lambda x, y: x**2 + y**2, minima=[(0, 0)], start=(5.0, 4.0))
    ours, theirs = (minimize(p, RMSProp(lr=0.1), (5.0, 4.0), 101) for p in (mine, problems.bowl))
    assert np.allclose(ours.xs, theirs.xs, atol=1e-7)
    assert mine.min_value == 0.0
    figure = plotting.runs_figure(mine, {"RMSProp": ours})
    assert figure.axes[1].get_yscale() == "log"


def test_from_function_without_minima_draws_f_itself_and_accepts_a_constant():
    flat = problems.from_function(lambda x, y: 3.0)
    assert flat.min_value == -np.inf
    assert np.allclose(flat.grad(np.zeros((4, 2))), 0.0)
    wavy = problems.from_function(lambda x, y: np.sin(x) * np.cos(y))
    run = minimize(wavy, RMSProp(lr=0.05), wavy.start, 50)
    assert run.diverged_at == -1 and run.losses[-1] < run.losses[0]
    assert plotting.runs_figure(wavy, {"RMSProp": run}).axes[1].get_yscale() == "linear"


def test_from_function_names_a_function_that_does_not_work_on_arrays():
    with pytest.raises(TypeError, match="np.sin"):
        problems.from_function(lambda x, y: math.sin(x) + y**2)
    with pytest.raises(TypeError, match="np.sin"):
        problems.from_function(lambda x, y: x if x > 0 else y)
    with pytest.raises(ValueError, match="not finite at start"):
        problems.from_function(lambda x, y: np.log(x), start=(-1.0, 0.0))
    with pytest.raises(ValueError, match="window"):
        problems.from_function(lambda x, y: x, window=((1, 0), (0, 1)))


def test_from_function_says_when_rounding_swamps_the_numerical_gradient():
    # f large next to its variation: f(x + h) and f(x - h) round to the same number, the gradient would be 0
    huge = problems.from_function(lambda x, y: 1e12 + x**2 + y**2)
    with pytest.raises(ValueError, match=r"numerical gradient is unreliable at \[1.0, 1.0\]: f is about 1e\+12.*Subtract"):
        huge.grad(np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="unreliable"):
        minimize(huge, RMSProp(lr=0.1), huge.start, 3)
    np.testing.assert_array_equal(central_difference(huge.f, np.array([1.0, 1.0])), [0.0, 0.0])  # what it hid
    shifted = problems.from_function(lambda x, y: x**2 + y**2 + 5.0)  # a modest constant is fine, at the minimum too
    np.testing.assert_allclose(shifted.grad(np.array([[0.0, 0.0], [3.0, 2.0]])), [[0.0, 0.0], [6.0, 4.0]], atol=1e-8)
