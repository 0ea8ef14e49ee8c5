"""in_depth: notebook 06's measurements, each against what it should compute."""

import numpy as np
import pytest

from rmsprop_lib import SGD, RMSProp, minimize, problems
from rmsprop_lib.core.runner import Trajectory
from rmsprop_lib.experiments import in_depth as ind
from rmsprop_lib.experiments import stochastic as st

# ------------------------------------------------------------------ sections 1-4


def test_step_sizes_follow_the_bias_formula():
    rhos = np.array([0.9, 0.99])
    sizes = ind.step_sizes(RMSProp(lr=1.0, rho=rhos[:, None], eps=0.0), np.ones((2, 1)), 50)
    assert sizes.shape == (50, 2, 1)
    k = np.arange(1, 51)[:, None]
    np.testing.assert_allclose(sizes[..., 0], 1 / np.sqrt(1 - rhos**k), rtol=1e-12)


def test_step_sizes_keep_the_gradients_shape_and_sign_free():
    sizes = ind.step_sizes(SGD(0.1), np.array([[2.0, -3.0]]), 3)
    np.testing.assert_allclose(sizes, np.tile([[0.2, 0.3]], (3, 1, 1)))


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_step_sizes_refuses_a_bad_step_count(bad):
    with pytest.raises((TypeError, ValueError)):
        ind.step_sizes(SGD(0.1), np.ones(2), bad)


def test_conventions_build_each_frameworks_rmsprop():
    torch = ind.convention("torch", lr=0.1)
    assert (torch.rho, torch.eps, torch.eps_in_sqrt) == (0.99, 1e-8, False)
    assert ind.convention("Keras", lr=0.1, rho=0.5).rho == 0.5
    tf1 = ind.convention("TF1", lr=1.0)
    assert isinstance(tf1, ind.TF1RMSProp) and np.all(tf1.init(np.zeros(3)).mean_sq == 1)
    assert ind.eps_floor("torch") == 1e-8 and ind.eps_floor("d2l") == pytest.approx(1e-3)
    with pytest.raises(KeyError, match="known"):
        ind.convention("mxnet", lr=0.1)
    with pytest.raises(KeyError):
        ind.eps_floor("mxnet")


def test_tf1_first_step_is_about_lr_g_for_small_gradients():
    g = np.array([1e-3])
    u = ind.step_sizes(ind.convention("TF1", lr=1.0), g, 1)[0]
    np.testing.assert_allclose(u, g / np.sqrt(0.9 + 0.1 * g**2 + 1e-10), rtol=1e-12)


def test_scaled_multiplies_loss_and_gradient_per_run():
    ravine = problems.ill_conditioned
    c = np.array([1.0, 0.01])
    flat = ind.scaled(ravine, c)
    x = np.tile(ravine.start, (2, 1))
    np.testing.assert_allclose(flat.f(x), c * ravine.f(x))
    np.testing.assert_allclose(flat.grad(x), c[:, None] * ravine.grad(x))
    with pytest.raises(ValueError):
        ind.scaled(ravine, [[1.0]])
    with pytest.raises(ValueError):
        ind.scaled(ravine, [-1.0])


def test_follows_floor_tells_the_floor_shape_from_another():
    g = np.geomspace(1e-12, 1.0, 121)
    floor = 1e-6
    exact = g / (g + floor)  # steady step of eps outside the root
    assert ind.follows_floor(g, exact, floor)
    assert not ind.follows_floor(g, exact, 1e-4)
    with pytest.raises(ValueError, match="both"):
        ind.follows_floor(g[:10], exact[:10], floor)
    with pytest.raises(ValueError, match="shape"):
        ind.follows_floor(g, exact[:-1], floor)


def test_stall_scale_is_the_largest_stalled_scale():
    assert ind.stall_scale([1e-3, 1e-2, 1e-1, 1.0], [1.0, 0.9, 0.1, 1e-3]) == 1e-2
    with pytest.raises(ValueError, match="no run stalled"):
        ind.stall_scale([1.0], [0.1])


# ------------------------------------------------------------------ sections 2, 5, 7


def test_back_below_looks_one_step_after_the_jump():
    losses = np.array([[0.02, 0.02], [5.0, 0.03], [0.05, 6.0], [0.2, 0.5]])
    np.testing.assert_array_equal(ind.back_below(losses, 0.1, window=2), [True, False])


def test_creep_measures_path_against_gain():
    xs = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    run = Trajectory(xs, np.zeros(5), -1)
    path, gained, largest = ind.creep(run, target=(10.0, 0.0), last=4)
    assert (path, gained, largest) == (4.0, 2.0, 1.0)
    with pytest.raises(ValueError):
        ind.creep(run, target=(0, 0), last=10)


def test_settled_loss_is_the_worst_of_the_last_steps_and_nan_when_diverged():
    run = minimize(problems.bowl, SGD(np.array([[0.1], [5.0]])), np.tile([1.0, 1.0], (2, 1)), 200)
    settled = ind.settled_loss(run, last=10)
    assert settled[0] == run.losses[-10:, 0].max() and np.isnan(settled[1])


def test_unbroken():
    assert ind.unbroken([False, True, True, False])
    assert not ind.unbroken([True, False, True])
    assert not ind.unbroken([False, False])


# ------------------------------------------------------------------ section 8


DATA = st.line_fit()


def test_snr_steps_agree_with_the_prediction_where_the_signal_dominates():
    far = np.array([DATA.problem.start])  # far from theta*: signal-dominated with batches of 32
    at = ind.snr_steps(DATA, far, batch_sizes=(32,), rhos=(0.9,), steps=600, skip=100, blocks=5)
    assert at.snr.shape == at.predicted.shape == (1, 1, 2)
    assert at.measured.shape == at.error.shape == at.size.shape == (1, 1, 1, 2)
    np.testing.assert_array_equal(at.gap, at.measured - at.predicted[:, None])
    assert np.abs(at.gap).max() < 0.1
    with pytest.raises(ValueError, match="multiple"):
        ind.snr_steps(DATA, far, (4,), (0.9,), steps=600, skip=100, blocks=7)


def test_gap_curves_and_settled_floor():
    gaps = ind.gap_curves(DATA, SGD(np.repeat([0.1, 0.01], 3)[:, None]), 2, 3, 50, 4, seed=1)
    assert gaps.shape == (51, 2, 3) and np.all(gaps >= -1e-12)
    run = st.minimize_stochastic(DATA, SGD(np.repeat([0.1, 0.01], 3)[:, None]), np.tile(DATA.problem.start, (6, 1)), 50, 4, seed=1)
    np.testing.assert_allclose(gaps[:, 1, 0], run.losses[:, 3] - DATA.problem.min_value)
    floor, error = ind.settled_floor(gaps, 25)
    np.testing.assert_allclose(floor, gaps[25:].mean(axis=0).mean(axis=-1))
    assert floor.shape == error.shape == (2,) and np.all(error > 0)


# ------------------------------------------------------------------ section 9


def test_best_reach_picks_the_fastest_learning_rate():
    k, lr = ind.best_reach(problems.bowl, SGD, np.array([0.1, 0.5, 0.9]), 100, loss=1e-6)
    assert lr == 0.5 and k == 1  # lr = 1/2 on x^2 + y^2 steps onto the minimum
    with pytest.raises(ValueError, match="no learning rate"):
        ind.best_reach(problems.bowl, SGD, np.array([1e-4]), 5, loss=1e-6)


def test_rate_ratio_starts_at_the_gradient_ratio():
    ravine = problems.ill_conditioned
    ratio = ind.rate_ratio(ravine, RMSProp(0.1, eps=0.0), 10)
    g = ravine.grad(np.array(ravine.start))
    assert ratio.shape == (10,) and ratio[0] == pytest.approx(abs(g[1] / g[0]), rel=1e-12)


def test_log_fraction():
    np.testing.assert_allclose(ind.log_fraction([1.0, 3.0, 9.0], 9.0), [0.0, 0.5, 1.0])
    with pytest.raises(ValueError):
        ind.log_fraction(2.0, 1.0)
