"""Run nbval over every numbered notebook under other machines' settings.

The stored outputs must hold on any machine, not only on the one that wrote
them. This re-runs the notebooks (strict nbval, as ``make test`` does) once per
environment below and prints one line per environment; it exits 1 if any
fails. Facts behind the switches: ``shared/reference/notebook-testing.md``,
"Stored outputs on other machines".

- OpenBLAS picks its kernel by CPU at run time: the automatic choice, and
  several kernels forced with ``OPENBLAS_CORETYPE`` (each must run on this
  CPU: Zen and Haswell need AVX2);
- one BLAS thread (``OPENBLAS_NUM_THREADS=1``: another reduction order);
- NumPy's own SIMD loops narrowed to its baseline (``NPY_DISABLE_CPU_FEATURES``
  with every dispatched feature this CPU has), as on an older CPU;
- a user's ``matplotlibrc`` (another dpi, font size, style) found through
  ``MATPLOTLIBRC``: the notebooks must draw as they do without it. In this
  environment the unit tests of figures run too (``tests/conftest.py`` resets matplotlib).

    python tools/portability.py            # all environments (make test-portability)
    python tools/portability.py --list     # only print the environments
    python tools/portability.py --only zen # those whose name contains "zen"
    python tools/portability.py notebooks/05_rmsprop.ipynb   # only these notebooks
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Every notebook runs in seconds and a whole environment in about 100 s (two at a time, on 2 cores). A hang (seen
# once in CI: one environment still running after an hour, never again in isolation) is stopped after ENV_TIMEOUT,
# named by the cell it was in, and run once more; so is one whose cell nbval stopped (pyproject.toml's
# --nbval-cell-timeout).
ENV_TIMEOUT = 400

USER_MATPLOTLIBRC = """\
# A learner's own settings, unlike matplotlib's defaults in every way the series' figures could notice.
figure.dpi: 150
figure.figsize: 4, 3
font.size: 15
lines.linewidth: 3
axes.grid: True
axes.facecolor: 222222
axes.prop_cycle: cycler('color', ['yellow', 'cyan', 'magenta'])
image.cmap: gray
savefig.bbox: standard
"""

# Unit tests whose results depend on how matplotlib draws (pixels, sizes): run under the user's rc too.
FIGURE_TESTS = ["tests/test_plotting.py", "tests/test_runs_view.py", "tests/test_widgets.py", "tests/test_training.py"]

# Variables that pick BLAS or SIMD code paths; removed first so that each environment sets only its own.
MACHINE_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NPY_DISABLE_CPU_FEATURES",
                     "MATPLOTLIBRC", "MPLCONFIGDIR")


def dispatched_cpu_features(python: str) -> list[str]:
    """The SIMD features NumPy dispatches to on this CPU above its baseline (e.g. X86_V3, X86_V4)."""
    code = ("from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f;"
            "print(','.join(x for x in d if f.get(x)))")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    return [name for name in out.split(",") if name]


def environments(python: str, rc_file: Path, notebooks: list[str]) -> list[tuple[str, dict, list[str]]]:
    """(name, variables, pytest targets) for each environment of the matrix."""
    simd = dispatched_cpu_features(python)
    return [
        ("OpenBLAS automatic kernel", {}, notebooks),
        ("OpenBLAS Prescott kernel", {"OPENBLAS_CORETYPE": "Prescott"}, notebooks),
        ("OpenBLAS Sandybridge kernel", {"OPENBLAS_CORETYPE": "Sandybridge"}, notebooks),
        ("OpenBLAS Haswell kernel", {"OPENBLAS_CORETYPE": "Haswell"}, notebooks),
        ("OpenBLAS Zen kernel", {"OPENBLAS_CORETYPE": "Zen"}, notebooks),
        ("one BLAS thread", {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}, notebooks),
        (f"NumPy SIMD narrowed to baseline (off: {','.join(simd) or 'nothing to turn off'})",
         {"NPY_DISABLE_CPU_FEATURES": ",".join(simd)} if simd else {}, notebooks),
        ("user matplotlibrc (dpi 150, dark style)", {"MATPLOTLIBRC": str(rc_file)}, [*FIGURE_TESTS, *notebooks] if notebooks == ["notebooks"] else notebooks),
    ]


def last_started(log: str) -> str:
    """The test pytest -v had started but not finished when it was stopped (its line has no outcome yet)."""
    lines = [line.strip() for line in log.splitlines() if "::" in line]
    if not lines or re.search(r"PASSED|FAILED|SKIPPED|ERROR|XFAIL", lines[-1]):
        return "(between tests)"
    return re.sub(r"^notebooks/|(\.|::)ipynb::", " ", lines[-1]).strip()


def run_once(python: str, variables: dict, targets: list[str], timeout: float) -> tuple[str, str, float]:
    """('pass' | 'FAIL' | 'TIMEOUT', detail, seconds) of one pytest run in its own process group."""
    env = {k: v for k, v in os.environ.items() if k not in MACHINE_VARIABLES}
    env.update(variables)
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [python, "-m", "pytest", "-v", "-m", "not browser", "-p", "no:cacheprovider", *targets],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGINT)  # pytest stops its kernels on KeyboardInterrupt
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # kernels left behind exit with their parent
                process.wait()
            returncode = None
        log.seek(0)
        output = log.read()
    seconds = time.perf_counter() - start
    if returncode is None:
        return "TIMEOUT", f"stopped after {timeout:.0f} s in {last_started(output)}", seconds
    failed = [re.sub(r"^notebooks/|(\.|::)ipynb::", " ", f).strip()
              for f in re.findall(r"^FAILED (.+?)(?: - |$)", re.sub(r"\x1b\[[0-9;]*m", "", output), flags=re.M)]
    if re.search(r"Timeout of [\d.]+ seconds exceeded", output):  # nbval stopped a cell (--nbval-cell-timeout)
        return "TIMEOUT", f"nbval's cell timeout in {', '.join(failed)}", seconds
    summary = (output.strip().splitlines() or ["(no output)"])[-1].strip("= ")
    detail = ", ".join(failed) if failed else summary
    return ("pass" if returncode == 0 else "FAIL"), re.sub(r"\x1b\[[0-9;]*m", "", detail), seconds


def run(python: str, variables: dict, targets: list[str], timeout: float) -> tuple[str, str, float]:
    """run_once, and once more if it hung: a hang that does not come back is reported, and one that does is too."""
    outcome, detail, seconds = run_once(python, variables, targets, timeout)
    if outcome != "TIMEOUT":
        return outcome, detail, seconds
    again, detail_again, seconds_again = run_once(python, variables, targets, timeout)
    note = f"first attempt hung ({detail}); second attempt: {detail_again}"
    return ("pass" if again == "pass" else "FAIL"), note, seconds + seconds_again


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose environment is tested")
    parser.add_argument("--only", default="", help="run only environments whose name contains this (case-insensitive)")
    parser.add_argument("notebooks", nargs="*", default=["notebooks"], help="notebooks to run (default: all numbered ones)")
    parser.add_argument("--list", action="store_true", help="print the environments and stop")
    parser.add_argument("--timeout", type=float, default=ENV_TIMEOUT, help="seconds before a hung environment is stopped and run again")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="environments run at once (default: one per CPU)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rc_file = Path(tmp) / "matplotlibrc"
        rc_file.write_text(USER_MATPLOTLIBRC)
        chosen = [e for e in environments(args.python, rc_file, args.notebooks) if args.only.lower() in e[0].lower()]
        if not chosen:
            print(f"no environment matches --only {args.only!r}")
            return 2
        if args.list:
            for name, variables, _ in chosen:
                print(f"{name:58s} {variables}")
            return 0
        failures = 0
        # Environments are independent processes: run --jobs of them at a time, print each as it ends.
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(run, args.python, variables, targets, args.timeout): name for name, variables, targets in chosen}
            for future in as_completed(futures):
                outcome, detail, seconds = future.result()
                failures += outcome != "pass"
                print(f"{outcome:4s}  {futures[future]:58s} {seconds:5.0f} s  {detail}", flush=True)
    print(f"portability: {len(chosen) - failures} of {len(chosen)} environments pass")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
