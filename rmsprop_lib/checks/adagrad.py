"""Notebook 04's exercise: the AdaGrad update (its reference, test cases and known mistakes)."""

from __future__ import annotations

import numpy as np

from rmsprop_lib.checks.machinery import Exercise, check, vec, zeros, RETURNS_A_POSITION, swapped


def _adagrad_update(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


ADAGRAD = Exercise(
    name="adagrad_update",
    params=("grad", "sum_sq", "lr", "eps"),
    outputs=("updates", "new_sum_sq"),
    reference=_adagrad_update,
    cases=[
        ("scalars", (3.0, 16.0, 0.5, 1e-10)),
        ("vectors, zero state", (vec(10, 8), zeros(2), 0.1, 1e-10)),
        ("vectors, non-zero state", (vec(1, -2, 0.5), vec(4, 0, 9), 0.5, 1e-8)),
        ("tiny gradient", (vec(1e-9, -2e-9), zeros(2), 0.1, 1e-6)),
        ("large gradient", (vec(3e5, -1e6), vec(1e10, 4e11), 0.01, 1e-10)),
    ],
)


@ADAGRAD.mistake("the gradient is not squared in the accumulator: sum_sq + grad. Accumulate squares: sum_sq + grad**2.")
def _(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


@ADAGRAD.mistake("eps is inside the square root: sqrt(sum_sq + eps). Here it goes outside: lr*grad / (sqrt(sum_sq) + eps).")
def _(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return lr * grad / np.sqrt(sum_sq + eps), sum_sq


@ADAGRAD.mistake("the state is not accumulated: new_sum_sq = grad**2 forgets the past. Add to it: sum_sq + grad**2.")
def _(grad, sum_sq, lr, eps):
    sum_sq = grad**2
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


@ADAGRAD.mistake("it returns the old sum_sq. Return the new accumulator, sum_sq + grad**2.")
def _(grad, sum_sq, lr, eps):
    updates, _ = _adagrad_update(grad, sum_sq, lr, eps)
    return updates, sum_sq


@ADAGRAD.mistake("the square root is missing: divide by sqrt(sum_sq) + eps, not by sum_sq + eps.")
def _(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return lr * grad / (sum_sq + eps), sum_sq


@ADAGRAD.mistake("the step divides by the old sum_sq. Add grad**2 first, then divide by the root of the new sum.")
def _(grad, sum_sq, lr, eps):
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq + grad**2


@ADAGRAD.mistake("the sign of the update is flipped. The caller does x = x - updates, so updates = +lr*grad/(sqrt(s) + eps).")
def _(grad, sum_sq, lr, eps):
    updates, sum_sq = _adagrad_update(grad, sum_sq, lr, eps)
    return -updates, sum_sq


@ADAGRAD.mistake("the learning rate is left out: updates = lr * grad / (sqrt(sum_sq) + eps).")
def _(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return grad / (np.sqrt(sum_sq) + eps), sum_sq


@ADAGRAD.mistake(RETURNS_A_POSITION)
def _(grad, sum_sq, lr, eps):
    updates, sum_sq = _adagrad_update(grad, sum_sq, lr, eps)
    return grad - updates, sum_sq


@ADAGRAD.mistake(swapped("new_sum_sq"))
def _(grad, sum_sq, lr, eps):
    updates, sum_sq = _adagrad_update(grad, sum_sq, lr, eps)
    return sum_sq, updates


def check_adagrad_update(adagrad_update) -> bool:
    """``adagrad_update(grad, sum_sq, lr, eps) -> (updates, new_sum_sq)``: ``s = s + g**2``, ``updates = lr*g/(sqrt(s) + eps)``."""
    return check(ADAGRAD, adagrad_update)
