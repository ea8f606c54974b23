"""What a chart kind is: everything about bars, or lines, or pies, in one object.

A kind carries its variants and how often it is drawn, the data it samples for a topic, the
body of its Matplotlib script, its Plotly traces and category axis, and the question
programs it adds to the common ones. The renderers read each kind's marks the same way (the
``gid`` tags its Matplotlib body sets, the trace types of its Plotly figure), so a kind's
render facts follow from how it draws. Adding a kind is one module here, its line in
:mod:`synth.generators.chart.kinds`, its phrasings and its tests.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from synth.generators.chart._spec import Axis, ChartSpec, ChartStyle
from synth.personas import LocalContent

#: words an axis label may end in that a question leaves off
PREPOSITIONS = frozenset({"near", "to", "from", "in", "at", "for", "by", "of"})


class Look:
    """What a Plotly drawing of one spec reads from its style: sizes in CSS pixels, colours."""

    def __init__(self, spec: ChartSpec, *, size: float, edge: str, edge_w: int, grid: str):
        self.spec, self.size, self.edge, self.edge_w, self.grid = spec, size, edge, edge_w, grid
        self.colors = list(spec.style.palette)


class ChartKind:
    """One kind of chart. A subclass sets the class attributes and draws."""

    #: the spec's ``kind``
    name: ClassVar[str] = ""
    #: the spec's possible ``variant`` values
    variants: ClassVar[tuple[str, ...]] = ()
    #: how often it is drawn, relative to the other kinds
    weight: ClassVar[float] = 0.0
    #: False for a chart without axes (pies)
    has_axes: ClassVar[bool] = True
    #: programs beyond the common pool that can ask about it (``share``, ``trend``,
    #: ``correlation``): question modules read this, never the kind's name
    asks: ClassVar[frozenset[str]] = frozenset()
    #: the element role of the mark that shows one value (what pointing questions ask for)
    mark_role: ClassVar[str] = "point"

    def mark(self, spec: ChartSpec) -> str:
        """What a question calls the mark of one value ("bar", "slice", "point"...)."""
        return self.mark_role

    def category_noun(self, spec: ChartSpec) -> str:
        """What a question calls one category (a month, a bin, a point...): the axis
        label without a trailing preposition ("Trail near" -> "trail")."""
        words = spec.x_label.lower().split()
        while len(words) > 1 and words[-1] in PREPOSITIONS:
            words.pop()
        return " ".join(words)

    def topics(self, vocab: dict[str, Any]) -> list[dict[str, Any]]:
        """The chart topics it can draw."""
        return [t for t in vocab["topics"] if self.name in t["kinds"]]

    def sample(
        self,
        rng: np.random.Generator,
        variant: str,
        topic: dict[str, Any],
        lists: dict[str, list[str]],
        local: LocalContent,
        style: ChartStyle,
    ) -> ChartSpec:
        """The chart's data for ``topic``, in ``style``."""
        raise NotImplementedError(f"{type(self).__name__}.sample")

    def matplotlib(self, spec: ChartSpec) -> str:
        """The body of the Matplotlib script's ``draw`` that draws the marks (``ax`` is the
        axes; ``CATEGORIES``, ``SERIES``, ``COLORS`` and ``text`` are defined)."""
        raise NotImplementedError(f"{type(self).__name__}.matplotlib")

    def matplotlib_axes(self, spec: ChartSpec) -> list[str]:
        """Script lines for axes beyond the value axis (a scatter's x axis)."""
        return []

    def plotly(self, look: Look, layout: dict[str, Any]) -> list[dict[str, Any]]:
        """The Plotly traces of ``look.spec`` (and what the kind sets in ``layout``)."""
        raise NotImplementedError(f"{type(self).__name__}.plotly")

    def plotly_category_axis(self, look: Look, line: dict[str, Any]) -> dict[str, Any]:
        """The Plotly axis across the categories (under the marks; across them, rows from
        the top, for horizontal bars)."""
        cat = category_axis(look.spec, look.spec.variant == "horizontal", line)
        cat["showgrid"] = look.spec.style.grid == "both"
        cat["gridcolor"] = look.grid
        return cat


def fmt(decimals: int) -> str:
    """A Python format string for a value with ``decimals`` (thousands commas)."""
    return "{:,.%sf}".replace("%s", str(decimals))


def edge(spec: ChartSpec) -> str:
    """The Matplotlib edge colour of the marks."""
    return {"none": "none", "white": "white", "dark": "#222222"}[spec.style.edge]


def axis_lines(
    name: str, axis_lo: float, axis_hi: float, ticks: list[float], decimals: int
) -> list[str]:
    """Matplotlib script lines that fix an axis's limits, ticks and tick labels."""
    return [
        f"ax.set_{name}lim({axis_lo!r}, {axis_hi!r})",
        f"ax.{name}axis.set_major_locator(FixedLocator({ticks!r}))",
        f"ax.{name}axis.set_major_formatter(StrMethodFormatter('{{x:,.{decimals}f}}'))",
    ]


def label_colour(fill: str) -> str:
    """The text colour for a label drawn on ``fill`` (``#rrggbb``): white or near-black,
    whichever contrasts more (WCAG relative luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(fill[i : i + 2], 16) / 255) for i in (1, 3, 5))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    dark = 0.0110  # the luminance of #1a1a1a
    return "#ffffff" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / (dark + 0.05)) else "#1a1a1a"


def fmt_value(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


#: Matplotlib marker -> Plotly symbol
MARKERS = {"o": "circle", "s": "square", "^": "triangle-up", "D": "diamond", "v": "triangle-down"}


def number_axis(axis: Axis, show_grid: bool, grid: str, line: dict[str, Any]) -> dict[str, Any]:
    """A Plotly axis of numbers: the spec's limits and ticks, labelled as Matplotlib does."""
    ticks = axis.ticks()
    return {
        "range": [axis.lo, axis.hi],
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [fmt_value(t, axis.decimals) for t in ticks],
        "showgrid": show_grid,
        "gridcolor": grid,
        "zeroline": False,
        "automargin": True,
        **line,
    }


def category_axis(spec: ChartSpec, reverse: bool, line: dict[str, Any]) -> dict[str, Any]:
    """The Plotly axis of a chart's categories, one tick each."""
    n = len(spec.categories)
    return {
        "range": [n - 0.5, -0.5] if reverse else [-0.5, n - 0.5],
        "tickmode": "array",
        "tickvals": list(range(n)),
        "ticktext": list(spec.categories),
        "tickangle": -spec.style.rotate_x,
        "showgrid": False,
        "zeroline": False,
        "automargin": True,
        **line,
    }
