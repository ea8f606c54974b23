"""What every domain's question programs share: pointing questions, what a question may name,
and choosing which programs ask about one image (a QA itself: ``synth.record.QA.build``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from synth.legibility import SMALL_TEXT_PX, reads
from synth.record import QA, Element
from synth.targeting import program_order

#: a program whose function has another name than the program it writes
ALIASES = {"sum_values": "sum"}

C = TypeVar("C")


def chain(q: QA) -> int:
    """How many steps ``q``'s reasoning takes (its sentences before "So the answer is")."""
    return q.reasoning.count(". ")


def small_text(q: QA, elements: Sequence[Element]) -> bool:
    """The smallest text ``q`` reads is under :data:`SMALL_TEXT_PX` tall."""
    heights = [elements[i]["bbox"][3] for i in reads(q, elements)]
    return bool(heights) and min(heights) < SMALL_TEXT_PX


def pick_or_none(rng: np.random.Generator, items: Sequence[Any]) -> Any:
    """One of ``items`` drawn by ``rng``, or None when there are none (the program then asks
    nothing)."""
    return items[int(rng.integers(len(items)))] if items else None


def inside_image(
    boxes: Mapping[str, Element], keys: Sequence[str], width: int, height: int
) -> bool:
    """Every element named by ``keys`` was drawn, has an area, lies wholly inside the
    ``width`` x ``height`` image and is not clipped by overflow: what a question may name."""
    for key in keys:
        e = boxes.get(key)
        if e is None or e.get("clipped"):
            return False
        x, y, w, h = e["bbox"]
        if not (w > 0 and h > 0 and x >= 0 and y >= 0 and x + w <= width and y + h <= height):
            return False
    return True


def point_qa(
    question: str, what: str, bbox: Sequence[float], params: dict[str, Any], skills: Sequence[str]
) -> QA:
    """Pointing at an element: the answer is its box's centre, any point of the box is right."""
    x, y, w, h = bbox
    centre = [round(x + w / 2, 1), round(y + h / 2, 1)]
    steps = [f"The {what} is at about ({centre[0]}, {centre[1]})."]
    return QA.build(
        program="point",
        question=question,
        answer=centre,
        answer_type="point",
        steps=steps,
        params=params,
        skills=skills,
        difficulty=1,
        tolerance={"box": [x, y, w, h]},
    )


def ask(
    ctx: C,
    rng: np.random.Generator,
    fixed: Sequence[Callable[[C, np.random.Generator], QA | None]],
    pool: Sequence[Callable[[C, np.random.Generator], QA | None]],
    k: int,
) -> list[QA]:
    """Every ``fixed`` program that applies, then up to ``k`` more from ``pool`` in a random
    order (a program returns None where it cannot ask a decidable question); ids q0, q1..."""
    out = [qa for qa in (program(ctx, rng) for program in fixed) if qa is not None]
    for i in program_order(rng, [ALIASES.get(p.__name__, p.__name__) for p in pool]):
        if len(out) >= len(fixed) + k:
            break
        qa = pool[int(i)](ctx, rng)
        if qa is not None:
            out.append(qa)
    return [dataclasses.replace(q, id=f"q{n}") for n, q in enumerate(out)]
