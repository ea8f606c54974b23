"""Grammar (issue 19): every phrasing agrees with the nouns it is filled with, and generated
questions and page text are free of the defects found in them (the pattern checker of
synth.qa_synth.grammar; LanguageTool does not install offline here)."""

from __future__ import annotations

import itertools
import string
from importlib import resources

import numpy as np
import pytest

from synth.qa_synth._phrasing import phrasings, tidy
from synth.qa_synth.chart import quantity_noun
from synth.qa_synth.grammar import error_rate, problems

#: the defects measured on 9e29a3d, each with the pattern it must trip
DEFECTS = [
    ("Is the units for Line E more than 4?", "singular_verb_plural"),
    ("What is the Years of the role with the most recent start?", "singular_verb_plural"),
    ("Does La Plata have a higher trees than La Rioja?", "article_plural"),
    ("Does 2023 have a higher papers than 2021?", "article_plural"),
    ("Does Morning class, Tue have a Attendees greater than 13?", "article_plural"),
    ("How many months have a electricity use above 700?", "a_an"),
    ("Trees in trees", "x_in_x"),
    ("Saint JeannineBourg", "joined_name"),
    ("sr.a.maria@mail.example", "honorific_email"),
    ("The column lists 1 items.", "one_plural"),
]


@pytest.mark.parametrize(("text", "name"), DEFECTS)
def test_each_defect_found_trips_its_pattern(text: str, name: str) -> None:
    assert name in problems(text)


@pytest.mark.parametrize(
    "text",
    [
        "Does Q4 have a higher number of downloads than Q2?",
        "Is the rainfall for Jan above 40?",
        "What does the Units column give for Line E?",
        "An hour later, a unit of McEwen Hill arrived at DeShawn's.",
        "Which is higher, the amount saved for Jan or for Feb?",
        "Add up the Week 1 values. What is the total?",  # a label ending in 1, then a noun
    ],
)
def test_correct_english_trips_nothing(text: str) -> None:
    assert problems(text) == []


#: slot fillers: plural count nouns, singular nouns, mass nouns and participles
Y_LABELS = ["Trees (trees)", "Rainfall (mm)", "Exam score (points)", "Saved (EUR)",
            "Emissions (t CO₂)", "Units sold (units)", "Fish (fish)", "On time (%)"]  # fmt: skip
SLOTS: dict[str, list[str]] = {
    "subject": [quantity_noun(y) for y in Y_LABELS] + ['"Last year" number of trees'],
    "axis": ["month", "time of day", "species", "year group"],
    "column": ["Units", "Weekends", "Price", "Years in role", "This week", "Basket value"],
    "other": ["Units", "Price", "Years in role"],
    "label": ["Total due", "Hours", "Servings per pack", "invoice no."],
    "nouns": ["rows", "entries", "people", "species"],
    "noun": ["row", "entry", "ward", "person"],
    "item": ["Courier parcel", "Nitrile gloves (box)", "Olive oil 5 L"],
    "kind": ["invoice", "timetable", "screen", "nutrition label"],
    "mark": ["bar", "point", "slice"],
}
SIMPLE = {"a": "Jan", "b": "Mar", "category": "Jul", "row": "Line E", "entry": "Dark mode",
          "threshold": "40", "where": "", "unit_in": " (in mm)", "k_ord": "second",
          "word": "highest", "target": "title", "options": "(A) Jan; (B) Mar",
          "x": "engine power", "y": "fuel use", "tax": "VAT", "due": "", "text": "Submit",
          "step": "Check stock", "who": "Alice", "question": "Approved?", "answer": "yes",
          "fields": "", "axis_plural": "", "part": "AK", "angle": "ACB",
          "segment": "AB", "node": "Finance", "nodes": "tasks", "root": "Director",
          "state": "S0", "input": "0110", "thing": "shift", "things": "shifts"}  # fmt: skip


def _fill(template: str) -> list[str]:
    names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    varying = [n for n in dict.fromkeys(names) if n in SLOTS]
    out = []
    for combo in itertools.product(*(SLOTS[n] for n in varying)):
        values = {**SIMPLE, **dict(zip(varying, combo, strict=True))}
        if "axis" in values and "axis_plural" in names:
            from synth.qa_synth._phrasing import plural

            values["axis_plural"] = plural(values["axis"])
        out.append(tidy(template.format(**values)))
    return out


@pytest.mark.parametrize(
    "table",
    [
        p.name.removesuffix(".yaml")
        for p in resources.files("synth.templates").iterdir()
        if p.name.endswith("_questions.yaml")
    ],
)
def test_every_phrasing_agrees_with_plural_singular_and_mass_nouns(table: str) -> None:
    bad = []
    for program, options in phrasings(table).items():
        for template in options:
            for text in _fill(template):
                if problems(text):
                    bad.append((program, text, problems(text)))
    assert not bad, f"{len(bad)} phrasings disagree, e.g. {bad[:5]}"


def test_two_thousand_generated_questions_and_their_pages_read_right() -> None:
    """Charts (no render needed) and rendered documents, tables, screens: every question,
    its reasoning, and the pages' text."""
    import synth
    from synth.build import qa_rng
    from synth.generators.chart import ChartGenerator
    from synth.generators.chart.kinds import kind_of
    from synth.generators.document import DOMAIN as DOCUMENT
    from synth.generators.screen import DOMAIN as SCREEN
    from synth.generators.table import DOMAIN as TABLE
    from synth.qa_synth.chart import chart_questions

    texts: list[str] = []
    for seed in range(250):
        s = ChartGenerator().sample(rng=np.random.default_rng(seed))
        qa = chart_questions(s.spec, [], kind=kind_of(s.spec.kind), rng=qa_rng(s.spec.to_json()))
        texts += [t for q in qa for t in (q.question, q.reasoning)]
    for domain in (DOCUMENT, TABLE, SCREEN):
        for seed in range(25):
            record = synth.render(domain.sample(rng=np.random.default_rng(seed))).record
            texts += [t for q in record["qa"] for t in (q["question"], q["reasoning"])]
            texts += [str(record["annotations"]["transcription"])]
    rate, n, by = error_rate(texts)
    assert n >= 2000
    bad = [t for t in texts if problems(t)]
    assert rate == 0.0, f"{len(bad)} of {n} texts trip {by}: {bad[:4]}"


def test_counts_agree_with_their_nouns() -> None:
    """Scene reasoning said "There are 1 cubes" (0.9% of scene texts, seed 0)."""
    from synth.qa_synth._phrasing import count_of

    assert [count_of(n, "cube") for n in (0, 1, 2)] == ["no cubes", "1 cube", "2 cubes"]
    assert count_of(1, "species") == "1 species" and count_of(2, "box") == "2 boxes"


def test_the_error_rate_counts_texts_and_patterns() -> None:
    texts = [
        "Is the rainfall for Jan above 40?",
        "Trees in trees",
        "The the chart",
        "It lists 1 items, and trees in trees.",
    ]
    assert error_rate(texts) == (0.75, 4, {"one_plural": 1, "repeated_word": 1, "x_in_x": 2})
    assert error_rate([]) == (0.0, 0, {})
