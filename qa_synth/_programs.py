"""What every domain's question programs share: building a QA from a program's steps, and
choosing which programs ask about one image."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from synth.record import QA

C = TypeVar("C")


def show(answer: Any) -> str:
    """An answer as the chain of thought writes it (yes/no, numbers with thousands commas)."""
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, float):
        return f"{answer:,}"
    return str(answer)


def make_qa(
    program: str,
    question: str,
    answer: Any,
    answer_type: str,
    steps: list[str],
    params: dict[str, Any],
    skills: Sequence[str],
    difficulty: int,
    *,
    tolerance: Any = None,
    choices: Sequence[str] | None = None,
) -> QA:
    """The QA of one program run: the reasoning is the program's own steps, then the answer.
    A zero tolerance is stored as none. ``id`` is set by :func:`ask`."""
    return QA(
        id="q",
        question=question,
        answer=answer,
        answer_type=answer_type,
        reasoning=" ".join(steps) + f" So the answer is {show(answer)}.",
        program=program,
        params=params,
        skills=tuple(skills),
        difficulty=difficulty,
        choices=tuple(choices) if choices is not None else None,
        tolerance=tolerance if tolerance not in (None, 0, 0.0) else None,
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
    for i in rng.permutation(len(pool)):
        if len(out) >= len(fixed) + k:
            break
        qa = pool[int(i)](ctx, rng)
        if qa is not None:
            out.append(qa)
    return [dataclasses.replace(q, id=f"q{n}") for n, q in enumerate(out)]
