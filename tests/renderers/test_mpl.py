"""Matplotlib renderer: render facts land on the right pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import synth
from synth.generators.chart import DOMAIN, ChartGenerator
from synth.renderers.mpl import render_matplotlib

from ..qa_synth.evaluate import check


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


RENDERERS = pytest.mark.parametrize("renderer", ["matplotlib", "plotly"])


@RENDERERS
@pytest.mark.parametrize("seed", range(4))
def test_bar_boxes_cover_pixels_of_the_bar_colour(seed: int, renderer: str) -> None:
    sample = ChartGenerator("bar", "vertical", renderer=renderer).sample(
        rng=np.random.default_rng(seed)
    )
    out = DOMAIN.render(sample)
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


@RENDERERS
def test_text_boxes_hold_ink_and_sit_on_the_canvas(renderer: str) -> None:
    sample = ChartGenerator("line", "multi", renderer=renderer).sample(rng=np.random.default_rng(4))
    out = DOMAIN.render(sample)
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


@RENDERERS
@pytest.mark.parametrize("variant", ["pie", "donut"])
def test_pie_points_fall_inside_their_slice(renderer: str, variant: str) -> None:
    sample = ChartGenerator("pie", variant, renderer=renderer).sample(rng=np.random.default_rng(2))
    out = DOMAIN.render(sample)
    img = np.asarray(Image.open(io.BytesIO(out.png)).convert("RGB"), dtype=float)
    for e in (e for e in out.elements if e["role"] == "slice"):
        j = int(e["ref"].split("|")[1])
        px, py = (int(round(v)) for v in e["point"])
        palette = [_rgb(c) for c in sample.spec.style.palette[: len(sample.spec.categories)]]
        patch = np.median(img[py - 3 : py + 4, px - 3 : px + 4].reshape(-1, 3), axis=0)
        nearest = int(np.argmin([np.abs(patch - c).sum() for c in palette]))
        assert nearest == j, f"the point of slice {j} lies on the colour of slice {nearest}"


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("renderer", [None, "plotly"])
def test_pointing_answers_are_inside_the_right_mark(seed: int, renderer: str | None) -> None:
    gen = ChartGenerator(renderer=renderer)
    result = synth.render(gen.sample(rng=np.random.default_rng(seed)))
    record = result.record
    for qa in record["qa"]:
        check(record["spec"], qa, record["annotations"]["elements"])
    assert all(record["checks"].values()), record["checks"]


def test_a_script_without_draw_is_a_render_error() -> None:
    with pytest.raises(synth.RenderError, match="draw"):
        render_matplotlib("x = 1\n")


@pytest.mark.parametrize(
    ("kind", "variant"),
    [
        ("bar", "grouped"),
        ("bar", "horizontal"),
        ("bar", "stacked"),
        ("area", "stacked"),
        ("scatter", None),
        ("histogram", None),
    ],
)
def test_a_plotly_chart_is_the_same_chart(kind: str, variant: str | None) -> None:
    """The same spec drawn by both back-ends: the same questions and answers, tick labels
    with the same text, and the plotly figure JSON re-renders the same bytes."""
    from synth.renderers.html import render_plotly

    mpl = ChartGenerator(kind, variant, renderer="matplotlib").sample(rng=np.random.default_rng(5))
    ply = ChartGenerator(kind, variant, renderer="plotly").sample(rng=np.random.default_rng(5))
    assert ply.code.language == "plotly-json" and mpl.code.language == "python-matplotlib"
    a, b = synth.render(mpl), synth.render(ply)
    ra, rb = DOMAIN.render(mpl), DOMAIN.render(ply)
    qa_a = DOMAIN.questions(mpl, ra, rng=np.random.default_rng(0))
    qa_b = DOMAIN.questions(ply, rb, rng=np.random.default_rng(0))
    assert [q.program for q in qa_a] == [q.program for q in qa_b]
    same = [(q.question, q.answer) for q in qa_a if q.answer_type != "point"]
    assert same == [(q.question, q.answer) for q in qa_b if q.answer_type != "point"] and same
    assert all(b.record["checks"].values()), b.record["checks"]
    for role in ("xtick", "ytick"):
        ticks_a = {e["label"] for e in a.record["annotations"]["elements"] if e["role"] == role}
        ticks_b = {e["label"] for e in b.record["annotations"]["elements"] if e["role"] == role}
        assert ticks_a == ticks_b, role
    st = ply.spec.style
    again = render_plotly(b.record["code"]["source"], st.width_px, st.height_px)
    assert again.png == b.png


def test_about_a_third_of_drawn_charts_are_plotly() -> None:
    renderers = [
        ChartGenerator().sample(rng=np.random.default_rng(i)).spec.style.renderer
        for i in range(300)
    ]
    assert 0.2 < renderers.count("plotly") / 300 < 0.4


def test_a_label_colour_reads_on_its_fill() -> None:
    from synth.generators.chart.kinds._base import label_colour

    assert label_colour("#1f3a93") == "#ffffff"  # navy
    assert label_colour("#000000") == "#ffffff"
    assert label_colour("#ffd92f") == "#1a1a1a"  # yellow
    assert label_colour("#ffffff") == "#1a1a1a"


@RENDERERS
def test_values_printed_inside_slices_and_segments_stand_out_from_them(renderer: str) -> None:
    """Issue 19: pie percentages and stacked-bar values were drawn dark on dark fills (a
    third of them hard to read on 9e29a3d). Each value label's contrast as the legibility
    gate measures it, over fixed seeds."""
    from synth import legibility

    low = total = 0
    for kind, variant in (("pie", None), ("bar", "stacked")):
        for seed in range(12):
            sample = ChartGenerator(kind, variant, renderer=renderer).sample(
                rng=np.random.default_rng(seed)
            )
            out = DOMAIN.render(sample)
            found = legibility.contrasts(out.png, out.elements, "value")
            total += len(found)
            low += sum(c < legibility.MIN_CONTRAST for c in found)
    assert total >= 20, "the seeds print values"
    assert low <= 0.06 * total, f"{low} of {total} value labels hardly stand out"
