"""The notebook-08 optimizers keep float32 parameters float32, whatever the hyperparameters' type."""

import numpy as np
import pytest

from rmsprop_lib import (Adafactor, AdamW, AMSGrad, FullMatrixRMSProp, Lion, RMSProp, Rprop,
                         WarmupThenDecay)

B = 3
ARRAY = np.array([[0.1], [0.05], [0.02]])  # float64, one value per run


@pytest.mark.parametrize("make", [
    lambda lr: Rprop(lr=lr),
    lambda lr: Lion(lr=lr, weight_decay=0.1),
    lambda lr: AMSGrad(lr=lr),
    lambda lr: AMSGrad(lr=lr, bias_correction=False),
    lambda lr: AdamW(lr=lr),
    lambda lr: Adafactor(lr=lr, weight_decay=0.1, batch_ndim=1),
    lambda lr: FullMatrixRMSProp(lr=lr),
    lambda lr: WarmupThenDecay(RMSProp(lr=lr), warmup_steps=2, decay_steps=3),
    lambda lr: WarmupThenDecay(AdamW(lr=lr), warmup_steps=2, decay_steps=ARRAY * 100),
], ids=["rprop", "lion", "amsgrad", "amsgrad-paper", "adamw", "adafactor", "full-matrix", "schedule", "schedule-arrays"])
@pytest.mark.parametrize("lr", [0.1, np.float64(0.1), ARRAY], ids=["float", "np.float64", "array"])
def test_float32_stays_float32(make, lr):
    opt = make(lr)
    x = np.linspace(-1, 1, 2 * B, dtype=np.float32).reshape(B, 2)
    state = opt.init(x)
    for _ in range(3):
        kwargs = {"params": x} if getattr(opt, "uses_params", False) else {}
        updates, state = opt.update(np.float32(2.0) * x + np.float32(0.5), state, **kwargs)
        x = x - updates
        assert x.dtype == np.float32, type(opt).__name__
    assert np.all(np.isfinite(x))


# ------------------------------------------------ the numerics policy (rmsprop_lib.core.optimizers, rules 1, 3 and 4)

ALL = [Rprop(lr=0.1), Lion(lr=0.1, weight_decay=0.1), AMSGrad(lr=0.1), AdamW(lr=0.1), Adafactor(batch_ndim=1),
       FullMatrixRMSProp(lr=0.1), WarmupThenDecay(AdamW(lr=0.1), warmup_steps=2)]


def steps(opt, x, grads):
    state = opt.init(x)
    out = []
    for g in grads:
        kwargs = {"params": x} if getattr(opt, "uses_params", False) else {}
        u, state = opt.update(g, state, **kwargs)
        out.append(u)
    return out


@pytest.mark.parametrize("opt", ALL, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_a_nan_or_inf_gradient_gives_nan_steps_there_and_later(opt, bad):
    # rule 3: NaN where the gradient was NaN or inf, and in that coordinate (the whole run for the
    # full-matrix method, which mixes coordinates) from then on; the other run goes on
    x = np.array([[0.5, -0.3], [0.2, 0.1]])
    first = np.array([[bad, 1.0], [1.0, 1.0]])
    u = steps(opt, x, [np.ones((2, 2)), first, np.ones((2, 2)), -np.ones((2, 2))])
    for later in u[1:]:
        assert np.isnan(later[0, 0])
        assert np.all(np.isfinite(later[1]))
    assert np.all(np.isfinite(u[0]))


@pytest.mark.parametrize("opt", [AMSGrad(lr=0.1), AdamW(lr=0.1), Adafactor(), FullMatrixRMSProp(lr=0.1)],
                         ids=lambda o: type(o).__name__)
def test_a_gradient_whose_square_overflows_is_an_error(opt):
    # rule 4: |g| = 1e20 squares to inf in float32: a clear error, not a coordinate frozen at a step of 0
    x = np.zeros(2, dtype=np.float32)
    with pytest.raises(FloatingPointError, match="overflow"):
        steps(opt, x, [np.array([1e20, 1.0], dtype=np.float32)])


@pytest.mark.parametrize("opt", ALL, ids=lambda o: type(o).__name__)
def test_float16_parameters_stay_float16(opt):
    # rule 1: float32 state, updates in the gradient's float16
    x = np.array([[0.5, -0.25], [1.0, 2.0]], dtype=np.float16)
    state = opt.init(x)
    for _ in range(3):
        kwargs = {"params": x} if getattr(opt, "uses_params", False) else {}
        u, state = opt.update((2 * x + 1).astype(np.float16), state, **kwargs)
        x = x - u
        assert x.dtype == np.float16
    assert np.all(np.isfinite(x))
