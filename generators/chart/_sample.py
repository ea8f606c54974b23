"""Sampling chart specs from a persona: topic, data shaped to stay visually decidable, and style.

The persona (``synth.personas``) picks the topic (its field and interests), the locale of every
name, place and currency on the chart, and the visual register of the style (a corporate
report, a scientific figure and a school poster do not look alike).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

import numpy as np

from synth._errors import MissingDependencyError, SpecError
from synth.generators._common import pick
from synth.generators.chart._spec import ChartSpec, ChartStyle
from synth.generators.chart.kinds import ALL, kind_of
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
        weights = np.array([k.weight for k in ALL])
        chart = ALL[int(rng.choice(len(weights), p=weights / weights.sum()))]
    else:
        chart = kind_of(kind)
    if variant is None:
        variant = pick(rng, chart.variants)
    if persona is None:
        persona = sample_persona(rng)
    local = LocalContent(persona.country, rng=rng)
    city = local.name("city")
    org = local.organisation(persona, city)
    topic = choose_topic(persona, chart.topics(vocab), rng=rng)
    style = sample_style(rng, chart.name, persona.style)
    spec = chart.sample(rng, variant, topic, vocab["lists"], local, style)
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


def _title(rng: np.random.Generator, spec: ChartSpec, org: str, city: str) -> str:
    """The topic's title, often with where it comes from or the span it covers, as long as it
    fits on one line at the title's size (a clipped title would hide words questions use)."""
    base, cats = spec.title, spec.categories
    forms = [base, f"{base} at {org}", f"{org}: {base}", f"{base}, {city}"]
    if spec.ordered and len(cats) > 1:
        # bins are ranges themselves: the span runs from the first's start to the last's end
        first, last = str(cats[0]).split("–")[0], str(cats[-1]).split("–")[-1]
        forms.append(f"{base}, {first}–{last}")
    title = str(pick(rng, forms))
    st = spec.style
    char_px = st.font_size * 1.3 * st.dpi / 72 * 0.62  # a generous mean glyph width
    return title if len(title) * char_px <= 0.92 * st.width_px else base


#: how close hard mode brings two values: a share of the value axis' span (of the whole, pies)
CLOSE_GAP = (0.012, 0.03)


def close_pair(spec: ChartSpec, rng: np.random.Generator) -> ChartSpec:
    """``spec`` with two values of its first series brought close together (1.2-3% of the
    axis span apart; of the whole, for pies), so that hard mode has a fine comparison to
    ask about. Scatter plots and histograms, and a pair that would leave the axis or tie
    another value, are kept as drawn."""
    if spec.kind in ("scatter", "histogram") or len(spec.categories) < 2:
        return spec
    first = spec.series[0]
    vals = list(first.values)
    a, b = (int(i) for i in rng.choice(len(vals), size=2, replace=False))
    axis = spec.value_axis
    span = sum(vals) if axis is None else axis.span
    gap = float(rng.uniform(*CLOSE_GAP)) * span
    target = round(vals[a] + (gap if vals[b] >= vals[a] else -gap), spec.decimals)
    vals[b] = target
    moved = dataclasses.replace(
        spec, series=(dataclasses.replace(first, values=tuple(vals)), *spec.series[1:])
    )
    lo, hi = (0.0, float("inf")) if axis is None else (axis.lo, axis.hi)
    tops = moved.totals() if spec.variant == "stacked" else tuple(vals)
    if target in first.values or target <= max(lo, 0.0) or max(tops) > hi:
        return spec
    return moved
