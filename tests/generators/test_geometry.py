"""Geometry domain: constructions are well formed and refused when degenerate, the script
draws exactly the spec, every answer recomputes from what the figure writes (an independent
evaluator rebuilds the points with its own formulas and checks that what is written is true
of the drawing), labels are where the render facts say, rendering repeats byte for byte, and
a sandboxed run writes every sample."""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import synth
from synth._errors import SpecError
from synth.generators.geometry import (
    MIN_ANGLE,
    MIN_GAP,
    GeometryGenerator,
    GeometrySpec,
    angle_at,
    dist,
    meet,
)
from synth.qa_synth.geometry import geometry_questions
from synth.record import Rendered

from ..conftest import synth_cmd
from ..qa_synth.evaluate_geometry import points, recompute


def _sample(seed: int) -> Any:
    return GeometryGenerator().sample(rng=np.random.default_rng(seed))


def _dots(spec: GeometrySpec) -> Rendered:
    """Render facts without drawing: a point element per labelled point."""
    els = tuple(
        {"role": "point", "ref": f"{k}|0", "bbox": [10.0 * i, 10.0, 8.0, 8.0]}
        for i, k in enumerate(spec.points())
    )
    return Rendered(b"", 640, 640, els, "")


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_figures_are_well_formed_and_never_degenerate(seed: int) -> None:
    spec: GeometrySpec = _sample(seed).spec
    assert GeometrySpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec
    pts = spec.points()
    a, b, c = pts["A"], pts["B"], pts["C"]
    assert min(angle_at(b, a, c), angle_at(a, b, c), angle_at(a, c, b)) >= MIN_ANGLE - 1e-9
    size = max(max(p[0] for p in pts.values()) - min(p[0] for p in pts.values()),
               max(p[1] for p in pts.values()) - min(p[1] for p in pts.values()))  # fmt: skip
    names = list(pts)
    for i, p in enumerate(names):
        for q in names[:i]:
            assert dist(pts[p], pts[q]) >= MIN_GAP * size
    indep = points(json.loads(json.dumps(spec.to_json())))
    for k, p in pts.items():  # the generator's closed forms agree with linear solves
        assert math.dist(p, indep[k]) < 1e-6, k


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_answer_recomputes_from_what_the_figure_writes(seed: int) -> None:
    sample = _sample(seed)
    qa = geometry_questions(sample.spec, _dots(sample.spec), rng=np.random.default_rng(seed))
    spec = json.loads(json.dumps(sample.spec.to_json()))
    assert qa[0].program == "point"
    for q in qa[1:]:
        d = json.loads(json.dumps(q.to_json()))
        assert recompute(spec, d) == d["answer"], d


def test_every_program_asks_and_yes_no_is_balanced() -> None:
    programs: Counter[str] = Counter()
    yes: Counter[bool] = Counter()
    for seed in range(1000):
        s = _sample(seed)
        for q in geometry_questions(s.spec, _dots(s.spec), rng=np.random.default_rng(seed)):
            programs[q.program] += 1
            if q.answer_type == "bool":
                yes[q.answer] += 1
    assert set(programs) == {"point", "half_segment", "third_angle", "area", "perimeter",
                             "right_angle", "circle_centre", "midpoint_of", "count_points",
                             "pythagoras", "radius"}  # fmt: skip
    assert sum(yes.values()) >= 150 and 0.4 < yes[True] / sum(yes.values()) < 0.6, yes


def test_lines_meeting_at_a_glancing_angle_are_refused() -> None:
    with pytest.raises(SpecError, match="glancing"):
        meet((0.0, 0.0), (10.0, 0.0), (0.0, 1.0), (10.0, 2.0))  # ~5.7 degrees apart
    x, y = meet((0.0, 0.0), (10.0, 0.0), (5.0, -5.0), (5.0, 5.0))
    assert (x, y) == pytest.approx((5.0, 0.0))


@pytest.mark.parametrize("seed", [0, 4, 7])
def test_labels_are_drawn_where_the_facts_say_and_the_bytes_repeat(seed: int) -> None:
    sample = _sample(seed)
    result = synth.render(sample)
    rec = result.record
    assert all(rec["checks"].values()), rec["checks"]
    img = np.asarray(Image.open(io.BytesIO(result.png)).convert("L"), dtype=float)
    labels = {e["label"]: e for e in rec["annotations"]["elements"] if e["role"] == "label"}
    assert set(labels) == set(sample.spec.points())
    for name, e in labels.items():
        x, y, w, h = e["bbox"]
        assert 0 <= x and 0 <= y and x + w <= 640 and y + h <= 640
        assert img[int(y) : int(y + h), int(x) : int(x + w)].std() > 10, f"label {name} is drawn"
    written = [e["label"] for e in rec["annotations"]["elements"] if e["role"] == "length"]
    assert sorted(w.split(" = ")[-1] for w in written) == sorted(
        f"{v:g}" for _, _, v in sample.spec.lengths
    )
    assert synth.render(_sample(seed)).png == result.png


def test_a_sandboxed_run_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "o"
    synth_cmd("generate", "--domain", "geometry", "--n", "6", "--workers", "1", "--out",
              str(out), check=True)  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["written"] == 6 and manifest["counts"]["failed"] == 0


def test_a_text_dominant_question_states_only_what_the_figure_shows() -> None:
    """Issue 20: a problem is vision-dominant when its givens appear only in the figure and
    text-dominant when the question states them; every question records which, about 30%
    state them, and every number a question states is one the figure writes (a length, an
    angle, or 90 for a marked right angle)."""
    import re

    kinds: Counter[str] = Counter()
    for seed in range(300):
        s = _sample(seed)
        shown = {f"{v:g}" for _, _, v in s.spec.lengths} | {str(d) for *_, d in s.spec.angles}
        shown |= {"90"} if any(v in "ABC" for _, v, _ in s.spec.right) else set()
        for q in geometry_questions(s.spec, _dots(s.spec), rng=np.random.default_rng(seed)):
            if "dominant" not in q.params:
                continue
            kinds[q.params["dominant"]] += 1
            asked = q.question.split(" Options: ")[0]  # the options are not givens
            stated = re.findall(r"\d+(?:\.\d+)?", asked)
            if q.params["dominant"] == "text":
                assert stated and set(stated) <= shown, (q.question, shown)
            else:
                assert not stated, q.question
    share = kinds["text"] / sum(kinds.values())
    assert sum(kinds.values()) >= 300 and 0.2 < share < 0.4, kinds


def test_the_caption_says_what_the_figure_shows_and_the_option_bounds_the_constructions() -> None:
    """The caption (a record target) names every constructed point and every written
    length and angle; --option geometry.constructions=1 draws one construction a figure,
    and a value out of range names the accepted ones (exit 2)."""
    from synth import registry
    from synth._errors import ConfigError

    for seed in range(40):
        spec = _sample(seed).spec
        caption = registry.get("geometry").targets(_sample(seed))["caption"]
        for s in spec.steps[3:]:
            assert s.name in caption, (s.name, caption)
        for p, q, v in spec.lengths:
            assert f"{p}{q} = {v:g}." in caption
        for p, v, q, d in spec.angles:
            assert f"Angle {p}{v}{q} = {d}°." in caption
    one = registry.get("geometry", {"constructions": "1"})
    kinds = {one.sample(rng=np.random.default_rng(s)).spec.kind for s in range(40)}
    assert all(k.count("_") == 1 for k in kinds) and len(kinds) >= 4, kinds
    with pytest.raises(ConfigError, match="geometry.constructions must be a whole number"):
        registry.get("geometry", {"constructions": "4"})


def _hand_spec(c: tuple[float, float], right: tuple[tuple[str, str, str], ...] = (),
               lengths: tuple[tuple[str, str, float], ...] = (),
               angles: tuple[tuple[str, str, str, int], ...] = (), mid: bool = False) -> GeometrySpec:  # fmt: skip
    """Triangle A(0,0) B(10,0) C, drawn by hand (no sampler rules), maybe with a midpoint K
    of AB."""
    from synth.generators.geometry import GeometryStyle, Step

    steps = [Step("free", "A"), Step("free", "B", x=10.0), Step("free", "C", x=c[0], y=c[1])]
    segments = [("A", "B"), ("B", "C"), ("C", "A")]
    if mid:
        steps.append(Step("midpoint", "K", ("A", "B")))
        segments.append(("C", "K"))
    style = GeometryStyle("textbook", "DejaVu Sans", 16, 2.0, 0.0, "casual")
    ticks = ((("A", "K"), ("K", "B")),) if mid else ()
    return GeometrySpec(
        "t", tuple(steps), tuple(segments), (), lengths, angles, right, ticks, style
    )


def test_written_answers_keep_their_exact_form_and_both_wordings_occur() -> None:
    """Half of a written 8 is the whole number 4 (not 4.0); the half asked is AK or KB, and
    the angle asked is named either way round, each in some questions."""
    from synth.qa_synth.geometry import Ctx, half_segment, third_angle

    spec = _hand_spec((4.0, 6.0), lengths=(("A", "B", 8.0),),
                      angles=(("B", "A", "C", 56), ("A", "B", "C", 45)), mid=True)  # fmt: skip
    ctx = Ctx(spec, [])
    halves = [half_segment(ctx, np.random.default_rng(s)) for s in range(30)]
    assert all(type(q.answer) is int and q.answer == 4 for q in halves if q is not None)
    assert {q.params["part"] for q in halves if q is not None} == {"AK", "KB"}
    thirds = [third_angle(ctx, np.random.default_rng(s)) for s in range(60)]
    assert {"ACB", "BCA"} <= {w for q in thirds if q for w in ("ACB", "BCA") if w in q.question}


def test_third_angle_options_are_the_answers_of_plausible_mistakes_in_a_third_of_questions() -> (
    None
):
    """Angles 45 and 45 known: the answer is 90°; "add the two" gives 90 too (so it is
    dropped), the supplement 135° (once), the complement of the smaller 45°, the answer
    plus 10 gives 100°."""
    from synth.qa_synth.geometry import CHOICE_SHARE, Ctx, third_angle

    spec = _hand_spec((5.0, 5.0), angles=(("B", "A", "C", 45), ("A", "B", "C", 45)))
    asked = [third_angle(Ctx(spec, []), np.random.default_rng(s)) for s in range(400)]
    choice = [q for q in asked if q is not None and q.answer_type == "choice"]
    assert all(set(q.choices or ()) == {"90°", "135°", "45°", "100°"} for q in choice)
    assert abs(len(choice) / 400 - CHOICE_SHARE) < 0.06 and CHOICE_SHARE == 0.3


def test_an_angle_15_degrees_off_right_counts_as_clearly_not_right() -> None:
    """A right triangle (marked at A) whose angle at B is 74.5 degrees, 15.5 off 90: asked
    about as "not right"; its angle at C, 15.5 degrees, too; with a 15-degree limit pinned."""
    import math as m

    from synth.qa_synth.geometry import NOT_RIGHT, Ctx, _not_right

    t = m.radians(74.5)  # C above A, so the right angle is at A
    spec = _hand_spec((0.0, 10.0 * m.tan(t)), right=(("B", "A", "C"),))
    assert NOT_RIGHT == 15.0
    assert {v for _, v, _ in _not_right(Ctx(spec, []))} == {"B", "C"}


def test_multiple_choice_offers_four_labelled_points_whatever_the_answer() -> None:
    from synth.qa_synth.geometry import Ctx, _choices

    spec = _hand_spec((4.0, 6.0), mid=True)
    for answer in ("A", "K"):
        for s in range(10):
            opts = _choices(Ctx(spec, []), answer, np.random.default_rng(s))
            assert answer in opts and len(set(opts)) == 4


def test_difficulty_counts_the_chain_the_points_and_the_turn() -> None:
    """1, +1 for three steps or more, +1 for more than 6 points, +1 for a turned figure:
    each term rises somewhere, and a two-step question of a small upright figure is 1."""
    seen = Counter()
    for seed in range(200):
        s = _sample(seed)
        for q in geometry_questions(s.spec, _dots(s.spec), rng=np.random.default_rng(seed)):
            terms = {"chain": q.reasoning.count(". ") >= 3, "points": len(s.spec.steps) > 6,
                     "turn": s.spec.style.rotate_deg != 0.0}  # fmt: skip
            assert q.difficulty == 1 + sum(terms.values()), (q.program, terms)
            seen.update(k for k, v in terms.items() if v)
            if q.reasoning.count(". ") == 2 and not terms["points"] and not terms["turn"]:
                assert q.difficulty == 1
    assert set(seen) == {"chain", "points", "turn"}
