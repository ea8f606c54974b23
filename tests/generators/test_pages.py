"""Pages of blocks: the ten page kinds of the document domain, the table domain (six styles)
and the screen domain (six kinds). Specs add up and round-trip, pages are self-contained,
every answer recomputes from the spec with an independent evaluator and is printed on the
page inside the image, boxes lie over their text, golden specs hold."""

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
from synth.generators._common import plain
from synth.generators._page import PageSpec, Table
from synth.generators.document import ALL_KINDS, KINDS, DocumentGenerator
from synth.generators.document import DOMAIN as DOCUMENT
from synth.generators.screen import DOMAIN as SCREEN
from synth.generators.screen import KINDS as SCREENS
from synth.generators.screen import ScreenGenerator
from synth.generators.table import DOMAIN as TABLE
from synth.generators.table import STYLES, TableGenerator
from synth.qa_synth.page import page_questions
from synth.record import Rendered

from ..qa_synth.evaluate_page import recompute

BROWSER = shutil.which("chromium") is not None
needs_browser = pytest.mark.skipif(not BROWSER, reason="apt-get install chromium")
GOLDEN = Path(__file__).resolve().parent.parent / "golden"
PAGE_KINDS = [k for k in ALL_KINDS if k not in KINDS]
CASES = (
    [("document", k) for k in PAGE_KINDS]
    + [("table", k) for k in STYLES]
    + [("screen", k) for k in SCREENS]
)


def _generator(domain: str, kind: str | None) -> Any:
    if domain == "document":
        return DocumentGenerator(kind)
    return TableGenerator(kind) if domain == "table" else ScreenGenerator(kind)


def _sample(domain: str, kind: str, seed: int) -> Any:
    return _generator(domain, kind).sample(rng=np.random.default_rng(seed))


def test_every_kind_is_listed_once() -> None:
    from synth.generators.document._kinds import BUILDERS

    assert tuple(BUILDERS) == tuple(PAGE_KINDS) and len(PAGE_KINDS) == 10
    assert len(ALL_KINDS) == 12 and len(STYLES) == 6 and len(SCREENS) == 6


def _check_derived(spec: PageSpec) -> None:
    """What each kind computes from other numbers on the page."""
    tables = {b.key: b for b in spec.blocks if isinstance(b, Table)}
    fields = {f.key: f.value for b in spec.blocks if hasattr(b, "items") for f in b.items}  # type: ignore[union-attr]
    if spec.kind == "bank_statement":
        t = tables["transactions"]
        bal = float(
            fields["opening_balance"].lstrip("-").lstrip(t.columns[2].prefix).replace(",", "")
        )
        if fields["opening_balance"].startswith("-"):
            bal = -bal
        for row in t.rows:
            bal = round(bal - (row[2] or 0) + (row[3] or 0), t.columns[4].decimals)  # type: ignore[operator]
            assert row[4] == bal
        assert t.columns[4].show(bal) == fields["closing_balance"]
    if spec.kind == "utility_bill":
        t = tables["charges"]
        used = int(fields["current_reading"].replace(",", "")) - int(
            fields["previous_reading"].replace(",", "")
        )
        assert t.rows[0][1] == used
        for row in t.rows:
            assert row[3] == round(row[1] * row[2], t.columns[3].decimals)  # type: ignore[operator]
    if spec.kind == "nutrition_label":
        t = tables["nutrients"]
        serving = int(fields["serving_size"].split()[0])
        for row in t.rows:
            assert row[2] == round(row[1] * serving / 100, 1)  # type: ignore[operator]
    if spec.kind == "row_totals":
        t = tables["data"]
        for row in t.rows:
            assert row[-1] == round(sum(row[1:-1]), t.columns[-1].decimals)  # type: ignore[arg-type]
    if spec.kind == "cart":
        t = tables["items"]
        for row in t.rows:
            assert row[3] == round(row[1] * row[2], t.columns[3].decimals)  # type: ignore[operator]


@settings(max_examples=150, deadline=None)
@given(case=st.sampled_from(CASES), seed=st.integers(0, 2**32 - 1))
def test_specs_add_up_round_trip_and_pages_are_self_contained(
    case: tuple[str, str], seed: int
) -> None:
    sample = _sample(*case, seed)
    spec = sample.spec
    assert spec.kind == case[1] and sample.family == case[1]
    assert PageSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec
    _check_derived(spec)
    html = sample.code.source
    for needle in ("http:", "https:", "//", "src=", "url(", "@import"):
        assert needle not in html.replace("<!doctype html>", "")
    for t in spec.blocks_of("table"):  # every cell is printed on the page (HTML-escaped)
        for r in range(len(t.rows)):
            for c in range(len(t.columns)):
                text = (
                    t.cell(r, c).replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;")
                )
                assert text in html


def _all_visible(sample: Any) -> Rendered:
    """Render facts as if every keyed element were drawn, in order, inside a large image (the
    keys come from the page's own HTML): QA programs can then be run on any seed quickly."""
    keys = re.findall(r'data-key="([^"]+)"', sample.code.source)
    elements = tuple(
        {"label": "", "role": "field", "key": k, "bbox": [10.0, 10.0 + 3 * i, 50.0, 2.0]}
        for i, k in enumerate(keys)
    )
    return Rendered(png=b"", width=4000, height=4000 + 3 * len(keys), elements=elements, backend="")


def counted_rows(spec: dict[str, Any], qa: dict[str, Any]) -> str:
    """``Values of COLUMN above T: a, b.``'s list, worked out from the spec."""
    from ..qa_synth.evaluate_page import _block, _label

    t, c = _block(spec, qa["params"]["table"]), qa["params"]["column"]
    rows = [r for r, row in enumerate(t["rows"]) if row[c] > qa["params"]["threshold"]]
    return ": " + (", ".join(_label(t, r) for r in rows) or "none") + "."


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(CASES), seed=st.integers(0, 2**32 - 1))
def test_every_answer_recomputes_from_the_spec(case: tuple[str, str], seed: int) -> None:
    sample = _sample(*case, seed)
    rendered = _all_visible(sample)
    qa = page_questions(sample.spec, rendered, rng=np.random.default_rng(seed))
    spec = json.loads(json.dumps(sample.spec.to_json()))
    assert "point" in {q.program for q in qa}
    lacks = bool(sample.spec.absent) or any(t.absent_rows for t in sample.spec.blocks_of("table"))
    assert ("unanswerable" in {q.program for q in qa}) == lacks
    for q in qa:
        d = json.loads(json.dumps(q.to_json()))
        if q.program in ("point", "box"):
            continue
        assert recompute(spec, d) == d["answer"], d
        if q.program == "count_above":  # the reasoning names the rows it counts
            assert counted_rows(spec, d) in d["reasoning"], d


def test_hidden_elements_are_never_asked_about() -> None:
    """Cut the image above the table: no question reads a table cell any more."""
    sample = _sample("table", "totals", 3)
    rendered = _all_visible(sample)
    keys = [e["key"] for e in rendered.elements]
    cut = next(i for i, k in enumerate(keys) if k.startswith("data-"))
    short = Rendered(b"", 4000, int(10 + 3 * cut), rendered.elements, "")
    for seed in range(30):
        for q in page_questions(sample.spec, short, rng=np.random.default_rng(seed)):
            assert "table" not in q.params, q


def test_programs_are_all_used_and_answers_balanced() -> None:
    programs: Counter[str] = Counter()
    yes = Counter()
    for i in range(400):
        domain, kind = CASES[i % len(CASES)]
        sample = _sample(domain, kind, i)
        for q in page_questions(sample.spec, _all_visible(sample), rng=np.random.default_rng(i)):
            programs[q.program] += 1
            if q.answer_type == "bool":
                yes[q.answer] += 1
    from synth.qa_synth.page import FIXED, POOL

    assert set(programs) == {p.__name__ for p in (*FIXED, *POOL)}, programs
    assert 0.3 < yes[True] / (yes[True] + yes[False]) < 0.7, yes


def test_golden_specs_are_unchanged() -> None:
    """Specs at fixed seeds; regenerate with: python scripts/regen_golden.py"""
    from synth.generators.diagram import DOMAIN as DIAGRAM
    from synth.generators.scene3d import DOMAIN as SCENE3D

    for name, domain in (
        ("table", TABLE),
        ("screen", SCREEN),
        ("document", DOCUMENT),
        ("diagram", DIAGRAM),
        ("scene3d", SCENE3D),
    ):
        golden = json.loads((GOLDEN / f"{name}_specs.json").read_text())
        for seed, spec in golden.items():
            got = domain.sample(rng=np.random.default_rng(int(seed))).spec
            assert plain(got.to_json()) == spec, (name, seed)


@needs_browser
@pytest.mark.parametrize("case", CASES, ids=[f"{d}-{k}" for d, k in CASES])
def test_rendered_answers_are_on_the_page_and_recompute(case: tuple[str, str]) -> None:
    for seed in (0, 1):
        result = synth.render(_sample(*case, seed))
        rec = result.record
        w, h = rec["image"]["width"], rec["image"]["height"]
        with Image.open(io.BytesIO(result.png)) as im:
            assert im.size == (w, h)
        assert all(rec["checks"].values()), rec["checks"]
        elements = rec["annotations"]["elements"]
        by_key = {e["key"]: e for e in elements if "key" in e}
        for q in rec["qa"]:
            if q["answer_type"] in ("point", "box"):
                x, y, bw, bh = by_key[q["params"]["key"]]["bbox"]
                if q["answer_type"] == "point":
                    assert x <= q["answer"][0] <= x + bw and y <= q["answer"][1] <= y + bh
                else:
                    assert q["answer"] == pytest.approx([x, y, bw, bh], abs=0.06)
                assert 0 <= x and 0 <= y and x + bw <= w + 0.5 and y + bh <= h + 0.5
                continue
            assert recompute(rec["spec"], q) == q["answer"], q
            shown = q["params"].get("printed")
            if shown is None and q["answer_type"] in ("text", "choice"):
                shown = q["answer"]
            if shown is not None and shown != "not stated":
                # an element with exactly this text (or a row label holding it) is in the image
                hits = [
                    e
                    for e in elements
                    if e.get("key") and (e["label"] == shown or shown in e["label"].split(", "))
                ]
                if not hits:  # multi-column row labels ("2024, Apr") are two cells
                    parts = shown.split(", ")
                    hits = [e for e in elements if e.get("key") and e["label"] in parts]
                assert hits, (q, shown)
                assert any(
                    0 <= e["bbox"][0]
                    and e["bbox"][0] + e["bbox"][2] <= w + 0.5
                    and e["bbox"][1] + e["bbox"][3] <= h + 0.5
                    for e in hits
                ), q
        transcript = rec["annotations"]["transcription"]
        pos = 0
        for t in (e["label"] for e in elements if e["role"] == "text"):
            if t in ("✓",):  # a tick mark is drawn, not written
                continue
            found = transcript.find(t, pos)
            if found < 0:  # two-column layouts read a later block first; still present
                found = transcript.find(t)
            assert found >= 0, (t, transcript)
            pos = max(pos, found)
        assert rec["annotations"]["key_values"]["kind"] == case[1]


@needs_browser
def test_page_height_follows_the_content() -> None:
    """height 0 renders as tall as the page: the last element ends near the bottom edge."""
    for kind in ("resume", "menu", "bank_statement"):
        result = synth.render(_sample("document", kind, 4))
        rec = result.record
        bottom = max(e["bbox"][1] + e["bbox"][3] for e in rec["annotations"]["elements"])
        assert bottom <= rec["image"]["height"] <= bottom + 60, kind


@needs_browser
def test_a_fit_page_renders_as_in_a_viewport_of_its_final_height() -> None:
    """A page as tall as its content is laid out in a short viewport and grown before the
    screenshot: its boxes and pixels equal a render with its final height given."""
    from synth.renderers.html import render_html

    for domain, kind in (("document", "resume"), ("document", "poster"), ("table", "striped")):
        sample = _sample(domain, kind, 7)
        fit = render_html(sample.code.source, sample.spec.style.width_px, 0)
        fixed = render_html(sample.code.source, sample.spec.style.width_px, fit.height)
        assert fit.height > 100 and fit.elements == fixed.elements, kind
        assert fit.png == fixed.png, kind


@needs_browser
def test_table_and_control_boxes_lie_over_their_text() -> None:
    """Hide one element's text and render again: every changed pixel is inside its box."""
    from synth.renderers.html import render_html

    rng = np.random.default_rng
    for sample, keys in (  # every field shown (unanswerable=0): the keys are all there
        (_sample("table", "merged", 2), ("data-r0-c0", "data-r1-c2", "data-h2")),
        (
            ScreenGenerator("login", unanswerable=0).sample(rng=rng(2)),
            ("actions-0", "email", "remember-0"),
        ),
        (_sample("document", "timetable", 2), ("times-r2-c1", "title")),
    ):
        st_ = sample.spec.style
        page = render_html(sample.code.source, st_.width_px, st_.height_px)
        a = np.asarray(Image.open(io.BytesIO(page.png)).convert("L"), dtype=int)
        for key in keys:
            hidden = sample.code.source.replace(
                "</style>", f"[data-key='{key}'] {{ color: transparent !important; }}</style>"
            )
            other = render_html(hidden, st_.width_px, st_.height_px)
            b = np.asarray(Image.open(io.BytesIO(other.png)).convert("L"), dtype=int)
            ys, xs = np.nonzero(np.abs(a - b) > 8)
            assert len(xs) > 10, key
            (box,) = [e["bbox"] for e in page.elements if e.get("key") == key]
            x, y, w, h = box
            assert xs.min() >= x - 1 and xs.max() <= x + w + 1, key
            assert ys.min() >= y - 1 and ys.max() <= y + h + 1, key


@needs_browser
def test_bar_graphics_draw_every_bar_in_proportion_to_its_value() -> None:
    """Issue 19: in screen-dashboard-000000044 bars Mar-Aug were all drawn 127 px long (flex
    shrank them), yet "which label has the longest bar?" had one answer. Each bar's drawn
    length, counted in pixels of its colour along its middle row, follows its value."""
    from synth.generators._page import Bars

    seen = 0
    for domain, kind in (("screen", "dashboard"), ("document", "infographic")):
        for seed in range(4):
            sample = _sample(domain, kind, seed)
            (bars,) = [b for b in sample.spec.blocks if isinstance(b, Bars)] or [None]
            if bars is None:
                continue
            st_ = sample.spec.style
            result = synth.render(sample)
            page = result.record
            rgb = np.asarray(Image.open(io.BytesIO(result.png)).convert("RGB"), dtype=int)
            accent = np.array([int(st_.accent[i : i + 2], 16) for i in (1, 3, 5)])
            boxes = {
                e["key"]: e["bbox"] for e in page["annotations"]["elements"] if e["role"] == "bar"
            }
            lengths = []
            for i in range(len(bars.values)):
                x, y, w, h = boxes[f"{bars.key}-{i}-bar"]
                row = rgb[int(y + h / 2), int(x) : int(x + w) + 2]
                lengths.append(int((np.abs(row - accent).sum(axis=1) < 30).sum()))
            top = max(bars.values)
            for value, length, i in zip(bars.values, lengths, range(len(lengths)), strict=True):
                want = max(lengths) * value / top
                assert abs(length - want) <= 2.5, (sample.spec.title, i, lengths, bars.values)
            seen += 1
    assert seen >= 3, "the seeds draw bar graphics"


@needs_browser
@pytest.mark.parametrize("domain", ["table", "screen", "diagram"])
def test_one_and_two_workers_write_identical_shards(domain: str, tmp_path: Path) -> None:
    from ..conftest import shard_bytes, synth_cmd

    args = ["generate", "--domain", domain, "--n", "6", "--seed", "3", "--shard-size", "3"]
    for workers in ("1", "2"):
        out = tmp_path / workers
        synth_cmd(*args, "--out", str(out), "--workers", workers, check=True)
        counts = json.loads((out / "manifest.json").read_text())["counts"]
        assert counts["written"] == 6 and counts["failed"] == 0, counts
    one, two = shard_bytes(tmp_path / "1"), shard_bytes(tmp_path / "2")
    assert len(one) == 2 and one == two
    from synth.dataset import iter_samples

    rec, png = next(iter_samples(tmp_path / "1"))  # its code alone, in a fresh sandbox
    again = synth_cmd("reproduce", str(tmp_path / "1"), rec["id"], "--out", str(tmp_path / "r.png"))
    assert again.returncode == 0 and json.loads(again.stdout)["identical"] is True, again.stderr
    assert (tmp_path / "r.png").read_bytes() == png


def test_page_difficulty_follows_what_makes_a_question_hard() -> None:
    """Calibrated, not set per program: an unanswerable question (the whole page searched)
    and one scanning a table of more than 8 rows rate above the easiest."""
    from synth.qa_synth.page import MANY_ROWS

    levels = set()
    for domain, kind in (("table", "striped"), ("document", "bank_statement"), ("screen", "inbox")):
        for seed in range(6):
            sample = _generator(domain, kind).sample(rng=np.random.default_rng(seed))
            record = synth.render(sample).record
            spec = record["spec"]
            rows = {b["key"]: len(b["rows"]) for b in spec["blocks"] if b["type"] == "table"}
            for q in record["qa"]:
                levels.add(q["difficulty"])
                assert 1 <= q["difficulty"] <= 5
                if q["program"] == "unanswerable":
                    assert q["difficulty"] >= 2
                if (
                    q["program"] in ("count_rows", "extreme")
                    and rows.get(q["params"].get("table"), 0) > MANY_ROWS
                ):
                    assert q["difficulty"] >= 2, q
    assert len(levels) >= 2


def test_how_many_rows_or_items_a_kind_has_is_read_off_the_page() -> None:
    """Issue 19 (questions that answer themselves): a text-only baseline answered counts
    from the kind alone: a nutrition label always listed 7 nutrients, a utility bill 2
    charges, a chat 5 messages, and "how many items are listed?" on a login screen counted
    its one "Remember me" box. Now each varies, and a list of one is never counted."""
    rows: dict[str, set[int]] = {"nutrition_label": set(), "utility_bill": set(), "chat": set()}
    for seed in range(40):
        for domain, kind in (("document", "nutrition_label"), ("document", "utility_bill"),
                             ("screen", "chat")):  # fmt: skip
            spec = _sample(domain, kind, seed).spec
            rows[kind].add(len(spec.blocks_of("table")[-1].rows))
        login = _sample("screen", "login", seed)
        for q in page_questions(login.spec, _all_visible(login), rng=np.random.default_rng(seed)):
            assert q.program != "list_count" or q.answer > 1, q
    assert rows["nutrition_label"] == {6, 7}
    assert rows["utility_bill"] == {2, 3, 4}
    assert rows["chat"] == {3, 4, 5}


def _ctx(sample: Any) -> Any:
    from synth.qa_synth.page import Ctx

    r = _all_visible(sample)
    return Ctx(sample.spec, r.elements, r.width, r.height)


def test_a_scanning_question_is_harder_past_exactly_eight_rows() -> None:
    """calibrated(): a count over a table of 9 rows rates one above the same over 8; over 8
    it rates as a look-up; unanswerable adds one; a third sentence of reasoning adds one."""
    import dataclasses

    from synth.qa_synth.page import calibrated
    from synth.record import QA

    sample = _sample("table", "striped", 0)
    t = sample.spec.blocks_of("table")[0]
    for n in (8, 9):
        rows = tuple((f"Row {i}", *t.rows[i % len(t.rows)][1:]) for i in range(n))
        spec = dataclasses.replace(sample.spec, blocks=(dataclasses.replace(t, rows=rows),))
        ctx = _ctx(dataclasses.replace(sample, spec=spec))
        for program in ("count_rows", "table_lookup", "unanswerable"):
            for steps in (["One.", "Two."], ["One.", "Two.", "Three."]):
                q = QA.build(program=program, question="?", answer=n, answer_type="number",
                             steps=steps, params={"table": t.key})  # fmt: skip
                want = (
                    1
                    + (len(steps) >= 3)
                    + (program == "count_rows" and n > 8)
                    + (program == "unanswerable")
                )
                assert calibrated(ctx, q, []) == want, (n, program, steps)


def test_column_questions_need_two_rows_and_whole_columns_where_they_read_every_cell() -> None:
    """A column with an empty cell can be totalled (the blanks count as nothing) but has no
    extreme, no count above a value and no rank; a one-row table has no column question."""
    import dataclasses

    from synth.qa_synth.page import _numeric_columns

    sample = _sample("table", "striped", 1)
    t = sample.spec.blocks_of("table")[0]
    c = next(c for c in t.summed_columns() if c not in t.label_columns)
    holed = tuple(
        tuple(None if (r, k) == (1, c) else v for k, v in enumerate(row))
        for r, row in enumerate(t.rows)
    )
    for rows, partial, full in (
        (t.rows, True, True),
        (holed, True, False),
        (t.rows[:1], False, False),
    ):
        table = dataclasses.replace(t, rows=rows)
        ctx = _ctx(
            dataclasses.replace(sample, spec=dataclasses.replace(sample.spec, blocks=(table,)))
        )
        assert ((table, c) in _numeric_columns(ctx, full=False, summable=True)) == partial
        assert ((table, c) in _numeric_columns(ctx, full=True)) == full


def test_a_merged_label_is_read_on_the_first_row_of_its_run() -> None:
    """In a table whose first column merges runs of equal values, every row's label is the
    merged cell drawn on the first row of its run, so every row stays askable."""
    from synth.qa_synth.page import _label_keys

    sample = _sample("table", "merged", 2)
    t = sample.spec.blocks_of("table")[0]
    spans = t.merged()
    assert 0 in spans, "some rows sit under a merged cell"
    ctx = _ctx(sample)
    first = 0
    for r in range(len(t.rows)):
        first = r if spans[r] else first
        assert _label_keys(t, r) == [f"{t.key}-r{first}-c0", f"{t.key}-r{r}-c1"]
        assert ctx.row_visible(t, r, 2)


def test_list_questions_count_real_lists_under_their_heading_and_never_the_nav() -> None:
    from synth.qa_synth.page import _lists, list_count

    counted: Counter[str] = Counter()
    for seed in range(60):
        for kind in SCREENS:
            sample = _sample("screen", kind, seed)
            ctx = _ctx(sample)
            lists = _lists(ctx, states=False) + _lists(ctx, states=True)
            assert all(b.display != "nav" for b in lists)
            q = list_count(ctx, np.random.default_rng(seed))
            if q is None:
                continue
            b = next(b for b in sample.spec.blocks_of("items") if b.key == q.params["list"])
            counted[b.display] += 1
            assert q.answer == len(b.entries)
            if b.heading:
                assert f"under {b.heading}" in q.question and f"under {b.heading}" in q.reasoning
    assert "nav" not in counted and sum(counted.values()) > 30, counted
    assert any(
        b.display == "nav" for k in SCREENS for b in _sample("screen", k, 0).spec.blocks_of("items")
    )


def test_choice_distractors_are_12_to_50_percent_off_on_both_sides() -> None:
    from synth.qa_synth.page import multiple_choice

    below = above = 0
    for seed in range(200):
        domain, kind = CASES[seed % len(CASES)]
        sample = _sample(domain, kind, seed)
        q = multiple_choice(_ctx(sample), np.random.default_rng(seed))
        if q is None:
            continue
        t = next(t for t in sample.spec.blocks_of("table") if t.key == q.params["table"])
        v = float(t.rows[q.params["row"]][q.params["column"]])
        assert q.choices is not None and len(set(q.choices)) == 4 and q.answer in q.choices
        if not v:
            continue
        step = 10.0 ** -t.columns[q.params["column"]].decimals
        for w in (float(re.sub(r"[^\d.]", "", c)) for c in q.choices if c != q.answer):
            off = abs(w / v - 1)
            assert 0.12 - step / v <= off <= 0.5 + step / v, (q.choices, q.answer)
            below += w < v
            above += w > v
    assert below > 100 and above > 100, (below, above)


def test_pointing_prefers_buttons_six_times_in_ten() -> None:
    from synth.qa_synth.page import _targets, point

    buttons = n = 0
    for seed in range(300):
        sample = _sample("screen", SCREENS[seed % len(SCREENS)], seed)
        ctx = _ctx(sample)
        if not any(w.endswith(" button") for _, w in _targets(ctx)):
            continue
        q = point(ctx, np.random.default_rng(seed))
        assert q is not None
        n += 1
        buttons += q.params["key"] in {
            f"{b.key}-{i}" for b in sample.spec.blocks_of("buttons") for i in range(len(b.labels))
        }
    assert n > 150 and 0.6 < buttons / n < 0.85, (buttons, n)  # 0.6 + 0.4 x the share of buttons


def test_a_page_gets_eight_questions_where_it_has_them() -> None:
    """The fixed programs (unanswerable, pointing) where they apply, then others until
    there are 2 + 6: a page with no unanswerable question gets one more from the pool."""
    sizes: Counter[int] = Counter()
    for seed in range(60):
        domain, kind = CASES[seed % len(CASES)]
        sample = _sample(domain, kind, seed)
        qa = page_questions(sample.spec, _all_visible(sample), rng=np.random.default_rng(seed))
        sizes[len(qa)] += 1
        assert qa[0].program in ("unanswerable", "point"), qa[0]
        assert len({q.program for q in qa}) == len(qa)
    assert max(sizes) == 8 and sizes[8] > 25, sizes
