"""Document domain: specs add up, pages are self-contained, boxes sit on their text, every
answer is on the page and recomputes from the spec, nothing leaves the page."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import synth
from synth._errors import MissingDependencyError, RenderError, RenderTimeout
from synth.generators._common import plain
from synth.generators.document import DOMAIN, KINDS, DocumentGenerator, DocumentSpec

from ..qa_synth.evaluate_document import recompute

try:
    import playwright  # noqa: F401

    BROWSER = shutil.which("chromium") is not None
except ImportError:  # pragma: no cover - setup.sh installs both
    BROWSER = False
if not BROWSER:
    print("tests: chromium or playwright missing; document rendering tests skip")
needs_browser = pytest.mark.skipif(
    not BROWSER, reason="apt-get install chromium; pip install playwright"
)
GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "document_specs.json"


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_specs_add_up_and_pages_are_self_contained(seed: int) -> None:
    sample = DocumentGenerator(KINDS[seed % 2]).sample(rng=np.random.default_rng(seed))
    spec = sample.spec
    amounts = [round(i.quantity * i.unit_price, spec.decimals) for i in spec.items]
    assert len(set(amounts)) == len(amounts)  # "most expensive line" has one answer
    assert spec.total() == round(spec.subtotal() + spec.tax(), spec.decimals)
    assert spec.subtotal() == round(sum(amounts), spec.decimals)
    assert DocumentSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec
    html = sample.code.source
    for needle in ("http:", "https:", "//", "src=", "url(", "@import"):
        assert needle not in html.replace("<!doctype html>", "")
    assert spec.money(spec.total()) in html
    assert sample.persona["country"]["currency"] == spec.currency


def test_golden_specs_are_unchanged() -> None:
    """Specs at fixed seeds; regenerate with: python scripts/regen_golden.py"""
    golden = json.loads(GOLDEN.read_text())
    for seed, spec in golden.items():
        got = DOMAIN.sample(rng=np.random.default_rng(int(seed))).spec
        assert plain(got.to_json()) == spec


def _rendered(seed: int) -> synth.RenderedSample:
    return synth.render(DocumentGenerator(KINDS[seed % 2]).sample(rng=np.random.default_rng(seed)))


@needs_browser
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_every_answer_is_visible_and_recomputes(seed: int) -> None:
    result = _rendered(seed)
    rec = result.record
    w, h = rec["image"]["width"], rec["image"]["height"]
    with Image.open(io.BytesIO(result.png)) as im:
        assert im.size == (w, h)
    elements = rec["annotations"]["elements"]
    assert all(rec["checks"].values()), rec["checks"]
    labels = {e["label"] for e in elements}
    by_key = {e["key"]: e for e in elements if "key" in e}
    for f in rec["spec"]["fields"]:
        assert by_key[f["key"]]["label"] == f["value"]  # the field's box holds its value
    for qa in rec["qa"]:
        want = recompute(rec["spec"], qa)
        if qa["program"] == "point":
            x, y, bw, bh = by_key[qa["params"]["key"]]["bbox"]
            assert x <= qa["answer"][0] <= x + bw and y <= qa["answer"][1] <= y + bh
            continue
        assert qa["answer"] == want, qa
        shown = qa["params"].get("printed")
        if shown is not None:  # the printed form is on the page, inside the image
            (e,) = [e for e in elements if e.get("key") and e["label"] == shown][:1]
            bx, by_, bw, bh = e["bbox"]
            assert 0 <= bx and 0 <= by_ and bx + bw <= w and by_ + bh <= h
        elif qa["answer_type"] in ("text", "choice") and qa["answer"] != "not stated":
            assert any(qa["answer"] in label for label in labels), qa
    assert {q["program"] for q in rec["qa"]} >= {"point", "yes_no"}
    # a question about a field the document lacks exactly when it lacks one
    asked = [q for q in rec["qa"] if q["program"] == "unanswerable"]
    assert len(asked) == (1 if rec["spec"]["absent"] else 0)
    # the transcription target holds every text node the page drew, in order
    transcript = rec["annotations"]["transcription"]
    texts = [e["label"] for e in elements if e["role"] == "text"]
    pos = 0
    for t in texts:
        found = transcript.find(t, pos)
        assert found >= 0, (t, transcript)
        pos = found
    kv = rec["annotations"]["key_values"]
    assert kv["total"] == recompute(rec["spec"], {"program": "total", "params": {}})
    assert [i["description"] for i in kv["items"]] == [
        i["description"] for i in rec["spec"]["items"]
    ]


@needs_browser
def test_boxes_lie_over_their_text() -> None:
    """Hide one element's text and render again: every pixel that changes lies inside the
    element's box, and some do (the box is where the text is drawn, not somewhere near)."""
    from synth.renderers.html import render_html

    sample = DocumentGenerator("invoice").sample(rng=np.random.default_rng(8))
    st_ = sample.spec.style
    page = render_html(sample.code.source, st_.width_px, st_.height_px)
    for key in ("total", "number", "issuer_name", "item-0-amount"):
        hidden = sample.code.source.replace(
            "</style>", f"[data-key='{key}'] {{ color: transparent !important; }}</style>"
        )
        other = render_html(hidden, st_.width_px, st_.height_px)
        a = np.asarray(Image.open(io.BytesIO(page.png)).convert("L"), dtype=int)
        b = np.asarray(Image.open(io.BytesIO(other.png)).convert("L"), dtype=int)
        ys, xs = np.nonzero(np.abs(a - b) > 8)
        assert len(xs) > 20, key
        (box,) = [e["bbox"] for e in page.elements if e.get("key") == key]
        x, y, w, h = box
        assert xs.min() >= x - 1 and xs.max() <= x + w + 1, key
        assert ys.min() >= y - 1 and ys.max() <= y + h + 1, key


@needs_browser
def test_no_request_leaves_the_page() -> None:
    from synth.renderers.html import render_html

    page = (
        "<html><head><link rel='stylesheet' href='https://cdn.example.com/x.css'></head>"
        "<body><img src='http://192.0.2.1/pixel.png'><script>fetch('http://192.0.2.1/t')"
        "</script><p data-key='x'>hello</p></body></html>"
    )
    with pytest.raises(RenderError, match="forbidden: the page requested") as info:
        render_html(page, 320, 200)
    assert "192.0.2.1" in str(info.value) or "cdn.example.com" in str(info.value)
    ok = render_html("<p data-key='x' style='font-size:30px'>hello</p>", 320, 200)
    assert [e["label"] for e in ok.elements if e.get("key") == "x"] == ["hello"]
    again = render_html("<p data-key='x' style='font-size:30px'>hello</p>", 320, 200)
    assert again.png == ok.png  # same page, same bytes


@needs_browser
def test_a_page_that_never_settles_times_out_and_the_next_renders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from synth.renderers import html

    monkeypatch.setattr(html, "SETTLE_MS", 1500)
    with pytest.raises(RenderTimeout):
        html.render_html("<p>stuck</p><script>while (true) {}</script>", 200, 100)
    ok = html.render_html("<p data-key='x'>fine</p>", 200, 100)
    assert any(e.get("key") == "x" for e in ok.elements)


@needs_browser
def test_a_crashed_browser_is_replaced() -> None:
    from synth.renderers import html

    html.render_html("<p>warm</p>", 200, 100)
    html._browser()._browser.close()  # as if Chromium died between samples
    ok = html.render_html("<p data-key='x'>back</p>", 200, 100)
    assert any(e.get("label") == "back" for e in ok.elements)


def test_missing_chromium_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.renderers import html

    html.reset()  # one Playwright per thread: stop the warm one first
    monkeypatch.setattr(html, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(MissingDependencyError, match="apt-get install chromium"):
        html.render_html("<p>x</p>", 100, 100)
    monkeypatch.undo()
    ok = html.render_html("<p data-key='x'>found again</p>", 200, 100)
    assert any(e.get("label") == "found again" for e in ok.elements)


@needs_browser
def test_one_and_two_workers_write_identical_document_shards(tmp_path: Path) -> None:
    from ..conftest import shard_bytes, synth_cmd

    args = ["generate", "--domain", "document", "--n", "8", "--seed", "5", "--shard-size", "4"]
    synth_cmd(*args, "--out", str(tmp_path / "one"), "--workers", "1", check=True)
    synth_cmd(*args, "--out", str(tmp_path / "two"), "--workers", "2", check=True)
    one, two = shard_bytes(tmp_path / "one"), shard_bytes(tmp_path / "two")
    assert len(one) == 2 and one == two
