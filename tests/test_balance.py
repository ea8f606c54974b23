"""Run-wide answer balancing: one deterministic selection over the whole run, whatever the
order of the records; caps and shares hold; readers and exporters apply it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth._errors import ConfigError
from synth.balance import Rule, Selection, answer_key, plan


def _record(i: int, qas: list[tuple[str, str, Any, list[str] | None]]) -> dict[str, Any]:
    return {
        "id": f"d-f-{i:09d}",
        "domain": "d",
        "qa": [
            {"id": f"q{k}", "program": p, "answer_type": t, "answer": a, "choices": c}
            for k, (p, t, a, c) in enumerate(qas)
        ],
    }


def _kept(records: list[dict[str, Any]], selection: Selection) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for r in records:
        for q in selection.apply(r)["qa"]:
            out[q["program"], answer_key(q)] += 1
    return out


@settings(max_examples=60, deadline=None)
@given(
    yes_share=st.floats(0.02, 0.98),
    n=st.integers(20, 400),
    keep_min=st.sampled_from([0.0, 0.3, 0.5, 0.8]),
    seed=st.integers(0, 2**31),
)
def test_caps_hold_and_the_selection_ignores_record_order(
    yes_share: float, n: int, keep_min: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    records = [
        _record(
            i,
            [
                ("exist", "bool", bool(rng.random() < yes_share), None),
                ("count", "number", int(rng.choice([1, 1, 1, 2, 2, 3])), None),
                ("value", "number", float(rng.integers(0, 10**6)), None),
            ],
        )
        for i in range(n)
    ]
    rule = Rule(keep_min=keep_min)
    chosen = plan(records, 7, rule)
    shuffled = [records[int(k)] for k in np.random.default_rng(seed).permutation(n)]
    assert plan(shuffled, 7, rule) == chosen, "the order of records changes nothing"
    assert plan(records, 8, rule) != chosen or all(
        not g.get("keep_up_to") for g in chosen["groups"].values()
    ), "another run seed picks other questions"
    kept = _kept(records, Selection(chosen))
    for g, e in chosen["groups"].items():
        program = g.split("/")[1]
        if program == "value":
            assert not e["balanced"] and e["why"] == "not categorical"
            continue
        if not e["balanced"]:
            continue
        after = {k: kept[program, k] for k in e["before"]}
        assert after == e["after"], "readers keep exactly what the plan says"
        assert max(after.values()) == e["cap"] or after == e["before"]
        assert sum(after.values()) >= keep_min * e["questions"]
        if keep_min == 0.0:
            assert len(set(after.values())) == 1, "keep_min 0: exactly even answers"


def test_multiple_choice_with_changing_options_is_balanced_by_position() -> None:
    rng = np.random.default_rng(0)
    records = []
    for i in range(300):
        options = [f"city {i}-{k}" for k in range(4)]
        answer = options[0 if rng.random() < 0.7 else int(rng.integers(1, 4))]
        records.append(_record(i, [("mc", "choice", answer, options)]))
    chosen = plan(records, 0, Rule(keep_min=0.0))
    entry = chosen["groups"]["d/mc"]
    assert entry["by"] == "position" and set(entry["after"]) == {"(A)", "(B)", "(C)", "(D)"}
    assert len(set(entry["after"].values())) == 1
    fixed = [_record(i, [("f", "choice", "b" if i % 5 else "a", ["a", "b"])]) for i in range(50)]
    assert plan(fixed, 0, Rule(keep_min=0.0))["groups"]["d/f"]["after"] == {'"a"': 10, '"b"': 10}


def test_bad_rules_name_the_fix() -> None:
    with pytest.raises(ConfigError, match="--keep-min"):
        Rule(keep_min=1.5)
    with pytest.raises(ConfigError, match="--min-group"):
        Rule(min_group=0)


def test_scene_answers_balance_over_the_run() -> None:
    """The balancing histogram of 3D scene questions: skewed yes/no and facing answers come
    out even over the run (no Blender: render facts painted from the objects' outlines)."""
    from synth.qa_synth.scene3d import scene_questions

    from .generators.test_scene3d import _painted, _sample

    records = []
    for seed in range(240):
        sample = _sample(("tabletop", "viewpoint")[seed % 2], seed)
        qa = scene_questions(sample.spec, _painted(sample), rng=np.random.default_rng(seed))
        records.append(
            {
                "id": f"scene3d-x-{seed:09d}",
                "domain": "scene3d",
                "qa": [
                    json.loads(json.dumps(q.to_json())) | {"id": f"q{k}"} for k, q in enumerate(qa)
                ],
            }
        )
    chosen = plan(records, 0, Rule(keep_min=0.0))
    hidden = chosen["groups"]["scene3d/hidden"]
    assert hidden["before"]["true"] < hidden["before"]["false"], "skewed before"
    assert hidden["after"]["true"] == hidden["after"]["false"] > 0
    facing = chosen["groups"]["scene3d/facing"]
    assert len(facing["after"]) == 8 and len(set(facing["after"].values())) == 1


def test_export_drops_what_balancing_drops_unless_asked(tmp_path: Path) -> None:
    from .conftest import synth_cmd

    out = tmp_path / "d"
    synth_cmd(
        "generate", "--n", "24", "--seed", "5", "--out", str(out), "--workers", "1", check=True
    )
    again = synth_cmd("balance", str(out), "--keep-min", "0", "--min-group", "5", check=True)
    assert "questions kept" in again.stdout
    selection = json.loads((out / "balance.json").read_text())
    assert selection["kept"] < selection["questions"]
    synth_cmd("export", str(out), "--format", "llava", "--out", str(tmp_path / "b"), check=True)
    synth_cmd(
        "export",
        str(out),
        "--format",
        "llava",
        "--out",
        str(tmp_path / "a"),
        "--all-questions",
        check=True,
    )
    turns = {
        k: sum(
            len(x["conversations"]) // 2
            for x in json.loads((tmp_path / k / "llava.json").read_text())
        )
        for k in ("a", "b")
    }
    assert turns["a"] - turns["b"] == selection["questions"] - selection["kept"] > 0
    from synth.diversity import dataset_stats

    stats = dataset_stats(out, text=False)  # what training gets: the balanced questions
    assert stats["questions"] == turns["b"]
    assert stats["answer_balancing"]["kept"] == selection["kept"]
    bad = synth_cmd("balance", str(out), "--keep-min", "2")
    assert bad.returncode == 2 and "--keep-min" in bad.stderr


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.integers(1, 40), min_size=2, max_size=6),
    keep_min=st.sampled_from([0.0, 0.25, 0.5, 0.6, 0.8, 0.95, 1.0]),
)
def test_the_cap_is_the_smallest_that_keeps_the_share(counts: list[int], keep_min: float) -> None:
    """The cap, found here by trying every one: the smallest at least as large as the rarest
    answer's count with which the group keeps ``keep_min`` of its questions."""
    answers = [f"a{k}" for k, c in enumerate(counts) for _ in range(c)]
    records = [_record(i, [("p", "text", a, None)]) for i, a in enumerate(answers)]
    entry = plan(records, 1, Rule(keep_min=keep_min, min_group=1))["groups"]["d/p"]
    total = len(answers)
    if len(counts) > 12 or total < 5 * len(counts):
        assert not entry["balanced"]  # too few repeats to count as categories
        return
    brute = min(
        cap
        for cap in range(min(counts), max(counts) + 1)
        if sum(min(c, cap) for c in counts) >= keep_min * total
    )
    assert entry["cap"] == brute
    assert entry["kept"] == sum(min(c, brute) for c in counts)
    kept = _kept(records, Selection(plan(records, 1, Rule(keep_min=keep_min, min_group=1))))
    assert sorted(kept.values()) == sorted(min(c, brute) for c in counts)


def test_balance_json_writes_answers_as_they_read() -> None:
    """Answers outside ASCII (a persona's city, a menu item) are balance.json keys as they
    are written on the image, not escaped."""
    records = [
        _record(i, [("city", "text", c, None)]) for i, c in enumerate(["Zürich", "Köln"] * 15)
    ]
    entry = plan(records, 1, Rule(min_group=1))["groups"]["d/city"]
    assert set(entry["before"]) == {'"Zürich"', '"Köln"'}
