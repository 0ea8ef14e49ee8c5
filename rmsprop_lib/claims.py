"""Claims: a sentence about a result, checked where the result is computed.

A notebook's prose must not drift from its numbers. Wherever the text states
a comparison ("RMSProp needs fewer steps than GD here"), the cell that
computes it states it too, with ``claim``::

    claim(f"GD at η = {lr:.3f} reaches the tolerance in {steps} steps", steps <= 100)

which prints ``✓ GD at η = 0.476 reaches the tolerance in 100 steps`` when the
condition holds and raises :class:`ClaimFailed` when it does not. nbval
compares the printed line with the stored one, so a claim that stops holding
fails the tests on any machine. Print only what the computation determines:
a verdict, a count, or a value rounded to a digit that is stable.
"""

from __future__ import annotations

import numpy as np

__all__ = ["claim", "ClaimFailed"]


class ClaimFailed(AssertionError):
    """A statement made in a notebook is false for the numbers just computed."""


def claim(statement: str, holds) -> None:
    """Print ``✓ statement`` if ``holds`` is true, else raise :class:`ClaimFailed`.

    Parameters
    ----------
    statement : str
        The sentence being checked, as the reader should see it.
    holds : bool or a single-element array of bool
        Whether it is true for the computed values.

    Raises
    ------
    TypeError
        If ``statement`` is not a string, or ``holds`` is not a single truth
        value (an array of several booleans is ambiguous: reduce it with
        ``np.all`` or ``np.any`` first).
    ClaimFailed
        If ``holds`` is false.
    """
    if not isinstance(statement, str):
        raise TypeError(f"statement must be a string, got {type(statement).__name__}")
    if np.size(holds) != 1 or not isinstance(np.asarray(holds).item(), (bool, np.bool_)):
        raise TypeError(f"holds must be a single True/False, got {holds!r}; reduce arrays with np.all or np.any")
    if not bool(np.asarray(holds).item()):
        raise ClaimFailed(f"✗ {statement}")
    print(f"✓ {statement}")
