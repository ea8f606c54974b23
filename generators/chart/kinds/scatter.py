"""Scatter plots: named points over two numeric axes, each point labelled."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from synth.generators._common import pick
from synth.generators.chart._data import names, quantity, separate_extremes
from synth.generators.chart._spec import ChartSpec, ChartStyle, Series, nice_axis
from synth.generators.chart.kinds._base import (
    MARKERS,
    ChartKind,
    Look,
    axis_lines,
    edge,
    number_axis,
)
from synth.personas import LocalContent


class Scatter(ChartKind):
    name = "scatter"
    variants = ("labelled",)
    weight = 0.11
    asks = frozenset({"correlation"})

    def category_noun(self, spec: ChartSpec) -> str:
        return "point"

    def topics(self, vocab: dict[str, Any]) -> list[dict[str, Any]]:
        return list(vocab["scatter"])

    @staticmethod
    def xs(spec: ChartSpec) -> tuple[float, ...]:
        """The points' x coordinates (the spec's ``x_values``)."""
        return spec.x_values

    def sample(
        self,
        rng: np.random.Generator,
        variant: str,
        topic: dict[str, Any],
        lists: dict[str, list[str]],
        local: LocalContent,
        style: ChartStyle,
    ) -> ChartSpec:
        points = names(local, topic["points"])
        k = int(rng.integers(min(6, len(points)), len(points) + 1))
        idx = np.sort(rng.choice(len(points), size=k, replace=False))
        labels = tuple(str(points[int(i)]) for i in idx)
        x_lo, x_hi, x_unit, xd = quantity(local, topic, "x_")
        y_lo, y_hi, y_unit, yd = quantity(local, topic, "y_")
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
            categories=labels,
            series=(Series(yq, tuple(y_vals)),),
            value_axis=nice_axis(min(y_vals), max(y_vals), decimals=yd, from_zero=False),
            x_axis=nice_axis(min(x_vals), max(x_vals), decimals=xd, from_zero=False),
            x_values=tuple(x_vals),
            x_unit=x_unit,
            x_decimals=xd,
            ordered=False,
            style=style,
        )

    def matplotlib(self, spec: ChartSpec) -> str:
        st = spec.style
        lines = [
            f"xs = np.array({list(self.xs(spec))!r}, dtype=float)",
            "ys = np.array(next(iter(SERIES.values())), dtype=float)",
        ]
        lines.append(
            f"points = ax.scatter(xs, ys, s=46, color=COLORS[0], marker={st.marker or 'o'!r}, edgecolors={edge(spec)!r}, zorder=3)"
        )
        lines.append('points.set_gid("points|0")')
        lines.append("for j, (xj, yj) in enumerate(zip(xs, ys)):")
        lines.append(
            f"    t = ax.annotate(text(CATEGORIES[j]), (xj, yj), textcoords='offset points', xytext=(5, 5), fontsize={st.font_size * 0.8:.2f})"
        )
        lines.append('    t.set_gid(f"category|0|{j}")')
        return "\n".join(lines)

    def matplotlib_axes(self, spec: ChartSpec) -> list[str]:
        xa = spec.x_axis
        return [] if xa is None else axis_lines("x", xa.lo, xa.hi, xa.ticks(), xa.decimals)

    def plotly(self, look: Look, layout: dict[str, Any]) -> list[dict[str, Any]]:
        spec, st = look.spec, look.spec.style
        return [
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": list(self.xs(spec)),
                "y": list(spec.series[0].values),
                "text": list(spec.categories),
                "textposition": "top right",
                "textfont": {"size": round(look.size * 0.8, 2)},
                "marker": {
                    "symbol": MARKERS.get(st.marker or "o", "circle"),
                    "size": 9,
                    "color": look.colors[0],
                    "line": {"color": look.edge, "width": look.edge_w},
                },
                "cliponaxis": False,
            }
        ]

    def plotly_category_axis(self, look: Look, line: dict[str, Any]) -> dict[str, Any]:
        if look.spec.x_axis is None:
            return super().plotly_category_axis(look, line)
        return number_axis(look.spec.x_axis, look.spec.style.grid == "both", look.grid, line)
