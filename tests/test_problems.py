"""The test functions: gradients, minima, vectorization."""

import numpy as np
import pytest

from rmsprop_lib import problems

ALL = list(problems.ALL.values())


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.name)
def test_gradient_matches_central_differences(problem):
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = problem.window
    points = np.stack([rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50)], axis=-1)
    h = 1e-6
    numeric = np.stack(
        [(problem.f(points + h * e) - problem.f(points - h * e)) / (2 * h) for e in np.eye(2)], axis=-1
    )
    np.testing.assert_allclose(problem.grad(points), numeric, rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.name)
def test_minima_are_stationary_and_share_the_minimum_value(problem):
    if len(problem.minima) == 0:
        assert problem is problems.saddle and problem.min_value == -np.inf
        np.testing.assert_array_equal(problem.grad(np.zeros(2)), [0.0, 0.0])
        return
    np.testing.assert_allclose(problem.grad(problem.minima), 0.0, atol=1e-9)
    values = problem.f(problem.minima)
    np.testing.assert_allclose(values, values[0], atol=1e-12)
    assert problem.min_value == pytest.approx(values[0])


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.name)
def test_vectorized_over_leading_axes(problem):
    grid = np.zeros((4, 3, 2)) + np.array(problem.start)
    assert problem.f(grid).shape == (4, 3)
    assert problem.grad(grid).shape == (4, 3, 2)
    assert problem.f(np.array(problem.start)).shape == ()
    np.testing.assert_array_equal(problem.f(grid)[2, 1], problem.f(np.array(problem.start)))


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.name)
def test_start_and_minima_lie_in_the_window(problem):
    (x0, x1), (y0, y1) = problem.window
    for x, y in [problem.start, *problem.minima]:
        assert x0 <= x <= x1 and y0 <= y <= y1


def test_the_seeds_bowl():
    assert problems.bowl.f(np.array([5.0, 4.0])) == 41.0
    assert problems.bowl.grad(np.array([5.0, 4.0])).tolist() == [10.0, 8.0]
    assert problems.bowl.start == (5.0, 4.0)


def test_quadratic_refuses_non_positive_curvature():
    with pytest.raises(ValueError, match="a must be > 0, got 0"):
        problems.quadratic(0.0, 1.0)


def test_long_slope_has_a_nearly_constant_gradient_far_from_its_minimum():
    far = problems.long_slope.grad(np.array(problems.long_slope.start))
    np.testing.assert_allclose(np.abs(far), 1.0, atol=1e-3)
    np.testing.assert_allclose(problems.long_slope.grad(np.array([1e-3, -1e-3])), [1e-3, -1e-3], rtol=1e-5)


def test_hessian_diagonal_of_the_quadratics_and_of_rosenbrock():
    points = np.random.default_rng(0).uniform(-3, 3, size=(5, 4, 2))
    np.testing.assert_allclose(problems.hessian_diagonal(problems.ill_conditioned, points), np.broadcast_to([0.2, 4.0], (5, 4, 2)), rtol=1e-8)
    np.testing.assert_allclose(problems.hessian_diagonal(problems.ill_conditioned, problems.ill_conditioned.start), [0.2, 4.0], rtol=1e-8)
    x, y = points[..., 0], points[..., 1]
    rosenbrock = np.stack([2 - 400 * (y - x**2) + 800 * x**2, np.full_like(x, 200.0)], axis=-1)
    np.testing.assert_allclose(problems.hessian_diagonal(problems.rosenbrock, points), rosenbrock, rtol=1e-6)


def test_hessian_diagonal_refuses_bad_arguments():
    with pytest.raises(TypeError, match="Problem"):
        problems.hessian_diagonal("ravine", [0.0, 0.0])
    with pytest.raises(ValueError, match="points"):
        problems.hessian_diagonal(problems.bowl, [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="finite"):
        problems.hessian_diagonal(problems.bowl, [np.nan, 0.0])
