"""Notebook 03's exercise: the heavy-ball update (its reference, test cases and known mistakes)."""

from __future__ import annotations

from rmsprop_lib.checks.machinery import Exercise, check, vec, zeros, RETURNS_A_POSITION, swapped


def _momentum_update(grad, velocity, lr, beta):
    velocity = beta * velocity + grad
    return lr * velocity, velocity


MOMENTUM = Exercise(
    name="momentum_update",
    params=("grad", "velocity", "lr", "beta"),
    outputs=("updates", "new_velocity"),
    reference=_momentum_update,
    cases=[
        ("scalars", (2.0, 0.5, 0.1, 0.9)),
        ("vectors, zero velocity", (vec(10, 8), zeros(2), 0.1, 0.9)),
        ("vectors, non-zero velocity", (vec(1, -2, 0.5), vec(0.5, 0.5, -3), 0.05, 0.8)),
        ("tiny gradient", (vec(1e-9, -2e-9), vec(1e-8, 0), 0.1, 0.5)),
        ("large gradient", (vec(3e5, -1e6), vec(-2e5, 4e5), 1e-4, 0.95)),
    ],
)


@MOMENTUM.mistake(
    "lr is inside the velocity (v = beta*v + lr*grad, updates = v). Some texts write it so, but here the "
    "velocity adds up plain gradients and lr scales it at the end: v = beta*v + grad; updates = lr*v."
)
def _(grad, velocity, lr, beta):
    velocity = beta * velocity + lr * grad
    return velocity, velocity


@MOMENTUM.mistake("the velocity is not updated: it returns the old velocity. Return v = beta*velocity + grad.")
def _(grad, velocity, lr, beta):
    return lr * (beta * velocity + grad), velocity


@MOMENTUM.mistake("beta is on the wrong term: v = velocity + beta*grad. beta decays the old velocity: v = beta*velocity + grad.")
def _(grad, velocity, lr, beta):
    velocity = velocity + beta * grad
    return lr * velocity, velocity


@MOMENTUM.mistake(
    "it damps the gradient: v = beta*v + (1-beta)*grad is a leaky average (Adam's first moment). "
    "Classical momentum adds the whole gradient: v = beta*velocity + grad."
)
def _(grad, velocity, lr, beta):
    velocity = beta * velocity + (1 - beta) * grad
    return lr * velocity, velocity


@MOMENTUM.mistake("the step uses the old velocity (lr*velocity). Update the velocity first, then step: updates = lr * new_velocity.")
def _(grad, velocity, lr, beta):
    return lr * velocity, beta * velocity + grad


@MOMENTUM.mistake("the sign of the update is flipped. The caller does x = x - updates, so updates = +lr*v.")
def _(grad, velocity, lr, beta):
    updates, velocity = _momentum_update(grad, velocity, lr, beta)
    return -updates, velocity


@MOMENTUM.mistake("the learning rate is left out of the update: updates = lr * v.")
def _(grad, velocity, lr, beta):
    velocity = beta * velocity + grad
    return velocity, velocity


@MOMENTUM.mistake(RETURNS_A_POSITION)
def _(grad, velocity, lr, beta):
    updates, velocity = _momentum_update(grad, velocity, lr, beta)
    return grad - updates, velocity


@MOMENTUM.mistake(swapped("new_velocity"))
def _(grad, velocity, lr, beta):
    updates, velocity = _momentum_update(grad, velocity, lr, beta)
    return velocity, updates


def check_momentum_update(momentum_update) -> bool:
    """``momentum_update(grad, velocity, lr, beta) -> (updates, new_velocity)``: ``v = beta*v + g``, ``updates = lr*v``."""
    return check(MOMENTUM, momentum_update)
