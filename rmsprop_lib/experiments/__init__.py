"""The settings single notebooks run the optimizers in (each module names its notebook).

- :mod:`~rmsprop_lib.experiments.stochastic` - 02: a least-squares line fit, mini-batch gradients,
  ``minimize_stochastic``, ``InverseTimeDecay``;
- :mod:`~rmsprop_lib.experiments.digits`, :mod:`~rmsprop_lib.experiments.network`,
  :mod:`~rmsprop_lib.experiments.training` - 07: the 8x8 digits, a NumPy MLP with hand-written
  backprop, batched mini-batch training;
- :mod:`~rmsprop_lib.experiments.online` - 08: Reddi et al.'s online convex counterexample.

Import the module you need (``from rmsprop_lib.experiments import stochastic``); nothing is loaded here.
"""
