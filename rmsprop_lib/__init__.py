"""rmsprop_lib: the small library behind the RMSProp notebook series.

Laid out by what each part is for; imports only point down this list, never up:

- :mod:`rmsprop_lib.checks` - the workshop exercises' checks, one module per exercise;
- :mod:`rmsprop_lib.drawing` - figures and slider explorers;
- :mod:`rmsprop_lib.experiments` - settings one notebook runs in: mini-batches (02), a network
  on digits (07), the online counterexample (08);
- :mod:`rmsprop_lib.beyond` - notebook 08's later optimizers: Rprop, Lion, AMSGrad, AdamW,
  Adafactor, full-matrix RMSProp, warm-up and decay;
- :mod:`rmsprop_lib.core` - **the textbook core**: the seed's ``rmsprop_update``, SGD, Momentum,
  AdaGrad, RMSProp, Adam, the test problems and ``minimize`` (start reading here);
- :mod:`rmsprop_lib.numerics` - the input checks and the numerics policy, underneath;
- :mod:`rmsprop_lib.claims` - ``claim``, a notebook's sentence checked where it is computed.

The optimizers, the problems and ``minimize`` are importable from here directly.
"""

from rmsprop_lib.beyond import (Adafactor, AdamW, AMSGrad, FullMatrixRMSProp, Lion, Rprop,
                                WarmupThenDecay)
from rmsprop_lib.core import (SGD, AdaGrad, Adam, Momentum, RMSProp, Trajectory, minimize, problems,
                              rmsprop_update)

__all__ = [
    "rmsprop_update",
    "SGD",
    "Momentum",
    "AdaGrad",
    "RMSProp",
    "Adam",
    "Rprop",
    "Lion",
    "AMSGrad",
    "AdamW",
    "Adafactor",
    "FullMatrixRMSProp",
    "WarmupThenDecay",
    "problems",
    "minimize",
    "Trajectory",
]
__version__ = "0.1.0"
