"""Every optimizer of the library through every loop and wrapper that calls one (issue 20).

The library's loops (``minimize``, ``minimize_stochastic``,
``minimize_shared_batches``, ``updates_at``, ``train``, ``online.run``) and
wrappers (``WarmupThenDecay``, ``InverseTimeDecay``, ``Stacked``) must pass
the current parameters to the optimizers that need them (``uses_params =
True``: AdamW with its default weight decay, Lion and Adafactor with weight
decay on, and any wrapper around them), as optax's wrappers do since optax
PR #150, and through one helper (``_plumbing.call_update``): a source scan
fails on any other ``.update(`` call of an optimizer in the library, so a
loop added later cannot skip it. The optimizers are found by walking the
library, so one added later without an entry in ``OPTIMIZERS`` fails here.
Every run must stay finite and move its parameters. The explorers run their
optimizers through these loops.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import pkgutil

import numpy as np
import pytest

import rmsprop_lib
from rmsprop_lib import SGD, AdaGrad, Adafactor, Adam, AdamW, AMSGrad, FullMatrixRMSProp, Lion, Momentum, RMSProp, Rprop, WarmupThenDecay, minimize, problems
from rmsprop_lib.experiments import online
from rmsprop_lib.numerics._plumbing import call_update
from rmsprop_lib.experiments.network import MLP
from rmsprop_lib.experiments.stochastic import InverseTimeDecay, Recording, line_fit, minimize_shared_batches, minimize_stochastic, updates_at
from rmsprop_lib.experiments.training import ClipGradNorm, Stacked, WithL2, train
from rmsprop_lib.experiments.in_depth import TF1RMSProp

# One factory per optimizer class, weight decay on where it has one. ``batch_ndim=1``: every entry point
# below runs a batch of runs along the first axis (Adafactor must not factor across runs).
OPTIMIZERS = {
    "SGD": lambda: SGD(0.05),
    "Momentum": lambda: Momentum(0.05, 0.5),
    "AdaGrad": lambda: AdaGrad(0.05),
    "RMSProp": lambda: RMSProp(0.01),
    "Adam": lambda: Adam(0.01),
    "Rprop": lambda: Rprop(0.01),
    "Lion": lambda: Lion(0.01, weight_decay=0.1),
    "AMSGrad": lambda: AMSGrad(0.01),
    "AdamW": lambda: AdamW(0.01),  # weight_decay=1e-2 by default
    "Adafactor": lambda: Adafactor(0.01, weight_decay=0.1, batch_ndim=1),
    "FullMatrixRMSProp": lambda: FullMatrixRMSProp(0.01),
    "TF1RMSProp": lambda: TF1RMSProp(0.01, eps_in_sqrt=True),  # 06: s_0 = 1, as TensorFlow 1
}
WRAPPERS = {
    "WarmupThenDecay": lambda opt: WarmupThenDecay(opt, warmup_steps=3, decay_steps=5),
    "InverseTimeDecay": lambda opt: InverseTimeDecay(opt, decay_steps=5),
    "Stacked": lambda opt: Stacked([opt, RMSProp(0.01)]),
    "Recording": lambda opt: Recording(opt),  # records the updates
    "ClipGradNorm": lambda opt: ClipGradNorm(opt, max_norm=1.0),
    "WithL2": lambda opt: WithL2(opt, weight_decay=0.1),
}
NEEDS_PARAMS = {"Lion", "AdamW", "Adafactor"}
ALWAYS_NEEDS_PARAMS = {"WithL2"}  # wrappers that use the parameters themselves, around any optimizer


def _library_optimizer_classes() -> set[str]:
    """Every class in rmsprop_lib with ``init`` and ``update`` (optimizers and wrappers)."""
    found = set()
    for info in pkgutil.walk_packages(rmsprop_lib.__path__, "rmsprop_lib."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (inspect.isclass(value) and value.__module__ == module.__name__ and not name.startswith("_")
                    and callable(getattr(value, "init", None)) and callable(getattr(value, "update", None))):
                found.add(name)
    return found


def test_every_optimizer_class_of_the_library_is_tested_here():
    assert _library_optimizer_classes() == set(OPTIMIZERS) | set(WRAPPERS)


def _all():
    """(id, factory): every optimizer, and every optimizer inside every wrapper."""
    cases = [(name, make) for name, make in OPTIMIZERS.items()]
    for wrapper, wrap in WRAPPERS.items():
        cases += [(f"{wrapper}({name})", lambda make=make, wrap=wrap: wrap(make())) for name, make in OPTIMIZERS.items()]
    return cases


CASES = _all()
IDS = [name for name, _ in CASES]


def test_uses_params_is_true_exactly_for_those_that_need_them():
    for name, make in CASES:
        inner = name.split("(")[-1].rstrip(")")
        expected = inner in NEEDS_PARAMS or name.split("(")[0] in ALWAYS_NEEDS_PARAMS
        assert bool(getattr(make(), "uses_params", False)) == expected, name


@pytest.mark.parametrize("name, make", CASES, ids=IDS)
def test_minimize_runs_every_optimizer_and_equals_the_loop_by_hand(name, make):
    x0 = np.array([[1.5, -1.0], [-0.5, 2.0]])
    run = minimize(problems.bowl, make(), x0, steps=12)
    assert not np.any(run.diverged) and np.all(np.isfinite(run.xs)) and _moved(x0, run.final), name
    opt, x = make(), x0.copy()
    state = opt.init(x)
    for k in range(1, 13):
        kwargs = {"params": x} if getattr(opt, "uses_params", False) else {}
        updates, state = opt.update(problems.bowl.grad(x), state, **kwargs)
        x = x - updates
        np.testing.assert_array_equal(run.xs[k], x, err_msg=name)


def _moved(start, end) -> bool:
    """Every run's parameters changed (some coordinate of each run moved)."""
    start, end = np.broadcast_to(start, np.shape(end)), np.asarray(end)
    return bool(np.all(np.any(end != start, axis=-1)))


@pytest.mark.parametrize("name, make", CASES, ids=IDS)
def test_minimize_stochastic_runs_every_optimizer(name, make):
    x0 = np.array([[0.5, -0.5], [-1.0, 1.0]])
    run = minimize_stochastic(line_fit(n=40), make(), x0, steps=10, batch_size=8, seed=0, decay_steps=4)
    assert not np.any(run.diverged) and np.all(np.isfinite(run.xs)) and _moved(x0, run.final), name


@pytest.mark.parametrize("name, make", CASES, ids=IDS)
def test_minimize_shared_batches_runs_every_optimizer(name, make):
    x0 = np.array([[0.5, -0.5], [-1.0, 1.0]])
    run = minimize_shared_batches(line_fit(n=40), make(), x0, steps=10, batch_size=8, seed=0)
    assert not np.any(run.diverged) and np.all(np.isfinite(run.xs)) and _moved(x0, run.final), name


@pytest.mark.parametrize("name, make", CASES, ids=IDS)
def test_updates_at_runs_every_optimizer(name, make):
    # a fixed theta, so the updates themselves must be finite and non-zero (weight decay alone would move it)
    theta = np.array([[0.5, -0.5], [-1.0, 1.0]])
    updates = updates_at(line_fit(n=40), make(), theta, steps=6, batch_size=8, seed=0)
    assert updates.shape == (6, 2, 2) and np.all(np.isfinite(updates)), name
    assert np.all(np.any(updates[0] != 0, axis=-1)), name


@pytest.mark.parametrize("name, make", CASES, ids=IDS)
def test_train_runs_every_optimizer(name, make):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 4))
    y = (x[:, 0] > 0).astype(int)
    model, seeds = MLP((4, 3, 2)), [0, 1]
    run = train(model, make(), x, y, epochs=2, batch_size=8, seeds=seeds)
    assert not np.any(run.diverged) and np.all(np.isfinite(run.theta)) and np.all(np.isfinite(run.losses)), name
    start = np.stack([model.init(np.random.default_rng(seed)) for seed in seeds])
    assert _moved(start, run.theta), name


@pytest.mark.parametrize("name, make", CASES, ids=IDS)
def test_online_run_plays_every_optimizer(name, make):
    if name.startswith("Stacked"):  # two groups of runs: an even number of them
        result = online.run(make(), C=np.full((4, 1), 3.0), steps=9, x0=np.zeros((4, 1)))
    else:
        result = online.run(make(), C=np.full((3, 1), 3.0), steps=9, x0=np.zeros((3, 1)))
    assert np.all(np.isfinite(result.xs)) and np.all(np.abs(result.xs) <= 1) and _moved(result.xs[0], result.xs[-1]), name


@pytest.mark.parametrize("name", sorted(NEEDS_PARAMS))
def test_a_wrapper_called_without_params_names_the_loops_that_pass_them(name):
    opt = WarmupThenDecay(OPTIMIZERS[name]())
    with pytest.raises(ValueError, match="params is required.*minimize, minimize_stochastic, train"):
        opt.update(np.ones((2, 2)), opt.init(np.zeros((2, 2))))


def test_call_update_passes_params_only_to_those_that_use_them():
    class Plain:  # any object with init and update(grad, state) works in every loop
        def init(self, params):
            return 0

        def update(self, grad, state):
            return 0.5 * np.asarray(grad), state + 1

    updates, state = call_update(Plain(), np.ones(2), 0, params=np.zeros(2))
    np.testing.assert_array_equal(updates, [0.5, 0.5])
    assert state == 1
    run = minimize(problems.bowl, Plain(), [1.0, 1.0], steps=3)
    assert not run.diverged


def test_stacked_hands_each_optimizer_its_own_group_of_params():
    theta = np.arange(8.0).reshape(4, 2)
    both = Stacked([Lion(0.1, weight_decay=1.0), AdamW(0.1, weight_decay=0.0)])
    updates, _ = both.update(np.zeros((4, 2)), both.init(theta), params=theta)
    # Lion with g = 0 and m = 0: u = lr * (sign(0) + wd * theta) = lr * theta, rows 0-1 only
    np.testing.assert_allclose(updates[:2], 0.1 * theta[:2])
    np.testing.assert_array_equal(updates[2:], 0.0)


# ------------------------------------------------------------------ one helper, and no run coupled to another

LIBRARY = pathlib.Path(rmsprop_lib.__file__).parent
# The only direct calls: the helper itself; an optimizer calling its own update (RMSProp.update_inplace); AdamW
# calling the Adam inside it, which never uses the parameters (AdamW adds its decay itself).
DIRECT_CALLS_ALLOWED = {("numerics/_plumbing.py", "optimizer"), ("core/optimizers.py", "self"),
                        ("beyond/adam_variants.py", "self.adam")}


def test_no_loop_of_the_library_calls_an_optimizers_update_directly():
    found = set()
    for path in sorted(LIBRARY.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
                    and len(node.args) + len(node.keywords) >= 2):  # update(grad, state, ...): not dict.update(x)
                found.add((path.relative_to(LIBRARY).as_posix(), ast.unparse(node.func.value)))
    assert found - DIRECT_CALLS_ALLOWED == set(), "call the optimizer through _plumbing.call_update"
    assert ("numerics/_plumbing.py", "optimizer") in found  # the scan sees calls at all


@pytest.mark.parametrize("loop", ["minimize", "minimize_stochastic", "updates_at", "train", "online.run"])
@pytest.mark.parametrize("wrap", [lambda opt: opt, WarmupThenDecay, lambda opt: Stacked([opt, RMSProp(0.01)])],
                         ids=["alone", "WarmupThenDecay", "Stacked"])
def test_an_optimizer_whose_state_would_couple_the_runs_is_refused_naming_batch_ndim(loop, wrap):
    # Adafactor's default batch_ndim=0 makes the (runs, 2) points one matrix with shared row/column averages and RMS
    opt = wrap(Adafactor(0.01, weight_decay=0.1))
    points = np.array([[0.5, -0.5], [-1.0, 1.0], [1.0, 2.0], [0.1, 0.3]])
    calls = {
        "minimize": lambda: minimize(problems.bowl, opt, points, steps=2),
        "minimize_stochastic": lambda: minimize_stochastic(line_fit(n=40), opt, points, steps=2, batch_size=8, seed=0),
        "updates_at": lambda: updates_at(line_fit(n=40), opt, points, steps=2, batch_size=8, seed=0),
        "train": lambda: train(MLP((4, 3, 2)), opt, np.ones((8, 4)), np.zeros(8, int), epochs=1, batch_size=4,
                               seeds=[0, 1, 2, 3]),
        "online.run": lambda: online.run(opt, C=np.full((4, 1), 3.0), steps=2, x0=np.zeros((4, 1))),
    }
    with pytest.raises(ValueError, match=r"Adafactor has batch_ndim=0.*silently coupling them\. Pass batch_ndim=1"):
        calls[loop]()


def test_one_run_and_batch_ndim_matching_the_runs_are_accepted():
    minimize(problems.bowl, Adafactor(0.01), [0.5, -0.5], steps=2)  # one run: nothing to couple
    minimize(problems.bowl, Adafactor(0.01, batch_ndim=2), np.ones((3, 2, 2)), steps=2)  # a (3, 2) grid of runs
    with pytest.raises(ValueError, match="batch_ndim=1.*Pass batch_ndim=2"):
        minimize(problems.bowl, Adafactor(0.01, batch_ndim=1), np.ones((3, 2, 2)), steps=2)
