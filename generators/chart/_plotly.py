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
from synth.generators.chart._spec import Axis, ChartSpec

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
MARKERS = {"o": "circle", "s": "square", "^": "triangle-up", "D": "diamond", "v": "triangle-down"}
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


def _fmt(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _axis(axis: Axis, st_grid: bool, grid: str, line: dict[str, Any]) -> dict[str, Any]:
    ticks = axis.ticks()
    return {
        "range": [axis.lo, axis.hi],
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [_fmt(t, axis.decimals) for t in ticks],
        "showgrid": st_grid,
        "gridcolor": grid,
        "zeroline": False,
        "automargin": True,
        **line,
    }


def _categories(spec: ChartSpec, reverse: bool, line: dict[str, Any]) -> dict[str, Any]:
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
    colors = list(st.palette)
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
    data: list[dict[str, Any]] = []
    d = spec.decimals
    idx = list(range(len(spec.categories)))
    value_grid = st.grid in ("value", "both")
    if spec.kind in ("bar", "histogram"):
        horizontal = spec.variant == "horizontal"
        for s, series in enumerate(spec.series):
            trace: dict[str, Any] = {
                "type": "bar",
                "name": series.name,
                "marker": {
                    "color": colors[s % len(colors)],
                    "line": {"color": edge, "width": edge_w},
                },
                "cliponaxis": False,
            }
            values = list(series.values)
            if spec.kind == "histogram":
                edges = list(spec.x_values)
                trace.update(
                    x=[(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)],
                    y=values,
                    width=[b - a for a, b in zip(edges, edges[1:], strict=False)],
                    marker={
                        "color": colors[0],
                        "line": {"color": "#ffffff" if edge_w == 0 else edge, "width": 1},
                    },
                )
            elif horizontal:
                trace.update(x=values, y=idx, orientation="h")
            else:
                trace.update(x=idx, y=values)
            if spec.kind == "bar" and spec.variant != "grouped":
                trace["width"] = st.bar_width
            if st.value_labels:
                trace.update(
                    text=[_fmt(v, 0 if spec.kind == "histogram" else d) for v in values],
                    textposition="inside" if spec.variant == "stacked" else "outside",
                    textfont={"size": round(size * 0.85, 2)},
                )
            data.append(trace)
        layout["barmode"] = "stack" if spec.variant == "stacked" else "group"
        layout["bargap"] = round(1 - st.bar_width, 3)
        layout["bargroupgap"] = 0
    elif spec.kind in ("line", "area"):
        stacked = spec.kind == "area" and spec.variant == "stacked"
        for s, series in enumerate(spec.series):
            color = colors[s % len(colors)]
            marker = st.marker or ("o" if spec.kind == "area" else "")
            trace = {
                "type": "scatter",
                "name": series.name,
                "x": idx,
                "y": list(series.values),
                "mode": "lines+markers" if marker else "lines",
                "line": {"color": color, "width": _px(spec, st.line_width)},
                "marker": {
                    "symbol": MARKERS.get(marker, "circle"),
                    "size": 8 if spec.kind == "line" else 6,
                    "color": color,
                },
                "cliponaxis": False,
            }
            if spec.kind == "area":
                trace.update(fill="tonexty" if stacked and s else "tozeroy")
                if stacked:
                    trace["stackgroup"] = "one"
                    trace["fill"] = "tonexty"
            if st.value_labels:
                trace["mode"] += "+text"
                trace.update(
                    text=[_fmt(v, d) for v in series.values],
                    textposition="top center",
                    textfont={"size": round(size * 0.8, 2)},
                )
            data.append(trace)
    elif spec.kind == "pie":
        values = list(spec.series[0].values)
        info = {
            "percent": "%{label}<br>%{percent:.1%}",
            "value": "%{label}<br>%{value:,." + str(d) + "f}",
            "none": "%{label}",
        }
        data.append(
            {
                "type": "pie",
                "labels": list(spec.categories),
                "values": values,
                "hole": 0.42 if spec.variant == "donut" else 0,
                "sort": False,
                "direction": "clockwise",
                "rotation": 0,
                "texttemplate": info[st.pie_labels],
                "textposition": "auto",
                "marker": {
                    "colors": colors[: len(values)],
                    "line": {"color": edge, "width": max(edge_w, 1) if edge_w else 0},
                },
                "showlegend": False,
            }
        )
        layout["showlegend"] = False
    elif spec.kind == "scatter":
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": list(spec.x_values),
                "y": list(spec.series[0].values),
                "text": list(spec.categories),
                "textposition": "top right",
                "textfont": {"size": round(size * 0.8, 2)},
                "marker": {
                    "symbol": MARKERS.get(st.marker or "o", "circle"),
                    "size": 9,
                    "color": colors[0],
                    "line": {"color": edge, "width": edge_w},
                },
                "cliponaxis": False,
            }
        )
    else:  # pragma: no cover - KINDS is closed
        raise SpecError(f"no plotly drawing for chart kind {spec.kind!r}")
    if spec.kind != "pie":
        va = spec.value_axis
        if va is None:
            raise SpecError(f"{spec.kind} chart {spec.title!r} has no value axis")
        horizontal = spec.variant == "horizontal"
        value = _axis(va, value_grid, grid, line)
        if spec.kind == "scatter" and spec.x_axis is not None:
            cat = _axis(spec.x_axis, st.grid == "both", grid, line)
        elif spec.kind == "histogram":
            edges = list(spec.x_values)
            cat = {
                "range": [edges[0], edges[-1]],
                "tickmode": "array",
                "tickvals": edges,
                "ticktext": [f"{e:g}" for e in edges],
                "showgrid": False,
                "zeroline": False,
                **line,
            }
        else:
            cat = _categories(spec, horizontal, line)
            cat["showgrid"] = st.grid == "both"
            cat["gridcolor"] = grid
        x_title, y_title = (
            (spec.y_label, spec.x_label) if horizontal else (spec.x_label, spec.y_label)
        )
        layout["xaxis"] = {**(value if horizontal else cat), "title": {"text": x_title}}
        layout["yaxis"] = {**(cat if horizontal else value), "title": {"text": y_title}}
    return {"data": data, "layout": layout}


def emit_plotly(spec: ChartSpec) -> str:
    """The figure as the sample's code (stable JSON text)."""
    return json.dumps(emit_figure(spec), ensure_ascii=False, indent=1, sort_keys=True)
