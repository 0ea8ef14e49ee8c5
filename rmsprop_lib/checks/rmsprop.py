"""Notebook 05's exercise: the seed post's RMSProp update (its reference, test cases and known mistakes)."""

from __future__ import annotations

import numpy as np

from rmsprop_lib.checks.machinery import Exercise, check, vec, zeros, RETURNS_A_POSITION, swapped


def reference(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


_RMSPROP_CASES = [
    ("the post's first step, zero state", (0.1, 0.9, 1e-6, vec(10, 8), zeros(2))),
    ("scalars", (0.01, 0.99, 1e-8, 0.5, 2.0)),
    ("vectors, non-zero state", (0.1, 0.9, 1e-6, vec(3, -4, 0.5), vec(1, 4, 0.25))),
    ("tiny gradient", (0.1, 0.9, 1e-6, vec(1e-9, -3e-9), zeros(2))),
    ("large gradient", (0.001, 0.5, 1e-6, vec(1e4, -3e5), vec(1e8, 0))),
    ("zero gradient", (0.1, 0.8, 1e-6, zeros(2), vec(1, 0))),
    ("the post's integer zero state", (0.1, 0.9, 1e-6, vec(10, 8), np.array([0, 0]))),
]

RMSPROP = Exercise(
    name="rmsprop_update",
    params=("learning_rate", "rho", "epsilon", "grad", "s_prev"),
    outputs=("updates", "s"),
    reference=reference,
    cases=_RMSPROP_CASES,
)


@RMSPROP.mistake("ε is inside the square root: sqrt(s + epsilon). The post (and torch) put it outside: sqrt(s) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / np.sqrt(s + epsilon), s


@RMSPROP.mistake("the (1 - rho) is missing: s = rho*s_prev + grad**2 grows too large. Use s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + grad**2
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


@RMSPROP.mistake("rho is on the wrong term: (1 - rho)*s_prev + rho*grad**2. rho keeps the past: s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = (1 - rho) * s_prev + rho * grad**2
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


@RMSPROP.mistake("the gradient is not squared: s averages grad**2, not grad.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


@RMSPROP.mistake("it returns the old state s_prev. Return the new average s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    updates, _ = reference(learning_rate, rho, epsilon, grad, s_prev)
    return updates, s_prev


@RMSPROP.mistake("the square root is missing: divide by sqrt(s) + epsilon, not by s + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (s + epsilon), s


@RMSPROP.mistake("the step divides by the old s_prev. Compute s first, then divide by sqrt(s) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s_prev) + epsilon), s


@RMSPROP.mistake("the sign of the update is flipped. The caller does x = x - updates, so updates = +lr*grad/(sqrt(s) + eps).")
def _(learning_rate, rho, epsilon, grad, s_prev):
    updates, s = reference(learning_rate, rho, epsilon, grad, s_prev)
    return -updates, s


@RMSPROP.mistake("the learning rate is left out: updates = learning_rate * grad / (sqrt(s) + epsilon).")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return grad / (np.sqrt(s) + epsilon), s


@RMSPROP.mistake(RETURNS_A_POSITION)
def _(learning_rate, rho, epsilon, grad, s_prev):
    updates, s = reference(learning_rate, rho, epsilon, grad, s_prev)
    return grad - updates, s


@RMSPROP.mistake(swapped("s"))
def _(learning_rate, rho, epsilon, grad, s_prev):
    updates, s = reference(learning_rate, rho, epsilon, grad, s_prev)
    return s, updates


def check_rmsprop_update(rmsprop_update) -> bool:
    """``rmsprop_update(learning_rate, rho, epsilon, grad, s_prev) -> (updates, s)``: the seed's function."""
    return check(RMSPROP, rmsprop_update)
