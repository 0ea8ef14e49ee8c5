"""The seed post's six printed lines, reproduced with the library."""

import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest

from rmsprop_lib import RMSProp, minimize, problems, rmsprop_update

SEED_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seed"

# The six lines as the post prints them. NumPy pads array elements to a common
# width ("[2.3688824  1.47561697]"); the post's HTML collapsed such runs of
# spaces to one, so lines are compared with whitespace runs collapsed, and the
# exact NumPy text is compared against the float values as well.
SEED_LINES = [
    "Epoch 0, current state: [4.68377233 3.68377236]",
    "Epoch 20, current state: [2.3688824 1.47561697]",
    "Epoch 40, current state: [0.95903672 0.35004133]",
    "Epoch 60, current state: [0.13761293 0.00745214]",
    "Epoch 80, current state: [3.91649374e-04 3.12725069e-09]",
    "Epoch 100, current state: [-3.07701828e-17 2.18862195e-20]",
]


def collapse(line: str) -> str:
    return re.sub(r"\s+", " ", line.strip())


def seed_script() -> str:
    """The post's script, verbatim but for the function's library name."""

    def df(x, y):
        return np.array([2 * x, 2 * y])

    out = io.StringIO()
    with redirect_stdout(out):
        coordinates = np.array([5.0, 4.0])
        learning_rate = 0.1
        rho = 0.9
        epsilon = 1e-6
        max_epochs = 100
        s_prev = np.array([0, 0])
        for epoch in range(max_epochs + 1):
            grad = df(coordinates[0], coordinates[1])
            updates, s_prev = rmsprop_update(learning_rate, rho, epsilon, grad, s_prev)
            coordinates -= updates
            if epoch % 20 == 0:
                print(f"Epoch {epoch}, current state: {coordinates}")
    return out.getvalue()


def test_seed_lines_in_the_stored_post_are_the_ones_we_check():
    posts = list(SEED_DIR.glob("*.txt"))
    if not posts:
        pytest.skip(f"the seed post is not beside this checkout ({SEED_DIR})")
    text = posts[0].read_text(encoding="utf-8")
    found = [collapse(line) for line in text.splitlines() if line.startswith("Epoch ")]
    assert found == SEED_LINES


def test_rmsprop_update_in_the_seed_loop_prints_the_seed_lines():
    lines = seed_script().splitlines()
    assert [collapse(line) for line in lines] == SEED_LINES
    # NumPy's own padding, character for character:
    assert lines[1] == "Epoch 20, current state: [2.3688824  1.47561697]"


def test_minimize_reproduces_the_seed_lines_bit_for_bit():
    trajectory = minimize(problems.bowl, RMSProp(lr=0.1, rho=0.9, eps=1e-6), x0=[5.0, 4.0], steps=101)
    lines = [f"Epoch {epoch}, current state: {trajectory.xs[epoch + 1]}" for epoch in range(0, 101, 20)]
    assert [collapse(line) for line in lines] == SEED_LINES
    assert lines == seed_script().splitlines()


def test_rmsprop_class_defaults_are_the_seeds():
    opt = RMSProp(lr=0.1)
    assert (opt.rho, opt.eps, opt.centered, opt.momentum, opt.eps_in_sqrt) == (0.9, 1e-6, False, 0.0, False)


def test_rmsprop_update_does_not_mutate_s_prev():
    s_prev = np.array([1.0, 2.0])
    rmsprop_update(0.1, 0.9, 1e-6, np.array([3.0, 4.0]), s_prev)
    assert s_prev.tolist() == [1.0, 2.0]


def test_rmsprop_update_first_step_by_hand():
    # g = (10, 8), s = 0.1 * g^2 = (10, 6.4), u = 0.1 g / (sqrt(s) + 1e-6)
    updates, s = rmsprop_update(0.1, 0.9, 1e-6, np.array([10.0, 8.0]), np.zeros(2))
    np.testing.assert_allclose(s, [10.0, 6.4], rtol=1e-15)
    np.testing.assert_allclose(updates, [1.0 / (10**0.5 + 1e-6), 0.8 / (6.4**0.5 + 1e-6)], rtol=1e-15)
