"""Unit tests draw off screen with matplotlib's defaults, and property tests are reproducible run to run."""

import matplotlib
import pytest
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


# How `make test` spreads the tests over its two (or more) workers: tests/xdist_schedule.py.
import xdist_schedule  # noqa: E402


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: xdist_schedule.rank(item.nodeid))  # stable: collection order within a rank


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: unknown (and unused) where xdist is absent
def pytest_xdist_make_scheduler(config, log):
    return xdist_schedule.scheduler(config, log)
