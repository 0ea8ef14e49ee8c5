"""Figures that say what they show: a text alternative for every figure of the series.

A screen reader cannot see a picture; it reads the image's text alternative. This module writes one
from what the figure itself drew and shows the figure with it:

- :func:`describe` - the figure in words: each panel's title, axes and scales, its runs (the legend's
  labels) and the text on it, followed by what to see (a sentence the notebook writes from its values);
- :func:`show` - displays a figure as an ``<img>`` with that text as its ``alt`` (``text/html``, which
  JupyterLab, the static site, Colab and GitHub all show) and the text alone as ``text/plain``;
- :func:`runs_summary` - how each run ends (diverged, or the decade of its final loss gap), for
  what to see in a :func:`~rmsprop_lib.drawing.plotting.runs_figure`.

The explorers (:class:`~rmsprop_lib.drawing.widgets.Explorer`) put the same text on their image after each
redraw. The text holds only what the figure prints (titles, labels, legends) and rounded verdicts, so a
notebook's stored description is the same on any machine.

Example::

    fig, ax = plt.subplots()
    ...
    show(fig, see="the loss falls ten times faster with momentum")   # instead of leaving fig to pyplot
"""

from __future__ import annotations

import base64
import html
import io
import re
from typing import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from rmsprop_lib.core.problems import Problem
from rmsprop_lib.core.runner import Trajectory

__all__ = ["plain", "describe", "runs_summary", "Described", "show"]

#: TeX commands as a reader hears them (the rest of a command loses its backslash).
_SYMBOLS = {
    r"\eta": "η", r"\rho": "ρ", r"\beta": "β", r"\lambda": "λ", r"\epsilon": "ε", r"\varepsilon": "ε",
    r"\kappa": "κ", r"\gamma": "γ", r"\delta": "δ", r"\Delta": "Δ", r"\tau": "τ", r"\mu": "μ", r"\nu": "ν", r"\theta": "θ", r"\Sigma": "Σ", r"\sigma": "σ", r"\nabla": "∇", r"\alpha": "α",
    r"\star": "*", r"\cdot": "·", r"\times": "×", r"\leq": "≤", r"\geq": "≥", r"\le": "≤", r"\ge": "≥",
    r"\approx": "≈", r"\infty": "∞", r"\sqrt": "√", r"\min": "min", r"\max": "max", r"\sin": "sin", r"\partial": "∂",
    r"\,": " ", r"\;": " ", r"\!": "", r"\mathrm": "", r"\frac": "", r"\left": "", r"\right": "",
}
_SUPERSCRIPTS = str.maketrans("0123456789-+*iknt", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺*ⁱᵏⁿᵗ")
_SUBSCRIPTS = dict(zip("0123456789ijkmnt", "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₘₙₜ"))


def plain(text: str) -> str:
    """matplotlib's math text as plain text: ``r"$x^2 + \\eta/\\sqrt{k}$"`` -> ``"x² + η/√k"``.

    Greek letters and common symbols become their characters, numeric and one-letter (i, k, n, t) powers
    superscripts; a root over more than one term keeps its extent, ``\\sqrt{1-\\rho}`` -> ``√(1-ρ)``;
    other braces and ``$`` go. A string without ``$`` is returned unchanged.
    """
    if "$" not in text:
        return text
    text = re.sub(r"\\(?:mathrm|mathbb|mathbf|operatorname)\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"\\sqrt\{([^{}]*[-+*/ ][^{}]*)\}", r"\\sqrt(\1)", text)
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    for command in sorted(_SYMBOLS, key=len, reverse=True):
        text = text.replace(command, _SYMBOLS[command])
    text = re.sub(r"\^\{?([-+]?\d+|\\star|\*|[iknt](?![A-Za-z]))\}?", lambda m: m[1].replace("\\star", "*").translate(_SUPERSCRIPTS), text)
    text = re.sub(r"_\{?(\w)\}?(?!\w)", lambda m: _SUBSCRIPTS.get(m[1], " " + m[1]), text)
    text = re.sub(r"_\{([^{}]*)\}", r" \1", text).replace("_", " ")
    return re.sub(r"\s+", " ", text.replace("$", "").replace("{", "").replace("}", "").replace("\\", "")).strip()


def _axis(ax: Axes, which: str, side: str = "") -> str:
    """``"x axis step k (log scale)"``; an axis without a label takes the label of a panel it is shared with (a
    grid of panels labels only its outer axes); one with neither is named by its scale only, and not at all
    (``""``) where its scale is linear."""
    label = plain(getattr(ax, f"get_{which}label")())
    if not label:
        shared = getattr(ax, f"get_shared_{which}_axes")().get_siblings(ax)
        label = next(filter(None, (plain(getattr(other, f"get_{which}label")()) for other in shared)), "")
    scale = getattr(ax, f"get_{which}scale")()
    scale = "" if scale == "linear" else f"{scale} scale"
    if not label:
        return f"{side}{which} axis on a {scale}" if scale else ""
    return f"{side}{which} axis {label}" + (f" ({scale})" if scale else "")


def _panel(ax: Axes) -> str:
    """One panel in words: title, axes, what is drawn on it, its runs and its texts."""
    parts = []
    title = " ".join(plain(ax.get_title(loc)) for loc in ("left", "center", "right") if ax.get_title(loc))
    if title:
        parts.append(f"“{title}”")
    if ax.axison:
        parts.extend(words for words in (_axis(ax, "x"), _axis(ax, "y")) if words)
    if any(isinstance(artist, ContourSet) for artist in ax.get_children()):
        parts.append("contour lines of the function")
    if any(isinstance(artist, QuadMesh) for artist in ax.get_children()) or ax.images:
        parts.append("a colour map")
    legend = ax.get_legend()
    labels = [plain(text.get_text()) for text in legend.get_texts()] if legend else \
        [plain(line.get_label()) for line in ax.lines if not line.get_label().startswith("_")]
    if labels:
        parts.append("showing " + "; ".join(labels))
    texts = [plain(text.get_text()).replace("\n", "; ") for text in ax.texts if text.get_text().strip()]
    if texts:
        parts.append("marked: " + "; ".join(texts))
    return ", ".join(parts)


def describe(figure: Figure, see: str = "") -> str:
    """The text alternative of ``figure``: its title, then each panel, then ``see`` (what to notice).

    Panels are the figure's axes in the order they were made; colour bars are described with the panel
    they belong to (by their label), empty axes (e.g. one that only holds a legend) by their legend.
    Returns one paragraph of plain text (math text made readable by :func:`plain`).
    Raises TypeError for anything but a matplotlib ``Figure``.
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    colorbars = {ax for ax in figure.axes if hasattr(ax, "_colorbar")}
    panels, twins = [], {}  # a twin (ax.twinx()) is the right-hand y axis of the panel it shares its place with
    for ax in figure.axes:
        if ax in colorbars:
            continue
        host = next((p for p in panels if ax.get_shared_x_axes().joined(ax, p) and ax.get_position().bounds == p.get_position().bounds), None)
        if host is None:
            panels.append(ax)
        else:
            twins.setdefault(host, []).append(ax)
    sentences = []
    title = figure.get_suptitle() if hasattr(figure, "get_suptitle") else getattr(figure._suptitle, "get_text", str)()
    if title:
        sentences.append(f"{plain(title)}.")
    for number, ax in enumerate(panels, 1):
        text = _panel(ax)
        bars = [plain(bar.get_ylabel() or bar.get_xlabel()) for bar in colorbars
                if getattr(bar, "_colorbar", None) is not None and bar._colorbar.mappable.axes is ax]
        if bars:
            text += f", colour scale: {', '.join(bars)}"
        for twin in twins.get(ax, []):
            words = _axis(twin, "y", side="right-hand ")
            text += f", {words}" if words else ""
        where = f"Panel {number} of {len(panels)}: " if len(panels) > 1 else "The plot: "
        sentences.append(where + (text or "empty") + ".")
    if see:
        sentences.append(f"What to see: {see.strip().rstrip('.')}.")
    return " ".join(sentences)


def _decade(value: float) -> str:
    return f"1e{int(np.round(np.log10(value)))}"


def runs_summary(problem: Problem, runs: Mapping[str, Trajectory]) -> str:
    """How each run ends, as stable words: ``"GD ends with f - f* about 1e-12; Adam diverged at step 7"``.

    The final gap is given as its nearest power of ten (below 1e-16: "below 1e-16"; where the problem has
    no minimum, ``f`` itself), so the text does not change with the last digits of a computation.
    """
    parts = []
    for label, run in runs.items():
        if int(np.max(run.diverged_at)) >= 0:
            parts.append(f"{label} diverged at step {int(run.diverged_at)}")
            continue
        last = float(run.losses[-1])
        if np.isfinite(problem.min_value):
            gap = last - problem.min_value
            parts.append(f"{label} ends with f − f* " + ("below 1e-16" if gap < 1e-16 else f"about {_decade(gap)}"))
        else:
            parts.append(f"{label} ends at f about {'-' if last < 0 else ''}{_decade(max(abs(last), 1e-16))}")
    return "; ".join(parts)


def _png(figure: Figure) -> bytes:
    """The figure as the inline backend saves it: PNG, tight bounding box, the figure's dpi."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


class Described:
    """A figure shown with its text alternative (what :func:`show` displays).

    In a notebook its output is ``text/html``, ``<img src="data:image/png;base64,..." alt="...">``, which
    every front end of the series renders with the ``alt`` (JupyterLab's own image output has none), and
    ``text/plain``, the text alone. Attributes: ``figure``, ``alt``.
    """

    def __init__(self, figure: Figure, alt: str):
        if not isinstance(figure, Figure):
            raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("alt must be a non-empty text that says what the figure shows")
        self.figure, self.alt = figure, alt

    def html(self) -> str:
        data = base64.b64encode(_png(self.figure)).decode("ascii")
        return f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" style="max-width: 100%">'

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": self.alt}


def show(figure: Figure, see: str = "", alt: str | None = None) -> None:
    """Display ``figure`` with its text alternative, :func:`describe` ``(figure, see)`` (or ``alt`` as given).

    Closes the figure in pyplot if pyplot made it, so the inline backend does not show it a second time
    without the text. Returns None (so a cell ending in ``show(...)`` shows the figure once).
    """
    shown = Described(figure, alt if alt is not None else describe(figure, see))
    if getattr(figure.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt  # only a pyplot figure has a manager; plt is loaded already then

        plt.close(figure)
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with every notebook environment
        return
    display(shown)
