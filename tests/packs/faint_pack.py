"""A pack whose charts have their first category's tick label painted over in the colour
behind it, as a label drawn dark on a dark fill reads: every question that names that
category must be dropped by the legibility gate, the others kept."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
from chart_based import ChartBased
from PIL import Image, ImageDraw

from synth.generators.chart import ChartGenerator
from synth.pack import Sample
from synth.record import Rendered


def faint_label(sample: Sample) -> str:
    return str(sample.spec.categories[0])


class FaintDomain(ChartBased):
    name = "faint"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        chart = ChartGenerator("bar", renderer="matplotlib").sample(rng=rng)
        return dataclasses.replace(chart, domain=self.name)

    def render(self, sample: Sample) -> Rendered:
        rendered = super().render(sample)
        label = faint_label(sample)
        with Image.open(io.BytesIO(rendered.png)) as img:
            img = img.convert("RGB")
            draw = ImageDraw.Draw(img)
            for e in rendered.elements:
                if e["role"] in ("xtick", "ytick") and e.get("label") == label:
                    x, y, w, h = e["bbox"]
                    behind = img.getpixel((int(x) - 2, int(y) - 2))
                    draw.rectangle((x - 1, y - 1, x + w + 1, y + h + 1), fill=behind)
            out = io.BytesIO()
            img.save(out, format="PNG")
        return dataclasses.replace(rendered, png=out.getvalue())


DOMAIN = FaintDomain()
