"""Checks for the workshop exercises: run a learner's function, say what is wrong.

One module per exercise, named after its notebook's topic (01 ``gradient_descent``, 03 ``momentum``,
04 ``adagrad``, 05 ``rmsprop``, 06 ``bias_correction``, 07 ``backprop``, 08 ``amsgrad``), on the
shared :mod:`~rmsprop_lib.checks.machinery`.

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

from rmsprop_lib.checks.adagrad import ADAGRAD, check_adagrad_update
from rmsprop_lib.checks.amsgrad import AMSGRAD, check_amsgrad_update
from rmsprop_lib.checks.backprop import DENSE, check_dense_backward
from rmsprop_lib.checks.bias_correction import BIAS_CORRECTED, check_bias_corrected_rmsprop
from rmsprop_lib.checks.gradient_descent import GD, check_gd_step
from rmsprop_lib.checks.momentum import MOMENTUM, check_momentum_update
from rmsprop_lib.checks.rmsprop import RMSPROP, check_rmsprop_update

__all__ = [
    "check_gd_step",
    "check_momentum_update",
    "check_adagrad_update",
    "check_rmsprop_update",
    "check_bias_corrected_rmsprop",
    "check_dense_backward",
    "check_amsgrad_update",
    "GD", "MOMENTUM", "ADAGRAD", "RMSPROP", "BIAS_CORRECTED", "DENSE", "AMSGRAD",
]
