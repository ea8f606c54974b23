"""synth eval: each metric against hand-computed cases, and a simulated student whose known
weaknesses the report must show, and only those."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.dataset import iter_samples
from synth.evaluate import anls, iou, numbers, read_predictions, score, wilson

from .conftest import synth_cmd

SIZE = (640, 480)


def test_anls_iou_and_numbers_by_hand() -> None:
    assert anls("Kitchen ", "kitchen") == 1.0
    assert anls("kitchn", "kitchen") == pytest.approx(1 - 1 / 7)
    assert anls("abc", "xyz") == 0.0
    assert anls("abcd", "abxy") == 0.0, "an edit distance of half the length scores 0"
    assert iou([0, 0, 10, 10], [5, 0, 10, 10]) == pytest.approx(50 / 150)
    assert iou([0, 0, 10, 10], [20, 20, 5, 5]) == 0.0
    assert numbers("about $1,234.5 million, not −3") == [1234.5, -3.0]
    assert wilson(0, 0) == (0.0, 1.0)
    lo, hi = wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)


def _q(kind: str, answer: object, **extra: object) -> dict:  # type: ignore[type-arg]
    return {"answer_type": kind, "answer": answer, **extra}


@pytest.mark.parametrize(
    ("qa", "prediction", "want"),
    [
        (_q("number", 100), "104", 1.0),  # relaxed: within 5%
        (_q("number", 100), "106 units", 0.0),
        (_q("number", 100, tolerance=2), "102.0", 1.0),  # the record's own tolerance
        (_q("number", 100, tolerance=2), "103", 0.0),
        (_q("number", 0), "0", 1.0),
        (_q("number", -12.5), "−12.5", 1.0),
        (_q("bool", True), "Yes, it is.", 1.0),
        (_q("bool", False), "True", 0.0),
        (_q("choice", "left", choices=["front", "left", "back"]), "(B) left", 1.0),
        (_q("choice", "left", choices=["front", "left", "back"]), "B", 1.0),
        (_q("choice", "left", choices=["front", "left", "back"]), "C.", 0.0),
        (_q("choice", "left", choices=["front", "left", "back"]), "Left", 1.0),
        (_q("point", [50, 50], tolerance={"box": [40, 40, 20, 20]}), "(59, 41)", 1.0),
        (_q("point", [50, 50], tolerance={"box": [40, 40, 20, 20]}), "(61, 50)", 0.0),
        (_q("box", [0, 0, 10, 10]), "[0, 0, 10, 8]", 1.0),
        (_q("box", [0, 0, 10, 10]), "[5, 5, 10, 10]", 0.0),
        (_q("text", "Sales"), "sales.", 1.0),
    ],
)
def test_each_answer_type_scores_as_its_metric(qa: dict, prediction: str, want: float) -> None:  # type: ignore[type-arg]
    got, parsed = score(qa, prediction, SIZE)
    assert parsed and got == want


def test_other_coordinates_and_what_cannot_be_read() -> None:
    point = _q("point", [320, 240], tolerance={"box": [310, 230, 20, 20]})
    assert score(point, "(0.5, 0.5)", SIZE, coords="norm1") == (1.0, True)
    assert score(point, "(500, 500)", SIZE, coords="norm1000") == (1.0, True)
    assert score(point, "(500, 500)", SIZE) == (0.0, True), "pixels by default"
    box = _q("box", [64, 48, 128, 96])
    assert score(box, "[100, 100, 300, 300]", SIZE, coords="norm1000", box_format="xyxy") == (
        1.0,
        True,
    )
    assert score(_q("number", 5), "I don't know", SIZE) == (0.0, False)
    assert score(_q("bool", True), "maybe", SIZE) == (0.0, False)
    assert score(_q("choice", "a", choices=["a", "b"]), "neither", SIZE) == (0.0, False)
    assert score(_q("point", [1, 1]), "(3)", SIZE) == (0.0, False)


def test_a_bad_predictions_file_exits_2_naming_its_line(small_run: Path, tmp_path: Path) -> None:
    preds = tmp_path / "p.jsonl"
    preds.write_text('{"id": "a", "qid": "q0", "prediction": "1"}\n\n{"id": "a"}\n')
    proc = synth_cmd(
        "eval", str(small_run), "--predictions", str(preds), "--out", str(tmp_path / "e")
    )
    assert proc.returncode == 2 and "p.jsonl:3" in proc.stderr
    preds.write_text("not json\n")
    proc = synth_cmd(
        "eval", str(small_run), "--predictions", str(preds), "--out", str(tmp_path / "e")
    )
    assert proc.returncode == 2 and "p.jsonl:1: not JSON" in proc.stderr
    proc = synth_cmd("eval", str(small_run), "--predictions", str(tmp_path / "none.jsonl"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def _student(record: dict, qa: dict, weak: set[str]) -> str:  # type: ignore[type-arg]
    """Answers right from the record, except on the ``weak`` programs."""
    from synth.exporters import answer_text

    if qa["program"] in weak:
        return {"bool": "No" if qa["answer"] else "Yes", "number": "I cannot tell"}.get(
            qa["answer_type"], "(0, 0)" if qa["answer_type"] == "point" else "zzz"
        )
    return answer_text(qa)


def test_a_student_weak_on_two_programs_shows_exactly_those(
    small_run: Path, tmp_path: Path
) -> None:
    """Every slice the student is sound on scores 1; its two weak programs score 0; missing,
    unknown and unparseable predictions are counted, never dropped."""
    records = [r for r, _ in iter_samples(small_run, balanced=True)]
    programs = sorted({q["program"] for r in records for q in r["qa"]})
    weak = {"extremum", "difference"} & set(programs)
    assert len(weak) == 2, programs
    lines, skipped = [], 0
    for n, record in enumerate(records):
        for k, qa in enumerate(record["qa"]):
            if n == 0 and k == 0:
                skipped += 1  # missing
                continue
            text = _student(record, qa, weak)
            if n % 2:  # the LLaVA export's question ids
                lines.append({"question_id": f"{record['id']}/{qa['id']}", "text": text})
            else:
                lines.append({"id": record["id"], "qid": qa["id"], "prediction": text})
    lines.append({"id": "chart-bar-999999999", "qid": "q0", "prediction": "1"})  # unknown
    preds = tmp_path / "preds.jsonl"
    preds.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    proc = synth_cmd(
        "eval", str(small_run), "--predictions", str(preds), "--out", str(tmp_path / "e")
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "e" / "eval.json").read_text())
    assert (tmp_path / "e" / "eval.png").read_bytes().startswith(b"\x89PNG")
    total = sum(len(r["qa"]) for r in records)
    assert report["counts"] == {"predictions": total, "scored": total - skipped,
                                "missing": skipped, "unknown": 1,
                                "unparseable": report["counts"]["unparseable"]}  # fmt: skip
    by_program = report["slices"]["program"]
    for name, cell in by_program.items():
        program = name.split("/", 1)[1]
        assert cell["accuracy"] == (0.0 if program in weak else 1.0), (name, cell)
    weak_n = sum(by_program[f"chart/{p}"]["n"] for p in weak)
    assert report["slices"]["all"]["all"]["accuracy"] == pytest.approx(
        1 - weak_n / (total - skipped), abs=1e-4
    )
    # "I cannot tell" for a number and "zzz" for a choice cannot be read; a wrong text is read
    unreadable = sum(
        q["program"] in weak and q["answer_type"] in ("number", "choice")
        for r in records
        for q in r["qa"]
        if (r["id"], q["id"]) != (records[0]["id"], records[0]["qa"][0]["id"])
    )
    assert unreadable > 0 and report["counts"]["unparseable"] == unreadable
    assert {f["program"] for f in report["failures"]} == weak
    assert "weakest slices" in proc.stdout and "program" in proc.stdout


def test_llava_export_names_each_turns_question(small_run: Path, tmp_path: Path) -> None:
    from synth.exporters import export

    items = json.loads(export(small_run, "llava", tmp_path / "l").read_text())
    records = {r["id"]: r for r, _ in iter_samples(small_run, balanced=True)}
    for item in items:
        qas = records[item["id"]]["qa"]
        assert item["question_ids"] == [f"{item['id']}/{q['id']}" for q in qas]
        assert len(item["conversations"]) == 2 * len(qas)
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"question_id": items[0]["question_ids"][0], "text": "x"}) + "\n")
    assert list(read_predictions(preds)) == [
        (items[0]["id"], records[items[0]["id"]]["qa"][0]["id"])
    ]


def test_a_student_who_cannot_read_small_text_shows_in_the_text_size_slice(
    small_run: Path, tmp_path: Path
) -> None:
    """Wrong wherever the text a question reads is under 12 px (and right elsewhere): the
    report's small-text slice scores 0, normal text 1, and the weakest slices (those at 0)
    are the small-text one and programs asked only of small text."""
    from synth.evaluate import text_size, weakest
    from synth.exporters import answer_text

    records = [r for r, _ in iter_samples(small_run, balanced=True)]
    sizes = {(r["id"], q["id"]): text_size(r, q) for r in records for q in r["qa"]}
    assert set(sizes.values()) >= {"small", "normal"}, "the run has small and normal text"
    preds = tmp_path / "p.jsonl"
    preds.write_text("".join(
        json.dumps({"id": r["id"], "qid": q["id"],
                    "prediction": "zzz" if sizes[r["id"], q["id"]] == "small" else answer_text(q)}) + "\n"
        for r in records for q in r["qa"]
    ))  # fmt: skip
    out = tmp_path / "e"
    synth_cmd("eval", str(small_run), "--predictions", str(preds), "--out", str(out), check=True)
    report = json.loads((out / "eval.json").read_text())
    size = report["slices"]["text_size"]
    assert size["small"]["accuracy"] == 0.0 and size["normal"]["accuracy"] == 1.0
    assert size["small"]["n"] == sum(v == "small" for v in sizes.values())
    at_zero = {(kind, name) for kind, name, cell in weakest(report) if cell["accuracy"] == 0.0}
    assert ("text_size", "small") in at_zero
    for kind, name in at_zero - {("text_size", "small")}:  # only slices all of small text
        cell = report["slices"][kind][name]
        assert cell["n"] <= size["small"]["n"], (kind, name)
