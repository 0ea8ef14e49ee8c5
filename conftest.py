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

