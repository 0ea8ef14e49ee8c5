"""Checks for the exercises: run a learner's function against the reference.

Each ``check_*`` returns True or False and prints feedback; it never raises
for a wrong answer. (First version: compares on a few cases. The workshop
issue extends it with recognised mistakes.)
"""

from __future__ import annotations

import numpy as np

from .seed import rmsprop_update as _reference_rmsprop_update

__all__ = [
    "check_gd_step",
    "check_momentum_update",
    "check_adagrad_update",
    "check_rmsprop_update",
    "check_bias_corrected_rmsprop",
    "check_dense_backward",
]


def _run(name, fn, reference, cases) -> bool:
    for args in cases:
        try:
            got = fn(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args])
        except NotImplementedError:
            print(f"{name}: not attempted yet - replace `raise NotImplementedError()` with your code.")
            return False
        except Exception as error:
            print(f"{name}: raised {type(error).__name__}: {error}")
            return False
        expected = reference(*args)
        got_t = got if isinstance(got, tuple) else (got,)
        exp_t = expected if isinstance(expected, tuple) else (expected,)
        if len(got_t) != len(exp_t) or not all(np.allclose(g, e, rtol=1e-9, atol=1e-12) for g, e in zip(got_t, exp_t)):
            print(f"{name}: wrong for inputs {args!r}\n  expected {expected!r}\n  got      {got!r}")
            return False
    print(f"✓ {name}: correct on every test case.")
    return True


def _gd_step(x, grad, lr):
    return x - lr * grad


def check_gd_step(gd_step) -> bool:
    """``gd_step(x, grad, lr) -> new x``: one gradient-descent step."""
    cases = [(np.array([5.0, 4.0]), np.array([10.0, 8.0]), 0.1), (np.array([1.0]), np.array([-2.0]), 0.5)]
    return _run("gd_step", gd_step, _gd_step, cases)


def _momentum_update(grad, velocity, lr, beta):
    velocity = beta * velocity + grad
    return lr * velocity, velocity


def check_momentum_update(momentum_update) -> bool:
    """``momentum_update(grad, velocity, lr, beta) -> (updates, new_velocity)``."""
    cases = [(np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.1, 0.9), (np.array([3.0]), np.zeros(1), 0.01, 0.5)]
    return _run("momentum_update", momentum_update, _momentum_update, cases)


def _adagrad_update(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad * grad
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def check_adagrad_update(adagrad_update) -> bool:
    """``adagrad_update(grad, sum_sq, lr, eps) -> (updates, new_sum_sq)``."""
    cases = [(np.array([1.0, -2.0]), np.array([4.0, 0.0]), 0.5, 1e-10), (np.array([3.0]), np.zeros(1), 0.1, 1e-8)]
    return _run("adagrad_update", adagrad_update, _adagrad_update, cases)


def check_rmsprop_update(rmsprop_update) -> bool:
    """``rmsprop_update(learning_rate, rho, epsilon, grad, s_prev) -> (updates, s)``: the seed's function."""
    cases = [(0.1, 0.9, 1e-6, np.array([10.0, 8.0]), np.zeros(2)), (0.01, 0.99, 1e-8, np.array([0.5]), np.array([2.0]))]
    return _run("rmsprop_update", rmsprop_update, _reference_rmsprop_update, cases)


def _bias_corrected_rmsprop(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s / (1 - rho**t)) + epsilon), s


def check_bias_corrected_rmsprop(update) -> bool:
    """``update(learning_rate, rho, epsilon, grad, s_prev, t) -> (updates, s)`` with ``s_hat = s / (1 - rho**t)``."""
    cases = [(0.1, 0.9, 1e-6, np.array([10.0, 8.0]), np.zeros(2), 1), (0.01, 0.99, 1e-8, np.array([0.5]), np.array([2.0]), 5)]
    return _run("bias_corrected_rmsprop", update, _bias_corrected_rmsprop, cases)


def _dense_backward(x, w, grad_out):
    return grad_out @ w.T, x.T @ grad_out, grad_out.sum(axis=0)


def check_dense_backward(dense_backward) -> bool:
    """``dense_backward(x, w, grad_out) -> (grad_x, grad_w, grad_b)`` for ``y = x @ w + b``."""
    rng = np.random.default_rng(0)
    cases = [(rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(4, 2)))]
    return _run("dense_backward", dense_backward, _dense_backward, cases)
