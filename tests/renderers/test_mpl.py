"""Matplotlib renderer: render facts land on the right pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import synth
from synth.generators.chart import BarChart, ChartGenerator, PieChart
from synth.renderers.mpl import render_matplotlib

from ..qa_synth.evaluate import check


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


@pytest.mark.parametrize("seed", range(4))
def test_bar_boxes_cover_pixels_of_the_bar_colour(seed: int) -> None:
    sample = BarChart("vertical").sample(rng=np.random.default_rng(seed))
    out = render_matplotlib(sample.code.source)
    img = np.asarray(Image.open(io.BytesIO(out.png)).convert("RGB"), dtype=float)
    colour = _rgb(sample.spec.style.palette[0])
    bars = [e for e in out.elements if e["role"] == "bar"]
    assert len(bars) == len(sample.spec.categories)
    for e in bars:
        x, y, w, h = e["bbox"]
        cx, cy = int(x + w / 2), int(y + h / 2)
        assert np.abs(img[cy, cx] - colour).max() <= 3, (
            f"pixel at the centre of {e['ref']} is not the bar colour"
        )
    # taller value -> taller box
    heights = [e["bbox"][3] for e in sorted(bars, key=lambda e: int(e["ref"].split("|")[1]))]
    values = sample.spec.series[0].values
    assert np.argmax(heights) == int(np.argmax(values))


def test_text_boxes_hold_ink_and_sit_on_the_canvas() -> None:
    sample = ChartGenerator("line", "multi").sample(rng=np.random.default_rng(4))
    out = render_matplotlib(sample.code.source)
    img = np.asarray(Image.open(io.BytesIO(out.png)).convert("L"), dtype=float)
    title = next(e for e in out.elements if e["role"] == "title")
    assert title["label"] == sample.spec.title
    x, y, w, h = (int(round(v)) for v in title["bbox"])
    crop = img[y : y + h, x : x + w]
    assert crop.std() > 20, "the title box holds text pixels"
    below = img[y + h + 2 : y + 2 * h, x : x + w]
    assert crop.std() > below.std() or below.size == 0
    for e in out.elements:
        bx, by, bw, bh = e["bbox"]
        assert bx >= -1 and by >= -1 and bx + bw <= out.width + 1 and by + bh <= out.height + 1, e
    xticks = [e["label"] for e in out.elements if e["role"] == "xtick"]
    assert xticks == list(sample.spec.categories)


def test_pie_points_fall_inside_their_slice() -> None:
    sample = PieChart("donut").sample(rng=np.random.default_rng(2))
    out = render_matplotlib(sample.code.source)
    img = np.asarray(Image.open(io.BytesIO(out.png)).convert("RGB"), dtype=float)
    for e in (e for e in out.elements if e["role"] == "slice"):
        j = int(e["ref"].split("|")[1])
        px, py = (int(round(v)) for v in e["point"])
        palette = [_rgb(c) for c in sample.spec.style.palette[: len(sample.spec.categories)]]
        patch = np.median(img[py - 3 : py + 4, px - 3 : px + 4].reshape(-1, 3), axis=0)
        nearest = int(np.argmin([np.abs(patch - c).sum() for c in palette]))
        assert nearest == j, f"the point of slice {j} lies on the colour of slice {nearest}"


@pytest.mark.parametrize("seed", range(12))
def test_pointing_answers_are_inside_the_right_mark(seed: int) -> None:
    result = synth.render(ChartGenerator().sample(rng=np.random.default_rng(seed)))
    record = result.record.to_json()
    for qa in record["qa"]:
        check(record["spec"], qa, record["annotations"]["elements"])
    assert all(record["checks"].values()), record["checks"]


def test_a_script_without_draw_is_a_render_error() -> None:
    with pytest.raises(synth.RenderError, match="draw"):
        render_matplotlib("x = 1\n")
