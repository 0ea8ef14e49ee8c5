"""WarmupThenDecay: its factors by hand, against torch's LambdaLR, and as a wrapper."""

import numpy as np
import pytest

import torch_reference
from rmsprop_lib import AdamW, RMSProp, WarmupThenDecay, minimize, problems
from rmsprop_lib.experiments.stochastic import InverseTimeDecay


def test_factors_by_hand():
    # warm-up over 4 steps: 1/4, 2/4, 3/4, 1; then 1 / (1 + (k - 4)/2): 1, 1/1.5, 1/2, 1/2.5
    schedule = WarmupThenDecay(RMSProp(lr=0.1), warmup_steps=4, decay_steps=2)
    np.testing.assert_allclose(schedule.factor(np.arange(8)), [0.25, 0.5, 0.75, 1, 1, 1 / 1.5, 0.5, 1 / 2.5])
    assert WarmupThenDecay(RMSProp(lr=0.1)).factor(10) == 1.0  # neither: a constant rate
    # decay_power 1/2 and decay_steps 1: 1/sqrt(t), t = k + 1 (Reddi et al.'s alpha / sqrt(t))
    np.testing.assert_allclose(WarmupThenDecay(RMSProp(lr=0.1), decay_steps=1, decay_power=0.5).factor(np.arange(5)),
                               1 / np.sqrt(np.arange(1, 6)))


def test_scales_the_wrapped_updates():
    opt, schedule = RMSProp(lr=0.1), WarmupThenDecay(RMSProp(lr=0.1), warmup_steps=3, decay_steps=5)
    rng = np.random.default_rng(0)
    s1, s2 = opt.init(np.zeros(2)), schedule.init(np.zeros(2))
    for k in range(20):
        g = rng.normal(size=2)
        (u1, s1), (u2, s2) = opt.update(g, s1), schedule.update(g, s2)
        np.testing.assert_allclose(u2, u1 * schedule.factor(k), rtol=1e-15)


def test_inverse_time_decay_is_the_case_without_warmup():
    x0 = [-1.5, 2.0]
    a = minimize(problems.rosenbrock, WarmupThenDecay(RMSProp(lr=0.01), decay_steps=50), x0, 200).xs
    b = minimize(problems.rosenbrock, InverseTimeDecay(RMSProp(lr=0.01), 50), x0, 200).xs
    np.testing.assert_array_equal(a, b)


def test_one_schedule_per_run():
    decay = np.array([[10.0], [100.0]])
    x0 = np.array([[-1.5, 2.0], [-1.5, 2.0]])
    batch = minimize(problems.rosenbrock, WarmupThenDecay(RMSProp(lr=0.01), 5, decay), x0, 100).xs
    for r in range(2):
        single = minimize(problems.rosenbrock, WarmupThenDecay(RMSProp(lr=0.01), 5, float(decay[r, 0])), x0[r], 100).xs
        np.testing.assert_allclose(batch[:, r], single, rtol=0, atol=1e-15)


def test_passes_params_to_optimizers_that_use_them():
    schedule = WarmupThenDecay(AdamW(lr=0.1, weight_decay=0.5), warmup_steps=2)
    assert schedule.uses_params and not WarmupThenDecay(RMSProp(lr=0.1)).uses_params
    state = schedule.init(np.ones(2))
    with pytest.raises(ValueError, match="params is required"):
        schedule.update(np.ones(2), state)
    u, _ = schedule.update(np.zeros(2), state, params=np.ones(2))
    np.testing.assert_allclose(u, 0.5 * 0.1 * 0.5 * np.ones(2))  # warm-up 1/2 of the decay lr * wd * theta


@pytest.mark.torch
@pytest.mark.parametrize("ours, make_theirs", [
    (WarmupThenDecay(RMSProp(lr=0.01, rho=0.9), warmup_steps=20, decay_steps=30),
     lambda o, P: o.RMSprop(P, lr=0.01, alpha=0.9, eps=1e-6)),
    (WarmupThenDecay(AdamW(lr=0.05), warmup_steps=10, decay_steps=1, decay_power=0.5),
     lambda o, P: o.AdamW(P, lr=0.05)),
], ids=["rmsprop-warmup-inverse-time", "adamw-warmup-inverse-sqrt"])
def test_matches_torch_lambda_lr_over_200_float64_steps(ours, make_theirs):
    torch = pytest.importorskip("torch", reason="torch is not installed (make test WITH_TORCH=1 installs it)")
    a, b = torch_reference.compare(torch, ours, lambda P: make_theirs(torch.optim, P), problems.rosenbrock.grad,
                                   [-1.5, 2.0], make_scheduler=lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, ours.factor))
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("make, name", [
    (lambda: WarmupThenDecay(RMSProp(lr=0.1), warmup_steps=-1), "warmup_steps"),
    (lambda: WarmupThenDecay(RMSProp(lr=0.1), decay_steps=0), "decay_steps"),
    (lambda: WarmupThenDecay(RMSProp(lr=0.1), decay_power=-1), "decay_power"),
    (lambda: WarmupThenDecay(RMSProp(lr=0.1), decay_steps=np.ones(3)).init(np.zeros((2, 2))), "decay_steps"),
])
def test_bad_values_are_named(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_a_fractional_warmup_is_refused():
    with pytest.raises(TypeError, match="warmup_steps"):
        WarmupThenDecay(RMSProp(lr=0.1), warmup_steps=2.5)


def test_a_class_instead_of_an_optimizer_is_refused():
    with pytest.raises(TypeError, match="optimizer"):
        WarmupThenDecay(RMSProp)
