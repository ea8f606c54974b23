"""Question phrasings: data files under ``synth.templates``, filled from program parameters."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml


@cache
def phrasings(name: str) -> dict[str, list[str]]:
    text = resources.files("synth.templates").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data: dict[str, list[str]] = yaml.safe_load(text)
    return data


def phrase(table: str, key: str, rng: np.random.Generator, **fields: Any) -> str:
    """One of the phrasings of ``key``, chosen by ``rng``, with ``fields`` filled in."""
    options = phrasings(table)[key]
    text = options[int(rng.integers(len(options)))].format(**fields)
    return text[0].upper() + text[1:]
