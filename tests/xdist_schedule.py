"""How `make test` spreads the tests over its workers (pytest-xdist, `-n auto --dist loadscope --no-loadscope-reorder`).

xdist's own `loadfile` keeps a file on one worker: the corner checks of all eight notebooks' explorers (one
file) then ran on one core while the other sat idle. Here a file's tests still go to one worker (a notebook's
nbval cells run in order in one kernel; a module's fixtures, a site build or a JupyterLab server, are set up
once), except the cases of the SPREAD tests, one notebook each, which spread over the workers. Those start
first, in this order, then the EARLY modules, which build or serve something, then the rest in collection
order: no long group is left for the end. (`--dist loadgroup` would do this with marks, but pytest-xdist 3.8
renames node ids through `item._nodeid`, which pytest 9 no longer reads: it groups nothing, and splits a
notebook's cells.) `tests/conftest.py` wires `rank` and `scheduler` in.
"""

SPREAD = (
    "tests/test_widgets_robustness.py::test_every_explorer_survives_its_extremes",
    "tests/test_browser.py::test_notebook_runs_and_every_control_redraws",
    "tests/test_exercises.py::test_student_notebooks_run_top_to_bottom",
)
EARLY = ("tests/test_lite.py", "tests/test_site.py", "tests/test_binder.py")


def _test(nodeid: str) -> str:
    return nodeid.split("[")[0]


def scope(nodeid: str) -> str:
    """The unit of work one worker takes: the test case itself for a SPREAD test, otherwise its file."""
    return nodeid if _test(nodeid) in SPREAD else nodeid.split("::")[0]


def rank(nodeid: str) -> int:
    """When a test starts: SPREAD tests first (in SPREAD's order), then EARLY modules, then the rest."""
    test, module = _test(nodeid), nodeid.split("::")[0]
    if test in SPREAD:
        return SPREAD.index(test)
    return len(SPREAD) if module in EARLY else len(SPREAD) + 1


def scheduler(config, log):
    """xdist's load-scope scheduler with :func:`scope` as its unit of work."""
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope(nodeid)

    return Scheduling(config, log)
