"""Question phrasings: data files under ``synth.templates``, filled from program parameters."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from synth.personas._vocabulary import parse_yaml


@cache
def phrasings(name: str) -> dict[str, list[str]]:
    text = resources.files("synth.templates").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data: dict[str, list[str]] = parse_yaml(text)
    return data


def plural(word: str) -> str:
    """English plural of a noun ("city" -> "cities", "dish" -> "dishes", "day" -> "days")."""
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def phrase(table: str, key: str, rng: np.random.Generator, **fields: Any) -> str:
    """One of the phrasings of ``key``, chosen by ``rng``, with ``fields`` filled in."""
    options = phrasings(table)[key]
    text = options[int(rng.integers(len(options)))].format(**fields)
    return text[0].upper() + text[1:]
