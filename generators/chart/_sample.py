"""Sampling chart specs: topic, data shaped to stay visually decidable, and style."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from synth.generators.chart._spec import KINDS, Axis, ChartSpec, ChartStyle, Series, nice_axis
from synth.personas import load_vocabulary

THEMES = (
    "default",
    "ggplot",
    "seaborn-v0_8-whitegrid",
    "seaborn-v0_8-darkgrid",
    "bmh",
    "fivethirtyeight",
    "Solarize_Light2",
    "dark_background",
)
PALETTES = (
    ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"),
    ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"),
    ("#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3"),
    ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"),
    ("#08306b", "#2171b5", "#6baed6", "#c6dbef", "#4292c6", "#084594", "#9ecae1", "#deebf7"),
    ("#7f2704", "#d94801", "#fd8d3c", "#fdd0a2", "#a63603", "#f16913", "#fdae6b", "#feedde"),
    ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725", "#31688e", "#35b779", "#90d743"),
    ("#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#8ab17d", "#b56576", "#6d597a"),
)
FONTS = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono", "STIXGeneral")
SIZES = ((640, 480), (800, 600), (800, 450), (720, 540), (600, 600), (960, 540), (640, 560))
LEGEND_LOCS = ("upper left", "upper right", "lower center outside", "center left outside", "best")
MARKERS = ("o", "s", "^", "D", "")
#: How often each kind is drawn (bars are the most common chart in the wild).
KIND_WEIGHTS = {
    "bar": 0.34,
    "line": 0.2,
    "pie": 0.14,
    "area": 0.1,
    "scatter": 0.11,
    "histogram": 0.11,
}


def pick(rng: np.random.Generator, items: Any) -> Any:
    return items[int(rng.integers(len(items)))]


def sample_style(rng: np.random.Generator, kind: str, n_series: int) -> ChartStyle:
    w, h = pick(rng, SIZES)
    theme = pick(rng, THEMES)
    # dark palettes vanish on a dark background: keep the bright ones there
    palettes = (PALETTES[0], PALETTES[2]) if theme == "dark_background" else PALETTES
    return ChartStyle(
        theme=theme,
        palette=tuple(pick(rng, palettes)),
        font_family=pick(rng, FONTS),
        font_size=float(pick(rng, (8.0, 9.0, 10.0, 11.0, 12.0))),
        width_px=int(w),
        height_px=int(h),
        dpi=100,
        grid=pick(rng, ("none", "value", "both")),
        legend_loc=pick(rng, LEGEND_LOCS),
        value_labels=bool(rng.random() < 0.5),
        bar_width=float(pick(rng, (0.6, 0.7, 0.8, 0.85))),
        edge=pick(rng, ("none", "white", "dark")),
        line_width=float(pick(rng, (1.5, 2.0, 2.5, 3.0))),
        marker=pick(rng, MARKERS),
        pie_labels=pick(rng, ("percent", "value", "none")),
        rotate_x=0,
    )


def _categories(
    rng: np.random.Generator,
    topic: dict[str, Any],
    lists: dict[str, list[str]],
    *,
    lo: int,
    hi: int,
) -> tuple[tuple[str, ...], bool]:
    cats = topic["categories"]
    if isinstance(cats, str):  # an ordered list: take a contiguous window
        full = lists[cats]
        k = int(rng.integers(min(lo, len(full)), min(hi, len(full)) + 1))
        start = int(rng.integers(0, len(full) - k + 1))
        return tuple(full[start : start + k]), True
    k = int(rng.integers(min(lo, len(cats)), min(hi, len(cats)) + 1))
    idx = np.sort(rng.choice(len(cats), size=k, replace=False))
    return tuple(cats[int(i)] for i in idx), False


def _values(
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


def sample_spec(
    rng: np.random.Generator, kind: str | None = None, variant: str | None = None
) -> ChartSpec:
    """Draw one chart spec. ``kind``/``variant`` fix the family (see ``KINDS``)."""
    vocab = load_vocabulary("chart_topics")
    if kind is None:
        kinds = list(KIND_WEIGHTS)
        kind = kinds[
            int(
                rng.choice(
                    len(kinds), p=np.array(list(KIND_WEIGHTS.values())) / sum(KIND_WEIGHTS.values())
                )
            )
        ]
    if variant is None:
        variant = pick(rng, KINDS[kind])
    if kind == "scatter":
        return _scatter(rng, vocab)
    if kind == "histogram":
        return _histogram(rng, vocab)
    topics = [t for t in vocab["topics"] if kind in t["kinds"]]
    topic = pick(rng, topics)
    multi = variant in ("grouped", "stacked", "multi")
    if kind == "pie":
        cats, ordered = _categories(rng, topic, vocab["lists"], lo=3, hi=7)
    elif multi:
        cats, ordered = _categories(rng, topic, vocab["lists"], lo=3, hi=7 if kind == "bar" else 12)
    else:
        cats, ordered = _categories(
            rng, topic, vocab["lists"], lo=4, hi=10 if kind == "bar" else 12
        )
    n_series = int(rng.integers(2, min(3, len(topic["series"])) + 1)) if multi else 1
    series_idx = np.sort(rng.choice(len(topic["series"]), size=n_series, replace=False))
    names = [topic["series"][int(i)] for i in series_idx] if multi else [topic["quantity"]]
    lo, hi = (float(v) for v in topic["range"])
    dec = int(topic["decimals"])
    if variant == "stacked":  # keep stacks within the topic's range
        lo, hi = lo / n_series, hi / n_series
    margin = max(0.05 * (hi - lo), 10.0**-dec)
    series = []
    for name in names:
        vals = _values(rng, len(cats), lo, hi, ordered, dec)
        series.append(Series(str(name), tuple(separate_extremes(vals, margin, dec))))
    style = sample_style(rng, kind, n_series)
    long_labels = sum(len(c) for c in cats) * style.font_size > 0.55 * style.width_px
    style = dataclasses.replace(
        style, rotate_x=30 if (long_labels and variant != "horizontal") else 0
    )
    if kind == "pie":
        axis = None
    else:
        top = (
            max(sum(s.values[j] for s in series) for j in range(len(cats)))
            if variant == "stacked"
            else max(max(s.values) for s in series)
        )
        bottom = min(min(s.values) for s in series)
        from_zero = kind in ("bar", "area") or bottom < 0.35 * top
        axis = nice_axis(bottom, top, decimals=dec, from_zero=from_zero)
    unit = str(topic["unit"])
    quantity = str(topic["quantity"])
    return ChartSpec(
        kind=kind,
        variant=variant,
        topic_id=str(topic["id"]),
        title=_title(rng, topic, cats, ordered),
        x_label=str(topic["axis"]),
        y_label=f"{quantity} ({unit})" if unit else quantity,
        unit=unit,
        decimals=dec,
        categories=tuple(str(c) for c in cats),
        series=tuple(series),
        value_axis=axis,
        x_axis=None,
        x_values=(),
        x_unit="",
        x_decimals=0,
        ordered=ordered,
        style=style,
    )


def _title(
    rng: np.random.Generator, topic: dict[str, Any], cats: tuple[str, ...], ordered: bool
) -> str:
    title = str(topic["title"])
    if ordered and len(cats) > 1 and rng.random() < 0.5:
        title = f"{title}, {cats[0]}–{cats[-1]}"
    return title


def _scatter(rng: np.random.Generator, vocab: dict[str, Any]) -> ChartSpec:
    topic = pick(rng, vocab["scatter"])
    k = int(rng.integers(6, len(topic["points"]) + 1))
    idx = np.sort(rng.choice(len(topic["points"]), size=k, replace=False))
    names = tuple(str(topic["points"][int(i)]) for i in idx)
    x_lo, x_hi = (float(v) for v in topic["x_range"])
    y_lo, y_hi = (float(v) for v in topic["y_range"])
    xd, yd = int(topic["x_decimals"]), int(topic["y_decimals"])
    xs = rng.uniform(x_lo, x_hi, size=k)
    slope = float(pick(rng, (-1.0, 1.0))) * rng.uniform(0.3, 1.0)
    noise = rng.uniform(0.05, 0.45)
    t = (xs - x_lo) / (x_hi - x_lo)
    ys_unit = 0.5 + slope * (t - 0.5) + rng.normal(0, noise, size=k) * 0.5
    ys = y_lo + np.clip(ys_unit, 0.0, 1.0) * (y_hi - y_lo)
    x_vals = [round(float(v), xd) for v in xs]
    y_vals = separate_extremes([round(float(v), yd) for v in ys], 0.05 * (y_hi - y_lo), yd)
    x_vals = separate_extremes(x_vals, 0.05 * (x_hi - x_lo), xd)
    style = dataclasses.replace(sample_style(rng, "scatter", 1), value_labels=True)
    yq, xq = str(topic["y"]), str(topic["x"])
    return ChartSpec(
        kind="scatter",
        variant="labelled",
        topic_id=str(topic["id"]),
        title=str(topic["title"]),
        x_label=f"{xq} ({topic['x_unit']})",
        y_label=f"{yq} ({topic['y_unit']})",
        unit=str(topic["y_unit"]),
        decimals=yd,
        categories=names,
        series=(Series(yq, tuple(y_vals)),),
        value_axis=nice_axis(min(y_vals), max(y_vals), decimals=yd, from_zero=False),
        x_axis=nice_axis(min(x_vals), max(x_vals), decimals=xd, from_zero=False),
        x_values=tuple(x_vals),
        x_unit=str(topic["x_unit"]),
        x_decimals=xd,
        ordered=False,
        style=style,
    )


def _histogram(rng: np.random.Generator, vocab: dict[str, Any]) -> ChartSpec:
    topic = pick(rng, vocab["histogram"])
    bins = int(rng.integers(topic["bins"][0], topic["bins"][1] + 1))
    start, width = float(topic["start"]), float(topic["width"])
    edges = [start + i * width for i in range(bins + 1)]
    center = rng.uniform(*topic["center"])
    spread = rng.uniform(*topic["spread"])
    total = int(rng.integers(topic["total"][0], topic["total"][1] + 1))
    draws = rng.normal(center, spread, size=total)
    counts, _ = np.histogram(np.clip(draws, edges[0], edges[-1] - 1e-9), bins=edges)
    values = separate_extremes([float(c) for c in counts], max(1.0, 0.05 * float(counts.max())), 0)
    labels = tuple(f"{_num(a)}–{_num(b)}" for a, b in zip(edges[:-1], edges[1:], strict=True))
    unit = str(topic["unit"])
    style = sample_style(rng, "histogram", 1)
    return ChartSpec(
        kind="histogram",
        variant="counts",
        topic_id=str(topic["id"]),
        title=str(topic["title"]),
        x_label=f"{topic['quantity']} ({unit})",
        y_label="Count",
        unit="",
        decimals=0,
        categories=labels,
        series=(Series("Count", tuple(values)),),
        value_axis=nice_axis(0.0, max(values), decimals=0, from_zero=True),
        x_axis=Axis(lo=edges[0], hi=edges[-1], step=width, decimals=0 if width >= 1 else 1),
        x_values=tuple(edges),
        x_unit=unit,
        x_decimals=0 if width >= 1 else 1,
        ordered=True,
        style=style,
    )


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
