"""rmsprop_lib: the small library behind the RMSProp notebook series.

Modules, one concern each:

- :mod:`rmsprop_lib.seed` - ``rmsprop_update``, the seed post's function;
- :mod:`rmsprop_lib.optimizers` - SGD, Momentum, AdaGrad, RMSProp, Adam
  (pure ``init`` / ``update``);
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
from .optimizers import SGD, AdaGrad, Adam, Momentum, RMSProp
from .runner import Trajectory, minimize
from .seed import rmsprop_update

__all__ = [
    "rmsprop_update",
    "SGD",
    "Momentum",
    "AdaGrad",
    "RMSProp",
    "Adam",
    "problems",
    "minimize",
    "Trajectory",
]
__version__ = "0.1.0"
