"""The performance benchmarks of issue 5 as one table (``make bench``).

Each figure is measured beside a peer in the same run, the two interleaved
so that a busy machine slows both alike, and reported as a ratio:

1. sliders: an Explorer update (compute + draw + PNG, in the kernel) against
   the plain ``interact`` way of showing the same runs (a new figure,
   rendered as the inline backend does, with ``bbox_inches='tight'``); the
   same for every explorer in the notebooks; the browser's key press -> new
   image in ``browser_latency.py``, and for every explorer of every notebook
   in JupyterLab beside a plain ``interact`` in ``explorer_latency.py``;
2. sweeps: ``minimize`` over 10,000 RMSProp runs against the seed post's
   Python loop with its function, per trajectory;
3. large vectors: one RMSProp step on 10**7 float32 values against
   ``torch.optim.RMSprop(foreach=True)``, beside the memory floor;
4. the time of each notebook and of the test suite, without and with the
   browser tests.

Usage: ``python benchmarks/bench.py [--skip-tests] [--no-browser] [--only 1,2]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    goal: str
    what: str
    value: str
    peer: str = ""
    peer_value: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f} ms"


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


# ------------------------------------------------------------------ 1. sliders


def rosenbrock_compute(lr: float):
    """The brief's explorer: four optimizers, 200 steps each, on the Rosenbrock valley."""
    from rmsprop_lib import SGD, Adam, Momentum, RMSProp, minimize, problems

    p = problems.rosenbrock
    optimizers = {"GD": SGD(lr / 10), "Momentum": Momentum(lr / 10), "RMSProp": RMSProp(lr), "Adam": Adam(lr)}
    return p, {label: minimize(p, opt, p.start, 200) for label, opt in optimizers.items()}


def interact_style(problem, runs, draw, figsize, dpi, layout) -> bytes:
    """What a plain ``interact`` does per slider step after computing: a new pyplot figure, inline PNG."""
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure

    figure = plt.figure(figsize=figsize, dpi=dpi, layout=layout)
    draw(figure, problem, dict(runs))
    png = print_figure(figure, "png", bbox_inches="tight")  # matplotlib-inline's default
    plt.close(figure)
    return png


def slider_steps(slider, count: int = 6) -> list:
    """Values a learner reaches with the arrow keys: ``count`` steps one way, then back.

    Each position is computed from the start (not step by step), so that a
    position visited twice has the same value, as in a browser.
    """
    from ipywidgets import FloatLogSlider

    start = slider.value

    def at(k):
        if k == 0:
            return start
        if isinstance(slider, FloatLogSlider):
            return float(slider.base ** (np.log(start) / np.log(slider.base) + k * slider.step))
        return start + k * slider.step

    sign = 1 if at(1) <= slider.max * (1 + 1e-9) else -1
    return [at(sign * k) for k in [*range(1, count + 1), *range(count - 1, -1, -1)]]


def time_explorer(explorer, updates: int = 24) -> dict:
    """Step each slider of ``explorer`` (about ``updates`` steps in all): per step the update's
    time, the part of it spent in ``compute``, and the interact-style peer's time (the same
    computation, then a new pyplot figure drawn from scratch)."""
    from ipywidgets import FloatLogSlider, FloatSlider, IntSlider

    sliders = [c for c in explorer.controls.values() if isinstance(c, (FloatSlider, FloatLogSlider, IntSlider))]
    times = {"ours": [], "compute": [], "peers": [], "errors": 0}
    compute, spent = explorer.compute, []

    def timed_compute(**values):  # what compute costs inside the update (a cache may make it free)
        start = time.perf_counter()
        try:
            return compute(**values)
        finally:
            spent.append(time.perf_counter() - start)

    explorer.compute = timed_compute
    try:
        for control in sliders:
            start = control.value
            for value in slider_steps(control, max(1, updates // (2 * len(sliders)))):
                times["ours"].append(timed(lambda: setattr(control, "value", value)))
                times["compute"].append(spent[-1])
                times["errors"] += explorer.error is not None
                size, layout = tuple(explorer.figure.get_size_inches()), explorer.figure.get_layout_engine()
                peer = (explorer.problem, explorer.runs, explorer.draw, size, explorer.figure.dpi, "constrained" if layout else None)
                times["peers"].append(spent[-1] + timed(lambda: interact_style(*peer)))
            control.value = start
    finally:
        explorer.compute = compute
    return times


def bench_sliders() -> list[Row]:
    from rmsprop_lib.drawing.widgets import Explorer, lr_slider

    explorer = Explorer({"lr": lr_slider(0.01, 1e-4, 1.0)}, rosenbrock_compute)
    time_explorer(explorer, 8)  # warm up both paths
    rows = [slider_row("Explorer, 4 optimizers x 200 steps, Rosenbrock (30 lr steps)", time_explorer(explorer, 30))]
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        found = subprocess.run(
            [sys.executable, __file__, "--explorers-of", str(notebook)], capture_output=True, text=True, cwd=ROOT
        )
        if found.returncode != 0:
            rows.append(Row("1", f"{notebook.stem}: explorers", "could not run", target="< 100 ms", met=False))
            print(found.stderr[-2000:], file=sys.stderr)
            continue
        for line in found.stdout.splitlines():
            result = json.loads(line)
            rows.append(slider_row(f"{notebook.stem} explorer {result.pop('name')}", result))
    return rows


def slider_row(what: str, times: dict) -> Row:
    if not times["ours"]:
        return Row("1", what, "no sliders")
    ours, peer = median(times["ours"]), median(times["peers"])
    note = f" ({times['errors']} errors)" if times["errors"] else ""
    # An explorer that caches its compute (07) answers a setting seen before far faster than a new one: say both.
    new = [t for t, c in zip(times["ours"], times["compute"]) if c > 1e-4]  # a cache hit takes microseconds
    if len(new) < len(times["ours"]):
        note += f"; settings not seen before: {ms(median(new))} ({len(new)} of {len(times['ours'])})" if new else "; all cached"
    return Row(
        "1", f"{what}: update median (n = {len(times['ours'])})", f"{ms(ours)}, compute {ms(median(times['compute']))}{note}",
        "interact + inline PNG", ms(peer), f"{ours / peer:.2f}", "< 100 ms", ours < 0.1 and not times["errors"],
    )


def explorers_of(notebook: Path) -> None:
    """Run ``notebook``'s code here, then time every Explorer it made (one JSON line each)."""
    import matplotlib.pyplot as plt
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    from rmsprop_lib.drawing import widgets

    made = []
    original_init = widgets.Explorer.__init__

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        made.append(self)

    widgets.Explorer.__init__ = recording_init
    os.chdir(notebook.parent)
    shell = InteractiveShell.instance()
    shell.enable_gui = lambda gui=None: None  # the notebooks' `%matplotlib inline`: a plain shell has no event loop to set up
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code":
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                result = shell.run_cell(cell.source, store_history=False)
            plt.close("all")
            if not result.success and "raises-exception" not in cell.metadata.get("tags", []):
                result.raise_error()
    for i, explorer in enumerate(made, 1):
        time_explorer(explorer, 4)  # warm up
        name = f"{i} ({', '.join(explorer.controls)})"
        print(json.dumps({"name": name, **time_explorer(explorer)}), flush=True)


def bench_browser() -> list[Row]:
    if not shutil.which("chromium"):
        return [Row("1", "browser: key press -> new image", "skipped: no chromium on PATH")]
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "browser_latency.py"), "--json"], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return [Row("1", "browser: key press -> new image", "failed (see stderr)", met=False)]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    explorer = median(result["explorer"])
    rows = []
    for peer_name, label in (("interact_trivial", "interact, trivial inline plot"), ("interact_runs", "interact, same runs figure")):
        peer = median(result[peer_name])
        rows.append(Row(
            "1", f"browser: Explorer key press -> new image (median of {len(result['explorer'])})", ms(explorer),
            label, ms(peer), f"{explorer / peer:.2f}", "ratio <= 0.5", explorer / peer <= 0.5,
        ))
    return rows



def bench_explorers_browser() -> list[Row]:
    """``explorer_latency.py``: every explorer of every notebook in JupyterLab, beside a plain interact in its kernel."""
    if not shutil.which("chromium"):
        return [Row("1", "browser: every explorer, key press -> new image", "skipped: no chromium on PATH")]
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "explorer_latency.py"), "--json"],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return [Row("1", "browser: every explorer, key press -> new image", "failed (see stderr)", met=False)]
    rows = []
    for line in done.stdout.strip().splitlines():
        row = json.loads(line)
        sliders = ", ".join(f"{label} {t:.0f}" for label, t in row["sliders"].items())
        firsts = ", ".join(f"{t:.0f}" for t in row["first"].values())
        rows.append(Row(
            "1", f"browser: {row['name']} key press -> new image, median of {row['n']} (per slider: {sliders} ms; "
                 f"first press of each: {firsts} ms)",
            f"{row['median']:.0f} ms", "plain interact, trivial inline plot, same kernel", f"{row['peer']:.0f} ms",
            f"{row['median'] / row['peer']:.2f}", "<= 150 ms", row["median"] <= 150,
        ))
    return rows


# ------------------------------------------------------------------- 2. sweeps


def seed_loop(learning_rate: float, steps: int):
    """The seed post's loop with its function, on the Rosenbrock valley."""

    def RMSProp(learning_rate, rho, epsilon, grad, s_prev):  # noqa: N802 - the post's name
        s = rho * s_prev + (1 - rho) * np.power(grad, 2)
        updates = learning_rate * grad / (np.sqrt(s) + epsilon)
        return updates, s

    def df(x, y):
        return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])

    coordinates = np.array([-1.5, 2.0])
    rho, epsilon = 0.9, 1e-6
    s_prev = np.array([0, 0])
    for epoch in range(steps):
        grad = df(coordinates[0], coordinates[1])
        updates, s_prev = RMSProp(learning_rate, rho, epsilon, grad, s_prev)
        coordinates -= updates
    return coordinates


def bench_sweep(runs: int = 10_000, steps: int = 200, rounds: int = 5, seed_runs: int = 20) -> list[Row]:
    from rmsprop_lib import RMSProp, minimize, problems

    lrs = np.geomspace(1e-4, 1.0, runs)
    x0 = np.tile(problems.rosenbrock.start, (runs, 1))
    sweep = minimize(problems.rosenbrock, RMSProp(lr=lrs[:, None]), x0, steps)  # also checks the batch against the loop
    for i in (0, runs // 2, runs - 1):
        assert np.allclose(sweep.final[i], seed_loop(lrs[i], steps), rtol=1e-9, atol=1e-12), "batch and loop disagree"
    cold = None
    batch, loop = [], []
    for r in range(rounds):
        t = timed(lambda: minimize(problems.rosenbrock, RMSProp(lr=lrs[:, None]), x0, steps))
        cold = t if cold is None else cold
        batch.append(t)
        chosen = lrs[:: runs // seed_runs][:seed_runs]
        loop.append(timed(lambda: [seed_loop(lr, steps) for lr in chosen]) / len(chosen))
    batch_s, loop_per_run = median(batch), median(loop)
    speedup = loop_per_run / (batch_s / runs)
    return [
        Row("2", f"minimize: {runs:,} RMSProp runs x {steps} steps, lr (B, 1), Rosenbrock (median of {rounds})", f"{batch_s:.3f} s",
            "", "", "", "< 1 s", batch_s < 1.0),
        Row("2", "  per trajectory", f"{1e6 * batch_s / runs:.1f} us", "seed post's loop + function", f"{1e6 * loop_per_run:.0f} us",
            f"{speedup:.0f}x", ">= 200x", speedup >= 200),
    ]


# ------------------------------------------------------------ 3. large vectors


def bench_large(n: int = 10**7, pairs: int = 9) -> list[Row]:
    from rmsprop_lib import RMSProp

    rng = np.random.default_rng(0)
    grad = rng.standard_normal(n, dtype=np.float32)
    start = rng.standard_normal(n, dtype=np.float32)
    opt = RMSProp(lr=0.01)

    source, target = start.copy(), np.empty_like(start)
    copy_s = median(timed(lambda: np.copyto(target, source)) for _ in range(9))
    bandwidth = 2 * start.nbytes / copy_s  # bytes read + written per second
    floor_s = 5 * start.nbytes / bandwidth  # read params, grad, s; write params, s

    pure = {"params": start.copy(), "state": opt.init(start)}
    inplace = {"params": start.copy(), "state": opt.init(start)}

    def pure_step():
        updates, pure["state"] = opt.update(grad, pure["state"])
        pure["params"] = pure["params"] - updates

    def inplace_step():
        inplace["state"] = opt.update_inplace(inplace["params"], grad, inplace["state"])

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        param = torch.from_numpy(start.copy())
        param.grad = torch.from_numpy(grad)
        theirs = torch.optim.RMSprop([param], lr=0.01, alpha=0.9, eps=1e-6, foreach=True)
        torch_step = theirs.step
    else:
        torch_step = None

    times = {"pure": [], "inplace": [], "torch": []}
    for _ in range(pairs + 1):  # the first round warms up
        for name, step in (("pure", pure_step), ("inplace", inplace_step), ("torch", torch_step)):
            if step is not None:
                times[name].append(timed(step))
    times = {name: t[1:] for name, t in times.items()}
    assert np.array_equal(pure["params"], inplace["params"]), "update_inplace left the pure path's numbers"

    rows = [Row("3", f"memory floor: 5 streams of {start.nbytes / 1e6:.0f} MB at the copy bandwidth {bandwidth / 1e9:.1f} GB/s",
                ms(floor_s))]
    for name, what in (("pure", "RMSProp.update + params - updates (pure API)"), ("inplace", "RMSProp.update_inplace (in place)")):
        value = f"{ms(median(times[name]))} ({median(times[name]) / floor_s:.1f}x floor)"
        if torch_step is None:
            rows.append(Row("3", f"{what}, 10^7 float32", value, "torch.optim.RMSprop", "not installed", target="ratio <= 1.0"))
            continue
        ratio = median(ours / theirs for ours, theirs in zip(times[name], times["torch"]))
        goal = name == "inplace"  # the pure API allocates its results: shown for reference
        rows.append(Row(
            "3", f"{what}, 10^7 float32 (median of {pairs} pairs)", value,
            f"torch.optim.RMSprop(foreach=True), {torch.get_num_threads()} threads", ms(median(times["torch"])),
            f"{ratio:.2f}", "ratio <= 1.0" if goal else "(reference)", ratio <= 1.0 if goal else None,
        ))
    return rows


# --------------------------------------------------- 4. notebooks and the tests


def bench_notebooks() -> list[Row]:
    import nbclient
    import nbformat

    rows = []
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}})
        seconds = timed(client.execute)
        rows.append(Row("4", f"{notebook.name}: executed (kernel start + all cells)", f"{seconds:.1f} s", target="< 15 s", met=seconds < 15))
    return rows


def bench_tests() -> list[Row]:
    pytest = [sys.executable, "-m", "pytest", "-q"]  # what make test runs
    without = subprocess.run([*pytest, "-m", "not browser"], capture_output=True, text=True, cwd=ROOT)
    t_without = float(_wall(without.stdout))
    browser = subprocess.run([*pytest, "-m", "browser"], capture_output=True, text=True, cwd=ROOT)
    t_with = t_without + (float(_wall(browser.stdout)) if browser.returncode != 5 else 0.0)  # 5: no browser tests
    return [
        Row("4", f"make test without browser tests ({_summary(without.stdout)})", f"{t_without:.0f} s", target="< 120 s", met=t_without < 120),
        Row("4", f"make test with browser tests (+ {_summary(browser.stdout)})", f"{t_with:.0f} s", target="< 240 s", met=t_with < 240),
    ]


def _wall(output: str) -> str:
    """pytest's own wall time from its last line ('... in 61.23s (0:01:01)')."""
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return last.rsplit(" in ", 1)[-1].split("s")[0] if " in " in last else "nan"


def _summary(output: str) -> str:
    last = output.strip().splitlines()[-1] if output.strip() else "no output"
    return last.strip("= ").rsplit(" in ", 1)[0]


# ---------------------------------------------------------------------- table


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, CPU {model}, memory {mem_kb / 2**20:.1f} GiB, Python {platform.python_version()}, "
            f"numpy {np.__version__}, matplotlib {matplotlib.__version__}; load average at start {load}")


def table(rows: list[Row]) -> str:
    lines = ["| goal | measured | value | peer (same run) | peer value | ratio | target | met |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.goal} | {r.what} | {r.value} | {r.peer} | {r.peer_value} | {r.ratio} | {r.target} | {met} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,2,3,4", help="goals to measure, e.g. 2,3")
    parser.add_argument("--skip-tests", action="store_true", help="goal 4 without running the test suite")
    parser.add_argument("--no-browser", action="store_true", help="goal 1 without the browser measurement")
    parser.add_argument("--explorers-of", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.explorers_of:
        return explorers_of(args.explorers_of.resolve())

    goals = set(args.only.split(","))
    print(f"Machine: {machine()}\n", flush=True)
    rows: list[Row] = []
    sections = [
        ("1", bench_sliders), ("1", None if args.no_browser else bench_browser),
        ("1", None if args.no_browser else bench_explorers_browser), ("2", bench_sweep), ("3", bench_large),
        ("4", bench_notebooks), ("4", None if args.skip_tests else bench_tests),
    ]
    for goal, section in sections:
        if goal in goals and section is not None:
            started = time.perf_counter()
            rows += section()
            print(f"[{section.__name__}: {time.perf_counter() - started:.0f} s]", file=sys.stderr, flush=True)
    print(table(rows))
    if any(r.met is False for r in rows):
        print("\nSome goals are not met on this run (see the 'met' column).")


if __name__ == "__main__":
    main()
