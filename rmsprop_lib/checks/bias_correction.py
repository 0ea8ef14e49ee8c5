"""Notebook 06's exercise: RMSProp with bias correction (its reference, test cases and known mistakes)."""

from __future__ import annotations

import numpy as np

from rmsprop_lib.checks.machinery import Exercise, check, vec, zeros, swapped
from rmsprop_lib.checks.rmsprop import reference as rmsprop_reference


def _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=None):
    s = rho * s_prev + (1 - rho) * grad**2
    s_hat = s / (1 - rho**t if correction is None else correction)
    return learning_rate * grad / (np.sqrt(s_hat) + epsilon), s


BIAS_CORRECTED = Exercise(
    name="bias_corrected_rmsprop",
    params=("learning_rate", "rho", "epsilon", "grad", "s_prev", "t"),
    outputs=("updates", "s"),
    reference=_bias_corrected,
    cases=[
        ("the post's first step, zero state, t = 1", (0.1, 0.9, 1e-6, vec(10, 8), zeros(2), 1)),
        ("scalars, t = 5", (0.01, 0.99, 1e-8, 0.5, 2.0, 5)),
        ("vectors, t = 3", (0.1, 0.9, 1e-6, vec(3, -4, 0.5), vec(1, 4, 0.25), 3)),
        ("tiny gradient, t = 1", (0.1, 0.9, 1e-6, vec(1e-9, -3e-9), zeros(2), 1)),
        ("large gradient, t = 2", (0.001, 0.5, 1e-6, vec(1e4, -3e5), vec(1e8, 0), 2)),
        ("late step, t = 100", (0.1, 0.9, 1e-6, vec(0.2, -0.1), vec(0.04, 0.01), 100)),
    ],
)


@BIAS_CORRECTED.mistake("the correction is not applied: divide s by (1 - rho**t) before the square root.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return rmsprop_reference(learning_rate, rho, epsilon, grad, s_prev)


@BIAS_CORRECTED.mistake("the power is t + 1; at step t the correction is 1 - rho**t (t counts from 1).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=1 - rho ** (t + 1))


@BIAS_CORRECTED.mistake("the power is t - 1; at step t the correction is 1 - rho**t (t counts from 1).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=1 - rho ** (t - 1))


@BIAS_CORRECTED.mistake("(1 - rho)**t is not 1 - rho**t: raise rho to the power t, then subtract from 1.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=(1 - rho) ** t)


@BIAS_CORRECTED.mistake("it divides by rho**t; the correction is 1 - rho**t.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=rho**t)


@BIAS_CORRECTED.mistake("it multiplies s by (1 - rho**t); divide instead: s_hat = s / (1 - rho**t).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=1 / (1 - rho**t))


@BIAS_CORRECTED.mistake("the correction divides the update, not s. Correct s itself: s_hat = s / (1 - rho**t), then divide by sqrt(s_hat) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = rmsprop_reference(learning_rate, rho, epsilon, grad, s_prev)
    return updates / (1 - rho**t), s


@BIAS_CORRECTED.mistake(
    "the correction scales the update (lr*sqrt(1 - rho**t)*grad/(sqrt(s) + epsilon)), so epsilon is not corrected; "
    "the two agree only when epsilon is negligible. Correct s itself: s_hat = s / (1 - rho**t)."
)
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = rmsprop_reference(learning_rate, rho, epsilon, grad, s_prev)
    return updates * np.sqrt(1 - rho**t), s


@BIAS_CORRECTED.mistake(
    "it returns the corrected s_hat as the state. Keep the plain average s as the state (the correction is "
    "only for the step), else it compounds from step to step."
)
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t)
    return updates, s / (1 - rho**t)


@BIAS_CORRECTED.mistake("ε is inside the square root: sqrt(s_hat + epsilon). Put it outside: sqrt(s_hat) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / np.sqrt(s / (1 - rho**t) + epsilon), s


@BIAS_CORRECTED.mistake("the (1 - rho) is missing: use s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + grad**2
    return learning_rate * grad / (np.sqrt(s / (1 - rho**t)) + epsilon), s


@BIAS_CORRECTED.mistake("it returns the old state s_prev. Return the new average s (uncorrected).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, _ = _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t)
    return updates, s_prev


@BIAS_CORRECTED.mistake("the sign of the update is flipped. The caller does x = x - updates.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t)
    return -updates, s


@BIAS_CORRECTED.mistake("the learning rate is left out: updates = learning_rate * grad / (sqrt(s_hat) + epsilon).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _bias_corrected(1.0, rho, epsilon, grad, s_prev, t)
    return updates, s


@BIAS_CORRECTED.mistake(swapped("s"))
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t)
    return s, updates


def check_bias_corrected_rmsprop(update) -> bool:
    """``update(learning_rate, rho, epsilon, grad, s_prev, t) -> (updates, s)`` with ``s_hat = s / (1 - rho**t)``."""
    return check(BIAS_CORRECTED, update)
