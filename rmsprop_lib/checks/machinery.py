"""The machinery behind the workshop checks: an ``Exercise`` (the reference, the test cases, the
known mistakes) and ``check``, which runs a learner's function against it and prints what is wrong.

Each exercise lives in a module named after its notebook's topic (``gradient_descent`` for 01,
``momentum`` for 03, ...); :mod:`rmsprop_lib.checks` explains how a mistake is recognised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

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


def zeros(n: int) -> np.ndarray:
    return np.zeros(n)


def vec(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


#: The mistake of returning the next point instead of the update (momentum, AdaGrad, RMSProp).
RETURNS_A_POSITION = (
    "it returns grad - updates, a new *position* (as if grad were the point). "
    "Return the update itself; the caller moves with x = x - updates."
)



def swapped(state: str) -> str:
    """The mistake of returning ``(state, updates)`` instead of ``(updates, state)``."""
    return (f"it returns ({state}, updates): the two values are swapped. Return the update first, then the "
            f"new state: `return updates, {state}` (the caller writes `updates, {state} = ...`).")
