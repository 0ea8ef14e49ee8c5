"""rmsprop_lib: the small library behind the RMSProp notebook series.

Modules, one concern each:

- :mod:`rmsprop_lib.seed` - ``rmsprop_update``, the seed post's function;
- :mod:`rmsprop_lib.optimizers` - SGD, Momentum, AdaGrad, RMSProp, Adam
  (pure ``init`` / ``update``);
- :mod:`rmsprop_lib.sign_methods` - Rprop (RMSProp's ancestor), Lion;
- :mod:`rmsprop_lib.adam_variants` - AMSGrad, AdamW (and ``l2_regularized`` to compare);
- :mod:`rmsprop_lib.preconditioners` - Adafactor (factored), FullMatrixRMSProp (non-diagonal);
- :mod:`rmsprop_lib.schedules` - ``WarmupThenDecay``, a learning-rate schedule around any optimizer;
- :mod:`rmsprop_lib.online` - Reddi et al.'s online convex counterexample (Adam/RMSProp fail, AMSGrad does not);
- :mod:`rmsprop_lib.problems` - 2-D test functions with gradients, and
  ``from_function`` for your own ``f(x, y)``;
- :mod:`rmsprop_lib.numerical` - gradients by central differences;
- :mod:`rmsprop_lib.runner` - ``minimize``, which records a ``Trajectory``;
- :mod:`rmsprop_lib.stochastic` - a least-squares line fit, mini-batch gradients, ``minimize_stochastic``;
- :mod:`rmsprop_lib.plotting` - contours, paths, loss curves, heat maps (on given axes);
- :mod:`rmsprop_lib.widgets` - the slider explorers (``Explorer``);
- :mod:`rmsprop_lib.checks` - the workshop exercises' checks;
- :mod:`rmsprop_lib.network`, :mod:`rmsprop_lib.training`,
  :mod:`rmsprop_lib.training_plots`, :mod:`rmsprop_lib.digits` - a NumPy
  network trained on the digits data (notebook 07);
- :mod:`rmsprop_lib.validation` - the input checks behind the error messages;
- :mod:`rmsprop_lib.claims` - ``claim``, a notebook's sentence checked where it is computed.
"""

from . import problems
from .adam_variants import AdamW, AMSGrad
from .optimizers import SGD, AdaGrad, Adam, Momentum, RMSProp
from .preconditioners import Adafactor, FullMatrixRMSProp
from .runner import Trajectory, minimize
from .schedules import WarmupThenDecay
from .seed import rmsprop_update
from .sign_methods import Lion, Rprop

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
