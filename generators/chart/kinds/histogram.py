"""Histograms: counts over bins of a quantity, bins as wide as the topic says."""

from __future__ import annotations

from typing import Any

import numpy as np

from synth.generators.chart._data import nice_step, num, separate_extremes
from synth.generators.chart._spec import Axis, ChartSpec, ChartStyle, Series, nice_axis
from synth.generators.chart.kinds._base import ChartKind, Look, edge, fmt_value
from synth.generators.chart.kinds.bar import bar_layout
from synth.personas import LocalContent


class Histogram(ChartKind):
    name = "histogram"
    variants = ("counts",)
    weight = 0.11
    mark_role = "bar"

    def category_noun(self, spec: ChartSpec) -> str:
        return "bin"

    def topics(self, vocab: dict[str, Any]) -> list[dict[str, Any]]:
        return list(vocab["histogram"])

    @staticmethod
    def edges(spec: ChartSpec) -> tuple[float, ...]:
        """The bins' edges, one more than there are bins (the spec's ``x_values``)."""
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
        bins = int(rng.integers(topic["bins"][0], topic["bins"][1] + 1))
        start, width = float(topic["start"]), float(topic["width"])
        center = rng.uniform(*topic["center"])
        spread = rng.uniform(*topic["spread"])
        unit = str(topic["unit"])
        if topic.get("money"):
            hi = start + width * bins
            _, new_hi, unit, _ = local.money(start, hi, unit, 0)
            factor = new_hi / hi
            width = nice_step(width * factor)
            start = round(start * factor / width) * width
            center, spread = center * factor, spread * factor
        edges = [round(start + i * width, 6) for i in range(bins + 1)]
        total = int(rng.integers(topic["total"][0], topic["total"][1] + 1))
        draws = rng.normal(center, spread, size=total)
        counts, _ = np.histogram(np.clip(draws, edges[0], edges[-1] - 1e-9), bins=edges)
        values = separate_extremes(
            [float(c) for c in counts], max(1.0, 0.05 * float(counts.max())), 0
        )
        labels = tuple(f"{num(a)}–{num(b)}" for a, b in zip(edges[:-1], edges[1:], strict=True))
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

    def matplotlib(self, spec: ChartSpec) -> str:
        st = spec.style
        lines = [
            f"edges = np.array({list(self.edges(spec))!r}, dtype=float)",
            "counts = np.array(next(iter(SERIES.values())), dtype=float)",
        ]
        lines.append(
            f"_, _, patches = ax.hist(edges[:-1], bins=edges, weights=counts, color=COLORS[0], edgecolor={'white' if edge(spec) == 'none' else edge(spec)!r}, linewidth=1)"
        )
        lines.append("for j, patch in enumerate(patches):")
        lines.append('    patch.set_gid(f"bar|0|{j}")')
        if st.value_labels:
            lines.append(
                f"labels = ax.bar_label(patches, labels=[f'{{int(c)}}' for c in counts], padding=2, fontsize={st.font_size * 0.85:.2f})"
            )
            lines.append("for j, label in enumerate(labels):")
            lines.append('    label.set_gid(f"value|0|{j}")')
        lines.append("ax.xaxis.set_major_locator(FixedLocator(list(edges)))")
        return "\n".join(lines)

    def plotly(self, look: Look, layout: dict[str, Any]) -> list[dict[str, Any]]:
        spec, st = look.spec, look.spec.style
        edges = list(self.edges(spec))
        data = []
        for series in spec.series:
            values = list(series.values)
            trace: dict[str, Any] = {
                "type": "bar",
                "name": series.name,
                "x": [(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)],
                "y": values,
                "width": [b - a for a, b in zip(edges, edges[1:], strict=False)],
                "marker": {
                    "color": look.colors[0],
                    "line": {"color": "#ffffff" if look.edge_w == 0 else look.edge, "width": 1},
                },
                "cliponaxis": False,
            }
            if st.value_labels:
                trace.update(
                    text=[fmt_value(v, 0) for v in values],
                    textposition="outside",
                    textfont={"size": round(look.size * 0.85, 2)},
                )
            data.append(trace)
        bar_layout(layout, spec)
        return data

    def plotly_category_axis(self, look: Look, line: dict[str, Any]) -> dict[str, Any]:
        edges = list(self.edges(look.spec))
        return {
            "range": [edges[0], edges[-1]],
            "tickmode": "array",
            "tickvals": edges,
            "ticktext": [f"{e:g}" for e in edges],
            "showgrid": False,
            "zeroline": False,
            **line,
        }
