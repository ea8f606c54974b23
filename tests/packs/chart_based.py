"""The part the test packs share: samples that are Matplotlib charts, rendered and asked
about as the chart domain does. A pack subclasses it and changes what it tests."""

from __future__ import annotations

import numpy as np

from synth.generators.chart import DOMAIN as CHART
from synth.pack import DomainPack, Sample
from synth.record import QA, Rendered


class ChartBased(DomainPack):
    version = "1"
    install_hint = "nothing to install"
    languages = ("python-matplotlib",)

    def render(self, sample: Sample) -> Rendered:
        return CHART.render(sample)

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        return CHART.questions(sample, rendered, rng=rng)
