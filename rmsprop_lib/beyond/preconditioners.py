r"""Beyond one number per parameter: a factored and a full-matrix second moment.

RMSProp keeps one running average of :math:`g^2` per parameter: a diagonal
preconditioner. Two directions away from it:

- :class:`Adafactor` (Shazeer & Stern, 2018) keeps *less*: for an
  :math:`n \times m` weight matrix, a running average per row and per column
  (:math:`n + m` numbers instead of :math:`n m`), and rebuilds the matrix of
  averages as their rank-1 product.
- :class:`FullMatrixRMSProp` keeps *more*: the full :math:`d \times d`
  average of :math:`g g^\top`, so it can undo correlations between
  coordinates, e.g. a ravine at 45° to the axes, which no diagonal scaling
  can (full-matrix AdaGrad, Duchi, Hazan & Singer, 2011, with RMSProp's
  leaky average; for a vector parameter Shampoo, Gupta, Koren & Singer,
  2018, is full-matrix AdaGrad).

Same interface as :mod:`rmsprop_lib.core.optimizers`.

Numerics as in :mod:`rmsprop_lib.core.optimizers` (its policy's rules 1-4):
state in the parameters' dtype but at least float32, hyperparameters never
change it, a NaN or inf gradient gives NaN steps there from then on, and a
finite gradient whose square overflows raises ``FloatingPointError``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import gradient, in_dtype, parameters
from rmsprop_lib.core.optimizers import _Optimizer, _zeros_like

__all__ = ["Adafactor", "FullMatrixRMSProp"]


# --------------------------------------------------------------------- Adafactor


class AdafactorState(NamedTuple):
    step: int  # t, the number of updates taken so far
    row: np.ndarray | None  # R: per row, leaky average of the row means of g^2, shape (..., n); factored only
    col: np.ndarray | None  # C: per column, of the column means, shape (..., m); factored only
    full: np.ndarray | None  # V: leaky average of g^2, the parameters' shape; unfactored only


def _rms(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Root mean square over ``axes``, kept as size-1 axes so it broadcasts back."""
    return np.sqrt(np.mean(x * x, axis=axes, keepdims=True))


def _at_most_zero(name: str, value: ArrayLike):
    """Check ``value <= 0`` (finite) everywhere; return a Python float or a float array (as validation's checks)."""
    array = check.real_array(name, value)  # TypeError for what is not a real number
    if not (np.all(np.isfinite(array)) and np.all(array <= 0)):
        raise ValueError(f"{name} must be finite and <= 0, got {value!r}")
    return float(array) if array.ndim == 0 else array.astype(float)


class Adafactor(_Optimizer):
    r"""Adafactor (Shazeer & Stern, 2018) as ``torch.optim.Adafactor`` implements it.

    For each run's parameters :math:`\theta` (an :math:`n \times m` matrix,
    or a vector) and :math:`t = 1, 2, \dots`:

    .. math::
        \hat\beta_{2,t} = 1 - t^{c}, \qquad
        \rho_t = \min(\text{lr}, 1/\sqrt t), \qquad
        \alpha_t = \max(\epsilon_2, \operatorname{RMS}(\theta_{t-1}))\, \rho_t,

        \text{matrix:}\quad
        R_t = \hat\beta_{2,t} R_{t-1} + (1 - \hat\beta_{2,t})\,
              \operatorname{mean}_{\text{cols}}(g_t^2) \ (n), \quad
        C_t = \hat\beta_{2,t} C_{t-1} + (1 - \hat\beta_{2,t})\,
              \operatorname{mean}_{\text{rows}}(g_t^2) \ (m), \quad
        \hat V_t = \frac{R_t C_t^\top}{\max(\operatorname{mean}(R_t), \epsilon_1)},

        \text{vector:}\quad
        \hat V_t = \hat\beta_{2,t} \hat V_{t-1} + (1 - \hat\beta_{2,t})\, g_t^2,

        U_t = \frac{g_t}{\max(\sqrt{\hat V_t}, \epsilon_1)}, \qquad
        u_t = \frac{\alpha_t\, U_t}{\max(1, \operatorname{RMS}(U_t)/d)}
              + \text{lr}\,\lambda\,\theta_{t-1} .

    The decay :math:`\hat\beta_{2,t}` grows towards 1 (:math:`c < 0`), so
    early averages forget fast and need no bias correction; the step is
    relative to the parameters' size (:math:`\alpha_t`) and clipped when
    the normalised update is unusually large (:math:`d`). This is the
    paper's Algorithm 4 without momentum (:math:`\beta_1 = 0`), with the
    relative step size and update clipping, as torch has it.

    Shapes: ``params`` of shape ``(*batch, ...)``: the first ``batch_ndim``
    axes index independent runs (``minimize``'s batches: ``batch_ndim=1``
    with points of shape ``(B, 2)``), the rest is one run's tensor. A run's
    tensor with two or more axes is factored over its last two (state ``row``
    of shape ``params.shape[:-1]``, ``col`` of ``params.shape[:-2] +
    params.shape[-1:]``); a vector keeps ``full`` of its shape. The RMS are
    taken over each run's tensor.

    Args:
        lr: > 0, the cap of :math:`\rho_t`; default 1e-2 (torch's).
        beta2_decay: :math:`c \le 0`, default -0.8 (the paper's).
        eps1: > 0, the floor of :math:`\sqrt{\hat V}`; None (default) is
            the dtype's machine epsilon (torch's default).
        eps2: >= 0, the floor of the parameter scale, default 1e-3.
        d: >= 1, the clipping threshold, default 1.
        weight_decay: :math:`\lambda \ge 0`, decoupled (scaled by lr, not
            :math:`\rho_t`, as in torch), default 0.
        batch_ndim: the number of leading run axes, an integer >= 0,
            default 0 (``params`` is one tensor, as in torch). The
            library's loops (``minimize``, ``train``, ``online.run``, ...)
            refuse a ``batch_ndim`` below their number of run axes when
            there is more than one run: the runs would share one state.

    ``update(grad, state, params)``: Adafactor always needs the current
    parameters :math:`\theta_{t-1}` (for :math:`\alpha_t`);
    ``uses_params = True`` tells :func:`~rmsprop_lib.core.runner.minimize` to pass
    them.

    Raises:
        ValueError: a hyperparameter out of range (named), or (in ``init``)
            with different values within one run's tensor, e.g. per-run
            values of shape ``(B, 1)`` with ``batch_ndim=0``, which would
            silently couple the runs; ``params`` without an axis beyond
            ``batch_ndim``, a gradient or params of another shape, ``params``
            missing.

    torch: ``torch.optim.Adafactor(params, lr, beta2_decay, eps=(eps1,
    eps2), d=d, weight_decay=weight_decay)`` with ``batch_ndim=0``
    (torch also treats axes before the last two as independent for R and C,
    but takes the RMS over the whole tensor). The paper's own defaults
    differ: :math:`\epsilon_1 = 10^{-30}` on :math:`g^2`, first moment
    optional.
    """

    uses_params = True
    _hyperparameters = ("lr", "beta2_decay", "eps2", "d", "weight_decay")
    _repr_fields = ("lr", "beta2_decay", "eps1", "eps2", "d", "weight_decay", "batch_ndim")

    def __init__(self, lr: ArrayLike = 1e-2, beta2_decay: ArrayLike = -0.8, eps1: ArrayLike | None = None,
                 eps2: ArrayLike = 1e-3, d: ArrayLike = 1.0, weight_decay: ArrayLike = 0.0, batch_ndim: int = 0):
        self.lr = check.positive("lr", lr)
        self.beta2_decay = _at_most_zero("beta2_decay", beta2_decay)
        self.eps1 = None if eps1 is None else check.positive("eps1", eps1)
        self.eps2 = check.non_negative("eps2", eps2)
        self.d = check.positive("d", d)
        if not np.all(np.asarray(d) >= 1):
            raise ValueError(f"d must be >= 1 (a clipping threshold below 1 would clip every step; torch refuses it too), got {d!r}")
        self.weight_decay = check.non_negative("weight_decay", weight_decay)
        self.batch_ndim = check.step_count("batch_ndim", batch_ndim)  # an integer >= 0

    def init(self, params: ArrayLike) -> AdafactorState:
        self._check_shapes(params)
        if self.eps1 is not None:
            check.broadcasts_to("eps1", self.eps1, np.shape(params))
        shape = np.shape(params)
        if len(shape) <= self.batch_ndim:
            raise ValueError(f"params has shape {shape}: with batch_ndim={self.batch_ndim} a run has no axes left; "
                             f"pass params with more than {self.batch_ndim} axes or a smaller batch_ndim")
        self._check_one_value_per_run(shape)
        zeros = _zeros_like(params)
        if len(shape) - self.batch_ndim >= 2:
            return AdafactorState(0, zeros[..., 0], zeros[..., 0, :], None)
        return AdafactorState(0, None, None, zeros)

    def _check_one_value_per_run(self, shape: tuple[int, ...]) -> None:
        """Refuse hyperparameters that differ within one run's tensor: its averages and RMS mix all its entries."""
        run_axes = tuple(range(self.batch_ndim, len(shape)))
        for name in ("lr", "beta2_decay", "eps1", "eps2", "d", "weight_decay"):
            value = getattr(self, name)
            if value is None or np.ndim(value) == 0:
                continue
            if np.any(np.ptp(np.broadcast_to(value, shape), axis=run_axes) != 0):
                runs = f"the first {self.batch_ndim} axes index the runs" if self.batch_ndim else "there is one run"
                raise ValueError(
                    f"{name} has shape {np.shape(value)} and differs within one run: with batch_ndim={self.batch_ndim} "
                    f"{runs}, and each run's tensor (shape {shape[self.batch_ndim:]}) shares one set of row and column "
                    f"averages and one RMS, so different values there would silently couple the runs. For one run per "
                    f"row, as minimize's points of shape (B, 2) with {name} of shape (B, 1), pass "
                    f"batch_ndim={len(shape) - 1}"
                )

    @check.policy
    def update(self, grad: ArrayLike, state: AdafactorState, params: ArrayLike | None = None) -> tuple[np.ndarray, AdafactorState]:
        like = state.full if state.full is not None else np.empty(state.row.shape + state.col.shape[-1:], state.row.dtype)
        g = gradient(grad, like)
        theta = parameters(params, like, "Adafactor's step is relative to the parameters' size")
        lr, c, eps2, d, wd = (in_dtype(getattr(self, name), g.dtype) for name in self._hyperparameters)
        eps1 = np.finfo(g.dtype).eps if self.eps1 is None else in_dtype(self.eps1, g.dtype)
        run_axes = tuple(range(self.batch_ndim, g.ndim))
        t = state.step + 1

        forget = t**c  # 1 - beta2_t
        alpha = np.maximum(eps2, _rms(theta, run_axes)) * np.minimum(lr, np.asarray(1 / t**0.5, g.dtype))  # torch's 1/sqrt(t); keeps float32
        g2 = g * g
        check.squares_fit(g, g2, np.zeros_like(g2), eps1)  # a finite gradient whose square overflows: FloatingPointError
        if state.full is None:
            row = (1 - forget) * state.row + forget * g2.mean(axis=-1)
            col = (1 - forget) * state.col + forget * g2.mean(axis=-2)
            v_hat = row[..., :, None] * col[..., None, :] / np.maximum(row.mean(axis=-1), eps1)[..., None, None]
            full = None
        else:
            row = col = None
            v_hat = full = (1 - forget) * state.full + forget * g2
        u = check.ratio(g, np.maximum(np.sqrt(v_hat), eps1), eps1)  # x/inf is NaN: after an inf gradient, not 0
        updates = alpha / np.maximum(1, _rms(u, run_axes) / d) * u
        if np.any(np.asarray(wd) != 0):
            updates = updates + lr * wd * theta
        return check.like_grad(updates, grad), AdafactorState(t, row, col, full)


# ------------------------------------------------------------- FullMatrixRMSProp


class FullMatrixState(NamedTuple):
    second_moment: np.ndarray  # S: leaky average of g g^T, shape (..., d, d)


class FullMatrixRMSProp(_Optimizer):
    r"""RMSProp with the full second-moment matrix: a non-diagonal preconditioner.

    .. math::
        S_t = \rho\, S_{t-1} + (1 - \rho)\, g_t g_t^\top, \qquad
        u_t = \text{lr}\,\big(S_t^{1/2} + \epsilon I\big)^{-1} g_t,

    with :math:`S_t^{1/2} = Q \operatorname{diag}(\sqrt{\lambda_i}) Q^\top`
    from the eigendecomposition :math:`S_t = Q \operatorname{diag}(\lambda_i)
    Q^\top` (``np.linalg.eigh``). RMSProp is the same rule with :math:`S_t`
    replaced by its diagonal. Because :math:`S_t` turns with the problem, rotating the
    problem by :math:`Q` rotates the whole path by :math:`Q`
    (rotation-equivariance); a diagonal method only commutes with axis
    flips and permutations. The first step is
    :math:`\text{lr}\, g_1 / (\sqrt{1-\rho}\,\|g_1\| + \epsilon)`: length
    about :math:`\text{lr}/\sqrt{1-\rho}` along :math:`g_1`.

    Eigenvalues at rounding level count as 0. ``eigh`` finds an eigenvalue
    that is exactly 0 (as on every first step, where :math:`S_1 = (1-\rho)
    g_1 g_1^\top` has rank 1) only up to a few :math:`\varepsilon
    \lambda_{\max}` (:math:`\varepsilon` the state's machine epsilon), and
    the component of :math:`g` along its eigenvector, exactly 0 because
    :math:`g_t` always lies in the range of :math:`S_t \succeq (1-\rho) g_t
    g_t^\top`, only up to rounding, :math:`\varepsilon \|g\|`; divided by
    :math:`\sqrt{\lambda} + \epsilon` that rounding was a wrong step,
    thousands of times too long with a small eps or a large gradient. So
    eigenvalues :math:`\lambda_i \le 4 d\, \varepsilon\, \lambda_{\max}`
    along which :math:`g`'s component :math:`c_i = q_i^\top g` is rounding
    too (:math:`|c_i| \le 16 d\, \varepsilon \|g\|`) are taken as 0 (a
    larger :math:`c_i` is real, and :math:`\lambda_i \ge (1-\rho) c_i^2`
    is used as a floor of its eigenvalue); as :math:`g` has no component
    along them, the value
    of :math:`h(\lambda) = 1/(\sqrt\lambda + \epsilon)` there does not
    change the step; it is taken as :math:`h_{\max} = h(\lambda_{\max})`,
    which gives their rounding the weight of the rest of :math:`g`:

    .. math::
        u_t = \text{lr}\,\Big(h_{\max}\, g_t + \sum_{\lambda_i > \text{floor}}
              \big(h(\lambda_i) - h_{\max}\big)\, q_i q_i^\top g_t\Big)

    (the first step is then :math:`\text{lr}\, h_{\max}\, g_1` exactly,
    whatever the rounding of :math:`Q`; distributed Shampoo and NVIDIA's
    Emerging-Optimizers also floor eigenvalues relative to the largest).

    With ``eps = 0`` this is the pseudo-inverse step :math:`\text{lr}\,
    (S_t^{+})^{1/2} g_t`, finite because :math:`g_t` lies in the range of
    :math:`S_t`; as for RMSProp (policy rules 5 and 6), a zero gradient
    before any other takes a step of 0, and a gradient whose squares
    underflow the state raises ``FloatingPointError`` (the default 1e-6 hides
    them).

    Numerics (the policy of :mod:`rmsprop_lib.core.optimizers`): the first step
    agrees with its closed form to a few units in the last place of the
    state's dtype at every gradient scale whose square the state holds and
    every eps >= 0 (``tests/test_full_matrix_numerics.py``); every step is
    finite, points downhill (:math:`g^\top u \ge 0`) and is no longer than
    :math:`\text{lr}/\sqrt{1-\rho}` (exact: :math:`g^\top S^{+} g \le
    1/(1-\rho)`). Later steps are as exact as the state allows: the
    rounding of :math:`S`'s entries moves the step by about
    :math:`\varepsilon (\lambda_{\max}/\lambda_{\min})^{3/2}` times
    :math:`\text{lr}/\sqrt{1-\rho}`, and a direction whose true eigenvalue
    is below the floor but not 0 (gradients that were parallel to about
    :math:`\sqrt{\varepsilon}`, or coordinates whose gradients differ in
    size by more than about :math:`1/\varepsilon`) and along which the
    current gradient's component is at rounding level cannot be told from 0
    in the state's dtype.

    Sources: full-matrix AdaGrad (Duchi, Hazan & Singer, 2011, sums
    :math:`g g^\top` instead of averaging); Shampoo (Gupta, Koren & Singer,
    2018) applied to a vector parameter is full-matrix AdaGrad. Cost: d²
    numbers of state and an eigendecomposition per step, which is why large
    models use factored forms (Shampoo, SOAP) instead.

    Shapes: ``params`` of shape ``(..., d)`` (``d = 2`` for the 2-D
    problems), batched over the leading axes; the state has shape
    ``(..., d, d)``. Hyperparameters broadcast against ``params``; ``rho``
    must be one value per run (e.g. shape ``(B, 1)``, not per coordinate).

    Args:
        lr: > 0. rho: in [0, 1), default 0.9 (the seed's RMSProp default).
        eps: >= 0, default 1e-6 (0: the pseudo-inverse, above); like
            ``rho``, one value per run (it is added to the eigenvalues'
            roots, which belong to no coordinate).

    Raises:
        ValueError: a hyperparameter out of range (named), ``rho`` or
            ``eps`` per coordinate, params with no axis, a gradient of
            another shape.
        FloatingPointError: a finite gradient whose square overflows the
            state (policy rule 4), or underflows it with an eps below
            ``sqrt(tiny)/machine epsilon`` (rule 5: about 7e-139 in float64);
            with ``eps = 0``, a step that would be infinite (a real component
            of the gradient along an eigenvalue that underflowed to 0).

    torch: none in ``torch.optim``.
    """

    _hyperparameters = ("lr", "rho", "eps")
    _repr_fields = _hyperparameters

    def __init__(self, lr: ArrayLike, rho: ArrayLike = 0.9, eps: ArrayLike = 1e-6):
        self.lr = check.positive("lr", lr)
        self.rho = check.unit_interval("rho", rho)
        self.eps = check.non_negative("eps", eps)

    def init(self, params: ArrayLike) -> FullMatrixState:
        self._check_shapes(params)
        shape = np.shape(params)
        if len(shape) == 0:
            raise ValueError("params must have a last axis of coordinates, shape (..., d); got a scalar")
        for name in ("rho", "eps"):
            if np.ndim(getattr(self, name)) and np.shape(getattr(self, name))[-1] != 1 and shape[-1] != 1:
                raise ValueError(f"{name} has shape {np.shape(getattr(self, name))}: use one value per run, last axis of "
                                 f"size 1 (e.g. shape {(shape[0], 1) if len(shape) > 1 else ()})")
        zeros = _zeros_like(params)
        return FullMatrixState(zeros[..., None] * zeros[..., None, :])

    @check.policy
    def update(self, grad: ArrayLike, state: FullMatrixState) -> tuple[np.ndarray, FullMatrixState]:
        g = gradient(grad, state.second_moment[..., 0])
        lr, rho, eps = (in_dtype(getattr(self, name), g.dtype) for name in self._hyperparameters)
        rho_ = rho if np.ndim(rho) == 0 else rho[..., None]  # one value per run, against (..., d, d)
        second_moment = rho_ * state.second_moment + (1 - rho_) * (g[..., :, None] * g[..., None, :])
        diagonal = np.diagonal(second_moment, axis1=-2, axis2=-1)
        check.squares_fit(g, diagonal, np.diagonal(state.second_moment, axis1=-2, axis2=-1), eps)  # overflow: an error
        broken = ~np.isfinite(second_moment).all(axis=(-2, -1))  # runs that met a NaN or inf gradient
        eigenvalues, q = np.linalg.eigh(np.where(broken[..., None, None], 0, second_moment))
        # Eigenvalues at rounding level are 0, and g has no component along them: h there is h_max (see above).
        largest = eigenvalues[..., -1:]  # eigh sorts ascending
        rounding = 4 * g.shape[-1] * np.finfo(g.dtype).eps
        coordinates = np.einsum("...ji,...j->...i", q, g)  # Q^T g
        # A direction is rounding of 0 when its eigenvalue is at rounding level and g's component there too;
        # a real component c bounds its eigenvalue from below, lambda >= (1 - rho) c^2 (S >= (1 - rho) g g^T).
        real = np.abs(coordinates) > 4 * rounding * np.sqrt(np.sum(g * g, axis=-1, keepdims=True))
        eigenvalues = np.maximum(eigenvalues, np.where(real, (1 - rho) * coordinates * coordinates, 0))
        kept = (eigenvalues > rounding * largest) | real
        root_max = np.sqrt(np.maximum(largest, 0)) + eps  # (..., 1); 0 only for S = 0 with eps = 0, so g = 0 (rule 5)
        h_max = np.divide(1, root_max, out=np.zeros_like(root_max), where=root_max > 0)  # then a step of 0 (rule 6)
        with np.errstate(divide="ignore"):  # eps = 0 and an eigenvalue that underflowed to 0: refused below
            h = np.where(kept, 1 / (np.sqrt(np.where(kept, eigenvalues, 0)) + eps), h_max)
        if not np.all(np.isfinite(h) | broken[..., None]):
            raise FloatingPointError(
                "the step would be infinite: with eps = 0 the gradient has a component along an eigenvalue of the "
                "second-moment matrix S that underflowed to 0 (gradients that differ in size by more than the dtype "
                "resolves). Use eps > 0, e.g. the default 1e-6, or scale the loss up."
            )
        coordinates = coordinates * (h - h_max)  # weighed by h - h_max: 0 at the largest and at rounding level
        updates = lr * (h_max * g + np.einsum("...ij,...j->...i", q, coordinates))
        updates = np.where(broken[..., None], np.nan, updates)
        return check.like_grad(updates, grad), FullMatrixState(second_moment)
