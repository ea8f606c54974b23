"""What a domain pack is: a generator, a renderer and QA programs behind one object.

A pack is any object with the attributes of :class:`DomainPack`. Built-in domains are packs
registered under the entry-point group ``synth.domains``, exactly as third-party packs are.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

import numpy as np

from synth.record import QA


@dataclasses.dataclass(frozen=True)
class Code:
    """The program a renderer runs: ``language`` (e.g. ``"python-matplotlib"``) and its text."""

    language: str
    source: str


@dataclasses.dataclass(frozen=True)
class Sample:
    """A generated, not yet rendered, sample: the spec (source of truth) and its code."""

    domain: str
    family: str
    generator: str
    spec: Any  # a frozen dataclass with ``to_json() -> dict``
    code: Code
    persona: dict[str, Any]
    topic: str


@dataclasses.dataclass(frozen=True)
class Rendered:
    """A renderer's output: PNG bytes plus render facts.

    ``elements``: ``[{"label", "role", "bbox": [x, y, w, h], "ref"?, "point"?: [x, y]}]`` in
    pixels, origin top-left. ``backend``: e.g. ``"matplotlib 3.11.2"``. ``pixel_std`` lets
    verify skip decoding the PNG for its blank-image check.
    """

    png: bytes
    width: int
    height: int
    elements: tuple[dict[str, Any], ...]
    backend: str
    pixel_std: float | None = None  # std of the RGB pixels, if the back-end has them at hand
    #: more files of the sample, by extension (``mask.png``, ``depth.npz``): stored in the
    #: shard as ``{id}.{ext}`` and named in the record's ``annotations.files``
    files: tuple[tuple[str, bytes], ...] = ()


class DomainPack(Protocol):
    """The interface every domain implements."""

    name: str
    version: str
    install_hint: str

    def sample(self, *, rng: np.random.Generator) -> Sample:
        """Draw one spec and emit its code."""
        ...

    def render(self, sample: Sample) -> Rendered:
        """Run the sample's code in this process's warm back-end."""
        ...

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        """Answer-first QA from the spec (and render facts for grounding)."""
        ...
