"""The exercise checks: right answers pass, stubs are "not attempted yet", and
each common mistake, written the way a learner would write it, is named.

The wrong implementations below are written independently of the variants
registered in ``rmsprop_lib.checks`` (other spellings, other operation
orders), so these tests exercise the recognition, not a copy of it.
"""

import numpy as np
import pytest

from rmsprop_lib import AdaGrad, Momentum, RMSProp
from rmsprop_lib import checks
from rmsprop_lib.checks import machinery
from rmsprop_lib.checks import (
    check_adagrad_update,
    check_bias_corrected_rmsprop,
    check_dense_backward,
    check_gd_step,
    check_momentum_update,
    check_rmsprop_update,
)

EXERCISES = [checks.GD, checks.MOMENTUM, checks.ADAGRAD, checks.RMSPROP, checks.BIAS_CORRECTED, checks.DENSE]


def feedback(check, fn, capsys):
    """Run a check; return (its result, what it printed)."""
    result = check(fn)
    return result, capsys.readouterr().out


# ------------------------------------------------------------------ right answers


def gd_step(x, grad, lr):
    return np.subtract(x, np.multiply(lr, grad))


def momentum_update(grad, velocity, lr, beta):
    velocity = velocity * beta + grad
    return velocity * lr, velocity


def momentum_via_library(grad, velocity, lr, beta):
    updates, state = Momentum(lr, beta).update(grad, type(Momentum(lr).init(grad))(np.asarray(velocity, dtype=float)))
    return updates, state.velocity


def adagrad_update(grad, sum_sq, lr, eps):
    new = sum_sq + grad * grad
    return lr / (np.sqrt(new) + eps) * grad, new


def adagrad_via_library(grad, sum_sq, lr, eps):
    updates, state = AdaGrad(lr, eps).update(grad, type(AdaGrad(lr).init(grad))(np.asarray(sum_sq, dtype=float)))
    return updates, state.sum_sq


def rmsprop_update(learning_rate, rho, epsilon, grad, s_prev):
    s = s_prev + (1 - rho) * (np.square(grad) - s_prev)  # the same average, written another way
    return grad * learning_rate / (epsilon + s**0.5), s


def rmsprop_via_library(learning_rate, rho, epsilon, grad, s_prev):
    optimizer = RMSProp(learning_rate, rho, epsilon)
    state = optimizer.init(grad)._replace(mean_sq=np.asarray(s_prev, dtype=float))
    updates, state = optimizer.update(grad, state)
    return updates, state.mean_sq


def bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s) / np.sqrt(1 - rho**t) + epsilon), s


def dense_backward(x, w, grad_out):
    return np.einsum("nh,dh->nd", grad_out, w), np.einsum("nd,nh->dh", x, grad_out), np.sum(grad_out, axis=0)


RIGHT = [
    (check_gd_step, gd_step),
    (check_gd_step, lambda x, grad, lr: x - grad * lr),
    (check_momentum_update, momentum_update),
    (check_momentum_update, momentum_via_library),
    (check_adagrad_update, adagrad_update),
    (check_adagrad_update, adagrad_via_library),
    (check_rmsprop_update, rmsprop_update),
    (check_rmsprop_update, rmsprop_via_library),
    (check_rmsprop_update, lambda lr, rho, eps, g, s: (lambda s2: (lr * g / (np.sqrt(s2) + eps), s2))(rho * s + (1 - rho) * g * g)),
    (check_bias_corrected_rmsprop, bias_corrected),
    (check_dense_backward, dense_backward),
    (check_dense_backward, lambda x, w, g: [g @ w.T, x.T @ g, g.sum(axis=0)]),  # a list is fine too
]


@pytest.mark.parametrize("check, fn", RIGHT)
def test_right_answers_pass(check, fn, capsys):
    result, out = feedback(check, fn, capsys)
    assert result is True
    assert out.startswith("✓") and "correct on every test case." in out


def test_the_library_rmsprop_function_passes(capsys):
    from rmsprop_lib.core.seed import rmsprop_update as seed_function

    assert feedback(check_rmsprop_update, seed_function, capsys)[0] is True


# ------------------------------------------------------------------ stubs


def stub(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


@pytest.mark.parametrize("check", [check_gd_step, check_momentum_update, check_adagrad_update, check_rmsprop_update, check_bias_corrected_rmsprop, check_dense_backward])
def test_a_stub_is_not_attempted_yet(check, capsys):
    result, out = feedback(check, stub, capsys)
    assert result is False
    assert "not attempted yet" in out and out.startswith("○")


# ------------------------------------------------------------------ recognised mistakes


def gd_wrong_sign(x, grad, lr):
    return x + lr * grad


def gd_no_lr(x, grad, lr):
    return x - grad


def gd_divides_by_lr(x, grad, lr):
    return x - grad / lr


def gd_returns_step(x, grad, lr):
    return lr * grad


def gd_returns_change(x, grad, lr):
    return -(lr * grad)


def gd_in_place(x, grad, lr):
    x -= lr * grad
    return x


def momentum_lr_in_buffer(grad, velocity, lr, beta):
    v = beta * velocity + lr * grad
    return v, v


def momentum_velocity_not_updated(grad, velocity, lr, beta):
    return lr * (velocity * beta + grad), velocity


def momentum_beta_on_wrong_term(grad, velocity, lr, beta):
    v = velocity + beta * grad
    return lr * v, v


def momentum_dampened(grad, velocity, lr, beta):
    v = beta * velocity + (1 - beta) * grad
    return lr * v, v


def momentum_old_velocity_in_step(grad, velocity, lr, beta):
    updates = lr * velocity
    velocity = beta * velocity + grad
    return updates, velocity


def momentum_wrong_sign(grad, velocity, lr, beta):
    v = beta * velocity + grad
    return -lr * v, v


def momentum_no_lr(grad, velocity, lr, beta):
    v = beta * velocity + grad
    return v, v


def momentum_new_position(grad, velocity, lr, beta):
    v = beta * velocity + grad
    return grad - lr * v, v


def momentum_in_place(grad, velocity, lr, beta):
    velocity *= beta
    velocity += grad
    return lr * velocity, velocity


def adagrad_not_squared(grad, sum_sq, lr, eps):
    s = sum_sq + grad
    return lr * grad / (np.sqrt(s) + eps), s


def adagrad_eps_inside(grad, sum_sq, lr, eps):
    s = sum_sq + grad**2
    return lr * grad / np.sqrt(s + eps), s


def adagrad_not_accumulated(grad, sum_sq, lr, eps):
    s = grad * grad
    return lr * grad / (np.sqrt(s) + eps), s


def adagrad_old_state(grad, sum_sq, lr, eps):
    return lr * grad / (np.sqrt(sum_sq + grad**2) + eps), sum_sq


def adagrad_no_root(grad, sum_sq, lr, eps):
    s = sum_sq + grad**2
    return lr * grad / (s + eps), s


def adagrad_old_sum_in_step(grad, sum_sq, lr, eps):
    updates = lr * grad / (np.sqrt(sum_sq) + eps)
    return updates, sum_sq + grad**2


def adagrad_wrong_sign(grad, sum_sq, lr, eps):
    s = sum_sq + grad**2
    return -lr * grad / (np.sqrt(s) + eps), s


def adagrad_no_lr(grad, sum_sq, lr, eps):
    s = sum_sq + grad**2
    return grad / (np.sqrt(s) + eps), s


def adagrad_new_position(grad, sum_sq, lr, eps):
    s = sum_sq + grad**2
    return grad - lr * grad / (np.sqrt(s) + eps), s


def adagrad_in_place(grad, sum_sq, lr, eps):
    sum_sq += grad**2
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def rms_eps_inside(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * np.square(grad)
    return learning_rate * grad / np.sqrt(s + epsilon), s


def rms_missing_one_minus_rho(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + grad * grad
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


def rms_rho_on_wrong_term(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * grad**2 + (1 - rho) * s_prev
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


def rms_not_squared(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


def rms_old_state(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s) + epsilon), s_prev


def rms_no_root(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (s + epsilon), s


def rms_old_state_in_step(learning_rate, rho, epsilon, grad, s_prev):
    updates = learning_rate * grad / (np.sqrt(s_prev) + epsilon)
    return updates, rho * s_prev + (1 - rho) * grad**2


def rms_wrong_sign(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return -learning_rate * grad / (np.sqrt(s) + epsilon), s


def rms_no_lr(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return grad / (np.sqrt(s) + epsilon), s


def rms_new_position(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return grad - learning_rate * grad / (np.sqrt(s) + epsilon), s


def rms_in_place(learning_rate, rho, epsilon, grad, s_prev):
    s_prev *= rho
    s_prev += (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s_prev) + epsilon), s_prev


def bc_not_applied(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


def bc_power_t_plus_1(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s / (1 - rho ** (t + 1))) + epsilon), s


def bc_power_t_minus_1(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s / (1 - rho ** (t - 1))) + epsilon), s


def bc_parentheses(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s / (1 - rho) ** t) + epsilon), s


def bc_correction_on_update(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    updates = learning_rate * grad / (np.sqrt(s) + epsilon)
    return updates / (1 - rho**t), s


def bc_corrected_state_returned(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    s = s / (1 - rho**t)
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


def bc_multiplied(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s * (1 - rho**t)) + epsilon), s


def bc_eps_inside(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / np.sqrt(s / (1 - rho**t) + epsilon), s


def dense_grad_x_not_transposed(x, w, grad_out):
    return grad_out @ w, x.T @ grad_out, grad_out.sum(axis=0)


def dense_grad_w_transposed(x, w, grad_out):
    return grad_out @ w.T, grad_out.T @ x, grad_out.sum(axis=0)


def dense_bias_not_summed(x, w, grad_out):
    return grad_out @ w.T, x.T @ grad_out, grad_out


def dense_bias_mean(x, w, grad_out):
    return grad_out @ w.T, x.T @ grad_out, np.mean(grad_out, axis=0)


def dense_bias_wrong_axis(x, w, grad_out):
    return grad_out @ w.T, x.T @ grad_out, grad_out.sum(axis=1)


def dense_swapped(x, w, grad_out):
    return x.T @ grad_out, grad_out @ w.T, grad_out.sum(axis=0)


MISTAKES = [
    (check_gd_step, gd_wrong_sign, "the sign is wrong"),
    (check_gd_step, gd_no_lr, "learning rate is left out"),
    (check_gd_step, gd_divides_by_lr, "divides by the learning rate"),
    (check_gd_step, gd_returns_step, "returns the step lr * grad, not the new point"),
    (check_gd_step, gd_returns_change, "not the new point"),
    (check_gd_step, gd_in_place, "changes its input x in place"),
    (check_momentum_update, momentum_lr_in_buffer, "lr is inside the velocity"),
    (check_momentum_update, momentum_velocity_not_updated, "velocity is not updated"),
    (check_momentum_update, momentum_beta_on_wrong_term, "beta is on the wrong term"),
    (check_momentum_update, momentum_dampened, "damps the gradient"),
    (check_momentum_update, momentum_old_velocity_in_step, "the step uses the old velocity"),
    (check_momentum_update, momentum_wrong_sign, "sign of the update is flipped"),
    (check_momentum_update, momentum_no_lr, "learning rate is left out"),
    (check_momentum_update, momentum_new_position, "a new *position*"),
    (check_momentum_update, momentum_in_place, "changes its input velocity in place"),
    (check_adagrad_update, adagrad_not_squared, "gradient is not squared"),
    (check_adagrad_update, adagrad_eps_inside, "eps is inside the square root"),
    (check_adagrad_update, adagrad_not_accumulated, "state is not accumulated"),
    (check_adagrad_update, adagrad_old_state, "returns the old sum_sq"),
    (check_adagrad_update, adagrad_no_root, "square root is missing"),
    (check_adagrad_update, adagrad_old_sum_in_step, "divides by the old sum_sq"),
    (check_adagrad_update, adagrad_wrong_sign, "sign of the update is flipped"),
    (check_adagrad_update, adagrad_no_lr, "learning rate is left out"),
    (check_adagrad_update, adagrad_new_position, "a new *position*"),
    (check_adagrad_update, adagrad_in_place, "changes its input sum_sq in place"),
    (check_rmsprop_update, rms_eps_inside, "ε is inside the square root"),
    (check_rmsprop_update, rms_missing_one_minus_rho, "the (1 - rho) is missing"),
    (check_rmsprop_update, rms_rho_on_wrong_term, "rho is on the wrong term"),
    (check_rmsprop_update, rms_not_squared, "gradient is not squared"),
    (check_rmsprop_update, rms_old_state, "returns the old state s_prev"),
    (check_rmsprop_update, rms_no_root, "square root is missing"),
    (check_rmsprop_update, rms_old_state_in_step, "divides by the old s_prev"),
    (check_rmsprop_update, rms_wrong_sign, "sign of the update is flipped"),
    (check_rmsprop_update, rms_no_lr, "learning rate is left out"),
    (check_rmsprop_update, rms_new_position, "a new *position*"),
    (check_rmsprop_update, rms_in_place, "changes its input s_prev in place"),
    (check_bias_corrected_rmsprop, bc_not_applied, "correction is not applied"),
    (check_bias_corrected_rmsprop, bc_power_t_plus_1, "the power is t + 1"),
    (check_bias_corrected_rmsprop, bc_power_t_minus_1, "the power is t - 1"),
    (check_bias_corrected_rmsprop, bc_parentheses, "(1 - rho)**t is not 1 - rho**t"),
    (check_bias_corrected_rmsprop, bc_correction_on_update, "divides the update, not s"),
    (check_bias_corrected_rmsprop, bc_corrected_state_returned, "returns the corrected s_hat as the state"),
    (check_bias_corrected_rmsprop, bc_multiplied, "multiplies s by (1 - rho**t)"),
    (check_bias_corrected_rmsprop, bc_eps_inside, "ε is inside the square root"),
    (check_dense_backward, dense_grad_x_not_transposed, "grad_x needs w transposed"),
    (check_dense_backward, dense_grad_w_transposed, "grad_w is transposed"),
    (check_dense_backward, dense_bias_not_summed, "grad_b is not summed over the batch"),
    (check_dense_backward, dense_bias_mean, "grad_b is averaged"),
    (check_dense_backward, dense_bias_wrong_axis, "grad_b is summed over the wrong axis"),
    (check_dense_backward, dense_swapped, "grad_x and grad_w are swapped"),
]


def rms_swapped(learning_rate, rho, epsilon, grad, s_prev):  # the seed's function, returning (s, updates)
    s = rho * s_prev + (1 - rho) * grad**2
    updates = learning_rate * grad / (np.sqrt(s) + epsilon)
    return s, updates


def momentum_swapped(grad, velocity, lr, beta):
    velocity = beta * velocity + grad
    return velocity, lr * velocity


def adagrad_swapped(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return sum_sq, lr * grad / (np.sqrt(sum_sq) + eps)


def bc_swapped(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return s, learning_rate * grad / (np.sqrt(s / (1 - rho**t)) + epsilon)


MISTAKES += [
    (check_rmsprop_update, rms_swapped, "it returns (s, updates): the two values are swapped. Return the update first"),
    (check_momentum_update, momentum_swapped, "it returns (new_velocity, updates): the two values are swapped"),
    (check_adagrad_update, adagrad_swapped, "it returns (new_sum_sq, updates): the two values are swapped"),
    (check_bias_corrected_rmsprop, bc_swapped, "it returns (s, updates): the two values are swapped"),
]


@pytest.mark.parametrize("check, wrong, expected", MISTAKES, ids=[m[1].__name__ for m in MISTAKES])
def test_a_common_mistake_is_named(check, wrong, expected, capsys):
    result, out = feedback(check, wrong, capsys)
    assert result is False
    assert out.startswith("✗")
    assert expected in out
    assert "first test case that differs" not in out  # a named mistake, not the generic report


def test_the_named_mistakes_are_told_apart():
    """No two registered mistakes (nor a mistake and the reference) agree on every test case."""
    for exercise in EXERCISES:
        behaviours = {"reference": [machinery._run(exercise, exercise.reference, args) for _, args in exercise.cases]}
        for message, wrong in exercise.mistakes:
            behaviours[message] = [machinery._run(exercise, wrong, args) for _, args in exercise.cases]
        names = list(behaviours)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                same = all(machinery._same(x, y) for x, y in zip(behaviours[a], behaviours[b]))
                assert not same, f"{exercise.name}: {a!r} and {b!r} cannot be told apart"


def test_cases_cover_scalars_vectors_zero_state_tiny_and_large_gradients():
    for exercise in [checks.GD, checks.MOMENTUM, checks.ADAGRAD, checks.RMSPROP, checks.BIAS_CORRECTED]:
        labels = " ".join(label for label, _ in exercise.cases)
        assert "scalars" in labels and "tiny" in labels and "large" in labels
        assert "zero" in labels
        assert any(all(np.ndim(a) == 0 for a in args) for _, args in exercise.cases)  # a case of plain numbers
        assert any(any(np.ndim(a) == 1 for a in args) for _, args in exercise.cases)  # a case of vectors


def test_two_mistakes_in_different_outputs_are_both_named(capsys):
    def two_mistakes(learning_rate, rho, epsilon, grad, s_prev):
        s = rho * s_prev + (1 - rho) * grad**2
        return learning_rate * grad / np.sqrt(s + epsilon), s_prev

    result, out = feedback(check_rmsprop_update, two_mistakes, capsys)
    assert result is False
    assert "updates: ε is inside the square root" in out
    assert "s: it returns the old state s_prev" in out


def test_an_unknown_mistake_shows_the_first_differing_case(capsys):
    def off_by_a_bit(learning_rate, rho, epsilon, grad, s_prev):
        s = rho * s_prev + (1 - rho) * grad**2
        return 1.01 * learning_rate * grad / (np.sqrt(s) + epsilon), s

    result, out = feedback(check_rmsprop_update, off_by_a_bit, capsys)
    assert result is False
    assert "s is right." in out
    assert "first test case that differs (the post's first step, zero state)" in out
    assert "rmsprop_update(learning_rate=0.1, rho=0.9, epsilon=1e-06, grad=[10, 8], s_prev=[0, 0])" in out
    assert "updates: expected [0.316228, 0.316228]" in out
    assert "got      [0.31939, 0.31939]" in out


def test_an_unknown_mistake_in_a_matrix_is_shown_by_shape_and_values(capsys):
    result, out = feedback(check_dense_backward, lambda x, w, g: (2 * g @ w.T, x.T @ g, g.sum(axis=0)), capsys)
    assert result is False
    assert "grad_w and grad_b are right." in out
    assert "dense_backward(x=<4x3 array>, w=<3x2 array>, grad_out=<4x2 array>)" in out
    assert "grad_x: expected [[" in out


# ------------------------------------------------------------------ wrong types, shapes, exceptions: clear words


@pytest.mark.parametrize(
    "check, fn, expected",
    [
        (check_gd_step, lambda x, grad, lr: None, "it returned None: is the `return` statement missing?"),
        (check_rmsprop_update, lambda lr, rho, eps, g, s: lr * g / (np.sqrt(s) + eps), "it returned 1 value; it should return 2 values, (updates, s)"),
        (check_gd_step, lambda x, grad, lr: (x - lr * grad, grad), "it returned 2 values; it should return one value, new x"),
        (check_momentum_update, lambda g, v, lr, beta: (lr * g, v, g), "it returned 3 values"),
        (check_gd_step, lambda x, grad, lr: "x", "new x should be a number or an array of numbers, got str"),
        (check_adagrad_update, lambda g, s, lr, eps: (np.atleast_1d(lr * g), np.atleast_1d(s)), "updates has shape (1,), but should have shape ()"),
        (check_dense_backward, lambda x, w, g: (g @ w.T, x.T @ g, g.sum(axis=0, keepdims=True)), "grad_b has shape (1, 2), but should have shape (2,)"),
        (check_rmsprop_update, lambda lr, rho, eps, g, s: (lr * g / (np.sqrt(s) + eps), g[0] + s), "it raised TypeError: 'float' object is not subscriptable\n    on the test case (scalars)"),
        (check_momentum_update, lambda g, v, lr, beta: (lr * velocity, g), "it raised NameError: name 'velocity' is not defined"),  # noqa: F821
        (check_gd_step, "gd_step", "expected a function, got str"),
        (check_gd_step, 42, "expected a function, got int"),
    ],
)
def test_wrong_types_shapes_and_exceptions_are_explained(check, fn, expected, capsys):
    result, out = feedback(check, fn, capsys)
    assert result is False
    assert out.startswith("✗")
    assert expected in out


def test_in_place_change_with_right_values_is_reported(capsys):
    result, out = feedback(check_gd_step, gd_in_place, capsys)  # x -= ...: in place for arrays only
    assert result is False
    assert "the values are right, but it changes its input x in place" in out


def test_in_place_change_on_top_of_a_wrong_formula_is_mentioned(capsys):
    def in_place_and_eps_inside(learning_rate, rho, epsilon, grad, s_prev):
        s = rho * s_prev + (1 - rho) * grad**2
        if isinstance(s_prev, np.ndarray):
            s_prev[...] = 0
        return learning_rate * grad / np.sqrt(s + epsilon), s

    result, out = feedback(check_rmsprop_update, in_place_and_eps_inside, capsys)
    assert result is False
    assert "ε is inside the square root" in out and "Also, it changes its input s_prev in place" in out


# ------------------------------------------------------------------ a check never raises


class Weird:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array for you")


@pytest.mark.parametrize(
    "fn",
    [
        lambda *a: object(),
        lambda *a: Weird(),
        lambda *a: (Weird(), Weird()),
        lambda *a: (Weird(), Weird(), Weird()),
        lambda *a: {"updates": 1},
        lambda *a: (x for x in a),
        lambda *a: np.array(["a", "b"]),
        lambda *a: (np.array(["a", "b"]), 1.0),
        lambda *a: float("nan"),
        lambda *a: (float("nan"), float("inf")),
        lambda *a: [[1, 2], [3]],
        lambda *a: 1 / 0,
        lambda: 0,  # wrong number of parameters
    ],
)
@pytest.mark.parametrize("check", [check_gd_step, check_momentum_update, check_adagrad_update, check_rmsprop_update, check_bias_corrected_rmsprop, check_dense_backward])
def test_a_check_never_raises(check, fn, capsys):
    result, out = feedback(check, fn, capsys)
    assert result is False
    assert out.startswith("✗") and out.strip()


def test_checks_leave_their_test_cases_untouched(capsys):
    before = [[np.copy(a) for a in args] for exercise in EXERCISES for _, args in exercise.cases]
    for check, fn, _ in MISTAKES:
        check(fn)
    after = [list(args) for exercise in EXERCISES for _, args in exercise.cases]
    for b, a in zip(before, after):
        for x, y in zip(b, a):
            np.testing.assert_array_equal(x, y)
    capsys.readouterr()
