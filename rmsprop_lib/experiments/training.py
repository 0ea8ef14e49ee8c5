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
from rmsprop_lib.experiments.network import MLP

__all__ = ["LayerNorms", "TrainingRun", "train", "Stacked", "ClipGradNorm", "WithL2", "StateSize", "state_size"]


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
