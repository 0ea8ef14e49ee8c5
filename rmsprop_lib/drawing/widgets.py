"""Slider explorers: move a slider, the optimizers re-run and the figure redraws.

An :class:`Explorer` is built from

- ``controls``: named ipywidgets (sliders, dropdowns) whose values are passed
  to ``compute`` as keyword arguments;
- ``compute(**values) -> (problem, runs)``: the runs to show, a dict
  label -> run (pure computation, no drawing), and the problem to draw them
  on (or whatever else fixes the panels, such as a title);
- how to draw them: by default :func:`rmsprop_lib.drawing.plotting.runs_figure`
  (paths over contours, and losses); any figure of fixed panels with
  ``make_axes`` and ``draw_runs``, or any drawing at all with ``draw``.

The figure is rendered off screen with Agg and shown as an ``Image`` widget,
so a slider step only sends one PNG to the browser. A figure of fixed
panels keeps what a slider does not change (axes, contours, ticks, legends)
as pixels and draws only the runs over them (:class:`RunsView`). Everything is reachable
from Python, so tests (and curious learners) can drive an explorer::

    ex.controls["lr"].value = 0.3   # observers run at once, in this process
    ex.runs["RMSProp"].diverged_at  # what was computed
    ex.figure.axes[0].lines         # what was drawn

Errors raised while computing or drawing are shown under the figure, never
swallowed.
"""

from __future__ import annotations

import contextlib
import io
import traceback
from typing import Callable, Mapping

import ipywidgets as widgets
import traitlets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from PIL import Image

from rmsprop_lib.drawing import describe as words
from rmsprop_lib.drawing import plotting
from rmsprop_lib.numerics import validation as check
from rmsprop_lib.core.problems import Problem
from rmsprop_lib.core.runner import Trajectory

__all__ = ["Explorer", "RunsView", "along_sliders", "lr_slider", "slider", "int_slider", "problem_dropdown"]


def lr_slider(value: float = 0.1, low: float = 1e-4, high: float = 10.0, description: str = "lr") -> widgets.FloatLogSlider:
    """A log-scale slider for a learning rate in ``[low, high]``.

    Its positions are ``value * 10**(0.05 k)``: a browser snaps the handle to
    them, so the grid passes through ``value`` (else the page would move the
    default and the explorer redraw with a value nobody chose). The ends are
    the positions nearest to ``low`` and ``high`` inside the range. Ranges
    reaching below 1e-4 (e.g. eps) show their value in scientific notation.
    Raises ValueError unless ``0 < low <= value <= high`` (``low < high``).
    """
    value, low, high = check.slider_range(value, low, high, log=True)
    check.text("description", description)
    step, centre = 0.05, np.log10(value)
    below = np.floor((centre - np.log10(low)) / step + 1e-9)
    above = np.floor((np.log10(high) - centre) / step + 1e-9)
    return widgets.FloatLogSlider(
        value=value, base=10, min=round(centre - below * step, 12), max=round(centre + above * step, 12), step=step,
        description=description, continuous_update=True,
        # the browser formats with d3, whose ".3g" writes 1e-6 as 0.00000100: tiny ranges read better as 1.00e-6
        readout_format=".3g" if low >= 1e-4 else ".2e",
    )


def slider(value: float, low: float, high: float, step: float, description: str) -> widgets.FloatSlider:
    """A linear slider, e.g. for rho or beta; ``low <= value <= high``, ``0 < step <= high - low``."""
    value, low, high = check.slider_range(value, low, high)
    check.text("description", description)
    step = check.positive("step", step)
    if not step <= high - low:
        raise ValueError(f"step must be in (0, high - low] = (0, {high - low:g}], got {step:g}")
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=step, description=description, readout_format=".3g",
        continuous_update=True,
    )


def int_slider(value: int, low: int, high: int, description: str = "steps") -> widgets.IntSlider:
    """An integer slider, e.g. for the number of steps; ``low <= value <= high``."""
    value, low, high = check.slider_range(value, low, high, kind=int)
    check.text("description", description)
    return widgets.IntSlider(value=value, min=low, max=high, description=description, continuous_update=True)


def problem_dropdown(names: list[str], value: str | None = None) -> widgets.Dropdown:
    """A selector over problem names (see ``rmsprop_lib.core.problems.ALL``); ``value`` must be one of them."""
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(name, str) for name in names):
        raise TypeError(f"names must be a non-empty list of strings, got {names!r}")
    if value is not None and value not in names:
        raise ValueError(f"value must be one of names {list(names)}, got {value!r}")
    return widgets.Dropdown(options=names, value=value or names[0], description="problem")



def positions(control: widgets.ValueWidget) -> np.ndarray:
    """Every value a slider's handle can take, in order (a log slider's values, not its exponents)."""
    if isinstance(control, widgets.FloatLogSlider):
        count = int(round((control.max - control.min) / control.step)) + 1
        return control.base ** (control.min + control.step * np.arange(count))
    if isinstance(control, (widgets.FloatSlider, widgets.IntSlider)):
        count = int(round((control.max - control.min) / control.step)) + 1
        return control.min + control.step * np.arange(count)
    raise TypeError(f"positions are defined for FloatSlider, FloatLogSlider and IntSlider, got {type(control).__name__}")


def _pick(result, index: int, size: int):
    """Run ``index`` of a batch of ``size`` runs: every array whose last axis has that length is indexed there."""
    if isinstance(result, np.ndarray) and result.ndim and result.shape[-1] == size:
        return result[..., index]
    if isinstance(result, dict):
        return {key: _pick(value, index, size) for key, value in result.items()}
    if isinstance(result, tuple):
        parts = [_pick(value, index, size) for value in result]
        return type(result)(*parts) if hasattr(result, "_fields") else tuple(parts)  # a NamedTuple keeps its type
    return result


def _first_steps(result, steps: int, computed: int):
    """A result computed for ``computed`` steps cut to its first ``steps``: arrays of ``computed`` (+ 1) rows."""
    if isinstance(result, np.ndarray) and result.ndim and result.shape[0] in (computed, computed + 1):
        return result[: steps + result.shape[0] - computed]
    if isinstance(result, dict):
        return {key: _first_steps(value, steps, computed) for key, value in result.items()}
    if isinstance(result, tuple):
        parts = [_first_steps(value, steps, computed) for value in result]
        return type(result)(*parts) if hasattr(result, "_fields") else tuple(parts)
    return result


class along_sliders:  # noqa: N801 - used like a function: compute = along_sliders(compute, controls)
    """``compute`` for an :class:`Explorer`, answered from runs made for every position of a slider at once.

    For a ``compute`` that costs a loop over many steps, where one batched run
    of many settings costs about as much as one run (NumPy's time per call,
    not per number, dominates: :func:`rmsprop_lib.experiments.online.run`).
    When a float slider moves, its every position is computed in one batch
    (the other values fixed) and kept: the next moves of the same slider only
    look the runs up (a move of another slider, or several at once, computes
    anew). With ``steps``, the name of an integer slider that counts
    steps, runs made for more steps answer fewer by their first rows (the
    first steps of a run do not depend on how many follow); a larger count
    computes half as many again (up to the slider's end), along the slider
    that moved last.

    ``compute(**values)`` must accept a 1-D array for each float slider's
    value and return its runs with that axis last in every array (and, with
    ``steps``, the step axis first, of ``steps`` or ``steps + 1`` rows).
    A value off the slider's grid (typed into its readout) is computed on
    its own. The last ``max_lines`` batches are kept (08's are about 10 MB
    each at 3000 steps). Attributes: ``computed``, how many times ``compute`` ran.
    """

    def __init__(self, compute: Callable, controls: Mapping[str, widgets.ValueWidget], steps: str | None = None,
                 max_lines: int = 4):
        check.function("compute", compute)
        self.compute, self.steps, self.max_lines = compute, steps, max_lines
        self.grids = {name: positions(control) for name, control in controls.items()
                      if isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider))}
        self.most_steps = controls[steps].max if steps else None
        self.lines: dict = {}  # (slider, other values) -> (result for its every position, steps computed)
        self.last: dict | None = None  # the values of the last call
        self.along = next(iter(self.grids), None)  # the slider of the last line
        self.computed = 0

    def __call__(self, **values):
        steps = values.get(self.steps) if self.steps else None
        on_grid = {name: self._index(grid, values[name]) for name, grid in self.grids.items()}
        moved = [name for name in self.grids if self.last is None or values[name] != self.last.get(name)]
        self.last = dict(values)
        for name, index in on_grid.items():  # a line through these values, made for enough steps: look it up
            line = self.lines.get(self._key(name, values))
            if index is not None and line is not None and (steps is None or line[1] >= steps):
                return self._cut(_pick(line[0], index, len(self.grids[name])), steps, line[1])
        # Else a new line along the slider that moved (for a larger step count: the last line's slider).
        along = next((name for name in moved if on_grid[name] is not None), None)
        if along is None and not moved and on_grid.get(self.along) is not None:
            along = self.along
        if along is None:  # off every grid (a value typed into a readout): on its own
            self.computed += 1
            return self.compute(**values)
        size, index = len(self.grids[along]), on_grid[along]
        arguments = {name: np.full(size, float(values[name])) for name in self.grids}
        arguments[along] = self.grids[along].copy()
        arguments[along][index] = values[along]  # the exact value asked for
        run_steps = None if steps is None else min(self.most_steps, steps if moved else steps * 3 // 2)
        if self.steps:
            arguments[self.steps] = run_steps
        self.computed += 1
        result = self.compute(**{**values, **arguments})
        if len(self.lines) >= self.max_lines:
            self.lines.pop(next(iter(self.lines)))  # the oldest
        self.lines[self._key(along, values)], self.along = (result, run_steps), along
        return self._cut(_pick(result, index, size), steps, run_steps)

    def _key(self, name: str, values: dict) -> tuple:
        return (name, *((other, value) for other, value in values.items() if other not in (name, self.steps)))

    def _cut(self, result, steps, computed):
        return result if steps is None or steps == computed else _first_steps(result, steps, computed)

    @staticmethod
    def _index(grid: np.ndarray, value) -> int | None:
        index = int(np.argmin(np.abs(grid - value)))
        return index if abs(grid[index] - value) <= 1e-9 * max(abs(value), 1e-12) else None


Runs = Mapping[str, Trajectory]


class RunsView:
    """A figure of fixed panels with runs drawn over them, redrawn fast.

    The picture is ``make_axes(figure, problem)`` (the panels: axes, labels,
    contours) followed by ``draw_runs(*axes, problem, runs)`` (the runs'
    curves); by default :func:`~rmsprop_lib.drawing.plotting.runs_axes` and
    :func:`~rmsprop_lib.drawing.plotting.draw_runs`, i.e.
    :func:`~rmsprop_lib.drawing.plotting.runs_figure`.

    While the problem and the run labels stay the same, a redraw replaces
    only the runs' artists: the rest - axes, ticks, contours - is copied
    back as pixels (a *blit*) as long as the axis limits have not changed,
    and the runs, with whatever lies above them (the minimum's star,
    messages), are drawn on top in their usual order. Legends, which show
    the same labels in the same place, are pasted as pixels too (a legend
    whose labels changed is drawn over the runs, as in a full redraw). The result
    is the picture of a full redraw, except that no run shows through a
    legend's translucent frame (or within two pixels of it). ``draw_runs``
    must add its artists to the axes (not to the figure), as ``ax.plot``
    and ``ax.legend`` do, and must leave what belongs to the panels alone:
    titles, labels and limits that depend on the problem (or setting) are set
    by ``make_axes``, which runs again whenever the problem changes - or,
    with ``panels_key``, whenever ``panels_key(problem)`` changes (e.g.
    ``lambda setting: None`` when the panels are the same for every setting
    and ``draw_runs`` draws what depends on it).
    """

    def __init__(
        self,
        figure: Figure,
        make_axes: Callable[[Figure, object], tuple[Axes, ...]] = plotting.runs_axes,
        draw_runs: Callable[..., object] = plotting.draw_runs,
        panels_key: Callable[[object], object] | None = None,
    ):
        self.figure = figure
        self.make_axes, self.draw_runs = make_axes, draw_runs
        self.panels_key = panels_key or (lambda problem: problem)
        self.key: tuple | None = None  # (what of the problem the panels show, labels) the panels were made for
        self.axes: tuple[Axes, ...] | None = None
        self.drawn: list = []  # the runs' artists
        self.on_top: list = []  # those and whatever lies above them: drawn over the background
        self.background = None  # pixels of everything else
        self.legends: list = []  # pixels of each legend over the background
        self.legend_texts: list = []  # the texts those legends showed
        self.limits: list | None = None  # the axis limits and legend places these pixels were made for

    def draw(self, problem, runs: Mapping) -> None:
        """Show ``runs`` on ``problem``; afterwards the canvas holds the picture."""
        key, last = (self.panels_key(problem), tuple(runs)), self.key
        self.key = None  # until this redraw has finished: after an error, start afresh
        if key != last:
            self.figure.clear()
            self.axes, self.background = tuple(self.make_axes(self.figure, problem)), None
        else:
            for artist in self.drawn:
                artist.remove()
            for ax in self.axes:
                ax.relim()  # forget the old runs' extent
        before = {ax: set(ax.get_children()) for ax in self.axes}
        self.draw_runs(*self.axes, problem, runs)
        self.drawn, self.on_top = [], []
        for ax in self.axes:
            new = [artist for artist in ax.get_children() if artist not in before[ax]]
            lowest = min((artist.get_zorder() for artist in new), default=np.inf)
            self.drawn += new
            self.on_top += sorted((a for a in ax.get_children() if a.get_zorder() >= lowest), key=Artist.get_zorder)

        canvas = self.figure.canvas
        legends = [artist for artist in self.on_top if isinstance(artist, Legend)]
        if self.background is None or self._places(legends) != self.limits:
            for artist in self.on_top:
                artist.set_visible(False)
            canvas.draw()
            self.background, self.limits = canvas.copy_from_bbox(self.figure.bbox), self._places(legends)
            for artist in self.on_top:
                artist.set_visible(True)
            for legend in legends:
                self.figure.draw_artist(legend)
            # a frame's edge reaches past the legend's box by half a line width: keep 2 pixels more
            self.legends = [canvas.copy_from_bbox(legend.get_window_extent().padded(2)) for legend in legends]
            self.legend_texts = [self._texts(legend) for legend in legends]
        canvas.restore_region(self.background)
        pixels, texts = iter(self.legends), iter(self.legend_texts)
        for artist in self.on_top:
            if isinstance(artist, Legend):
                pasted, shown = next(pixels), next(texts)
                if self._texts(artist) == shown:
                    canvas.restore_region(pasted)
                    continue
            self.figure.draw_artist(artist)  # a run, or a legend whose labels changed (e.g. a run's final value)
        self.key = key

    @staticmethod
    def _texts(legend: Legend) -> list[str]:
        return [text.get_text() for text in legend.get_texts()] + [legend.get_title().get_text()]

    def _places(self, legends: list) -> list:
        """The axis limits and where the legends sit (``loc="best"`` may move them)."""
        return [(ax.get_xlim(), ax.get_ylim()) for ax in self.axes] + [legend.get_window_extent().bounds for legend in legends]


def _label(control: widgets.ValueWidget, name: str) -> str:
    """A control's name as its label shows it (its ``description``), else its keyword ``name``."""
    return getattr(control, "description", "") or name


def _value(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


class _TitledImage(widgets.Image):
    """An ``Image`` whose ``tooltip`` reaches the page as the ``<img>``'s ``title`` (its accessible name).

    ipywidgets 8's front end (``DOMWidgetView.updateTooltip``, JupyterLab's and the site's html-manager alike)
    sets the title only where ``description`` is empty and reads ``description.length``; an ``Image`` has no
    ``description``, so a tooltip made its view fail ("Cannot read properties of undefined (reading 'length')")
    and the image was replaced by an error box. An empty ``description`` is all the view needs.
    """

    description = traitlets.Unicode("").tag(sync=True)


class Explorer(widgets.VBox):
    """Sliders above a figure that is recomputed and redrawn on every change.

    Args:
        controls: name -> widget; each widget's ``value`` goes to ``compute``.
        compute: ``(**values) -> (problem, runs)``, the runs to draw.
        make_axes, draw_runs: the figure as fixed panels, ``make_axes(figure,
            problem) -> axes``, and the runs drawn on them, ``draw_runs(*axes,
            problem, runs)``; redrawn fast by a :class:`RunsView`. By default
            :func:`~rmsprop_lib.drawing.plotting.runs_axes` and
            :func:`~rmsprop_lib.drawing.plotting.draw_runs`: paths over contours, and losses.
        draw: instead, any ``(figure, problem, runs) -> None`` that draws the
            whole figure; it is cleared and laid out anew on every change (slower).
        panels_key: with ``make_axes``: a function of the problem; the panels
            are made anew only when its value changes (default: the problem itself).
        figsize: the figure's size in inches.
        dpi: the rendered image's resolution.
        see: ``(problem, runs) -> str``, what to notice in the figure, for its text alternative; by
            default, for the default panels, :func:`~rmsprop_lib.drawing.describe.runs_summary`.

    Attributes (for tests and the curious):
        values: the values used for the last update.
        problem, runs: what the last update computed.
        figure: the matplotlib figure it drew.
        draw: how the whole figure is drawn from scratch (``make_axes``, then
            ``draw_runs``, unless a ``draw`` was given).
        image: the ``Image`` widget that shows it; its ``tooltip`` (the ``<img>``'s ``title``, which
            screen readers read as its name) is ``alt``.
        alt: the figure's text alternative after the last update: :func:`~rmsprop_lib.drawing.describe.describe`
            of the figure, what to see, and the controls' values.
        errors: an ``Output`` widget that shows any traceback.
        error: the last exception, or None.
        updates: how many times the figure was redrawn.
    """

    def __init__(
        self,
        controls: Mapping[str, widgets.ValueWidget],
        compute: Callable[..., tuple[Problem, Runs]],
        draw: Callable[[Figure, Problem, Runs], object] | None = None,
        figsize: tuple[float, float] = (10, 4),
        dpi: int = 80,
        make_axes: Callable[[Figure, object], tuple[Axes, ...]] = plotting.runs_axes,
        draw_runs: Callable[..., object] = plotting.draw_runs,
        panels_key: Callable[[object], object] | None = None,
        see: Callable[[object, Runs], str] | None = None,
    ):
        if not isinstance(controls, Mapping) or not all(isinstance(c, widgets.ValueWidget) for c in controls.values()):
            raise TypeError(f"controls must be a dict of name -> widget (e.g. lr_slider()), got {controls!r:.80}")
        if not all(isinstance(name, str) and name.isidentifier() for name in controls):
            raise ValueError(f"controls' names are passed to compute as keywords, so they must be identifiers, got {list(controls)}")
        check.function("compute", compute)
        check.function("draw", draw, allow_none=True)
        check.function("make_axes", make_axes)
        check.function("draw_runs", draw_runs)
        check.function("panels_key", panels_key, allow_none=True)
        check.function("see", see, allow_none=True)
        check.points("figsize", figsize)
        if not min(figsize) > 0:
            raise ValueError(f"figsize must be (width, height) in inches, both > 0, got {figsize!r}")
        check.integer("dpi", dpi, 1)
        self.controls = dict(controls)
        self.compute = compute
        default_panels = draw is None and make_axes is plotting.runs_axes and draw_runs is plotting.draw_runs
        self.see = see or (words.runs_summary if default_panels else (lambda problem, runs: ""))
        self.alt = ""
        self.draw = draw or (lambda figure, problem, runs: draw_runs(*make_axes(figure, problem), problem, runs))
        # A custom ``draw`` gets a layout engine; panels from ``make_axes`` have fixed margins. Opaque: sent as RGB.
        self.figure = Figure(figsize=figsize, dpi=dpi, facecolor="white", layout=None if draw is None else "constrained")
        FigureCanvasAgg(self.figure)
        self._view = RunsView(self.figure, make_axes, draw_runs, panels_key) if draw is None else None
        self.image = _TitledImage(format="png", layout=widgets.Layout(width=f"{figsize[0] * dpi}px"))
        self.errors = widgets.Output()
        self.values: dict = {}
        self.problem: Problem | None = None
        self.runs: dict[str, Trajectory] = {}
        self.error: BaseException | None = None
        self.updates = 0
        self._holding, self._pending = 0, False  # hold(): how deep, and whether a change waits for its end

        boxes = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(grid_template_columns="repeat(2, minmax(300px, 1fr))"),
        )
        super().__init__([boxes, self.image, self.errors])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        if self._holding:
            self._pending = True
        # A control that another control's observer moved (05's start sliders follow its problem) has redrawn
        # with every new value already: the first control's own notification, after it, would draw it again.
        elif {name: control.value for name, control in self.controls.items()} != self.values:
            self.update()

    @contextlib.contextmanager
    def hold(self):
        """``with explorer.hold():`` set several controls, and redraw once at the end, not once per control.

        For an observer that moves other controls (a new problem brings its own start point): it names the
        explorer from the notebook's namespace, so it may be defined, and observe, before the explorer is made.
        """
        self._holding += 1
        try:
            yield self
        finally:
            self._holding -= 1
            if not self._holding and self._pending:
                self._pending = False
                self.update()

    def update(self) -> None:
        """Recompute with the controls' current values and redraw."""
        self.values = {name: control.value for name, control in self.controls.items()}
        try:
            self.problem, runs = self.compute(**self.values)
            self.runs = dict(runs)
            if self._view:
                self._view.draw(self.problem, self.runs)
            else:
                self.figure.clear()
                self.draw(self.figure, self.problem, self.runs)
                self.figure.canvas.draw()
            self.image.value = self._encode()
            self._describe()
            self.error = None
            self.errors.outputs = ()  # clear any earlier traceback (works with or without a front end)
        except Exception as error:  # shown to the learner, not swallowed
            self.error = error
            self.errors.outputs = ()  # clear any earlier traceback (works with or without a front end)
            self.errors.append_stderr("".join(traceback.format_exception(error)))
        self.updates += 1

    def _describe(self) -> None:
        """The text alternative of what was just drawn, on the image (ipywidgets 8's ``tooltip``: its ``title``)."""
        settings = ", ".join(f"{_label(control, name)} = {_value(control.value)}"
                             for name, control in self.controls.items())
        self.alt = words.describe(self.figure, self.see(self.problem, self.runs)) + f" Settings: {settings}."
        if self.image.has_trait("tooltip"):  # ipywidgets 7 (Colab) has no tooltip on an Image
            self.image.tooltip = self.alt

    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        self.figure.canvas.draw()
        return self._encode()

    def _encode(self) -> bytes:
        """What the canvas holds, as PNG: opaque (RGB) and lightly compressed, as it is sent at once."""
        buffer = io.BytesIO()
        image = Image.fromarray(np.asarray(self.figure.canvas.buffer_rgba())).convert("RGB")
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()
