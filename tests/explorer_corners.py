"""Push an explorer's controls to their extremes and report what goes wrong.

Used by ``tests/test_widgets_robustness.py`` in two ways: in the test process
on explorers built from the library, and inside a kernel that has run a
notebook up to its explorers (``record_explorers()`` before the notebook's
code, ``check_all()`` after it, which returns plain data).

For each explorer:

- every slider's value lies on its step grid (the browser snaps a value that
  does not, and the explorer then redraws with a value nobody chose);
- for every combination of its sliders' extreme values (min/max of each),
  with each choice (dropdown option, checkbox state) at its default, and
  every other choice at every corner when the budget allows, or at the
  all-min and all-max corners otherwise: no error, a PNG image, finite axis
  limits, no warning, and "<label> diverged at step k" written on the figure
  for every run that diverged;
- an error in its computation is shown under the figure and cleared again.
"""

from __future__ import annotations

import math
import warnings

import ipywidgets as widgets
import numpy as np

PNG = b"\x89PNG\r\n\x1a\n"
#: Above this many combinations the other choices are tried only at the all-min and all-max corners.
BUDGET = 32

_explorers: list = []


def record_explorers() -> None:
    """From now on remember every Explorer built in this process."""
    from rmsprop_lib.drawing.widgets import Explorer

    if getattr(Explorer.__init__, "_recording", False):
        return
    init = Explorer.__init__

    def recording_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        _explorers.append(self)

    recording_init._recording = True
    Explorer.__init__ = recording_init


def check_all() -> list[dict]:
    """Check every explorer recorded so far: ``[{"controls": {...}, "states": n, "problems": [...]}]``."""
    return [check(explorer) for explorer in _explorers]


# --------------------------------------------------------------------------- one explorer


def _is_slider(control) -> bool:
    return isinstance(control, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider))


def _choices(control) -> list | None:
    """The values a discrete control can take, or None."""
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [False, True]
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.Select)):
        return list(range(len(control.options)))  # set through .index: works for labels and (label, value) pairs
    return None


def _set(control, value) -> None:
    if _choices(control) is not None and not isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        control.index = value
    else:
        control.value = value


def _get(control):
    if _choices(control) is not None and not isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return control.index
    return control.value


def _extreme(control, high: bool):
    """The slider's min or max value (read when used: another control may have moved the range)."""
    end = control.max if high else control.min
    return control.base ** end if isinstance(control, widgets.FloatLogSlider) else end


def off_grid(name: str, control) -> str | None:
    """A message if the slider's value is not on its step grid, else None."""
    if not _is_slider(control) or isinstance(control, widgets.IntSlider):
        return None
    position = math.log(control.value, control.base) if isinstance(control, widgets.FloatLogSlider) else control.value
    steps = (position - control.min) / control.step
    if abs(steps - round(steps)) < 1e-6:
        return None
    snapped = control.min + round(steps) * control.step
    shown = control.base ** snapped if isinstance(control, widgets.FloatLogSlider) else snapped
    return (f"slider {name!r}: value {control.value:g} is not on its step grid (min {control.min:g}, step "
            f"{control.step:g}); a browser moves it to {shown:.4g} and the explorer redraws with that value")


def diverged_steps(run) -> int | None:
    """The earliest step at which a run (or any of its batched runs) diverged, or None."""
    at = np.asarray(getattr(run, "diverged_at", -1))
    return int(at[at >= 0].min()) if (at >= 0).any() else None


def state_problems(explorer) -> list[str]:
    """What is wrong with what the explorer shows now."""
    if explorer.error is not None:
        return [f"{type(explorer.error).__name__}: {explorer.error}"]
    problems = []
    if not bytes(explorer.image.value or b"").startswith(PNG):
        problems.append("no PNG image")
    for ax in explorer.figure.axes:
        if not np.isfinite([*ax.get_xlim(), *ax.get_ylim()]).all():
            problems.append(f"axes {ax.get_title()!r} has infinite or NaN limits")
    figure = explorer.figure
    texts = "\n".join(t.get_text() for t in [*figure.texts, *(t for ax in figure.axes for t in ax.texts)])
    for label, run in explorer.runs.items():
        k = diverged_steps(run)
        if k is not None and f"{label} diverged at step {k}" not in texts:
            problems.append(f"run {label!r} diverged at step {k} but the figure does not say so")
    return problems


def _rows(choices: dict[str, list], defaults: dict) -> list[dict]:
    """Settings of the discrete controls: all defaults, then each other value of each control alone."""
    rows = [dict(defaults)]
    for name, values in choices.items():
        rows += [{**defaults, name: value} for value in values if value != defaults[name]]
    return rows


def combinations(explorer, budget: int = BUDGET) -> list[tuple[dict, tuple[bool, ...]]]:
    """(choice settings, slider corner as min/max flags) to visit, corners in Gray-code order per row."""
    sliders = [name for name, c in explorer.controls.items() if _is_slider(c)]
    choices = {name: _choices(c) for name, c in explorer.controls.items() if _choices(c) is not None}
    defaults = {name: _get(explorer.controls[name]) for name in choices}
    n = len(sliders)
    corners = [tuple(bool((i ^ (i >> 1)) >> j & 1) for j in range(n)) for i in range(2**n)]
    rows = _rows(choices, defaults)
    if len(rows) * len(corners) <= budget:
        return [(row, corner) for row in rows for corner in corners]
    # The other rows at the all-min and all-max corners, each row starting at the corner the previous one ended
    # at: only its choice changes there, then every slider once (not every slider twice).
    visits, last = [(rows[0], corner) for corner in corners], corners[-1]
    for row in rows[1:]:
        low, high = (False,) * n, (True,) * n
        near, far = (low, high) if sum(last) <= n / 2 else (high, low)
        visits += [(row, near), (row, far)]
        last = far
    return visits


def check(explorer, budget: int = BUDGET) -> dict:
    """Run the checks described in the module docstring on one explorer."""
    controls = explorer.controls
    report = {
        "controls": {name: type(c).__name__ for name, c in controls.items()},
        "states": 0,
        "problems": [],
    }
    problems = report["problems"]
    unknown = [name for name, c in controls.items() if not _is_slider(c) and _choices(c) is None]
    problems += [f"control {name!r} ({type(controls[name]).__name__}) is not exercised by this check" for name in unknown]
    problems += [m for name, c in controls.items() if (m := off_grid(name, c))]
    problems += [f"at the start: {p}" for p in state_problems(explorer)]

    sliders = [name for name, c in controls.items() if _is_slider(c)]
    start = {name: _get(c) for name, c in controls.items() if name not in unknown}
    seen = set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for row, corner in combinations(explorer, budget):
            # Choices first (one may move a slider's range, e.g. a problem's window), then the sliders.
            for name, value in [*row.items(), *zip(sliders, corner)]:
                control = controls[name]
                updates = explorer.updates
                _set(control, _extreme(control, value) if name in sliders else value)
                if explorer.updates == updates:
                    continue  # the value was already set: nothing new to look at
                report["states"] += 1
                found = state_problems(explorer) + [f"{w.category.__name__}: {w.message}" for w in caught]
                caught.clear()
                for problem in found:
                    if problem not in seen:  # each problem once, at the first settings that show it
                        seen.add(problem)
                        where = ", ".join(f"{k}={_shown(controls[k])}" for k in controls if k not in unknown)
                        problems.append(f"{where}: {problem}")
        for name, value in start.items():  # back to the defaults
            _set(controls[name], value)
        problems += errors_are_shown(explorer)
    return report


def _shown(control) -> str:
    value = control.value
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def errors_are_shown(explorer) -> list[str]:
    """An exception in compute must appear under the figure, and disappear once compute works again."""
    compute, message = explorer.compute, "robustness check: compute failed on purpose"

    def failing(**values):
        raise RuntimeError(message)

    problems = []
    explorer.compute = failing
    try:
        explorer.update()
        shown = "".join(str(o.get("text", "")) for o in explorer.errors.outputs)
        if not isinstance(explorer.error, RuntimeError) or message not in shown:
            problems.append("an exception in compute is not shown under the figure")
    finally:
        explorer.compute = compute
    explorer.update()
    if explorer.error is not None or explorer.errors.outputs:
        problems.append("the error message stays after compute works again")
    return problems


def corner_values(explorer) -> list[dict]:
    """For tests of this module: the control values each combination sets."""
    sliders = [name for name, c in explorer.controls.items() if _is_slider(c)]
    out = []
    for row, corner in combinations(explorer):
        values = dict(row)
        values.update({name: _extreme(explorer.controls[name], high) for name, high in zip(sliders, corner)})
        out.append(values)
    return out


__all__ = ["record_explorers", "check_all", "check", "combinations", "state_problems", "off_grid", "corner_values"]
