"""Line charts (one series or several) and area charts (filled, or stacked)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from synth.generators.chart._data import categorical
from synth.generators.chart._spec import ChartSpec, ChartStyle
from synth.generators.chart.kinds._base import MARKERS, ChartKind, Look, fmt, fmt_value
from synth.personas import LocalContent


class Line(ChartKind):
    name = "line"
    variants = ("single", "multi")
    weight = 0.2
    asks = frozenset({"trend"})
    #: filled down to zero (or to the series below it)
    area: ClassVar[bool] = False

    def sample(
        self,
        rng: np.random.Generator,
        variant: str,
        topic: dict[str, Any],
        lists: dict[str, list[str]],
        local: LocalContent,
        style: ChartStyle,
    ) -> ChartSpec:
        count = (3, 12) if variant in ("grouped", "stacked", "multi") else (4, 12)
        axis = "zero" if self.area else "data"
        return categorical(
            rng, self.name, variant, topic, lists, local, style, count=count, axis=axis
        )

    def matplotlib(self, spec: ChartSpec) -> str:
        st = spec.style
        stacked = self.area and spec.variant == "stacked"
        lines = ["x = np.arange(len(CATEGORIES))", "bottom = np.zeros(len(CATEGORIES))"]
        lines.append("for s, (name, values) in enumerate(SERIES.items()):")
        lines.append("    values = np.array(values, dtype=float)")
        lines.append("    color = COLORS[s % len(COLORS)]")
        if self.area:
            lines.append("    top = bottom + values" if stacked else "    top = values")
            lines.append(
                f"    ax.fill_between(x, {'bottom' if stacked else '0'}, top, color=color, alpha={0.85 if stacked else 0.35}, label=text(name), linewidth=0)"
            )
            lines.append(
                f"    (line,) = ax.plot(x, top, color=color, linewidth={st.line_width}, marker={st.marker or 'o'!r}, markersize=4)"
            )
            if stacked:
                lines.append("    bottom = top")
        else:
            lines.append(
                f"    (line,) = ax.plot(x, values, color=color, linewidth={st.line_width}, marker={st.marker!r}, markersize=6, label=text(name))"
            )
        lines.append('    line.set_gid(f"line|{s}")')
        if st.value_labels:
            ys = "top" if self.area else "values"
            lines.append(f"    for j, (xj, yj, vj) in enumerate(zip(x, {ys}, values)):")
            lines.append(
                f"        t = ax.annotate({fmt(spec.decimals)!r}.format(vj), (xj, yj), textcoords='offset points', xytext=(0, 6), ha='center', fontsize={st.font_size * 0.8:.2f})"
            )
            lines.append('        t.set_gid(f"value|{s}|{j}")')
        lines.append(
            f"ax.set_xticks(x, [text(c) for c in CATEGORIES], rotation={st.rotate_x}, ha={'right' if st.rotate_x else 'center'!r})"
        )
        lines.append("ax.set_xlim(-0.5, len(CATEGORIES) - 0.5)")
        return "\n".join(lines)

    def plotly(self, look: Look, layout: dict[str, Any]) -> list[dict[str, Any]]:
        spec, st = look.spec, look.spec.style
        stacked = self.area and spec.variant == "stacked"
        idx = list(range(len(spec.categories)))
        data = []
        for s, series in enumerate(spec.series):
            color = look.colors[s % len(look.colors)]
            marker = st.marker or ("o" if self.area else "")
            trace: dict[str, Any] = {
                "type": "scatter",
                "name": series.name,
                "x": idx,
                "y": list(series.values),
                "mode": "lines+markers" if marker else "lines",
                "line": {"color": color, "width": round(st.line_width * st.dpi / 72, 2)},
                "marker": {
                    "symbol": MARKERS.get(marker, "circle"),
                    "size": 6 if self.area else 8,
                    "color": color,
                },
                "cliponaxis": False,
            }
            if self.area:
                trace.update(fill="tonexty" if stacked and s else "tozeroy")
                if stacked:
                    trace["stackgroup"] = "one"
                    trace["fill"] = "tonexty"
            if st.value_labels:
                trace["mode"] += "+text"
                trace.update(
                    text=[fmt_value(v, spec.decimals) for v in series.values],
                    textposition="top center",
                    textfont={"size": round(look.size * 0.8, 2)},
                )
            data.append(trace)
        return data


class Area(Line):
    name = "area"
    variants = ("single", "stacked")
    weight = 0.1
    area = True
