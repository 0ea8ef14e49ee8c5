"""FullMatrixRMSProp under the numerics policy (issue 20): the closed-form first step, and hypothesis.

The first step is known exactly: :math:`S_1 = (1-\\rho) g g^\\top` has the one
non-zero eigenvalue :math:`(1-\\rho)\\|g\\|^2` along :math:`g`, so
:math:`u_1 = \\text{lr}\\, g / (\\sqrt{1-\\rho}\\,\\|g\\| + \\epsilon)`. Before
issue 20 the rounding-level eigenvalue that ``eigh`` returns for the other
directions was divided into rounding-level components of ``g``: with a small
eps or a large gradient the step pointed the wrong way or was thousands of
times too long. Later steps are compared with the rule computed exactly
(``decimal``, the 2x2 square root in closed form) where the state's dtype
resolves the eigenvalues, and checked for what holds always: finite, downhill,
no longer than ``lr / sqrt(1 - rho)``.
"""

from __future__ import annotations

import decimal
import fractions

import numpy as np
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from rmsprop_lib import FullMatrixRMSProp, minimize, problems
from rmsprop_lib.numerics.validation import state_dtype, underflow_floor

CTX = decimal.Context(prec=1000, Emin=-100_000, Emax=100_000)  # the 2x2 solve cancels up to ~600 digits
D = CTX.create_decimal_from_float

# The measured range: gradient scales 10^k (every k the dtype's square can hold, and beyond: refused), eps 10^j.
SCALES = {np.float16: range(-6, 5), np.float32: range(-20, 21), np.float64: range(-160, 161, 5)}
EPSILONS = {np.float16: [0.0, 1e-8, 1e-6, 1e-3, 1.0],
            np.float32: [0.0, 1e-40, 1e-30, 1e-12, 1e-8, 1e-6, 1e-3, 1.0, 1e3],
            np.float64: [0.0, 1e-300, 1e-200, 1e-100, 1e-30, 1e-12, 1e-8, 1e-6, 1e-3, 1.0, 1e3, 1e10]}
DIRECTIONS = [[3.0, 4.0], [1.0, -1e-3], [-0.6, 0.8], [1.0, 0.0], [2.0, 7.0, -1.0], [1e-5, 1.0, 1e-5, -3.0]]


# The closed-form first step has no cancellation (squares, a root, a sum, a quotient): 60 digits, as the core
# optimizers' policy tests use, are far beyond float64's 17 and cost a fraction of the 2x2 solve's 1000.
FIRST = decimal.Context(prec=60, Emin=-100_000, Emax=100_000)


def _first_step_exact(g, lr, rho, eps):
    F = FIRST.create_decimal_from_float
    gs = [F(float(v)) for v in g]
    norm = sum((FIRST.multiply(v, v) for v in gs), F(0)).sqrt(FIRST)
    d = FIRST.add(FIRST.multiply((1 - F(rho)).sqrt(FIRST), norm), F(eps))
    return [FIRST.divide(FIRST.multiply(F(lr), v), d) for v in gs]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("rho", [0.0, 0.9, 0.999])
def test_the_first_step_is_the_closed_form_at_every_scale_and_eps_or_refused(dtype, rho):
    state_type = state_dtype(dtype)
    macheps, out_eps = float(np.finfo(state_type).eps), float(np.finfo(dtype).eps)
    big, tiny = float(np.finfo(state_type).max), float(np.finfo(state_type).tiny)
    lr, checked, refused = 0.1, 0, 0
    for k in SCALES[dtype]:
        for eps in EPSILONS[dtype]:
            for direction in DIRECTIONS:
                with np.errstate(over="ignore"):
                    g = (np.array(direction) * 10.0**k).astype(dtype)
                    squares = g.astype(float) ** 2
                if not np.all(np.isfinite(g)):
                    continue
                opt = FullMatrixRMSProp(lr, rho=rho, eps=eps)
                state = opt.init(np.zeros(len(g), dtype))
                if not squares.max() <= big:  # g * g overflows the state (policy rule 4)
                    with pytest.raises(FloatingPointError, match="overflow"):
                        opt.update(g, state)
                    refused += 1
                    continue
                lost = np.any((squares > 0) & (squares * (1 - rho) < tiny))
                if lost and eps < underflow_floor(state_type):
                    with pytest.raises(FloatingPointError, match="underflow"):
                        opt.update(g, state)
                    refused += 1
                    continue
                updates, _ = opt.update(g, state)
                assert updates.dtype == dtype
                exact = np.array([float(v) for v in _first_step_exact(g, lr, rho, eps)])
                size = np.abs(exact).max()
                tolerance = (8 * len(g) * macheps + out_eps) * size + float(np.finfo(dtype).smallest_subnormal)
                assert np.all(np.isfinite(updates)), (k, eps, g, updates)
                assert np.abs(updates.astype(float) - exact).max() <= tolerance, (k, eps, g, updates, exact)
                checked += 1
    assert checked > 100 and (dtype == np.float16 or refused > 0)


def test_the_ravine_that_is_a_whole_line_ends_on_it():
    # f = a (n . x)^2 with a = 1e10, n = (0.6, 0.8): the minimum is the whole line n . x = 0, every gradient is
    # along n, every S has rank 1. With gradients this large and a small eps the steps used to leave n.
    a, n = 1e10, np.array([0.6, 0.8])
    line = problems.Problem("line", "a(n.x)^2", lambda p: a * (p @ n) ** 2, lambda p: 2 * a * (p @ n)[..., None] * n,
                            np.zeros((1, 2)), ((-10.0, 10.0), (-10.0, 10.0)), (3.0, 1.0))
    across = np.array([-0.8, 0.6])
    for eps in [1e-12, 1e-8, 1e-6]:
        run = minimize(line, FullMatrixRMSProp(lr=0.01, rho=0.9, eps=eps), [3.0, 1.0], steps=500)
        assert not run.diverged and abs(run.final @ n) < 0.1, (eps, run.final)  # on the line, up to the chatter
        # every step moved along n: the coordinate along the line never changed
        np.testing.assert_allclose(run.xs @ across, np.array([3.0, 1.0]) @ across, rtol=1e-9)


# ----------------------------------------------------------------------------- hypothesis


def _magnitudes(dtype):
    info = np.finfo(state_dtype(dtype))
    # squares the state holds (overflow and underflow are the first-step test's and the policy tests' business)
    low, high = float(np.sqrt(info.tiny)) * 4, float(np.sqrt(info.max)) / 4
    if dtype == np.float16:
        low, high = 1e-4, 6e4
    return st.floats(low, high, width=64).map(lambda v: float(dtype(v))).filter(lambda v: v > 0)


def _gradient_lists(dtype):
    value = st.one_of(st.just(0.0), _magnitudes(dtype), _magnitudes(dtype).map(lambda v: -v))
    vector = st.lists(value, min_size=2, max_size=2)
    # repeat or scale an earlier gradient now and then: parallel gradients keep S singular
    return st.lists(vector, min_size=1, max_size=4).flatmap(
        lambda rows: st.lists(st.sampled_from(rows + [[2 * v for v in rows[0]], [-v for v in rows[0]]]),
                              min_size=len(rows), max_size=len(rows) + 2)
    ).map(lambda rows: np.array(rows).astype(dtype))


def _exact_2x2(grads, lr, rho, eps):
    """(the exact step at the last gradient, the exact eigenvalues of S) in Decimal, for d = 2."""
    rho_, eps_, lr_ = D(rho), D(eps), D(lr)
    s = [[D(0), D(0)], [D(0), D(0)]]
    for g in grads:
        g = [D(float(v)) for v in g]
        s = [[CTX.add(CTX.multiply(rho_, s[i][j]), CTX.multiply(1 - rho_, CTX.multiply(g[i], g[j]))) for j in range(2)]
             for i in range(2)]
    tr = CTX.add(s[0][0], s[1][1])
    det = max(CTX.subtract(CTX.multiply(s[0][0], s[1][1]), CTX.multiply(s[0][1], s[1][0])), D(0))
    half = CTX.divide(tr, 2)
    disc = max(CTX.subtract(CTX.multiply(half, half), det), D(0)).sqrt(CTX)
    lam = (CTX.add(half, disc), CTX.subtract(half, disc))
    if tr == 0:
        return [D(0), D(0)], lam
    if det == 0:  # rank 1, g along its eigenvector: S^(1/2) g = sqrt(tr S) g (the pseudo-inverse's case when eps = 0)
        d = CTX.add(tr.sqrt(CTX), eps_)
        return [CTX.divide(CTX.multiply(lr_, v), d) for v in g], lam
    root_det = det.sqrt(CTX)
    t = CTX.add(tr, 2 * root_det).sqrt(CTX)
    a = [[CTX.add(CTX.divide(CTX.add(s[i][j], root_det if i == j else 0), t), eps_ if i == j else 0) for j in range(2)]
         for i in range(2)]  # S^(1/2) + eps I
    det_a = CTX.subtract(CTX.multiply(a[0][0], a[1][1]), CTX.multiply(a[0][1], a[1][0]))
    u = [CTX.divide(CTX.subtract(CTX.multiply(a[1][1], g[0]), CTX.multiply(a[0][1], g[1])), det_a),
         CTX.divide(CTX.subtract(CTX.multiply(a[0][0], g[1]), CTX.multiply(a[1][0], g[0])), det_a)]
    return [CTX.multiply(lr_, v) for v in u], lam


def _parallel(grads) -> bool:
    """Whether the gradients so far all lie on one line (exactly, in fractions), so that S has rank <= 1.

    The decimal eigenvalues cannot tell: a float64 S can hold eigenvalues 1e-457 apart (1e154 and 1e-303).
    """
    rows = [[fractions.Fraction(float(v)) for v in g] for g in grads]
    return all(a[0] * b[1] == a[1] * b[0] for a in rows for b in rows)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([np.float16, np.float32, np.float64]).flatmap(lambda dtype: st.tuples(st.just(dtype), _gradient_lists(dtype))),
    st.sampled_from([1e-3, 0.1, 1.0]),
    st.sampled_from([0.0, 0.5, 0.9, 0.999]),
    st.sampled_from([0.0, 1e-300, 1e-30, 1e-12, 1e-8, 1e-6, 1e-3, 1.0]),
)
def test_every_step_is_finite_downhill_bounded_and_exact_where_the_dtype_resolves_it(dtype_and_grads, lr, rho, eps):
    dtype, grads = dtype_and_grads
    state_type = state_dtype(dtype)
    assume(np.all(np.isfinite(grads)))  # doubling a gradient may overflow float16
    macheps, out_eps = float(np.finfo(state_type).eps), float(np.finfo(dtype).eps)
    opt = FullMatrixRMSProp(lr, rho=rho, eps=eps)
    state = opt.init(np.zeros(2, dtype))
    longest = lr / np.sqrt(1 - rho)
    for t, g in enumerate(grads, start=1):
        if eps < underflow_floor(state_type):  # eps too small to hide a lost square: refused exactly where one is lost
            gs = g.astype(state_type)
            diagonal = rho * np.diagonal(state.second_moment) + (1 - rho) * gs * gs
            if np.any((gs != 0) & (diagonal < np.finfo(state_type).tiny)):
                with pytest.raises(FloatingPointError, match="underflows"):
                    opt.update(g, state)
                event("eps below the underflow floor: a lost square refused")
                return
        updates, state = opt.update(g, state)
        assert updates.dtype == dtype and np.all(np.isfinite(updates)), (g, updates)
        u, g64 = updates.astype(float), g.astype(float)
        assert np.linalg.norm(u) <= longest * (1 + 64 * np.sqrt(macheps)) + out_eps * longest, (g, u)
        assert g64 @ u >= -8 * macheps * np.linalg.norm(g64) * np.linalg.norm(u), (g, u)
        exact, (lam1, lam2) = _exact_2x2(grads[:t], lr, rho, eps)
        exact = np.array([float(v) for v in exact])
        size = max(np.abs(exact).max(), float(np.finfo(dtype).smallest_subnormal))
        if lam1 == 0:
            np.testing.assert_array_equal(u, 0.0)
            continue
        ratio = CTX.divide(lam2, lam1)
        if _parallel(grads[:t]):  # S of rank 1 exactly: the pseudo-inverse's case
            event("rank 1")
            conditioning = 1.0
        elif ratio >= D(1e4 * macheps):  # resolved: the error of the state's entries, amplified by (lam1/lam2)^(3/2)
            event("rank 2, resolved")
            conditioning = float(ratio) ** -1.5
        else:
            event("rank 2, below what the state's dtype resolves")
            continue
        tolerance = 32 * t * macheps * conditioning * longest + (8 * macheps + out_eps) * size
        tolerance += float(np.finfo(dtype).smallest_subnormal) * 4
        assert np.abs(u - exact).max() <= tolerance, (dtype, g, t, u, exact, ratio)


def test_eps_per_coordinate_is_refused_like_rho():
    with pytest.raises(ValueError, match="eps has shape"):
        FullMatrixRMSProp(lr=0.1, eps=np.array([1e-6, 1e-3])).init(np.zeros((3, 2)))
    FullMatrixRMSProp(lr=0.1, eps=np.array([[1e-6], [1e-3], [1.0]])).init(np.zeros((3, 2)))  # one per run: fine


def test_a_real_small_eigenvalue_is_kept_when_the_gradient_has_a_component_there():
    # Coordinates whose gradients differ by 1e24: S is diagonal, its small eigenvalue far below the rounding floor
    # of the large one, yet real; the step along it is lr g / (sqrt(lambda) + eps), as diagonal RMSProp's.
    lr, rho, eps = 0.1, 0.5, 1e-30
    opt = FullMatrixRMSProp(lr, rho=rho, eps=eps)
    state = opt.init(np.zeros(2))
    _, state = opt.update(np.array([1e124, 0.0]), state)
    u, _ = opt.update(np.array([0.0, 1e100]), state)
    np.testing.assert_allclose(u, [0.0, lr / np.sqrt(1 - rho)], rtol=1e-14, atol=1e-300)


def test_eps_0_is_the_pseudo_inverse_and_a_zero_gradient_takes_no_step():
    opt = FullMatrixRMSProp(0.1, rho=0.9, eps=0.0)
    state = opt.init(np.zeros(2))
    u, state = opt.update(np.zeros(2), state)  # S = 0 and g = 0: a step of 0, not NaN (policy rule 6)
    np.testing.assert_array_equal(u, 0.0)
    u, state = opt.update(np.array([3e120, -4e120]), state)  # S = 0.1 g g^T: u = lr g / (sqrt(0.1) |g|), any scale
    np.testing.assert_allclose(u, 0.1 * np.array([0.6, -0.8]) / np.sqrt(0.1), rtol=4e-16)
    u, state = opt.update(np.zeros(2), state)
    np.testing.assert_array_equal(u, 0.0)


def test_eps_0_with_a_lost_square_is_refused_with_the_reason():
    opt = FullMatrixRMSProp(0.1, rho=0.9, eps=0.0)
    with pytest.raises(FloatingPointError, match=r"underflows.*eps = 0 is too small.*Use eps >= 7e-139"):
        opt.update(np.array([1e-160, 1.0e-170]), opt.init(np.zeros(2)))
