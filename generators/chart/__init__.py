"""Chart domain: bar, line, area, pie/donut, scatter and histogram charts drawn by Matplotlib
or by plotly.js in the warm Chromium page (``style.renderer``, drawn per sample).

Each sample is a :class:`ChartSpec` (topic, data, axis, style) plus its code: a standalone
Matplotlib script that reproduces its PNG bytes, or the Plotly figure JSON. Question programs (``synth.qa_synth.chart``): value
lookup and reading off the axis, max/min, compare, difference, sum/average, share,
count-if, k-th rank, trend and peak, yes/no, multiple choice, max-minus-average (multi-hop)
and pointing at a bar/point/slice.

    synth generate --domain chart --n 1000 --out data/charts
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from synth._errors import SynthError
from synth.generators.chart._code import LANGUAGE, emit_script
from synth.generators.chart._plotly import LANGUAGE as PLOTLY
from synth.generators.chart._plotly import emit_plotly
from synth.generators.chart._sample import (
    FONT_PACKAGES,
    PROFILES,
    close_pair,
    font_glyphs,
    sample_chart,
)
from synth.generators.chart._spec import DIFFICULTIES, Axis, ChartSpec, ChartStyle, Series
from synth.generators.chart.kinds import KINDS, kind_of
from synth.pack import Check, Code, DomainPack, OptionKind, Sample, read_options
from synth.personas import Persona
from synth.record import QA, Rendered

__all__ = [
    "DOMAIN",
    "KINDS",
    "PROFILES",
    "AreaChart",
    "Axis",
    "BarChart",
    "ChartDomain",
    "ChartGenerator",
    "ChartSpec",
    "ChartStyle",
    "Histogram",
    "LineChart",
    "PieChart",
    "ScatterChart",
    "Series",
]

VERSION = "3"


@dataclasses.dataclass(frozen=True)
class ChartGenerator:
    """Draws chart samples; ``kind``/``variant`` pin the family and ``persona`` who the chart
    is for (each is drawn from the rng when None)."""

    kind: str | None = None
    variant: str | None = None
    persona: Persona | None = None
    renderer: str | None = None  # matplotlib | plotly; drawn when None
    difficulty: str = "normal"  # normal | hard (fine-grained comparisons)

    def sample(self, *, rng: np.random.Generator) -> Sample:
        draw = sample_chart(rng, self.kind, self.variant, self.persona, self.renderer)
        spec = draw.spec
        if self.difficulty == "hard":
            spec = dataclasses.replace(close_pair(spec, rng), difficulty="hard")
        return make_sample(spec, persona=draw.persona, topic=draw.topic)


def make_sample(
    spec: ChartSpec, *, persona: dict[str, Any] | None = None, topic: str | None = None
) -> Sample:
    """Wrap a spec (sampled or hand-built) with its code, persona and topic (a hand-built
    spec without a persona gets an empty one and its title as the topic)."""
    generator = f"chart@{VERSION}"
    return Sample(
        domain="chart",
        family=spec.family,
        generator=generator,
        spec=spec,
        code=Code(PLOTLY, emit_plotly(spec))
        if spec.style.renderer == "plotly"
        else Code(LANGUAGE, emit_script(spec, generator)),
        persona=persona if persona is not None else {},
        topic=topic if topic is not None else spec.title,
    )


class _KindChart(ChartGenerator):
    """A ChartGenerator pinned to the subclass's ``KIND``, its variant drawn unless given."""

    KIND: ClassVar[str] = ""

    def __init__(
        self,
        variant: str | None = None,
        persona: Persona | None = None,
        renderer: str | None = None,
    ) -> None:
        super().__init__(self.KIND, variant, persona, renderer)


class BarChart(_KindChart):
    KIND = "bar"


class LineChart(_KindChart):
    KIND = "line"


class AreaChart(_KindChart):
    KIND = "area"


class PieChart(_KindChart):
    KIND = "pie"


class ScatterChart(ChartGenerator):
    def __init__(self, persona: Persona | None = None, renderer: str | None = None) -> None:
        super().__init__("scatter", None, persona, renderer)


class Histogram(ChartGenerator):
    def __init__(self, persona: Persona | None = None, renderer: str | None = None) -> None:
        super().__init__("histogram", None, persona, renderer)


class ChartDomain(DomainPack):
    """The chart domain pack (registered as ``chart``); :meth:`configure` pins the renderer
    or the kind of chart (``--option chart.renderer=plotly``)."""

    name = "chart"
    version = VERSION
    install_hint = "pip install matplotlib plotly; apt-get install chromium (bash scripts/setup.sh)"
    languages = (LANGUAGE, PLOTLY)
    options: ClassVar[Mapping[str, OptionKind]] = {
        "renderer": ("matplotlib", "plotly"),
        "kind": tuple(KINDS),
        "difficulty": DIFFICULTIES,
    }

    def __init__(self, generator: ChartGenerator | None = None) -> None:
        self.generator = generator or ChartGenerator()

    def configure(self, options: Mapping[str, str]) -> ChartDomain:
        return ChartDomain(
            dataclasses.replace(self.generator, **read_options(self.name, options, self.options))
        )

    def sample(self, *, rng: np.random.Generator) -> Sample:
        return self.generator.sample(rng=rng)

    def checks(self) -> list[Check]:
        """The fonts of the persona styles are installed."""
        fonts = sorted({f for p in PROFILES.values() for f in p.fonts})
        missing = []
        for family in fonts:
            try:
                font_glyphs(family)
            except SynthError:
                missing.append(family)
        if missing:
            fix = (
                f"bash scripts/setup.sh (apt-get install {FONT_PACKAGES}, then delete "
                "Matplotlib's fontlist-*.json cache)"
            )
            return [Check(False, f"fonts {', '.join(missing)} (persona styles)", fix)]
        return [Check(True, f"fonts: {', '.join(fonts)}")]

    def render(self, sample: Sample) -> Rendered:
        if sample.code.language == PLOTLY:
            from synth.renderers.html import render_plotly

            st = sample.spec.style
            return render_plotly(sample.code.source, st.width_px, st.height_px)
        from synth.renderers.mpl import render_matplotlib

        return render_matplotlib(sample.code.source)

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        from synth.qa_synth.chart import chart_questions

        kind = kind_of(sample.spec.kind)
        return chart_questions(sample.spec, rendered.elements, kind=kind, rng=rng)


DOMAIN = ChartDomain()
