"""Question phrasings: data files under ``synth.templates``, filled from program parameters."""

from __future__ import annotations

import re
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


#: nouns whose plural is the word itself, and irregular plurals
SAME_PLURAL = frozenset({"species", "series", "sheep", "fish", "staff"})
#: past participles that follow their noun ("units sold", "premises passed")
PARTICIPLES = frozenset(
    {"sold", "kept", "caught", "made", "won", "built", "grown", "paid", "spent"}
)
IRREGULAR = {"person": "people", "child": "children", "man": "men", "woman": "women"}


def plural(word: str) -> str:
    """English plural of a noun ("city" -> "cities", "dish" -> "dishes", "day" -> "days",
    "time of day" -> "times of day", "species" -> "species")."""
    if " of " in word:
        head, rest = word.split(" of ", 1)
        return f"{plural(head)} of {rest}"
    stem, _, last = word.rpartition(" ")
    lead = f"{stem} " if stem else ""
    if last.lower() in SAME_PLURAL:
        return word
    if last.lower() in IRREGULAR:
        return lead + IRREGULAR[last.lower()]
    if last.endswith("y") and not last.endswith(("ay", "ey", "oy", "uy")):
        return lead + last[:-1] + "ies"
    if last.endswith(("s", "x", "z", "ch", "sh")):
        return lead + last + "es"
    return lead + last + "s"


def count_of(n: int, noun: str) -> str:
    """ "1 cube", "3 cubes", "no cubes": a count with its noun in agreement."""
    return f"1 {noun}" if n == 1 else f"{n or 'no'} {plural(noun)}"


def is_plural(noun: str) -> bool:
    """Whether a noun phrase is plural: its head (the last word, or the first before a
    participle or "of": "units sold", "hours of sleep") ends in a plural -s."""
    if not noun.split():
        return False
    head = head_noun(noun)
    if head in IRREGULAR.values() or head in SAME_PLURAL:
        return True
    return head.endswith("s") and not head.endswith(("ss", "us", "is"))


def head_noun(noun: str) -> str:
    """The word of a noun phrase that takes the verb: the last, or the first before "of" or
    a participle ("hours of sleep", "units sold", "water used")."""
    words = noun.lower().split()
    if len(words) > 1 and (words[1] == "of" or _participle(words[-1])):
        return words[0] if words[1] == "of" else words[-2]
    return words[-1] if words else ""


def _participle(word: str) -> bool:
    return word.endswith("ed") or word in PARTICIPLES


def phrase(table: str, key: str, rng: np.random.Generator, **fields: Any) -> str:
    """One of the phrasings of ``key``, chosen by ``rng``, with ``fields`` filled in."""
    options = phrasings(table)[key]
    return tidy(options[int(rng.integers(len(options)))].format(**fields))


def tidy(text: str) -> str:
    """A filled phrasing as asked: capitalised, a label ending in "value" not followed by
    another ("the Basket value value")."""
    text = re.sub(r"\b(value) value\b", r"\1", text, flags=re.IGNORECASE)
    return text[0].upper() + text[1:]
