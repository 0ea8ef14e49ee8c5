"""Notebook 08: where RMSProp comes from, where it fails, what came after.

- :mod:`~rmsprop_lib.beyond.sign_methods` - Rprop (RMSProp's ancestor, 1993), Lion (2023);
- :mod:`~rmsprop_lib.beyond.adam_variants` - AMSGrad (2018), AdamW (2019), ``l2_regularized`` to compare;
- :mod:`~rmsprop_lib.beyond.preconditioners` - Adafactor (factored, 2018), FullMatrixRMSProp (non-diagonal);
- :mod:`~rmsprop_lib.beyond.schedules` - ``WarmupThenDecay`` around any optimizer.
"""

from rmsprop_lib.beyond.adam_variants import AdamW, AMSGrad
from rmsprop_lib.beyond.preconditioners import Adafactor, FullMatrixRMSProp
from rmsprop_lib.beyond.schedules import WarmupThenDecay
from rmsprop_lib.beyond.sign_methods import Lion, Rprop

__all__ = ["Rprop", "Lion", "AMSGrad", "AdamW", "Adafactor", "FullMatrixRMSProp", "WarmupThenDecay"]
