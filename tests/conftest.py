"""Unit tests draw off screen, and property tests are reproducible run to run."""

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

# The same examples on every run: CI fails only on a change in the code, never on a lucky draw.
settings.register_profile("reproducible", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("reproducible")
