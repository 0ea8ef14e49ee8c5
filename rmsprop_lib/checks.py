"""Checks for the workshop exercises: run a learner's function, say what is wrong.

Each ``check_*`` function takes the learner's function, runs it on a few test
cases (scalars, vectors, zero state, tiny and large gradients) and compares
it with the reference. It prints its feedback and returns True or False; it
never raises for a wrong answer:

- ``✓ name: correct on every test case.``
- ``○ name: not attempted yet ...`` while the stub still raises NotImplementedError;
- ``✗ name: ...`` naming the mistake when it is a common one, otherwise
  showing the first test case that differs, with expected and actual values.

How a mistake is recognised: every exercise lists known wrong versions of the
reference ("ε inside the root", "forgot (1 - ρ)", ...). If one of them
reproduces the learner's output on every test case, that is the diagnosis;
failing that, each wrong output is matched on its own, so two mistakes in
different outputs are both named. Reading the wrong versions below is a fine
way to learn what *not* to write.

The learner's function gets copies of the inputs; comparing them afterwards
catches a function that changes its input arrays in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = [
    "check_gd_step",
    "check_momentum_update",
    "check_adagrad_update",
    "check_rmsprop_update",
    "check_bias_corrected_rmsprop",
    "check_dense_backward",
    "check_amsgrad_update",
]

RTOL, ATOL = 1e-6, 1e-300  # relative agreement; tiny gradients give tiny but valid values


# ------------------------------------------------------------------ the machinery


@dataclass
class Exercise:
    """One exercise: the reference, the test cases and the known mistakes."""

    name: str
    params: tuple[str, ...]  # argument names, for printing a test case
    outputs: tuple[str, ...]  # names of the returned values, e.g. ("updates", "s")
    reference: Callable
    cases: list[tuple[str, tuple]]  # (description, arguments)
    mistakes: list[tuple[str, Callable]] = field(default_factory=list)

    def mistake(self, message: str):
        """Decorator: register a known wrong version of the reference and what to say about it."""

        def register(wrong: Callable) -> Callable:
            self.mistakes.append((message, wrong))
            return wrong

        return register


@dataclass
class Outcome:
    """What a function did on one test case: its outputs, or the exception it raised."""

    values: tuple | None = None
    error: Exception | None = None
    changed: tuple[str, ...] = ()  # input arrays it modified in place


def _run(exercise: Exercise, fn: Callable, args: tuple) -> Outcome:
    """Call ``fn`` on copies of ``args``; NotImplementedError (an unsolved stub) propagates."""
    copies = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
    try:
        with np.errstate(all="ignore"):  # a wrong formula may take sqrt(-1): its NaN is the feedback
            result = fn(*copies)
    except NotImplementedError:
        raise
    except Exception as error:  # the learner's bug, reported as feedback
        return Outcome(error=error)
    changed = tuple(
        name
        for name, before, after in zip(exercise.params, args, copies)
        if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True)
    )
    several = isinstance(result, tuple) or (len(exercise.outputs) > 1 and isinstance(result, list))
    return Outcome(values=tuple(result) if several else (result,), changed=changed)


def _as_floats(value) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _same(a: Outcome, b: Outcome, which: list[int] | None = None) -> bool:
    """Do two outcomes agree: the same exception type, or the same values (all, or those in ``which``)?"""
    if a.error or b.error:
        return type(a.error) is type(b.error)
    if len(a.values) != len(b.values):
        return False
    for i in range(len(a.values)) if which is None else which:
        x, y = _as_floats(a.values[i]), _as_floats(b.values[i])
        if x is None or y is None or x.shape != y.shape:
            return False
        if not np.allclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True):
            return False
    return True


def _shape_problem(exercise: Exercise, got: Outcome, expected: Outcome) -> str | None:
    """A sentence on a missing return, a wrong number of values or a wrong type or shape; else None."""
    n = len(exercise.outputs)
    if len(got.values) == 1 and got.values[0] is None:
        return "it returned None: is the `return` statement missing?"
    if len(got.values) != n:
        want = f"{n} values, ({', '.join(exercise.outputs)})" if n > 1 else f"one value, {exercise.outputs[0]}"
        return f"it returned {len(got.values)} value{'s' if len(got.values) > 1 else ''}; it should return {want}."
    for name, value, reference in zip(exercise.outputs, got.values, expected.values):
        array = _as_floats(value)
        if array is None:
            return f"{name} should be a number or an array of numbers, got {type(value).__name__}."
        if array.shape != np.shape(reference):
            return f"{name} has shape {array.shape}, but should have shape {np.shape(reference)}."
    return None


def _fmt(value, indent: int = 0) -> str:
    array = _as_floats(value)
    if array is None:
        return repr(value)
    text = np.array2string(array, separator=", ", formatter={"float_kind": lambda v: f"{v:.6g}"})
    return text.replace("\n", "\n" + " " * indent)


def _call(exercise: Exercise, args: tuple) -> str:
    def short(a):  # matrices by their shape, to keep the line short
        return f"<{'x'.join(map(str, a.shape))} array>" if np.ndim(a) >= 2 else _fmt(a)

    return f"{exercise.name}(" + ", ".join(f"{p}={short(a)}" for p, a in zip(exercise.params, args)) + ")"


def _first_difference(exercise: Exercise, got: list[Outcome], expected: list[Outcome], which: list[int]) -> str:
    k = next(k for k, (g, e) in enumerate(zip(got, expected)) if not _same(g, e, which))
    label, args = exercise.cases[k]
    lines = [f"first test case that differs ({label}):", f"    {_call(exercise, args)}"]
    for i in which:
        name = exercise.outputs[i]
        indent = 4 + len(name) + 2 + 9
        lines.append(f"    {name}: expected {_fmt(expected[k].values[i], indent)}")
        lines.append(f"    {' ' * len(name)}  got      {_fmt(got[k].values[i], indent)}")
    return "\n".join(lines)


def _feedback(exercise: Exercise, fn: Callable) -> tuple[str, str]:
    """``(status, message)`` for the learner's function; status is "correct", "wrong" or "todo"."""
    if not callable(fn):
        return "wrong", f"expected a function, got {type(fn).__name__}: pass the function itself, without calling it."
    try:
        got = [_run(exercise, fn, args) for _, args in exercise.cases]
    except NotImplementedError:
        return "todo", "not attempted yet - replace `raise NotImplementedError()` with your code, then run this cell again."
    expected = [_run(exercise, exercise.reference, args) for _, args in exercise.cases]
    tried = [(message, [_run(exercise, wrong, args) for _, args in exercise.cases]) for message, wrong in exercise.mistakes]

    if all(_same(g, e) for g, e in zip(got, expected)) and not any(g.changed for g in got):
        return "correct", "correct on every test case."

    # 0. Changing an input array in place (the values may be right, or break on the integer state).
    changed = sorted({name for outcome in got for name in outcome.changed})
    in_place = ""
    if changed:
        name = changed[0]
        in_place = (
            f"it changes its input {' and '.join(changed)} in place (like `{name} -= ...`, `{name} *= ...` or "
            f"`{name}[:] = ...`). Compute a new array instead (`new = ... {name} ...`): the caller may still need "
            "the old values."
        )
        if all(_same(g, e) for g, e in zip(got, expected) if not g.error):
            failed = [(label, args, g.error) for (label, args), g in zip(exercise.cases, got) if g.error]
            lines = [("the values are right, but " if not failed else "") + in_place]
            for label, args, error in failed[:1]:
                lines.append(f"Because of that it raised {type(error).__name__}: {error}")
                lines.append(f"on the test case ({label}): {_call(exercise, args)}")
            return "wrong", "\n    ".join(lines)

    # 1. A known mistake that reproduces every test case.
    for message, outcomes in tried:
        if all(_same(g, w) for g, w in zip(got, outcomes)):
            return "wrong", " ".join(filter(None, [message, in_place and "Also, " + in_place]))

    # 2. An exception, a missing return, a wrong number of values, a wrong type or shape.
    for (label, args), g, e in zip(exercise.cases, got, expected):
        problem = f"it raised {type(g.error).__name__}: {g.error}" if g.error else _shape_problem(exercise, g, e)
        if problem:
            where = f"on the test case ({label}): {_call(exercise, args)}"
            return "wrong", "\n    ".join(filter(None, [problem, where, in_place and "Also, " + in_place]))

    # 3. Output by output: which values are wrong, and is a known mistake behind each?
    wrong = [i for i in range(len(exercise.outputs)) if not all(_same(g, e, [i]) for g, e in zip(got, expected))]
    right = [name for i, name in enumerate(exercise.outputs) if i not in wrong]
    notes = [f"{' and '.join(right)} {'is' if len(right) == 1 else 'are'} right."] if right else []
    unexplained = []
    for i in wrong:
        message = next((m for m, outcomes in tried if all(_same(g, w, [i]) for g, w in zip(got, outcomes))), None)
        if message:
            notes.append(f"{exercise.outputs[i]}: {message}")
        else:
            unexplained.append(i)
    if unexplained:
        notes.append(_first_difference(exercise, got, expected, unexplained))
    if in_place:
        notes.append("Also, " + in_place)
    return "wrong", "\n  ".join(notes)


SYMBOLS = {"correct": "✓", "wrong": "✗", "todo": "○"}


def check(exercise: Exercise, fn: Callable) -> bool:
    """Run ``fn`` against ``exercise``, print the feedback, return whether it is right."""
    try:
        status, message = _feedback(exercise, fn)
    except Exception as error:  # whatever the function returned, a check never raises
        status, message = "wrong", f"could not check it ({type(error).__name__}: {error}); look at what it returns."
    print(f"{SYMBOLS[status]} {exercise.name}: {message}")
    return status == "correct"


def _zeros(n: int) -> np.ndarray:
    return np.zeros(n)


def _a(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


# ------------------------------------------------------------------ 01 gradient descent


def _gd_step(x, grad, lr):
    return x - lr * grad


GD = Exercise(
    name="gd_step",
    params=("x", "grad", "lr"),
    outputs=("new x",),
    reference=_gd_step,
    cases=[
        ("scalars", (5.0, 10.0, 0.1)),
        ("the post's start point", (_a(5, 4), _a(10, 8), 0.1)),
        ("a vector, zero gradient", (_a(1, -2, 3), _zeros(3), 0.5)),
        ("tiny gradient at the origin", (_zeros(2), _a(1e-9, -3e-10), 0.3)),
        ("large gradient", (_a(-2.0, 7.0), _a(4e5, -2e6), 1e-4)),
    ],
)


@GD.mistake("the sign is wrong: x + lr * grad walks uphill. Step against the gradient: x - lr * grad.")
def _(x, grad, lr):
    return x + lr * grad


@GD.mistake("the learning rate is left out: x - grad takes a full gradient step. Scale it: x - lr * grad.")
def _(x, grad, lr):
    return x - grad


@GD.mistake("it divides by the learning rate: x - grad / lr. Multiply instead: x - lr * grad.")
def _(x, grad, lr):
    return x - grad / lr


@GD.mistake("it returns the step lr * grad, not the new point. Return x - lr * grad.")
def _(x, grad, lr):
    return lr * grad


@GD.mistake("it returns the change -lr * grad, not the new point. Add it to x: x - lr * grad.")
def _(x, grad, lr):
    return -lr * grad


def check_gd_step(gd_step) -> bool:
    """``gd_step(x, grad, lr) -> new x``: one gradient-descent step, ``x - lr * grad``."""
    return check(GD, gd_step)


#: The mistake of returning the next point instead of the update (momentum, AdaGrad, RMSProp).
RETURNS_A_POSITION = (
    "it returns grad - updates, a new *position* (as if grad were the point). "
    "Return the update itself; the caller moves with x = x - updates."
)



def swapped(state: str) -> str:
    """The mistake of returning ``(state, updates)`` instead of ``(updates, state)``."""
    return (f"it returns ({state}, updates): the two values are swapped. Return the update first, then the "
            f"new state: `return updates, {state}` (the caller writes `updates, {state} = ...`).")


# ------------------------------------------------------------------ 03 momentum


def _momentum_update(grad, velocity, lr, beta):
    velocity = beta * velocity + grad
    return lr * velocity, velocity


MOMENTUM = Exercise(
    name="momentum_update",
    params=("grad", "velocity", "lr", "beta"),
    outputs=("updates", "new_velocity"),
    reference=_momentum_update,
    cases=[
        ("scalars", (2.0, 0.5, 0.1, 0.9)),
        ("vectors, zero velocity", (_a(10, 8), _zeros(2), 0.1, 0.9)),
        ("vectors, non-zero velocity", (_a(1, -2, 0.5), _a(0.5, 0.5, -3), 0.05, 0.8)),
        ("tiny gradient", (_a(1e-9, -2e-9), _a(1e-8, 0), 0.1, 0.5)),
        ("large gradient", (_a(3e5, -1e6), _a(-2e5, 4e5), 1e-4, 0.95)),
    ],
)


@MOMENTUM.mistake(
    "lr is inside the velocity (v = beta*v + lr*grad, updates = v). Some texts write it so, but here the "
    "velocity adds up plain gradients and lr scales it at the end: v = beta*v + grad; updates = lr*v."
)
def _(grad, velocity, lr, beta):
    velocity = beta * velocity + lr * grad
    return velocity, velocity


@MOMENTUM.mistake("the velocity is not updated: it returns the old velocity. Return v = beta*velocity + grad.")
def _(grad, velocity, lr, beta):
    return lr * (beta * velocity + grad), velocity


@MOMENTUM.mistake("beta is on the wrong term: v = velocity + beta*grad. beta decays the old velocity: v = beta*velocity + grad.")
def _(grad, velocity, lr, beta):
    velocity = velocity + beta * grad
    return lr * velocity, velocity


@MOMENTUM.mistake(
    "it damps the gradient: v = beta*v + (1-beta)*grad is a leaky average (Adam's first moment). "
    "Classical momentum adds the whole gradient: v = beta*velocity + grad."
)
def _(grad, velocity, lr, beta):
    velocity = beta * velocity + (1 - beta) * grad
    return lr * velocity, velocity


@MOMENTUM.mistake("the step uses the old velocity (lr*velocity). Update the velocity first, then step: updates = lr * new_velocity.")
def _(grad, velocity, lr, beta):
    return lr * velocity, beta * velocity + grad


@MOMENTUM.mistake("the sign of the update is flipped. The caller does x = x - updates, so updates = +lr*v.")
def _(grad, velocity, lr, beta):
    updates, velocity = _momentum_update(grad, velocity, lr, beta)
    return -updates, velocity


@MOMENTUM.mistake("the learning rate is left out of the update: updates = lr * v.")
def _(grad, velocity, lr, beta):
    velocity = beta * velocity + grad
    return velocity, velocity


@MOMENTUM.mistake(RETURNS_A_POSITION)
def _(grad, velocity, lr, beta):
    updates, velocity = _momentum_update(grad, velocity, lr, beta)
    return grad - updates, velocity


@MOMENTUM.mistake(swapped("new_velocity"))
def _(grad, velocity, lr, beta):
    updates, velocity = _momentum_update(grad, velocity, lr, beta)
    return velocity, updates


def check_momentum_update(momentum_update) -> bool:
    """``momentum_update(grad, velocity, lr, beta) -> (updates, new_velocity)``: ``v = beta*v + g``, ``updates = lr*v``."""
    return check(MOMENTUM, momentum_update)


# ------------------------------------------------------------------ 04 AdaGrad


def _adagrad_update(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


ADAGRAD = Exercise(
    name="adagrad_update",
    params=("grad", "sum_sq", "lr", "eps"),
    outputs=("updates", "new_sum_sq"),
    reference=_adagrad_update,
    cases=[
        ("scalars", (3.0, 16.0, 0.5, 1e-10)),
        ("vectors, zero state", (_a(10, 8), _zeros(2), 0.1, 1e-10)),
        ("vectors, non-zero state", (_a(1, -2, 0.5), _a(4, 0, 9), 0.5, 1e-8)),
        ("tiny gradient", (_a(1e-9, -2e-9), _zeros(2), 0.1, 1e-6)),
        ("large gradient", (_a(3e5, -1e6), _a(1e10, 4e11), 0.01, 1e-10)),
    ],
)


@ADAGRAD.mistake("the gradient is not squared in the accumulator: sum_sq + grad. Accumulate squares: sum_sq + grad**2.")
def _(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


@ADAGRAD.mistake("eps is inside the square root: sqrt(sum_sq + eps). Here it goes outside: lr*grad / (sqrt(sum_sq) + eps).")
def _(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return lr * grad / np.sqrt(sum_sq + eps), sum_sq


@ADAGRAD.mistake("the state is not accumulated: new_sum_sq = grad**2 forgets the past. Add to it: sum_sq + grad**2.")
def _(grad, sum_sq, lr, eps):
    sum_sq = grad**2
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


@ADAGRAD.mistake("it returns the old sum_sq. Return the new accumulator, sum_sq + grad**2.")
def _(grad, sum_sq, lr, eps):
    updates, _ = _adagrad_update(grad, sum_sq, lr, eps)
    return updates, sum_sq


@ADAGRAD.mistake("the square root is missing: divide by sqrt(sum_sq) + eps, not by sum_sq + eps.")
def _(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return lr * grad / (sum_sq + eps), sum_sq


@ADAGRAD.mistake("the step divides by the old sum_sq. Add grad**2 first, then divide by the root of the new sum.")
def _(grad, sum_sq, lr, eps):
    return lr * grad / (np.sqrt(sum_sq) + eps), sum_sq + grad**2


@ADAGRAD.mistake("the sign of the update is flipped. The caller does x = x - updates, so updates = +lr*grad/(sqrt(s) + eps).")
def _(grad, sum_sq, lr, eps):
    updates, sum_sq = _adagrad_update(grad, sum_sq, lr, eps)
    return -updates, sum_sq


@ADAGRAD.mistake("the learning rate is left out: updates = lr * grad / (sqrt(sum_sq) + eps).")
def _(grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return grad / (np.sqrt(sum_sq) + eps), sum_sq


@ADAGRAD.mistake(RETURNS_A_POSITION)
def _(grad, sum_sq, lr, eps):
    updates, sum_sq = _adagrad_update(grad, sum_sq, lr, eps)
    return grad - updates, sum_sq


@ADAGRAD.mistake(swapped("new_sum_sq"))
def _(grad, sum_sq, lr, eps):
    updates, sum_sq = _adagrad_update(grad, sum_sq, lr, eps)
    return sum_sq, updates


def check_adagrad_update(adagrad_update) -> bool:
    """``adagrad_update(grad, sum_sq, lr, eps) -> (updates, new_sum_sq)``: ``s = s + g**2``, ``updates = lr*g/(sqrt(s) + eps)``."""
    return check(ADAGRAD, adagrad_update)


# ------------------------------------------------------------------ 05 RMSProp (the seed's function)


def _rmsprop_update(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


_RMSPROP_CASES = [
    ("the post's first step, zero state", (0.1, 0.9, 1e-6, _a(10, 8), _zeros(2))),
    ("scalars", (0.01, 0.99, 1e-8, 0.5, 2.0)),
    ("vectors, non-zero state", (0.1, 0.9, 1e-6, _a(3, -4, 0.5), _a(1, 4, 0.25))),
    ("tiny gradient", (0.1, 0.9, 1e-6, _a(1e-9, -3e-9), _zeros(2))),
    ("large gradient", (0.001, 0.5, 1e-6, _a(1e4, -3e5), _a(1e8, 0))),
    ("zero gradient", (0.1, 0.8, 1e-6, _zeros(2), _a(1, 0))),
    ("the post's integer zero state", (0.1, 0.9, 1e-6, _a(10, 8), np.array([0, 0]))),
]

RMSPROP = Exercise(
    name="rmsprop_update",
    params=("learning_rate", "rho", "epsilon", "grad", "s_prev"),
    outputs=("updates", "s"),
    reference=_rmsprop_update,
    cases=_RMSPROP_CASES,
)


@RMSPROP.mistake("ε is inside the square root: sqrt(s + epsilon). The post (and torch) put it outside: sqrt(s) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / np.sqrt(s + epsilon), s


@RMSPROP.mistake("the (1 - rho) is missing: s = rho*s_prev + grad**2 grows too large. Use s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + grad**2
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


@RMSPROP.mistake("rho is on the wrong term: (1 - rho)*s_prev + rho*grad**2. rho keeps the past: s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = (1 - rho) * s_prev + rho * grad**2
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


@RMSPROP.mistake("the gradient is not squared: s averages grad**2, not grad.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad
    return learning_rate * grad / (np.sqrt(s) + epsilon), s


@RMSPROP.mistake("it returns the old state s_prev. Return the new average s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    updates, _ = _rmsprop_update(learning_rate, rho, epsilon, grad, s_prev)
    return updates, s_prev


@RMSPROP.mistake("the square root is missing: divide by sqrt(s) + epsilon, not by s + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (s + epsilon), s


@RMSPROP.mistake("the step divides by the old s_prev. Compute s first, then divide by sqrt(s) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / (np.sqrt(s_prev) + epsilon), s


@RMSPROP.mistake("the sign of the update is flipped. The caller does x = x - updates, so updates = +lr*grad/(sqrt(s) + eps).")
def _(learning_rate, rho, epsilon, grad, s_prev):
    updates, s = _rmsprop_update(learning_rate, rho, epsilon, grad, s_prev)
    return -updates, s


@RMSPROP.mistake("the learning rate is left out: updates = learning_rate * grad / (sqrt(s) + epsilon).")
def _(learning_rate, rho, epsilon, grad, s_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    return grad / (np.sqrt(s) + epsilon), s


@RMSPROP.mistake(RETURNS_A_POSITION)
def _(learning_rate, rho, epsilon, grad, s_prev):
    updates, s = _rmsprop_update(learning_rate, rho, epsilon, grad, s_prev)
    return grad - updates, s


@RMSPROP.mistake(swapped("s"))
def _(learning_rate, rho, epsilon, grad, s_prev):
    updates, s = _rmsprop_update(learning_rate, rho, epsilon, grad, s_prev)
    return s, updates


def check_rmsprop_update(rmsprop_update) -> bool:
    """``rmsprop_update(learning_rate, rho, epsilon, grad, s_prev) -> (updates, s)``: the seed's function."""
    return check(RMSPROP, rmsprop_update)


# ------------------------------------------------------------------ 06 bias-corrected RMSProp


def _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=None):
    s = rho * s_prev + (1 - rho) * grad**2
    s_hat = s / (1 - rho**t if correction is None else correction)
    return learning_rate * grad / (np.sqrt(s_hat) + epsilon), s


BIAS_CORRECTED = Exercise(
    name="bias_corrected_rmsprop",
    params=("learning_rate", "rho", "epsilon", "grad", "s_prev", "t"),
    outputs=("updates", "s"),
    reference=_bias_corrected,
    cases=[
        ("the post's first step, zero state, t = 1", (0.1, 0.9, 1e-6, _a(10, 8), _zeros(2), 1)),
        ("scalars, t = 5", (0.01, 0.99, 1e-8, 0.5, 2.0, 5)),
        ("vectors, t = 3", (0.1, 0.9, 1e-6, _a(3, -4, 0.5), _a(1, 4, 0.25), 3)),
        ("tiny gradient, t = 1", (0.1, 0.9, 1e-6, _a(1e-9, -3e-9), _zeros(2), 1)),
        ("large gradient, t = 2", (0.001, 0.5, 1e-6, _a(1e4, -3e5), _a(1e8, 0), 2)),
        ("late step, t = 100", (0.1, 0.9, 1e-6, _a(0.2, -0.1), _a(0.04, 0.01), 100)),
    ],
)


@BIAS_CORRECTED.mistake("the correction is not applied: divide s by (1 - rho**t) before the square root.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _rmsprop_update(learning_rate, rho, epsilon, grad, s_prev)


@BIAS_CORRECTED.mistake("the power is t + 1; at step t the correction is 1 - rho**t (t counts from 1).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=1 - rho ** (t + 1))


@BIAS_CORRECTED.mistake("the power is t - 1; at step t the correction is 1 - rho**t (t counts from 1).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=1 - rho ** (t - 1))


@BIAS_CORRECTED.mistake("(1 - rho)**t is not 1 - rho**t: raise rho to the power t, then subtract from 1.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=(1 - rho) ** t)


@BIAS_CORRECTED.mistake("it divides by rho**t; the correction is 1 - rho**t.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=rho**t)


@BIAS_CORRECTED.mistake("it multiplies s by (1 - rho**t); divide instead: s_hat = s / (1 - rho**t).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    return _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t, correction=1 / (1 - rho**t))


@BIAS_CORRECTED.mistake("the correction divides the update, not s. Correct s itself: s_hat = s / (1 - rho**t), then divide by sqrt(s_hat) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _rmsprop_update(learning_rate, rho, epsilon, grad, s_prev)
    return updates / (1 - rho**t), s


@BIAS_CORRECTED.mistake(
    "the correction scales the update (lr*sqrt(1 - rho**t)*grad/(sqrt(s) + epsilon)), so epsilon is not corrected; "
    "the two agree only when epsilon is negligible. Correct s itself: s_hat = s / (1 - rho**t)."
)
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _rmsprop_update(learning_rate, rho, epsilon, grad, s_prev)
    return updates * np.sqrt(1 - rho**t), s


@BIAS_CORRECTED.mistake(
    "it returns the corrected s_hat as the state. Keep the plain average s as the state (the correction is "
    "only for the step), else it compounds from step to step."
)
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t)
    return updates, s / (1 - rho**t)


@BIAS_CORRECTED.mistake("ε is inside the square root: sqrt(s_hat + epsilon). Put it outside: sqrt(s_hat) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + (1 - rho) * grad**2
    return learning_rate * grad / np.sqrt(s / (1 - rho**t) + epsilon), s


@BIAS_CORRECTED.mistake("the (1 - rho) is missing: use s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    s = rho * s_prev + grad**2
    return learning_rate * grad / (np.sqrt(s / (1 - rho**t)) + epsilon), s


@BIAS_CORRECTED.mistake("it returns the old state s_prev. Return the new average s (uncorrected).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, _ = _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t)
    return updates, s_prev


@BIAS_CORRECTED.mistake("the sign of the update is flipped. The caller does x = x - updates.")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t)
    return -updates, s


@BIAS_CORRECTED.mistake("the learning rate is left out: updates = learning_rate * grad / (sqrt(s_hat) + epsilon).")
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _bias_corrected(1.0, rho, epsilon, grad, s_prev, t)
    return updates, s


@BIAS_CORRECTED.mistake(swapped("s"))
def _(learning_rate, rho, epsilon, grad, s_prev, t):
    updates, s = _bias_corrected(learning_rate, rho, epsilon, grad, s_prev, t)
    return s, updates


def check_bias_corrected_rmsprop(update) -> bool:
    """``update(learning_rate, rho, epsilon, grad, s_prev, t) -> (updates, s)`` with ``s_hat = s / (1 - rho**t)``."""
    return check(BIAS_CORRECTED, update)


# ------------------------------------------------------------------ 07 a dense layer's backward pass


def _dense_backward(x, w, grad_out):
    return grad_out @ w.T, x.T @ grad_out, grad_out.sum(axis=0)


def _dense_case(seed: int, n: int, d: int, h: int, scale: float = 1.0) -> tuple:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(d, h)), scale * rng.normal(size=(n, h))


DENSE = Exercise(
    name="dense_backward",
    params=("x", "w", "grad_out"),
    outputs=("grad_x", "grad_w", "grad_b"),
    reference=_dense_backward,
    cases=[
        ("a batch of 4, 3 inputs, 2 outputs", _dense_case(0, 4, 3, 2)),
        ("one example, 2 inputs, 5 outputs", _dense_case(1, 1, 2, 5)),
        ("square: batch 3, 3 inputs, 3 outputs", _dense_case(2, 3, 3, 3)),
        ("large upstream gradient", _dense_case(3, 5, 4, 3, scale=1e6)),
    ],
)


@DENSE.mistake("grad_x needs w transposed: grad_x = grad_out @ w.T (shape of x).")
def _(x, w, grad_out):
    _, grad_w, grad_b = _dense_backward(x, w, grad_out)
    return grad_out @ w, grad_w, grad_b


@DENSE.mistake("grad_w is transposed: it must have w's shape (inputs, outputs): grad_w = x.T @ grad_out.")
def _(x, w, grad_out):
    grad_x, grad_w, grad_b = _dense_backward(x, w, grad_out)
    return grad_x, grad_w.T, grad_b


@DENSE.mistake("grad_w needs x transposed, on the left: grad_w = x.T @ grad_out.")
def _(x, w, grad_out):
    grad_x, _, grad_b = _dense_backward(x, w, grad_out)
    return grad_x, x @ grad_out, grad_b


@DENSE.mistake("grad_b is not summed over the batch: every example adds to the bias gradient, grad_b = grad_out.sum(axis=0).")
def _(x, w, grad_out):
    grad_x, grad_w, _ = _dense_backward(x, w, grad_out)
    return grad_x, grad_w, grad_out


@DENSE.mistake("grad_b is averaged; the gradient of a sum over the batch is the sum: grad_out.sum(axis=0).")
def _(x, w, grad_out):
    grad_x, grad_w, _ = _dense_backward(x, w, grad_out)
    return grad_x, grad_w, grad_out.mean(axis=0)


@DENSE.mistake("grad_b is summed over the wrong axis: sum over the batch (axis=0), one value per output.")
def _(x, w, grad_out):
    grad_x, grad_w, _ = _dense_backward(x, w, grad_out)
    return grad_x, grad_w, grad_out.sum(axis=1)


@DENSE.mistake("grad_b sums everything into one number; keep one value per output: grad_out.sum(axis=0).")
def _(x, w, grad_out):
    grad_x, grad_w, _ = _dense_backward(x, w, grad_out)
    return grad_x, grad_w, grad_out.sum()


@DENSE.mistake("grad_x and grad_w are swapped: return (grad_x, grad_w, grad_b) in that order.")
def _(x, w, grad_out):
    grad_x, grad_w, grad_b = _dense_backward(x, w, grad_out)
    return grad_w, grad_x, grad_b


def check_dense_backward(dense_backward) -> bool:
    """``dense_backward(x, w, grad_out) -> (grad_x, grad_w, grad_b)`` for ``y = x @ w + b``."""
    return check(DENSE, dense_backward)


# ------------------------------------------------------------------ 08 AMSGrad (RMSProp form)


def _amsgrad_update(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.maximum(s_max_prev, s)
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


AMSGRAD = Exercise(
    name="amsgrad_update",
    params=("learning_rate", "rho", "epsilon", "grad", "s_prev", "s_max_prev"),
    outputs=("updates", "s", "s_max"),
    reference=_amsgrad_update,
    cases=[
        ("zero state", (0.1, 0.9, 1e-6, _a(10, 8), _zeros(2), _zeros(2))),
        ("scalars, the maximum is kept", (0.01, 0.1, 1e-8, -1.0, 0.5, 9.0)),
        ("vectors, the maximum moves in one coordinate", (0.1, 0.9, 1e-6, _a(3, -0.1, 0.5), _a(1, 4, 0.25), _a(1, 5, 0.2))),
        ("tiny gradient", (0.1, 0.9, 1e-6, _a(1e-9, -3e-9), _zeros(2), _zeros(2))),
        ("large gradient after small ones", (0.001, 0.5, 1e-6, _a(1e4, -3e5), _a(1e-2, 0), _a(1e-2, 1e-4))),
    ],
)


@AMSGRAD.mistake("the update divides by sqrt(s), not by sqrt(s_max): AMSGrad's point is to divide by the largest average so far.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    updates, s = _rmsprop_update(learning_rate, rho, epsilon, grad, s_prev)
    return updates, s, np.maximum(s_max_prev, s)


@AMSGRAD.mistake("s_max takes the maximum with grad**2; take it with the new average s: s_max = max(s_max_prev, s).")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.maximum(s_max_prev, grad**2)
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


@AMSGRAD.mistake("s_max takes the maximum with the old s_prev; take it with the new average s: s_max = max(s_max_prev, s).")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.maximum(s_max_prev, s_prev)
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


@AMSGRAD.mistake("np.max(...) of the two arrays takes one number over everything; use np.maximum(s_max_prev, s), entry by entry.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.max([np.max(s_max_prev), np.max(s)]) + 0 * s
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


@AMSGRAD.mistake("it returns s_max as the average s. Keep the leaky average s as it is; the maximum is the separate s_max.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    updates, _, s_max = _amsgrad_update(learning_rate, rho, epsilon, grad, s_prev, s_max_prev)
    return updates, s_max, s_max


@AMSGRAD.mistake("ε is inside the square root: sqrt(s_max + epsilon). Put it outside: sqrt(s_max) + epsilon.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + (1 - rho) * grad**2
    s_max = np.maximum(s_max_prev, s)
    return learning_rate * grad / np.sqrt(s_max + epsilon), s, s_max


@AMSGRAD.mistake("the (1 - rho) is missing: use s = rho*s_prev + (1 - rho)*grad**2.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    s = rho * s_prev + grad**2
    s_max = np.maximum(s_max_prev, s)
    return learning_rate * grad / (np.sqrt(s_max) + epsilon), s, s_max


@AMSGRAD.mistake("the sign of the update is flipped. The caller does x = x - updates.")
def _(learning_rate, rho, epsilon, grad, s_prev, s_max_prev):
    updates, s, s_max = _amsgrad_update(learning_rate, rho, epsilon, grad, s_prev, s_max_prev)
    return -updates, s, s_max


def check_amsgrad_update(amsgrad_update) -> bool:
    """``amsgrad_update(learning_rate, rho, epsilon, grad, s_prev, s_max_prev) -> (updates, s, s_max)``: AMSGrad with beta1 = 0."""
    return check(AMSGRAD, amsgrad_update)
