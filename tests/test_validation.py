"""Bad input gets a ValueError (wrong value) or TypeError (wrong type) that names the parameter and its valid range."""

import numpy as np
import pytest

from rmsprop_lib import SGD, AdaGrad, Adam, Momentum, RMSProp, minimize, problems, rmsprop_update

BAD_CONSTRUCTIONS = [
    # (constructor, message fragment)
    (lambda: SGD(lr=0), "lr must be > 0, got 0"),
    (lambda: SGD(lr=-0.1), "lr must be > 0, got -0.1"),
    (lambda: SGD(lr=float("nan")), "lr must be finite"),
    (lambda: SGD(lr=float("inf")), "lr must be finite"),
    (lambda: SGD(lr=np.array([[0.1], [-1.0]])), "lr must be > 0, got values from -1 to 0.1"),
    (lambda: Momentum(lr=0.1, beta=1.0), "beta must be in [0, 1), got 1"),
    (lambda: Momentum(lr=0.1, beta=-0.1), "beta must be in [0, 1), got -0.1"),
    (lambda: AdaGrad(lr=0.1, eps=-1e-8), "eps must be >= 0, got -1e-08"),
    (lambda: RMSProp(lr=0.1, rho=1.0), "rho must be in [0, 1), got 1"),
    (lambda: RMSProp(lr=0.1, rho=1.5), "rho must be in [0, 1), got 1.5"),
    (lambda: RMSProp(lr=0.1, eps=-1.0), "eps must be >= 0, got -1"),
    (lambda: RMSProp(lr=0.1, momentum=1.0), "momentum must be in [0, 1), got 1"),
    (lambda: RMSProp(lr=0.0), "lr must be > 0, got 0"),
    (lambda: Adam(lr=0.1, beta1=1.0), "beta1 must be in [0, 1), got 1"),
    (lambda: Adam(lr=0.1, beta2=-0.5), "beta2 must be in [0, 1), got -0.5"),
    (lambda: Adam(lr=0.1, eps=-1.0), "eps must be >= 0, got -1"),
]


@pytest.mark.parametrize("construct, message", BAD_CONSTRUCTIONS, ids=[m for _, m in BAD_CONSTRUCTIONS])
def test_bad_hyperparameters_are_refused_at_construction(construct, message):
    with pytest.raises(ValueError) as error:
        construct()
    assert message in str(error.value)


@pytest.mark.parametrize(
    "x0, message",
    [
        ([1.0, float("nan")], "x0 must be finite"),
        ([1.0, float("inf")], "x0 must be finite"),
        ([1.0, 2.0, 3.0], "x0 must be 2-D points"),
        (5.0, "x0 must be 2-D points"),
        ([[1.0], [2.0]], "x0 must be 2-D points"),
    ],
)
def test_bad_start_points_are_refused(x0, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        minimize(problems.bowl, SGD(lr=0.1), x0, steps=10)


def test_a_start_point_of_text_is_a_type_error():
    with pytest.raises(TypeError, match="x0 must be a number or an array of numbers, got the string 'start'"):
        minimize(problems.bowl, SGD(lr=0.1), "start", steps=10)


def test_a_text_learning_rate_is_a_type_error():
    with pytest.raises(TypeError, match="lr must be a number or an array of numbers, got the string 'fast'"):
        SGD(lr="fast")


def test_a_negative_step_count_is_a_value_error():
    with pytest.raises(ValueError, match="steps must be an integer >= 0, got -1"):
        minimize(problems.bowl, SGD(lr=0.1), [1.0, 1.0], steps=-1)


@pytest.mark.parametrize("steps", [2.5, 10.0, "10", True, None])
def test_step_counts_that_are_no_integers_are_a_type_error(steps):
    with pytest.raises(TypeError, match="steps must be an integer >= 0, got"):
        minimize(problems.bowl, SGD(lr=0.1), [1.0, 1.0], steps=steps)


def test_numpy_integer_steps_are_fine():
    assert minimize(problems.bowl, SGD(lr=0.1), [1.0, 1.0], steps=np.int64(3)).xs.shape == (4, 2)


@pytest.mark.parametrize("opt", [SGD(0.1), Momentum(0.1), AdaGrad(0.1), RMSProp(0.1), Adam(0.1)], ids=repr)
def test_gradient_of_the_wrong_shape_is_refused(opt):
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"grad has shape \(3,\), but the optimizer state has shape \(2,\)"):
        opt.update(np.zeros(3), state)


def test_hyperparameter_array_that_does_not_broadcast_is_refused():
    opt = RMSProp(lr=np.full((3, 1), 0.1))
    with pytest.raises(ValueError, match=r"lr has shape \(3, 1\), which does not broadcast to the parameters' shape \(4, 2\)"):
        opt.init(np.zeros((4, 2)))
    # The same through minimize: the message arrives before any step is taken.
    with pytest.raises(ValueError, match="lr has shape"):
        minimize(problems.bowl, opt, np.zeros((4, 2)), steps=5)


def test_hyperparameter_array_that_would_grow_the_parameters_is_refused():
    with pytest.raises(ValueError, match="rho has shape"):
        RMSProp(lr=0.1, rho=np.full((5, 1), 0.9)).init(np.zeros(2))


@pytest.mark.parametrize(
    "args, message",
    [
        ((0.0, 0.9, 1e-6, [1.0], [0.0]), "learning_rate must be > 0"),
        ((0.1, 1.0, 1e-6, [1.0], [0.0]), "rho must be in [0, 1)"),
        ((0.1, 0.9, -1.0, [1.0], [0.0]), "epsilon must be >= 0"),
        ((0.1, 0.9, 1e-6, [1.0, 2.0], [0.0, 0.0, 0.0]), "s_prev has shape (3,)"),
    ],
)
def test_rmsprop_update_refuses_bad_input(args, message):
    learning_rate, rho, eps, grad, s_prev = args
    with pytest.raises(ValueError) as error:
        rmsprop_update(learning_rate, rho, eps, np.array(grad), np.array(s_prev))
    assert message in str(error.value)


def test_bad_bound_is_refused():
    with pytest.raises(ValueError, match="bound must be > 0"):
        minimize(problems.bowl, SGD(lr=0.1), [1.0, 1.0], steps=3, bound=0)
