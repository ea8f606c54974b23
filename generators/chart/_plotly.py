"""Emit the Plotly figure (JSON: ``data`` and ``layout``) that draws a chart spec.

The chart domain's second renderer: the same :class:`ChartSpec` drawn by plotly.js in the
warm Chromium page instead of Matplotlib. Axis limits, tick positions and labels, colours,
fonts, value labels and legends follow the spec exactly as the Matplotlib script does, so
every question asked about the chart has the same answer and the same reading tolerance.
The figure JSON is the sample's code (``language: plotly-json``): ``Plotly.newPlot(div,
figure.data, figure.layout)`` redraws it.
"""

from __future__ import annotations

import json
from typing import Any

from synth._errors import SpecError
from synth.generators.chart._spec import ChartSpec
from synth.generators.chart.kinds import Look, kind_of
from synth.generators.chart.kinds._base import number_axis

LANGUAGE = "plotly-json"

#: Matplotlib style sheet -> (page colour, plot colour, text colour, grid colour)
THEMES = {
    "default": ("#ffffff", "#ffffff", "#000000", "#b0b0b0"),
    "seaborn-v0_8-whitegrid": ("#ffffff", "#ffffff", "#262626", "#cccccc"),
    "seaborn-v0_8-darkgrid": ("#ffffff", "#eaeaf2", "#262626", "#ffffff"),
    "ggplot": ("#ffffff", "#e5e5e5", "#555555", "#ffffff"),
    "dark_background": ("#000000", "#000000", "#ffffff", "#555555"),
    "fivethirtyeight": ("#f0f0f0", "#f0f0f0", "#222222", "#cbcbcb"),
    "bmh": ("#ffffff", "#eeeeee", "#333333", "#b2b2b2"),
    "Solarize_Light2": ("#fdf6e3", "#eee8d5", "#657b83", "#fdf6e3"),
}
EDGES = {"none": ("rgba(0,0,0,0)", 0), "white": ("#ffffff", 1), "dark": ("#222222", 1)}
LEGENDS = {
    "lower center outside": {"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.18},
    "center left outside": {"x": 1.02, "xanchor": "left", "y": 0.5, "yanchor": "middle"},
    "upper right": {"x": 0.99, "xanchor": "right", "y": 0.99, "yanchor": "top"},
    "upper left": {"x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top"},
    "best": {"x": 0.99, "xanchor": "right", "y": 0.99, "yanchor": "top"},
}


def _px(spec: ChartSpec, points: float) -> float:
    """Matplotlib sizes are points at the figure's dpi; plotly's are CSS pixels."""
    return round(points * spec.style.dpi / 72, 2)


def emit_figure(spec: ChartSpec) -> dict[str, Any]:
    """The plotly figure of ``spec``: ``{"data": [...], "layout": {...}}`` (plain JSON)."""
    st = spec.style
    if st.theme not in THEMES:
        raise SpecError(f"no plotly colours for theme {st.theme!r}; add it to THEMES")
    paper, plot, fg, grid = THEMES[st.theme]
    if st.background:
        paper = plot = st.background
    size = _px(spec, st.font_size)
    edge, edge_w = EDGES[st.edge]
    line = {"showline": True, "linecolor": fg, "mirror": st.spines == "all", "ticks": "outside"}
    layout: dict[str, Any] = {
        "width": st.width_px,
        "height": st.height_px,
        "margin": {"l": 70, "r": 30, "t": 60, "b": 60, "autoexpand": True},
        "font": {"family": st.font_family, "size": size, "color": fg},
        "title": {
            "text": spec.title,
            "x": 0.5 if st.title_loc == "center" else 0.02,
            "xanchor": "center" if st.title_loc == "center" else "left",
            "font": {
                "size": round(size * 1.3, 2),
                "weight": 700 if st.title_weight == "bold" else 400,
            },
        },
        "paper_bgcolor": paper,
        "plot_bgcolor": plot,
        "showlegend": len(spec.series) > 1,
        "legend": {**LEGENDS.get(st.legend_loc, LEGENDS["best"]), "bgcolor": "rgba(0,0,0,0)"},
    }
    kind = kind_of(spec.kind)
    look = Look(spec, size=size, edge=edge, edge_w=edge_w, grid=grid)
    data = kind.plotly(look, layout)
    value_grid = st.grid in ("value", "both")
    if kind.has_axes:
        va = spec.value_axis
        if va is None:
            raise SpecError(f"{spec.kind} chart {spec.title!r} has no value axis")
        horizontal = spec.variant == "horizontal"
        value = number_axis(va, value_grid, grid, line)
        cat = kind.plotly_category_axis(look, line)
        x_title, y_title = (
            (spec.y_label, spec.x_label) if horizontal else (spec.x_label, spec.y_label)
        )
        layout["xaxis"] = {**(value if horizontal else cat), "title": {"text": x_title}}
        layout["yaxis"] = {**(cat if horizontal else value), "title": {"text": y_title}}
    return {"data": data, "layout": layout}


def emit_plotly(spec: ChartSpec) -> str:
    """The figure as the sample's code (stable JSON text)."""
    return json.dumps(emit_figure(spec), ensure_ascii=False, indent=1, sort_keys=True)
