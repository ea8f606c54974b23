"""The data of a chart, drawn for a topic: categories, series shaped to stay decidable by eye,
quantities in the persona's locale. What every chart kind samples with."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from synth.generators.chart._spec import ChartSpec, ChartStyle, Series, nice_axis
from synth.personas import LocalContent


def names(local: LocalContent, source: Any) -> Any:
    """A vocabulary list as written, or ``{faker: KIND, k: [lo, hi]}`` drawn in the locale."""
    if isinstance(source, dict):
        return list(
            local.names(
                str(source["faker"]),
                int(source.get("k", [2, 8])[1]),
                prefix=str(source.get("prefix", "")),
                suffix=str(source.get("suffix", "")),
            )
        )
    return source


def categories(
    rng: np.random.Generator,
    cats: str | list[str],
    lists: dict[str, list[str]],
    *,
    lo: int,
    hi: int,
) -> tuple[tuple[str, ...], bool]:
    if isinstance(cats, str):  # an ordered list: take a contiguous window
        full = lists[cats]
        k = int(rng.integers(min(lo, len(full)), min(hi, len(full)) + 1))
        start = int(rng.integers(0, len(full) - k + 1))
        return tuple(full[start : start + k]), True
    k = int(rng.integers(min(lo, len(cats)), min(hi, len(cats)) + 1))
    idx = np.sort(rng.choice(len(cats), size=k, replace=False))
    return tuple(cats[int(i)] for i in idx), False


def values(
    rng: np.random.Generator, n: int, lo: float, hi: float, ordered: bool, decimals: int
) -> list[float]:
    if ordered:  # a smooth-ish series: level + trend + seasonal wiggle + noise
        level = rng.uniform(lo + 0.2 * (hi - lo), lo + 0.8 * (hi - lo))
        trend = rng.uniform(-0.5, 0.5) * (hi - lo) / max(n - 1, 1)
        phase, amp = rng.uniform(0, 2 * math.pi), rng.uniform(0.05, 0.25) * (hi - lo)
        raw = [
            level + trend * (i - n / 2) + amp * math.sin(phase + i * 2 * math.pi / 12)
            for i in range(n)
        ]
        raw = [r + rng.normal(0, 0.06 * (hi - lo)) for r in raw]
    else:
        raw = list(rng.uniform(lo, hi, size=n))
    return [round(float(min(max(r, lo), hi)), decimals) for r in raw]


def separate_extremes(values: list[float], margin: float, decimals: int) -> list[float]:
    """Reverse synthesis: make the largest and smallest value unique by at least ``margin``
    so "which is highest/lowest" is decidable by eye."""
    out = list(values)
    if len(out) < 2:
        return out
    order = sorted(range(len(out)), key=lambda i: out[i])
    top, second = order[-1], order[-2]
    if out[top] - out[second] < margin:
        out[top] = round(out[second] + margin, decimals)
    low, second_low = order[0], order[1]
    lowered = round(out[second_low] - margin, decimals)
    if out[second_low] - out[low] < margin and lowered > 0:  # values stay positive (pies)
        out[low] = lowered
    return out


def quantity(
    local: LocalContent, topic: dict[str, Any], axis: str = ""
) -> tuple[float, float, str, int]:
    """``(lo, hi, unit, decimals)`` of the topic's ``{axis}range``, ``{axis}unit`` and
    ``{axis}decimals`` (axis "" or "x_"/"y_" for scatter), money in the persona's currency."""
    lo, hi = (float(v) for v in topic[f"{axis}range"])
    unit, dec = str(topic[f"{axis}unit"]), int(topic[f"{axis}decimals"])
    if topic.get("money") and "{currency}" in unit:
        return local.money(lo, hi, unit, dec)
    return lo, hi, unit, dec


def categorical(
    rng: np.random.Generator,
    kind: str,
    variant: str,
    topic: dict[str, Any],
    lists: dict[str, list[str]],
    local: LocalContent,
    style: ChartStyle,
    *,
    count: tuple[int, int],
    axis: str,
) -> ChartSpec:
    """A chart of values over categories (bars, lines, areas, pies): ``count`` categories
    (at least, at most), one series or a few (the ``grouped``, ``stacked`` and ``multi``
    variants). ``axis``: ``"none"`` (a pie), ``"zero"`` (the value axis starts at zero) or
    ``"data"`` (at zero unless the values lie far above it)."""
    multi = variant in ("grouped", "stacked", "multi")
    source = names(local, topic["categories"])
    cats, ordered = categories(rng, source, lists, lo=count[0], hi=count[1])
    series_names = names(local, topic["series"])
    n_series = int(rng.integers(2, min(3, len(series_names)) + 1)) if multi else 1
    series_idx = np.sort(rng.choice(len(series_names), size=n_series, replace=False))
    chosen = [series_names[int(i)] for i in series_idx] if multi else [topic["quantity"]]
    lo, hi, unit, dec = quantity(local, topic)
    if variant == "stacked":  # keep stacks within the topic's range
        lo, hi = lo / n_series, hi / n_series
    margin = max(0.05 * (hi - lo), 10.0**-dec)
    series = []
    for name in chosen:
        vals = values(rng, len(cats), lo, hi, ordered, dec)
        series.append(Series(str(name), tuple(separate_extremes(vals, margin, dec))))
    long_labels = sum(len(c) for c in cats) * style.font_size > 0.55 * style.width_px
    style = dataclasses.replace(
        style, rotate_x=30 if (long_labels and variant != "horizontal") else 0
    )
    if axis == "none":
        value_axis = None
    else:
        top = (
            max(sum(s.values[j] for s in series) for j in range(len(cats)))
            if variant == "stacked"
            else max(max(s.values) for s in series)
        )
        bottom = min(min(s.values) for s in series)
        from_zero = axis == "zero" or bottom < 0.35 * top
        value_axis = nice_axis(bottom, top, decimals=dec, from_zero=from_zero)
    what = str(topic["quantity"])
    return ChartSpec(
        kind=kind,
        variant=variant,
        topic_id=str(topic["id"]),
        title=str(topic["title"]),
        x_label=str(topic["axis"]),
        y_label=f"{what} ({unit})" if unit else what,
        unit=unit,
        decimals=dec,
        categories=tuple(str(c) for c in cats),
        series=tuple(series),
        value_axis=value_axis,
        x_axis=None,
        x_values=(),
        x_unit="",
        x_decimals=0,
        ordered=ordered,
        style=style,
    )


def nice_step(value: float) -> float:
    """The 1-2-5 number nearest ``value`` (bin widths after a currency conversion)."""
    exp = math.floor(math.log10(value))
    return min((m * 10.0**exp for m in (1.0, 2.0, 5.0, 10.0)), key=lambda c: abs(c - value))


def num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
