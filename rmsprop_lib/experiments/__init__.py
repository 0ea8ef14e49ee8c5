"""The settings single notebooks run the optimizers in (each module names its notebook).

- :mod:`~rmsprop_lib.experiments.stochastic` - 02: a least-squares line fit, mini-batch gradients,
  ``minimize_stochastic``, ``InverseTimeDecay``; 06: what RMSProp estimates under noise;
- :mod:`~rmsprop_lib.experiments.race` - 05: the race's bookkeeping (standings over a grid of learning rates,
  tables, windows, escapes, the ±η/2 cycle);
- :mod:`~rmsprop_lib.experiments.in_depth` - 06: the measurements behind its checks (``step_sizes``, the frameworks'
  ``CONVENTIONS``, noise floors, the preconditioner's ratio of learning rates);
- :mod:`~rmsprop_lib.experiments.digits`, :mod:`~rmsprop_lib.experiments.network`,
  :mod:`~rmsprop_lib.experiments.training` - 07: the 8x8 digits, a NumPy MLP with hand-written
  backprop, batched mini-batch training;
- :mod:`~rmsprop_lib.experiments.online` - 08: Reddi et al.'s online convex counterexample;
- :mod:`~rmsprop_lib.experiments.beyond_runs` - 08: the bookkeeping behind its checks (one weight fed a gradient
  sequence, a problem rescaled, turned or moved, RMSProp's steady cycle on Reddi et al.'s problem, Adafactor's fit).

Import the module you need (``from rmsprop_lib.experiments import stochastic``); nothing is loaded here.
"""
