"""Pie and donut charts: one series, its slices labelled by percent, value or not at all."""

from __future__ import annotations

from typing import Any

import numpy as np

from synth.generators.chart._data import categorical
from synth.generators.chart._spec import ChartSpec, ChartStyle
from synth.generators.chart.kinds._base import ChartKind, Look, edge, fmt, label_colour
from synth.personas import LocalContent


class Pie(ChartKind):
    name = "pie"
    variants = ("pie", "donut")
    weight = 0.14
    has_axes = False
    asks = frozenset({"share"})
    mark_role = "slice"

    def category_noun(self, spec: ChartSpec) -> str:
        return "category"

    def sample(
        self,
        rng: np.random.Generator,
        variant: str,
        topic: dict[str, Any],
        lists: dict[str, list[str]],
        local: LocalContent,
        style: ChartStyle,
    ) -> ChartSpec:
        return categorical(
            rng, self.name, variant, topic, lists, local, style, count=(3, 7), axis="none"
        )

    def matplotlib(self, spec: ChartSpec) -> str:
        st = spec.style
        lines = ["values = np.array(next(iter(SERIES.values())), dtype=float)"]
        width = "dict(width=0.42, " if spec.variant == "donut" else "dict("
        lines.append(f"wedgeprops = {width}edgecolor={edge(spec)!r}, linewidth=1)")
        if st.pie_labels == "percent":
            lines.append("autopct = lambda p: f'{p:.1f}%'")
        elif st.pie_labels == "value":
            lines.append(
                f"autopct = lambda p: {fmt(spec.decimals)!r}.format(p * values.sum() / 100)"
            )
        else:
            lines.append("autopct = None")
        pct = "0.79" if spec.variant == "donut" else "0.62"
        lines.append(
            f"result = ax.pie(values, labels=[text(c) for c in CATEGORIES], colors=COLORS[: len(values)], startangle=90, counterclock=False, autopct=autopct, pctdistance={pct}, wedgeprops=wedgeprops, textprops=dict(fontsize={st.font_size * 0.9:.2f}))"
        )
        lines.append("for j, wedge in enumerate(result[0]):")
        lines.append('    wedge.set_gid(f"slice|0|{j}")')
        lines.append("for j, label in enumerate(result[1]):")
        lines.append('    label.set_gid(f"category|0|{j}")')
        # each value sits inside its slice: a colour that reads on the slice's fill
        colours = [label_colour(c) for c in st.palette[: len(spec.categories)]]
        lines.append("if autopct is not None:")
        lines.append("    for j, label in enumerate(result[2]):")
        lines.append('        label.set_gid(f"value|0|{j}")')
        lines.append(f"        label.set_color({colours!r}[j])")
        lines.append("ax.set_aspect('equal')")
        return "\n".join(lines)

    def plotly(self, look: Look, layout: dict[str, Any]) -> list[dict[str, Any]]:
        spec = look.spec
        values = list(spec.series[0].values)
        info = {
            "percent": "%{label}<br>%{percent:.1%}",
            "value": "%{label}<br>%{value:,." + str(spec.decimals) + "f}",
            "none": "%{label}",
        }
        layout["showlegend"] = False
        return [
            {
                "type": "pie",
                "labels": list(spec.categories),
                "values": values,
                "hole": 0.42 if spec.variant == "donut" else 0,
                "sort": False,
                "direction": "clockwise",
                "rotation": 0,
                "texttemplate": info[spec.style.pie_labels],
                "textposition": "auto",
                # a value inside its slice: a colour that reads on the slice's fill
                "insidetextfont": {"color": [label_colour(c) for c in look.colors[: len(values)]]},
                "marker": {
                    "colors": look.colors[: len(values)],
                    "line": {
                        "color": look.edge,
                        "width": max(look.edge_w, 1) if look.edge_w else 0,
                    },
                },
                "showlegend": False,
            }
        ]
