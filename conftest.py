"""pytest set-up shared by the unit tests and nbval.

nbval executes cells with ``store_history=False``, which makes a trailing
``;`` stop hiding a cell's value (nbval issue 194). Executing with history, as
Jupyter does, keeps the stored and the fresh outputs comparable.
"""

try:
    from nbval.kernel import RunningKernel
except ImportError:  # nbval not installed: unit tests still run
    RunningKernel = None

if RunningKernel is not None:

    def _execute_cell_input(self, cell_input, allow_stdin=None):
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)

    RunningKernel.execute_cell_input = _execute_cell_input


# --------------------------------------------------------------------------- spreading the tests over workers
# `make test` runs pytest-xdist with --dist loadgroup. Every test stays with the others of its file (a notebook's
# cells share one kernel; a test module's fixtures - a JupyterLab server, a site build - are made once), except
# tests marked `spread`: independent and slow (a kernel of their own each), they go to whichever worker is free.
def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        if item.get_closest_marker("spread") is None and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
