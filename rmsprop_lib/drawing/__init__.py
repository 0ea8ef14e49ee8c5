"""Figures and sliders, on top of everything else (nothing below imports from here).

- :mod:`~rmsprop_lib.drawing.plotting` - contours, paths, loss curves, heat maps (on given axes);
- :mod:`~rmsprop_lib.drawing.widgets` - the slider explorers (``Explorer``, ``RunsView``) and their sliders;
- :mod:`~rmsprop_lib.drawing.training_plots` - notebook 07's training figures.

Import the module you need (``from rmsprop_lib.drawing import plotting``); nothing is loaded here.
"""
