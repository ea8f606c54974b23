"""Diagram domain: graphs are well formed, the Mermaid text declares exactly the spec, every
answer recomputes from the spec, mermaid.js puts every node and message where the render
facts say, and rendering is deterministic."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import synth
from synth._errors import MissingDependencyError
from synth.generators.diagram import END, START, DiagramGenerator, DiagramSpec
from synth.qa_synth.diagram import FLOW, SEQUENCE, diagram_questions
from synth.record import Rendered

from ..qa_synth.evaluate_diagram import recompute

MERMAID = Path(__file__).resolve().parents[2] / "node_modules/mermaid/dist/mermaid.min.js"
needs_mermaid = pytest.mark.skipif(
    shutil.which("chromium") is None or not MERMAID.is_file(),
    reason="apt-get install chromium; npm ci (bash scripts/setup.sh) installs mermaid",
)
KINDS = st.sampled_from(["flowchart", "sequence"])


def _sample(kind: str, seed: int) -> Any:
    return DiagramGenerator(kind).sample(rng=np.random.default_rng(seed))


@settings(max_examples=200, deadline=None)
@given(kind=KINDS, seed=st.integers(0, 2**32 - 1))
def test_graphs_are_well_formed_and_the_code_declares_the_spec(kind: str, seed: int) -> None:
    sample = _sample(kind, seed)
    spec: DiagramSpec = sample.spec
    assert DiagramSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec
    code = sample.code.source
    assert code.startswith("---\ntitle: ")
    if kind == "flowchart":
        ids = [n.id for n in spec.nodes]
        declared = re.findall(r"^  (\w+)(?:\(\[|\[|\{)\"", code, flags=re.M)
        assert declared == ids
        arrows = re.findall(r"^  (\w+) -->(?:\|(\w+)\|)? (\w+)$", code, flags=re.M)
        assert [(a, b) for a, _, b in arrows] == [(e.src, e.dst) for e in spec.edges]
        for n in spec.nodes:  # every node is on a route from Start to End
            assert spec.distance(START, n.id) is not None and spec.distance(n.id, END) is not None
            if n.shape == "decision":
                assert sorted(e.label for e in spec.successors(n.id)) == ["No", "Yes"]
    else:
        assert len(re.findall(r"^  p\d+-{1,2}>>p\d+: ", code, flags=re.M)) == len(spec.messages)
        assert all(m.src != m.dst for m in spec.messages)


def _all_visible(sample: Any) -> Rendered:
    spec = sample.spec
    keys = [n.id for n in spec.nodes] + [f"p{i}" for i in range(len(spec.participants))]
    keys += [f"m{j}" for j in range(len(spec.messages))]
    elements = tuple(
        {"key": k, "role": "node", "bbox": [5.0, 5.0 + 3 * i, 20.0, 2.0]}
        for i, k in enumerate(keys)
    )
    return Rendered(b"", 1000, 1000 + 3 * len(keys), elements, "")


@settings(max_examples=300, deadline=None)
@given(kind=KINDS, seed=st.integers(0, 2**32 - 1))
def test_every_answer_recomputes_from_the_spec(kind: str, seed: int) -> None:
    sample = _sample(kind, seed)
    qa = diagram_questions(sample.spec, _all_visible(sample), rng=np.random.default_rng(seed))
    spec = json.loads(json.dumps(sample.spec.to_json()))
    assert qa and qa[0].program == "point"
    for q in qa[1:]:
        d = json.loads(json.dumps(q.to_json()))
        assert recompute(spec, d) == d["answer"], d


def test_every_program_is_used_and_yes_no_is_balanced() -> None:
    programs: Counter[str] = Counter()
    answers: Counter[bool] = Counter()
    for i in range(300):
        sample = _sample(("flowchart", "sequence")[i % 2], i)
        for q in diagram_questions(sample.spec, _all_visible(sample), rng=np.random.default_rng(i)):
            programs[q.program] += 1
            if q.answer_type == "bool":
                answers[q.answer] += 1
    assert set(programs) == {p.__name__ for p in (*FLOW, *SEQUENCE)} | {"point"}
    assert 0.35 < answers[True] / sum(answers.values()) < 0.65, answers


@needs_mermaid
@pytest.mark.parametrize("kind", ["flowchart", "sequence"])
def test_rendered_boxes_hold_their_labels_and_answers_recompute(kind: str) -> None:
    for seed in range(3):
        result = synth.render(_sample(kind, seed))
        rec = result.record
        w, h = rec["image"]["width"], rec["image"]["height"]
        img = np.asarray(Image.open(io.BytesIO(result.png)).convert("L"), dtype=float)
        assert img.shape == (h, w)
        assert all(rec["checks"].values()), rec["checks"]
        by_key = {e["key"]: e for e in rec["annotations"]["elements"] if "key" in e}
        spec = rec["spec"]
        expected = {n["id"]: n["label"] for n in spec["nodes"]}
        expected |= {f"p{i}": p for i, p in enumerate(spec["participants"])}
        expected |= {f"m{j}": m["text"] for j, m in enumerate(spec["messages"])}
        for key, label in expected.items():
            e = by_key[key]
            assert e["label"].replace("\n", " ") == label or e["label"] == label.replace(" ", "")
            x, y, bw, bh = e["bbox"]
            assert 0 <= x and 0 <= y and x + bw <= w + 0.5 and y + bh <= h + 0.5
            crop = img[int(y) : int(y + bh), int(x) : int(x + bw)]
            assert crop.std() > 10, f"the box of {key} holds drawn text"
        for q in rec["qa"]:
            if q["program"] == "point":
                x, y, bw, bh = by_key[q["params"]["key"]]["bbox"]
                assert x <= q["answer"][0] <= x + bw and y <= q["answer"][1] <= y + bh
            else:
                assert recompute(spec, q) == q["answer"], q
        assert synth.render(_sample(kind, seed)).png == result.png  # same spec, same bytes


@needs_mermaid
def test_missing_mermaid_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.renderers import html

    html.reset()
    monkeypatch.setattr(html, "MERMAID_JS", "/nonexistent/mermaid.min.js")
    monkeypatch.delenv("SYNTH_MERMAID_JS", raising=False)
    with pytest.raises(MissingDependencyError, match="npm ci installs mermaid"):
        html.render_mermaid("flowchart TD\n  a --> b\n")
    monkeypatch.undo()
    html.reset()
    ok = html.render_mermaid("flowchart TD\n  a[Alpha] --> b[Beta]\n")
    assert {e.get("key") for e in ok.elements} >= {"a", "b"}


@needs_mermaid
def test_bad_mermaid_is_a_typed_render_error() -> None:
    from synth.renderers.html import render_mermaid

    with pytest.raises(synth.RenderError, match="mermaid could not draw"):
        render_mermaid("flowchart TD\n  a -->\n")
    ok = render_mermaid(
        "sequenceDiagram\n  participant p0 as Ana\n  participant p1 as Bo\n  p0->>p1: Hi\n"
    )
    assert [e["label"] for e in ok.elements if e.get("key") == "m0"] == ["Hi"]


def test_a_flowchart_too_wide_for_the_image_is_drawn_top_down() -> None:
    """On 9e29a3d one flowchart in ten ran past the 2,000 px image (left to right, 11 to 14
    nodes): every left-to-right flowchart now has few enough nodes to fit."""
    from synth.generators.diagram import MAX_LR_NODES, sample_diagram

    directions = set()
    for seed in range(300):
        spec, _ = sample_diagram(np.random.default_rng(seed), "flowchart")
        directions.add(spec.style.direction)
        if spec.style.direction == "LR":
            assert len(spec.nodes) <= MAX_LR_NODES, seed
    assert directions == {"LR", "TD"}


#: each program's difficulty, as its chain of steps makes it (a change here is deliberate)
DIFFICULTY = {
    "next_step": 1,
    "previous_step": 1,
    "branch": 2,
    "count_decisions": 1,
    "count_steps": 1,
    "path_exists": 2,
    "fewest_steps": 3,
    "sender": 1,
    "receiver": 1,
    "next_message": 1,
    "count_messages": 1,
    "count_from": 2,
    "sends_to": 2,
}


def test_each_program_has_its_difficulty_and_path_questions_skip_start_and_end() -> None:
    """Pinned independently of the code: each program's difficulty; "is there a path" never
    starts at Start or ends at End (both trivially yes)."""
    seen: set[str] = set()
    for i in range(300):
        sample = _sample(("flowchart", "sequence")[i % 2], i)
        for q in diagram_questions(sample.spec, _all_visible(sample), rng=np.random.default_rng(i)):
            if q.program == "point":
                continue
            assert q.difficulty == DIFFICULTY[q.program], q.program
            seen.add(q.program)
            if q.program == "path_exists":
                assert q.params["a"] != START and q.params["b"] != END, q.params
    assert seen == set(DIFFICULTY)


def test_who_sends_a_message_or_what_follows_a_step_is_not_in_its_words() -> None:
    """Issue 19: a text-only baseline answered 29-56% of sender, receiver and next-step
    questions from their wording alone, every scenario naming its roles and steps the same
    way. Now the same message is sent by differently named participants, and the same
    step is followed by different steps, across samples."""
    from collections import defaultdict

    senders: dict[str, list[str]] = defaultdict(list)
    after: dict[str, set[str]] = defaultdict(set)
    for seed in range(60):
        kv = DiagramGenerator().sample(rng=np.random.default_rng(seed)).spec.key_values()
        for src, _, text in kv.get("messages", []):
            senders[text].append(src)
        labels = {k: n["label"] for k, n in kv.get("nodes", {}).items()}
        for src, dst, label in kv.get("edges", []):
            if not label:
                after[labels[src]].add(labels[dst])
    seen_twice = [t for t, s in senders.items() if len(s) > 1]
    varied_senders = [t for t in seen_twice if len(set(senders[t])) > 1]
    assert len(seen_twice) >= 10 and varied_senders == seen_twice, "different senders"
    varied = [t for t, s in after.items() if len(s) > 1 and t not in ("Start",)]
    assert len(varied) >= 6, "the same step, followed by different steps"
