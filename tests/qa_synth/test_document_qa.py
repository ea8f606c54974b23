"""Document QA: for any seed every answer recomputes from the spec (independent evaluator),
and over many documents answers are balanced and every program occurs."""

from __future__ import annotations

import shutil
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.generators.document import KINDS, DocumentGenerator
from synth.qa_synth.document import NOT_STATED

from .evaluate_document import recompute

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="apt-get install chromium (render facts needed)"
)


def _record(seed: int) -> dict:  # type: ignore[type-arg]
    sample = DocumentGenerator(KINDS[seed % 2]).sample(rng=np.random.default_rng(seed))
    return synth.render(sample).record


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_answer_recomputes_from_the_spec(seed: int) -> None:
    rec = _record(seed)
    assert len(rec["qa"]) >= 6
    for qa in rec["qa"]:
        if qa["program"] != "point":
            assert qa["answer"] == recompute(rec["spec"], qa), qa
        assert qa["reasoning"].endswith(".") and qa["skills"]


def test_answers_are_balanced_over_many_documents() -> None:
    programs: Counter[str] = Counter()
    yes = positions = 0
    pos: Counter[int] = Counter()
    for seed in range(150):
        for qa in _record(10_000 + seed)["qa"]:
            programs[qa["program"]] += 1
            if qa["program"] == "yes_no":
                yes += qa["answer"] is True
                positions += 1
            if qa["answer_type"] == "choice":
                pos[qa["choices"].index(qa["answer"])] += 1
            if qa["program"] == "unanswerable":
                assert qa["answer"] == NOT_STATED
    assert set(programs) == {
        "field_lookup",
        "issuer",
        "total",
        "item_amount",
        "item_quantity",
        "difference",
        "pre_tax",
        "count_items",
        "most_expensive",
        "yes_no",
        "multiple_choice",
        "unanswerable",
        "point",
    }
    assert 0.35 < yes / positions < 0.65
    assert min(pos.values()) > 0.15 * sum(pos.values())
