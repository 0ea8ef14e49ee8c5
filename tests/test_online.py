"""Reddi et al.'s online convex counterexample: the sequence, the regret by hand, Theorem 1's outcome."""

import numpy as np
import pytest

from rmsprop_lib import SGD, AMSGrad, RMSProp, WarmupThenDecay
from rmsprop_lib.experiments import online


def test_gradient_sequence():
    np.testing.assert_array_equal(online.gradient(np.arange(1, 8), 3.0), [3, -1, -1, 3, -1, -1, 3])
    np.testing.assert_array_equal(online.loss(np.arange(1, 4), 3.0, 0.5), [1.5, -0.5, -0.5])
    assert online.critical_beta2(3.0) == 0.1


def test_run_and_regret_by_hand():
    # SGD lr = 0.1, C = 3 from 0: t=1 g=3: played 0, sum of g 3 -> regret (0 + |3|)/1 = 3;   x = -0.3
    # t=2 g=-1: played 0.3, sum 2 -> (0.3 + 2)/2 = 1.15;  x = -0.2
    # t=3 g=-1: played 0.5, sum 1 -> (0.5 + 1)/3 = 0.5;   x = -0.1
    run = online.run(SGD(lr=0.1), 3.0, 3)
    np.testing.assert_allclose(run.xs, [0.0, -0.3, -0.2, -0.1])
    np.testing.assert_allclose(run.regret, [3.0, 1.15, 0.5])


def test_projection_keeps_x_in_the_interval():
    run = online.run(SGD(lr=1.0), 10.0, 30, x0=0.9)
    assert run.xs.min() == -1.0 and run.xs.max() <= 1.0


def reddi_run(optimizer, C=3.0, steps=30_000):
    return online.run(WarmupThenDecay(optimizer, decay_steps=1, decay_power=0.5), C, steps, x0=1.0)


def test_theorem_1_rmsprop_at_the_critical_beta2_goes_to_the_worst_point_and_amsgrad_does_not():
    C = 3.0
    beta2 = online.critical_beta2(C)
    alpha = 0.5 * np.sqrt(1 - beta2)  # the theorem's alpha < sqrt(1 - beta2)
    adam = reddi_run(RMSProp(lr=alpha, rho=beta2, eps=0.0))  # Adam with beta1 = 0, no bias correction
    amsgrad = reddi_run(AMSGrad(lr=alpha, beta1=0.0, beta2=beta2, eps=0.0, bias_correction=False))
    assert adam.xs[-300:].min() > 0.99  # stays at +1, the worst point
    assert adam.regret[-1] > 0.6  # average regret -> 2 (C - 2) / 3 = 0.67, not 0
    assert amsgrad.xs[-300:].max() < -0.99  # at -1, the best point
    assert amsgrad.regret[-1] < 0.01


def test_a_sweep_over_rho_and_C_in_one_call():
    rho = np.array([[0.1], [0.99]])
    C = np.array([[3.0, 10.0]])
    run = online.run(WarmupThenDecay(RMSProp(lr=0.1, rho=rho, eps=0.0), decay_steps=1, decay_power=0.5), C, 3000,
                     x0=np.ones((2, 2)))
    assert run.xs.shape == (3001, 2, 2) and run.regret.shape == (3000, 2, 2)
    for i in range(2):
        for j in range(2):
            single = online.run(WarmupThenDecay(RMSProp(lr=0.1, rho=float(rho[i, 0]), eps=0.0), decay_steps=1, decay_power=0.5),
                                float(C[0, j]), 3000, x0=1.0)
            np.testing.assert_allclose(run.xs[:, i, j], single.xs, rtol=0, atol=1e-15)


@pytest.mark.parametrize("call, name", [
    (lambda: online.run(SGD(lr=0.1), 2.0, 10), "C"),
    (lambda: online.run(SGD(lr=0.1), 3.0, 10, x0=1.5), "x0"),
    (lambda: online.run(SGD(lr=0.1), 3.0, -1), "steps"),
    (lambda: online.critical_beta2(1.0), "C"),
])
def test_bad_values_are_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()
