"""Each update rule against hand-derived values and against torch.optim."""

import numpy as np
import pytest

from rmsprop_lib import SGD, AdaGrad, Adam, Momentum, RMSProp, minimize, problems


def two_steps(opt, g1, g2, params=(0.0, 0.0)):
    state = opt.init(np.array(params))
    u1, state = opt.update(np.array(g1), state)
    u2, state = opt.update(np.array(g2), state)
    return u1, u2


# ----------------------------------------------------------- hand-derived values


def test_sgd_by_hand():
    u1, u2 = two_steps(SGD(lr=0.5), [2.0, -4.0], [1.0, 1.0])
    np.testing.assert_allclose(u1, [1.0, -2.0], rtol=0, atol=0)
    np.testing.assert_allclose(u2, [0.5, 0.5], rtol=0, atol=0)


def test_momentum_by_hand():
    # v1 = g1 = 2; v2 = 0.5*2 + 1 = 2; u = lr*v
    u1, u2 = two_steps(Momentum(lr=0.1, beta=0.5), [2.0, 0.0], [1.0, 0.0])
    np.testing.assert_allclose(u1, [0.2, 0.0])
    np.testing.assert_allclose(u2, [0.2, 0.0])


def test_nesterov_by_hand():
    # v1 = 2, u1 = lr*(g1 + beta*v1) = 0.1*(2 + 1) ; v2 = 2, u2 = 0.1*(1 + 1)
    u1, u2 = two_steps(Momentum(lr=0.1, beta=0.5, nesterov=True), [2.0, 0.0], [1.0, 0.0])
    np.testing.assert_allclose(u1, [0.3, 0.0])
    np.testing.assert_allclose(u2, [0.2, 0.0])


def test_adagrad_by_hand():
    # s1 = 9, u1 = 3/3 = 1 ; s2 = 9 + 16 = 25, u2 = 4/5
    u1, u2 = two_steps(AdaGrad(lr=1.0, eps=0.0), [3.0, 0.0], [4.0, 0.0])
    np.testing.assert_allclose(u1, [1.0, 0.0])
    np.testing.assert_allclose(u2, [0.8, 0.0])


def test_rmsprop_by_hand():
    # rho = 0.75: s1 = 0.25*16 = 4, u1 = 4/2 = 2 ; s2 = 0.75*4 + 0.25*4 = 4, u2 = 2/2 = 1
    u1, u2 = two_steps(RMSProp(lr=1.0, rho=0.75, eps=0.0), [4.0, 0.0], [2.0, 0.0])
    np.testing.assert_allclose(u1, [2.0, 0.0])
    np.testing.assert_allclose(u2, [1.0, 0.0])


def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_rho():
    for rho in (0.9, 0.99):
        (u1, _), = [two_steps(RMSProp(lr=0.01, rho=rho, eps=0.0), [5.0, -0.2], [1.0, 1.0])]
        np.testing.assert_allclose(np.abs(u1), 0.01 / np.sqrt(1 - rho))


def test_rmsprop_eps_inside_versus_outside_the_root():
    g = np.array([1e-3, 0.0])
    outside, _ = RMSProp(lr=1.0, rho=0.0, eps=1e-2).update(g, RMSProp(lr=1.0).init(g))
    inside, _ = RMSProp(lr=1.0, rho=0.0, eps=1e-2, eps_in_sqrt=True).update(g, RMSProp(lr=1.0).init(g))
    np.testing.assert_allclose(outside[0], 1e-3 / (1e-3 + 1e-2))
    np.testing.assert_allclose(inside[0], 1e-3 / np.sqrt(1e-6 + 1e-2))


def test_centered_rmsprop_by_hand():
    # rho = 0.5, g = 2, 2: s1 = 2, gbar1 = 1, var = 1 -> u1 = 2 ; s2 = 3, gbar2 = 1.5, var = 0.75
    u1, u2 = two_steps(RMSProp(lr=1.0, rho=0.5, eps=0.0, centered=True), [2.0, 0.0], [2.0, 0.0])
    np.testing.assert_allclose(u1, [2.0, 0.0])
    np.testing.assert_allclose(u2, [2.0 / np.sqrt(0.75), 0.0])


def test_rmsprop_momentum_by_hand():
    # rho = 0.75, g = 4 then 2 (as above): g/d = 2, then 1; b1 = 2, b2 = 0.5*2 + 1 = 2
    u1, u2 = two_steps(RMSProp(lr=0.1, rho=0.75, eps=0.0, momentum=0.5), [4.0, 0.0], [2.0, 0.0])
    np.testing.assert_allclose(u1, [0.2, 0.0])
    np.testing.assert_allclose(u2, [0.2, 0.0])


def test_adam_first_step_is_lr_times_sign():
    # bias correction makes m1_hat = g, v1_hat = g^2: u1 = lr * g/|g| (eps = 0)
    u1, _ = two_steps(Adam(lr=0.01, eps=0.0), [3.0, -1e-4], [1.0, 1.0])
    np.testing.assert_allclose(u1, [0.01, -0.01])


def test_adam_second_step_by_hand():
    b1, b2, g1, g2 = 0.9, 0.999, 2.0, 1.0
    m = (1 - b1) * (b1 * g1 + g2)
    v = (1 - b2) * (b2 * g1**2 + g2**2)
    expected = 0.01 * (m / (1 - b1**2)) / np.sqrt(v / (1 - b2**2))
    _, u2 = two_steps(Adam(lr=0.01, eps=0.0), [g1, 0.0], [g2, 0.0])
    np.testing.assert_allclose(u2, [expected, 0.0], rtol=1e-14)


def test_hyperparameter_arrays_run_several_settings_at_once():
    lrs = np.array([[0.1], [0.2], [0.4]])
    x0 = np.tile([5.0, 4.0], (3, 1))
    batch = minimize(problems.bowl, RMSProp(lr=lrs), x0, steps=30)
    for i, lr in enumerate(lrs[:, 0]):
        single = minimize(problems.bowl, RMSProp(lr=lr), [5.0, 4.0], steps=30)
        np.testing.assert_array_equal(batch.xs[:, i], single.xs)


def test_float32_parameters_stay_float32():
    params = np.ones(5, dtype=np.float32)
    for opt in (SGD(0.1), Momentum(0.1), AdaGrad(0.1), RMSProp(0.1), Adam(0.1)):
        updates, _ = opt.update(params, opt.init(params))
        assert updates.dtype == np.float32, type(opt).__name__


def test_repr_shows_hyperparameters():
    assert repr(RMSProp(lr=0.1)) == "RMSProp(lr=0.1, rho=0.9, eps=1e-06, centered=False, momentum=0.0, eps_in_sqrt=False)"


# -------------------------------------------------------------- torch.optim


def torch_trajectory(torch, problem, make_optimizer, x0, steps):
    """Run torch.optim on ``problem`` with our analytic gradient, in float64."""
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([p])
    xs = [p.detach().numpy().copy()]
    for _ in range(steps):
        p.grad = torch.from_numpy(problem.grad(p.detach().numpy()))
        opt.step()
        xs.append(p.detach().numpy().copy())
    return np.array(xs)


TORCH_CASES = [
    # id, problem, x0, ours, torch optimizer
    ("sgd", problems.rosenbrock, SGD(lr=1e-3), lambda o, P: o.SGD(P, lr=1e-3)),
    ("momentum", problems.rosenbrock, Momentum(lr=1e-4, beta=0.9), lambda o, P: o.SGD(P, lr=1e-4, momentum=0.9)),
    ("nesterov", problems.rosenbrock, Momentum(lr=1e-4, beta=0.9, nesterov=True),
     lambda o, P: o.SGD(P, lr=1e-4, momentum=0.9, nesterov=True)),
    ("adagrad", problems.rosenbrock, AdaGrad(lr=0.5, eps=1e-10), lambda o, P: o.Adagrad(P, lr=0.5, eps=1e-10)),
    ("rmsprop", problems.rosenbrock, RMSProp(lr=0.01, rho=0.9, eps=1e-6),
     lambda o, P: o.RMSprop(P, lr=0.01, alpha=0.9, eps=1e-6)),
    ("rmsprop-torch-defaults", problems.rosenbrock, RMSProp(lr=0.01, rho=0.99, eps=1e-8),
     lambda o, P: o.RMSprop(P, lr=0.01)),
    ("rmsprop-centered", problems.rosenbrock, RMSProp(lr=0.01, rho=0.9, centered=True),
     lambda o, P: o.RMSprop(P, lr=0.01, alpha=0.9, eps=1e-6, centered=True)),
    ("rmsprop-momentum", problems.rosenbrock, RMSProp(lr=0.001, rho=0.9, momentum=0.9),
     lambda o, P: o.RMSprop(P, lr=0.001, alpha=0.9, eps=1e-6, momentum=0.9)),
    ("rmsprop-centered-momentum", problems.rosenbrock, RMSProp(lr=0.001, rho=0.95, centered=True, momentum=0.9),
     lambda o, P: o.RMSprop(P, lr=0.001, alpha=0.95, eps=1e-6, centered=True, momentum=0.9)),
    ("rmsprop-bowl-seed", problems.bowl, RMSProp(lr=0.1), lambda o, P: o.RMSprop(P, lr=0.1, alpha=0.9, eps=1e-6)),
    ("adam", problems.rosenbrock, Adam(lr=0.01), lambda o, P: o.Adam(P, lr=0.01)),
    ("adam-bowl", problems.bowl, Adam(lr=0.1, beta1=0.8, beta2=0.99, eps=1e-6),
     lambda o, P: o.Adam(P, lr=0.1, betas=(0.8, 0.99), eps=1e-6)),
]


@pytest.mark.torch
@pytest.mark.parametrize("problem, ours, make_theirs", [c[1:] for c in TORCH_CASES], ids=[c[0] for c in TORCH_CASES])
def test_matches_torch_optim_over_200_float64_steps(problem, ours, make_theirs):
    torch = pytest.importorskip("torch", reason="torch is not installed (make test WITH_TORCH=1 installs it)")
    x0 = [-1.5, 2.0] if problem is problems.rosenbrock else [5.0, 4.0]
    theirs = torch_trajectory(torch, problem, lambda P: make_theirs(torch.optim, P), x0, 200)
    trajectory = minimize(problem, ours, x0, steps=200)
    assert trajectory.diverged_at == -1
    assert np.max(np.abs(theirs[-1] - theirs[0])) > 1e-2, "the setting barely moves: a weak test"
    np.testing.assert_allclose(trajectory.xs, theirs, rtol=0, atol=1e-12)
