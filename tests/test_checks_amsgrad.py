"""The check of notebook 08's exercise, ``check_amsgrad_update``: the right answer passes,
a stub is "not attempted yet", each common mistake (written independently of the
variants registered in ``rmsprop_lib.checks``) is named, and the registered
mistakes can be told apart. Also: the reference agrees with the library's AMSGrad."""

import numpy as np
import pytest

from rmsprop_lib import AMSGrad, checks
from rmsprop_lib.checks import amsgrad, check_amsgrad_update, machinery


def feedback(fn, capsys):
    result = check_amsgrad_update(fn)
    return result, capsys.readouterr().out


def right(lr, rho, eps, g, s_prev, s_max_prev):
    s = (1 - rho) * np.square(g) + rho * s_prev
    s_max = np.where(s > s_max_prev, s, s_max_prev)
    return lr * g / (eps + s_max**0.5), s, s_max


def test_the_right_answer_passes(capsys):
    result, out = feedback(right, capsys)
    assert result is True and out.startswith("✓ amsgrad_update: correct")


def test_a_stub_is_not_attempted_yet(capsys):
    def stub(*args):
        raise NotImplementedError()

    result, out = feedback(stub, capsys)
    assert result is False and out.startswith("○")


def plain_rmsprop_denominator(lr, rho, eps, g, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * g * g
    return lr * g / (np.sqrt(s) + eps), s, np.maximum(s, s_max_prev)


def max_with_gradient(lr, rho, eps, g, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * g * g
    s_max = np.maximum(g * g, s_max_prev)
    return lr * g / (np.sqrt(s_max) + eps), s, s_max


def eps_inside(lr, rho, eps, g, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * g * g
    s_max = np.maximum(s, s_max_prev)
    return lr * g / np.sqrt(eps + s_max), s, s_max


def returns_max_as_average(lr, rho, eps, g, s_prev, s_max_prev):
    s_max = np.maximum(rho * s_prev + (1 - rho) * g * g, s_max_prev)
    return lr * g / (np.sqrt(s_max) + eps), s_max, s_max


@pytest.mark.parametrize("wrong, expected", [
    (plain_rmsprop_denominator, "divides by sqrt(s), not by sqrt(s_max)"),
    (max_with_gradient, "maximum with grad**2"),
    (eps_inside, "inside the square root"),
    (returns_max_as_average, "returns s_max as the average s"),
])
def test_a_common_mistake_is_named(wrong, expected, capsys):
    result, out = feedback(wrong, capsys)
    assert result is False and out.startswith("✗") and expected in out
    assert "first test case that differs" not in out


def test_the_named_mistakes_are_told_apart():
    exercise = checks.AMSGRAD
    behaviours = {"reference": [machinery._run(exercise, exercise.reference, args) for _, args in exercise.cases]}
    for message, wrong in exercise.mistakes:
        behaviours[message] = [machinery._run(exercise, wrong, args) for _, args in exercise.cases]
    names = list(behaviours)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not all(machinery._same(x, y) for x, y in zip(behaviours[a], behaviours[b])), f"{a!r} and {b!r}"


def test_the_reference_is_the_library_amsgrad_without_momentum():
    rng = np.random.default_rng(3)
    opt = AMSGrad(lr=0.1, beta1=0.0, beta2=0.9, eps=1e-6, bias_correction=False)
    state = opt.init(np.zeros(3))
    s = s_max = np.zeros(3)
    for _ in range(20):
        g = rng.normal(size=3) * rng.choice([0.1, 10.0])
        expected, s, s_max = amsgrad._amsgrad_update(0.1, 0.9, 1e-6, g, s, s_max)
        updates, state = opt.update(g, state)
        np.testing.assert_allclose(updates, expected, rtol=1e-12)
