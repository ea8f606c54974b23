"""Personas and topics: who a sample is for and what it is about.

:func:`sample_persona` composes a :class:`Persona` (occupation, field, seniority, age band,
organisation type and size, country and locale, interests, register) from the sample's rng;
:func:`choose_topic` picks a domain topic template that suits it; :class:`LocalContent` fills
the template with names, places and money in the persona's locale (Faker). Vocabularies are
YAML files in this package; :func:`merge_vocabularies` lets a domain pack extend them.
"""

from __future__ import annotations

from synth.personas._locale import LocalContent, warm_up
from synth.personas._persona import Country, Persona, persona_count, sample_persona
from synth.personas._topics import choose_topic, topic_weight
from synth.personas._vocabulary import load_vocabulary, merge_vocabularies

__all__ = [
    "Country",
    "LocalContent",
    "Persona",
    "choose_topic",
    "load_vocabulary",
    "merge_vocabularies",
    "persona_count",
    "sample_persona",
    "topic_weight",
    "warm_up",
]
