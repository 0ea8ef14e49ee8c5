"""Every public entry point, fed wrong types and values: a clear TypeError or ValueError naming the parameter.

Each parameter has a kind (a number, an integer, 2-D points, an array, an
option flag, a function, ...). Every fuzz value that the kind does not allow
must raise exactly ``TypeError`` or ``ValueError`` (not a NumPy subclass such
as ``_UFuncNoLoopError``), from rmsprop_lib's own code (not from deep inside
NumPy or ipywidgets), with the parameter's name in the message; the values it
allows must be accepted. Then hypothesis searches for more: any object at all
given as a hyperparameter is either accepted as a number or refused so.
"""

from __future__ import annotations

import decimal
import fractions
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmsprop_lib import SGD, AdaGrad, Adam, Momentum, RMSProp, minimize, problems, rmsprop_update
from rmsprop_lib import checks
from rmsprop_lib.experiments import digits, stochastic
from rmsprop_lib.drawing import widgets as rw
from rmsprop_lib.experiments.network import MLP
from rmsprop_lib.experiments.training import Stacked, train

LIBRARY = Path(__import__("rmsprop_lib").__file__).resolve().parent

FUZZ = {
    "the string '1e-3'": "1e-3",
    "bytes": b"0.1",
    "None": None,
    "True": True,
    "np.True_": np.True_,
    "Decimal": decimal.Decimal("0.1"),
    "complex": 1 + 2j,
    "np.complex128": np.complex128(0.5),
    "a list of strings": ["0.1", "0.2"],
    "a ragged list": [[1.0, 2.0], [3.0]],
    "a list with None": [0.1, None],
    "a dict": {"lr": 0.1},
    "a function": print,
    "a 0-d array": np.array(0.5),
    "a 0-d integer array": np.array(3),
    "a Fraction": fractions.Fraction(1, 2),
    "NaN": float("nan"),
    "inf": float("inf"),
    "-inf": -np.inf,
    "an array with NaN": np.array([[0.1], [np.nan]]),
}

# What each kind of parameter accepts among the fuzz values (everything else must be refused).
# An accepted value may still be out of range (3 is no decay rate): then a ValueError naming the parameter.
NUMBERS = {"a 0-d array", "a 0-d integer array", "a Fraction"}
ACCEPTS = {
    "number": NUMBERS,  # finite real numbers, however given
    "number or None": NUMBERS | {"None"},
    "integer": {"a 0-d integer array"},
    "points": set(),
    "grad": set(),  # the state has shape (3,): no fuzz value fits (NaN and inf inside a right-shaped grad are policy)
    "state": NUMBERS | {"NaN", "inf", "-inf"},  # s_prev: a number broadcasts; a NaN state is policy (rule 3)
    "array": NUMBERS | {"NaN", "inf", "-inf", "an array with NaN"},  # init's params: only their shape and dtype count
    "flag": {"True", "np.True_"},
    "text": {"the string '1e-3'"},
    "names": {"a list of strings"},
    "choice": {"None"},  # problem_dropdown's value: None means the first name
    "function": {"a function"},
    "path": {"None", "the string '1e-3'"},  # a file name: None is the committed file, "1e-3" is missing
    "other": set(),  # optimizers, problems, data, dicts of widgets
}


def _state(opt):
    return opt.init(np.zeros(3))


DATA = stochastic.line_fit(n=20)
X, Y = digits.load_digits()
SMALL = MLP((64, 4, 10))
TRAJECTORY = minimize(problems.bowl, SGD(0.1), [1.0, 1.0], 3)

# (entry point, parameter, kind, call with the bad value in place of the parameter)
ENTRIES = [
    ("rmsprop_update", "learning_rate", "number", lambda v: rmsprop_update(v, 0.9, 1e-6, [1.0], [0.0])),
    ("rmsprop_update", "rho", "number", lambda v: rmsprop_update(0.1, v, 1e-6, [1.0], [0.0])),
    ("rmsprop_update", "epsilon", "number", lambda v: rmsprop_update(0.1, 0.9, v, [1.0], [0.0])),
    ("rmsprop_update", "grad", "grad", lambda v: rmsprop_update(0.1, 0.9, 1e-6, v, np.zeros(3))),
    ("rmsprop_update", "s_prev", "state", lambda v: rmsprop_update(0.1, 0.9, 1e-6, np.ones(3), v)),
    ("SGD", "lr", "number", lambda v: SGD(v)),
    ("Momentum", "lr", "number", lambda v: Momentum(v)),
    ("Momentum", "beta", "number", lambda v: Momentum(0.1, beta=v)),
    ("Momentum", "nesterov", "flag", lambda v: Momentum(0.1, nesterov=v)),
    ("AdaGrad", "lr", "number", lambda v: AdaGrad(v)),
    ("AdaGrad", "eps", "number", lambda v: AdaGrad(0.1, eps=v)),
    ("RMSProp", "lr", "number", lambda v: RMSProp(v)),
    ("RMSProp", "rho", "number", lambda v: RMSProp(0.1, rho=v)),
    ("RMSProp", "eps", "number", lambda v: RMSProp(0.1, eps=v)),
    ("RMSProp", "momentum", "number", lambda v: RMSProp(0.1, momentum=v)),
    ("RMSProp", "centered", "flag", lambda v: RMSProp(0.1, centered=v)),
    ("RMSProp", "eps_in_sqrt", "flag", lambda v: RMSProp(0.1, eps_in_sqrt=v)),
    ("RMSProp", "bias_correction", "flag", lambda v: RMSProp(0.1, bias_correction=v)),
    ("Adam", "lr", "number", lambda v: Adam(v)),
    ("Adam", "beta1", "number", lambda v: Adam(0.1, beta1=v)),
    ("Adam", "beta2", "number", lambda v: Adam(0.1, beta2=v)),
    ("Adam", "eps", "number", lambda v: Adam(0.1, eps=v)),
    *[(f"{type(o).__name__}.init", "params", "array", lambda v, o=o: o.init(v)) for o in (SGD(0.1), Momentum(0.1), AdaGrad(0.1), RMSProp(0.1), Adam(0.1))],
    *[(f"{type(o).__name__}.update", "grad", "grad", lambda v, o=o: o.update(v, _state(o))) for o in (SGD(0.1), Momentum(0.1), AdaGrad(0.1), RMSProp(0.1), Adam(0.1))],
    ("RMSProp.update_inplace", "params", "other", lambda v: RMSProp(0.1).update_inplace(v, np.ones(3), _state(RMSProp(0.1)))),
    ("RMSProp.update_inplace", "grad", "grad", lambda v: RMSProp(0.1).update_inplace(np.zeros(3), v, _state(RMSProp(0.1)))),
    ("minimize", "problem", "other", lambda v: minimize(v, SGD(0.1), [1.0, 1.0], 3)),
    ("minimize", "optimizer", "other", lambda v: minimize(problems.bowl, v, [1.0, 1.0], 3)),
    ("minimize", "x0", "points", lambda v: minimize(problems.bowl, SGD(0.1), v, 3)),
    ("minimize", "steps", "integer", lambda v: minimize(problems.bowl, SGD(0.1), [1.0, 1.0], v)),
    ("minimize", "bound", "number", lambda v: minimize(problems.bowl, SGD(0.1), [1.0, 1.0], 3, bound=v)),
    ("quadratic", "a", "number", lambda v: problems.quadratic(v, 1.0)),
    ("quadratic", "b", "number", lambda v: problems.quadratic(1.0, v)),
    ("line_fit", "n", "integer", lambda v: stochastic.line_fit(n=v)),
    ("line_fit", "slope", "number", lambda v: stochastic.line_fit(n=5, slope=v)),
    ("line_fit", "noise", "number", lambda v: stochastic.line_fit(n=5, noise=v)),
    ("line_fit", "inputs", "points", lambda v: stochastic.line_fit(n=5, inputs=v)),
    ("line_fit", "seed", "integer", lambda v: stochastic.line_fit(n=5, seed=v)),
    ("minimize_stochastic", "data", "other", lambda v: stochastic.minimize_stochastic(v, SGD(0.1), [0.0, 0.0], 3, 4, 0)),
    ("minimize_stochastic", "optimizer", "other", lambda v: stochastic.minimize_stochastic(DATA, v, [0.0, 0.0], 3, 4, 0)),
    ("minimize_stochastic", "x0", "points", lambda v: stochastic.minimize_stochastic(DATA, SGD(0.1), v, 3, 4, 0)),
    ("minimize_stochastic", "steps", "integer", lambda v: stochastic.minimize_stochastic(DATA, SGD(0.1), [0.0, 0.0], v, 4, 0)),
    ("minimize_stochastic", "batch_size", "integer", lambda v: stochastic.minimize_stochastic(DATA, SGD(0.1), [0.0, 0.0], 3, v, 0)),
    ("minimize_stochastic", "seed", "integer", lambda v: stochastic.minimize_stochastic(DATA, SGD(0.1), [0.0, 0.0], 3, 4, v)),
    ("minimize_stochastic", "decay_steps", "number or None", lambda v: stochastic.minimize_stochastic(DATA, SGD(0.1), [0.0, 0.0], 3, 4, 0, decay_steps=v)),
    ("InverseTimeDecay", "optimizer", "other", lambda v: stochastic.InverseTimeDecay(v, 10.0)),
    ("example_grads", "params", "points", lambda v: stochastic.example_grads(DATA, v)),
    ("sample_batches", "n", "integer", lambda v: stochastic.sample_batches(np.random.default_rng(0), v, 2)),
    ("sample_batches", "rng", "other", lambda v: stochastic.sample_batches(v, 10, 2)),
    ("lr_slider", "value", "number", lambda v: rw.lr_slider(v, 1e-4, 10.0)),
    ("lr_slider", "low", "number", lambda v: rw.lr_slider(0.6, v, 10.0)),
    ("lr_slider", "high", "number", lambda v: rw.lr_slider(0.1, 1e-4, v)),
    ("lr_slider", "description", "text", lambda v: rw.lr_slider(0.1, description=v)),
    ("slider", "value", "number", lambda v: rw.slider(v, 0.0, 1.0, 0.1, "rho")),
    ("slider", "step", "number", lambda v: rw.slider(0.5, 0.0, 1.0, v, "rho")),
    ("int_slider", "value", "integer", lambda v: rw.int_slider(v, 1, 10)),
    ("int_slider", "high", "integer", lambda v: rw.int_slider(3, 1, v)),
    ("problem_dropdown", "names", "names", lambda v: rw.problem_dropdown(v)),
    ("problem_dropdown", "value", "choice", lambda v: rw.problem_dropdown(["bowl"], v)),
    ("Explorer", "controls", "other", lambda v: rw.Explorer(v, lambda **k: (problems.bowl, {}))),
    ("Explorer", "compute", "function", lambda v: rw.Explorer({"lr": rw.lr_slider()}, v)),
    ("Explorer", "figsize", "points", lambda v: rw.Explorer({"lr": rw.lr_slider()}, lambda **k: (problems.bowl, {}), figsize=v)),
    ("Explorer", "dpi", "integer", lambda v: rw.Explorer({"lr": rw.lr_slider()}, lambda **k: (problems.bowl, {}), dpi=v)),
    ("train", "optimizer", "other", lambda v: train(SMALL, v, X[:20], Y[:20], 1, 10)),
    ("train", "x", "other", lambda v: train(SMALL, SGD(0.1), v, Y[:20], 1, 10)),
    ("train", "epochs", "integer", lambda v: train(SMALL, SGD(0.1), X[:20], Y[:20], v, 10)),
    ("train", "batch_size", "integer", lambda v: train(SMALL, SGD(0.1), X[:20], Y[:20], 1, v)),
    ("train", "seeds", "integer", lambda v: train(SMALL, SGD(0.1), X[:20], Y[:20], 1, 10, seeds=v)),
    ("train", "bound", "number", lambda v: train(SMALL, SGD(0.1), X[:20], Y[:20], 1, 10, bound=v)),
    ("MLP", "sizes", "other", lambda v: MLP(v)),
    ("MLP", "activation", "other", lambda v: MLP((4, 2), activation=v)),
    ("Stacked", "optimizers", "other", lambda v: Stacked(v)),
    ("train_test_split", "test_size", "integer", lambda v: digits.train_test_split(X, Y, v)),
    ("train_test_split", "seed", "integer", lambda v: digits.train_test_split(X, Y, 10, seed=v)),
    ("load_digits", "path", "path", lambda v: digits.load_digits(v)),
    ("Trajectory.steps_to_reach", "loss", "array", lambda v: TRAJECTORY.steps_to_reach(v)),
]


def _raised_by_the_library(error: BaseException) -> bool:
    frame = error.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    return Path(frame.tb_frame.f_code.co_filename).resolve().is_relative_to(LIBRARY)


def _check_refusal(call, name, value):
    with pytest.raises((TypeError, ValueError)) as caught:
        call(value)
    error = caught.value
    assert type(error) in (TypeError, ValueError), f"{type(error).__module__}.{type(error).__name__}: {error}"
    assert _raised_by_the_library(error), f"raised inside a dependency: {error!r}"
    assert name.split("[")[0] in str(error), f"the message does not name {name}: {error}"


CASES = [(entry, name, kind, call, label) for entry, name, kind, call in ENTRIES for label in FUZZ]


@pytest.mark.parametrize("entry, name, kind, call, label", CASES, ids=[f"{e}({n}={label})" for e, n, _, _, label in CASES])
def test_every_entry_point_refuses_what_it_cannot_take_naming_the_parameter(entry, name, kind, call, label):
    value = FUZZ[label]
    if label not in ACCEPTS[kind]:
        _check_refusal(call, name, value)
        return
    try:
        call(value)  # a number is a number, however it is written
    except ValueError as error:  # but it may be out of range
        assert _raised_by_the_library(error) and name in str(error), error
    except FileNotFoundError as error:  # or name no file
        assert _raised_by_the_library(error) and "is missing" in str(error), error


@pytest.mark.parametrize("check", [checks.check_gd_step, checks.check_rmsprop_update, checks.check_dense_backward])
@pytest.mark.parametrize("label", ["the string '1e-3'", "None", "a list of strings", "a 0-d array"])
def test_the_checks_never_raise_and_ask_for_a_function(check, label, capsys):
    assert check(FUZZ[label]) is False
    assert "expected a function" in capsys.readouterr().out


def test_the_issues_messages():
    with pytest.raises(TypeError, match=r"^lr must be a number or an array of numbers, got the string '1e-3'; "
                                        r"convert it first, e.g. float\('1e-3'\)$"):
        RMSProp(lr="1e-3")
    with pytest.raises(TypeError, match="^lr must be a number or an array of numbers, got None$"):
        RMSProp(lr=None)
    with pytest.raises(TypeError, match="^lr must be a number or an array of numbers, got the bool True"):
        SGD(lr=True)
    with pytest.raises(TypeError, match=r"rho must be a float, an int or a NumPy array, got the Decimal Decimal\('0.1'\); "
                                        r"convert it first, e.g. float\(Decimal\('0.1'\)\)"):
        RMSProp(0.1, rho=decimal.Decimal("0.1"))
    with pytest.raises(TypeError, match="learning_rate must be a number .* got the string '1e-3'"):
        rmsprop_update("1e-3", 0.9, 1e-6, [1.0], [0.0])
    with pytest.raises(TypeError, match="momentum must be a number .* got the string '0.5'"):
        RMSProp(0.1, momentum="0.5")
    with pytest.raises(TypeError, match="centered must be True or False, got str 'False'"):
        RMSProp(0.1, centered="False")
    with pytest.raises(TypeError, match=r"optimizer must be an optimizer object, got the class RMSProp: create one first"):
        minimize(problems.bowl, RMSProp, [5.0, 4.0], 3)
    with pytest.raises(TypeError, match=r"problem must be a Problem .* e.g. problems.ALL\['bowl'\]"):
        minimize("bowl", RMSProp(0.1), [5.0, 4.0], 3)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: rw.lr_slider(0.0), r"value must be in \[low, high\] = \[0.0001, 10\], got value=0.0, low=0.0001, high=10.0"),
        (lambda: rw.lr_slider(-0.1), r"value must be in \[low, high\] = \[0.0001, 10\], got value=-0.1"),
        (lambda: rw.lr_slider(20.0, 1e-4, 10.0), r"value must be in \[low, high\] = \[0.0001, 10\], got value=20.0"),
        (lambda: rw.lr_slider(1e-5, 1e-4, 10.0), r"value must be in \[low, high\] = \[0.0001, 10\], got value=1e-05"),
        (lambda: rw.lr_slider(0.1, 0.0, 10.0), r"a log-scale slider needs 0 < low < high .* got value=0.1, low=0.0, high=10.0"),
        (lambda: rw.lr_slider(0.1, 1.0, 0.01), r"needs 0 < low < high|needs low < high"),
        (lambda: rw.slider(1.5, 0.0, 1.0, 0.1, "rho"), r"value must be in \[low, high\] = \[0, 1\], got value=1.5"),
        (lambda: rw.slider(0.5, 0.0, 1.0, 2.0, "rho"), r"step must be in \(0, high - low\] = \(0, 1\], got 2"),
        (lambda: rw.slider(0.5, 1.0, 0.0, 0.1, "rho"), r"a slider needs low < high: got value=0.5, low=1.0, high=0.0"),
        (lambda: rw.int_slider(0, 1, 10), r"value must be in \[low, high\] = \[1, 10\], got value=0, low=1, high=10"),
        (lambda: rw.problem_dropdown(["bowl"], "saddle"), r"value must be one of names \['bowl'\], got 'saddle'"),
    ],
)
def test_slider_factories_name_value_low_high_and_the_range(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_sliders_within_their_range_are_built_as_before():
    assert rw.lr_slider(0.1).value == pytest.approx(0.1)
    assert rw.lr_slider(1e-4, 1e-4, 10.0).min == pytest.approx(-4)
    assert isinstance(rw.int_slider(np.int64(5), 1, 10), widgets.IntSlider)


@given(st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.binary(max_size=5), st.complex_numbers(),
                 st.decimals(allow_nan=False), st.fractions(), st.floats(), st.integers(-(10**30), 10**30),
                 st.lists(st.one_of(st.floats(), st.text(max_size=3), st.none()), max_size=3),
                 st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)))
def test_any_object_as_a_learning_rate_is_a_number_or_refused_clearly(value):
    try:
        opt = RMSProp(value)
    except (TypeError, ValueError) as error:
        assert type(error) in (TypeError, ValueError) and _raised_by_the_library(error)
        assert "lr" in str(error)
        return
    # accepted: then it is a positive finite number, and the optimizer steps
    lr = np.asarray(opt.lr, dtype=float)
    assert np.all(np.isfinite(lr)) and np.all(lr > 0)
    if lr.ndim == 0:
        updates, _ = opt.update(np.ones(2), opt.init(np.zeros(2)))
        assert np.all(np.isfinite(updates))
