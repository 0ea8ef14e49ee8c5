"""The NumPy network: hand-written gradients against finite differences, shapes, seeds, and training."""

import numpy as np
import pytest

from rmsprop_lib import SGD, AdaGrad, Adam, Momentum, RMSProp
from rmsprop_lib.checks import check_dense_backward
from rmsprop_lib.experiments.network import (MLP, dense_backward, dense_forward,
                                             softmax_cross_entropy)
from rmsprop_lib.experiments.training import train

OPTIMIZERS = [SGD(0.5), Momentum(0.05), AdaGrad(0.05), RMSProp(0.005), Adam(0.005)]


def numerical_grad(f, theta, h=1e-6):
    """Central differences of a scalar function, one coordinate at a time."""
    grad = np.zeros_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step.flat[i] = h
        grad.flat[i] = (f(theta + step) - f(theta - step)) / (2 * h)
    return grad


def small_problem(sizes, seed=0, n=7):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)


# ------------------------------------------------------------- gradients


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("sizes", [(5, 4, 3), (4, 6, 5, 3)])
def test_gradient_matches_finite_differences(sizes, activation):
    model = MLP(sizes, activation)
    x, y = small_problem(sizes)
    theta = model.init(1) + 0.01  # nonzero biases, so their gradients are exercised too
    loss, grad = model.loss_and_grad(theta, x, y)
    numeric = numerical_grad(lambda t: model.loss(t, x, y), theta)
    assert grad.shape == theta.shape
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    assert loss == pytest.approx(model.loss(theta, x, y))


def test_dense_backward_matches_finite_differences_and_the_check():
    rng = np.random.default_rng(2)
    x, w, b, upstream = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(4, 2))
    grad_x, grad_w, grad_b = dense_backward(x, w, upstream)
    scalar = lambda x_, w_, b_: np.sum(upstream * dense_forward(x_, w_, b_))  # L = sum(G * y): dL/dy = G
    np.testing.assert_allclose(grad_x, numerical_grad(lambda t: scalar(t, w, b), x), rtol=1e-6)
    np.testing.assert_allclose(grad_w, numerical_grad(lambda t: scalar(x, t, b), w), rtol=1e-6)
    np.testing.assert_allclose(grad_b, numerical_grad(lambda t: scalar(x, w, t), b), rtol=1e-6)
    assert check_dense_backward(dense_backward)


def test_softmax_cross_entropy_is_stable_and_its_gradient_rows_sum_to_zero():
    logits = np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]])
    loss, grad = softmax_cross_entropy(logits, np.array([1, 2]))
    assert np.isfinite(loss) and loss == pytest.approx((2000.0 + np.log(3)) / 2)
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, atol=1e-15)
    np.testing.assert_allclose(grad[1], np.array([1, 1, -2]) / 3 / 2)


def test_a_batch_of_networks_equals_each_network_alone():
    model = MLP((5, 4, 3))
    x, y = small_problem(model.sizes)
    thetas = model.init([3, 4, 5])
    losses, grads = model.loss_and_grad(thetas, x, y)
    assert losses.shape == (3,) and grads.shape == thetas.shape
    for r in range(3):
        loss, grad = model.loss_and_grad(thetas[r], x, y)
        assert losses[r] == pytest.approx(loss)
        np.testing.assert_allclose(grads[r], grad, rtol=1e-12)
    # one mini-batch per network: x of shape (runs, n, n_in)
    xs = np.stack([x, x[::-1], 2 * x])
    ys = np.stack([y, y[::-1], y])
    losses, grads = model.loss_and_grad(thetas, xs, ys)
    np.testing.assert_allclose(grads[2], model.loss_and_grad(thetas[2], 2 * x, y)[1], rtol=1e-12)


# ---------------------------------------------------------------- shapes


def test_parameters_are_one_flat_vector_with_views_per_layer():
    model = MLP((64, 32, 10))
    assert model.n_params == 64 * 32 + 32 + 32 * 10 + 10 == 2410
    theta = model.init(0)
    assert theta.shape == (2410,)
    (w1, b1), (w2, b2) = model.unpack(theta)
    assert (w1.shape, b1.shape, w2.shape, b2.shape) == ((64, 32), (32,), (32, 10), (10,))
    assert np.shares_memory(w1, theta) and np.shares_memory(b2, theta)
    assert np.all(b1 == 0) and np.all(b2 == 0)
    logits, _ = model.forward(theta, np.zeros((5, 64)))
    assert logits.shape == (5, 10)
    batched = model.init([0, 1])
    assert model.unpack(batched)[0][0].shape == (2, 64, 32)
    assert model.forward(batched, np.zeros((5, 64)))[0].shape == (2, 5, 10)
    assert model.accuracy(batched, np.zeros((5, 64)), np.zeros(5, int)).shape == (2,)


def test_initial_weights_have_the_stated_scale():
    w_tanh = MLP((400, 300, 10)).unpack(MLP((400, 300, 10)).init(0))[0][0]
    w_relu = MLP((400, 300, 10), "relu").unpack(MLP((400, 300, 10), "relu").init(0))[0][0]
    assert w_tanh.std() == pytest.approx(np.sqrt(1 / 400), rel=0.02)
    assert w_relu.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: MLP((64,)), "sizes must be at least two positive integers"),
        (lambda: MLP((64, 0, 10)), "sizes must be at least two positive integers"),
        (lambda: MLP((64, 32, 10), "sigmoid"), "activation must be one of"),
        (lambda: MLP((4, 3)).unpack(np.zeros(14)), r"theta must have shape \(\.\.\., 15\)"),
        (lambda: MLP((4, 3)).forward(np.zeros(15), np.zeros((2, 5))), r"x must have shape \(\.\.\., n, 4\)"),
        (lambda: MLP((4, 3)).loss(np.zeros(15), np.zeros((2, 4)), np.array([0, 3])), r"labels must be integers in \[0, 2\]"),
        (lambda: MLP((4, 3)).loss(np.zeros(15), np.zeros((2, 4)), np.array([0.0, 1.0])), r"labels must be integers in \[0, 2\]"),
    ],
)
def test_bad_input_gets_a_clear_message(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ----------------------------------------------------------------- seeds


def test_initialisation_is_determined_by_the_seed():
    model = MLP((6, 5, 3))
    np.testing.assert_array_equal(model.init(3), model.init(3))
    assert not np.array_equal(model.init(3), model.init(4))
    np.testing.assert_array_equal(model.init([3, 4])[1], model.init(4))
    np.testing.assert_array_equal(model.init(np.random.default_rng(3)), model.init(3))


# ------------------------------------------- optimizers, unchanged, on any shape


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("shape", [(6,), (2, 3), (3, 2, 1), (1, 6)])
def test_optimizers_work_elementwise_on_any_shape(optimizer, shape):
    """The same updates whatever the parameters' shape: a flat vector, a matrix, a batch of runs."""
    rng = np.random.default_rng(0)
    flat_state, state = optimizer.init(np.zeros(6)), optimizer.init(np.zeros(shape))
    for _ in range(3):
        g = rng.normal(size=6)
        flat_updates, flat_state = optimizer.update(g, flat_state)
        updates, state = optimizer.update(g.reshape(shape), state)
        assert updates.shape == shape
        np.testing.assert_array_equal(updates, flat_updates.reshape(shape))


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: type(o).__name__)
def test_every_optimizer_trains_the_network_unchanged(optimizer):
    """The loop from the module docstring, on a small learnable problem: the loss falls."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)  # a linearly separable rule
    model = MLP((4, 8, 2))
    theta = model.init(0)
    state = optimizer.init(theta)
    first = model.loss(theta, x, y)
    for _ in range(60):
        loss, grad = model.loss_and_grad(theta, x, y)
        updates, state = optimizer.update(grad, state)
        theta = theta - updates
    assert model.loss(theta, x, y) < 0.5 * first
    assert model.accuracy(theta, x, y) >= 0.9


def test_training_on_digits_reduces_the_loss_for_every_optimizer():
    from rmsprop_lib.experiments.digits import load_digits

    x, y = load_digits()
    x, y = x[:400], y[:400]
    for optimizer in OPTIMIZERS:
        run = train(MLP((64, 32, 10)), optimizer, x, y, epochs=3, batch_size=32, seeds=[0, 1])
        assert np.all(run.train_loss[-1] < 0.5 * run.train_loss[0]), type(optimizer).__name__
        assert not run.diverged.any()


def test_one_input_for_many_networks_equals_one_product_per_network():
    rng = np.random.default_rng(5)
    x, w, b = rng.normal(size=(7, 4)), rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 5))
    y = dense_forward(x, w, b)
    assert y.shape == (2, 3, 7, 5)
    np.testing.assert_allclose(y[1, 2], x @ w[1, 2] + b[1, 2], rtol=1e-12)
    np.testing.assert_allclose(y, np.matmul(x, w) + b[..., None, :], rtol=1e-12)


def test_weights_are_one_matrix_per_network_flattened_and_a_copy():
    model = MLP((4, 3, 2))
    theta = model.init([0, 1])
    w2 = model.weights(theta, 1)
    assert w2.shape == (2, 6)
    np.testing.assert_array_equal(w2[1], model.unpack(theta[1])[1][0].ravel())
    w2[:] = 0.0
    assert np.any(model.unpack(theta)[1][0] != 0)  # a copy: theta untouched
    assert model.weights(theta[0], 0).shape == (12,)
    for bad in (2, -1, True):
        with pytest.raises(ValueError, match="layer must be an integer in 0..1"):
            model.weights(theta, bad)


def test_saturation_counts_hidden_units_beyond_the_level():
    model = MLP((2, 3, 2))
    theta = np.zeros(model.n_params)
    w1, b1 = model.unpack(theta)[0]
    b1[:] = [0.0, 3.0, -10.0]  # tanh: 0, 0.995, -1.0 whatever the input is
    x = np.zeros((5, 2))
    assert model.saturation(theta, x) == pytest.approx(2 / 3)
    assert model.saturation(theta, x, level=0.999) == pytest.approx(1 / 3)
    np.testing.assert_allclose(model.saturation(np.stack([theta, np.zeros_like(theta)]), x), [2 / 3, 0.0])
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\)"):
        model.saturation(theta, x, level=1.0)
    with pytest.raises(ValueError, match="no activations"):
        MLP((2, 2)).saturation(np.zeros(6), x)
