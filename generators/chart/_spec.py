"""Chart specs: typed, frozen, JSON-serialisable. The single source of truth for a chart."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from synth._errors import SpecError
from synth.generators._common import plain


@dataclasses.dataclass(frozen=True)
class Axis:
    """A numeric axis drawn with explicit limits and ticks every ``step`` (data units)."""

    lo: float
    hi: float
    step: float
    decimals: int

    def ticks(self) -> list[float]:
        count = int(round((self.hi - self.lo) / self.step))
        return [round(self.lo + i * self.step, 10) for i in range(count + 1)]

    @property
    def span(self) -> float:
        return self.hi - self.lo


@dataclasses.dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclasses.dataclass(frozen=True)
class ChartStyle:
    """How the chart looks; nothing here changes what the data says."""

    theme: str
    palette: tuple[str, ...]
    font_family: str
    font_size: float
    width_px: int
    height_px: int
    dpi: int
    grid: str  # none | value | both
    legend_loc: str
    value_labels: bool
    bar_width: float
    edge: str  # none | white | dark
    line_width: float
    marker: str
    pie_labels: str  # percent | value | none (pie only)
    rotate_x: int
    profile: str = "casual"  # the persona's visual register (see _sample.PROFILES)
    title_weight: str = "bold"
    title_loc: str = "center"  # center | left
    spines: str = "all"  # all | open (no top/right frame)
    background: str = ""  # figure and axes colour; "" keeps the theme's
    renderer: str = "matplotlib"  # matplotlib | plotly: which back-end draws the spec


DIFFICULTIES = ("normal", "hard")


@dataclasses.dataclass(frozen=True)
class ChartSpec:
    """One chart. ``categories`` are x categories (bar/line/area), slices (pie), point names
    (scatter) or bin labels (histogram). ``x_values`` is read through the kind, typed
    (``Scatter.xs``: the points' x; ``Histogram.edges``: the bins' edges, one more than
    bins). ``value_axis``: the axis values are read on (None for pie)."""

    kind: str
    variant: str
    topic_id: str
    title: str
    x_label: str
    y_label: str
    unit: str
    decimals: int
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_axis: Axis | None
    x_axis: Axis | None
    x_values: tuple[float, ...]
    x_unit: str
    x_decimals: int
    ordered: bool
    style: ChartStyle
    #: normal | hard: hard asks fine-grained comparisons (see synth.qa_synth.chart)
    difficulty: str = "normal"

    def __post_init__(self) -> None:
        from synth.generators.chart.kinds import BY_NAME, KINDS  # the kinds import this module

        if self.kind not in KINDS or self.variant not in KINDS[self.kind]:
            raise SpecError(f"chart kind/variant {self.kind}/{self.variant} is not one of {KINDS}")
        if not self.series or not self.categories:
            raise SpecError(f"chart {self.title!r} has no data")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise SpecError(
                    f"series {s.name!r} has {len(s.values)} values for {len(self.categories)} categories"
                )
            if not all(math.isfinite(v) for v in s.values):
                raise SpecError(f"series {s.name!r} has a non-finite value")
        has_axes = BY_NAME[self.kind].has_axes
        if not has_axes and any(v <= 0 for v in self.series[0].values):
            raise SpecError("pie slices must be positive")
        if has_axes and self.value_axis is None:
            raise SpecError(f"{self.kind} chart needs a value axis")
        if self.difficulty not in DIFFICULTIES:
            raise SpecError(f"chart difficulty {self.difficulty!r} is not one of {DIFFICULTIES}")

    @property
    def family(self) -> str:
        return self.kind

    def totals(self) -> tuple[float, ...]:
        """Per-category sums over series (the top of a stack)."""
        return tuple(sum(s.values[j] for s in self.series) for j in range(len(self.categories)))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (tuples become lists)."""
        return plain(dataclasses.asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChartSpec:
        d = dict(data)
        d["series"] = tuple(Series(s["name"], tuple(s["values"])) for s in d["series"])
        d["value_axis"] = Axis(**d["value_axis"]) if d["value_axis"] else None
        d["x_axis"] = Axis(**d["x_axis"]) if d["x_axis"] else None
        style = dict(d["style"])
        style["palette"] = tuple(style["palette"])
        d["style"] = ChartStyle(**style)
        d["categories"] = tuple(d["categories"])
        d["x_values"] = tuple(d["x_values"])
        return cls(**d)


def nice_axis(lo: float, hi: float, *, decimals: int, from_zero: bool) -> Axis:
    """Axis limits on round numbers with 4-8 ticks that hold [lo, hi] with headroom."""
    if from_zero:
        lo = min(0.0, lo)
    span = max(hi - lo, 10.0**-decimals)
    best = None
    for exp in range(-4, 9):
        for mant in (1.0, 2.0, 2.5, 5.0):
            step = mant * 10.0**exp
            a_lo = 0.0 if from_zero and lo >= 0 else math.floor(lo / step) * step
            a_hi = math.ceil((hi + 0.04 * span) / step) * step
            n = round((a_hi - a_lo) / step)
            if 4 <= n <= 8 and (best is None or n > best[0]):
                best = (n, step, a_lo, a_hi)
        if best is not None:
            break
    if best is None:  # pragma: no cover - spans above are always covered
        raise SpecError(f"no nice axis for [{lo}, {hi}]")
    _, step, a_lo, a_hi = best
    step_decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    if step * 10**step_decimals != round(step * 10**step_decimals):
        step_decimals += 1
    return Axis(
        lo=round(a_lo, 10), hi=round(a_hi, 10), step=round(step, 10), decimals=step_decimals
    )
