"""Unit tests draw off screen with matplotlib's defaults, and property tests are reproducible run to run."""

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")
# The project's own settings whatever a user's matplotlibrc says (pixel tests compare drawn figures).
matplotlib.rcdefaults()

# The same examples on every run: CI fails only on a change in the code, never on a lucky draw.
settings.register_profile("reproducible", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("reproducible")


# Kernels that die while starting (a TCP port race between pytest-xdist workers) are started again.
import kernel_starts  # noqa: E402

kernel_starts.install()
