"""The numerics policy of rmsprop_lib.core.optimizers, rule by rule, and searched by hypothesis.

The property tests draw float16, float32 and float64 gradients over the whole
range of the dtype (exact zeros, mixed signs, the smallest normal number up
to the largest finite one) and compare every step with the same rule
computed exactly (``decimal`` with 60 digits, from the very same inputs).
Where the policy says the step cannot be computed (a square that overflows
or underflows the state's dtype, rules 4 and 5) they expect its
``FloatingPointError`` instead.
"""

from __future__ import annotations

import decimal
import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from rmsprop_lib import SGD, AdaGrad, Adam, Momentum, RMSProp, minimize, problems, rmsprop_update
from rmsprop_lib.core.problems import Problem
from rmsprop_lib.numerics.validation import state_dtype, underflow_floor

DTYPES = [np.float16, np.float32, np.float64]
ALL_OPTIMIZERS = [SGD(0.1), Momentum(0.1), AdaGrad(0.1), RMSProp(0.1), Adam(0.1)]


# ------------------------------------------------------------------ rule 1: dtypes


@pytest.mark.parametrize("opt", ALL_OPTIMIZERS, ids=repr)
@pytest.mark.parametrize("dtype, state", [(np.float16, np.float32), (np.float32, np.float32), (np.float64, np.float64)])
def test_state_is_at_least_float32_and_updates_keep_the_params_dtype(opt, dtype, state):
    params = np.array([1.0, -2.0, 0.5], dtype=dtype)
    opt_state = opt.init(params)
    arrays = [a for a in opt_state if isinstance(a, np.ndarray)]
    assert all(a.dtype == state for a in arrays)
    updates, new_state = opt.update(np.array([0.3, -1.0, 2.0], dtype=dtype), opt_state)
    assert updates.dtype == dtype
    assert (params - updates).dtype == dtype
    assert all(a.dtype == state for a in new_state if isinstance(a, np.ndarray))


@pytest.mark.parametrize("opt", ALL_OPTIMIZERS, ids=repr)
def test_integer_params_get_float64_state(opt):
    updates, state = opt.update(np.array([10, 8]), opt.init(np.array([5, 4])))
    assert updates.dtype == np.float64
    assert all(a.dtype == np.float64 for a in state if isinstance(a, np.ndarray))


@pytest.mark.parametrize("make, eps", [(lambda: RMSProp(0.01, eps=1e-8), 1e-8), (lambda: Adam(0.01), 1e-8), (lambda: AdaGrad(0.01), 1e-10)])
def test_float16_params_keep_an_eps_that_float16_cannot_hold(make, eps):
    assert np.float16(eps) == 0  # 1e-8 and 1e-10 are 0 in float16
    opt = make()
    g = np.array([0.0, 6e-8, 1e-3, 65504.0], dtype=np.float16)  # zero, the smallest subnormal, small, the largest
    updates, _ = opt.update(g, opt.init(g))
    exact = 0.01 * g.astype(np.float64) / (np.abs(g.astype(np.float64)) * (1.0 if isinstance(opt, (Adam, AdaGrad)) else np.sqrt(0.1)) + eps)
    assert np.all(np.isfinite(updates))
    np.testing.assert_allclose(updates.astype(np.float64), exact, rtol=2**-10)


def test_float16_gradients_square_without_overflow():
    g = np.array([65504.0, -65504.0], dtype=np.float16)  # g * g = 4.3e9 > the float16 maximum
    opt = RMSProp(0.1)
    updates, state = opt.update(g, opt.init(g))
    assert np.all(np.isfinite(state.mean_sq))
    np.testing.assert_allclose(updates.astype(float), [0.1 / np.sqrt(0.1), -0.1 / np.sqrt(0.1)], rtol=2**-10)


def test_seed_function_keeps_float16_updates_and_float32_state():
    updates, s = rmsprop_update(0.1, 0.9, 1e-6, np.array([3.0, -4.0], np.float16), np.zeros(2, np.float16))
    assert updates.dtype == np.float16 and s.dtype == np.float32


# ------------------------------------------------------------------ rule 2: hyperparameters never change the dtype


@pytest.mark.parametrize(
    "opt",
    [
        RMSProp(lr=np.float64(0.1), rho=np.float64(0.9), eps=np.float64(1e-6)),
        RMSProp(lr=np.full((3, 1), 0.1), rho=np.array(0.9), momentum=np.float64(0.5)),
        Adam(lr=np.float64(0.1), beta1=np.float32(0.9)),
        AdaGrad(lr=np.full((3, 1), 0.1), eps=np.float64(1e-10)),
        Momentum(lr=np.float64(0.1), beta=np.float64(0.9)),
        SGD(lr=np.float64(0.1)),
    ],
    ids=repr,
)
def test_numpy_float64_hyperparameters_keep_float32_params_float32(opt):
    params = np.ones((3, 2), dtype=np.float32)
    state = opt.init(params)
    for grad in (np.full((3, 2), 0.5, np.float32), np.full((3, 2), 0.5)):  # a float64 gradient is cast too
        updates, state = opt.update(grad, state)
        assert updates.dtype == np.float32
        assert all(a.dtype == np.float32 for a in state if isinstance(a, np.ndarray))


def test_a_decayed_learning_rate_keeps_float32_updates_float32():
    from rmsprop_lib.experiments.stochastic import InverseTimeDecay

    opt = InverseTimeDecay(RMSProp(0.1), decay_steps=np.float64(10.0))
    params = np.ones(3, np.float32)
    updates, _ = opt.update(np.ones(3, np.float32), opt.init(params))
    assert updates.dtype == np.float32


def test_scalar_hyperparameters_are_stored_as_python_numbers():
    opt = RMSProp(lr=np.float64(0.1), rho=np.array(0.9), eps=np.float32(0.5), momentum=np.int64(0))
    assert type(opt.lr) is float and type(opt.rho) is float and type(opt.eps) is float and type(opt.momentum) is int
    assert repr(opt) == "RMSProp(lr=0.1, rho=0.9, eps=0.5, centered=False, momentum=0, eps_in_sqrt=False)"


def test_a_fraction_is_taken_as_a_float():
    from fractions import Fraction

    assert RMSProp(lr=Fraction(1, 10)).lr == 0.1


# ------------------------------------------------------------------ rule 3: NaN and inf gradients


@pytest.mark.parametrize("opt", ALL_OPTIMIZERS, ids=repr)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_nan_or_inf_gradient_gives_a_non_finite_update_there_and_leaves_the_rest(opt, bad):
    state = opt.init(np.zeros(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no NumPy warning either
        updates, state = opt.update(np.array([1.0, bad, -2.0]), state)
        assert not np.isfinite(updates[1])
        assert np.all(np.isfinite(updates[[0, 2]]))
        for _ in range(3 if not isinstance(opt, SGD) else 0):  # later steps: never a silent 0 where the state was poisoned
            updates, state = opt.update(np.array([1.0, 1.0, -2.0]), state)
            assert not np.isfinite(updates[1]) and np.all(np.isfinite(updates[[0, 2]]))


@pytest.mark.parametrize("options", [{}, {"centered": True}, {"momentum": 0.9}, {"bias_correction": True, "centered": True}], ids=str)
def test_an_infinite_gradient_makes_rmsprop_updates_nan_from_then_on(options):
    opt = RMSProp(0.1, **options)
    state = opt.init(np.zeros(2))
    updates, state = opt.update(np.array([np.inf, 1.0]), state)
    assert np.isnan(updates[0])
    updates, state = opt.update(np.array([1.0, 1.0]), state)
    assert np.isnan(updates[0]) and np.isfinite(updates[1])


def test_minimize_reports_a_run_with_a_nan_gradient_as_diverged_and_keeps_the_others():
    def grad(points):
        g = problems.bowl.grad(points)
        return np.where(points[..., :1] > 4.5, np.nan, g)  # the run started at x = 5 meets a NaN gradient

    broken = Problem(name="broken", formula="", f=problems.bowl.f, grad=grad, minima=np.zeros((1, 2)),
                     window=((-6, 6), (-5, 5)), start=(5.0, 4.0))
    run = minimize(broken, RMSProp(lr=0.1), [[5.0, 4.0], [1.0, 1.0]], steps=20)
    assert run.diverged_at[0] == 1 and run.diverged_at[1] == -1
    assert np.all(np.isfinite(run.xs))


# ------------------------------------------------------------------ rule 4: overflow


@pytest.mark.parametrize("make", [lambda: RMSProp(0.1), lambda: Adam(0.1), lambda: AdaGrad(0.1), lambda: RMSProp(0.1, centered=True, momentum=0.5)])
def test_a_gradient_whose_square_overflows_float32_is_refused_with_advice(make):
    opt = make()
    params = np.zeros(2, np.float32)
    with pytest.raises(FloatingPointError, match=r"grad has values up to 1e\+20 whose squares overflow the optimizer's "
                                                 r"float32 state .*use float64 parameters"):
        opt.update(np.array([1.0, 1e20], np.float32), opt.init(params))
    # the same gradient in float64 is fine, and the step is the exact one
    updates, _ = opt.update(np.array([1.0, 1e20]), opt.init(params.astype(np.float64)))
    assert np.all(np.isfinite(updates)) and updates[1] > 0.05


def test_adagrads_growing_sum_that_overflows_is_refused():
    opt = AdaGrad(0.1)
    state = opt.init(np.zeros(1, np.float32))
    with pytest.raises(FloatingPointError, match="overflow"):
        for _ in range(10):
            _, state = opt.update(np.array([1e19], np.float32), state)  # 1e38 each: the sum passes 3.4e38


def test_overflow_in_float64_is_refused_without_the_float64_advice():
    with pytest.raises(FloatingPointError, match=r"overflow .*scale the loss \(and so the gradients\) down\.$"):
        rmsprop_update(0.1, 0.9, 1e-6, np.array([1e200]), np.zeros(1))


# ------------------------------------------------------------------ rule 5: underflow


@pytest.mark.parametrize("dtype, g", [(np.float32, 1e-30), (np.float64, 1e-200)])
def test_an_underflowing_square_with_eps_0_is_refused_and_a_default_eps_is_right(dtype, g):
    grad = np.array([g, 1.0], dtype)
    with pytest.raises(FloatingPointError, match=rf"the average of grad\*\*2 underflows the optimizer's {np.dtype(dtype)} state .*"
                                                 rf"index \(0,\), grad there {g:.3g}\), and eps = 0 is too small .*wrong or "
                                                 r"infinite\. Use eps >= "):
        RMSProp(0.1, eps=0.0).update(grad, RMSProp(0.1).init(grad))
    updates, _ = RMSProp(0.1, eps=1e-6).update(grad, RMSProp(0.1).init(grad))
    np.testing.assert_allclose(updates[0], 0.1 * g / 1e-6, rtol=1e-6)  # sqrt(s) is far below eps


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_underflow_floor_is_what_the_policy_says(dtype):
    floor = underflow_floor(dtype)
    assert floor == pytest.approx({np.float32: 9.1e-13, np.float64: 6.7e-139}[dtype], rel=0.01)
    g = np.array([np.sqrt(np.finfo(dtype).tiny) / 100], dtype)  # its square underflows
    opt = RMSProp(0.1, eps=floor * 1.01)
    assert np.isfinite(opt.update(g, opt.init(g))[0]).all()
    with pytest.raises(FloatingPointError, match="underflow"):
        RMSProp(0.1, eps=floor * 0.99).update(g, opt.init(g))


# ------------------------------------------------------------------ rule 6: eps = 0


def test_eps_0_the_seed_function_and_rmsprop_agree_and_a_zero_gradient_takes_no_step():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        updates, s = rmsprop_update(0.1, 0.9, 0.0, grad=[0, 3], s_prev=[0, 0])
    np.testing.assert_allclose(updates, [0.0, 0.1 / np.sqrt(0.1)])
    opt = RMSProp(0.1, eps=0)
    ours, state = opt.update(np.array([0.0, 3.0]), opt.init(np.zeros(2)))
    np.testing.assert_array_equal(ours, updates)
    np.testing.assert_array_equal(state.mean_sq, s)


@pytest.mark.parametrize("opt", [RMSProp(0.1, eps=0.0, centered=True, bias_correction=True),
                                 RMSProp(0.1, rho=0.0, eps=0.0, centered=True),
                                 RMSProp(0.1, eps=0.0, centered=True, bias_correction=True, momentum=0.9)], ids=repr)
def test_eps_0_centered_with_no_spread_is_an_infinite_step_and_refused(opt):
    # The first centered, bias-corrected step divides by sqrt(s_hat - gbar_hat^2) = sqrt(g^2 - g^2) = 0.
    with pytest.raises(FloatingPointError, match=r"the step would be infinite: .* index \(1,\).* Use eps > 0"):
        opt.update(np.array([0.0, 2.0]), opt.init(np.zeros(2)))
    # a zero gradient there is a zero step, as everywhere
    updates, _ = opt.update(np.zeros(2), opt.init(np.zeros(2)))
    np.testing.assert_array_equal(updates, [0.0, 0.0])


def test_eps_0_centered_steps_with_spread_are_finite_and_exact():
    opt = RMSProp(0.1, rho=0.5, eps=0.0, centered=True, bias_correction=True)
    state = opt.init(np.zeros(1))
    _, state = opt.update(np.array([0.0]), state)
    updates, state = opt.update(np.array([2.0]), state)
    # s_hat = (0.5 * 4) / 0.75, gbar_hat = (0.5 * 2) / 0.75: variance 8/3 - 16/9 = 8/9
    np.testing.assert_allclose(updates, [0.1 * 2 / np.sqrt(8 / 9)], rtol=1e-14)


# ------------------------------------------------------------------ properties: every step exact to the dtype's precision

CTX = decimal.Context(prec=60, Emin=-100_000, Emax=100_000)
D = CTX.create_decimal_from_float


def _finite_magnitudes(dtype):
    info = np.finfo(dtype)
    return st.floats(float(info.tiny), float(info.max), width=info.bits)


def _gradients(dtype):
    usual = st.floats(float(dtype(1e-4)), float(dtype(1e4)), width=np.finfo(dtype).bits)
    magnitude = st.one_of(_finite_magnitudes(dtype), usual)  # anything the dtype holds, or the usual sizes
    value = st.one_of(st.just(0.0), magnitude, magnitude.map(lambda v: -v))
    return st.lists(st.lists(value, min_size=3, max_size=3), min_size=1, max_size=3).map(lambda rows: np.array(rows, dtype))


@dataclass
class Config:
    kind: str  # "rmsprop", "adagrad" or "adam"
    lr: float
    rho: float  # rho, or Adam's beta2
    eps: float
    beta1: float = 0.0
    momentum: float = 0.0
    eps_in_sqrt: bool = False
    bias_correction: bool = False

    def make(self):
        if self.kind == "adagrad":
            return AdaGrad(self.lr, eps=self.eps)
        if self.kind == "adam":
            return Adam(self.lr, beta1=self.beta1, beta2=self.rho, eps=self.eps)
        return RMSProp(self.lr, rho=self.rho, eps=self.eps, momentum=self.momentum, eps_in_sqrt=self.eps_in_sqrt,
                       bias_correction=self.bias_correction)


lrs = st.sampled_from([1e-3, 0.1, 1.0])
decays = st.sampled_from([0.0, 0.5, 0.9, 0.999])
epsilons = st.sampled_from([0.0, 1e-10, 1e-8, 1e-6, 1e-3])
configs = st.one_of(
    st.builds(Config, st.just("rmsprop"), lrs, decays, epsilons, st.just(0.0), st.sampled_from([0.0, 0.9]), st.booleans(), st.booleans()),
    st.builds(Config, st.just("adagrad"), lrs, st.just(0.0), epsilons),
    st.builds(Config, st.just("adam"), lrs, decays, epsilons, decays),
)


class Exact:
    """The optimizer's rule for one coordinate, computed exactly in Decimal from the same inputs."""

    def __init__(self, c: Config):
        self.c, self.s, self.m, self.m_abs, self.b, self.b_abs, self.t = c, D(0), D(0), D(0), D(0), D(0), 0
        self.lr, self.rho, self.eps, self.beta1, self.mu = (D(v) for v in (c.lr, c.rho, c.eps, c.beta1, c.momentum))

    def squares(self, g: decimal.Decimal) -> decimal.Decimal:
        """The new average (or sum) of squares."""
        if self.c.kind == "adagrad":
            return CTX.add(self.s, CTX.multiply(g, g))
        return CTX.add(CTX.multiply(self.rho, self.s), CTX.multiply(1 - self.rho, CTX.multiply(g, g)))

    def step(self, g: decimal.Decimal) -> tuple[decimal.Decimal, decimal.Decimal, decimal.Decimal]:
        """(update, the magnitude of the terms summed into it, the denominator)."""
        c, one = self.c, D(1)
        self.t += 1
        self.s = self.squares(g)
        if c.kind == "adam":
            self.m = CTX.add(CTX.multiply(self.beta1, self.m), CTX.multiply(one - self.beta1, g))
            self.m_abs = CTX.add(CTX.multiply(self.beta1, self.m_abs), CTX.multiply(one - self.beta1, abs(g)))
            d = CTX.add(CTX.divide(self.s.sqrt(CTX), CTX.power(one - CTX.power(self.rho, self.t), D(0.5))), self.eps)
            scale = CTX.divide(self.lr, one - CTX.power(self.beta1, self.t))
            if d == 0:
                return D(0), D(0), d
            return scale * CTX.divide(self.m, d), scale * CTX.divide(self.m_abs, d), d
        s_hat = CTX.divide(self.s, one - CTX.power(self.rho, self.t)) if c.bias_correction else self.s
        d = CTX.add(s_hat, self.eps).sqrt(CTX) if c.eps_in_sqrt else CTX.add(s_hat.sqrt(CTX), self.eps)
        q = D(0) if d == 0 else CTX.divide(g, d)  # d = 0 only where every gradient so far was 0
        if c.momentum:
            self.b = CTX.add(CTX.multiply(self.mu, self.b), q)
            self.b_abs = CTX.add(CTX.multiply(self.mu, self.b_abs), abs(q))
            return self.lr * self.b, self.lr * self.b_abs, d
        return self.lr * q, self.lr * abs(q), d


def _expected_failure(refs: list[Exact], grads: np.ndarray, dtype) -> str | None:
    """"overflow" or "underflow" when the policy refuses this step, else None (assume away the borderline)."""
    info = np.finfo(dtype)
    big, tiny = D(float(info.max)), D(float(info.tiny))
    failure = None
    for ref, g in zip(refs, grads):
        g = D(float(g))
        new = ref.squares(g)
        square = CTX.multiply(g, g) if ref.c.kind != "adagrad" else new  # leaky averages overflow in g * g
        assume(not big * D(0.999) < square < big * D(1.001))
        if square > big:
            return "overflow"
        if D(ref.c.eps) < D(underflow_floor(dtype, ref.c.eps_in_sqrt)):
            numerator = g
            if ref.c.kind == "adam":  # Adam's step divides its average m, which remembers earlier gradients
                numerator = CTX.add(CTX.multiply(ref.beta1, ref.m), CTX.multiply(1 - ref.beta1, g))
                assume(numerator == 0 or abs(numerator) > tiny)  # a subnormal m may round to 0
            if numerator != 0:
                assume(not tiny * D(0.999) < new < tiny * D(1.001))
                if new < tiny:
                    failure = "underflow"
    return failure


@settings(max_examples=300)
@given(st.sampled_from(DTYPES).flatmap(lambda dtype: st.tuples(st.just(dtype), _gradients(dtype))), configs)
def test_every_step_is_finite_and_exact_to_the_dtypes_precision_or_refused_by_the_policy(dtype_and_grads, config):
    dtype, grads = dtype_and_grads
    state_type = state_dtype(dtype)
    macheps, out_eps = np.finfo(state_type).eps, np.finfo(dtype).eps
    sub_state, sub_out = np.finfo(state_type).smallest_subnormal, np.finfo(dtype).smallest_subnormal
    opt = config.make()
    state = opt.init(np.zeros(grads.shape[1], dtype))
    refs = [Exact(config) for _ in range(grads.shape[1])]
    seed_s = np.zeros(grads.shape[1], dtype)
    plain = config.kind == "rmsprop" and not (config.momentum or config.eps_in_sqrt or config.bias_correction)
    for t, g in enumerate(grads, start=1):
        failure = _expected_failure(refs, g, state_type)
        event(f"{np.dtype(dtype).name} {config.kind}: {failure or 'a step'}")
        if failure:
            with pytest.raises(FloatingPointError, match=failure):
                opt.update(g, state)
            if plain:
                with pytest.raises(FloatingPointError, match=failure):
                    rmsprop_update(config.lr, config.rho, config.eps, g, seed_s)
            return
        updates, state = opt.update(g, state)
        assert updates.dtype == dtype
        exact = [ref.step(D(float(v))) for ref, v in zip(refs, g)]
        for value, (u, magnitude, d) in zip(updates, exact):
            if abs(float(u)) > float(np.finfo(dtype).max):  # the true step is not representable: inf is its rounding
                assert np.isinf(value) and np.sign(value) == np.sign(float(u))
                continue
            assert np.isfinite(value), (config, g, updates)
            lr_eff = config.lr / (1 - config.beta1**t) if config.kind == "adam" else config.lr
            # relative: a few rounding errors per step in the state's dtype, the cast to the gradient's, and
            # the bias corrections 1 - beta**t (computed in float64), which lose digits when beta**t is near 1;
            # absolute: products such as lr * g rounded among subnormal numbers, divided by the denominator
            corrected = [config.beta1, config.rho] if config.kind == "adam" else [config.rho] * config.bias_correction
            conditioning = sum(t * 2.0**-52 / (1 - beta**t) for beta in corrected)
            tolerance = (16 * t * macheps + out_eps + conditioning) * float(magnitude) + sub_out
            if d > 0:
                tolerance += 8 * sub_state * (1 + lr_eff) / float(d)
            assert abs(float(value) - float(u)) <= tolerance, (config, g, value, float(u), tolerance)
        if plain:  # the seed's function takes the very same steps
            seed_updates, seed_s = rmsprop_update(config.lr, config.rho, config.eps, g, seed_s)
            np.testing.assert_array_equal(seed_updates, updates)
            assert seed_updates.dtype == updates.dtype
            np.testing.assert_array_equal(seed_s, state.mean_sq)


@settings(max_examples=100)
@given(
    st.sampled_from(DTYPES).flatmap(lambda dtype: st.tuples(st.just(dtype), _gradients(dtype))),
    lrs, decays, st.sampled_from([1e-10, 1e-8, 1e-6]), st.booleans(), st.sampled_from([0.0, 0.9]),
)
def test_centered_steps_are_finite_for_every_gradient_the_state_can_hold(dtype_and_grads, lr, rho, eps, bias_correction, mu):
    dtype, grads = dtype_and_grads
    info = np.finfo(state_dtype(dtype))
    assume(np.all(np.abs(grads.astype(float)) < np.sqrt(float(info.max)) * 0.999))
    opt = RMSProp(lr, rho=rho, eps=eps, centered=True, bias_correction=bias_correction, momentum=mu)
    state = opt.init(np.zeros(grads.shape[1], dtype))
    largest, bound = float(np.finfo(dtype).max), 0.0
    for g in grads:
        updates, state = opt.update(g, state)
        assert updates.dtype == dtype
        # finite wherever the true step can be: each term is at most |g| / eps, and momentum sums them
        bound = mu * bound + np.abs(g.astype(float)) / eps
        assert np.all(np.isfinite(updates) | (lr * bound > largest)), (g, updates)
