"""The record: one per image, the unit every writer, exporter and validator reads.

Coordinates are pixels with the origin at the top-left: boxes ``[x, y, w, h]``, points
``[x, y]``. Exporters convert to other conventions.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any, Required, TypedDict

from synth._errors import SpecError

ID_PATTERN = re.compile(r"^[a-z0-9_-]+$")
ANSWER_TYPES = ("number", "text", "bool", "choice", "point", "box")


def make_id(domain: str, family: str, index: int) -> str:
    """``chart-bar-000001234``: lowercase, digits, '-' and '_' only (no dots: WebDataset keys)."""
    sample_id = f"{domain}-{family}-{index:09d}".lower()
    if not ID_PATTERN.match(sample_id):
        raise SpecError(f"sample id {sample_id!r} may hold only a-z, 0-9, '-' and '_'")
    return sample_id


def show(answer: Any) -> str:
    """An answer as the chain of thought writes it (yes/no, numbers with thousands commas)."""
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, float):
        return f"{answer:,}"
    return str(answer)


def option_letter(choices: Any, answer: Any) -> str:
    """``"(B)"``: the letter of ``answer`` among ``choices``."""
    return f"({chr(ord('A') + list(choices).index(answer))})"


def with_options(question: str, choices: Any) -> str:
    """A multiple-choice question that lists its lettered options, as a model must see them
    to answer "(B) ..."; a question that lists them already (``(A) ``) is kept as it is."""
    if "(A) " in question:
        return question
    listed = "; ".join(f"{option_letter(choices, c)} {c}" for c in choices)
    return f"{question} Options: {listed}."


@dataclasses.dataclass(frozen=True)
class QA:
    """One question with its exact answer.

    ``answer``: a number, a string, a bool, one of ``choices``, a point ``[x, y]`` or a box
    ``[x, y, w, h]`` in pixels. ``tolerance``: the absolute error a correct reading may have
    (numbers), or for points the box ``[x, y, w, h]`` any point of which is right.
    ``params``: the program's arguments, so the answer can be recomputed from the spec alone.
    """

    id: str
    question: str
    answer: Any
    answer_type: str
    reasoning: str
    program: str
    params: dict[str, Any]
    skills: tuple[str, ...]
    difficulty: int
    choices: tuple[str, ...] | None = None
    tolerance: Any = None

    @classmethod
    def build(
        cls,
        *,
        program: str,
        question: str,
        answer: Any,
        answer_type: str,
        steps: Sequence[str],
        params: dict[str, Any] | None = None,
        skills: Sequence[str] = (),
        difficulty: int = 1,
        tolerance: Any = None,
        choices: Sequence[str] | None = None,
    ) -> QA:
        """The QA of one program run, every field named: the reasoning is the program's
        ``steps``, then the answer; a zero tolerance is stored as none; a multiple-choice
        question lists its lettered options. Its id is ``q`` until the domain numbers it."""
        return cls(
            id="q",
            question=with_options(question, choices) if choices is not None else question,
            answer=answer,
            answer_type=answer_type,
            reasoning=" ".join(steps) + f" So the answer is {show(answer)}.",
            program=program,
            params=dict(params or {}),
            skills=tuple(skills),
            difficulty=difficulty,
            choices=tuple(choices) if choices is not None else None,
            tolerance=tolerance if tolerance not in (None, 0, 0.0) else None,
        )

    def __post_init__(self) -> None:
        if self.answer_type not in ANSWER_TYPES:
            raise SpecError(f"QA {self.id}: answer_type {self.answer_type!r} not in {ANSWER_TYPES}")
        if self.answer_type == "choice" and (not self.choices or self.answer not in self.choices):
            raise SpecError(
                f"QA {self.id}: choice answer {self.answer!r} is not among {self.choices}"
            )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "answer_type": self.answer_type,
        }
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.tolerance is not None:
            out["tolerance"] = self.tolerance
        out.update(
            reasoning=self.reasoning,
            program=self.program,
            params=self.params,
            skills=list(self.skills),
            difficulty=self.difficulty,
        )
        return out


@dataclasses.dataclass(frozen=True)
class Record:
    """Everything known about one rendered image (the JSON next to it in a shard)."""

    id: str
    domain: str
    family: str
    generator: str
    seed: int
    run_seed: int
    index: int
    persona: dict[str, Any]
    topic: str
    spec: dict[str, Any]
    code: dict[str, str]
    image: dict[str, Any]
    qa: tuple[QA, ...]
    annotations: dict[str, Any]
    checks: dict[str, bool]
    versions: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "domain": self.domain,
            "family": self.family,
            "generator": self.generator,
            "seed": {"sample": self.seed, "run": self.run_seed, "index": self.index},
            "persona": self.persona,
            "topic": self.topic,
            "spec": self.spec,
            "code": self.code,
            "image": self.image,
            "qa": [q.to_json() for q in self.qa],
            "annotations": self.annotations,
            "checks": self.checks,
            "versions": self.versions,
        }


class Element(TypedDict, total=False):
    """One render fact: a mark, a text or an object, and where it lies in the image. Every
    back-end and every domain writes elements of this one shape; it is a plain dict, so the
    record's JSON keeps the keys in the order they were written, and mypy checks their names
    and types wherever an element is built or read.

    ``bbox``: ``[x, y, w, h]`` in image pixels, origin top-left (:class:`Frame` converts a
    back-end's own coordinates). ``role``: what it is (``bar``, ``point``, ``slice``,
    ``value``, ``xtick``, ``title``, ``cell``, ``node``, ``object``...). ``ref``: the data it
    shows (``"series|index"`` for chart marks); ``key``: the spec's key of a page block, field,
    node or object; ``point``: a point inside it (a slice's, a marker's centre).
    """

    role: Required[str]
    bbox: Required[list[float]]
    label: str
    ref: str
    key: str
    point: list[float]
    #: page text cut off by its box (overflow hidden)
    clipped: bool
    #: scene objects: pixels of the object that show, of its projected outline, the share of
    #: the outline hidden by other objects and cut by the image edge, and which objects
    visible_px: int
    outline_px: int
    occluded: float
    truncated: float
    hidden_by: list[str]


@dataclasses.dataclass(frozen=True)
class Frame:
    """How a back-end's coordinates lie on the image: image pixels = (unit - ``origin``) *
    ``scale``, with y counted down from the top. ``height`` (in the back-end's units) is for
    back-ends whose y grows upwards, from the bottom: Matplotlib display pixels
    (``Frame(height=H)``), PDF points (``Frame(scale=dpi / 72, height=page_height_pt)``). SVG
    user units: ``Frame(scale=px_per_unit, origin=(viewbox_x, viewbox_y))``; CSS pixels at a
    device scale factor: ``Frame(scale=dsf)``."""

    scale: float = 1.0
    height: float | None = None
    origin: tuple[float, float] = (0.0, 0.0)
    #: decimals of the pixel values written
    decimals: int = 1

    def xy(self, x: float, y: float) -> list[float]:
        """A point, in image pixels."""
        top = self.height - y if self.height is not None else y
        return [
            round((float(x) - self.origin[0]) * self.scale, self.decimals),
            round((float(top) - self.origin[1]) * self.scale, self.decimals),
        ]

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        """The box between two corners (in either order): ``[x, y, w, h]`` in image pixels."""
        left, right = min(x0, x1), max(x0, x1)
        low, high = min(y0, y1), max(y0, y1)
        top = (self.height - high) if self.height is not None else low
        return [
            round((float(left) - self.origin[0]) * self.scale, self.decimals),
            round((float(top) - self.origin[1]) * self.scale, self.decimals),
            round((float(right) - float(left)) * self.scale, self.decimals),
            round((float(high) - float(low)) * self.scale, self.decimals),
        ]


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
    elements: tuple[Element, ...]
    backend: str
    pixel_std: float | None = None  # std of the RGB pixels, if the back-end has them at hand
    #: more files of the sample, by extension (``mask.png``, ``depth.npz``): stored in the
    #: shard as ``{id}.{ext}`` and named in the record's ``annotations.files``
    files: tuple[tuple[str, bytes], ...] = ()
