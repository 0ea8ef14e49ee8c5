"""Mini-batch training of a network with any optimizer, recording what happened.

``train`` is the loop of the network notebook::

    theta = model.init(seed)
    for each epoch:                                    # one pass over the data
        for each mini-batch (x_b, y_b) of a fresh shuffle:
            loss, grad = model.loss_and_grad(theta, x_b, y_b)
            updates, state = optimizer.update(grad, state)    # params=theta too for AdamW, Lion, Adafactor
            theta = theta - updates

Like :func:`rmsprop_lib.core.runner.minimize` it runs a batch of runs at once: a
list of ``seeds`` (each seed fixes one run's initial weights and its order of
mini-batches) and hyperparameters of shape ``(runs, 1)``. A run *diverges* at
the first step whose loss or new parameters are not finite or whose
parameters leave the box ``|theta| <= bound``; it is then frozen, its later
losses are NaN, and no NumPy overflow warning reaches the learner.

Three tools for notebook 07's "In practice" section sit beside it:
:class:`ClipGradNorm` (gradient clipping) and :class:`WithL2` (L2
regularisation as ``torch.optim.Adam(..., weight_decay=)`` does it, to set
against :class:`~rmsprop_lib.beyond.adam_variants.AdamW`'s decoupled decay)
wrap any optimizer; :func:`state_size` counts the numbers an optimizer keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

import numpy as np

from rmsprop_lib.numerics import validation as check
from rmsprop_lib.numerics._plumbing import call_update, init_runs, parameters as _parameters, uses_params
from rmsprop_lib.core.optimizers import Adam, RMSProp
from rmsprop_lib.experiments.network import MLP

__all__ = [
    "LayerNorms", "TrainingRun", "per_epoch", "train", "Stacked", "ClipGradNorm", "WithL2", "StateSize", "state_size",
    "typical_step", "root_v_hat", "quarters", "relative_norm", "Sweep", "lr_sweep",
    "RMSPropDefaults", "AdamDefaults", "RMSPROP_DEFAULTS", "ADAM_DEFAULTS", "defaults_table",
    "bound_above", "bound_below", "symptom_table",
]


#: The measures of :class:`LayerNorms`, for :meth:`TrainingRun.layer_means`.
LAYER_MEASURE_NAMES = ("grad", "update", "weight", "effective_lr", "update_ratio")


def per_epoch(values: np.ndarray, steps_per_epoch: int) -> np.ndarray:
    """The mean over each epoch's steps: shape ``(steps, ...)`` to ``(epochs, ...)``; NaN (diverged) left out."""
    values = np.asarray(values, dtype=float)
    epochs = values.reshape(-1, steps_per_epoch, *values.shape[1:])
    with np.errstate(all="ignore"):
        finite = np.isfinite(epochs)
        return np.where(finite, epochs, 0).sum(axis=1) / np.where(finite.any(axis=1), finite.sum(axis=1), np.nan)


@dataclass(frozen=True, eq=False)
class LayerNorms:
    r"""Per step, run and weight matrix :math:`W_l`: the lengths :func:`train` saw with ``per_layer=True``.

    Each array has shape ``(steps, R, L)`` for the ``L`` weight matrices
    (biases left out: they start at 0), NaN from the step a run diverged.

    Attributes:
        names: ``("W1", "W2", ...)``.
        grad: :math:`\lVert g_{W_l} \rVert`, the mini-batch gradient's length.
        update: :math:`\lVert \Delta W_l \rVert`, the length of the step taken.
        weight: :math:`\lVert W_l \rVert` before the step.
    """

    names: tuple[str, ...]
    grad: np.ndarray
    update: np.ndarray
    weight: np.ndarray

    @property
    def effective_lr(self) -> np.ndarray:
        r""":math:`\lVert \Delta W_l \rVert / \lVert g_{W_l} \rVert`: the learning rate plain SGD would need for a step this long.

        SGD's is its ``lr`` in every layer; an adaptive method's differs by
        layer and over time (NaN where the gradient is 0).
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.grad > 0, self.update / self.grad, np.nan)

    @property
    def update_ratio(self) -> np.ndarray:
        r""":math:`\lVert \Delta W_l \rVert / \lVert W_l \rVert`: how much of its weights a layer changes in one step."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.weight > 0, self.update / self.weight, np.nan)

    def select(self, runs) -> "LayerNorms":
        return LayerNorms(self.names, self.grad[:, runs], self.update[:, runs], self.weight[:, runs])


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """What :func:`train` recorded, for ``R`` runs (one per seed).

    Attributes:
        theta: the final parameters, shape ``(R, n_params)``.
        losses: the mini-batch loss at each step, before that step's update,
            shape ``(steps, R)``; NaN from the step a run diverged.
        train_loss: the loss on the whole training set at the epochs
            ``eval_epochs`` (0 = before training), shape ``(len(eval_epochs), R)``;
            NaN once a run diverged.
        test_accuracy: the accuracy on the held-out data at the same epochs,
            NaN once a run diverged (no rows when no held-out data was given).
        eval_epochs: when those were measured: ``0, 1, ..., epochs`` or ``0, epochs``.
        diverged_at: per run, the step (from 1) at which it diverged, or -1.
        steps_per_epoch: mini-batches per epoch (the last incomplete one is dropped).
        layers: with ``per_layer=True``, the :class:`LayerNorms` of every step; else None.
        state: the optimizer's state after the last step, as its ``update``
            returned it, for all ``R`` runs of the call (e.g. Adam's ``mean_sq``
            of shape ``(R, n_params)``; with :class:`Stacked`, a tuple with one
            state per group). :meth:`select` and :meth:`groups` leave it out
            (None): a state has no one layout to split.
    """

    theta: np.ndarray
    losses: np.ndarray
    train_loss: np.ndarray
    test_accuracy: np.ndarray
    eval_epochs: np.ndarray
    diverged_at: np.ndarray
    steps_per_epoch: int
    layers: LayerNorms | None = None
    state: Any = None

    @property
    def diverged(self) -> np.ndarray:
        """Whether each run diverged."""
        return self.diverged_at >= 0

    def select(self, runs: slice | Sequence[int]) -> "TrainingRun":
        """The same record for a subset of the runs (e.g. ``slice(0, 3)``)."""
        if not isinstance(runs, slice):
            runs = np.asarray(runs, dtype=int)
        return TrainingRun(
            self.theta[runs], self.losses[:, runs], self.train_loss[:, runs],
            self.test_accuracy[:, runs], self.eval_epochs, self.diverged_at[runs], self.steps_per_epoch,
            None if self.layers is None else self.layers.select(runs),
        )

    def groups(self, labels: Sequence[str]) -> dict[str, "TrainingRun"]:
        """Split the runs into ``len(labels)`` equal consecutive groups, as :class:`Stacked` does."""
        size, rest = divmod(len(self.diverged_at), len(labels))
        if rest or size == 0:
            raise ValueError(f"labels must split the {len(self.diverged_at)} runs into equal groups, got {len(labels)} labels")
        return {label: self.select(slice(i * size, (i + 1) * size)) for i, label in enumerate(labels)}

    def epoch_losses(self, epoch: int) -> np.ndarray:
        """The mini-batch losses of one epoch (1 = the first), shape ``(steps_per_epoch, R)``.

        Raises ValueError for an epoch outside ``1 .. epochs``.
        """
        epochs = len(self.losses) // self.steps_per_epoch
        epoch = check.integer("epoch", epoch, 1, epochs, what=f"an integer in [1, {epochs}] (the epochs trained)")
        return self.losses[(epoch - 1) * self.steps_per_epoch : epoch * self.steps_per_epoch]

    def worst_loss(self, epoch: int) -> np.ndarray:
        """Per run, the largest mini-batch loss of one epoch (1 = the first): shape ``(R,)``; NaN once a run diverged."""
        return self.epoch_losses(epoch).max(axis=0)

    def layer_means(self, measure: str) -> np.ndarray:
        r"""One :class:`LayerNorms` measure per epoch and weight matrix: shape ``(epochs, L)``.

        The mean over each epoch's steps (:func:`per_epoch`), then over the
        ``R`` runs (seeds). ``measure`` is ``"grad"``, ``"update"``,
        ``"weight"``, ``"effective_lr"`` or ``"update_ratio"``, e.g.
        ``run.layer_means("update")[e, l]`` is :math:`\lVert \Delta W_{l+1} \rVert`
        in epoch ``e + 1``. Raises ValueError for a run recorded without
        ``train(..., per_layer=True)`` or an unknown measure.
        """
        if self.layers is None:
            raise ValueError("this run has no per-layer record: train it with per_layer=True")
        if measure not in LAYER_MEASURE_NAMES:
            raise ValueError(f"measure must be one of {list(LAYER_MEASURE_NAMES)}, got {measure!r}")
        return per_epoch(getattr(self.layers, measure), self.steps_per_epoch).mean(axis=1)


def train(
    model: MLP,
    optimizer,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    batch_size: int,
    seeds: int | Sequence[int] = 0,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    every_epoch: bool = True,
    bound: float = 1e6,
    per_layer: bool = False,
) -> TrainingRun:
    """Train one network per seed with mini-batch steps of ``optimizer``.

    Args:
        model: the network, e.g. ``MLP((64, 32, 10))``.
        optimizer: anything with ``init(params)`` and ``update(grad, state)``
            (called as ``update(grad, state, params=theta)`` if it has
            ``uses_params = True``: AdamW, Lion, Adafactor, and wrappers
            around them); hyperparameters of shape ``(len(seeds), 1)`` give
            each run its own.
        x, y: training inputs ``(n, n_in)`` and integer labels ``(n,)``.
        epochs: passes over the training data, an integer >= 0.
        batch_size: rows per step, an integer in ``[1, n]``.
        seeds: one seed or a list; run ``r`` draws its initial weights
            (``model.init(seeds[r])``) and then its shuffles from ``default_rng(seeds[r])``.
        x_test, y_test: held-out data for the accuracy after each epoch.
        every_epoch: evaluate after every epoch (True) or only at the start
            and the end (False: cheaper, for sweeps); see ``eval_epochs``.
        bound: a run whose parameters exceed this in absolute value diverged.
        per_layer: also record, at every step, the lengths of each weight
            matrix's gradient, update and weights (``run.layers``, a :class:`LayerNorms`).
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, e.g. MLP((64, 32, 10)), got {type(model).__name__}")
    check.optimizer("optimizer", optimizer)
    epochs = check.step_count("epochs", epochs)
    x, y = check.real_array("x", x).astype(float, copy=False), check.real_array("y", y)
    if x.ndim != 2 or y.shape != x.shape[:1]:
        raise ValueError(f"x must have shape (n, n_in) and y shape (n,), got {x.shape} and {y.shape}")
    n = len(x)
    batch_size = check.integer("batch_size", batch_size, 1, n, what=f"an integer in [1, {n}] (the number of training rows)")
    bound = check.positive("bound", bound)
    every_epoch = check.flag("every_epoch", every_epoch)
    per_layer = check.flag("per_layer", per_layer)
    if (x_test is None) != (y_test is None):
        raise ValueError("x_test and y_test go together: pass both or neither")
    if x_test is not None:
        x_test, y_test = check.real_array("x_test", x_test), check.real_array("y_test", y_test)
    many = isinstance(seeds, (list, tuple)) or isinstance(seeds, np.ndarray) and seeds.ndim == 1
    seeds = [check.seed("seeds", s) for s in seeds] if many else [check.seed("seeds", seeds)]
    if not seeds:
        raise ValueError("seeds must be an integer or a non-empty list of integers")

    rngs = [np.random.default_rng(seed) for seed in seeds]
    theta = np.stack([model.init(rng) for rng in rngs])  # row r equals model.init(seeds[r])
    state = init_runs(optimizer, theta, run_ndim=1)  # one run per seed
    steps_per_epoch = n // batch_size
    losses = np.full((epochs * steps_per_epoch, len(seeds)), np.nan)
    diverged_at = np.full(len(seeds), -1)
    has_test = x_test is not None and y_test is not None

    if per_layer:
        norms = np.full((3, epochs * steps_per_epoch, len(seeds), len(model.sizes) - 1), np.nan)  # grad, update, weight

    eval_epochs = np.arange(epochs + 1) if every_epoch else np.unique([0, epochs])
    train_loss, test_accuracy = [], []
    with np.errstate(all="ignore"):
        for epoch in range(epochs + 1):
            if epoch in eval_epochs:
                alive = diverged_at < 0
                train_loss.append(np.where(alive, model.loss(theta, x, y), np.nan))
                if has_test:
                    test_accuracy.append(np.where(alive, model.accuracy(theta, x_test, y_test), np.nan))
            if epoch == epochs:
                break
            order = np.stack([rng.permutation(n) for rng in rngs])
            for j in range(steps_per_epoch):
                k = epoch * steps_per_epoch + j  # steps taken so far
                batch = order[:, j * batch_size : (j + 1) * batch_size]
                loss, grad = model.loss_and_grad(theta, x[batch], y[batch])
                updates, state = call_update(optimizer, grad, state, params=theta)
                candidate = theta - updates
                bad = ~np.isfinite(loss) | ~np.all(np.abs(candidate) <= bound, axis=-1)  # NaN fails <=
                newly = bad & (diverged_at < 0)
                if np.any(newly):
                    diverged_at[newly] = k + 1
                alive = diverged_at < 0
                losses[k] = np.where(alive | newly, loss, np.nan)
                if per_layer:  # the step's lengths, per weight matrix (theta is still the weights before it)
                    for i, arrays in enumerate((grad, updates, theta)):
                        norms[i, k] = np.stack([np.linalg.norm(w, axis=(-2, -1)) for w, _ in model.unpack(arrays)], axis=-1)
                    norms[:, k, ~(alive | newly)] = np.nan
                theta = np.where(alive[:, None], candidate, theta)
    test_accuracy = np.array(test_accuracy) if has_test else np.zeros((0, len(seeds)))
    layers = LayerNorms(tuple(f"W{l}" for l in range(1, len(model.sizes))), *norms) if per_layer else None
    return TrainingRun(theta, losses, np.array(train_loss), test_accuracy, eval_epochs, diverged_at, steps_per_epoch, layers, state)


class Stacked:
    """Several optimizers side by side: optimizer ``i`` updates the ``i``-th group of runs.

    The runs (leading axis of the parameters) are split into
    ``len(optimizers)`` equal consecutive groups, so one :func:`train` call
    compares optimizers on identical initial weights and mini-batches::

        both = Stacked([SGD(0.3), RMSProp(0.003)])
        run = train(model, both, x, y, epochs, batch_size, seeds=[0, 0])  # row 0: SGD, row 1: RMSProp

    Hyperparameters of shape ``(group size, 1)`` give each run in a group its own.
    ``uses_params`` is True when any of the optimizers uses the parameters
    (AdamW, Lion, Adafactor): ``update(grad, state, params)`` then hands each
    its group of them.
    """

    def __init__(self, optimizers):
        if not isinstance(optimizers, (list, tuple)):
            raise TypeError(f"optimizers must be a list of optimizers, got {type(optimizers).__name__}")
        self.optimizers = [check.optimizer("optimizers[i]", opt) for opt in optimizers]
        if not self.optimizers:
            raise ValueError("optimizers must be a non-empty list of optimizers")
        self.uses_params = any(uses_params(opt) for opt in self.optimizers)

    def init(self, params) -> tuple:
        params = np.asarray(params)
        if params.ndim < 2 or len(params) % len(self.optimizers):
            raise ValueError(
                f"params must have a leading axis of runs divisible by the {len(self.optimizers)} optimizers, "
                f"got shape {params.shape}"
            )
        groups = np.split(params, len(self.optimizers))
        return tuple(opt.init(group) for opt, group in zip(self.optimizers, groups))

    def update(self, grad, state: tuple, params=None) -> tuple[np.ndarray, tuple]:
        k = len(self.optimizers)
        grads = np.split(np.asarray(grad), k)
        groups = [None] * k if params is None else np.split(np.asarray(params), k)
        results = [call_update(opt, g, s, p) for opt, g, s, p in zip(self.optimizers, grads, state, groups)]
        return np.concatenate([updates for updates, _ in results]), tuple(s for _, s in results)

    def __repr__(self) -> str:
        return f"Stacked({self.optimizers!r})"


class ClipGradNorm:
    r"""Any optimizer, fed gradients clipped to a largest length (gradient clipping).

    .. math::
        g \leftarrow g \,\min\!\Big(1, \frac{c}{\lVert g \rVert}\Big)

    before the optimizer sees it, per run: the norm is taken over the last
    axis, one run's parameter vector as every loop of the library lays them
    out (``train``: ``(runs, n_params)``; ``minimize``: ``(runs, 2)``; a single
    vector: all of it). This is ``torch.nn.utils.clip_grad_norm_(params, c)``
    before ``optimizer.step()`` (Pascanu, Mikolov & Bengio, 2013, *On the
    difficulty of training recurrent neural networks*). SGD's step is then at
    most :math:`\text{lr}\, c` long. An optimizer that divides by a running
    root mean square (RMSProp, Adam) sees its averages of the clipped
    gradients instead, so clipping changes its step only as far as it
    changes the size of one gradient against the recent ones.

    Args:
        optimizer: an object with ``init(params)`` and ``update(grad, state)``
            (and ``params=`` if it has ``uses_params = True``: the wrapper
            passes them on and has the same ``uses_params``).
        max_norm: :math:`c > 0`; may be an array of shape ``(runs, 1)``, one per run.

    Raises:
        TypeError: ``optimizer`` is not an optimizer object (e.g. a class).
        ValueError: ``max_norm`` not > 0, or (in ``init``) not broadcasting
            to the runs.
    """

    def __init__(self, optimizer, max_norm):
        self.optimizer = check.optimizer("optimizer", optimizer)
        self.uses_params = uses_params(optimizer)
        self.max_norm = check.positive("max_norm", max_norm)

    def init(self, params):
        shape = np.shape(params)
        check.broadcasts_to("max_norm", self.max_norm, shape[:-1] + (1,) if shape else shape)
        return self.optimizer.init(params)

    def update(self, grad, state, params=None):
        g = check.real_array("grad", grad)
        if not np.issubdtype(g.dtype, np.floating):
            g = g.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):  # a zero gradient: c / 0 = inf, scale 1
            length = np.linalg.norm(g, axis=-1, keepdims=True) if g.ndim else np.abs(g)
            scale = np.minimum(1.0, np.asarray(self.max_norm, dtype=g.dtype) / length)
        return call_update(self.optimizer, g * scale, state, params)

    def __repr__(self) -> str:
        return f"ClipGradNorm({self.optimizer!r}, max_norm={self.max_norm!r})"


class WithL2:
    r"""Any optimizer on the loss plus an L2 penalty: L2 regularisation inside the optimizer.

    .. math::
        g \leftarrow g + \lambda\,\theta
        \qquad\Big(\text{the gradient of } L(\theta) + \tfrac{\lambda}{2}\lVert\theta\rVert^2\Big)

    before the optimizer sees it: what ``weight_decay=`` means in
    ``torch.optim.SGD``, ``RMSprop`` and ``Adam`` (every parameter decayed,
    biases too, as torch does when given them all, and as
    :class:`~rmsprop_lib.beyond.adam_variants.AdamW`). With SGD this is weight
    decay: each weight shrinks by :math:`\text{lr}\,\lambda\,\theta` per step.
    An adaptive method divides the penalty's gradient too: Adam's step
    removes about :math:`\text{lr}\,\lambda / (\sqrt{\hat v} + \epsilon)` of a
    weight per step, little where its gradients are large, much where they
    are small. AdamW (Loshchilov & Hutter, 2019, *Decoupled Weight Decay
    Regularization*) subtracts :math:`\text{lr}\,\lambda\,\theta` after the
    division instead: the same fraction of every weight.

    Args:
        optimizer: an object with ``init(params)`` and ``update(grad, state)``
            (``params=`` is passed on if it has ``uses_params = True``).
        weight_decay: :math:`\lambda \ge 0`; may be an array of shape ``(runs, 1)``.

    ``update(grad, state, params)`` needs the current parameters
    :math:`\theta_{t-1}`: ``uses_params = True`` tells every loop of the
    library to pass them.

    Raises:
        TypeError: ``optimizer`` is not an optimizer object.
        ValueError: ``weight_decay`` negative or (in ``init``) not
            broadcasting to the parameters; ``params`` missing or of another
            shape than the gradient.
    """

    uses_params = True

    def __init__(self, optimizer, weight_decay):
        self.optimizer = check.optimizer("optimizer", optimizer)
        self.weight_decay = check.non_negative("weight_decay", weight_decay)

    def init(self, params):
        check.broadcasts_to("weight_decay", self.weight_decay, np.shape(params))
        return self.optimizer.init(params)

    def update(self, grad, state, params=None):
        g = check.real_array("grad", grad)
        if not np.issubdtype(g.dtype, np.floating):
            g = g.astype(float)
        theta = _parameters(params, g, "WithL2 adds weight_decay * params to the gradient")
        return call_update(self.optimizer, g + np.asarray(self.weight_decay, dtype=g.dtype) * theta, state, params)

    def __repr__(self) -> str:
        return f"WithL2({self.optimizer!r}, weight_decay={self.weight_decay!r})"


class StateSize(NamedTuple):
    """What :func:`state_size` counted: numbers (floats) of optimizer state."""

    allocated: int  # in every array of the states that init made
    used: int  # in the arrays that the updates changed: the memory the method needs


def _arrays(state) -> list[np.ndarray]:
    """The arrays in a state, in order (through tuples and named tuples; numbers, shapes and None left out)."""
    if isinstance(state, np.ndarray):
        return [state]
    if isinstance(state, (tuple, list)):
        return [a for part in state for a in _arrays(part)]
    return []


def state_size(optimizer, shapes: Sequence[Sequence[int]], steps: int = 3, seed: int = 0) -> StateSize:
    r"""How many numbers an optimizer keeps for parameters of the given shapes: its memory, counted.

    Each shape is one parameter tensor (a weight matrix, a bias vector) with
    its own ``init`` state, as torch keeps one state per tensor; so
    Adafactor factors each matrix (:math:`n + m` numbers for :math:`n \times m`).
    ``allocated`` counts the numbers in every array of those states;
    ``used`` only those in arrays that ``steps`` updates (seeded random
    parameters and gradients) change. The two differ where an
    implementation keeps buffers a setting does not use: the library's
    :class:`~rmsprop_lib.core.optimizers.RMSProp` makes its centred average
    and momentum buffer whatever its options (``update_inplace`` writes into
    them), and they stay 0 unless ``centered`` or ``momentum`` is on. Step
    counters (integers) are not counted.

    Args:
        optimizer: an object with ``init(params)`` and ``update(grad, state)``.
        shapes: the parameter tensors' shapes, e.g. ``[(64, 32), (32,), (32, 10), (10,)]``.
        steps: updates to take, an integer >= 1 (Rprop first changes its step sizes at step 2).
        seed: for the random parameters and gradients.

    Returns:
        ``StateSize(allocated, used)``.

    Raises:
        ValueError: ``shapes`` empty or holding a non-positive size; ``steps`` < 1.
    """
    check.optimizer("optimizer", optimizer)
    steps = check.integer("steps", steps, 1)
    shapes = [tuple(check.integer("shapes[i]", n, 1) for n in np.atleast_1d(shape)) for shape in shapes]
    if not shapes:
        raise ValueError("shapes must list at least one parameter shape, e.g. [(64, 32), (32,)]")
    rng = np.random.default_rng(seed)
    allocated = used = 0
    for shape in shapes:
        params = rng.normal(size=shape)
        state = optimizer.init(params)
        start = [a.copy() for a in _arrays(state)]
        changed = np.zeros(len(start), dtype=bool)
        for _ in range(steps):
            updates, state = call_update(optimizer, rng.normal(size=shape), state, params=params)
            params = params - updates
            now = _arrays(state)
            changed |= np.array([a.shape != b.shape or bool(np.any(a != b)) for a, b in zip(now, start)], dtype=bool)
        allocated += sum(a.size for a in start)
        used += sum(a.size for a, c in zip(start, changed) if c)
    return StateSize(allocated, used)


# ---------------------------------------------------------------- notebook 07's measurements, by name


def typical_step(run: TrainingRun, lr: float, model: MLP) -> np.ndarray:
    r"""A typical weight's step per epoch and weight matrix, in units of the learning rate: shape ``(epochs, L)``.

    .. math::
        \frac{\lVert \Delta W_l \rVert}{\text{lr}\,\sqrt{n_l}}
        = \frac{1}{\text{lr}}\sqrt{\frac{1}{n_l}\sum_{i \in W_l} \Delta w_i^2}

    the root mean square over the :math:`n_l` entries of :math:`W_l` of
    their steps, averaged over each epoch's steps and the seeds
    (:meth:`TrainingRun.layer_means`). RMSProp's is near 1 whatever the
    gradients' size (it divides by their root mean square); SGD's is the
    gradient's root mean square. Raises ValueError for a run recorded
    without ``per_layer=True`` or a ``lr`` not > 0.
    """
    lr = check.positive("lr", lr)
    n_weights = np.array([n_in * n_out for n_in, n_out in zip(model.sizes[:-1], model.sizes[1:])])
    return run.layer_means("update") / (lr * np.sqrt(n_weights))


def root_v_hat(state, beta2: float = 0.999) -> np.ndarray:
    r"""Adam's bias-corrected root mean square :math:`\sqrt{\hat v} = \sqrt{v / (1 - \beta_2^t)}` from its state.

    ``state`` is an :class:`~rmsprop_lib.core.optimizers.AdamState` (or any
    state with ``mean_sq`` and ``step``, e.g. :class:`WithL2` around Adam);
    the result has the shape of ``mean_sq``: per parameter, the size of its
    recent gradients, what Adam divides by (Kingma & Ba, 2015). Raises
    ValueError before the first step (``step`` 0) or for ``beta2`` outside (0, 1).
    """
    beta2 = float(beta2)
    if not 0.0 < beta2 < 1.0:
        raise ValueError(f"beta2 must be in (0, 1), got {beta2!r}")
    step = np.asarray(state.step)
    if np.any(step < 1):
        raise ValueError("the state has taken no step yet: v_hat is 0 / 0 before the first update")
    return np.sqrt(np.asarray(state.mean_sq) / (1.0 - beta2 ** step))


def quarters(values: np.ndarray) -> np.ndarray:
    """Per row, which quarter of that row's values each entry is in: 0 (smallest) to 3 (largest).

    ``(values > q25) + (values > q50) + (values > q75)`` with each row's own
    quartiles; shape of ``values`` (at least 1-D, rows along the leading axes).
    """
    values = check.real_array("values", values).astype(float, copy=False)
    if values.ndim == 0:
        raise ValueError("values must have at least one axis")
    q = np.quantile(values, [0.25, 0.5, 0.75], axis=-1)[..., None]
    return (values > q[0]).astype(int) + (values > q[1]) + (values > q[2])


def relative_norm(values: np.ndarray, reference: np.ndarray, mask: np.ndarray | None = None) -> float:
    r"""How much of a reference's size is left: the mean over rows of :math:`\lVert v_r \rVert / \lVert v^{ref}_r \rVert`.

    ``values`` and ``reference`` have shape ``(R, n)`` (e.g. a weight matrix's
    entries per seed, :meth:`~rmsprop_lib.experiments.network.MLP.weights`);
    ``mask`` of the same shape keeps only some entries of each row (e.g. a
    quarter, :func:`quarters`). Raises ValueError for shapes that differ.
    """
    values, reference = np.atleast_2d(values), np.atleast_2d(reference)
    mask = np.ones(values.shape, dtype=bool) if mask is None else np.atleast_2d(np.asarray(mask, dtype=bool))
    if not values.shape == reference.shape == mask.shape:
        raise ValueError(f"values, reference and mask must have one shape, got {values.shape}, {reference.shape}, {mask.shape}")
    return float(np.mean([np.linalg.norm(v[m]) / np.linalg.norm(r[m]) for v, r, m in zip(values, reference, mask)]))


@dataclass(frozen=True, eq=False)
class Sweep:
    """A learning-rate sweep, every optimizer at every rate with every seed (what :func:`lr_sweep` returns).

    A rate is *good* for an optimizer when its mean held-out accuracy over the
    seeds is within ``within`` (2 points) of that optimizer's best; the good
    range runs from the smallest to the largest good rate.

    Attributes:
        names: the optimizers, in order.
        lrs: the learning rates, shape ``(K,)``, increasing.
        seeds: the seeds, shape ``(S,)``.
        run: every run, ordered by optimizer, then rate, then seed.
        accuracy: per name, the held-out accuracy after the last epoch, shape ``(K, S)``.
        final_loss: per name, the training loss after the last epoch, shape ``(K, S)``.
        within: how far below the best a good rate may be.
    """

    names: tuple[str, ...]
    lrs: np.ndarray
    seeds: np.ndarray
    run: TrainingRun
    accuracy: dict
    final_loss: dict
    within: float = 0.02

    def mean(self, name: str) -> np.ndarray:
        """The mean held-out accuracy over the seeds, per rate: shape ``(K,)``."""
        return self.accuracy[name].mean(axis=1)

    def best_lr(self, name: str) -> float:
        """The rate with the best mean accuracy (the tuned one)."""
        return float(self.lrs[self.mean(name).argmax()])

    def good_lrs(self, name: str) -> tuple[float, float]:
        """The smallest and the largest good rate."""
        mean = self.mean(name)
        good = np.flatnonzero(mean >= mean.max() - self.within)
        return float(self.lrs[good[0]]), float(self.lrs[good[-1]])

    def good_decades(self, name: str) -> float:
        """The good range's width in decades, ``log10(largest / smallest)``, to 0.1."""
        low, high = self.good_lrs(name)
        return round(float(np.log10(high / low)), 1)

    def nearest(self, lr: float) -> int:
        """The index of the grid rate nearest ``lr`` (on a log scale)."""
        return int(np.abs(np.log10(self.lrs / check.positive("lr", lr))).argmin())

    def in_good_range(self, name: str, lr: float) -> bool:
        """Whether the grid rate nearest ``lr`` lies in the optimizer's good range."""
        low, high = self.good_lrs(name)
        return bool(low <= self.lrs[self.nearest(lr)] <= high)

    def runs_at(self, name: str, lr: float) -> TrainingRun:
        """The runs (one per seed) of one optimizer at the grid rate nearest ``lr``."""
        if name not in self.names:
            raise ValueError(f"name must be one of {list(self.names)}, got {name!r}")
        start = (self.names.index(name) * len(self.lrs) + self.nearest(lr)) * len(self.seeds)
        return self.run.select(slice(start, start + len(self.seeds)))

    def too_large(self, name: str) -> np.ndarray:
        """Per rate, whether it is too large: from the first rate above the best that falls more than ``within`` below it."""
        mean = self.mean(name)
        return np.cumsum((self.lrs > self.lrs[mean.argmax()]) & (mean < mean.max() - self.within)) > 0

    def edge_margin(self) -> float:
        """How close any rate's mean accuracy comes to its optimizer's line ``best - within`` (in accuracy)."""
        return float(min(np.abs(self.mean(n) - (self.mean(n).max() - self.within)).min() for n in self.names))

    def table(self) -> str:
        """The mean accuracy per optimizer and rate, ``--`` for the rates that are too large."""
        rows = ["lr        " + "".join(f"{lr:8.0e}" for lr in self.lrs)]
        for name in self.names:
            rows.append(f"{name:10s}" + "".join("      --" if big else f"{a:8.3f}" for a, big in zip(self.mean(name), self.too_large(name))))
        return "\n".join(rows)

    def ranges_table(self) -> str:
        """Per optimizer: the best rate, its mean accuracy, and the good range with its width."""
        rows = [f"optimizer   best lr   best acc   within {100 * self.within:g} points of the best"]
        for name in self.names:
            mean = self.mean(name)
            low, high = self.good_lrs(name)
            count = int(np.sum((self.lrs >= low) & (self.lrs <= high)))
            rows.append(f"{name:10s}  {self.best_lr(name):7.0e}   {mean.max():8.3f}   {low:.0e} .. {high:.0e}"
                        f"  ({count} of {len(self.lrs)} rates, {self.good_decades(name):.1f} decades)")
        return "\n".join(rows)


def lr_sweep(model: MLP, optimizers, x, y, epochs: int, batch_size: int, lrs, seeds, x_val, y_val) -> Sweep:
    """Every optimizer at every learning rate with every seed, in one :func:`train` call.

    Args:
        model, x, y, epochs, batch_size: as for :func:`train`.
        optimizers: a mapping from a name to a function of the learning rate
            that makes the optimizer, e.g. ``{"SGD": SGD, "RMSProp": RMSProp}``.
        lrs: the learning rates, increasing, each > 0, shape ``(K,)``.
        seeds: the seeds, shape ``(S,)``; runs with one seed start from the
            same weights and see the same mini-batches, whatever the
            optimizer or rate.
        x_val, y_val: the held-out data scored after the last epoch.

    Returns:
        a :class:`Sweep` of ``len(optimizers) * K * S`` runs (evaluated at
        the start and the end only, ``every_epoch=False``).

    Raises:
        ValueError: no optimizers, ``lrs`` not increasing positive numbers, no seeds.
    """
    if not optimizers:
        raise ValueError("optimizers must map at least one name to a function of the learning rate")
    lrs = check.real_array("lrs", lrs).astype(float).ravel()
    if lrs.size == 0 or np.any(lrs <= 0) or np.any(np.diff(lrs) <= 0):
        raise ValueError(f"lrs must be increasing positive learning rates, got {lrs}")
    seeds = np.asarray(seeds).ravel()
    if seeds.size == 0:
        raise ValueError("seeds must list at least one seed")
    per_run = np.repeat(lrs, len(seeds))[:, None]  # every rate with every seed
    run = train(model, Stacked([make(per_run) for make in optimizers.values()]), x, y, epochs, batch_size,
                seeds=np.tile(seeds, len(lrs) * len(optimizers)), x_test=x_val, y_test=y_val, every_epoch=False)
    shape = (len(optimizers), len(lrs), len(seeds))
    return Sweep(tuple(optimizers), lrs, seeds, run, dict(zip(optimizers, run.test_accuracy[-1].reshape(shape))),
                 dict(zip(optimizers, run.train_loss[-1].reshape(shape))))


# ---------------------------------------------------------------- the frameworks' defaults


class RMSPropDefaults(NamedTuple):
    """One framework's RMSProp as it comes (``docs/conventions.md``), rebuilt from the library's :class:`RMSProp`.

    Fields: ``lr`` (None: no default, it must be given); ``rho`` and the
    framework's name for it; ``eps`` and whether it goes inside the root;
    ``s0``, the mean square's starting value (TF1: 1); ``centered``; the
    momentum default as the framework writes it.
    """

    lr: float | None
    rho: float
    rho_name: str
    eps: float
    eps_in_sqrt: bool
    s0: float
    centered: bool
    momentum: str

    def optimizer(self, lr: float | None = None) -> RMSProp:
        """The library's RMSProp with these settings, at ``lr`` or else the default (ValueError if there is none)."""
        lr = self.lr if lr is None else lr
        if lr is None:
            raise ValueError("this framework has no default learning rate: give lr")
        return RMSProp(lr, rho=self.rho, eps=self.eps, eps_in_sqrt=self.eps_in_sqrt, centered=self.centered)

    def first_step(self, g: float, lr: float = 1.0) -> float:
        """The first update for a gradient ``g``, taken by the rebuilt optimizer from :math:`s_0`."""
        optimizer = self.optimizer(lr)
        state = optimizer.init(np.zeros(1))._replace(mean_sq=np.full(1, float(self.s0)))
        return float(call_update(optimizer, np.array([g], dtype=float), state, params=np.zeros(1))[0][0])

    def first_step_formula(self, g: float, lr: float = 1.0) -> float:
        r"""The same step by its formula, :math:`\text{lr}\, g / (\sqrt{\rho s_0 + (1-\rho) g^2\ [+\,\epsilon]}\ [+\,\epsilon])`."""
        inside, outside = (self.eps, 0.0) if self.eps_in_sqrt else (0.0, self.eps)
        return lr * g / (np.sqrt(self.rho * self.s0 + (1 - self.rho) * g**2 + inside) + outside)


class AdamDefaults(NamedTuple):
    """One framework's Adam as it comes: ``lr`` (None: none), ``beta1``, ``beta2``, ``eps``, and whether
    ``eps`` is added to the bias-corrected :math:`\\sqrt{\\hat v}` (torch, optax) or to :math:`\\sqrt v` before the correction (Keras)."""

    lr: float | None
    beta1: float
    beta2: float
    eps: float
    eps_to_corrected: bool

    def optimizer(self, lr: float | None = None) -> Adam:
        """The library's Adam (which adds ``eps`` to :math:`\\sqrt{\\hat v}`, as torch) at ``lr`` or else the default."""
        lr = self.lr if lr is None else lr
        if lr is None:
            raise ValueError("this framework has no default learning rate: give lr")
        return Adam(lr, self.beta1, self.beta2, self.eps)

    def first_step(self, g: float, lr: float = 1.0) -> float:
        """The first update for a gradient ``g``."""
        optimizer = self.optimizer(lr)
        return float(call_update(optimizer, np.array([g], dtype=float), optimizer.init(np.zeros(1)), params=np.zeros(1))[0][0])


#: RMSProp as torch, Keras 3, optax, TensorFlow 1, d2l and the seed post ship it (``docs/conventions.md``).
RMSPROP_DEFAULTS = {
    "torch.optim.RMSprop": RMSPropDefaults(1e-2, 0.99, "alpha", 1e-8, False, 0.0, False, "0"),
    "keras.optimizers.RMSprop": RMSPropDefaults(1e-3, 0.9, "rho", 1e-7, True, 0.0, False, "0"),
    "optax.rmsprop": RMSPropDefaults(None, 0.9, "decay", 1e-8, True, 0.0, False, "None"),
    "tf.compat.v1.train.RMSPropOptimizer": RMSPropDefaults(None, 0.9, "decay", 1e-10, True, 1.0, False, "0"),
    "d2l, chapter RMSProp": RMSPropDefaults(None, 0.9, "gamma", 1e-6, True, 0.0, False, "none"),
    "the seed post (rmsprop_lib's defaults)": RMSPropDefaults(None, 0.9, "rho", 1e-6, False, 0.0, False, "0"),
}

#: Adam as torch, Keras 3 and optax ship it.
ADAM_DEFAULTS = {
    "torch.optim.Adam": AdamDefaults(1e-3, 0.9, 0.999, 1e-8, True),
    "keras.optimizers.Adam": AdamDefaults(1e-3, 0.9, 0.999, 1e-7, False),
    "optax.adam": AdamDefaults(None, 0.9, 0.999, 1e-8, True),
}


def defaults_table(accuracy, g: float = 0.01) -> str:
    """:data:`RMSPROP_DEFAULTS` and :data:`ADAM_DEFAULTS` as a table, with each row's first step for a gradient ``g``
    (in units of lr) and, where ``accuracy`` (a mapping from a row's name to per-seed accuracies) has the row, their range."""

    def acc(call):
        return f"{accuracy[call].min():.3f} - {accuracy[call].max():.3f}" if call in accuracy else "--"

    rows = [f"{'RMSProp':39s}{'lr':>7s}  {'decay rate':13s}{'eps':>7s}  {'eps goes':9s}{'s_0':>4s}  {'centered, momentum':20s}"
            f"{'first step':>11s}   validation accuracy"]
    for call, d in RMSPROP_DEFAULTS.items():
        rows.append(f"{call:39s}{d.lr or 'none':>7}  {d.rho_name + ' ' + format(d.rho, 'g'):13s}{d.eps:7.0e}  "
                    f"{'inside' if d.eps_in_sqrt else 'outside':9s}{d.s0:4g}  {('yes' if d.centered else 'no') + ', ' + d.momentum:20s}"
                    f"{d.first_step(g):8.2f} lr   {acc(call)}")
    rows.append(f"{'Adam':39s}{'lr':>7s}  {'beta1, beta2':13s}{'eps':>7s}  {'eps added to'}")
    for call, d in ADAM_DEFAULTS.items():
        rows.append(f"{call:39s}{d.lr or 'none':>7}  {f'{d.beta1:g}, {d.beta2:g}':13s}{d.eps:7.0e}  "
                    f"{'sqrt(v_hat)' if d.eps_to_corrected else 'sqrt(v), before the bias correction':39s}"
                    f"{d.first_step(g):8.2f} lr   {acc(call)}")
    return "\n".join(rows)


# ---------------------------------------------------------------- runs that misbehave


def bound_above(values, bounds=(1, 2, 5, 10, 20, 50)) -> str:
    """``"> b"``: the largest of ``bounds`` below every value (``"> 0"`` if none is) — a printout that holds on any machine."""
    return "> " + str(max([b for b in bounds if b < np.min(values)], default=0))


def bound_below(values, bounds=(0.1, 0.2, 0.5, 1)) -> str:
    """``"< b"``: the smallest of ``bounds`` above every value (``"< inf"`` if none is)."""
    return "< " + str(min([b for b in bounds if b > np.max(values)], default=np.inf))


def symptom_table(cases, unstable=(), rough=(), good: float = 0.93) -> str:
    """Notebook 07's "When a run misbehaves" table: per case and run, the worst mini-batch loss of the first and
    last epoch, and the training loss and held-out accuracy at the end (ranges over the seeds).

    ``cases`` maps a symptom to ``{label: TrainingRun}``. A label in
    ``unstable`` (a run whose digits change with the arithmetic's last bits)
    prints only a bound on its first epoch; one in ``rough`` prints bounds
    (:func:`bound_above`, :func:`bound_below`) and whether every seed's
    accuracy is at least ``good``.
    """
    first_run = next(iter(next(iter(cases.values())).values()))
    epochs, seeds = len(first_run.losses) // first_run.steps_per_epoch, first_run.losses.shape[1]
    rows = [f"{'':46s}worst mini-batch loss       after {epochs} epochs ({seeds} seeds)",
            f"{'':46s}{'epoch 1':>9s}{f'epoch {epochs}':>10s}        training loss    accuracy"]
    for case, runs in cases.items():
        rows.append(case)
        for label, run in runs.items():
            loss, acc = run.train_loss[-1], run.test_accuracy[-1]
            first, last = run.worst_loss(1), run.worst_loss(len(run.losses) // run.steps_per_epoch)
            if label in unstable:
                rows.append(f"  {label:44s}{bound_above(first):>9s}{'--':>10s}        {'--':16s} --")
            elif label in rough:
                rows.append(f"  {label:44s}{bound_above(first):>9s}{bound_below(last):>10s}        {bound_below(loss):16s} "
                            f"{f'>= {good:g}' if acc.min() >= good - 1e-9 else '--'}")
            else:
                rows.append(f"  {label:44s}{first.max():9.2f}{last.max():10.2f}        "
                            f"{loss.min():.3f} - {loss.max():.3f}    {acc.min():.3f} - {acc.max():.3f}")
    return "\n".join(rows)
