"""Choosing what a sample is about from who it is for."""

from __future__ import annotations

from typing import Any

import numpy as np

from synth._errors import SpecError
from synth.personas._persona import Persona

#: How much more likely a topic of the persona's own field (or interest) is than an everyday one.
FIELD_WEIGHT = 6.0
INTEREST_WEIGHT = 3.0
ANY_WEIGHT = 1.0


def topic_weight(persona: Persona, topic: dict[str, Any]) -> float:
    """0 if the topic does not suit the persona, else how strongly it does."""
    fields = topic.get("fields", ())
    if persona.field in fields:
        return FIELD_WEIGHT
    if any(i in topic.get("interests", ()) for i in persona.interests):
        return INTEREST_WEIGHT
    return ANY_WEIGHT if "any" in fields else 0.0


def choose_topic(
    persona: Persona, topics: list[dict[str, Any]], *, rng: np.random.Generator
) -> dict[str, Any]:
    """One topic template for ``persona``: its field's topics, its interests' topics and
    everyday topics, weighted by :func:`topic_weight`."""
    weights = np.array([topic_weight(persona, t) for t in topics], dtype=float)
    if not weights.any():
        raise SpecError(
            f"no topic suits {persona.describe()}: give some topics fields: [any] "
            f"or [{persona.field}]"
        )
    return topics[int(rng.choice(len(topics), p=weights / weights.sum()))]
