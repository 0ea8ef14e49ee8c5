"""RMSProp(bias_correction=True): hand-derived values, Adam with beta1 = 0, the exercise's reference."""

import numpy as np
import pytest

from rmsprop_lib import Adam, RMSProp, minimize, problems
from rmsprop_lib.checks import check_bias_corrected_rmsprop


def steps(opt, *grads):
    state = opt.init(np.zeros_like(np.asarray(grads[0], dtype=float)))
    out = []
    for g in grads:
        u, state = opt.update(np.asarray(g, dtype=float), state)
        out.append(u)
    return out, state


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, 0.99, 0.999])
def test_first_step_is_lr_times_sign(rho):
    # s1 = (1-rho) g^2, s1_hat = g^2: u1 = lr g/|g| (eps = 0), whatever the gradient's size
    (u1,), _ = steps(RMSProp(lr=0.01, rho=rho, eps=0.0, bias_correction=True), [5.0, -2e-3])
    np.testing.assert_allclose(u1, [0.01, -0.01], rtol=1e-12)


def test_two_steps_by_hand():
    # rho = 0.5: s1 = 2, s1_hat = 2/0.5 = 4, u1 = 2/2 = 1 ; s2 = 1 + 8 = 9, s2_hat = 9/0.75 = 12, u2 = 4/sqrt(12)
    (u1, u2), state = steps(RMSProp(lr=1.0, rho=0.5, eps=0.0, bias_correction=True), [2.0, 0.0], [4.0, 0.0])
    np.testing.assert_allclose(u1, [1.0, 0.0])
    np.testing.assert_allclose(u2, [4 / np.sqrt(12), 0.0])
    assert state.step == 2
    np.testing.assert_allclose(state.mean_sq, [9.0, 0.0])  # the state keeps the uncorrected average


def test_eps_is_added_after_the_correction():
    # rho = 0.5, g = 2: s1_hat = 4; outside: 2/(2 + 1) ; inside: 2/sqrt(4 + 1)
    (outside,), _ = steps(RMSProp(lr=1.0, rho=0.5, eps=1.0, bias_correction=True), [2.0])
    (inside,), _ = steps(RMSProp(lr=1.0, rho=0.5, eps=1.0, eps_in_sqrt=True, bias_correction=True), [2.0])
    np.testing.assert_allclose(outside, [2 / 3])
    np.testing.assert_allclose(inside, [2 / np.sqrt(5)])


def test_constant_gradient_gives_constant_steps():
    # s_t = (1 - rho^t) g^2 exactly, so s_t_hat = g^2 and every step is lr*sign(g)
    us, _ = steps(RMSProp(lr=0.1, rho=0.9, eps=0.0, bias_correction=True), *[[3.0, -0.5]] * 50)
    np.testing.assert_allclose(np.array(us), np.tile([0.1, -0.1], (50, 1)), rtol=1e-12)


def test_centered_by_hand():
    # rho = 0.5, eps = 1, g = 2 then 4.
    # t=1: s1_hat = 4, gbar1_hat = 2, variance 0 -> u1 = 2/(0 + 1)
    # t=2: s2 = 9, gbar2 = 2.5; /0.75: 12 and 10/3; variance 12 - 100/9 = 8/9 -> u2 = 4/(sqrt(8/9) + 1)
    (u1, u2), _ = steps(RMSProp(lr=1.0, rho=0.5, eps=1.0, centered=True, bias_correction=True), [2.0], [4.0])
    np.testing.assert_allclose(u1, [2.0])
    np.testing.assert_allclose(u2, [4 / (np.sqrt(8 / 9) + 1)])


def test_momentum_by_hand():
    # rho = 0.5, mu = 0.5, g = 2 then 4: g/d = 1, then 4/sqrt(12); b1 = 1, b2 = 0.5 + 4/sqrt(12)
    (u1, u2), _ = steps(RMSProp(lr=0.1, rho=0.5, eps=0.0, momentum=0.5, bias_correction=True), [2.0], [4.0])
    np.testing.assert_allclose(u1, [0.1])
    np.testing.assert_allclose(u2, [0.1 * (0.5 + 4 / np.sqrt(12))])


def test_off_by_default_and_unchanged():
    plain = minimize(problems.rosenbrock, RMSProp(lr=0.01), [-1.5, 2.0], steps=100)
    explicit = minimize(problems.rosenbrock, RMSProp(lr=0.01, bias_correction=False), [-1.5, 2.0], steps=100)
    np.testing.assert_array_equal(plain.xs, explicit.xs)
    assert repr(RMSProp(lr=0.1)).endswith("eps_in_sqrt=False)")
    assert repr(RMSProp(lr=0.1, bias_correction=True)).endswith("eps_in_sqrt=False, bias_correction=True)")


def test_equals_adam_with_beta1_zero():
    x0 = [-1.5, 2.0]
    ours = minimize(problems.rosenbrock, RMSProp(lr=0.01, rho=0.999, eps=1e-8, bias_correction=True), x0, steps=200)
    adam = minimize(problems.rosenbrock, Adam(lr=0.01, beta1=0.0, beta2=0.999, eps=1e-8), x0, steps=200)
    assert np.max(np.abs(adam.xs[-1] - adam.xs[0])) > 0.1, "the setting barely moves: a weak test"
    np.testing.assert_allclose(ours.xs, adam.xs, rtol=0, atol=1e-12)


def test_batched_rho_matches_single_runs():
    rhos = np.array([[0.5], [0.9], [0.99]])
    batch = minimize(problems.bowl, RMSProp(lr=0.1, rho=rhos, bias_correction=True), np.tile([5.0, 4.0], (3, 1)), 30)
    for i, rho in enumerate(rhos[:, 0]):
        single = minimize(problems.bowl, RMSProp(lr=0.1, rho=rho, bias_correction=True), [5.0, 4.0], 30)
        np.testing.assert_array_equal(batch.xs[:, i], single.xs)


def test_passes_the_exercise_check(capsys):
    def update(learning_rate, rho, epsilon, grad, s_prev, t):
        grad, s_prev = np.asarray(grad, dtype=float), np.asarray(s_prev, dtype=float)  # the check passes scalars too
        opt = RMSProp(lr=learning_rate, rho=rho, eps=epsilon, bias_correction=True)
        state = opt.init(grad)._replace(mean_sq=s_prev, step=t - 1)
        updates, state = opt.update(grad, state)
        return updates, state.mean_sq

    assert check_bias_corrected_rmsprop(update)
    assert "correct" in capsys.readouterr().out
