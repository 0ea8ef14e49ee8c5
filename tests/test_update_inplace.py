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


def test_update_inplace_keeps_the_dtype():
    # Policy rule 2: a NumPy float64 hyperparameter or a float64 gradient does not change float32 arithmetic.
    params = np.ones(10, dtype=np.float32)
    for opt, grad in ((RMSProp(lr=np.float64(0.1)), np.ones(10, np.float32)), (RMSProp(lr=0.1), np.ones(10))):
        state = opt.init(params)
        expected = params - opt.update(grad, state)[0]
        assert expected.dtype == np.float32
        opt.update_inplace(params, grad, state)
        assert params.dtype == np.float32 and state.mean_sq.dtype == np.float32
        np.testing.assert_array_equal(params, expected)
        params[:] = 1


def test_update_inplace_on_integer_params_says_to_use_floating_point_params():
    params = np.zeros(4, dtype=np.int64)
    opt = RMSProp(lr=0.1)
    with pytest.raises(TypeError, match="params must be a floating-point NumPy array, got an array of int64; "
                                        r"convert it first, e.g. params = np.asarray\(params, dtype=np.float32\)"):
        opt.update_inplace(params, np.ones(4), opt.init(params))


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_in_place_steps_equal_pure_steps_for_float16_params(options):
    # float16 params: float32 state, float16 updates; the same numbers either way
    rng = np.random.default_rng(1)
    opt = RMSProp(lr=0.01, **options)
    params = rng.standard_normal(300).astype(np.float16)
    pure_params, pure_state, state = params.copy(), opt.init(params), opt.init(params)
    assert state.mean_sq.dtype == np.float32
    for _ in range(3):
        grad = rng.standard_normal(300).astype(np.float16)
        updates, pure_state = opt.update(grad, pure_state)
        assert updates.dtype == np.float16
        pure_params = pure_params - updates
        state = opt.update_inplace(params, grad, state, chunk=64)
    assert params.dtype == np.float16
    np.testing.assert_array_equal(params, pure_params)


def test_in_place_refusals_leave_params_and_state_untouched():
    params = np.ones(200, dtype=np.float32)
    opt = RMSProp(lr=0.1)
    state = opt.init(params)
    grad = np.ones(200, dtype=np.float32)
    grad[150] = 1e20  # its square overflows float32 (policy rule 4)
    with pytest.raises(FloatingPointError, match="overflow"):
        opt.update_inplace(params, grad, state, chunk=64)
    assert np.all(params == 1) and np.all(state.mean_sq == 0)


def test_in_place_nan_after_an_infinite_gradient_as_update_does():
    params = np.ones(3)
    opt = RMSProp(lr=0.1)
    state, pure_state = opt.init(params), opt.init(params)
    for grad in ([np.inf, 1.0, 1.0], [1.0, 1.0, 1.0]):
        updates, pure_state = opt.update(np.array(grad), pure_state)
        state = opt.update_inplace(params, np.array(grad), state)
        assert np.isnan(updates[0]) and np.isnan(params[0]) and np.all(np.isfinite(params[1:]))
