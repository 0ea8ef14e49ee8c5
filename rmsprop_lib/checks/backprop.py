"""Notebook 07's exercise: a dense layer's backward pass (its reference, test cases and known mistakes)."""

from __future__ import annotations

import numpy as np

from rmsprop_lib.checks.machinery import Exercise, check


def _dense_backward(x, w, grad_out):
    return grad_out @ w.T, x.T @ grad_out, grad_out.sum(axis=0)


def _dense_case(seed: int, n: int, d: int, h: int, scale: float = 1.0) -> tuple:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(d, h)), scale * rng.normal(size=(n, h))


DENSE = Exercise(
    name="dense_backward",
    params=("x", "w", "grad_out"),
    outputs=("grad_x", "grad_w", "grad_b"),
    reference=_dense_backward,
    cases=[
        ("a batch of 4, 3 inputs, 2 outputs", _dense_case(0, 4, 3, 2)),
        ("one example, 2 inputs, 5 outputs", _dense_case(1, 1, 2, 5)),
        ("square: batch 3, 3 inputs, 3 outputs", _dense_case(2, 3, 3, 3)),
        ("large upstream gradient", _dense_case(3, 5, 4, 3, scale=1e6)),
    ],
)


@DENSE.mistake("grad_x needs w transposed: grad_x = grad_out @ w.T (shape of x).")
def _(x, w, grad_out):
    _, grad_w, grad_b = _dense_backward(x, w, grad_out)
    return grad_out @ w, grad_w, grad_b


@DENSE.mistake("grad_w is transposed: it must have w's shape (inputs, outputs): grad_w = x.T @ grad_out.")
def _(x, w, grad_out):
    grad_x, grad_w, grad_b = _dense_backward(x, w, grad_out)
    return grad_x, grad_w.T, grad_b


@DENSE.mistake("grad_w needs x transposed, on the left: grad_w = x.T @ grad_out.")
def _(x, w, grad_out):
    grad_x, _, grad_b = _dense_backward(x, w, grad_out)
    return grad_x, x @ grad_out, grad_b


@DENSE.mistake("grad_b is not summed over the batch: every example adds to the bias gradient, grad_b = grad_out.sum(axis=0).")
def _(x, w, grad_out):
    grad_x, grad_w, _ = _dense_backward(x, w, grad_out)
    return grad_x, grad_w, grad_out


@DENSE.mistake("grad_b is averaged; the gradient of a sum over the batch is the sum: grad_out.sum(axis=0).")
def _(x, w, grad_out):
    grad_x, grad_w, _ = _dense_backward(x, w, grad_out)
    return grad_x, grad_w, grad_out.mean(axis=0)


@DENSE.mistake("grad_b is summed over the wrong axis: sum over the batch (axis=0), one value per output.")
def _(x, w, grad_out):
    grad_x, grad_w, _ = _dense_backward(x, w, grad_out)
    return grad_x, grad_w, grad_out.sum(axis=1)


@DENSE.mistake("grad_b sums everything into one number; keep one value per output: grad_out.sum(axis=0).")
def _(x, w, grad_out):
    grad_x, grad_w, _ = _dense_backward(x, w, grad_out)
    return grad_x, grad_w, grad_out.sum()


@DENSE.mistake("grad_x and grad_w are swapped: return (grad_x, grad_w, grad_b) in that order.")
def _(x, w, grad_out):
    grad_x, grad_w, grad_b = _dense_backward(x, w, grad_out)
    return grad_w, grad_x, grad_b


def check_dense_backward(dense_backward) -> bool:
    """``dense_backward(x, w, grad_out) -> (grad_x, grad_w, grad_b)`` for ``y = x @ w + b``."""
    return check(DENSE, dense_backward)
