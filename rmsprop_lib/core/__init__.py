"""The textbook core of notebooks 01-06: read this first.

- :mod:`~rmsprop_lib.core.seed` - ``rmsprop_update``, the seed post's function;
- :mod:`~rmsprop_lib.core.optimizers` - SGD, Momentum, AdaGrad, RMSProp, Adam (pure ``init`` / ``update``);
- :mod:`~rmsprop_lib.core.problems` - 2-D test functions with their gradients, ``from_function`` for your own;
- :mod:`~rmsprop_lib.core.numerical` - gradients by central differences (behind ``from_function``);
- :mod:`~rmsprop_lib.core.runner` - ``minimize``, which runs an optimizer and records a ``Trajectory``.
"""

from rmsprop_lib.core import problems
from rmsprop_lib.core.optimizers import SGD, AdaGrad, Adam, Momentum, RMSProp
from rmsprop_lib.core.runner import Trajectory, minimize
from rmsprop_lib.core.seed import rmsprop_update

__all__ = ["rmsprop_update", "SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "problems", "minimize", "Trajectory"]
