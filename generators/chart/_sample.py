"""Sampling chart specs from a persona: topic, data shaped to stay visually decidable, and style.

The persona (``synth.personas``) picks the topic (its field and interests), the locale of every
name, place and currency on the chart, and the visual register of the style (a corporate
report, a scientific figure and a school poster do not look alike).
"""

from __future__ import annotations

import dataclasses
import math
from functools import cache
from typing import Any

import numpy as np

from synth._errors import MissingDependencyError, SpecError
from synth.generators._common import pick
from synth.generators.chart._spec import KINDS, Axis, ChartSpec, ChartStyle, Series, nice_axis
from synth.personas import LocalContent, Persona, choose_topic, load_vocabulary, sample_persona

PALETTES = {
    "tableau": (
        "#1f77b4",
        "#ff7f0e",
        "#2ca02c",
        "#d62728",
        "#9467bd",
        "#8c564b",
        "#e377c2",
        "#7f7f7f",
    ),
    "okabe_ito": (
        "#0072B2",
        "#E69F00",
        "#009E73",
        "#CC79A7",
        "#56B4E9",
        "#D55E00",
        "#F0E442",
        "#000000",
    ),
    "pastel": (
        "#66c2a5",
        "#fc8d62",
        "#8da0cb",
        "#e78ac3",
        "#a6d854",
        "#ffd92f",
        "#e5c494",
        "#b3b3b3",
    ),
    "dark2": (
        "#1b9e77",
        "#d95f02",
        "#7570b3",
        "#e7298a",
        "#66a61e",
        "#e6ab02",
        "#a6761d",
        "#666666",
    ),
    "blues": (
        "#08306b",
        "#2171b5",
        "#6baed6",
        "#c6dbef",
        "#4292c6",
        "#084594",
        "#9ecae1",
        "#deebf7",
    ),
    "oranges": (
        "#7f2704",
        "#d94801",
        "#fd8d3c",
        "#fdd0a2",
        "#a63603",
        "#f16913",
        "#fdae6b",
        "#feedde",
    ),
    "viridis": (
        "#440154",
        "#3b528b",
        "#21918c",
        "#5ec962",
        "#fde725",
        "#31688e",
        "#35b779",
        "#90d743",
    ),
    "earth": (
        "#264653",
        "#2a9d8f",
        "#e9c46a",
        "#f4a261",
        "#e76f51",
        "#8ab17d",
        "#b56576",
        "#6d597a",
    ),
    "greys": (
        "#252525",
        "#636363",
        "#969696",
        "#bdbdbd",
        "#525252",
        "#737373",
        "#a3a3a3",
        "#d9d9d9",
    ),
    "bright": (
        "#e6194b",
        "#3cb44b",
        "#4363d8",
        "#f58231",
        "#911eb4",
        "#f032e6",
        "#ffe119",
        "#42d4f4",
    ),
    "navy_gold": (
        "#1d3557",
        "#e9b949",
        "#457b9d",
        "#a8dadc",
        "#e63946",
        "#2a4d69",
        "#f1c453",
        "#6c757d",
    ),
}
SIZES = ((640, 480), (800, 600), (800, 450), (720, 540), (600, 600), (960, 540), (640, 560))
MARKERS = ("o", "s", "^", "D", "")
LEGEND_LOCS = ("upper left", "upper right", "lower center outside", "center left outside", "best")


RENDERERS = ("matplotlib", "plotly")
#: How often a drawn chart is drawn by plotly.js instead of Matplotlib.
PLOTLY_SHARE = 0.3


@dataclasses.dataclass(frozen=True)
class StyleProfile:
    """What charts made in one visual register may look like (each field: the choices)."""

    themes: tuple[str, ...]
    palettes: tuple[str, ...]
    fonts: tuple[str, ...]  # in order of preference; the first that has every glyph may be used
    font_sizes: tuple[float, ...]
    sizes: tuple[tuple[int, int], ...]
    grids: tuple[str, ...]
    value_labels: float  # probability
    edges: tuple[str, ...]
    line_widths: tuple[float, ...]
    markers: tuple[str, ...]
    title_weights: tuple[str, ...]
    title_locs: tuple[str, ...]
    spines: tuple[str, ...]
    backgrounds: tuple[str, ...]  # "" keeps the theme's colours


PROFILES = {
    "corporate": StyleProfile(
        themes=("default", "seaborn-v0_8-whitegrid", "ggplot", "dark_background"),
        palettes=("tableau", "okabe_ito", "blues", "navy_gold", "dark2", "earth", "oranges"),
        fonts=("Liberation Sans", "Open Sans", "Lato", "DejaVu Sans"),
        font_sizes=(9.0, 10.0, 11.0),
        sizes=((800, 450), (960, 540), (800, 600), (720, 540)),
        grids=("value", "none"),
        value_labels=0.6,
        edges=("none", "white"),
        line_widths=(2.0, 2.5),
        markers=("o", ""),
        title_weights=("bold",),
        title_locs=("left", "center"),
        spines=("open", "all"),
        backgrounds=("", "", "#f7f9fc", "#fbf7f0"),
    ),
    "scientific": StyleProfile(
        themes=("default", "bmh", "seaborn-v0_8-whitegrid"),
        palettes=("okabe_ito", "viridis", "greys", "dark2", "tableau", "blues"),
        fonts=("DejaVu Serif", "STIXGeneral", "EB Garamond", "Liberation Serif"),
        font_sizes=(8.0, 9.0, 10.0),
        sizes=((640, 480), (600, 600), (640, 560), (720, 540)),
        grids=("both", "none", "value"),
        value_labels=0.15,
        edges=("dark", "none"),
        line_widths=(1.0, 1.5),
        markers=("o", "s", "^", "D"),
        title_weights=("normal",),
        title_locs=("center",),
        spines=("all", "open"),
        backgrounds=("",),
    ),
    "editorial": StyleProfile(
        themes=("fivethirtyeight", "ggplot", "seaborn-v0_8-darkgrid", "dark_background"),
        palettes=("tableau", "dark2", "earth", "oranges", "bright", "navy_gold"),
        fonts=("Lato", "Open Sans", "Liberation Sans", "DejaVu Sans"),
        font_sizes=(10.0, 11.0, 12.0),
        sizes=((800, 450), (960, 540), (800, 600)),
        grids=("value",),
        value_labels=0.4,
        edges=("none",),
        line_widths=(2.5, 3.0),
        markers=("",),
        title_weights=("bold",),
        title_locs=("left",),
        spines=("open",),
        backgrounds=("",),
    ),
    "playful": StyleProfile(
        themes=("default", "Solarize_Light2", "ggplot"),
        palettes=("bright", "pastel", "viridis", "earth"),
        fonts=("Comic Neue", "DejaVu Sans"),
        font_sizes=(12.0, 13.0, 14.0),
        sizes=((800, 600), (720, 540), (600, 600)),
        grids=("none", "value"),
        value_labels=0.85,
        edges=("dark",),
        line_widths=(3.0, 4.0),
        markers=("o", "D", "s"),
        title_weights=("bold",),
        title_locs=("center",),
        spines=("all",),
        backgrounds=("#fff8e7", "#eef7ff", "#f3fff0", ""),
    ),
    "casual": StyleProfile(
        themes=(
            "default",
            "ggplot",
            "bmh",
            "Solarize_Light2",
            "seaborn-v0_8-darkgrid",
            "dark_background",
        ),
        palettes=tuple(PALETTES),
        fonts=("DejaVu Sans", "Lato", "Open Sans", "Liberation Sans", "DejaVu Sans Mono"),
        font_sizes=(9.0, 10.0, 11.0, 12.0),
        sizes=SIZES,
        grids=("none", "value", "both"),
        value_labels=0.5,
        edges=("none", "white", "dark"),
        line_widths=(1.5, 2.0, 2.5, 3.0),
        markers=MARKERS,
        title_weights=("bold", "normal"),
        title_locs=("center", "left"),
        spines=("all", "open"),
        backgrounds=("",),
    ),
    "official": StyleProfile(
        themes=("default", "seaborn-v0_8-whitegrid"),
        palettes=("blues", "greys", "navy_gold", "okabe_ito", "dark2", "oranges"),
        fonts=("Liberation Serif", "Liberation Sans", "DejaVu Serif", "DejaVu Sans"),
        font_sizes=(9.0, 10.0),
        sizes=((640, 480), (800, 600), (720, 540)),
        grids=("value", "both"),
        value_labels=0.5,
        edges=("dark",),
        line_widths=(1.5, 2.0),
        markers=("s", "o"),
        title_weights=("bold",),
        title_locs=("center",),
        spines=("all",),
        backgrounds=("", "#f4f6f9"),
    ),
}
#: Palettes that stay readable on a dark background.
_BRIGHT = ("tableau", "pastel", "bright", "okabe_ito")
#: How often each kind is drawn (bars are the most common chart in the wild).
KIND_WEIGHTS = {
    "bar": 0.34,
    "line": 0.2,
    "pie": 0.14,
    "area": 0.1,
    "scatter": 0.11,
    "histogram": 0.11,
}
FONT_PACKAGES = "fonts-liberation2 fonts-comic-neue fonts-lato fonts-open-sans fonts-ebgaramond"


@dataclasses.dataclass(frozen=True)
class ChartDraw:
    """A sampled chart: the spec, the persona it was made for and its concrete topic."""

    spec: ChartSpec
    persona: dict[str, Any]
    topic: str


@cache
def font_glyphs(family: str) -> frozenset[str]:
    """The characters the installed font ``family`` can draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    try:
        path = font_manager.fontManager.findfont(family, fallback_to_default=False)
    except ValueError:
        raise MissingDependencyError(
            f"font {family!r} is not installed: run bash scripts/setup.sh "
            f"(or apt-get install {FONT_PACKAGES}, then delete Matplotlib's fontlist-*.json "
            "cache)"
        ) from None
    return frozenset(chr(c) for c in FT2Font(path).get_charmap())


def _font_for(rng: np.random.Generator, profile: StyleProfile, texts: list[str]) -> str:
    """A font of the profile that draws every character of ``texts`` (no missing glyphs)."""
    needed = set("".join(texts)) - {" ", "\n"}
    fonts = [f for f in profile.fonts if needed <= font_glyphs(f)]
    if not fonts:
        fonts = [f for f in ("DejaVu Sans", "DejaVu Serif") if needed <= font_glyphs(f)]
    if not fonts:
        raise SpecError(f"no installed font draws all of {sorted(needed)!r}")
    return str(pick(rng, fonts))


def sample_style(rng: np.random.Generator, kind: str, profile_name: str) -> ChartStyle:
    """A style in the persona's visual register; ``font_family`` is settled later
    (:func:`_font_for`) once all the chart's text is known."""
    prof = PROFILES[profile_name]
    w, h = pick(rng, prof.sizes)
    theme = pick(rng, prof.themes)
    # dark palettes vanish on a dark background: keep the bright ones there
    palettes = [p for p in prof.palettes if p in _BRIGHT] or list(_BRIGHT)
    palette = pick(rng, palettes if theme == "dark_background" else prof.palettes)
    return ChartStyle(
        theme=theme,
        palette=PALETTES[palette],
        font_family=prof.fonts[0],
        font_size=float(pick(rng, prof.font_sizes)),
        width_px=int(w),
        height_px=int(h),
        dpi=100,
        grid=pick(rng, prof.grids),
        legend_loc=pick(rng, LEGEND_LOCS),
        value_labels=bool(rng.random() < prof.value_labels),
        bar_width=float(pick(rng, (0.6, 0.7, 0.8, 0.85))),
        edge=pick(rng, prof.edges),
        line_width=float(pick(rng, prof.line_widths)),
        marker=pick(rng, prof.markers),
        pie_labels=pick(rng, ("percent", "value", "none")),
        rotate_x=0,
        profile=profile_name,
        title_weight=pick(rng, prof.title_weights),
        title_loc=pick(rng, prof.title_locs),
        spines=pick(rng, prof.spines),
        background="" if theme == "dark_background" else pick(rng, prof.backgrounds),
    )


def _names(local: LocalContent, source: Any) -> Any:
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


def _categories(
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


def sample_chart(
    rng: np.random.Generator,
    kind: str | None = None,
    variant: str | None = None,
    persona: Persona | None = None,
    renderer: str | None = None,
) -> ChartDraw:
    """Draw one chart for ``persona`` (drawn too when None). ``kind``/``variant`` fix the
    family (see ``KINDS``); ``renderer`` (matplotlib or plotly) is drawn when None, plotly
    with probability :data:`PLOTLY_SHARE`."""
    vocab = load_vocabulary("chart_topics")
    if kind is None:
        weights = np.array(list(KIND_WEIGHTS.values()))
        kind = list(KIND_WEIGHTS)[int(rng.choice(len(weights), p=weights / weights.sum()))]
    if kind not in KINDS:
        raise SpecError(f"chart kind {kind!r} is not one of {sorted(KINDS)}")
    if variant is None:
        variant = pick(rng, KINDS[kind])
    if persona is None:
        persona = sample_persona(rng)
    local = LocalContent(persona.country, rng=rng)
    city = local.name("city")
    org = local.organisation(persona, city)
    group = kind if kind in ("scatter", "histogram") else "topics"
    pool = [t for t in vocab[group] if group != "topics" or kind in t["kinds"]]
    topic = choose_topic(persona, pool, rng=rng)
    style = sample_style(rng, kind, persona.style)
    if kind == "scatter":
        spec = _scatter(rng, topic, local, style)
    elif kind == "histogram":
        spec = _histogram(rng, topic, local, style)
    else:
        spec = _categorical(rng, kind, variant, topic, vocab["lists"], local, style)
    title = _title(rng, spec, org, city)
    texts = [title, spec.x_label, spec.y_label, *spec.categories, *(s.name for s in spec.series)]
    font = _font_for(rng, PROFILES[persona.style], texts)
    if renderer is None:
        renderer = "plotly" if rng.random() < PLOTLY_SHARE else "matplotlib"
    if renderer not in RENDERERS:
        raise SpecError(f"chart renderer {renderer!r} is not one of {RENDERERS}")
    spec = dataclasses.replace(
        spec,
        title=title,
        style=dataclasses.replace(spec.style, font_family=font, renderer=renderer),
    )
    people = local.name("name", max_len=40)
    details = {"name": people, "city": city, "organisation": org}
    return ChartDraw(
        spec=spec,
        persona={**persona.to_json(), **details},
        # the subject as the chart states it; organisation and city are in the persona
        topic=title,
    )


def sample_spec(
    rng: np.random.Generator, kind: str | None = None, variant: str | None = None
) -> ChartSpec:
    """Draw one chart spec (persona drawn and dropped; see :func:`sample_chart`)."""
    return sample_chart(rng, kind, variant).spec


def _quantity(
    local: LocalContent, topic: dict[str, Any], axis: str = ""
) -> tuple[float, float, str, int]:
    """``(lo, hi, unit, decimals)`` of the topic's ``{axis}range``, ``{axis}unit`` and
    ``{axis}decimals`` (axis "" or "x_"/"y_" for scatter), money in the persona's currency."""
    lo, hi = (float(v) for v in topic[f"{axis}range"])
    unit, dec = str(topic[f"{axis}unit"]), int(topic[f"{axis}decimals"])
    if topic.get("money") and "{currency}" in unit:
        return local.money(lo, hi, unit, dec)
    return lo, hi, unit, dec


def _categorical(
    rng: np.random.Generator,
    kind: str,
    variant: str,
    topic: dict[str, Any],
    lists: dict[str, list[str]],
    local: LocalContent,
    style: ChartStyle,
) -> ChartSpec:
    multi = variant in ("grouped", "stacked", "multi")
    source = _names(local, topic["categories"])
    if kind == "pie":
        cats, ordered = _categories(rng, source, lists, lo=3, hi=7)
    elif multi:
        cats, ordered = _categories(rng, source, lists, lo=3, hi=7 if kind == "bar" else 12)
    else:
        cats, ordered = _categories(rng, source, lists, lo=4, hi=10 if kind == "bar" else 12)
    series_names = _names(local, topic["series"])
    n_series = int(rng.integers(2, min(3, len(series_names)) + 1)) if multi else 1
    series_idx = np.sort(rng.choice(len(series_names), size=n_series, replace=False))
    names = [series_names[int(i)] for i in series_idx] if multi else [topic["quantity"]]
    lo, hi, unit, dec = _quantity(local, topic)
    if variant == "stacked":  # keep stacks within the topic's range
        lo, hi = lo / n_series, hi / n_series
    margin = max(0.05 * (hi - lo), 10.0**-dec)
    series = []
    for name in names:
        vals = _values(rng, len(cats), lo, hi, ordered, dec)
        series.append(Series(str(name), tuple(separate_extremes(vals, margin, dec))))
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
    quantity = str(topic["quantity"])
    return ChartSpec(
        kind=kind,
        variant=variant,
        topic_id=str(topic["id"]),
        title=str(topic["title"]),
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


def _title(rng: np.random.Generator, spec: ChartSpec, org: str, city: str) -> str:
    """The topic's title, often with where it comes from or the span it covers, as long as it
    fits on one line at the title's size (a clipped title would hide words questions use)."""
    base, cats = spec.title, spec.categories
    forms = [base, f"{base} at {org}", f"{org}: {base}", f"{base}, {city}"]
    if spec.ordered and len(cats) > 1:
        forms.append(f"{base}, {cats[0]}–{cats[-1]}")
    title = str(pick(rng, forms))
    st = spec.style
    char_px = st.font_size * 1.3 * st.dpi / 72 * 0.62  # a generous mean glyph width
    return title if len(title) * char_px <= 0.92 * st.width_px else base


def _scatter(
    rng: np.random.Generator, topic: dict[str, Any], local: LocalContent, style: ChartStyle
) -> ChartSpec:
    points = _names(local, topic["points"])
    k = int(rng.integers(min(6, len(points)), len(points) + 1))
    idx = np.sort(rng.choice(len(points), size=k, replace=False))
    names = tuple(str(points[int(i)]) for i in idx)
    x_lo, x_hi, x_unit, xd = _quantity(local, topic, "x_")
    y_lo, y_hi, y_unit, yd = _quantity(local, topic, "y_")
    xs = rng.uniform(x_lo, x_hi, size=k)
    slope = float(pick(rng, (-1.0, 1.0))) * rng.uniform(0.3, 1.0)
    noise = rng.uniform(0.05, 0.45)
    t = (xs - x_lo) / (x_hi - x_lo)
    ys_unit = 0.5 + slope * (t - 0.5) + rng.normal(0, noise, size=k) * 0.5
    ys = y_lo + np.clip(ys_unit, 0.0, 1.0) * (y_hi - y_lo)
    x_vals = [round(float(v), xd) for v in xs]
    y_vals = separate_extremes([round(float(v), yd) for v in ys], 0.05 * (y_hi - y_lo), yd)
    x_vals = separate_extremes(x_vals, 0.05 * (x_hi - x_lo), xd)
    style = dataclasses.replace(style, value_labels=True)
    yq, xq = str(topic["y"]), str(topic["x"])
    return ChartSpec(
        kind="scatter",
        variant="labelled",
        topic_id=str(topic["id"]),
        title=str(topic["title"]),
        x_label=f"{xq} ({x_unit})",
        y_label=f"{yq} ({y_unit})",
        unit=y_unit,
        decimals=yd,
        categories=names,
        series=(Series(yq, tuple(y_vals)),),
        value_axis=nice_axis(min(y_vals), max(y_vals), decimals=yd, from_zero=False),
        x_axis=nice_axis(min(x_vals), max(x_vals), decimals=xd, from_zero=False),
        x_values=tuple(x_vals),
        x_unit=x_unit,
        x_decimals=xd,
        ordered=False,
        style=style,
    )


def _nice_step(value: float) -> float:
    """The 1-2-5 number nearest ``value`` (bin widths after a currency conversion)."""
    exp = math.floor(math.log10(value))
    return min((m * 10.0**exp for m in (1.0, 2.0, 5.0, 10.0)), key=lambda c: abs(c - value))


def _histogram(
    rng: np.random.Generator, topic: dict[str, Any], local: LocalContent, style: ChartStyle
) -> ChartSpec:
    bins = int(rng.integers(topic["bins"][0], topic["bins"][1] + 1))
    start, width = float(topic["start"]), float(topic["width"])
    center = rng.uniform(*topic["center"])
    spread = rng.uniform(*topic["spread"])
    unit = str(topic["unit"])
    if topic.get("money"):
        hi = start + width * bins
        _, new_hi, unit, _ = local.money(start, hi, unit, 0)
        factor = new_hi / hi
        width = _nice_step(width * factor)
        start = round(start * factor / width) * width
        center, spread = center * factor, spread * factor
    edges = [round(start + i * width, 6) for i in range(bins + 1)]
    total = int(rng.integers(topic["total"][0], topic["total"][1] + 1))
    draws = rng.normal(center, spread, size=total)
    counts, _ = np.histogram(np.clip(draws, edges[0], edges[-1] - 1e-9), bins=edges)
    values = separate_extremes([float(c) for c in counts], max(1.0, 0.05 * float(counts.max())), 0)
    labels = tuple(f"{_num(a)}–{_num(b)}" for a, b in zip(edges[:-1], edges[1:], strict=True))
    x_dec = 0 if float(width).is_integer() else len(f"{width:g}".split(".")[1])
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
        x_axis=Axis(lo=edges[0], hi=edges[-1], step=width, decimals=x_dec),
        x_values=tuple(edges),
        x_unit=unit,
        x_decimals=x_dec,
        ordered=True,
        style=style,
    )


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
