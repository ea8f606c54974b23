"""Personas and topics: determinism, size of the persona space, locale truth, style register."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from faker.config import AVAILABLE_LOCALES
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.generators.chart import PROFILES, ChartGenerator
from synth.generators.chart._sample import font_glyphs, sample_chart
from synth.personas import (
    LocalContent,
    Persona,
    choose_topic,
    load_vocabulary,
    merge_vocabularies,
    persona_count,
    sample_persona,
)
from synth.personas._persona import tables

from ..conftest import ROOT

VOCAB = load_vocabulary("persona_vocab")
COUNTRIES = tables(VOCAB).countries


def test_same_seed_same_persona_and_topic() -> None:
    for seed in range(50):
        a = ChartGenerator().sample(rng=np.random.default_rng(seed))
        b = ChartGenerator().sample(rng=np.random.default_rng(seed))
        assert (a.persona, a.topic, a.spec) == (b.persona, b.topic, b.spec)
    first = sample_persona(np.random.default_rng(3))
    assert Persona.from_json(first.to_json()) == first
    assert sample_persona(np.random.default_rng(4)) != first


_SCRIPT = """
import json, sys
import numpy as np
from synth.generators.chart._sample import sample_chart
from synth.personas import LocalContent
from synth.personas._persona import tables
from synth.personas import load_vocabulary
from synth.personas._locale import KINDS
out = {}
for c in tables(load_vocabulary("persona_vocab")).countries:
    local = LocalContent(c, rng=np.random.default_rng(5))
    out[c.locale] = [local.names(kind, 6) for kind in sorted(KINDS)]
for seed in range(40):
    d = sample_chart(np.random.default_rng(seed))
    out[str(seed)] = [d.spec.to_json(), d.persona, d.topic]
print(json.dumps(out, sort_keys=True))
"""


def test_no_dependence_on_the_hash_seed() -> None:
    """Workers are separate interpreters with their own PYTHONHASHSEED: what a seed draws must
    not depend on it (Faker builds some locales' pools from sets; templates are parsed)."""
    outs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run(
            [sys.executable, "-c", _SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(json.loads(proc.stdout))
    assert outs[0] == outs[1]
    assert len(outs[0]) == len(COUNTRIES) + 40


def test_at_least_200000_distinct_personas() -> None:
    assert persona_count() >= 200_000  # the exact size of the space: ~1e9
    rng = np.random.default_rng(0)
    keys = {sample_persona(rng).key() for _ in range(220_000)}
    assert len(keys) >= 200_000  # counted, not computed


def test_10000_consecutive_samples_never_repeat_persona_and_topic() -> None:
    rng = np.random.default_rng(2026)
    seen: Counter[tuple[str, str]] = Counter()
    for _ in range(10_000):
        draw = sample_chart(rng)
        desc = draw.persona["description"]
        seen[(desc, draw.topic)] += 1
    assert max(seen.values()) == 1


def test_topics_follow_the_persona_field_and_interests() -> None:
    """Most topics come from the persona's own field or interests; never an unrelated one."""
    vocab = load_vocabulary("chart_topics")
    rng = np.random.default_rng(7)
    own = 0
    for _ in range(2000):
        p = sample_persona(rng)
        t = choose_topic(p, vocab["topics"], rng=rng)
        fields, interests = t.get("fields", []), t.get("interests", [])
        mine = p.field in fields or any(i in interests for i in p.interests)
        assert mine or "any" in fields
        own += mine
    assert own / 2000 > 0.6


def _provider_names(locale: str, kind: str) -> set[str]:
    """Every name in the pools of Faker's person provider for ``locale`` whose attribute
    mentions ``kind`` ("first" or "last"; male, female and unisex pools too)."""
    from faker import Faker

    names: set[str] = set()
    for provider in Faker(locale).providers:
        if ".person." not in type(provider).__module__:
            continue
        for attr in dir(provider):
            if kind in attr and "names" in attr and not attr.startswith("_"):
                value = getattr(provider, attr)
                if isinstance(value, (list, tuple, dict)):
                    names.update(value)  # lists, tuples and weighted dicts alike
    return names


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c.locale)
def test_names_come_from_the_persona_locale(country: object) -> None:
    assert country.locale in AVAILABLE_LOCALES  # type: ignore[attr-defined]
    local = LocalContent(country, rng=np.random.default_rng(1))  # type: ignore[arg-type]
    firsts = _provider_names(country.locale, "first")  # type: ignore[attr-defined]
    lasts = _provider_names(country.locale, "last")  # type: ignore[attr-defined]
    assert set(local.names("first_name", 5)) <= firsts
    assert set(local.names("last_name", 5)) <= lasts


def test_chart_names_and_currency_match_the_persona() -> None:
    """Over many charts: names drawn for categories are the locale's, and money is in the
    persona's currency (no other country's code appears)."""
    codes = {c.currency for c in COUNTRIES}
    vocab = load_vocabulary("chart_topics")
    money_topics = {
        t["id"] for g in ("topics", "scatter", "histogram") for t in vocab[g] if t.get("money")
    }
    name_topics = {
        t["id"]
        for t in vocab["topics"]
        if isinstance(t["categories"], dict) and t["categories"]["faker"] == "first_name"
    }
    checked_money = checked_names = 0
    rng = np.random.default_rng(11)
    for _ in range(1500):
        d = sample_chart(rng)
        country = d.persona["country"]
        text = " ".join([d.spec.y_label, d.spec.x_label, d.spec.unit, d.spec.x_unit])
        if d.spec.topic_id in money_topics:
            assert country["currency"] in text.split()
            assert not (codes - {country["currency"]}) & set(text.split())
            checked_money += 1
        if d.spec.topic_id in name_topics and d.spec.kind in ("bar",):
            firsts = _provider_names(country["locale"], "first")
            assert set(d.spec.categories) <= firsts
            checked_names += 1
    assert checked_money > 50 and checked_names > 3


def test_money_converts_to_the_currency_scale() -> None:
    idr = next(c for c in COUNTRIES if c.currency == "IDR")
    local = LocalContent(idr, rng=np.random.default_rng(0))
    lo, hi, unit, dec = local.money(60, 1500, "{currency}", 0)
    # 1,500 USD is ~23.7 million IDR: shown in thousands, whole numbers
    assert unit == "thousand IDR" and 20_000 < hi < 30_000 and dec == 0
    gbp = next(c for c in COUNTRIES if c.currency == "GBP")
    lo, hi, unit, dec = LocalContent(gbp, rng=np.random.default_rng(0)).money(
        1.45, 2.05, "{currency} per litre", 2
    )
    assert unit == "GBP per litre" and dec == 2 and 1.0 < hi < 2.0


def _persona_with_style(style: str) -> Persona:
    rng = np.random.default_rng(0)
    while True:
        p = sample_persona(rng)
        if p.style == style:
            return p


def test_style_follows_the_persona_register() -> None:
    """A school poster and a scientific figure do not look alike: fonts, sizes, line widths
    and decoration come from disjoint or ordered sets."""
    looks = {}
    for style in ("playful", "scientific", "corporate", "editorial"):
        p = _persona_with_style(style)
        styles = [
            ChartGenerator("line", persona=p).sample(rng=np.random.default_rng(i)).spec.style
            for i in range(40)
        ]
        assert {s.profile for s in styles} == {style}
        prof = PROFILES[style]
        assert all(s.theme in prof.themes and s.font_size in prof.font_sizes for s in styles)
        looks[style] = styles
    fonts = {k: {s.font_family for s in v} for k, v in looks.items()}
    assert not fonts["playful"] & fonts["scientific"]
    assert min(s.font_size for s in looks["playful"]) > max(
        s.font_size for s in looks["scientific"]
    )
    assert min(s.line_width for s in looks["playful"]) > max(
        s.line_width for s in looks["scientific"]
    )
    assert {s.title_loc for s in looks["editorial"]} == {"left"}
    assert any(s.background for s in looks["playful"])


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_character_has_a_glyph_in_the_chosen_font(seed: int) -> None:
    d = sample_chart(np.random.default_rng(seed))
    s = d.spec
    text = "".join([s.title, s.x_label, s.y_label, *s.categories, *(x.name for x in s.series)])
    assert set(text) - {" "} <= font_glyphs(s.style.font_family)


def test_a_pack_extends_the_persona_vocabulary() -> None:
    extra = {
        "occupations": [{"name": "lighthouse keeper", "field": "logistics", "orgs": ["household"]}],
        "interests": ["kite surfing"],
    }
    vocab = merge_vocabularies(VOCAB, extra)
    assert persona_count(vocab) > persona_count()
    rng = np.random.default_rng(0)
    drawn = [sample_persona(rng, vocab) for _ in range(3000)]
    assert any(p.occupation == "lighthouse keeper" for p in drawn)
    assert any("kite surfing" in p.interests for p in drawn)
    with pytest.raises(ValueError, match="unknown org types"):
        sample_persona(
            rng,
            merge_vocabularies(
                VOCAB, {"occupations": [{"name": "x", "field": "y", "orgs": ["moon base"]}]}
            ),
        )


def test_dates_addresses_and_money_are_written_the_local_way() -> None:
    import datetime

    by_locale = {c.locale: c for c in COUNTRIES}
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    de = LocalContent(by_locale["de_DE"], rng=np.random.default_rng(0))
    day, text = de.date(start, end)
    assert start <= day <= end and text == f"{day.day:02d}.{day.month:02d}.{day.year}"
    us = LocalContent(by_locale["en_US"], rng=np.random.default_rng(0))
    day, text = us.date(start, end)
    assert text == f"{day.month:02d}/{day.day:02d}/{day.year}"
    assert de.money_text(1234.5) == "€1,234.50"
    # a German address ends in a five-digit postcode and a city from de_DE's pool
    last = de.address().splitlines()[-1]
    assert last[:5].isdigit() and last[5] == " "


def test_public_surface_is_pinned() -> None:
    import synth.personas as personas

    assert set(personas.__all__) == {
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
    }


def test_every_attribute_spreads_over_its_whole_vocabulary() -> None:
    """Countries, registers, interests and occupations are each drawn evenly from the
    vocabulary (a persona that always came from one country would fail here); every field,
    organisation type, size, seniority, age band and style the vocabulary allows appears."""
    rng = np.random.default_rng(2026)
    people = [sample_persona(rng) for _ in range(20_000)]
    t = tables(VOCAB)

    def even(values: list[str], vocabulary: list[str], per_draw: int = 1) -> None:
        counts = Counter(values)
        assert set(counts) == set(vocabulary), set(vocabulary) ^ set(counts)
        mean = len(people) * per_draw / len(vocabulary)
        low, high = min(counts.values()), max(counts.values())
        assert 0.7 * mean < low and high < 1.3 * mean, (low, high, mean)

    even([p.country.name for p in people], [c.name for c in t.countries])
    even([p.register for p in people], list(t.registers))
    even([i for p in people for i in p.interests], list(t.interests), per_draw=2)
    even([p.occupation for p in people], [o["name"] for o in t.occupations])
    assert all(p.interests[0] != p.interests[1] for p in people)
    for attribute, vocabulary in (
        ("field", {o["field"] for o in t.occupations}),
        ("org_type", {o for occ in t.occupations for o in occ["orgs"]}),
        ("org_size", set(t.org_sizes)),
        ("seniority", {s for s, _ in t.seniority}),
        ("age_band", {a for _, bands in t.seniority for a in bands}),
        ("style", {str(t.org_types[o]["style"]) for occ in t.occupations for o in occ["orgs"]}),
    ):
        assert {getattr(p, attribute) for p in people} == vocabulary, attribute
