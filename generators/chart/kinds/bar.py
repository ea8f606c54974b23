"""Bar charts: vertical, horizontal, grouped and stacked."""

from __future__ import annotations

from typing import Any

import numpy as np

from synth.generators.chart._data import categorical
from synth.generators.chart._spec import ChartSpec, ChartStyle
from synth.generators.chart.kinds._base import (
    ChartKind,
    Look,
    edge,
    fmt,
    fmt_value,
    label_colour,
)
from synth.personas import LocalContent


class Bar(ChartKind):
    name = "bar"
    variants = ("vertical", "horizontal", "grouped", "stacked")
    weight = 0.34  # bars are the most common chart in the wild
    asks = frozenset({"trend"})
    mark_role = "bar"

    def mark(self, spec: ChartSpec) -> str:
        return "segment" if spec.variant == "stacked" else "bar"

    def sample(
        self,
        rng: np.random.Generator,
        variant: str,
        topic: dict[str, Any],
        lists: dict[str, list[str]],
        local: LocalContent,
        style: ChartStyle,
    ) -> ChartSpec:
        count = (3, 7) if variant in ("grouped", "stacked") else (4, 10)
        return categorical(
            rng, self.name, variant, topic, lists, local, style, count=count, axis="zero"
        )

    def matplotlib(self, spec: ChartSpec) -> str:
        st, v = spec.style, spec.variant
        lines = ["x = np.arange(len(CATEGORIES))", "names = list(SERIES)"]
        if v == "grouped":
            lines.append(f"width = {st.bar_width} / len(names)")
        else:
            lines.append(f"width = {st.bar_width}")
        lines.append("bottom = np.zeros(len(CATEGORIES))")
        lines.append("for s, name in enumerate(names):")
        lines.append("    values = np.array(SERIES[name], dtype=float)")
        pos = "x + (s - (len(names) - 1) / 2) * width" if v == "grouped" else "x"
        if v == "horizontal":
            lines.append(
                f"    bars = ax.barh({pos}, values, height=width, color=COLORS[s % len(COLORS)], edgecolor={edge(spec)!r}, label=text(name))"
            )
        elif v == "stacked":
            lines.append(
                f"    bars = ax.bar({pos}, values, width=width, bottom=bottom, color=COLORS[s % len(COLORS)], edgecolor={edge(spec)!r}, label=text(name))"
            )
            lines.append("    bottom = bottom + values")
        else:
            lines.append(
                f"    bars = ax.bar({pos}, values, width=width, color=COLORS[s % len(COLORS)], edgecolor={edge(spec)!r}, label=text(name))"
            )
        lines.append("    for j, bar in enumerate(bars):")
        lines.append('        bar.set_gid(f"bar|{s}|{j}")')
        if st.value_labels:
            label_type = "center" if v == "stacked" else "edge"
            # a label inside its segment takes a colour that reads on the segment's fill
            colour = ", color=LABEL_COLORS[s % len(LABEL_COLORS)]" if v == "stacked" else ""
            if v == "stacked":
                lines.insert(0, f"LABEL_COLORS = {[label_colour(c) for c in st.palette]!r}")
            lines.append(
                f"    labels = ax.bar_label(bars, labels=[{fmt(spec.decimals)!r}.format(val) for val in values], label_type={label_type!r}, padding=2, fontsize={st.font_size * 0.85:.2f}{colour})"
            )
            lines.append("    for j, label in enumerate(labels):")
            lines.append('        label.set_gid(f"value|{s}|{j}")')
        if v == "horizontal":
            lines.append("ax.set_yticks(x, [text(c) for c in CATEGORIES])")
            lines.append("ax.invert_yaxis()")
        else:
            lines.append(
                f"ax.set_xticks(x, [text(c) for c in CATEGORIES], rotation={st.rotate_x}, ha={'right' if st.rotate_x else 'center'!r})"
            )
        return "\n".join(lines)

    def plotly(self, look: Look, layout: dict[str, Any]) -> list[dict[str, Any]]:
        spec, st = look.spec, look.spec.style
        idx = list(range(len(spec.categories)))
        data = []
        for s, series in enumerate(spec.series):
            trace: dict[str, Any] = {
                "type": "bar",
                "name": series.name,
                "marker": {
                    "color": look.colors[s % len(look.colors)],
                    "line": {"color": look.edge, "width": look.edge_w},
                },
                "cliponaxis": False,
            }
            values = list(series.values)
            if spec.variant == "horizontal":
                trace.update(x=values, y=idx, orientation="h")
            else:
                trace.update(x=idx, y=values)
            if spec.variant != "grouped":
                trace["width"] = st.bar_width
            if st.value_labels:
                trace.update(
                    text=[fmt_value(v, spec.decimals) for v in values],
                    textposition="inside" if spec.variant == "stacked" else "outside",
                    textfont={"size": round(look.size * 0.85, 2)},
                )
                if spec.variant == "stacked":  # inside its segment: readable on its fill
                    colour = label_colour(look.colors[s % len(look.colors)])
                    trace["insidetextfont"] = {"color": colour}
            data.append(trace)
        bar_layout(layout, spec)
        return data


def bar_layout(layout: dict[str, Any], spec: ChartSpec) -> None:
    """How Plotly lays bars out: stacked or side by side, the gap from the bar width."""
    layout["barmode"] = "stack" if spec.variant == "stacked" else "group"
    layout["bargap"] = round(1 - spec.style.bar_width, 3)
    layout["bargroupgap"] = 0
