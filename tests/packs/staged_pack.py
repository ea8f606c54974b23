"""A pack with a stage (synth/stage.py) that does what a diffusion stage does to a record,
without a model: it replaces the image (inverted), keeps the first question only, adds a
file (the original image) and rejects every record whose sample seed is divisible by 3."""

from __future__ import annotations

import dataclasses
import hashlib
import io

import numpy as np
from chart_based import ChartBased
from PIL import Image, ImageOps

from synth.generators.chart import ChartGenerator
from synth.pack import Sample
from synth.stage import Item, Rejected, Stage


class Invert(Stage):
    name = "invert"
    batch_size = 2

    def process(self, items: list[Item]) -> list[Item | Rejected]:
        out: list[Item | Rejected] = []
        for it in items:
            if it.seed % 3 == 0:
                out.append(Rejected(it.index, "invalid_image", "seed divisible by 3"))
                continue
            with Image.open(io.BytesIO(it.png)) as img:
                buf = io.BytesIO()
                ImageOps.invert(img.convert("RGB")).save(buf, format="PNG")
            png = buf.getvalue()
            record = {**it.record, "qa": it.record["qa"][:1], "batch": [i.index for i in items]}
            record["image"] = {**record["image"], "sha256": hashlib.sha256(png).hexdigest()}
            out.append(Item(it.index, it.seed, record, png, {**it.files, "orig.png": it.png}))
        return out


class StagedDomain(ChartBased):
    name = "staged"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        chart = ChartGenerator("bar", renderer="matplotlib").sample(rng=rng)
        return dataclasses.replace(chart, domain=self.name)

    def stage(self) -> Stage:
        return Invert()


DOMAIN = StagedDomain()
