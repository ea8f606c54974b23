"""Compositional personas: who a sample is for, drawn deterministically from the sample's rng.

A persona is an occupation (with its field), an organisation type and size, seniority and age
band, a country with its Faker locale and currency, two interests and a writing register. The
vocabulary (``persona_vocab.yaml``) allows ~10^9 distinct personas; :func:`persona_count`
counts them exactly.
"""

from __future__ import annotations

import dataclasses
import math
from functools import cache
from typing import Any

import numpy as np

from synth.personas._vocabulary import load_vocabulary


@dataclasses.dataclass(frozen=True)
class Country:
    name: str
    locale: str  # a Faker locale, e.g. "de_DE"
    currency: str  # ISO 4217 code
    symbol: str
    per_usd: float  # units of this currency per US dollar (rough; scales money ranges)
    date_format: str = "%Y-%m-%d"  # the usual numeric date (strftime)


@dataclasses.dataclass(frozen=True)
class Persona:
    """One persona. ``style`` is the visual register of what it makes (corporate, scientific,
    editorial, playful, casual, official), set by the organisation type."""

    occupation: str
    field: str
    seniority: str
    age_band: str
    org_type: str
    org_size: str
    country: Country
    interests: tuple[str, str]
    register: str
    style: str

    def key(self) -> tuple[str, ...]:
        """The identity of the persona (what "distinct personas" counts)."""
        return (
            self.occupation,
            self.seniority,
            self.age_band,
            self.org_type,
            self.org_size,
            self.country.name,
            *self.interests,
            self.register,
        )

    def describe(self) -> str:
        """One line, e.g. "a senior school nurse (45-54) at a primary school (10-49 staff) in
        France, into chess and gardening, writing in a plain register"."""
        at = "at home" if self.org_type == "household" else f"at {_a(self.org_type)}"
        if self.org_type not in ("household", "freelance practice"):
            at += f" ({self.org_size})"
        return (
            f"{_a(self.seniority)} {self.occupation} ({self.age_band}) {at} in {self.country.name}, "
            f"into {self.interests[0]} and {self.interests[1]}, "
            f"writing in a {self.register} register"
        )

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["interests"] = list(self.interests)
        out["description"] = self.describe()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Persona:
        d = {k: v for k, v in data.items() if k != "description"}
        d["country"] = Country(**d["country"])
        d["interests"] = tuple(d["interests"])
        return cls(**d)


def _a(phrase: str) -> str:
    return f"{'an' if phrase[0] in 'aeiouAEIOU' else 'a'} {phrase}"


@dataclasses.dataclass(frozen=True)
class _Tables:
    """The vocabulary flattened into choices the sampler indexes."""

    occupations: tuple[dict[str, Any], ...]
    org_types: dict[str, dict[str, Any]]
    org_sizes: tuple[str, ...]
    seniority: tuple[tuple[str, tuple[str, ...]], ...]
    countries: tuple[Country, ...]
    interests: tuple[str, ...]
    registers: tuple[str, ...]
    #: real towns by locale, where Faker's are made up (see persona_vocab.yaml)
    cities: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


@cache
def _default_tables() -> _Tables:
    return _build_tables(load_vocabulary("persona_vocab"))


def tables(vocab: dict[str, Any] | None = None) -> _Tables:
    """A persona vocabulary (e.g. one a pack extended; None: synth's own, built once) checked
    and indexed for sampling."""
    return _default_tables() if vocab is None else _build_tables(vocab)


def _build_tables(vocab: dict[str, Any]) -> _Tables:
    org_types = dict(vocab["org_types"])
    for occ in vocab["occupations"]:
        missing = [o for o in occ["orgs"] if o not in org_types]
        if missing:
            raise ValueError(f"occupation {occ['name']!r} names unknown org types {missing}")
    return _Tables(
        occupations=tuple(vocab["occupations"]),
        org_types=org_types,
        org_sizes=tuple(vocab["org_sizes"]),
        seniority=tuple((k, tuple(v)) for k, v in vocab["seniority"].items()),
        countries=tuple(Country(**c) for c in vocab["countries"]),
        interests=tuple(vocab["interests"]),
        registers=tuple(vocab["registers"]),
        cities={k: tuple(v) for k, v in vocab.get("cities", {}).items()},
    )


def _pick(rng: np.random.Generator, items: Any) -> Any:
    return items[int(rng.integers(len(items)))]


def _career(occ: dict[str, Any], t: _Tables) -> list[tuple[str, str]]:
    """(seniority, age band) pairs open to an occupation."""
    ages = occ.get("ages")
    return [(s, a) for s, bands in t.seniority for a in bands if ages is None or a in ages]


def sample_persona(rng: np.random.Generator, vocab: dict[str, Any] | None = None) -> Persona:
    """Draw one persona. Same rng state → same persona."""
    t = tables(vocab)
    occ = _pick(rng, t.occupations)
    org_type = _pick(rng, occ["orgs"])
    org = t.org_types[org_type]
    seniority, age = _pick(rng, _career(occ, t))
    first = int(rng.integers(len(t.interests)))
    second = int(rng.integers(len(t.interests) - 1))
    second += second >= first  # two different interests, uniformly
    a, b = sorted((t.interests[first], t.interests[second]))
    return Persona(
        occupation=str(occ["name"]),
        field=str(occ["field"]),
        seniority=seniority,
        age_band=age,
        org_type=org_type,
        org_size=t.org_sizes[int(_pick(rng, org["sizes"]))],
        country=_pick(rng, t.countries),
        interests=(a, b),
        register=_pick(rng, t.registers),
        style=str(org["style"]),
    )


def persona_count(vocab: dict[str, Any] | None = None) -> int:
    """How many distinct personas (distinct :meth:`Persona.key`) the vocabulary allows."""
    t = tables(vocab)
    per_occupation = sum(
        sum(len(t.org_types[o]["sizes"]) for o in occ["orgs"]) * len(_career(occ, t))
        for occ in t.occupations
    )
    return per_occupation * len(t.countries) * math.comb(len(t.interests), 2) * len(t.registers)
