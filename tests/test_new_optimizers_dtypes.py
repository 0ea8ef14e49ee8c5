"""The notebook-08 optimizers keep float32 parameters float32, whatever the hyperparameters' type."""

import numpy as np
import pytest

from rmsprop_lib import Adafactor, AdamW, AMSGrad, FullMatrixRMSProp, Lion, RMSProp, Rprop, WarmupThenDecay

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
