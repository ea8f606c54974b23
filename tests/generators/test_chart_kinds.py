"""Chart kinds are objects: each carries its variants, data, Matplotlib body, Plotly traces,
category axis, marks and extra question programs, and nothing else in synth switches on a
kind's name. A new kind defined here (a dot plot), registered by one entry, draws with both
renderers and gets questions whose answers the independent evaluator recomputes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from synth.generators.chart import DOMAIN, ChartGenerator
from synth.generators.chart import kinds as kinds_module
from synth.generators.chart._data import categorical
from synth.generators.chart._spec import ChartSpec, ChartStyle
from synth.generators.chart.kinds import ALL, KINDS, ChartKind, Look, kind_of
from synth.personas import LocalContent

from ..qa_synth.evaluate import check


class Dot(ChartKind):
    """A Cleveland dot plot: one dot per category, no bar below it."""

    name = "dot"
    variants = ("single",)
    weight = 0.1
    asks = frozenset({"trend"})

    def topics(self, vocab: dict[str, Any]) -> list[dict[str, Any]]:
        return [t for t in vocab["topics"] if "line" in t["kinds"]]

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
            rng, "dot", variant, topic, lists, local, style, count=(4, 9), axis="data"
        )

    def matplotlib(self, spec: ChartSpec) -> str:
        return "\n".join(
            [
                "x = np.arange(len(CATEGORIES))",
                "for s, (name, values) in enumerate(SERIES.items()):",
                "    (dots,) = ax.plot(x, values, linestyle='none', marker='o', markersize=9, color=COLORS[s])",
                '    dots.set_gid(f"line|{s}")',
                "ax.set_xticks(x, [text(c) for c in CATEGORIES])",
                "ax.set_xlim(-0.5, len(CATEGORIES) - 0.5)",
            ]
        )

    def plotly(self, look: Look, layout: dict[str, Any]) -> list[dict[str, Any]]:
        spec = look.spec
        return [
            {
                "type": "scatter",
                "mode": "markers",
                "name": s.name,
                "x": list(range(len(spec.categories))),
                "y": list(s.values),
                "marker": {"size": 11, "color": look.colors[i]},
                "cliponaxis": False,
            }
            for i, s in enumerate(spec.series)
        ]


@pytest.fixture
def dot(monkeypatch: pytest.MonkeyPatch) -> ChartKind:
    """The registration line, as the kinds module would hold it."""
    kind = Dot()
    monkeypatch.setattr(kinds_module, "ALL", (*ALL, kind))
    monkeypatch.setattr(kinds_module, "BY_NAME", {**kinds_module.BY_NAME, "dot": kind})
    monkeypatch.setattr(kinds_module, "KINDS", {**KINDS, "dot": kind.variants})
    return kind


@pytest.mark.parametrize("renderer", ["matplotlib", "plotly"])
@pytest.mark.parametrize("seed", range(3))
def test_a_new_kind_draws_and_asks_with_nothing_but_its_own_code(
    dot: ChartKind, renderer: str, seed: int
) -> None:
    sample = ChartGenerator("dot", renderer=renderer).sample(rng=np.random.default_rng(seed))
    assert sample.spec.kind == "dot" and kind_of("dot") is dot
    rendered = DOMAIN.render(sample)
    points = [e for e in rendered.elements if e["role"] == "point"]
    assert len(points) == len(sample.spec.categories), "one dot per category, each located"
    qa = DOMAIN.questions(sample, rendered, rng=np.random.default_rng(seed))
    assert len(qa) >= 3
    spec = sample.spec.to_json()
    for q in qa:
        check(spec, q.to_json(), list(rendered.elements))
    pointing = [q for q in qa if q.program == "point"]
    assert all(q.params["role"] == "point" for q in pointing)


def test_every_kind_declares_what_the_rest_reads() -> None:
    """Variants, a weight, marks; only a kind with axes has a value axis; the registry's
    names are the specs' kinds."""
    assert [k.name for k in ALL] == list(KINDS) and len(set(KINDS)) == len(ALL)
    for kind in ALL:
        assert kind.variants and kind.weight > 0 and kind.mark_role in ("bar", "slice", "point")
        spec = ChartGenerator(kind.name).sample(rng=np.random.default_rng(1)).spec
        assert (spec.value_axis is not None) == kind.has_axes
        assert kind.category_noun(spec)
