"""AMSGrad and AdamW against torch.optim (Adam(amsgrad=True), AdamW) and by hand; their properties."""

import numpy as np
import pytest

import torch_reference
from rmsprop_lib import Adam, AdamW, AMSGrad, RMSProp, minimize, problems
from rmsprop_lib.beyond.adam_variants import l2_regularized


def test_amsgrad_by_hand_paper_form():
    # Algorithm 2 of Reddi et al. with beta1 = 0 and beta2 = 0.5, no bias correction, eps = 0:
    # g = 4: v = 8, vhat = 8, u = lr * 4 / sqrt(8)
    # g = 1: v = 4.5, vhat = 8 (the max keeps 8), u = lr * 1 / sqrt(8)  (Adam would divide by sqrt(4.5))
    # g = 6: v = 20.25, vhat = 20.25, u = lr * 6 / 4.5
    opt = AMSGrad(lr=0.1, beta1=0.0, beta2=0.5, eps=0.0, bias_correction=False)
    state = opt.init(np.zeros(1))
    u = []
    for g in (4.0, 1.0, 6.0):
        step, state = opt.update(np.array([g]), state)
        u.append(step[0])
    np.testing.assert_allclose(u, [0.4 / np.sqrt(8), 0.1 / np.sqrt(8), 0.6 / 4.5], rtol=1e-15)
    np.testing.assert_allclose(state.max_mean_sq, [20.25])


def test_amsgrad_without_beta1_and_correction_is_rmsprop_while_the_average_grows():
    grads = np.arange(1.0, 30.0)[:, None] * [1.0, -2.0]  # growing gradients: v never falls, the max changes nothing
    a, b = AMSGrad(lr=0.1, beta1=0.0, beta2=0.9, eps=1e-6, bias_correction=False), RMSProp(lr=0.1, rho=0.9, eps=1e-6)
    sa, sb = a.init(np.zeros(2)), b.init(np.zeros(2))
    for g in grads:
        (ua, sa), (ub, sb) = a.update(g, sa), b.update(g, sb)
        np.testing.assert_allclose(ua, ub, rtol=1e-15)


def test_amsgrad_denominator_never_decreases_where_adams_does():
    rng = np.random.default_rng(2)
    grads = rng.normal(size=(300, 4)) * np.linspace(5, 0.1, 300)[:, None]  # shrinking gradients
    opt = AMSGrad(lr=0.01, beta2=0.9)
    state = opt.init(np.zeros(4))
    vhat, v = [], []
    for g in grads:
        _, state = opt.update(g, state)
        vhat.append(np.sqrt(state.max_mean_sq))
        v.append(np.sqrt(state.mean_sq))
    assert np.all(np.diff(vhat, axis=0) >= 0)
    assert np.any(np.diff(v, axis=0) < 0)  # Adam's denominator does fall: the max matters here


def test_adamw_without_decay_is_adam():
    x0 = [-1.5, 2.0]
    a = minimize(problems.rosenbrock, AdamW(lr=0.01, weight_decay=0.0), x0, 200).xs
    b = minimize(problems.rosenbrock, Adam(lr=0.01), x0, 200).xs
    np.testing.assert_array_equal(a, b)


def test_adamw_decay_is_decoupled_from_the_gradient_scale():
    # On f = 0 (no gradient) AdamW shrinks every weight by the factor 1 - lr * wd per step; L2 inside Adam
    # (gradient wd * theta, divided by its own RMS) moves every weight by at most about lr per step whatever
    # its size: in 10 steps the weight 10 loses 1 %, the weight 0.1 more than 90 %.
    zero = lambda x: np.zeros_like(x)  # noqa: E731
    x0 = np.array([10.0, 0.1])
    adamw = torch_reference.ours(AdamW(lr=0.01, weight_decay=0.1), zero, x0, 10)
    np.testing.assert_allclose(adamw[-1], x0 * (1 - 0.01 * 0.1) ** 10, rtol=1e-14)
    l2 = torch_reference.ours(Adam(lr=0.01), lambda x: 0.1 * x, x0, 10)
    lost = 1 - l2[-1] / x0
    assert lost[0] < 0.0101 and lost[1] > 0.9


def test_l2_regularized_adds_the_penalty():
    reg = l2_regularized(problems.rosenbrock, 0.3)
    pts = np.array([[1.0, 2.0], [-0.5, 0.25]])
    np.testing.assert_allclose(reg.f(pts), problems.rosenbrock.f(pts) + 0.15 * (pts**2).sum(axis=-1))
    np.testing.assert_allclose(reg.grad(pts), problems.rosenbrock.grad(pts) + 0.3 * pts)
    assert reg.name == "rosenbrock + L2" and len(reg.minima) == 0
    assert len(l2_regularized(problems.bowl, 0.3, minima=[0.0, 0.0]).minima) == 1


@pytest.mark.torch
@pytest.mark.parametrize("problem, x0, ours, make_theirs", [
    (problems.rosenbrock, [-1.5, 2.0], AMSGrad(lr=0.01), lambda o, P: o.Adam(P, lr=0.01, amsgrad=True)),
    (problems.bowl, [5.0, 4.0], AMSGrad(lr=0.1, beta1=0.8, beta2=0.99, eps=1e-6),
     lambda o, P: o.Adam(P, lr=0.1, betas=(0.8, 0.99), eps=1e-6, amsgrad=True)),
    (problems.rosenbrock, [-1.5, 2.0], AdamW(lr=0.01), lambda o, P: o.AdamW(P, lr=0.01)),
    (problems.bowl, [5.0, 4.0], AdamW(lr=0.1, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.5),
     lambda o, P: o.AdamW(P, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.5)),
], ids=["amsgrad-rosenbrock", "amsgrad-bowl", "adamw-rosenbrock-defaults", "adamw-bowl-strong-decay"])
def test_matches_torch_over_200_float64_steps(problem, x0, ours, make_theirs):
    torch = pytest.importorskip("torch", reason="torch is not installed (make test WITH_TORCH=1 installs it)")
    a, b = torch_reference.compare(torch, ours, lambda P: make_theirs(torch.optim, P), problem.grad, x0)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(minimize(problem, ours, x0, 200).xs, a, rtol=0, atol=0)  # minimize passes params


@pytest.mark.parametrize("make, name", [
    (lambda: AMSGrad(lr=0.0), "lr"),
    (lambda: AMSGrad(lr=0.1, beta1=1.0), "beta1"),
    (lambda: AMSGrad(lr=0.1, beta2=1.5), "beta2"),
    (lambda: AMSGrad(lr=0.1, eps=-1.0), "eps"),
    (lambda: AdamW(lr=-0.1), "lr"),
    (lambda: AdamW(lr=0.1, beta2=1.0), "beta2"),
    (lambda: AdamW(lr=0.1, weight_decay=-0.01), "weight_decay"),
    (lambda: l2_regularized(problems.bowl, -1.0), "weight"),
])
def test_bad_hyperparameters_are_named(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_adamw_needs_params_when_it_decays():
    opt = AdamW(lr=0.1)
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match="params is required"):
        opt.update(np.ones(2), state)
    AdamW(lr=0.1, weight_decay=0.0).update(np.ones(2), state)  # no decay: params not needed


def test_batched_runs_with_one_weight_decay_per_run():
    wd = np.array([[0.0], [0.1], [1.0]])
    batch = minimize(problems.bowl, AdamW(lr=0.1, weight_decay=wd), np.tile([5.0, 4.0], (3, 1)), 50).xs
    for r in range(3):
        single = minimize(problems.bowl, AdamW(lr=0.1, weight_decay=float(wd[r, 0])), [5.0, 4.0], 50).xs
        np.testing.assert_allclose(batch[:, r], single, rtol=0, atol=1e-15)
