"""minimize: shapes, batching, divergence."""

import warnings

import numpy as np

from rmsprop_lib import SGD, RMSProp, minimize, problems


def test_shapes_for_one_run():
    t = minimize(problems.bowl, SGD(lr=0.1), [5.0, 4.0], steps=7)
    assert t.xs.shape == (8, 2) and t.losses.shape == (8,)
    assert t.xs[0].tolist() == [5.0, 4.0] and t.losses[0] == 41.0
    assert t.diverged_at == -1 and isinstance(t.diverged_at, int)
    assert t.steps == 7


def test_zero_steps_records_only_the_start():
    t = minimize(problems.bowl, SGD(lr=0.1), [5.0, 4.0], steps=0)
    assert t.xs.shape == (1, 2)


def test_gradient_descent_on_the_bowl_by_hand():
    # x_k = (1 - 2 lr)^k x_0
    t = minimize(problems.bowl, SGD(lr=0.1), [5.0, 4.0], steps=10)
    np.testing.assert_allclose(t.xs[10], 0.8**10 * np.array([5.0, 4.0]), rtol=1e-13)


def test_shapes_for_a_grid_of_runs():
    x0 = np.zeros((3, 4, 2)) + [1.0, 1.0]
    t = minimize(problems.bowl, SGD(lr=0.1), x0, steps=5)
    assert t.xs.shape == (6, 3, 4, 2) and t.losses.shape == (6, 3, 4) and t.diverged_at.shape == (3, 4)


def test_divergence_is_reported_and_the_run_stops_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = minimize(problems.bowl, SGD(lr=1.5), [5.0, 4.0], steps=100)
    # |1 - 2 lr| = 2: the distance doubles each step and passes 1e6 at step 18
    assert t.diverged_at == 18
    assert np.all(np.isfinite(t.xs)) and np.all(np.isfinite(t.losses))
    assert np.all(t.xs[18:] == t.xs[17])
    assert t.diverged


def test_overflow_to_infinity_is_divergence_too():
    t = minimize(problems.beale, SGD(lr=1.0), [4.0, 4.0], steps=50, bound=1e300)
    assert t.diverged_at > 0 and np.all(np.isfinite(t.xs))


def test_batch_marks_only_the_runs_that_diverged():
    lrs = np.array([[0.1], [1.5], [0.4]])
    t = minimize(problems.bowl, SGD(lr=lrs), np.tile([5.0, 4.0], (3, 1)), steps=60)
    assert t.diverged_at.tolist() == [-1, 18, -1]
    assert t.final[0] @ t.final[0] < 1e-10


def test_the_saddle_sends_runs_away_along_y():
    # RMSProp's step is about lr whatever the gradient's size: y grows by ~0.1 per step
    t = minimize(problems.saddle, RMSProp(lr=0.1), [1.0, 1e-3], steps=2000)
    assert abs(t.final[0]) <= 0.1 and abs(t.final[1]) > 100  # x hovers within ~lr/2 of 0
    assert t.losses[-1] < -1e4  # unbounded below


def test_steps_to_reach_a_loss():
    # on the bowl with lr = 0.1, f_k = 0.64**k * 41
    t = minimize(problems.bowl, SGD(lr=0.1), [5.0, 4.0], steps=30)
    expected = int(np.ceil(np.log(1e-3 / 41) / np.log(0.64)))
    assert t.steps_to_reach(1e-3) == expected and isinstance(t.steps_to_reach(1e-3), int)
    assert t.steps_to_reach(41.0) == 0
    assert t.steps_to_reach(1e-30) == -1


def test_steps_to_reach_per_run_and_never_after_divergence():
    lrs = np.array([[0.1], [0.4], [1.5]])
    t = minimize(problems.bowl, SGD(lr=lrs), np.tile([5.0, 4.0], (3, 1)), steps=40)
    k = t.steps_to_reach(1e-3)
    assert k.shape == (3,) and k[1] < k[0] and k[2] == -1
