"""Gradient-descent optimizers with a pure ``init`` / ``update`` interface.

Each optimizer is a small object that holds its hyperparameters::

    opt = RMSProp(lr=0.1)
    state = opt.init(params)                  # zeros shaped like params
    updates, state = opt.update(grad, state)  # never mutates its arguments
    params = params - updates                 # the seed's sign convention

Notation: ``g`` is the gradient, ``t`` counts steps from 1, and every state
starts at 0. Hyperparameters may be NumPy arrays that broadcast against the
parameters: ``lr`` of shape ``(B, 1)`` with parameters of shape ``(B, 2)``
runs B learning rates in one call.

The rules follow ``torch.optim`` (see ``docs/conventions.md`` for the full
mapping to torch, Keras, optax, TensorFlow 1 and d2l).

Numerics: state and arithmetic in the parameters' dtype (at least float32);
NaN/inf gradients propagate and ``minimize`` reports the run as diverged; a
square that overflows, or an infinite step with eps = 0, raises
``FloatingPointError``; bad types raise ``TypeError``, bad values
``ValueError``. The full policy, case by case, is in ``docs/conventions.md``
("Numerics policy"); the guards live in :mod:`rmsprop_lib.numerics.validation`
and ``tests/test_numerics_policy.py`` tests each rule.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check

__all__ = ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam"]


def _zeros_like(params: ArrayLike) -> np.ndarray:
    """The state's zeros: the parameters' shape, in their dtype but at least float32 (policy rule 1)."""
    params = check.parameters("params", params)
    return np.zeros(params.shape, dtype=check.state_dtype(params.dtype))


def _positive(value: ArrayLike, where=np.all) -> bool:
    """Whether ``value > 0`` (everywhere, or with ``where=np.any`` anywhere); quick for a plain number."""
    return value > 0 if isinstance(value, (int, float)) else bool(where(np.asarray(value) > 0))


class _Optimizer:
    """Shared plumbing: hyperparameter shapes are checked in ``init``."""

    _hyperparameters: tuple[str, ...] = ("lr",)

    def _check_shapes(self, params: ArrayLike) -> None:
        shape = check.parameters("params", params).shape
        for name in self._hyperparameters:
            check.broadcasts_to(name, getattr(self, name), shape)

    def _values(self, dtype) -> list:
        """The hyperparameters, in order, for arithmetic in ``dtype`` (policy rule 2)."""
        return [check.in_dtype(getattr(self, name), dtype) for name in self._hyperparameters]

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._repr_fields)
        return f"{type(self).__name__}({args})"


# --------------------------------------------------------------------------- SGD


class SGDState(NamedTuple):
    params_shape: tuple[int, ...]  # SGD keeps no memory; the shape checks gradients
    dtype: np.dtype = np.dtype(np.float64)  # and the arithmetic's dtype (policy rule 1)


class SGD(_Optimizer):
    r"""Plain gradient descent: :math:`u_t = \text{lr}\, g_t`.

    torch: ``torch.optim.SGD(params, lr)``.
    """

    _repr_fields = ("lr",)

    def __init__(self, lr: ArrayLike):
        self.lr = check.positive("lr", lr)

    def init(self, params: ArrayLike) -> SGDState:
        self._check_shapes(params)
        return SGDState(np.shape(params), check.state_dtype(check.parameters("params", params).dtype))

    @check.policy
    def update(self, grad: ArrayLike, state: SGDState) -> tuple[np.ndarray, SGDState]:
        g = check.gradient(grad, state.params_shape, state.dtype)  # checked, in the params' dtype (at least float32)
        (lr,) = self._values(g.dtype)
        return check.like_grad(lr * g, grad), state


# ---------------------------------------------------------------------- Momentum


class MomentumState(NamedTuple):
    velocity: np.ndarray


class Momentum(_Optimizer):
    r"""Heavy-ball momentum (Polyak), optionally Nesterov's variant.

    .. math::
        v_t = \beta\, v_{t-1} + g_t, \qquad
        u_t = \text{lr}\, v_t \quad\text{(Nesterov: } u_t = \text{lr}\,(g_t + \beta v_t))

    torch: ``torch.optim.SGD(params, lr, momentum=beta, nesterov=...)`` with
    ``dampening=0`` (its default). torch starts the buffer at ``g_1`` rather
    than 0, which is the same thing when there is no dampening.
    """

    _hyperparameters = ("lr", "beta")
    _repr_fields = ("lr", "beta", "nesterov")

    def __init__(self, lr: ArrayLike, beta: ArrayLike = 0.9, nesterov: bool = False):
        self.lr = check.positive("lr", lr)
        self.beta = check.unit_interval("beta", beta)
        self.nesterov = check.flag("nesterov", nesterov)

    def init(self, params: ArrayLike) -> MomentumState:
        self._check_shapes(params)
        return MomentumState(_zeros_like(params))

    @check.policy
    def update(self, grad: ArrayLike, state: MomentumState) -> tuple[np.ndarray, MomentumState]:
        g = check.gradient(grad, state.velocity.shape, state.velocity.dtype)  # checked, in the state's dtype
        lr, beta = self._values(g.dtype)
        velocity = beta * state.velocity + g
        step = g + beta * velocity if self.nesterov else velocity
        return check.like_grad(lr * step, grad), MomentumState(velocity)


# ----------------------------------------------------------------------- AdaGrad


class AdaGradState(NamedTuple):
    sum_sq: np.ndarray  # running sum of squared gradients


class AdaGrad(_Optimizer):
    r"""AdaGrad (Duchi et al., 2011): a step per parameter that only shrinks.

    .. math::
        s_t = s_{t-1} + g_t^2, \qquad
        u_t = \frac{\text{lr}\, g_t}{\sqrt{s_t} + \epsilon}

    torch: ``torch.optim.Adagrad(params, lr, eps=eps)`` (accumulator starts
    at 0, eps outside the root). optax starts the accumulator at 0.1 and
    puts eps inside the root.
    """

    _hyperparameters = ("lr", "eps")
    _repr_fields = ("lr", "eps")

    def __init__(self, lr: ArrayLike, eps: ArrayLike = 1e-10):
        self.lr = check.positive("lr", lr)
        self.eps = check.non_negative("eps", eps)

    def init(self, params: ArrayLike) -> AdaGradState:
        self._check_shapes(params)
        return AdaGradState(_zeros_like(params))

    @check.policy
    def update(self, grad: ArrayLike, state: AdaGradState) -> tuple[np.ndarray, AdaGradState]:
        g = check.gradient(grad, state.sum_sq.shape, state.sum_sq.dtype)  # checked, in the state's dtype
        lr, eps = self._values(g.dtype)
        sum_sq = state.sum_sq + g * g
        check.squares_fit(g, sum_sq, state.sum_sq, eps)  # no overflow; no underflow that eps cannot hide
        updates = check.ratio(lr * g, np.sqrt(sum_sq) + eps, eps)  # 0/0 is 0 (eps = 0)
        return check.like_grad(updates, grad), AdaGradState(sum_sq)


# ----------------------------------------------------------------------- RMSProp


class RMSPropState(NamedTuple):
    mean_sq: np.ndarray  # s: leaky average of g^2
    mean_grad: np.ndarray  # gbar: leaky average of g (used when centered)
    momentum: np.ndarray  # b: momentum buffer (used when momentum > 0)
    step: int = 0  # t, the number of updates taken so far (used for bias correction)


class RMSProp(_Optimizer):
    r"""RMSProp (Tieleman & Hinton, 2012), with the seed post's defaults.

    .. math::
        s_t = \rho\, s_{t-1} + (1 - \rho)\, g_t^2, \qquad
        u_t = \frac{\text{lr}\, g_t}{\sqrt{s_t} + \epsilon}

    Options:

    - ``centered=True`` (Graves, 2013) divides by an estimate of the
      gradient's standard deviation instead of its root mean square:
      :math:`\bar g_t = \rho \bar g_{t-1} + (1-\rho) g_t`, denominator
      :math:`\sqrt{s_t - \bar g_t^2} + \epsilon` (clamped at 0 under the root,
      where rounding could make it negative).
    - ``momentum=mu > 0``: :math:`b_t = \mu b_{t-1} + g_t / d_t`,
      :math:`u_t = \text{lr}\, b_t` (torch's placement of lr).
    - ``eps_in_sqrt=True``: denominator :math:`\sqrt{s_t + \epsilon}` - the
      Keras, TensorFlow 1, d2l and optax-default form.
    - ``bias_correction=True`` (optax's option; Adam does the same): divide
      the averages by :math:`1 - \rho^t` before use,
      :math:`\hat s_t = s_t / (1 - \rho^t)` (and
      :math:`\hat{\bar g}_t = \bar g_t / (1 - \rho^t)` when centered), so
      the first step is :math:`\text{lr}\,\operatorname{sign}(g_1)` instead of
      :math:`\text{lr}\,\operatorname{sign}(g_1)/\sqrt{1-\rho}`; eps is
      added after the correction. Centered and bias-corrected, the first
      step divides by eps alone (:math:`\hat s_1 - \hat{\bar g}_1^2 = 0`;
      with ``eps = 0`` that infinite step raises, see rule 6 above).

    torch: ``torch.optim.RMSprop(params, lr, alpha=rho, eps=eps,
    centered=..., momentum=...)``. torch calls rho ``alpha`` and its defaults
    differ: ``alpha=0.99, eps=1e-8``; the seed uses ``rho=0.9, eps=1e-6``.
    """

    _hyperparameters = ("lr", "rho", "eps", "momentum")
    _repr_fields = ("lr", "rho", "eps", "centered", "momentum", "eps_in_sqrt")

    def __init__(
        self,
        lr: ArrayLike,
        rho: ArrayLike = 0.9,
        eps: ArrayLike = 1e-6,
        centered: bool = False,
        momentum: ArrayLike = 0.0,
        eps_in_sqrt: bool = False,
        bias_correction: bool = False,
    ):
        self.lr = check.positive("lr", lr)
        self.rho = check.unit_interval("rho", rho)
        self.eps = check.non_negative("eps", eps)
        self.momentum = check.unit_interval("momentum", momentum)
        self.centered = check.flag("centered", centered)
        self.eps_in_sqrt = check.flag("eps_in_sqrt", eps_in_sqrt)
        self.bias_correction = check.flag("bias_correction", bias_correction)

    def __repr__(self) -> str:
        text = super().__repr__()  # bias_correction is shown only when on
        return f"{text[:-1]}, bias_correction=True)" if self.bias_correction else text

    def init(self, params: ArrayLike) -> RMSPropState:
        self._check_shapes(params)  # three arrays, not one shared: update_inplace writes into them
        return RMSPropState(_zeros_like(params), _zeros_like(params), _zeros_like(params))

    @check.policy
    def update(self, grad: ArrayLike, state: RMSPropState) -> tuple[np.ndarray, RMSPropState]:
        g = check.gradient(grad, state.mean_sq.shape, state.mean_sq.dtype)  # checked, in the state's dtype
        lr, rho, eps, momentum = self._values(g.dtype)
        t = state.step + 1

        mean_sq = rho * state.mean_sq + (1 - rho) * (g * g)
        check.squares_fit(g, mean_sq, state.mean_sq, eps, self.eps_in_sqrt)  # no overflow; no underflow eps cannot hide
        mean_grad = state.mean_grad
        if self.centered:
            mean_grad = rho * state.mean_grad + (1 - rho) * g
        mean_sq_hat, mean_grad_hat = mean_sq, mean_grad
        if self.bias_correction:
            correction = 1 - rho**t
            mean_sq_hat, mean_grad_hat = mean_sq / correction, mean_grad / correction
        variance = mean_sq_hat
        if self.centered:
            variance = np.maximum(mean_sq_hat - mean_grad_hat * mean_grad_hat, 0.0)
        denominator = np.sqrt(variance + eps) if self.eps_in_sqrt else np.sqrt(variance) + eps

        if _positive(momentum, where=np.any):
            buffer = momentum * state.momentum + check.ratio(g, denominator, eps)  # 0/0 is 0 (eps = 0)
            return check.like_grad(lr * buffer, grad), RMSPropState(mean_sq, mean_grad, buffer, t)
        updates = check.ratio(lr * g, denominator, eps)  # 0/0 is 0 (eps = 0)
        return check.like_grad(updates, grad), RMSPropState(mean_sq, mean_grad, state.momentum, t)

    @check.policy
    def update_inplace(self, params: np.ndarray, grad: ArrayLike, state: RMSPropState, chunk: int | None = None) -> RMSPropState:
        """``params -= updates`` in place, and the new state in the old state's arrays.

        The same numbers as :meth:`update`, for large parameter vectors, where
        the time goes to moving memory: it works through slices of ``chunk``
        values (by default 64 KB of them), so the temporaries stay in the CPU
        cache and nothing of full size is allocated. The plain rule (no
        option, ``eps > 0``) is written out with ``out=`` and allocates
        nothing at all; with options, :meth:`update` runs on each slice.
        Gradients the numerics policy must look at value by value (NaN or
        inf, squares beyond the state's range, an eps below the underflow
        floor) go through :meth:`update` whole, so an error leaves ``params``
        and the state untouched.

        ``params`` must be a floating-point array (float16 params have float32
        state) and, like the state's arrays (from :meth:`init`), contiguous;
        they are overwritten. Hyperparameters must be scalars. Returns the
        new state, which holds the same arrays.
        """
        if any(np.ndim(getattr(self, name)) for name in self._hyperparameters):
            raise ValueError("update_inplace takes scalar hyperparameters; use update for one value per run")
        if not (isinstance(params, np.ndarray) and params.dtype.kind == "f"):
            kind = f"an array of {params.dtype}" if isinstance(params, np.ndarray) else type(params).__name__
            raise TypeError(f"update_inplace writes the steps into params, so params must be a floating-point NumPy array, "
                            f"got {kind}; convert it first, e.g. params = np.asarray(params, dtype=np.float32)")
        check.same_shape("params", params, state.mean_sq.shape)
        dtype = state.mean_sq.dtype
        if check.state_dtype(params.dtype) != dtype:
            raise ValueError(f"params have dtype {params.dtype}, but the state is {dtype} (made for other parameters): "
                             "make the state with init(params)")
        buffers = [params, *state[:3]]
        if not all(isinstance(a, np.ndarray) and a.flags.c_contiguous and a.flags.writeable for a in buffers):
            raise ValueError("update_inplace needs params and state arrays that are writeable and C-contiguous")
        if not all(a.dtype == dtype for a in state[:3]):
            raise ValueError("update_inplace needs the state's arrays as init(params) made them (one dtype)")
        grad = check.gradient(grad, state.mean_sq.shape, dtype).reshape(-1)
        params, mean_sq, mean_grad, momentum = (a.reshape(-1) for a in buffers)

        # One quick pass over grad (a BLAS dot product) tells whether it is finite and its squares fit: NaN, inf
        # or a square too large make the sum inf or NaN (a sum too large only sends it down the careful path).
        squares = np.dot(grad, grad) if grad.size else 0.0
        if not (squares <= np.finfo(dtype).max and self.eps >= check.underflow_floor(dtype, self.eps_in_sqrt)):
            updates, new = self.update(grad, RMSPropState(mean_sq, mean_grad, momentum, state.step))  # the policy, whole
            for buffer, value in zip((mean_sq, mean_grad, momentum), new[:3]):
                if value is not buffer:
                    buffer[...] = value
            params -= updates.astype(params.dtype, copy=False)
            return RMSPropState(*state[:3], state.step + 1)

        chunk = chunk or (1 << 16) // dtype.itemsize
        plain = not (self.centered or self.eps_in_sqrt or self.bias_correction) and self.momentum == 0 and self.eps > 0
        scratch = np.empty((2, min(chunk, grad.size)), dtype)
        for start in range(0, grad.size, chunk):
            part = slice(start, start + chunk)
            g, s, p = grad[part], mean_sq[part], params[part]
            if plain:
                g_sq, updates = scratch[0, : g.size], scratch[1, : g.size]
                np.multiply(g, g, out=g_sq)
                g_sq *= 1 - self.rho
                s *= self.rho
                s += g_sq  # s = rho s + (1 - rho) g^2
                np.sqrt(s, out=g_sq)
                g_sq += self.eps  # the denominator sqrt(s) + eps
                np.multiply(self.lr, g, out=updates)
                updates /= g_sq  # lr * g / (sqrt(s) + eps)
                if not g_sq.max() < np.inf:  # a state made infinite by an earlier infinite gradient: NaN, not 0
                    updates[np.isinf(g_sq)] = np.nan
            else:
                old = RMSPropState(s, mean_grad[part], momentum[part], state.step)
                updates, new = self.update(g, old)
                for buffer, value in zip(old[:3], new[:3]):
                    if value is not buffer:  # update returns unchanged arrays as they are
                        buffer[...] = value
            p -= updates if p.dtype == dtype else updates.astype(p.dtype)
        return RMSPropState(*state[:3], state.step + 1)


# -------------------------------------------------------------------------- Adam


class AdamState(NamedTuple):
    step: int  # t, the number of updates taken so far
    mean: np.ndarray  # m: leaky average of g
    mean_sq: np.ndarray  # v: leaky average of g^2


class Adam(_Optimizer):
    r"""Adam (Kingma & Ba, 2015): RMSProp + momentum + bias correction.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,

        u_t = \frac{\text{lr}}{1-\beta_1^t}\,
              \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    torch: ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps)``,
    the same form and defaults. Keras does not bias-correct eps, so it
    differs by about 1e-9 at equal eps.
    """

    _hyperparameters = ("lr", "beta1", "beta2", "eps")
    _repr_fields = ("lr", "beta1", "beta2", "eps")

    def __init__(self, lr: ArrayLike, beta1: ArrayLike = 0.9, beta2: ArrayLike = 0.999, eps: ArrayLike = 1e-8):
        self.lr = check.positive("lr", lr)
        self.beta1 = check.unit_interval("beta1", beta1)
        self.beta2 = check.unit_interval("beta2", beta2)
        self.eps = check.non_negative("eps", eps)

    def init(self, params: ArrayLike) -> AdamState:
        self._check_shapes(params)
        zeros = _zeros_like(params)
        return AdamState(0, zeros, zeros)

    @check.policy
    def update(self, grad: ArrayLike, state: AdamState) -> tuple[np.ndarray, AdamState]:
        g = check.gradient(grad, state.mean.shape, state.mean.dtype)  # checked, in the state's dtype
        lr, b1, b2, eps = self._values(g.dtype)
        t = state.step + 1
        mean = b1 * state.mean + (1 - b1) * g
        mean_sq = b2 * state.mean_sq + (1 - b2) * (g * g)
        check.squares_fit(g, mean_sq, state.mean_sq, eps, numerator=mean)  # no overflow; no underflow eps cannot hide
        denominator = np.sqrt(mean_sq) / (1 - b2**t) ** 0.5 + eps
        updates = check.ratio(lr / (1 - b1**t) * mean, denominator, eps)  # 0/0 is 0 (eps = 0)
        return check.like_grad(updates, grad), AdamState(t, mean, mean_sq)
