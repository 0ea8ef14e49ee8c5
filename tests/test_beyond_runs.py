"""Notebook 08's experiment helpers (rmsprop_lib.experiments.beyond_runs): each against a hand computation."""

import numpy as np
import pytest

from rmsprop_lib import SGD, Adafactor, Adam, FullMatrixRMSProp, RMSProp, minimize, problems
from rmsprop_lib.beyond.schedules import WarmupThenDecay
from rmsprop_lib.experiments import online
from rmsprop_lib.experiments.beyond_runs import (cycle_drift, decayed, fewest_steps, first_stretch_below, fit,
                                                 least_squares, play, predicted_critical_rho, rescaled, rotated,
                                                 rotation, shifted, state_numbers)

ravine = problems.ill_conditioned


def test_play_steps_by_the_optimizer_and_keeps_every_x():
    xs = play(SGD(lr=0.5), [1.0, -2.0, 4.0], runs=2)
    assert xs.shape == (4, 2)
    np.testing.assert_allclose(xs[:, 0], [0.0, -0.5, 0.5, -1.5])
    np.testing.assert_array_equal(xs[:, 0], xs[:, 1])


def test_play_runs_one_hyperparameter_per_run():
    xs = play(RMSProp(lr=np.array([[0.1], [0.2]]), rho=0.0, eps=0.0), [3.0, -1.0], runs=2)
    np.testing.assert_allclose(xs[-1], [0.0, 0.0], atol=1e-15)  # sign descent: -lr then +lr
    np.testing.assert_allclose(xs[1], [-0.1, -0.2])


@pytest.mark.parametrize("grads, runs", [([[1.0]], 1), ([np.nan], 1), ([1.0], 0), ([1.0], 1.5)])
def test_play_refuses_bad_input(grads, runs):
    with pytest.raises(ValueError):
        play(SGD(lr=0.1), grads, runs=runs)


def test_rescaled_is_the_problem_in_other_units():
    c = np.array([10.0, 0.5])
    y = np.array([[0.3, -2.0], [1.0, 4.0]])
    other = rescaled(ravine, c)
    np.testing.assert_allclose(other.f(y), ravine.f(c * y))
    np.testing.assert_allclose(other.grad(y), c * ravine.grad(c * y))
    np.testing.assert_allclose(problems.hessian_diagonal(other, y[0]), c**2 * [0.2, 4.0], rtol=1e-6)


def test_rescaled_takes_one_pair_of_units_per_run():
    c = np.array([[1.0, 1.0], [2.0, 3.0]])
    y = np.ones((2, 2))
    np.testing.assert_allclose(rescaled(ravine, c).f(y), [ravine.f(np.ones(2)), ravine.f(np.array([2.0, 3.0]))])


@pytest.mark.parametrize("c", [[0.0, 1.0], [1.0, np.inf], [1.0, 2.0, 3.0]])
def test_rescaled_refuses_bad_units(c):
    with pytest.raises(ValueError):
        rescaled(ravine, c)


def test_rotation_is_orthogonal_and_turns_counter_clockwise():
    R = rotation(90)
    np.testing.assert_allclose(R @ [1.0, 0.0], [0.0, 1.0], atol=1e-15)
    np.testing.assert_allclose(rotation(33) @ rotation(33).T, np.eye(2), atol=1e-15)


def test_rotated_turns_the_function_its_minimum_and_its_start():
    turned, R = rotated(ravine, 30), rotation(30)
    p = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(turned.f(p @ R.T), ravine.f(p))
    np.testing.assert_allclose(turned.grad(p @ R.T), ravine.grad(p) @ R.T)
    np.testing.assert_allclose(np.asarray(turned.start), np.asarray(ravine.start) @ R.T)
    assert "turned 30°" in turned.name


def test_rotated_refuses_a_non_finite_angle():
    with pytest.raises(ValueError):
        rotated(ravine, np.nan)


def test_a_full_matrix_run_turns_with_the_problem():
    turned, R = rotated(ravine, 45), rotation(45)
    a = minimize(ravine, FullMatrixRMSProp(lr=0.3), ravine.start, 20)
    b = minimize(turned, FullMatrixRMSProp(lr=0.3), turned.start, 20)
    np.testing.assert_allclose(a.xs @ R.T, b.xs, atol=1e-9)


def test_fewest_steps_is_the_best_rate_of_the_sweep():
    lrs = np.array([0.01, 0.1, 0.45])
    steps, lr = fewest_steps(ravine, SGD, lrs, 1e-3, 1000)
    each = [minimize(ravine, SGD(lr=r), ravine.start, 1000).steps_to_reach(1e-3) for r in lrs]
    each = [k if k >= 0 else 10**9 for k in each]
    assert steps == min(each) and lr == lrs[int(np.argmin(each))]
    assert fewest_steps(ravine, SGD, [1e-6], 1e-3, 10) == (10**9, 1e-6)
    with pytest.raises(ValueError):
        fewest_steps(ravine, SGD, [], 1e-3, 10)


def test_decayed_is_lr_over_root_k():
    opt = decayed(SGD(lr=1.0))
    assert isinstance(opt, WarmupThenDecay)
    np.testing.assert_allclose(opt.factor(np.arange(4)), 1 / np.sqrt(np.arange(1, 5)))


def test_cycle_drift_matches_a_long_run_of_the_average():
    rho, C = 0.6, 3.0
    s = 0.0
    for t in range(1, 3001):  # the average of g^2 over the gradient cycle C, -1, -1
        g = C if t % 3 == 1 else -1.0
        s = rho * s + (1 - rho) * g * g
        if t == 2998:
            s1 = s
        if t == 2999:
            s2 = s
        if t == 3000:
            s3 = s
    np.testing.assert_allclose(cycle_drift(rho, C), C / np.sqrt(s1) - 1 / np.sqrt(s2) - 1 / np.sqrt(s3), rtol=1e-12)


@pytest.mark.parametrize("rho, C", [(1.0, 3.0), (-0.1, 3.0), (0.5, 2.0)])
def test_cycle_drift_refuses_values_outside_its_domain(rho, C):
    with pytest.raises(ValueError):
        cycle_drift(rho, C)


def test_predicted_critical_rho_is_where_the_drift_turns_positive_and_rises_as_c_falls():
    crit = predicted_critical_rho([10.0, 3.0, 2.1])
    assert np.all(np.diff(crit) > 0)
    for C, r in zip([10.0, 3.0, 2.1], crit):
        assert cycle_drift(r, C) > 0 >= cycle_drift(max(r - 1e-4, 0.0), C)
    assert np.isnan(predicted_critical_rho(2.001, grid=np.linspace(0, 0.5, 11))[0])


def test_predicted_critical_rho_separates_runs_that_fail_from_runs_that_converge():
    crit = predicted_critical_rho(3.0)[0]
    rhos = np.array([[crit - 0.1], [crit + 0.05]])
    x = online.run(decayed(RMSProp(lr=0.5, rho=rhos, eps=1e-8)), 3.0, 3000, x0=np.zeros((2, 1))).xs[-300:].mean(axis=0)
    assert x[0, 0] > 0.9 and x[1, 0] < -0.9


def test_least_squares_is_seeded_and_its_best_loss_is_the_least():
    X, Y, best = least_squares(seed=1, examples=40, n=5, m=3)
    X2, Y2, best2 = least_squares(seed=1, examples=40, n=5, m=3)
    assert X.shape == (40, 5) and Y.shape == (40, 3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    assert best == best2
    W = np.linalg.lstsq(X, Y, rcond=None)[0] + 0.01
    assert 0.5 * np.mean((X @ W - Y) ** 2) > best


def test_fit_approaches_the_best_loss_and_returns_the_state():
    X, Y, best = least_squares(seed=2, examples=40, n=4, m=3)
    gaps, state = fit(Adam(lr=0.05), X, Y, best, (4, 3), steps=300)
    assert gaps.shape == (300,) and np.all(gaps >= -1e-12) and gaps[-1] < gaps[0] / 100
    assert state_numbers(state) == 2 * 12
    _, factored = fit(Adafactor(lr=0.01), X, Y, best, (4, 3), steps=3)
    _, flat = fit(Adafactor(lr=0.01), X, Y, best, (12,), steps=3)
    assert state_numbers(factored) == 4 + 3 and state_numbers(flat) == 12
    with pytest.raises(ValueError):
        fit(Adam(lr=0.05), X, Y, best, (5, 3))


def test_first_stretch_below():
    a = np.array([5, 3, 1, 1, 4, 0])
    b = np.array([4, 4, 2, 2, 2, 2])
    assert first_stretch_below(a, b) == (1, 4)
    assert first_stretch_below([0, 0], [1, 1]) == (0, 2)
    with pytest.raises(ValueError):
        first_stretch_below([2, 2], [1, 1])
    with pytest.raises(ValueError):
        first_stretch_below([1, 2], [1, 2, 3])


def test_shifted_moves_the_minimum_and_keeps_the_shape():
    moved = shifted(ravine, [4.0, 1.0])
    np.testing.assert_allclose(moved.minima, [[4.0, 1.0]])
    np.testing.assert_allclose(moved.f(np.array([5.0, 3.0])), ravine.f(np.array([1.0, 2.0])))
    np.testing.assert_allclose(moved.grad(np.array([5.0, 3.0])), ravine.grad(np.array([1.0, 2.0])))
    assert moved.start == (0.0, 0.0) and moved.window == ((-0.5, 4.5), (-0.5, 1.5))
    assert shifted(ravine, [1.0, 1.0], window=((0, 1), (0, 1))).window == ((0, 1), (0, 1))
    with pytest.raises(ValueError):
        shifted(ravine, [1.0, np.nan])
