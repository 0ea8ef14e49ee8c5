"""Underneath everything: the input checks behind the error messages and the numerics policy.

- :mod:`~rmsprop_lib.numerics.validation` - the guards (types, ranges, dtypes, overflow);
- :mod:`~rmsprop_lib.numerics._plumbing` - shared steps of the optimizers of notebook 08.

The policy itself, case by case, is in ``docs/conventions.md`` ("Numerics policy").
"""
