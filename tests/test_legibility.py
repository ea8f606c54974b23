"""The legibility gate (issue 19): a question whose text can't be read in the image is
dropped, counted, and never shipped."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from synth import legibility
from synth.dataset import iter_records
from synth.record import QA, Element

from .conftest import PACKS, synth_cmd

sys.path.insert(0, str(PACKS))

NAVY, DARK_GREY, WHITE, BLACK = (31, 58, 147), (51, 51, 51), (255, 255, 255), (0, 0, 0)


def _label(text: str, ink: tuple[int, int, int], fill: tuple[int, int, int], size: int = 14):
    """A PNG of ``text`` in ``ink`` on ``fill``, and the text's box."""
    img = Image.new("RGB", (200, 60), fill)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=size)
    x0, y0, x1, y1 = draw.textbbox((20, 20), text, font=font)
    draw.text((20, 20), text, fill=ink, font=font)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue(), [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]


def _qa(question: str, answer: object = 1, reasoning: str = "", answer_type: str = "number") -> QA:
    return QA.build(program="p", question=question, answer=answer, answer_type=answer_type,
                    steps=[reasoning] if reasoning else [])  # fmt: skip


@pytest.mark.parametrize(
    ("ink", "fill", "legible"),
    [
        (DARK_GREY, NAVY, False),
        (WHITE, NAVY, True),
        (BLACK, WHITE, True),
        ((200,) * 3, WHITE, False),
    ],
)
def test_contrast_tells_text_that_reads_from_text_that_does_not(ink, fill, legible) -> None:
    png, box = _label("308", ink, fill)
    image = legibility.grey(png)
    assert (legibility.contrast(image, box) >= legibility.MIN_CONTRAST) is legible


def test_a_digit_in_a_wide_box_still_counts_as_its_text() -> None:
    """A short text fills little of a wide cell's box: its strokes are still found."""
    png, (x, y, w, h) = _label("7", BLACK, WHITE)
    image = legibility.grey(png)
    assert legibility.contrast(image, [x - 15, y - 8, w + 120, h + 16]) >= legibility.MIN_CONTRAST
    assert legibility.contrast(image, [150, 5, 40, 40]) == 0.0  # no text: nothing stands out


def test_text_is_too_small_below_the_minimum_height() -> None:
    png, box = _label("308", BLACK, WHITE, size=5)
    assert box[3] < legibility.MIN_HEIGHT
    e: Element = {"role": "value", "label": "308", "bbox": box}
    assert legibility.failure(legibility.grey(png), e) == "size"


def test_a_question_reads_the_labels_it_names_answers_or_quotes_and_no_others() -> None:
    els: list[Element] = [
        {"role": "xtick", "label": "Jul", "bbox": [0, 0, 10, 10]},
        {"role": "xtick", "label": "July", "bbox": [0, 0, 10, 10]},
        {"role": "value", "label": "308", "bbox": [0, 0, 10, 10]},
        {"role": "value", "label": "1,308", "bbox": [0, 0, 10, 10]},
        {"role": "value", "label": "30", "bbox": [0, 0, 10, 10]},
        {"role": "object", "label": "red cube", "bbox": [0, 0, 10, 10]},
        {"role": "title", "label": "Visitors", "bbox": [0, 0, 10, 10]},
    ]
    q = _qa("How many visitors came in Jul? Is it a red cube?", 308, "The label shows 308.")
    assert legibility.reads(q, els) == [0, 2]
    assert legibility.reads(_qa("Which month is highest?", "Jul", answer_type="text"), els) == [0]
    assert legibility.reads(_qa("What is 30.5 plus 3,080?", 3110.5), els) == []


def test_of_the_same_text_named_twice_the_innermost_box_is_read() -> None:
    cell: Element = {"role": "cell", "label": "7", "bbox": [0, 0, 100, 40]}
    text: Element = {"role": "text", "label": "7", "bbox": [45, 12, 8, 14]}
    other: Element = {"role": "text", "label": "7", "bbox": [200, 12, 8, 14]}
    assert legibility.reads(_qa("Is it 7?", True, answer_type="bool"), [cell, text, other]) == [
        1,
        2,
    ]


def test_the_gate_drops_exactly_the_questions_reading_faint_text() -> None:
    png, box = _label("308", DARK_GREY, NAVY)
    els: list[Element] = [{"role": "value", "label": "308", "bbox": box}]
    reads_it = _qa("What does the bar show?", 308, "The label shows 308.")
    other = _qa("How many bars are there?", 1)
    kept, dropped = legibility.gate(png, els, [reads_it, other])
    assert kept == [other]
    assert dropped == [
        {"qa": "q", "program": "p", "reason": "contrast", "element": 0, "label": "308"}
    ]


def test_a_run_drops_questions_on_text_painted_over_and_counts_them(tmp_path: Path) -> None:
    """Real charts whose first category's tick label is painted over: no shipped question
    names it, each dropped one is listed with its reason, and stats.json adds them up."""
    out = tmp_path / "o"
    synth_cmd("generate", "--domain", "faint", "--n", "6", "--seed", "2", "--workers", "1",
              "--out", str(out), env={"SYNTH_DOMAINS": "faint=faint_pack:DOMAIN",
                                      "PYTHONPATH": str(PACKS)}, check=True)  # fmt: skip
    records = list(iter_records(out))
    assert len(records) == 6
    total = 0
    for r in records:
        label = str(r["spec"]["categories"][0])
        named = re.compile(r"(?<![\w.,])" + re.escape(label) + r"(?![\w]|[.,]\d)")
        for q in r["qa"]:
            said = " ".join([q["question"], q["reasoning"], str(q["answer"])])
            assert not named.search(said), f"{r['id']}: {q['question']!r} names {label!r}"
        dropped = r["annotations"].get("dropped", [])
        assert all(d["label"] == label and d["reason"] == "contrast" for d in dropped)
        total += len(dropped)
    assert total >= 6, "the painted-over category is named by some questions"
    stats = json.loads((out / "stats.json").read_text())
    assert sum(stats["dropped"].values()) == total == stats["dropped"]["contrast"]
    assert sum(stats["dropped_program"].values()) == total


def test_charts_as_generated_lose_few_questions_to_the_gate() -> None:
    """With label colours chosen for their fills, the gate rarely has to drop anything."""
    from synth.generators.chart import DOMAIN, ChartGenerator

    asked = dropped = 0
    for kind, variant in (("pie", None), ("bar", "stacked")):
        for seed in range(6):
            sample = ChartGenerator(kind, variant).sample(rng=np.random.default_rng(seed))
            rendered = DOMAIN.render(sample)
            qa = DOMAIN.questions(sample, rendered, rng=np.random.default_rng(seed))
            asked += len(qa)
            dropped += len(legibility.gate(rendered.png, rendered.elements, qa)[1])
    assert asked >= 40
    assert dropped <= 0.05 * asked, f"{dropped} of {asked}"


def _patch(h: int, w: int, fill: float = 100.0) -> np.ndarray:
    return np.full((h, w), fill, dtype=np.float32)


def test_the_limits_hold_exactly_where_they_are_written() -> None:
    """70 grey levels and 7 px pass; one level or a tenth of a pixel less fails."""
    for ink, verdict in ((170.0, None), (169.0, "contrast")):
        image = _patch(40, 80)
        image[15:25, 20:40] = ink  # 200 stroke pixels, well over INK_PX
        e: Element = {"role": "value", "label": "x", "bbox": [10, 10, 60, 20]}
        assert legibility.failure(image, e) == verdict, ink
    image = _patch(40, 80)
    image[15:25, 20:40] = 0.0
    for height, verdict in ((7.0, None), (6.9, "size")):
        e = {"role": "value", "label": "x", "bbox": [10, 14, 60, height]}
        assert legibility.failure(image, e) == verdict, height


def test_strokes_count_from_the_twelfth_most_different_pixel() -> None:
    """12 pixels of ink make text (the rule written in DATA.md); 11 are a speck."""
    for strokes, want in ((12, 200.0), (11, 0.0)):
        image = _patch(60, 60)
        image.flat[[61 * 10 + i for i in range(strokes)]] = 300.0  # inside the inset box
        assert legibility.contrast(image, [0, 0, 60, 60]) == want, strokes


def test_a_frame_drawn_around_the_text_is_inset_away_in_both_directions() -> None:
    """A box over 6 px in a direction is measured 2 px in from its edges on both sides; a
    smaller one whole (a 5 px row of text would lose it all)."""
    for w, h in ((7, 30), (30, 7)):
        image = _patch(40, 40)
        image[0:h, 0:w] = 0.0  # a dark frame...
        image[2 : h - 2, 2 : w - 2] = 100.0  # ...around a blank inside
        assert legibility.contrast(image, [0, 0, w, h]) == 0.0, (w, h)
    thin = _patch(40, 40)
    thin[0, 0:30] = thin[4, 0:30] = 0.0  # ink only in its first and last rows
    assert legibility.contrast(thin, [0, 0, 30, 5]) == 100.0
    narrow = _patch(40, 40)
    narrow[0:30, 0] = narrow[0:30, 5] = 0.0
    assert legibility.contrast(narrow, [0, 0, 6, 30]) == 100.0


@pytest.mark.parametrize(
    "inner", [[9, 20, 8, 14], [45, 9, 8, 14], [93, 20, 8, 14], [45, 37, 8, 14]]
)
def test_a_box_reaching_a_pixel_past_its_outer_box_still_lies_inside(inner: list[float]) -> None:
    outer: Element = {"role": "cell", "label": "7", "bbox": [10, 10, 90, 40]}
    text: Element = {"role": "text", "label": "7", "bbox": inner}
    assert legibility.reads(_qa("Is it 7?", True, answer_type="bool"), [outer, text]) == [1]
    far: Element = {"role": "text", "label": "7", "bbox": [inner[0] + 3, *inner[1:]]}
    if inner[0] > 90:  # three pixels further out: outside, both are read
        assert legibility.reads(_qa("Is it 7?", True, answer_type="bool"), [outer, far]) == [0, 1]
