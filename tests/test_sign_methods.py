"""Rprop against torch.optim.Rprop and by hand; Lion by hand from the paper's Algorithm 2; their properties."""

import numpy as np
import pytest

import torch_reference
from rmsprop_lib import Lion, RMSProp, Rprop, minimize, problems


def steps_of(opt, grads, params=None):
    """The updates of ``opt`` for the gradients ``grads`` (params held fixed unless given per step)."""
    state = opt.init(np.zeros_like(np.asarray(grads[0], dtype=float)))
    out = []
    for k, g in enumerate(grads):
        kwargs = {} if params is None else {"params": np.asarray(params[k], dtype=float)}
        u, state = opt.update(np.asarray(g, dtype=float), state, **kwargs)
        out.append(u)
    return np.array(out)


# ------------------------------------------------------------------------- Rprop


def test_rprop_by_hand():
    # coordinate 1: g = 1, 2, -1, 1 -> steps 0.1 (first), 0.12 (same sign), 0 (flip: step halved to 0.06,
    # skipped), 0.06 (fresh start after the skip). coordinate 2: g = -1, 1, 1, 1 -> -0.1, 0 (flip: 0.05),
    # 0.05 (fresh), 0.06 (same sign)
    u = steps_of(Rprop(lr=0.1), [[1, -1], [2, 1], [-1, 1], [1, 1]])
    np.testing.assert_allclose(u, [[0.1, -0.1], [0.12, 0.0], [0.0, 0.05], [0.06, 0.06]], rtol=1e-15, atol=0)


def test_rprop_step_sizes_stay_within_bounds():
    opt = Rprop(lr=0.1, step_min=0.02, step_max=0.3)
    rng = np.random.default_rng(0)
    state = opt.init(np.zeros(50))
    seen = []
    for k in range(200):  # long same-sign stretches (growth) and random flips (shrinking)
        g = rng.normal(size=50) + (3.0 if k % 40 < 20 else 0.0)
        u, state = opt.update(g, state)
        seen.append(state.step_size)
        assert np.all(np.abs(u) <= 0.3) and np.all((u == 0) | (np.abs(u) >= 0.02))
    seen = np.array(seen)
    assert seen.min() == 0.02 and seen.max() == 0.3  # both bounds are reached, and held


def test_rprop_moves_a_weight_whose_minibatch_gradients_average_to_zero():
    # Hinton's lecture 6e: +0.1 on nine mini-batches, -0.9 on the tenth. The average gradient is 0,
    # so the weight should stay; Rprop follows the nine signs. RMSProp with a slow average divides
    # neighbouring gradients by about the same number and nearly keeps the weight in place.
    grads = np.tile([0.1] * 9 + [-0.9], 100)[:, None]
    assert abs(grads.mean()) < 1e-15
    rprop = steps_of(Rprop(lr=0.01), grads).sum()
    rmsprop = steps_of(RMSProp(lr=0.01, rho=0.999), grads).sum()
    assert rprop > 100 * abs(rmsprop) and rprop > 1.0  # in 1000 steps Rprop moves x by -|rprop|


@pytest.mark.torch
@pytest.mark.parametrize("problem, x0, ours, make_theirs", [
    (problems.rosenbrock, [-1.5, 2.0], Rprop(lr=0.01), lambda o, P: o.Rprop(P, lr=0.01)),
    (problems.bowl, [5.0, 4.0], Rprop(lr=0.1, eta_minus=0.3, eta_plus=1.5, step_min=1e-3, step_max=0.5),
     lambda o, P: o.Rprop(P, lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.5))),
], ids=["rosenbrock-defaults", "bowl-bounds"])
def test_rprop_matches_torch_over_200_float64_steps(problem, x0, ours, make_theirs):
    torch = pytest.importorskip("torch", reason="torch is not installed (make test WITH_TORCH=1 installs it)")
    a, b = torch_reference.compare(torch, ours, lambda P: make_theirs(torch.optim, P), problem.grad, x0)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(minimize(problem, ours, x0, 200).xs, a, rtol=0, atol=0)


# -------------------------------------------------------------------------- Lion


def test_lion_by_hand():
    # Algorithm 2 with beta1 = 0.9, beta2 = 0.99, lr = 0.1, weight decay 0.5:
    # t=1: theta = (1, -2), g = (2, -0.5): c = 0.1 g -> sign (1, -1); u = 0.1 ((1, -1) + 0.5 (1, -2)) = (0.15, -0.2);
    #      m = 0.01 g = (0.02, -0.005)
    # t=2: theta = (0.85, -1.8), g = (-0.1, 1): c = 0.9 m + 0.1 g = (0.008, 0.0955) -> sign (1, 1): the first
    #      coordinate keeps its direction although its gradient flipped; u = 0.1 ((1, 1) + 0.5 theta) = (0.1425, 0.01);
    #      m = 0.99 m + 0.01 g = (0.0188, 0.00505)
    # t=3: theta = (0.7075, -1.81), g = (-0.3, 0): c = (-0.01308, 0.004545) -> sign (-1, 1);
    #      u = 0.1 ((-1, 1) + 0.5 theta) = (-0.064625, 0.0095)
    thetas = [[1.0, -2.0], [0.85, -1.8], [0.7075, -1.81]]
    u = steps_of(Lion(lr=0.1, weight_decay=0.5), [[2.0, -0.5], [-0.1, 1.0], [-0.3, 0.0]], params=thetas)
    np.testing.assert_allclose(u, [[0.15, -0.2], [0.1425, 0.01], [-0.064625, 0.0095]], rtol=1e-13, atol=0)


def test_lion_moves_every_coordinate_by_lr():
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(100, 3, 2)) * np.logspace(-6, 6, 6).reshape(3, 2)  # 12 decades of gradient sizes
    lr = np.array([[0.1], [0.01], [0.001]])  # one rate per run
    u = steps_of(Lion(lr=lr, beta1=0.9, beta2=0.99), grads)
    np.testing.assert_array_equal(np.abs(u), np.broadcast_to(lr, u.shape))


def test_lion_through_minimize_with_weight_decay():
    # minimize passes the parameters: the first decayed step differs from the plain one by lr * 0.5 * x0
    x0 = [3.0, -2.0]
    plain = minimize(problems.rosenbrock, Lion(lr=1e-3), x0, 1).xs
    decayed = minimize(problems.rosenbrock, Lion(lr=1e-3, weight_decay=0.5), x0, 1).xs
    np.testing.assert_allclose(decayed[1] - plain[1], -1e-3 * 0.5 * np.array(x0), rtol=1e-12)


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize("make, name", [
    (lambda: Rprop(lr=0.0), "lr"),
    (lambda: Rprop(lr=0.1, eta_minus=1.0), "eta_minus"),
    (lambda: Rprop(lr=0.1, eta_minus=0.0), "eta_minus"),
    (lambda: Rprop(lr=0.1, eta_plus=1.0), "eta_plus"),
    (lambda: Rprop(lr=0.1, step_min=0.0), "step_min"),
    (lambda: Rprop(lr=0.1, step_min=1.0, step_max=0.5), "step_min"),
    (lambda: Lion(lr=-1.0), "lr"),
    (lambda: Lion(lr=0.1, beta1=1.0), "beta1"),
    (lambda: Lion(lr=0.1, beta2=-0.1), "beta2"),
    (lambda: Lion(lr=0.1, weight_decay=-1.0), "weight_decay"),
])
def test_bad_hyperparameters_are_named(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_lion_with_weight_decay_needs_params():
    opt = Lion(lr=0.1, weight_decay=0.1)
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match="params is required"):
        opt.update(np.ones(2), state)
    with pytest.raises(ValueError, match="params has shape"):
        opt.update(np.ones(2), state, params=np.zeros(3))
    Lion(lr=0.1).update(np.ones(2), state)  # no decay: params not needed


def test_wrong_gradient_shape_is_named():
    for opt in (Rprop(lr=0.1), Lion(lr=0.1)):
        with pytest.raises(ValueError, match="grad has shape"):
            opt.update(np.ones(3), opt.init(np.zeros(2)))
