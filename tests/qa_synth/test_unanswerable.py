"""Unanswerable questions that look answerable (issue 19): every page record had exactly one,
about a phrase its kind never shows, always "not stated": the wording gave the answer away.
Now a page lacks one of the fields its kind shows, at a rate the user sets, and is asked
about it in the very words used for the fields pages do show."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from synth.dataset import iter_records
from synth.generators.document import DocumentGenerator
from synth.generators.screen import ScreenGenerator
from synth.qa_synth._phrasing import phrasings

from ..conftest import synth_cmd


def _shown_labels(spec: dict) -> set[str]:
    if "blocks" in spec:
        return {f["label"] for b in spec["blocks"] if b["type"] == "fields" for f in b["items"]}
    return {f["label"] for f in spec["fields"]}


@pytest.mark.parametrize(
    ("generator", "table"),
    [
        (DocumentGenerator("invoice"), "document_questions"),
        (DocumentGenerator("utility_bill"), "page_questions"),
        (ScreenGenerator("settings"), "page_questions"),
    ],  # fmt: skip
)
def test_a_missing_field_is_one_its_kind_shows_and_is_asked_as_shown_ones_are(
    generator, table: str
) -> None:
    import synth

    shown: set[str] = set()
    absent: dict[str, int] = defaultdict(int)
    asked = 0
    for seed in range(40):
        record = synth.render(generator.sample(rng=np.random.default_rng(seed))).record
        spec = record["spec"]
        shown |= _shown_labels(spec)
        for label in spec["absent"]:
            absent[label] += 1
            assert label not in _shown_labels(spec)
        for q in record["qa"]:
            if q["program"] != "unanswerable":
                continue
            asked += 1
            label = q["params"]["label"]
            kind = spec["kind"] if table == "document_questions" else q["question"]
            worded = {
                (t.format(label=label.lower() if table == "document_questions" else label,
                          kind=spec["kind"] if table == "document_questions" else kind_word)
                 ).lower()
                for t in phrasings(table)["field_lookup"]
                for kind_word in {spec.get("noun") or spec["kind"].replace("_", " "), kind}
            }  # fmt: skip
            assert q["question"].lower() in worded, q["question"]
            assert q["answer"] == "not stated"
    assert asked >= 3, "the default rate asks some"
    assert set(absent) <= shown, "every label asked about is shown by other pages of the kind"


def test_the_rate_is_an_option_and_bad_values_name_the_fix(tmp_path: Path) -> None:
    counts = {}
    for pct in ("0", "100"):
        out = tmp_path / pct
        synth_cmd("generate", "--domain", "document", "--n", "12", "--seed", "4", "--workers",
                  "1", "--option", f"document.unanswerable={pct}", "--out", str(out), check=True)  # fmt: skip
        records = list(iter_records(out))
        counts[pct] = sum(q["program"] == "unanswerable" for r in records for q in r["qa"])
        assert counts[pct] == sum(bool(r["spec"]["absent"]) for r in records)
        stats = json.loads((out / "stats.json").read_text())
        assert stats["program"].get("unanswerable", 0) == counts[pct]
    assert counts["0"] == 0
    assert counts["100"] >= 8  # every page with a field it can do without (most)
    bad = synth_cmd("generate", "--domain", "table", "--n", "2", "--option",
                    "table.unanswerable=150", "--out", str(tmp_path / "bad"))  # fmt: skip
    assert bad.returncode == 2
    assert "table.unanswerable must be a whole number from 0 to 100" in bad.stderr


def test_a_table_lacks_a_row_of_its_kind_and_is_asked_as_its_rows_are() -> None:
    """Tables had no unanswerable questions at all (no labelled fields to leave off). Now a
    table may lack the row of a category drawn for it, the first or last of a run such as
    months (no gap shows), and is asked for it in the table look-up's own words. At 100%,
    every table of short-format style drawn with more than three categories lacks one,
    unless its title names the category (a span such as "Aug–Dec")."""
    import synth
    from synth.generators.table import TableGenerator

    asked = lacking = lacking_possible = 0
    for seed in range(24):
        sample = TableGenerator(unanswerable=100).sample(rng=np.random.default_rng(seed))
        record = synth.render(sample).record
        spec = record["spec"]
        t = spec["blocks"][0]
        labels = [str(row[0]) for row in t["rows"]]
        if spec["kind"] != "merged" and len(labels) > 3 and not t["absent_rows"]:
            # it had more than 3 categories: kept whole only when its title names its span
            assert labels[0] in spec["title"] or labels[-1] in spec["title"], seed
        lacking_possible += spec["kind"] != "merged" and len(labels) > 3
        for label in t["absent_rows"]:
            lacking += 1
            assert (
                label not in labels
                and label.lower() not in record["annotations"]["transcription"].lower()
            )
            months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                      "Nov", "Dec"]  # fmt: skip
            if label in months and all(x in months for x in labels):  # a run: an end is left off
                i = months.index(label)
                assert months[i + 1 : i + 2] == labels[:1] or months[i - 1 : i] == labels[-1:]
        for q in record["qa"]:
            if q["program"] != "unanswerable":
                continue
            asked += 1
            label, c = q["params"]["row_label"], q["params"]["column"]
            column = (t["columns"][c]["name"] if not t["columns"][c].get("group")
                      else None)  # fmt: skip
            worded = {
                p.format(column=column, row=label, where="").lower()
                for p in phrasings("page_questions")["table_lookup"]
            }
            if column is not None:
                assert q["question"].lower() in worded, q["question"]
            assert label in q["question"] and q["answer"] == "not stated"
    assert lacking >= 12 and asked >= 10 and lacking >= 0.7 * lacking_possible
    none = TableGenerator(unanswerable=0).sample(rng=np.random.default_rng(3)).spec
    assert none.blocks[0].absent_rows == ()
