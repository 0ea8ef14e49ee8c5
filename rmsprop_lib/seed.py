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

from . import validation as check

__all__ = ["rmsprop_update"]


def rmsprop_update(
    learning_rate: float, rho: float, epsilon: float, grad: ArrayLike, s_prev: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    r"""One RMSProp step, as in the seed post.

    .. math::
        s = \rho\, s_{prev} + (1 - \rho)\, g^2, \qquad
        \text{updates} = \frac{\text{lr}\; g}{\sqrt{s} + \epsilon}

    Returns ``(updates, s)``; the caller moves to ``params - updates``.
    ``s_prev`` is not modified.
    """
    check.positive("learning_rate", learning_rate)
    check.unit_interval("rho", rho)
    check.non_negative("epsilon", epsilon)
    grad = np.asarray(grad)
    try:
        shape = np.broadcast_shapes(np.shape(s_prev), grad.shape)
    except ValueError:
        shape = None
    if shape != grad.shape:
        raise ValueError(f"s_prev has shape {np.shape(s_prev)}, which does not match grad's shape {grad.shape}")
    s = rho * np.asarray(s_prev) + (1 - rho) * np.power(grad, 2)
    updates = learning_rate * grad / (np.sqrt(s) + epsilon)
    return updates, s

