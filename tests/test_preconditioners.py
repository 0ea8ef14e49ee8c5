"""Adafactor against torch.optim.Adafactor; FullMatrixRMSProp by hand; their properties."""

import numpy as np
import pytest

import torch_reference
from rmsprop_lib import Adafactor, FullMatrixRMSProp, RMSProp, minimize, problems

# ---------------------------------------------------------------------- Adafactor


def matrix_quadratic(shape, seed=0):
    """The gradient of f(W) = 1/2 sum A (W - W*)^2 with positive weights A spread over 2 decades."""
    rng = np.random.default_rng(seed)
    weights, target = 10 ** rng.uniform(-1, 1, shape), rng.normal(size=shape)
    return lambda w: weights * (w - target), rng.normal(size=shape)


def test_factored_second_moment_keeps_n_plus_m_numbers():
    for shape, batch_ndim, numbers in [((5, 7), 0, 5 + 7), ((3, 5, 7), 1, 3 * (5 + 7)), ((6,), 0, 6), ((4, 2), 1, 4 * 2)]:
        state = Adafactor(batch_ndim=batch_ndim).init(np.zeros(shape))
        kept = [a for a in (state.row, state.col, state.full) if a is not None]
        assert sum(a.size for a in kept) == numbers, shape


def test_factored_estimate_is_exact_for_a_rank_one_square():
    # if g^2 = r c^T (rank 1) at every step, R C^T / mean(R) rebuilds every entry of the average
    r, c = np.array([1.0, 4.0, 0.25]), np.array([2.0, 0.5, 1.0, 3.0])
    g = np.sqrt(np.outer(r, c))
    opt = Adafactor(lr=1.0, eps2=0.0, d=1e9)  # no clipping; alpha = min(lr, 1/sqrt t) RMS(theta), theta = 1
    state = opt.init(np.ones((3, 4)))
    for t in range(1, 4):
        u, state = opt.update(g, state, params=np.ones((3, 4)))
        # V is the average of g^2 itself, so U = g / |g| = 1 everywhere and u = alpha = 1/sqrt(t)
        np.testing.assert_allclose(u, np.full((3, 4), 1 / np.sqrt(t)), rtol=1e-14)


def test_batched_runs_equal_single_runs():
    x0 = np.array([[5.0, 4.0], [-1.5, 2.0], [0.3, -0.2]])
    batch = minimize(problems.rosenbrock, Adafactor(lr=0.05, batch_ndim=1, weight_decay=0.1), x0, 100).xs
    for r in range(3):
        single = minimize(problems.rosenbrock, Adafactor(lr=0.05, weight_decay=0.1), x0[r], 100).xs
        np.testing.assert_allclose(batch[:, r], single, rtol=0, atol=1e-14)


@pytest.mark.torch
@pytest.mark.parametrize("shape, ours, make_theirs", [
    ((3, 4), Adafactor(), lambda o, P: o.Adafactor(P)),
    ((2, 3, 4), Adafactor(lr=0.05, d=2.0), lambda o, P: o.Adafactor(P, lr=0.05, d=2.0)),
    ((5,), Adafactor(lr=0.05, beta2_decay=-0.5, eps2=1e-2), lambda o, P: o.Adafactor(P, lr=0.05, beta2_decay=-0.5, eps=(None, 1e-2))),
    ((4, 3), Adafactor(lr=0.005, eps1=1e-6, weight_decay=1.0), lambda o, P: o.Adafactor(P, lr=0.005, eps=(1e-6, 1e-3), weight_decay=1.0)),
], ids=["matrix-defaults", "batch-of-matrices-clipping", "vector", "matrix-weight-decay"])
def test_adafactor_matches_torch_over_200_float64_steps(shape, ours, make_theirs):
    # Settings whose runs are stable: with weight decay at lr = 0.01 this quadratic's run chatters and a
    # 1e-14 change of the start grows to 1e-2 in 200 steps, in either implementation alone.
    torch = pytest.importorskip("torch", reason="torch is not installed (make test WITH_TORCH=1 installs it)")
    grad, x0 = matrix_quadratic(shape)
    a, b = torch_reference.compare(torch, ours, lambda P: make_theirs(torch.optim, P), grad, x0)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.torch
def test_adafactor_on_a_2d_problem_matches_torch():
    torch = pytest.importorskip("torch", reason="torch is not installed (make test WITH_TORCH=1 installs it)")
    x0 = [-1.5, 2.0]
    a = minimize(problems.rosenbrock, Adafactor(lr=0.1), x0, 200).xs  # minimize passes params
    b = torch_reference.theirs(torch, lambda P: torch.optim.Adafactor(P, lr=0.1), problems.rosenbrock.grad, x0, 200)
    assert np.max(np.abs(b[-1] - b[0])) > 1e-2
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


# --------------------------------------------------------------- FullMatrixRMSProp


def sqrt_2x2(m):
    """The square root of a symmetric positive semi-definite 2x2 matrix: (M + sqrt(det M) I) / sqrt(tr M + 2 sqrt(det M))."""
    s = np.sqrt(max(m[0][0] * m[1][1] - m[0][1] * m[1][0], 0.0))
    t = np.sqrt(m[0][0] + m[1][1] + 2 * s)
    return [[(m[0][0] + s) / t, m[0][1] / t], [m[1][0] / t, (m[1][1] + s) / t]]


def solve_2x2(a, b):
    det = a[0][0] * a[1][1] - a[0][1] * a[1][0]
    return [(a[1][1] * b[0] - a[0][1] * b[1]) / det, (a[0][0] * b[1] - a[1][0] * b[0]) / det]


def test_full_matrix_first_two_steps_by_hand():
    # rho = 0.5: S1 = 0.5 g1 g1^T has the eigenvector g1/|g1| (eigenvalue 0.5 * 25) and 0 across it, so
    # u1 = lr g1 / (sqrt(12.5) + eps). g2 is orthogonal to g1: S2 = 0.25 g1 g1^T + 0.5 g2 g2^T, g2 is an
    # eigenvector with eigenvalue 12.5 again, so u2 = lr g2 / (sqrt(12.5) + eps).
    lr, eps = 0.1, 0.01
    opt = FullMatrixRMSProp(lr=lr, rho=0.5, eps=eps)
    state = opt.init(np.zeros(2))
    u1, state = opt.update(np.array([3.0, 4.0]), state)
    u2, state = opt.update(np.array([4.0, -3.0]), state)
    np.testing.assert_allclose(u1, lr * np.array([3.0, 4.0]) / (np.sqrt(12.5) + eps), rtol=1e-13)
    np.testing.assert_allclose(u2, lr * np.array([4.0, -3.0]) / (np.sqrt(12.5) + eps), rtol=1e-13)
    np.testing.assert_allclose(state.second_moment, [[0.25 * 9 + 0.5 * 16, 0.25 * 12 - 0.5 * 12],
                                                      [0.25 * 12 - 0.5 * 12, 0.25 * 16 + 0.5 * 9]])


def test_full_matrix_three_steps_against_the_closed_form_2x2_square_root():
    lr, rho, eps = 0.1, 0.5, 0.01
    grads = [[3.0, 4.0], [1.0, 2.0], [-2.0, 0.5]]
    opt = FullMatrixRMSProp(lr=lr, rho=rho, eps=eps)
    state = opt.init(np.zeros(2))
    s = [[0.0, 0.0], [0.0, 0.0]]
    for g in grads:
        s = [[rho * s[i][j] + (1 - rho) * g[i] * g[j] for j in range(2)] for i in range(2)]
        root = sqrt_2x2(s)
        expected = [lr * v for v in solve_2x2([[root[0][0] + eps, root[0][1]], [root[1][0], root[1][1] + eps]], g)]
        u, state = opt.update(np.array(g), state)
        np.testing.assert_allclose(u, expected, rtol=1e-12)


def rotated_ravine(angle):
    """f(x) = 1/2 x^T Q H Q^T x with H = diag(100, 1): the ravine of problems' ill-conditioned bowl turned by angle."""
    c, s = np.cos(angle), np.sin(angle)
    q = np.array([[c, -s], [s, c]])
    hessian = q @ np.diag([100.0, 1.0]) @ q.T
    return q, lambda x: x @ hessian.T


def path(opt, grad, x0, steps=100):
    return torch_reference.ours(opt, grad, x0, steps)


def test_full_matrix_is_rotation_equivariant_and_rmsprop_is_not():
    # Rotating the ravine by 45 degrees rotates FullMatrixRMSProp's path, up to rounding: the first step's
    # rounding across g1 (1e-16 |g1|) is divided by eps = 1e-6, a 1e-10 floor. 50 steps at lr = 0.01 stay
    # away from the end, where every fixed-rate method chatters around the minimum and amplifies rounding.
    _, grad = rotated_ravine(0.0)
    q, rotated_grad = rotated_ravine(np.pi / 4)
    x0 = np.array([1.0, 2.0])
    for opt, equivariant in [(FullMatrixRMSProp(lr=0.01), True), (RMSProp(lr=0.01), False)]:
        plain, turned = path(opt, grad, x0, 50), path(opt, rotated_grad, q @ x0, 50)
        gap = np.abs(turned - plain @ q.T).max()  # the turned problem's path vs the plain path turned
        assert (gap < 1e-9) == equivariant and (equivariant or gap > 0.1), (opt, gap)


def test_full_matrix_batched_runs_equal_single_runs():
    x0 = np.array([[5.0, 4.0], [-1.5, 2.0]])
    rho = np.array([[0.9], [0.5]])
    batch = minimize(problems.rosenbrock, FullMatrixRMSProp(lr=0.01, rho=rho), x0, 100).xs
    for r in range(2):
        single = minimize(problems.rosenbrock, FullMatrixRMSProp(lr=0.01, rho=float(rho[r, 0])), x0[r], 100).xs
        np.testing.assert_allclose(batch[:, r], single, rtol=0, atol=1e-13)


# ------------------------------------------------------------------------- errors


@pytest.mark.parametrize("make, name", [
    (lambda: Adafactor(lr=0.0), "lr"),
    (lambda: Adafactor(beta2_decay=0.5), "beta2_decay"),
    (lambda: Adafactor(eps1=0.0), "eps1"),
    (lambda: Adafactor(eps2=-1.0), "eps2"),
    (lambda: Adafactor(d=0.5), "d"),
    (lambda: Adafactor(weight_decay=-1.0), "weight_decay"),
    (lambda: Adafactor(batch_ndim=-1), "batch_ndim"),
    (lambda: Adafactor(batch_ndim=1).init(np.zeros(2)), "batch_ndim"),
    (lambda: FullMatrixRMSProp(lr=0.0), "lr"),
    (lambda: FullMatrixRMSProp(lr=0.1, rho=1.0), "rho"),
    (lambda: FullMatrixRMSProp(lr=0.1, eps=-1e-8), "eps"),
    (lambda: FullMatrixRMSProp(lr=0.1, rho=np.array([0.9, 0.5])).init(np.zeros((3, 2))), "rho"),
])
def test_bad_hyperparameters_are_named(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_adafactor_always_needs_params():
    opt = Adafactor()
    with pytest.raises(ValueError, match="params is required"):
        opt.update(np.ones((2, 3)), opt.init(np.zeros((2, 3))))


def test_wrong_gradient_shape_is_named():
    for opt, shape in [(Adafactor(), (2, 3)), (FullMatrixRMSProp(lr=0.1), (2,))]:
        with pytest.raises(ValueError, match="grad has shape"):
            opt.update(np.ones(4), opt.init(np.zeros(shape)), **({"params": np.zeros(shape)} if shape == (2, 3) else {}))


def test_adafactor_refuses_per_run_hyperparameters_that_would_couple_the_runs():
    # (B, 1) learning rates with batch_ndim=0: the (B, 2) points would be one matrix, one RMS over all runs
    lrs = np.array([[0.01], [0.1], [0.5]])
    with pytest.raises(ValueError, match=r"lr has shape \(3, 1\) and differs within one run.*pass batch_ndim=1"):
        minimize(problems.rosenbrock, Adafactor(lr=lrs), np.zeros((3, 2)), 5)
    with pytest.raises(ValueError, match="weight_decay has shape"):
        Adafactor(weight_decay=np.array([[0.0], [0.1]])).init(np.zeros((2, 2)))
    minimize(problems.rosenbrock, Adafactor(lr=lrs, batch_ndim=1), np.zeros((3, 2)), 5)  # one run per row: fine
    Adafactor(lr=np.array([[0.1], [0.1]])).init(np.zeros((2, 2)))  # equal values couple nothing new
