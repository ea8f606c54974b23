"""A worked example of a third-party synth domain: coloured shapes on a canvas.

It is its own package, outside synth, and costs synth nothing but two registration lines in
this package's ``pyproject.toml``: the domain (``DOMAIN``, a subclass of
:class:`synth.pack.DomainPack`) and the renderer of its code language
(``shapes_pack.render:RENDERER``). Questions are built answer-first from the spec, so every
answer recomputes from it.

    pip install ./examples/shapes_pack
    synth generate --domain shapes --n 20 --out data/shapes
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np

from shapes_pack.render import LANGUAGE, render_shapes
from synth.pack import Code, DomainPack, Sample
from synth.record import QA, Rendered

VERSION = "1"
KINDS = ("circle", "square", "triangle")
COLOURS = {
    "red": (214, 39, 40),
    "blue": (31, 119, 180),
    "green": (44, 160, 44),
    "orange": (255, 127, 14),
}
SIZE = 320


@dataclasses.dataclass(frozen=True)
class Shape:
    kind: str
    colour: str
    x: int
    y: int
    size: int


@dataclasses.dataclass(frozen=True)
class ShapesSpec:
    """The source of truth: every shape, on a grid of cells so that none overlap."""

    shapes: tuple[Shape, ...]

    def to_json(self) -> dict[str, Any]:
        return {"shapes": [dataclasses.asdict(s) for s in self.shapes]}


def sample_spec(rng: np.random.Generator) -> ShapesSpec:
    cells = rng.permutation(16)[: int(rng.integers(3, 9))]
    shapes = []
    for cell in sorted(int(c) for c in cells):
        size = int(rng.integers(36, 70))
        x = (cell % 4) * 80 + int(rng.integers(0, 80 - size + 1))
        y = (cell // 4) * 80 + int(rng.integers(0, 80 - size + 1))
        kind = KINDS[int(rng.integers(len(KINDS)))]
        colour = list(COLOURS)[int(rng.integers(len(COLOURS)))]
        shapes.append(Shape(kind, colour, x, y, size))
    return ShapesSpec(tuple(shapes))


def emit_code(spec: ShapesSpec) -> str:
    shapes = [{**dataclasses.asdict(s), "rgb": list(COLOURS[s.colour])} for s in spec.shapes]
    code = {"width": SIZE, "height": SIZE, "background": "white", "shapes": shapes}
    return json.dumps(code, indent=1)


class ShapesDomain(DomainPack):
    name = "shapes"
    version = VERSION
    install_hint = "pip install ./examples/shapes_pack"
    languages = (LANGUAGE,)

    def sample(self, *, rng: np.random.Generator) -> Sample:
        spec = sample_spec(rng)
        return Sample(
            domain=self.name,
            family="grid",
            generator=f"shapes@{VERSION}",
            spec=spec,
            code=Code(LANGUAGE, emit_code(spec)),
            persona={},
            topic="shapes",
        )

    def render(self, sample: Sample) -> Rendered:
        return render_shapes(sample.code.source)

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        spec: ShapesSpec = sample.spec
        colour = list(COLOURS)[int(rng.integers(len(COLOURS)))]
        count = sum(s.colour == colour for s in spec.shapes)
        biggest = max(spec.shapes, key=lambda s: s.size)
        return [
            QA.build(
                program="count_colour",
                question=f"How many {colour} shapes are there?",
                answer=count,
                answer_type="number",
                steps=[f"Count the {colour} shapes: there are {count}."],
                params={"colour": colour},
                skills=("counting", "colour"),
            ),
            QA.build(
                program="largest_colour",
                question="What colour is the largest shape?",
                answer=biggest.colour,
                answer_type="choice",
                choices=list(COLOURS),
                steps=[f"The largest shape is the {biggest.colour} {biggest.kind}."],
                skills=("size", "colour"),
                difficulty=2,
            ),
        ]


DOMAIN = ShapesDomain()
