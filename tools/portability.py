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
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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


def run(python: str, variables: dict, targets: list[str]) -> tuple[bool, str, float]:
    env = {k: v for k, v in os.environ.items() if k not in MACHINE_VARIABLES}
    env.update(variables)
    start = time.perf_counter()
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-m", "not browser", "-p", "no:cacheprovider", *targets],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    failed = [re.sub(r"^notebooks/|\.ipynb::", " ", f).strip() for f in re.findall(r"^FAILED (\S+(?: Cell \d+)?)", result.stdout, flags=re.M)]
    summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
    detail = ", ".join(failed) if failed else summary
    return result.returncode == 0, re.sub(r"\x1b\[[0-9;]*m", "", detail), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose environment is tested")
    parser.add_argument("--only", default="", help="run only environments whose name contains this (case-insensitive)")
    parser.add_argument("notebooks", nargs="*", default=["notebooks"], help="notebooks to run (default: all numbered ones)")
    parser.add_argument("--list", action="store_true", help="print the environments and stop")
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
            futures = {pool.submit(run, args.python, variables, targets): name for name, variables, targets in chosen}
            for future in as_completed(futures):
                ok, detail, seconds = future.result()
                failures += not ok
                print(f"{'pass' if ok else 'FAIL'}  {futures[future]:58s} {seconds:5.0f} s  {detail}", flush=True)
    print(f"portability: {len(chosen) - failures} of {len(chosen)} environments pass")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
