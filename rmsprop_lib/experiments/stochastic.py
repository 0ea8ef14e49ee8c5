r"""Stochastic gradients: fitting a line to seeded synthetic data with mini-batches.

The data are ``n`` pairs :math:`(t_i, y_i)` and the model is a line
:math:`\hat y = w\,t + b`. With the feature vector :math:`x_i = (t_i, 1)` and
the parameters :math:`\theta = (w, b)` the least-squares loss is

.. math::
    L(\theta) = \frac{1}{n} \sum_{i=1}^{n} \ell_i(\theta), \qquad
    \ell_i(\theta) = \tfrac12 (x_i^\top \theta - y_i)^2, \qquad
    \nabla \ell_i(\theta) = (x_i^\top \theta - y_i)\, x_i .

``L`` is a quadratic in two parameters, so it is an ordinary 2-D
:class:`~rmsprop_lib.core.problems.Problem` (contours, ``minimize``, the
explorers). A *mini-batch* gradient averages :math:`\nabla \ell_i` over a
random subset :math:`B` of ``m`` examples:

.. math::
    g_B(\theta) = \frac{1}{m} \sum_{i \in B} \nabla \ell_i(\theta),
    \qquad \mathbb{E}[g_B] = \nabla L .

:func:`minimize_stochastic` runs any optimizer of the library with such
gradients and returns the usual :class:`~rmsprop_lib.core.runner.Trajectory`
(positions and the *full* loss ``L`` at every step). Randomness comes only
from the ``seed`` argument: the same call gives the same run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import call_update, init_runs, uses_params
from rmsprop_lib.core.problems import Problem
from rmsprop_lib.core.runner import Trajectory, minimize
from rmsprop_lib.beyond.schedules import ScheduleState, WarmupThenDecay

__all__ = [
    "LeastSquares",
    "line_fit",
    "example_grads",
    "minibatch_grad",
    "sample_batches",
    "InverseTimeDecay",
    "minimize_stochastic",
    "minimize_shared_batches",
    "gradient_noise",
    "snr_step",
    "updates_at",
    "noise_floor",
    "gauss_newton_diagonal",
    "fisher_diagonal",
    "second_moment",
    "Recording",
]


@dataclass(frozen=True, eq=False)
class LeastSquares:
    r"""A least-squares line fit: the data and its full-batch loss.

    Attributes:
        features: shape ``(n, 2)``, rows :math:`x_i = (t_i, 1)`.
        targets: shape ``(n,)``, the :math:`y_i`.
        problem: the full-batch loss :math:`L(w, b)` as a 2-D ``Problem``;
            its ``minima`` hold the least-squares solution :math:`\theta^\star`.
    """

    features: np.ndarray
    targets: np.ndarray
    problem: Problem

    @property
    def n(self) -> int:
        """The number of examples."""
        return len(self.targets)

    @property
    def inputs(self) -> np.ndarray:
        """The :math:`t_i`, shape ``(n,)``."""
        return self.features[:, 0]

    @property
    def hessian(self) -> np.ndarray:
        r""":math:`H = \frac1n \sum_i x_i x_i^\top`, the (constant) Hessian of ``L``."""
        return self.features.T @ self.features / self.n

    @property
    def solution(self) -> np.ndarray:
        r"""The minimizer :math:`\theta^\star = (w^\star, b^\star)`, solving :math:`H\theta = \frac1n\sum_i y_i x_i`."""
        return self.problem.minima[0]


def _example_grads(features: np.ndarray, targets: np.ndarray, params: np.ndarray, index: np.ndarray | None) -> np.ndarray:
    # r_i x_i with r_i = x_i . theta - y_i, broadcast over the leading axes of params (..., 2) and index (..., m)
    if index is not None:
        features, targets = features[index], targets[index]
    residuals = (features * params[..., None, :]).sum(axis=-1) - targets
    return residuals[..., None] * features


def example_grads(data: LeastSquares, params: ArrayLike, index: np.ndarray | None = None) -> np.ndarray:
    r"""Per-example gradients :math:`\nabla \ell_i(\theta) = (x_i^\top\theta - y_i)\, x_i`.

    Args:
        data: the fit.
        params: :math:`\theta = (w, b)`, shape ``(..., 2)``.
        index: example indices, shape ``(..., m)`` broadcasting against the
            runs in ``params``; ``None`` means all ``n`` examples in order.

    Returns:
        Shape ``(..., m, 2)`` (``m = n`` when ``index`` is None).
    """
    _check_data(data)
    if index is not None:
        index = check.real_array("index", index)
        if not np.issubdtype(index.dtype, np.integer) or index.ndim == 0 or np.any((index < 0) | (index >= data.n)):
            raise ValueError(f"index must be an integer array of shape (..., m) with values from 0 to n - 1 = {data.n - 1}")
    return _example_grads(data.features, data.targets, check.points("params", params), index)


def minibatch_grad(data: LeastSquares, params: ArrayLike, index: np.ndarray | None = None) -> np.ndarray:
    r"""The mini-batch gradient :math:`g_B(\theta) = \frac1m \sum_{i\in B} \nabla\ell_i(\theta)`.

    ``index`` (shape ``(..., m)``) selects the batch :math:`B` of each run;
    ``None`` gives the full-batch gradient :math:`\nabla L(\theta)`, which is
    what ``data.problem.grad`` computes. Returns shape ``(..., 2)``.
    """
    return example_grads(data, params, index).mean(axis=-2)


def line_fit(
    n: int = 200,
    slope: float = 2.0,
    intercept: float = 1.0,
    noise: float = 1.0,
    inputs: tuple[float, float] = (-1.0, 2.0),
    seed: int = 0,
) -> LeastSquares:
    r"""Seeded synthetic data :math:`y_i = \text{slope}\, t_i + \text{intercept} + \varepsilon_i` and its loss.

    :math:`t_i` is uniform on ``inputs`` and :math:`\varepsilon_i \sim
    \mathcal N(0, \text{noise}^2)`, both drawn from
    ``np.random.default_rng(seed)``. Because the data are noisy, the best
    line :math:`\theta^\star` is near, not at, ``(slope, intercept)``, and
    the least loss :math:`L^\star` is about :math:`\text{noise}^2/2`.

    The loss is evaluated in its exact quadratic form (no loop over the data,
    so contour grids stay cheap):

    .. math::
        L(\theta) = L^\star + \tfrac12 (\theta - \theta^\star)^\top H (\theta - \theta^\star).

    Args:
        n: the number of examples, an integer >= 2.
        slope, intercept: the true line.
        noise: the standard deviation of :math:`\varepsilon`, >= 0.
        inputs: ``(low, high)`` with ``low < high``, the range of :math:`t`.
        seed: the seed of the data.

    Returns:
        A :class:`LeastSquares` whose ``problem`` has a window of
        :math:`\theta^\star \pm 4` and starts at :math:`\theta^\star + (-3, 2.5)`.
    """
    n = check.integer("n", n, 2)
    slope, intercept = check.points("(slope, intercept)", (check.real_array("slope", slope), check.real_array("intercept", intercept)))
    seed = check.seed("seed", seed)
    noise = check.non_negative("noise", noise)
    low, high = check.points("inputs", inputs)
    if not low < high:
        raise ValueError(f"inputs must be (low, high) with low < high, got {inputs!r}")

    rng = np.random.default_rng(seed)
    t = rng.uniform(low, high, size=n)
    y = slope * t + intercept + noise * rng.standard_normal(n)
    features = np.stack([t, np.ones(n)], axis=-1)

    hessian = features.T @ features / n
    solution = np.linalg.solve(hessian, features.T @ y / n)
    least = 0.5 * float(np.mean((features @ solution - y) ** 2))

    def f(points):
        delta = np.asarray(points, dtype=float) - solution
        return least + 0.5 * np.einsum("...i,ij,...j->...", delta, hessian, delta)

    def grad(points):
        return _example_grads(features, y, np.asarray(points, dtype=float), None).mean(axis=-2)

    problem = Problem(
        name="line_fit",
        formula=r"L(w, b) = \mathrm{mean}_i\ (w\,t_i + b - y_i)^2 / 2",
        f=f,
        grad=grad,
        minima=solution[None, :],
        window=((solution[0] - 4.0, solution[0] + 4.0), (solution[1] - 4.0, solution[1] + 4.0)),
        start=(float(solution[0] - 3.0), float(solution[1] + 2.5)),
        axis_labels=("slope $w$", "intercept $b$"),
    )
    return LeastSquares(features=features, targets=y, problem=problem)


def _batch_size(value, n: int) -> int:
    return check.integer("batch_size", value, 1, n, what=f"an integer from 1 to n = {n} (the number of examples)")


def _check_data(data) -> None:
    if not isinstance(data, LeastSquares):
        raise TypeError(f"data must be a LeastSquares fit, e.g. line_fit(), got {type(data).__name__} {data!r:.60}")


def sample_batches(rng: np.random.Generator, n: int, batch_size: int, shape: tuple[int, ...] = ()) -> np.ndarray:
    """Indices of random mini-batches: ``batch_size`` distinct examples out of ``n`` per batch.

    Each batch is a uniformly random subset (sampling without replacement,
    the indices sorted); batches are independent of each other. With
    ``batch_size == n`` every batch is ``0, 1, ..., n - 1``: the full batch.

    Two exact ways to draw, whichever is cheaper:

    - small batches (``m * m <= n``): draw ``m`` indices with replacement and
      redraw the batches that repeat an example (at least 60 % succeed at
      once); given that they are distinct, every subset is equally likely;
    - otherwise: the indices of the ``m`` smallest of ``n`` uniform keys.

    Args:
        rng: the generator to draw from (it advances).
        n: the number of examples.
        batch_size: ``m``, from 1 to ``n``.
        shape: how many batches, e.g. ``(runs,)``.

    Returns:
        Integer array of shape ``(*shape, batch_size)``.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a NumPy Generator, e.g. np.random.default_rng(0), got {type(rng).__name__}")
    n = check.integer("n", n, 1)
    m = _batch_size(batch_size, n)
    if m == n:
        return np.broadcast_to(np.arange(n), (*shape, n))
    if m * m <= n:
        index = np.sort(rng.integers(0, n, size=(*shape, m)), axis=-1)
        repeats = np.any(index[..., 1:] == index[..., :-1], axis=-1)
        while np.any(repeats):
            index[repeats] = np.sort(rng.integers(0, n, size=(np.count_nonzero(repeats), m)), axis=-1)
            repeats = np.any(index[..., 1:] == index[..., :-1], axis=-1)
        return index
    keys = rng.random((*shape, n))
    return np.sort(np.argpartition(keys, m - 1, axis=-1)[..., :m], axis=-1)


DecayState = ScheduleState  # (step, inner): InverseTimeDecay's state, by its older name


class InverseTimeDecay(WarmupThenDecay):
    r"""Any optimizer with the learning rate decayed as :math:`\eta_k = \eta_0 / (1 + k/k_0)`.

    The wrapped optimizer's updates are multiplied by :math:`1/(1 + k/k_0)`,
    :math:`k = 0, 1, 2, \dots` counting the updates already taken, so the
    optimizers themselves stay unchanged. For every optimizer of the library
    the learning rate multiplies the whole update, so this is the same as
    changing ``lr`` at every step (as ``torch.optim.lr_scheduler`` does).
    After :math:`k_0` steps the rate has halved; it decays like :math:`1/k`,
    so :math:`\sum_k \eta_k = \infty` (it can still travel any distance)
    while :math:`\sum_k \eta_k^2 < \infty` (the noise it adds stays bounded).

    Args:
        optimizer: an object with ``init(params)`` and ``update(grad, state)``.
        decay_steps: :math:`k_0 > 0`; an array of shape ``(B, 1)`` gives one
            per run.

    It is :class:`~rmsprop_lib.beyond.schedules.WarmupThenDecay` ``(optimizer,
    decay_steps=k0)`` (no warm-up, decay power 1), with the factor written
    as above.
    """

    def __init__(self, optimizer, decay_steps: ArrayLike):
        super().__init__(optimizer, decay_steps=check.positive("decay_steps", decay_steps))

    def factor(self, k: int) -> np.ndarray | float:
        """The multiplier :math:`1/(1 + k/k_0)` of update number ``k`` (from 0)."""
        return 1.0 / (1.0 + k / np.asarray(self.decay_steps, dtype=float))

    def __repr__(self) -> str:
        return f"InverseTimeDecay({self.optimizer!r}, decay_steps={self.decay_steps!r})"


def minimize_stochastic(
    data: LeastSquares,
    optimizer,
    x0: ArrayLike,
    steps: int,
    batch_size: int,
    seed: int,
    decay_steps: ArrayLike | None = None,
    bound: float = 1e6,
) -> Trajectory:
    r"""Run ``optimizer`` on ``data`` with a fresh random mini-batch at every step.

    The loop is :func:`~rmsprop_lib.core.runner.minimize`'s, with the full
    gradient replaced by a mini-batch gradient:

    .. math::
        B_k \subset \{1..n\},\ |B_k| = m, \qquad
        \theta_{k+1} = \theta_k - u_k\big(g_{B_k}(\theta_k)\big) \cdot \frac{1}{1 + k/k_0}

    (the last factor only with ``decay_steps`` :math:`k_0`). The recorded
    losses are the full loss :math:`L(\theta_k)`; divergence is detected and
    reported as in ``minimize``.

    Args:
        data: from :func:`line_fit`.
        optimizer: any optimizer of the library (``init`` / ``update``).
        x0: the start, shape ``(2,)`` or ``(*batch, 2)``; runs in a batch draw
            independent mini-batches (several seeds in one call).
        steps: the number of updates, an integer >= 0.
        batch_size: ``m``, an integer from 1 to ``data.n``; ``data.n`` gives
            exactly ``minimize(data.problem, optimizer, x0, steps)``.
        seed: seeds ``np.random.default_rng``, from which the batches are
            drawn 100 steps at a time, ``sample_batches(rng, n, m, (100,
            *batch))``; the same arguments give the same trajectory.
        decay_steps: :math:`k_0` for :class:`InverseTimeDecay`, or None for a
            fixed learning rate.
        bound: as in ``minimize``.

    Returns:
        A :class:`~rmsprop_lib.core.runner.Trajectory`.
    """
    _check_data(data)
    check.optimizer("optimizer", optimizer)
    batch_size = _batch_size(batch_size, data.n)
    steps = check.step_count("steps", steps)
    seed = check.seed("seed", seed)
    runs = check.points("x0", x0).shape[:-1]
    rng = np.random.default_rng(seed)

    def draws():  # the batches of 100 steps per draw: far cheaper than a draw per step, and little memory
        for first in range(0, steps, 100):
            yield from sample_batches(rng, data.n, batch_size, (min(100, steps - first), *runs))

    batches = draws()

    def noisy_grad(points: np.ndarray) -> np.ndarray:
        return _example_grads(data.features, data.targets, points, next(batches)).mean(axis=-2)

    noisy = dataclasses.replace(data.problem, grad=noisy_grad)
    if decay_steps is not None:
        optimizer = InverseTimeDecay(optimizer, decay_steps)
    return minimize(noisy, optimizer, x0, steps, bound=bound)


# ------------------------------------------------------------------ adaptive steps under noise (notebook 06)


def gradient_noise(data: LeastSquares, params: ArrayLike, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    r"""The mean :math:`\mu` and standard deviation :math:`\sigma`, per coordinate, of the mini-batch gradient at :math:`\theta`.

    Exact for batches of ``m`` distinct examples drawn uniformly (notebook 02):

    .. math::
        \mu = \nabla L(\theta), \qquad
        \sigma_j^2 = \frac{\Sigma_{jj}(\theta)}{m}\cdot\frac{n-m}{n-1}, \qquad
        \Sigma(\theta) = \frac1n \sum_i (\nabla\ell_i - \nabla L)(\nabla\ell_i - \nabla L)^\top .

    Args:
        data: the fit.
        params: :math:`\theta`, shape ``(..., 2)``.
        batch_size: ``m``, an integer from 1 to ``data.n``.

    Returns:
        ``(mu, sigma)``, each of shape ``(..., 2)``.

    Raises:
        TypeError, ValueError: for a ``data``, ``params`` or ``batch_size`` out of range.
    """
    _check_data(data)
    m = _batch_size(batch_size, data.n)
    grads = example_grads(data, params)  # (..., n, 2)
    mean = grads.mean(axis=-2)
    spread = ((grads - mean[..., None, :]) ** 2).mean(axis=-2)
    return mean, np.sqrt(spread / m * (data.n - m) / (data.n - 1))


def snr_step(mean: ArrayLike, std: ArrayLike) -> np.ndarray:
    r"""RMSProp's predicted average step per unit learning rate, :math:`\mu/\sqrt{\mu^2 + \sigma^2}`.

    For a gradient coordinate :math:`g = \mu + \sigma\xi` (:math:`\xi` of mean 0,
    variance 1) the average of squares estimates :math:`\mathbb E[g^2] = \mu^2 + \sigma^2`, so

    .. math::
        \frac{\mathbb E[u]}{\eta} \approx \frac{\mathbb E[g]}{\sqrt{\mathbb E[g^2]}}
        = \frac{\mu}{\sqrt{\mu^2 + \sigma^2}}
        = \frac{\mathrm{snr}}{\sqrt{1 + \mathrm{snr}^2}}, \qquad \mathrm{snr} = \mu/\sigma :

    a step of :math:`\eta\,\mathrm{sign}(\mu)` when the signal dominates, and
    :math:`\eta\,\mu/\sigma` (gradient descent with rate :math:`\eta/\sigma`) when the noise does.
    It leaves out :math:`\epsilon`, the scatter of :math:`s` around its mean and
    the correlation of :math:`g_k` with :math:`s_k` (which contains :math:`g_k^2`);
    notebook 06 measures how much they matter.

    Args:
        mean: :math:`\mu`, any shape.
        std: :math:`\sigma \ge 0`, broadcasting against ``mean``.

    Returns:
        An array of the broadcast shape, in :math:`[-1, 1]`; 0 where :math:`\mu = \sigma = 0`.

    Raises:
        ValueError: if ``std`` is negative or either is not finite.
    """
    mean = np.asarray(check.real_array("mean", mean), dtype=float)
    std = np.asarray(check.non_negative("std", std), dtype=float)
    if not np.all(np.isfinite(mean)):
        raise ValueError("mean must be finite")
    root = np.hypot(mean, std)
    return np.divide(mean, root, out=np.zeros(np.broadcast_shapes(mean.shape, std.shape)), where=root > 0)


def updates_at(data: LeastSquares, optimizer, params: ArrayLike, steps: int, batch_size: int, seed: int) -> np.ndarray:
    r"""The updates :math:`u_1, \dots, u_K` an optimizer takes at a *fixed* :math:`\theta`, fed a fresh mini-batch gradient each step.

    :math:`\theta` does not move, so every :math:`g_{B_k}(\theta)` has the same
    mean and spread (:func:`gradient_noise`), and the updates show what the
    optimizer's state makes of that stream:

    .. math::
        u_k = \mathrm{update}\big(g_{B_k}(\theta), \mathrm{state}_{k-1}\big), \qquad k = 1, \dots, K .

    Args:
        data: the fit.
        optimizer: any optimizer of the library (``init`` / ``update``);
            hyperparameters of shape ``(B, 1)`` give one per point.
        params: :math:`\theta`, shape ``(2,)`` or ``(*batch, 2)``: several points at once.
        steps: :math:`K`, an integer >= 0.
        batch_size: ``m``, from 1 to ``data.n``.
        seed: seeds the batches, drawn as in :func:`minimize_stochastic`.

    Returns:
        Shape ``(steps, *batch, 2)``.
    """
    _check_data(data)
    check.optimizer("optimizer", optimizer)
    m = _batch_size(batch_size, data.n)
    steps = check.step_count("steps", steps)
    params = check.points("params", params)
    rng = np.random.default_rng(check.seed("seed", seed))
    state, updates = init_runs(optimizer, params, run_ndim=params.ndim - 1), []
    for first in range(0, steps, 100):
        for index in sample_batches(rng, data.n, m, (min(100, steps - first), *params.shape[:-1])):
            grad = _example_grads(data.features, data.targets, params, index).mean(axis=-2)
            u, state = call_update(optimizer, grad, state, params=params)  # params to those that use them (AdamW, ...)
            updates.append(u)
    return np.array(updates).reshape(steps, *params.shape)


def noise_floor(data: LeastSquares, lr: ArrayLike, batch_size: int, method: str = "SGD") -> np.ndarray | float:
    r"""The predicted floor :math:`\mathbb E[L - L^\star]` of a fixed learning rate, to first order in :math:`\eta`.

    With :math:`\sigma_j` the mini-batch noise at :math:`\theta^\star` (:func:`gradient_noise`):

    .. math::
        \text{SGD:}\quad \frac{\eta}{4}\sum_j \sigma_j^2 = \frac{\eta\,\operatorname{tr}\Sigma_m}{4}
        \qquad\qquad
        \text{RMSProp:}\quad \frac{\eta}{4}\sum_j \sigma_j .

    SGD's is notebook 02's. Near :math:`\theta^\star` the mean gradient is small
    beside the noise, so RMSProp's :math:`s_j \to \sigma_j^2` and it is SGD
    preconditioned by :math:`D = \mathrm{diag}(1/\sigma_j)`; in the variables
    :math:`z = D^{-1/2}(\theta - \theta^\star)` that is plain SGD whose noise has
    trace :math:`\sum_j D_{jj}\sigma_j^2 = \sum_j \sigma_j`. So SGD's floor falls
    like :math:`1/m` with the batch size, RMSProp's only like :math:`1/\sqrt m`.
    Valid for small :math:`\eta` (a step :math:`\eta` per coordinate well below the
    spread of :math:`\theta` at the floor), :math:`\epsilon \ll \sigma_j`, and :math:`s`
    averaging many squares (:math:`\rho` near 1).

    Args:
        data: the fit.
        lr: :math:`\eta > 0`, a number or an array.
        batch_size: ``m``, from 1 to ``data.n``.
        method: ``"SGD"`` or ``"RMSProp"``.

    Returns:
        The floor, of ``lr``'s shape.

    Raises:
        ValueError: for another ``method``, or ``lr`` not positive.
    """
    if method not in ("SGD", "RMSProp"):
        raise ValueError(f"method must be 'SGD' or 'RMSProp', got {method!r}")
    lr = check.positive("lr", lr)
    _, sigma = gradient_noise(data, data.solution, batch_size)
    return lr * float(np.sum(sigma**2 if method == "SGD" else sigma)) / 4


# ------------------------------------------------------------------ RMSProp as a preconditioner (notebook 06, section 9)


def gauss_newton_diagonal(data: LeastSquares) -> np.ndarray:
    r"""The diagonal of the Gauss-Newton matrix of the fit, :math:`h_{jj} = \frac1n \sum_i x_{ij}^2`.

    For a loss :math:`\frac1n\sum_i \tfrac12 r_i(\theta)^2` the Gauss-Newton
    matrix is :math:`\frac1n \sum_i \nabla r_i \nabla r_i^\top`; here
    :math:`r_i = x_i^\top\theta - y_i` is linear in :math:`\theta`, so it is
    the (constant) Hessian :math:`H = X^\top X / n` of ``data.hessian``, and
    its diagonal is the curvature of the loss along each coordinate. For the
    line fit: :math:`(\overline{t^2}, 1)`.

    Args:
        data: the fit.

    Returns:
        Shape ``(2,)``.

    Raises:
        TypeError: ``data`` is not a :class:`LeastSquares`.
    """
    _check_data(data)
    return np.diag(data.hessian).copy()


def fisher_diagonal(data: LeastSquares, params: ArrayLike) -> np.ndarray:
    r"""The diagonal of the empirical Fisher matrix at :math:`\theta`, :math:`F_{jj} = \frac1n\sum_i (\nabla\ell_i)_j^2`.

    The empirical Fisher matrix is :math:`F(\theta) = \frac1n\sum_i \nabla\ell_i\,\nabla\ell_i^\top`
    (Martens, *New insights and perspectives on the natural gradient method*, JMLR 2020,
    section 11). With :math:`\nabla\ell_i = r_i x_i`,

    .. math::
        F_{jj}(\theta) = \frac1n \sum_i r_i^2\, x_{ij}^2 ,

    so where the residuals are independent of the inputs with variance
    :math:`\sigma^2` (near :math:`\theta^\star` of noisy data), :math:`F \approx \sigma^2 H`:
    proportional to the Gauss-Newton diagonal (:func:`gauss_newton_diagonal`).
    Far from :math:`\theta^\star`, or without noise, it is not: it vanishes at
    :math:`\theta^\star` of noise-free data. It is the :math:`\mathbb E[g^2]`
    of batches of one example (:func:`second_moment` with ``batch_size=1``).

    Args:
        data: the fit.
        params: :math:`\theta`, shape ``(..., 2)``.

    Returns:
        Shape ``(..., 2)``.

    Raises:
        TypeError, ValueError: for a ``data`` or ``params`` out of range.
    """
    return (example_grads(data, params) ** 2).mean(axis=-2)


def second_moment(data: LeastSquares, params: ArrayLike, batch_size: int) -> np.ndarray:
    r"""What RMSProp's average :math:`s` estimates at a fixed :math:`\theta`: :math:`\mathbb E[g_B^2] = \mu^2 + \sigma^2` per coordinate.

    With :math:`\mu, \sigma` from :func:`gradient_noise` (batches of ``m``
    distinct examples, drawn uniformly):

    .. math::
        \mathbb E[g_{B,j}^2] = \mu_j^2 + \sigma_j^2
        = \mu_j^2 + \frac{F_{jj} - \mu_j^2}{m}\cdot\frac{n-m}{n-1},

    :math:`F` the empirical Fisher diagonal (:func:`fisher_diagonal`). Near
    :math:`\theta^\star` (:math:`\mu \approx 0`) it is :math:`F_{jj}` over about
    :math:`m`: proportional to the curvature where :math:`F \approx \sigma^2 H`. Far
    away it is :math:`\mu_j^2`, the squared mean gradient; with the full batch
    (``m = n``) it is :math:`\mu_j^2` everywhere, 0 at :math:`\theta^\star`.

    Args:
        data: the fit.
        params: :math:`\theta`, shape ``(..., 2)``.
        batch_size: ``m``, an integer from 1 to ``data.n``.

    Returns:
        Shape ``(..., 2)``.

    Raises:
        TypeError, ValueError: for a ``data``, ``params`` or ``batch_size`` out of range.
    """
    mean, std = gradient_noise(data, params, batch_size)
    return mean**2 + std**2


class Recording:
    r"""Any optimizer, with its updates or one field of its state recorded after every step.

    ``Recording(RMSProp(lr=0.01), "mean_sq")`` runs exactly as the RMSProp
    inside it (in :func:`~rmsprop_lib.core.runner.minimize`,
    :func:`minimize_stochastic`, ...) and keeps its average :math:`s_k` after
    each step :math:`k = 1, \dots, K`:

    .. math::
        \texttt{history}[k-1] = s_k = \rho\, s_{k-1} + (1-\rho)\, g_k^2 ;

    ``Recording(optimizer)`` keeps the updates :math:`u_k` instead. ``init``
    starts a new record, so one object serves one run (or one batch of runs)
    at a time.

    Args:
        optimizer: an object with ``init(params)`` and ``update(grad, state)``.
        field: the name of a field of its state, e.g. ``"mean_sq"`` (RMSProp's
            and Adam's :math:`s`), ``"velocity"`` (Momentum's); or None for the
            updates.

    Attributes:
        history: after a run of :math:`K` steps, an array of shape
            ``(K, *params.shape)`` (for a field: the field's shape).

    Raises:
        TypeError: ``optimizer`` is not an optimizer, or ``field`` is neither a string nor None.
        AttributeError: (at the first update) the state has no such field; the message lists its fields.
    """

    def __init__(self, optimizer, field: str | None = None):
        self.optimizer = check.optimizer("optimizer", optimizer)
        if field is not None and not isinstance(field, str):
            raise TypeError(f"field must be the name of a state field, e.g. 'mean_sq', or None, got {type(field).__name__} {field!r}")
        self.field = field
        self.uses_params = uses_params(optimizer)  # pass the parameters on to those that use them
        self._record: list[np.ndarray] = []

    def init(self, params: ArrayLike):
        self._record = []
        return self.optimizer.init(params)

    def update(self, grad: ArrayLike, state, params: ArrayLike | None = None):
        updates, state = call_update(self.optimizer, grad, state, params=params)
        if self.field is None:
            self._record.append(np.array(updates, dtype=float))
        elif hasattr(state, self.field):
            self._record.append(np.array(getattr(state, self.field), dtype=float))
        else:
            raise AttributeError(f"{type(self.optimizer).__name__}'s state has no field {self.field!r}; "
                                 f"its fields: {', '.join(getattr(state, '_fields', ())) or 'none'}")
        return updates, state

    @property
    def history(self) -> np.ndarray:
        """What was recorded, one entry per update: shape ``(K, ...)``."""
        return np.array(self._record)

    def __repr__(self) -> str:
        return f"Recording({self.optimizer!r}" + (f", {self.field!r})" if self.field is not None else ")")


def minimize_shared_batches(
    data: LeastSquares,
    optimizer,
    x0: ArrayLike,
    steps: int,
    batch_size: ArrayLike,
    seed: int,
    decay_steps: ArrayLike | None = None,
    width: int | None = None,
    bound: float = 1e6,
) -> Trajectory:
    r""":func:`minimize_stochastic` with *common* random batches: every run sees the same examples.

    At step :math:`k` one random ordering :math:`\pi_k` of the ``n`` examples is
    drawn (seeded), and a run with batch size :math:`m` averages the gradients
    of its first :math:`m`:

    .. math::
        B_k(m) = \{\pi_k(1), \dots, \pi_k(m)\}, \qquad B_k(m) \subset B_k(m') \text{ for } m \le m' .

    Each :math:`B_k(m)` is a uniformly random batch, as in
    :func:`minimize_stochastic`; but runs in one call differ only by their
    settings (batch size, learning rate, ...), and a run's path does not
    depend on which other runs share the call - the property an explorer
    that computes many settings at once needs. The gradient is the weighted
    sum over the first ``width`` examples (weights :math:`1/m`, then 0), so
    calls with the same ``width`` do the same arithmetic.

    Args:
        data, optimizer, x0, steps, seed, decay_steps, bound: as in :func:`minimize_stochastic`.
        batch_size: ``m``, integers from 1 to ``data.n``, a number or an array
            broadcasting against the runs of ``x0`` (shape ``batch``).
        width: how many examples of each ordering enter the sum, from
            ``max(batch_size)`` (the default) to ``data.n``.

    Returns:
        A :class:`~rmsprop_lib.core.runner.Trajectory`.
    """
    _check_data(data)
    check.optimizer("optimizer", optimizer)
    steps = check.step_count("steps", steps)
    seed = check.seed("seed", seed)
    runs = check.points("x0", x0).shape[:-1]
    sizes = check.real_array("batch_size", batch_size)
    if np.any(sizes != np.round(sizes)) or np.any((sizes < 1) | (sizes > data.n)):
        raise ValueError(f"batch_size must hold integers from 1 to n = {data.n}, got {batch_size!r}")
    sizes = np.broadcast_to(sizes.astype(int), runs) if runs else sizes.astype(int)
    width = int(sizes.max()) if width is None else check.integer("width", width, int(sizes.max()), data.n)
    weights = (np.arange(width) < sizes[..., None]) / sizes[..., None]  # (*runs, width): 1/m, then 0
    rng = np.random.default_rng(seed)

    def orderings():  # 100 steps per draw: the first `width` examples of a random ordering
        for first in range(0, steps, 100):
            yield from np.argsort(rng.random((min(100, steps - first), data.n)), axis=-1)[:, :width]

    batches = orderings()

    def shared_grad(points: np.ndarray) -> np.ndarray:
        index = next(batches)  # (width,), the same for every run; sums run along the last axis (fast, and
        t, one, y = data.features[index, 0], data.features[index, 1], data.targets[index]  # the same per run)
        weighted = weights * (points[..., :1] * t + points[..., 1:] * one - y)  # (*runs, width): r_i / m, or 0
        return np.stack([(weighted * t).sum(axis=-1), (weighted * one).sum(axis=-1)], axis=-1)

    shared = dataclasses.replace(data.problem, grad=shared_grad)
    if decay_steps is not None:
        optimizer = InverseTimeDecay(optimizer, decay_steps)
    return minimize(shared, optimizer, x0, steps, bound=bound)
