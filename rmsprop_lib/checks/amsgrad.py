"""Notebook 08's exercise: AMSGrad's update in RMSProp form (its reference, test cases and known mistakes)."""

from __future__ import annotations

import numpy as np

from rmsprop_lib.checks.machinery import Exercise, check, vec, zeros
from rmsprop_lib.checks.rmsprop import reference as rmsprop_reference


def _amsgrad_update(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.maximum(s_max_prev, s)
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


AMSGRAD = Exercise(
    name="amsgrad_update",
    params=("learning_rate", "rho", "epsilon", "grad", "s_prev", "s_max_prev"),
    outputs=("updates", "s", "s_max"),
    reference=_amsgrad_update,
    cases=[
        ("zero state", (0.1, 0.9, 1e-6, vec(10, 8), zeros(2), zeros(2))),
        ("scalars, the maximum is kept", (0.01, 0.1, 1e-8, -1.0, 0.5, 9.0)),
        ("vectors, the maximum moves in one coordinate", (0.1, 0.9, 1e-6, vec(3, -0.1, 0.5), vec(1, 4, 0.25), vec(1, 5, 0.2))),
        ("tiny gradient", (0.1, 0.9, 1e-6, vec(1e-9, -3e-9), zeros(2), zeros(2))),
        ("large gradient after small ones", (0.001, 0.5, 1e-6, vec(1e4, -3e5), vec(1e-2, 0), vec(1e-2, 1e-4))),
    ],
)


@AMSGRAD.mistake("the update divides by sqrt(s), not by sqrt(s_max): AMSGrad's point is to divide by the largest average so far.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    updates, s = rmsprop_reference(learning_rate, rho, epsilon, grad, s_prev)
    return updates, s, np.maximum(s_max_prev, s)


@AMSGRAD.mistake("s_max takes the maximum with grad**2; take it with the new average s: s_max = max(s_max_prev, s).")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.maximum(s_max_prev, grad**2)
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


@AMSGRAD.mistake("s_max takes the maximum with the old s_prev; take it with the new average s: s_max = max(s_max_prev, s).")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.maximum(s_max_prev, s_prev)
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


@AMSGRAD.mistake("np.max(...) of the two arrays takes one number over everything; use np.maximum(s_max_prev, s), entry by entry.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.max([np.max(s_max_prev), np.max(s)]) + 0 * s
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


@AMSGRAD.mistake("it returns s_max as the average s. Keep the leaky average s as it is; the maximum is the separate s_max.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    updates, _, s_max = _amsgrad_update(learning_rate, rho, epsilon, grad, s_prev, s_max_prev)
    return updates, s_max, s_max


@AMSGRAD.mistake("ε is inside the square root: sqrt(s_max + epsilon). Put it outside: sqrt(s_max) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.maximum(s_max_prev, s)
    return learning_rate * grad / np.sqrt(s_max + epsilon), s, s_max


@AMSGRAD.mistake("the (1 - rho) is missing: use s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + grad**2
    s_max = np.maximum(s_max_prev, s)
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


@AMSGRAD.mistake("the sign of the update is flipped. The caller does x = x - updates.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    updates, s, s_max = _amsgrad_update(learning_rate, rho, epsilon, grad, s_prev, s_max_prev)
    return -updates, s, s_max


def check_amsgrad_update(amsgrad_update) -> bool:
    """``amsgrad_update(learning_rate, rho, epsilon, grad, s_prev, s_max_prev) -> (updates, s, s_max)``: AMSGrad with beta1 = 0."""
    return check(AMSGRAD, amsgrad_update)
