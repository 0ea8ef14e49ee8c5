"""stochastic: the least-squares line fit, mini-batch gradients and the stochastic runner."""

import warnings

import numpy as np
import pytest

from rmsprop_lib import SGD, Adam, Momentum, RMSProp, minimize
from rmsprop_lib.experiments import stochastic as st

DATA = st.line_fit()


def direct_loss(data, theta):
    residuals = np.asarray(theta) @ data.features.T - data.targets
    return 0.5 * np.mean(residuals**2, axis=-1)


# ------------------------------------------------------------------ the data and the loss


def test_line_fit_is_seeded():
    again = st.line_fit()
    np.testing.assert_array_equal(again.features, DATA.features)
    np.testing.assert_array_equal(again.targets, DATA.targets)
    assert not np.array_equal(st.line_fit(seed=1).targets, DATA.targets)


def test_data_follow_the_requested_line():
    data = st.line_fit(n=5000, slope=-1.5, intercept=0.5, noise=0.1, inputs=(0.0, 3.0))
    assert data.features.shape == (5000, 2) and np.all(data.features[:, 1] == 1.0)
    assert 0.0 <= data.inputs.min() and data.inputs.max() <= 3.0
    np.testing.assert_allclose(data.solution, [-1.5, 0.5], atol=0.02)
    np.testing.assert_allclose(data.problem.min_value, 0.5 * 0.1**2, rtol=0.1)


def test_noise_free_data_are_fitted_exactly():
    data = st.line_fit(n=10, slope=3.0, intercept=-2.0, noise=0.0)
    np.testing.assert_allclose(data.solution, [3.0, -2.0], rtol=1e-12)
    assert data.problem.min_value == pytest.approx(0.0, abs=1e-20)


def test_the_solution_is_numpys_least_squares():
    expected, *_ = np.linalg.lstsq(DATA.features, DATA.targets, rcond=None)
    np.testing.assert_allclose(DATA.solution, expected, rtol=1e-12)


def test_the_quadratic_form_of_the_loss_equals_the_mean_of_squares():
    points = np.random.default_rng(0).normal(size=(7, 3, 2)) * 3
    np.testing.assert_allclose(DATA.problem.f(points), direct_loss(DATA, points), rtol=1e-12)
    assert DATA.problem.f(points).shape == (7, 3)


def test_full_batch_gradient_is_the_analytic_one():
    theta = np.random.default_rng(1).normal(size=(5, 2))
    X, y = DATA.features, DATA.targets
    analytic = theta @ (X.T @ X / DATA.n) - X.T @ y / DATA.n  # H theta - (1/n) X^T y
    np.testing.assert_allclose(DATA.problem.grad(theta), analytic, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(st.minibatch_grad(DATA, theta), analytic, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(DATA.hessian, X.T @ X / DATA.n)


def test_full_batch_gradient_matches_finite_differences():
    theta, h = np.array([0.3, -1.2]), 1e-6
    numeric = [(DATA.problem.f(theta + e) - DATA.problem.f(theta - e)) / (2 * h) for e in np.eye(2) * h]
    np.testing.assert_allclose(DATA.problem.grad(theta), numeric, rtol=1e-7)


def test_gradient_vanishes_at_the_solution_but_single_examples_do_not():
    np.testing.assert_allclose(DATA.problem.grad(DATA.solution), 0.0, atol=1e-13)
    per_example = st.example_grads(DATA, DATA.solution)
    assert per_example.shape == (DATA.n, 2)
    assert np.mean(np.linalg.norm(per_example, axis=-1)) > 0.5


# ------------------------------------------------------------------- mini-batches


def test_single_example_gradients_average_to_the_full_gradient_exactly():
    theta = np.array([-1.0, 3.0])
    every_example = np.arange(DATA.n)[:, None]  # n batches of size 1
    np.testing.assert_allclose(st.minibatch_grad(DATA, theta, every_example).mean(axis=0), DATA.problem.grad(theta), rtol=1e-13)


def test_minibatch_gradients_are_unbiased_with_variance_over_m():
    theta, m, draws = np.array([-1.0, 3.0]), 8, 20000
    index = st.sample_batches(np.random.default_rng(3), DATA.n, m, (draws,))
    g = st.minibatch_grad(DATA, theta, index)
    full = DATA.problem.grad(theta)
    spread = g.std(axis=0)
    assert np.all(np.abs(g.mean(axis=0) - full) < 5 * spread / np.sqrt(draws))
    cov = np.cov(st.example_grads(DATA, theta).T, bias=True)
    expected = np.trace(cov) / m * (DATA.n - m) / (DATA.n - 1)  # sampling without replacement
    assert np.mean(np.sum((g - full) ** 2, axis=-1)) == pytest.approx(expected, rel=0.05)


@pytest.mark.parametrize("m", [1, 7, 20, 49])  # m * m <= n: redraw repeats; otherwise: smallest keys
def test_sample_batches_draws_distinct_sorted_indices(m):
    index = st.sample_batches(np.random.default_rng(0), 50, m, (400, 3))
    assert index.shape == (400, 3, m) and np.issubdtype(index.dtype, np.integer)
    assert np.all(np.diff(index, axis=-1) > 0) and index.min() >= 0 and index.max() < 50
    assert st.sample_batches(np.random.default_rng(0), 50, m).shape == (m,)


def test_the_full_batch_is_every_example_in_order():
    full = st.sample_batches(np.random.default_rng(0), 50, 50, (2,))
    np.testing.assert_array_equal(full, np.tile(np.arange(50), (2, 1)))


@pytest.mark.parametrize("m", [2, 3])  # both ways of drawing (n = 5: 2 * 2 <= 5 < 3 * 3)
def test_every_subset_is_equally_likely(m):
    index = st.sample_batches(np.random.default_rng(5), 5, m, (40000,))
    codes = (2 ** index).sum(axis=-1)  # one integer per subset
    counts = np.unique(codes, return_counts=True)[1]
    assert len(counts) == 10  # C(5, 2) = C(5, 3) = 10 subsets
    np.testing.assert_allclose(counts / 40000, 0.1, atol=0.006)


def test_the_same_generator_state_gives_the_same_batches():
    a = st.sample_batches(np.random.default_rng(9), 200, 4, (30,))
    b = st.sample_batches(np.random.default_rng(9), 200, 4, (30,))
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ the runner


@pytest.mark.parametrize("optimizer", [SGD(0.1), Momentum(0.05, 0.9), RMSProp(0.05), Adam(0.1)], ids=repr)
def test_full_batch_size_reproduces_minimize_exactly(optimizer):
    x0 = np.array([[-1.0, 3.0], [4.0, 0.0]])
    deterministic = minimize(DATA.problem, optimizer, x0, steps=30)
    stochastic = st.minimize_stochastic(DATA, optimizer, x0, steps=30, batch_size=DATA.n, seed=123)
    np.testing.assert_array_equal(stochastic.xs, deterministic.xs)
    np.testing.assert_array_equal(stochastic.losses, deterministic.losses)


def test_a_single_run_has_the_usual_shapes():
    run = st.minimize_stochastic(DATA, SGD(0.1), DATA.problem.start, steps=12, batch_size=4, seed=0)
    assert run.xs.shape == (13, 2) and run.losses.shape == (13,) and run.diverged_at == -1
    np.testing.assert_array_equal(run.xs[0], DATA.problem.start)
    np.testing.assert_allclose(run.losses, DATA.problem.f(run.xs))


def test_the_same_seed_reproduces_the_same_run():
    x0 = np.tile(DATA.problem.start, (3, 1))
    a = st.minimize_stochastic(DATA, Adam(0.05), x0, steps=50, batch_size=5, seed=7)
    b = st.minimize_stochastic(DATA, Adam(0.05), x0, steps=50, batch_size=5, seed=7)
    c = st.minimize_stochastic(DATA, Adam(0.05), x0, steps=50, batch_size=5, seed=8)
    np.testing.assert_array_equal(a.xs, b.xs)
    assert not np.array_equal(a.xs, c.xs)
    assert not np.array_equal(a.xs[:, 0], a.xs[:, 1])  # runs in a batch draw their own batches


def test_sgd_steps_by_hand():
    seed, m, lr = 4, 6, 0.3
    rng = np.random.default_rng(seed)
    index = np.concatenate([st.sample_batches(rng, DATA.n, m, (100,)), st.sample_batches(rng, DATA.n, m, (5,))])
    x = np.array(DATA.problem.start)
    run = st.minimize_stochastic(DATA, SGD(lr), x, steps=105, batch_size=m, seed=seed)
    for k in range(105):
        x = x - lr * st.minibatch_grad(DATA, x, index[k])
        np.testing.assert_array_equal(run.xs[k + 1], x)


def test_decay_scales_the_learning_rate_as_one_over_one_plus_k_over_k0():
    lr, k0, steps = 0.4, 5.0, 20
    x = np.array([-1.0, 3.0])
    for k in range(steps):
        x = x - lr / (1 + k / k0) * DATA.problem.grad(x)
    run = st.minimize_stochastic(DATA, SGD(lr), [-1.0, 3.0], steps, batch_size=DATA.n, seed=0, decay_steps=k0)
    np.testing.assert_allclose(run.xs[-1], x, rtol=1e-13)
    decayed = st.InverseTimeDecay(SGD(lr), k0)
    assert decayed.factor(0) == 1.0 and decayed.factor(5) == 0.5


def test_decay_steps_per_run():
    x0 = np.tile([-1.0, 3.0], (2, 1))
    both = st.minimize_stochastic(DATA, SGD(0.2), x0, 15, DATA.n, seed=0, decay_steps=np.array([[2.0], [50.0]]))
    for i, k0 in enumerate([2.0, 50.0]):
        alone = st.minimize_stochastic(DATA, SGD(0.2), x0[i], 15, DATA.n, seed=0, decay_steps=k0)
        np.testing.assert_allclose(both.xs[:, i], alone.xs, rtol=1e-14)


def test_a_fixed_step_stalls_at_the_predicted_noise_floor_and_a_decaying_one_goes_below():
    m, lr, runs = 4, 0.05, 40
    x0 = np.tile(DATA.problem.start, (runs, 1))
    cov = np.cov(st.example_grads(DATA, DATA.solution).T, bias=True)
    floor = lr * np.trace(cov) / m * (DATA.n - m) / (DATA.n - 1) / 4  # E[L - L*] ~ lr tr(Sigma_m) / 4
    fixed = st.minimize_stochastic(DATA, SGD(lr), x0, 2000, m, seed=1)
    decaying = st.minimize_stochastic(DATA, SGD(lr), x0, 2000, m, seed=1, decay_steps=100.0)
    plateau = np.mean(fixed.losses[1000:] - DATA.problem.min_value)
    assert plateau == pytest.approx(floor, rel=0.2)
    assert np.mean(decaying.losses[1500:] - DATA.problem.min_value) < plateau / 3


def test_divergence_is_reported_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = st.minimize_stochastic(DATA, SGD(3.0), DATA.problem.start, 200, batch_size=2, seed=0)
    assert run.diverged_at > 0 and np.all(np.isfinite(run.xs))


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "batch_size, error", [(0, ValueError), (-1, ValueError), (DATA.n + 1, ValueError), (2.5, TypeError), (True, TypeError),
                          ("4", TypeError), (None, TypeError)]
)
def test_bad_batch_size_raises(batch_size, error):
    with pytest.raises(error, match=r"batch_size must be an integer from 1 to n = 200"):
        st.minimize_stochastic(DATA, SGD(0.1), [0.0, 0.0], 5, batch_size=batch_size, seed=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n=1), "n must be an integer >= 2"),
        (dict(noise=-1.0), "noise must be >= 0"),
        (dict(inputs=(2.0, 2.0)), "low < high"),
        (dict(slope=np.nan), "must be finite"),
    ],
)
def test_bad_data_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        st.line_fit(**kwargs)


def test_a_float_example_count_is_a_type_error():
    with pytest.raises(TypeError, match="n must be an integer >= 2, got float 10.0"):
        st.line_fit(n=10.0)


def test_bad_decay_steps_raise():
    with pytest.raises(ValueError, match="decay_steps must be > 0"):
        st.minimize_stochastic(DATA, SGD(0.1), [0.0, 0.0], 5, batch_size=4, seed=0, decay_steps=0.0)
    with pytest.raises(ValueError, match="decay_steps has shape"):
        st.minimize_stochastic(DATA, SGD(0.1), [0.0, 0.0], 5, batch_size=4, seed=0, decay_steps=np.ones((3, 1)))


def test_bad_index_raises():
    with pytest.raises(ValueError, match="index must be an integer array"):
        st.minibatch_grad(DATA, [0.0, 0.0], np.array([0, DATA.n]))
    with pytest.raises(ValueError, match="index must be an integer array"):
        st.minibatch_grad(DATA, [0.0, 0.0], np.array([0.5, 1.0]))


# ------------------------------------------------------------------ RMSProp under noise (notebook 06, section 8)


def test_gradient_noise_is_the_mean_and_spread_of_many_minibatch_gradients():
    theta = np.array(DATA.problem.start)
    mu, sigma = st.gradient_noise(DATA, theta, 8)
    np.testing.assert_allclose(mu, DATA.problem.grad(theta), rtol=1e-12)
    grads = st.minibatch_grad(DATA, theta, st.sample_batches(np.random.default_rng(0), DATA.n, 8, (20000,)))
    np.testing.assert_allclose(grads.std(axis=0), sigma, rtol=0.03)
    # the trace of notebook 02's Sigma_m
    cov = np.cov(st.example_grads(DATA, theta).T, bias=True)
    np.testing.assert_allclose((sigma**2).sum(), np.trace(cov) / 8 * (DATA.n - 8) / (DATA.n - 1), rtol=1e-12)


def test_gradient_noise_shapes_and_the_full_batch():
    mu, sigma = st.gradient_noise(DATA, np.zeros((3, 4, 2)), 5)
    assert mu.shape == sigma.shape == (3, 4, 2)
    assert np.all(st.gradient_noise(DATA, np.zeros(2), DATA.n)[1] == 0)
    with pytest.raises(ValueError, match="batch_size"):
        st.gradient_noise(DATA, np.zeros(2), 0)
    with pytest.raises(TypeError, match="LeastSquares"):
        st.gradient_noise("data", np.zeros(2), 4)


def test_snr_step_limits_and_errors():
    np.testing.assert_allclose(st.snr_step([3.0, -3.0], [4.0, 4.0]), [0.6, -0.6])
    assert st.snr_step(1e6, 1.0) == pytest.approx(1.0, abs=1e-9)
    assert st.snr_step(1e-6, 1.0) == pytest.approx(1e-6, rel=1e-9)  # gradient descent with rate lr / sigma
    assert st.snr_step(0.0, 0.0) == 0.0
    assert st.snr_step(np.ones((2, 1)), np.ones(3)).shape == (2, 3)
    with pytest.raises(ValueError):
        st.snr_step(1.0, -1.0)
    with pytest.raises(ValueError):
        st.snr_step(np.nan, 1.0)


def test_updates_at_feeds_seeded_minibatch_gradients_at_a_fixed_point():
    theta = np.array([[0.0, 0.0], [1.0, 2.0]])
    u = st.updates_at(DATA, SGD(0.5), theta, 150, 4, seed=7)
    assert u.shape == (150, 2, 2)
    rng = np.random.default_rng(7)
    index = np.concatenate([st.sample_batches(rng, DATA.n, 4, (100, 2)), st.sample_batches(rng, DATA.n, 4, (50, 2))])
    np.testing.assert_allclose(u, 0.5 * st.minibatch_grad(DATA, theta, index), rtol=1e-12)
    np.testing.assert_array_equal(u, st.updates_at(DATA, SGD(0.5), theta, 150, 4, seed=7))
    assert st.updates_at(DATA, RMSProp(1.0), theta[0], 0, 4, seed=0).shape == (0, 2)


def test_rmsprop_average_step_follows_the_signal_to_noise_prediction():
    theta = DATA.solution + np.array([[0.3, -0.25], [3.0, -2.5]])
    mu, sigma = st.gradient_noise(DATA, theta, 16)
    u = st.updates_at(DATA, RMSProp(1.0, rho=0.99), theta, 4000, 16, seed=1)[500:]
    np.testing.assert_allclose(u.mean(axis=0), st.snr_step(mu, sigma), atol=0.05)


def test_noise_floor_formulas():
    _, sigma = st.gradient_noise(DATA, DATA.solution, 4)
    assert st.noise_floor(DATA, 0.1, 4) == pytest.approx(0.1 * np.sum(sigma**2) / 4, rel=1e-12)
    assert st.noise_floor(DATA, 0.1, 4, "RMSProp") == pytest.approx(0.1 * np.sum(sigma) / 4, rel=1e-12)
    np.testing.assert_allclose(st.noise_floor(DATA, np.array([0.1, 0.2]), 4), np.array([1, 2]) * st.noise_floor(DATA, 0.1, 4))
    # four times the batch: SGD's floor / (4 (n-4)/(n-16)), RMSProp's / its square root
    fpc = 4 * (DATA.n - 4) / (DATA.n - 16)
    assert st.noise_floor(DATA, 0.1, 4) / st.noise_floor(DATA, 0.1, 16) == pytest.approx(fpc, rel=1e-12)
    assert st.noise_floor(DATA, 0.1, 4, "RMSProp") / st.noise_floor(DATA, 0.1, 16, "RMSProp") == pytest.approx(np.sqrt(fpc), rel=1e-12)
    with pytest.raises(ValueError, match="method"):
        st.noise_floor(DATA, 0.1, 4, "Adam")
    with pytest.raises(ValueError):
        st.noise_floor(DATA, -0.1, 4)


def test_shared_batches_a_run_does_not_depend_on_the_runs_beside_it():
    x0 = np.array(DATA.problem.start)
    alone = st.minimize_shared_batches(DATA, RMSProp(0.03, rho=0.9), x0, 300, 4, seed=3, width=64)
    lrs = np.array([0.01, 0.03, 0.1])[:, None]
    batch = st.minimize_shared_batches(DATA, RMSProp(lrs, rho=0.9), np.tile(x0, (3, 1)), 300, np.array([8, 4, 64]), seed=3, width=64)
    np.testing.assert_array_equal(batch.xs[:, 1], alone.xs)
    decayed = st.minimize_shared_batches(DATA, SGD(0.1), np.tile(x0, (2, 1)), 300, 4, seed=3, decay_steps=np.array([[50.0], [1e9]]))
    assert decayed.xs.shape == (301, 2, 2) and not np.array_equal(decayed.xs[:, 0], decayed.xs[:, 1])


def test_shared_batches_of_every_example_are_full_batch_gradient_descent():
    x0 = np.array(DATA.problem.start)
    shared = st.minimize_shared_batches(DATA, SGD(0.1), x0, 50, DATA.n, seed=0)
    np.testing.assert_allclose(shared.xs, minimize(DATA.problem, SGD(0.1), x0, 50).xs, rtol=1e-10, atol=1e-12)


def test_shared_batches_are_unbiased_and_nested():
    # a run of batch size m sees the first m examples of the same ordering as a run of batch size m' > m
    x0 = np.zeros(2)
    one = st.minimize_shared_batches(DATA, SGD(1e-3), np.tile(x0, (2, 1)), 1, np.array([1, 2]), seed=4)
    rng = np.random.default_rng(4)
    order = np.argsort(rng.random((1, DATA.n)), axis=-1)[0]
    expected = [st.minibatch_grad(DATA, x0, order[:1]), st.minibatch_grad(DATA, x0, order[:2])]
    np.testing.assert_allclose((x0 - one.xs[1]) / 1e-3, expected, rtol=1e-12)
    many = st.minimize_shared_batches(DATA, SGD(1e-9), np.zeros((1, 2)), 3000, 4, seed=5)
    mean_grad = ((many.xs[:-1] - many.xs[1:]) / 1e-9).mean(axis=(0, 1))
    np.testing.assert_allclose(mean_grad, DATA.problem.grad(x0), atol=0.15)


def test_shared_batches_refuse_bad_batch_sizes():
    with pytest.raises(ValueError, match="batch_size"):
        st.minimize_shared_batches(DATA, SGD(0.1), np.zeros(2), 5, 0, seed=0)
    with pytest.raises(ValueError, match="batch_size"):
        st.minimize_shared_batches(DATA, SGD(0.1), np.zeros(2), 5, 2.5, seed=0)
    with pytest.raises(ValueError):
        st.minimize_shared_batches(DATA, SGD(0.1), np.zeros(2), 5, 4, seed=0, width=2)


# ------------------------------------------------------------------ RMSProp as a preconditioner (notebook 06, section 9)


def test_gauss_newton_diagonal_is_the_hessians():
    wide = st.line_fit(inputs=(-5.0, 5.0))
    np.testing.assert_allclose(st.gauss_newton_diagonal(wide), np.diag(wide.hessian), rtol=1e-15)
    np.testing.assert_allclose(st.gauss_newton_diagonal(wide), [np.mean(wide.inputs**2), 1.0], rtol=1e-12)
    # a copy: changing it does not change the data
    st.gauss_newton_diagonal(wide)[0] = -1
    assert wide.hessian[0, 0] > 0
    with pytest.raises(TypeError, match="LeastSquares"):
        st.gauss_newton_diagonal(wide.problem)


def test_fisher_diagonal_is_the_mean_squared_example_gradient():
    theta = np.array([[0.0, 0.0], [1.0, 2.0]])
    grads = st.example_grads(DATA, theta)
    np.testing.assert_allclose(st.fisher_diagonal(DATA, theta), (grads**2).mean(axis=-2), rtol=1e-15)
    assert st.fisher_diagonal(DATA, np.zeros((3, 4, 2))).shape == (3, 4, 2)
    # noise-free data: every example's gradient, and so the Fisher diagonal, vanishes at theta*
    clean = st.line_fit(noise=0.0)
    assert np.abs(st.fisher_diagonal(clean, clean.solution)).max() < 1e-20


def test_near_the_solution_of_noisy_data_the_fisher_diagonal_is_about_sigma_squared_times_the_curvature():
    big = st.line_fit(n=20000, noise=0.5, inputs=(-5.0, 5.0), seed=3)
    ratio = st.fisher_diagonal(big, big.solution) / st.gauss_newton_diagonal(big)
    np.testing.assert_allclose(ratio, 0.25, rtol=0.05)


def test_second_moment_is_the_mean_square_of_many_minibatch_gradients():
    theta = DATA.solution + np.array([[0.0, 0.0], [0.3, -0.2]])
    for m in (1, 4, DATA.n):
        mean, std = st.gradient_noise(DATA, theta, m)
        np.testing.assert_allclose(st.second_moment(DATA, theta, m), mean**2 + std**2, rtol=1e-15)
    # batches of one example: the empirical Fisher diagonal
    np.testing.assert_allclose(st.second_moment(DATA, theta, 1), st.fisher_diagonal(DATA, theta), rtol=1e-12)
    # the full batch: the squared mean gradient, 0 at theta*
    np.testing.assert_allclose(st.second_moment(DATA, theta, DATA.n), DATA.problem.grad(theta) ** 2, rtol=1e-12, atol=1e-30)
    grads = st.minibatch_grad(DATA, theta[1], st.sample_batches(np.random.default_rng(0), DATA.n, 8, (20000,)))
    np.testing.assert_allclose((grads**2).mean(axis=0), st.second_moment(DATA, theta[1], 8), rtol=0.03)


def test_recording_keeps_rmsprops_average_and_changes_nothing():
    x0 = np.tile(DATA.problem.start, (3, 1))
    recorded = st.Recording(RMSProp(0.03, rho=0.9), "mean_sq")
    run = st.minimize_stochastic(DATA, recorded, x0, 50, 4, seed=5)
    plain = st.minimize_stochastic(DATA, RMSProp(0.03, rho=0.9), x0, 50, 4, seed=5)
    np.testing.assert_array_equal(run.xs, plain.xs)
    s = recorded.history
    assert s.shape == (50, 3, 2)
    # the same average, recomputed from the updates: u = lr g / (sqrt(s) + eps) gives g, and s_k = rho s_{k-1} + (1 - rho) g^2
    u = -np.diff(run.xs, axis=0)
    g = u * (np.sqrt(s) + 1e-6) / 0.03
    again = np.zeros((3, 2))
    for k in range(50):
        again = 0.9 * again + 0.1 * g[k] ** 2
        np.testing.assert_allclose(s[k], again, rtol=1e-9)
    # init starts a new record; a deterministic run works too
    minimize(DATA.problem, recorded, DATA.problem.start, 7)
    assert recorded.history.shape == (7, 2)
    assert "Recording(RMSProp(" in repr(recorded) and repr(recorded).endswith(", 'mean_sq')")
    # without a field: the updates themselves
    updates = st.Recording(SGD(0.1))
    run = minimize(DATA.problem, updates, DATA.problem.start, 4)
    np.testing.assert_allclose(updates.history, -np.diff(run.xs, axis=0), rtol=1e-12, atol=1e-15)


def test_recording_passes_the_parameters_on_and_reports_a_missing_field():
    from rmsprop_lib import AdamW

    x0 = np.array(DATA.problem.start)
    recorded = st.Recording(AdamW(0.01, weight_decay=0.1), "mean_sq")
    assert recorded.uses_params
    np.testing.assert_array_equal(minimize(DATA.problem, recorded, x0, 5).xs, minimize(DATA.problem, AdamW(0.01, weight_decay=0.1), x0, 5).xs)
    with pytest.raises(AttributeError, match="no field 'mean_sq'"):
        minimize(DATA.problem, st.Recording(SGD(0.1), "mean_sq"), x0, 2)
    with pytest.raises(TypeError, match="optimizer"):
        st.Recording(RMSProp)
    with pytest.raises(TypeError, match="field"):
        st.Recording(RMSProp(0.1), 3)
