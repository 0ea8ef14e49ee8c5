"""RMSProp.update_inplace takes the same steps as update, bit for bit, in the arrays it is given."""

import numpy as np
import pytest

from rmsprop_lib import RMSProp

OPTIONS = [
    {},
    {"centered": True},
    {"momentum": 0.9},
    {"eps_in_sqrt": True, "eps": 1e-8},
    {"bias_correction": True, "centered": True, "momentum": 0.5},
    {"eps": 0.0},
]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_steps_equal_pure_steps(options, dtype):
    rng = np.random.default_rng(0)
    opt = RMSProp(lr=0.01, **options)
    shape = (37, 29)  # 1073 values: several chunks of 100 and a short last one
    params = rng.standard_normal(shape).astype(dtype)
    params[0, :3] = 0.0
    pure_params, pure_state = params.copy(), opt.init(params)
    state = opt.init(params)
    for _ in range(4):
        grad = rng.standard_normal(shape).astype(dtype)
        grad[0, :3] = 0.0  # zero gradients (0/0 with eps = 0) on a few values
        updates, pure_state = opt.update(grad, pure_state)
        pure_params = pure_params - updates
        returned = opt.update_inplace(params, grad, state, chunk=100)
        assert all(new is old for new, old in zip(returned[:3], state[:3]))  # the same arrays, overwritten
        state = returned
    assert params.dtype == dtype
    np.testing.assert_array_equal(params, pure_params)
    for ours, pure in zip(state, pure_state):
        np.testing.assert_array_equal(ours, pure)


def test_update_inplace_refuses_what_it_cannot_do_in_place():
    params = np.zeros((4, 2))
    with pytest.raises(ValueError, match="scalar hyperparameters"):
        RMSProp(lr=np.full((4, 1), 0.1)).update_inplace(params, np.ones((4, 2)), RMSProp(0.1).init(params))
    opt = RMSProp(lr=0.1)
    with pytest.raises(ValueError, match="C-contiguous"):
        opt.update_inplace(params.T, np.ones((2, 4)), opt.init(params.T))
    with pytest.raises(ValueError, match="grad has shape"):
        opt.update_inplace(params, np.ones(3), opt.init(params))


def test_update_inplace_refuses_to_change_the_dtype():
    params = np.zeros(10, dtype=np.float32)
    opt = RMSProp(lr=np.float64(0.1))  # a NumPy float64 makes update compute in float64
    with pytest.raises(ValueError, match="another dtype"):
        opt.update_inplace(params, np.ones(10, dtype=np.float32), opt.init(params))
    with pytest.raises(ValueError, match="another dtype"):
        RMSProp(lr=0.1).update_inplace(params, np.ones(10), RMSProp(lr=0.1).init(params))
