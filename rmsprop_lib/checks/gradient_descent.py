"""Notebook 01's exercise: one gradient-descent step (its reference, test cases and known mistakes)."""

from __future__ import annotations

from rmsprop_lib.checks.machinery import Exercise, check, vec, zeros


def _gd_step(x, grad, lr):
    return x - lr * grad


GD = Exercise(
    name="gd_step",
    params=("x", "grad", "lr"),
    outputs=("new x",),
    reference=_gd_step,
    cases=[
        ("scalars", (5.0, 10.0, 0.1)),
        ("the post's start point", (vec(5, 4), vec(10, 8), 0.1)),
        ("a vector, zero gradient", (vec(1, -2, 3), zeros(3), 0.5)),
        ("tiny gradient at the origin", (zeros(2), vec(1e-9, -3e-10), 0.3)),
        ("large gradient", (vec(-2.0, 7.0), vec(4e5, -2e6), 1e-4)),
    ],
)


@GD.mistake("the sign is wrong: x + lr * grad walks uphill. Step against the gradient: x - lr * grad.")
def _(x, grad, lr):
    return x + lr * grad


@GD.mistake("the learning rate is left out: x - grad takes a full gradient step. Scale it: x - lr * grad.")
def _(x, grad, lr):
    return x - grad


@GD.mistake("it divides by the learning rate: x - grad / lr. Multiply instead: x - lr * grad.")
def _(x, grad, lr):
    return x - grad / lr


@GD.mistake("it returns the step lr * grad, not the new point. Return x - lr * grad.")
def _(x, grad, lr):
    return lr * grad


@GD.mistake("it returns the change -lr * grad, not the new point. Add it to x: x - lr * grad.")
def _(x, grad, lr):
    return -lr * grad


def check_gd_step(gd_step) -> bool:
    """``gd_step(x, grad, lr) -> new x``: one gradient-descent step, ``x - lr * grad``."""
    return check(GD, gd_step)
