"""A pack whose render now and then reports a label off the right edge of its image (as a
too-wide flowchart or page did): such a sample fails its own checks and must never become
a record. Which samples: :func:`spills`, from the chart's category count."""

from __future__ import annotations

import dataclasses

import numpy as np
from chart_based import ChartBased

from synth.generators.chart import ChartGenerator
from synth.pack import Sample
from synth.record import Element, Rendered


def spills(sample: Sample) -> bool:
    return len(sample.spec.categories) % 2 == 1


class OffCanvasDomain(ChartBased):
    name = "offcanvas"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        chart = ChartGenerator(renderer="matplotlib").sample(rng=rng)
        return dataclasses.replace(chart, domain=self.name)

    def render(self, sample: Sample) -> Rendered:
        rendered = super().render(sample)
        if not spills(sample):
            return rendered
        cut: Element = {
            "label": "Total",
            "role": "value",
            "bbox": [rendered.width - 8.0, 40.0, 60.0, 14.0],
        }
        return dataclasses.replace(rendered, elements=(*rendered.elements, cut))


DOMAIN = OffCanvasDomain()
