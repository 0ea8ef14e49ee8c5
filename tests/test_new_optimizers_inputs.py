"""The notebook-08 entry points refuse wrong types and values with a message naming the parameter."""

import numpy as np
import pytest

from rmsprop_lib import (Adafactor, AdamW, AMSGrad, FullMatrixRMSProp, Lion, RMSProp, Rprop,
                         WarmupThenDecay)
from rmsprop_lib.experiments import online
from rmsprop_lib.beyond.adam_variants import l2_regularized
from rmsprop_lib import problems

WRONG = {"a string": "0.1", "None": None, "a complex number": 1 + 2j, "a dict": {"lr": 0.1}, "NaN": float("nan"),
         "a list of strings": ["0.1", "0.2"]}

HYPERPARAMETERS = [
    (Rprop, {"lr": 0.1}, ["lr", "eta_minus", "eta_plus", "step_min", "step_max"]),
    (Lion, {"lr": 0.1}, ["lr", "beta1", "beta2", "weight_decay"]),
    (AMSGrad, {"lr": 0.1}, ["lr", "beta1", "beta2", "eps"]),
    (AdamW, {"lr": 0.1}, ["lr", "beta1", "beta2", "eps", "weight_decay"]),
    (Adafactor, {}, ["lr", "beta2_decay", "eps2", "d", "weight_decay"]),
    (FullMatrixRMSProp, {"lr": 0.1}, ["lr", "rho", "eps"]),
]
CASES = [(cls, base, name, label) for cls, base, names in HYPERPARAMETERS for name in names for label in WRONG]


@pytest.mark.parametrize("cls, base, name, label", CASES, ids=[f"{c[0].__name__}-{c[2]}-{c[3]}" for c in CASES])
def test_wrong_hyperparameters_are_refused_by_name(cls, base, name, label):
    with pytest.raises(ValueError if label == "NaN" else TypeError, match=name):  # a wrong type is a TypeError
        cls(**{**base, name: WRONG[label]})


@pytest.mark.parametrize("make, name", [
    (lambda: AMSGrad(lr=0.1, bias_correction="False"), "bias_correction"),
    (lambda: Adafactor(batch_ndim=1.0), "batch_ndim"),
    (lambda: Adafactor(eps1="1e-30"), "eps1"),
    (lambda: WarmupThenDecay(RMSProp(lr=0.1), decay_steps="10"), "decay_steps"),
    (lambda: WarmupThenDecay("RMSProp"), "optimizer"),
    (lambda: online.run(RMSProp, 3.0, 10), "optimizer"),
    (lambda: online.run(RMSProp(lr=0.1), "3", 10), "C"),
    (lambda: online.run(RMSProp(lr=0.1), 3.0, 10, x0="0"), "x0"),
    (lambda: online.run(RMSProp(lr=0.1), 3.0, 10.0), "steps"),
    (lambda: l2_regularized(problems.bowl, "0.1"), "weight"),
])
def test_wrong_types_are_refused_by_name(make, name):
    with pytest.raises(TypeError, match=name):
        make()


@pytest.mark.parametrize("opt", [Rprop(lr=0.1), Lion(lr=0.1), AMSGrad(lr=0.1), AdamW(lr=0.1), Adafactor(),
                                 FullMatrixRMSProp(lr=0.1)], ids=lambda o: type(o).__name__)
def test_a_string_gradient_is_refused_by_name(opt):
    x = np.zeros(2)
    with pytest.raises(TypeError, match="grad"):
        opt.update(["a", "b"], opt.init(x), **({"params": x} if getattr(opt, "uses_params", False) else {}))
