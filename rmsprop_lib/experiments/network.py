r"""A small multilayer perceptron in NumPy, with backpropagation written by hand.

The network maps an input row :math:`x` through dense layers

.. math::
    z_\ell = h_{\ell-1} W_\ell + b_\ell, \qquad h_\ell = \sigma(z_\ell) \quad (h_0 = x),

with :math:`\sigma` = tanh or ReLU on the hidden layers and no activation on the
last one, whose outputs are the *logits* of a softmax classifier. The loss is
the mean softmax cross-entropy over the :math:`n` rows of a batch,

.. math::
    L = \frac{1}{n}\sum_i \Big(\log \sum_c e^{z_{ic}} - z_{i y_i}\Big), \qquad
    \frac{\partial L}{\partial z} = \frac{\operatorname{softmax}(z) - \operatorname{onehot}(y)}{n}.

All parameters live in **one flat vector** ``theta`` (each layer's ``W`` then
``b``), so every optimizer of :mod:`rmsprop_lib.core.optimizers` trains the
network unchanged::

    theta = model.init(seed=0)
    state = opt.init(theta)
    loss, grad = model.loss_and_grad(theta, x, y)
    updates, state = opt.update(grad, state)  # params=theta too for AdamW, Lion, Adafactor
    theta = theta - updates

``theta`` may carry leading batch axes, shape ``(*batch, n_params)``: that is
several independent networks (e.g. one per learning rate and seed) trained in
one vectorized call, with hyperparameters of shape ``(*batch, 1)`` as
everywhere in the library. Inputs ``x`` are ``(n, n_in)`` (shared by all
networks) or ``(*batch, n, n_in)`` (one mini-batch per network).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check

__all__ = ["MLP", "dense_forward", "dense_backward", "softmax_cross_entropy"]


def _t(a: np.ndarray) -> np.ndarray:
    """Transpose the last two axes (``a.T`` for a matrix, batch axes kept)."""
    return np.swapaxes(a, -1, -2)


def dense_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A dense layer: ``y = x @ w + b``.

    When one input ``x (n, n_in)`` meets a batch of weights ``w (*batch, n_in, n_out)``
    (evaluating many networks on the same data), the products are done as one
    wide matrix product ``x @ [w_1 w_2 ...]`` rather than one small product per network.
    """
    if x.ndim == 2 and w.ndim > 2:
        wide = np.moveaxis(w, -2, 0).reshape(w.shape[-2], -1)  # (n_in, batch * n_out)
        y = np.moveaxis((x @ wide).reshape(len(x), *w.shape[:-2], w.shape[-1]), 0, -2)
        return y + b[..., None, :]
    return x @ w + b[..., None, :]


def dense_backward(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradients of a dense layer ``y = x @ w + b`` given :math:`G = \partial L/\partial y`.

    .. math::
        \frac{\partial L}{\partial x} = G W^\top, \qquad
        \frac{\partial L}{\partial W} = x^\top G, \qquad
        \frac{\partial L}{\partial b} = \textstyle\sum_i G_{i\cdot}

    Shapes: ``x (n, n_in)``, ``w (n_in, n_out)``, ``grad_out (n, n_out)``; any
    leading batch axes broadcast (``x.T`` becomes a swap of the last two axes).
    """
    return grad_out @ _t(w), _t(x) @ grad_out, grad_out.sum(axis=-2)


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy of ``softmax(logits)`` against integer ``labels``, and its gradient.

    ``logits`` has shape ``(*batch, n, classes)``; ``labels`` ``(n,)`` or
    ``(*batch, n)``, integers in ``[0, classes)``. Returns ``(loss of shape
    batch, dloss/dlogits)``. The log-sum-exp is shifted by the row maximum, so
    large logits do not overflow.
    """
    classes = logits.shape[-1]
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= classes:
        raise ValueError(f"labels must be integers in [0, {classes - 1}], got {labels.dtype} values from {labels.min()} to {labels.max()}")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    log_probs = shifted - log_norm
    labels = np.broadcast_to(labels, logits.shape[:-1])[..., None]
    n = logits.shape[-2]
    loss = -np.take_along_axis(log_probs, labels, axis=-1)[..., 0].mean(axis=-1)
    grad = np.exp(log_probs)
    np.put_along_axis(grad, labels, np.take_along_axis(grad, labels, axis=-1) - 1.0, axis=-1)
    return loss, grad / n


# Activation functions as (f, derivative expressed through the output h = f(z)).
_ACTIVATIONS = {
    "tanh": (np.tanh, lambda h: 1.0 - h * h),
    "relu": (lambda z: np.maximum(z, 0.0), lambda h: (h > 0).astype(h.dtype)),
}


@dataclass(frozen=True)
class MLP:
    """A multilayer perceptron classifier with parameters in one flat vector.

    Args:
        sizes: layer widths from input to output, e.g. ``(64, 32, 10)``.
        activation: ``"tanh"`` or ``"relu"`` for the hidden layers.
    """

    sizes: tuple[int, ...] = (64, 32, 10)
    activation: str = "tanh"

    def __post_init__(self):
        if not isinstance(self.sizes, (list, tuple, np.ndarray)) or isinstance(self.sizes, np.ndarray) and self.sizes.ndim != 1:
            raise TypeError(f"sizes must be a tuple of layer widths, e.g. (64, 32, 10), got {type(self.sizes).__name__} {self.sizes!r}")
        sizes = tuple(self.sizes)
        if any(isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) for s in sizes):
            raise TypeError(f"sizes must be integers (layer widths), got {self.sizes!r}")
        if len(sizes) < 2 or not all(s >= 1 for s in sizes):
            raise ValueError(f"sizes must be at least two positive integers (input, ..., classes), got {self.sizes!r}")
        if not isinstance(self.activation, str) or self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {self.activation!r}")
        object.__setattr__(self, "sizes", tuple(int(s) for s in sizes))

    @property
    def n_params(self) -> int:
        """The length of ``theta``: every weight and bias."""
        return sum(n_in * n_out + n_out for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]))

    def unpack(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views ``[(W_1, b_1), ...]`` into ``theta`` (no copies; batch axes kept)."""
        theta = check.real_array("theta", theta)
        if theta.shape[-1:] != (self.n_params,):
            raise ValueError(f"theta must have shape (..., {self.n_params}) for sizes {self.sizes}, got {theta.shape}")
        batch, layers, start = theta.shape[:-1], [], 0
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            w = theta[..., start : start + n_in * n_out].reshape(*batch, n_in, n_out)
            start += n_in * n_out
            layers.append((w, theta[..., start : start + n_out]))
            start += n_out
        return layers

    def weights(self, theta: np.ndarray, layer: int) -> np.ndarray:
        r"""The entries of weight matrix :math:`W_{layer+1}`, flattened: shape ``(*batch, n_in * n_out)``.

        ``layer`` counts from 0 (``0``: :math:`W_1`). A copy, one row per
        network of a batch of ``theta``. Raises ValueError for a ``layer``
        outside ``0 .. len(sizes) - 2`` or a ``theta`` of another length.
        """
        layers = self.unpack(theta)
        if isinstance(layer, (bool, np.bool_)) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < len(layers):
            raise ValueError(f"layer must be an integer in 0..{len(layers) - 1} (0: W1), got {layer!r}")
        w = layers[layer][0]
        return w.reshape(*w.shape[:-2], -1).copy()

    def saturation(self, theta: np.ndarray, x: ArrayLike, level: float = 0.99) -> np.ndarray:
        r"""The fraction of the first hidden layer's activations with :math:`|h| > \text{level}`, per network.

        For tanh, :math:`1 - h^2 < 1 - \text{level}^2` there (below 0.02 at
        0.99): the backward pass multiplies the gradient through such a unit
        by almost nothing. Shape ``batch`` of ``theta``. Raises ValueError if
        the network has no hidden layer or ``level`` is not in (0, 1).
        """
        if len(self.sizes) < 3:
            raise ValueError(f"a network without hidden layers has no activations to saturate: sizes {self.sizes}")
        level = float(level)
        if not 0.0 < level < 1.0:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        _, inputs = self.forward(theta, x)
        return (np.abs(inputs[1]) > level).mean(axis=(-2, -1))

    def init(self, seed: int | Sequence[int] | np.random.Generator = 0) -> np.ndarray:
        r"""Random weights :math:`W \sim \mathcal N(0, g/n_{in})` (g = 1 for tanh, 2 for ReLU), zero biases.

        ``seed`` may be a list of seeds: one network per seed, shape
        ``(len(seed), n_params)``; each row equals ``init(that seed)``. A
        ``Generator`` is drawn from (``init(s)`` equals ``init(default_rng(s))``).
        """
        if isinstance(seed, (list, tuple, np.ndarray)):
            return np.stack([self.init(check.seed("seed", s)) for s in seed])
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(check.seed("seed", seed))
        gain = 2.0 if self.activation == "relu" else 1.0
        theta = np.zeros(self.n_params)
        for w, _ in self.unpack(theta):
            w[...] = rng.normal(0.0, np.sqrt(gain / w.shape[0]), size=w.shape)
        return theta

    def _check_x(self, x: ArrayLike) -> np.ndarray:
        x = check.real_array("x", x).astype(float, copy=False)
        if x.ndim < 2 or x.shape[-1] != self.sizes[0]:
            raise ValueError(f"x must have shape (..., n, {self.sizes[0]}), got {x.shape}")
        return x

    def forward(self, theta: np.ndarray, x: ArrayLike) -> tuple[np.ndarray, list[np.ndarray]]:
        """The logits, shape ``(*batch, n, classes)``, and every layer's input (for :meth:`loss_and_grad`)."""
        act, _ = _ACTIVATIONS[self.activation]
        layers = self.unpack(theta)
        h = self._check_x(x)
        inputs = []
        for i, (w, b) in enumerate(layers):
            inputs.append(h)
            z = dense_forward(h, w, b)
            h = act(z) if i < len(layers) - 1 else z
        return h, inputs

    def loss(self, theta: np.ndarray, x: ArrayLike, y: ArrayLike) -> np.ndarray:
        """The mean cross-entropy on ``(x, y)``, one value per network (shape ``batch``)."""
        logits, _ = self.forward(theta, x)
        return softmax_cross_entropy(logits, np.asarray(y))[0]

    def loss_and_grad(self, theta: np.ndarray, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        r"""The loss and its gradient with respect to ``theta`` (same shape), by backpropagation.

        Backwards through the layers, with :math:`G` the gradient at a layer's output:
        :math:`G \leftarrow G\,W^\top` through a dense layer (:func:`dense_backward`), then
        :math:`G \leftarrow G \odot \sigma'(z)` through the activation.
        """
        _, d_act = _ACTIVATIONS[self.activation]
        theta = np.asarray(theta, dtype=float)
        layers = self.unpack(theta)
        logits, inputs = self.forward(theta, x)
        loss, grad_out = softmax_cross_entropy(logits, np.asarray(y))
        grad = np.zeros(np.broadcast_shapes(theta.shape, (*logits.shape[:-2], self.n_params)))
        grad_layers = self.unpack(grad)
        for i in reversed(range(len(layers))):
            grad_x, grad_w, grad_b = dense_backward(inputs[i], layers[i][0], grad_out)
            grad_layers[i][0][...] = grad_w
            grad_layers[i][1][...] = grad_b
            if i > 0:
                grad_out = grad_x * d_act(inputs[i])  # inputs[i] = sigma(z_{i-1})
        return loss, grad

    def predict(self, theta: np.ndarray, x: ArrayLike) -> np.ndarray:
        """The most likely class of each row, shape ``(*batch, n)``."""
        return self.forward(theta, x)[0].argmax(axis=-1)

    def accuracy(self, theta: np.ndarray, x: ArrayLike, y: ArrayLike) -> np.ndarray:
        """The fraction of rows classified correctly, one value per network."""
        return (self.predict(theta, x) == np.asarray(y)).mean(axis=-1)
