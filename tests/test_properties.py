"""Invariants of the update rules, checked by hypothesis."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rmsprop_lib import SGD, AdaGrad, Adam, Momentum, RMSProp, minimize, problems

# 0, or a magnitude whose square is a normal float64 (numerics policy rule 5: with eps = 0 a square that
# underflows is refused; tests/test_numerics_policy.py covers the whole range)
magnitudes = st.floats(1e-150, 1e3)
finite = st.one_of(st.just(0.0), magnitudes, magnitudes.map(lambda v: -v))
grads = arrays(np.float64, st.integers(1, 6), elements=finite)
lrs = st.floats(1e-4, 1.0)
decays = st.floats(0.0, 0.999)
# eps = 0 exactly, or a normal positive number (a subnormal eps overflows lr*g/eps, as in torch)
epsilons = st.one_of(st.just(0.0), st.floats(1e-12, 1e-3))

optimizers = st.one_of(
    st.builds(SGD, lrs),
    st.builds(Momentum, lrs, decays, st.booleans()),
    st.builds(AdaGrad, lrs, epsilons),
    st.builds(RMSProp, lrs, decays, epsilons, st.just(False), decays, st.booleans()),
    # centered with eps = 0 may divide a gradient by a zero spread: an infinite step, refused (policy rule 6)
    st.builds(RMSProp, lrs, decays, st.floats(1e-12, 1e-3), st.just(True), decays, st.booleans()),
    st.builds(Adam, lrs, decays, decays, epsilons),
)


@given(optimizers, st.integers(1, 6))
def test_zero_gradient_from_a_fresh_state_gives_a_zero_update(opt, n):
    updates, _ = opt.update(np.zeros(n), opt.init(np.zeros(n)))
    assert np.all(updates == 0)


@given(optimizers, st.lists(grads, min_size=1, max_size=4))
def test_update_never_mutates_its_inputs(opt, gradient_list):
    n = len(gradient_list[0])
    state = opt.init(np.zeros(n))
    for g in gradient_list:
        g = np.resize(g, n)
        g_before = g.copy()
        state_before = [np.copy(s) for s in state]
        _, new_state = opt.update(g, state)
        np.testing.assert_array_equal(g, g_before)
        for before, after in zip(state_before, state):
            np.testing.assert_array_equal(before, after)
        state = new_state


@settings(deadline=None)
@given(
    st.sampled_from(["rmsprop", "rmsprop-centered", "rmsprop-momentum", "adam"]),
    st.floats(1e-3, 1e3),
    st.lists(arrays(np.float64, 3, elements=st.floats(-10, 10).filter(lambda v: abs(v) > 1e-3)), min_size=1, max_size=5),
)
def test_rmsprop_and_adam_steps_do_not_change_when_gradients_are_scaled(name, c, gradient_list):
    make = {
        "rmsprop": lambda: RMSProp(lr=0.1, rho=0.9, eps=0.0),
        "rmsprop-centered": lambda: RMSProp(lr=0.1, rho=0.9, eps=0.0, centered=True),
        "rmsprop-momentum": lambda: RMSProp(lr=0.1, rho=0.9, eps=0.0, momentum=0.5),
        "adam": lambda: Adam(lr=0.1, eps=0.0),
    }[name]
    opt = make()
    s1 = s2 = opt.init(np.zeros(3))
    for g in gradient_list:
        u1, s1 = opt.update(g, s1)
        u2, s2 = opt.update(c * g, s2)
        np.testing.assert_allclose(u1, u2, rtol=1e-7, atol=1e-12)


@settings(deadline=None, max_examples=30)
@given(
    arrays(np.float64, (3, 2), elements=st.floats(-3, 3)),
    arrays(np.float64, (3, 1), elements=st.floats(1e-3, 0.5)),
    st.sampled_from(["bowl", "rosenbrock", "beale", "himmelblau"]),
)
def test_a_batch_of_runs_equals_the_same_runs_one_at_a_time(x0, lr, name):
    problem = problems.ALL[name]
    batch = minimize(problem, RMSProp(lr=lr), x0, steps=25)
    for i in range(3):
        single = minimize(problem, RMSProp(lr=float(lr[i, 0])), x0[i], steps=25)
        np.testing.assert_array_equal(batch.xs[:, i], single.xs)
        assert batch.diverged_at[i] == single.diverged_at


@given(optimizers, arrays(np.float64, 4, elements=finite))
def test_updates_are_finite_for_finite_gradients(opt, g):
    updates, _ = opt.update(g, opt.init(np.zeros(4)))
    assert np.all(np.isfinite(updates))
