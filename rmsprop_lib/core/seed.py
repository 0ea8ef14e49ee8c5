"""The seed post's RMSProp function, kept with the post's name order and semantics.

The post (``teguhteja.id``, "RMSProp") runs it on ``x^2 + y^2`` from (5, 4)::

    s_prev = np.array([0, 0])
    for epoch in range(max_epochs + 1):          # 101 updates
        grad = df(coordinates[0], coordinates[1])
        updates, s_prev = rmsprop_update(0.1, 0.9, 1e-6, grad, s_prev)
        coordinates -= updates

:class:`rmsprop_lib.RMSProp` with its default ``rho`` and ``eps`` takes
exactly the same steps.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check

__all__ = ["rmsprop_update"]


@check.policy
def rmsprop_update(
    learning_rate: float, rho: float, epsilon: float, grad: ArrayLike, s_prev: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    r"""One RMSProp step, as in the seed post.

    .. math::
        s = \rho\, s_{prev} + (1 - \rho)\, g^2, \qquad
        \text{updates} = \frac{\text{lr}\; g}{\sqrt{s} + \epsilon}

    Returns ``(updates, s)``; the caller moves to ``params - updates``.
    ``s_prev`` is not modified. The numerics policy of
    :mod:`rmsprop_lib.core.optimizers` applies: ``s`` is at least float32 (float16
    gradients give float32 ``s`` and float16 updates), ``epsilon = 0`` gives a
    step of 0 for a zero gradient, and a NaN gradient a NaN step.
    """
    learning_rate = check.positive("learning_rate", learning_rate)
    rho = check.unit_interval("rho", rho)
    epsilon = check.non_negative("epsilon", epsilon)
    g, s_prev = check.grad_and_state(grad, s_prev)  # types and shapes; at least float32 (policy rule 1)
    learning_rate, rho, epsilon = (check.in_dtype(value, g.dtype) for value in (learning_rate, rho, epsilon))

    s = rho * s_prev + (1 - rho) * np.power(g, 2)
    check.squares_fit(g, s, s_prev, epsilon)  # no overflow; no underflow that epsilon cannot hide
    updates = check.ratio(learning_rate * g, np.sqrt(s) + epsilon, epsilon)  # 0/0 is 0 (epsilon = 0)
    return check.like_grad(updates, grad), s
