"""Round trips through the ecosystem's own readers: webdataset, datasets, LLaVA JSON."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from synth._errors import ConfigError
from synth.dataset import iter_samples
from synth.exporters import export

from .conftest import SANDBOX_ARGS, synth_cmd


def test_webdataset_reads_the_shards(small_run: Path) -> None:
    import webdataset as wds

    urls = sorted(str(p) for p in (small_run / "shards").glob("*.tar"))
    samples = list(wds.WebDataset(urls, shardshuffle=False).decode("pil"))
    assert len(samples) == 24
    for s in samples:
        record = s["json"]
        assert s["__key__"] == record["id"]
        assert s["png"].size == (record["image"]["width"], record["image"]["height"])


def test_hf_parquet_loads_with_datasets_and_decodes_images(small_run: Path, tmp_path: Path) -> None:
    import datasets

    export(small_run, "hf", tmp_path / "hf")
    ds = datasets.load_dataset("parquet", data_dir=str(tmp_path / "hf" / "data"), split="train")
    assert len(ds) == 24
    row = ds[0]
    first = next(iter_samples(small_run))[0]
    assert isinstance(row["image"], Image.Image) and row["image"].size == (
        first["image"]["width"],
        first["image"]["height"],
    )
    assert row["id"] == first["id"] and row["questions"][0] == first["qa"][0]["question"]
    assert json.loads(row["qa"][0]["value"]) == first["qa"][0]["answer"]
    assert row["qa"][0]["program"] == first["qa"][0]["program"]
    assert all(isinstance(q["answer"], str) for q in row["qa"]), "one type per column"
    # the card's configs: one per domain and all
    by_card = datasets.load_dataset(str(tmp_path / "hf"), "chart", split="train")
    assert len(by_card) == 24 and by_card[0]["id"] == first["id"]
    assert len(datasets.load_dataset(str(tmp_path / "hf"), "all", split="train")) == 24


def test_llava_turns_alternate_and_open_with_the_image(small_run: Path, tmp_path: Path) -> None:
    path = export(small_run, "llava", tmp_path / "llava")
    items = json.loads(path.read_text())
    assert len(items) == 24
    for item in items:
        turns = item["conversations"]
        assert [t["from"] for t in turns] == ["human", "gpt"] * (len(turns) // 2)
        assert turns[0]["value"].startswith("<image>\n")
        assert all("<image>" not in t["value"] for t in turns[1:])
        assert Image.open(tmp_path / "llava" / item["image"]).size[0] > 0


def test_preview_and_validate(small_run: Path, tmp_path: Path) -> None:
    proc = synth_cmd(
        "preview", str(small_run), "--n", "6", "--out", str(tmp_path / "s.png"), check=True
    )
    assert proc.returncode == 0
    with Image.open(tmp_path / "s.png") as img:
        assert img.size == (3 * 320, 2 * (240 + 64))
    report = json.loads(synth_cmd("validate", str(small_run), check=True).stdout)
    assert report["ok"] and report["samples"] == 24 and report["complete"]


def test_validate_catches_a_tampered_shard(small_run: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(small_run, copy)
    shard = sorted((copy / "shards").glob("*.tar"))[0]
    data = bytearray(shard.read_bytes())
    data[-2000] ^= 0xFF
    shard.write_bytes(bytes(data))
    proc = synth_cmd("validate", str(copy))
    assert proc.returncode == 1 and "checksum" in proc.stdout


def test_preview_writes_beside_the_data_or_to_stdout_and_shows_a_readable_question(
    small_run: Path, tmp_path: Path
) -> None:
    import shutil
    import subprocess
    import sys

    from synth.preview import shown_question

    copy = tmp_path / "copy"
    shutil.copytree(small_run, copy)
    proc = synth_cmd("preview", str(copy), "--n", "4", check=True)
    assert proc.stdout == "" and "preview.png" in proc.stderr
    assert Image.open(copy / "preview.png").format == "PNG"
    png = subprocess.run(
        [sys.executable, "-m", "synth.cli", "preview", str(small_run), "--n", "4", "--out", "-"],
        capture_output=True,
        check=True,
    ).stdout
    assert Image.open(io.BytesIO(png)).format == "PNG"
    missing = synth_cmd("preview", str(small_run), "--out", str(tmp_path / "no" / "s.png"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    qa = [
        {"program": "point", "answer_type": "point", "question": "Where?"},
        {"program": "unanswerable", "answer_type": "text", "question": "The fax?"},
        {"program": "lookup", "answer_type": "number", "question": "The total?"},
    ]
    assert shown_question(qa) == qa[2]
    assert shown_question(qa[:2]) == qa[0] and shown_question([]) is None


def test_reproduce_rerenders_a_record_bit_for_bit(small_run: Path, tmp_path: Path) -> None:
    first = next(iter_samples(small_run))
    proc = synth_cmd(
        "reproduce",
        str(small_run),
        first[0]["id"],
        "--out",
        str(tmp_path / "again.png"),
        *SANDBOX_ARGS,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["identical"] is True
    assert (tmp_path / "again.png").read_bytes() == first[1]
    missing = synth_cmd("reproduce", str(small_run), "chart-bar-999999999", *SANDBOX_ARGS)
    assert missing.returncode == 2 and "no record" in missing.stderr
    assert first[0]["id"] in missing.stderr, "the error shows ids that exist"
    by_index = synth_cmd("reproduce", str(small_run), "7", *SANDBOX_ARGS)
    seventh = json.loads(by_index.stdout)
    assert (
        by_index.returncode == 0 and seventh["identical"] and seventh["id"].endswith("-000000007")
    )


def test_render_code_writes_the_png_or_a_typed_failure(tmp_path: Path) -> None:
    import numpy as np

    from synth.generators.chart import ChartGenerator

    script = tmp_path / "chart.py"
    script.write_text(
        ChartGenerator(renderer="matplotlib").sample(rng=np.random.default_rng(4)).code.source
    )
    ok = synth_cmd("render-code", str(script), "--out", str(tmp_path / "c.png"), *SANDBOX_ARGS)
    assert (
        ok.returncode == 0
        and json.loads(ok.stdout)["ok"]
        and (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
    )
    bad = tmp_path / "bad.py"
    bad.write_text("raise ValueError('nope')\n")
    failed = synth_cmd("render-code", str(bad), "--out", str(tmp_path / "b.png"), *SANDBOX_ARGS)
    assert failed.returncode == 1 and json.loads(failed.stdout)["kind"] == "exception"


def test_render_code_tells_the_language_from_the_file_and_refuses_what_it_cannot(
    tmp_path: Path,
) -> None:
    import numpy as np

    from synth.generators.chart import ChartGenerator

    fig = tmp_path / "fig.json"  # a Plotly figure: not run as Python
    fig.write_text(
        ChartGenerator(renderer="plotly").sample(rng=np.random.default_rng(4)).code.source
    )
    ok = synth_cmd("render-code", str(fig), "--out", str(tmp_path / "f.png"), *SANDBOX_ARGS)
    assert ok.returncode == 0 and json.loads(ok.stdout)["language"] == "plotly-json", ok.stderr
    other = tmp_path / "other.json"
    other.write_text('{"rows": [1, 2]}')
    unsure = synth_cmd("render-code", str(other), "--out", str(tmp_path / "o.png"))
    assert unsure.returncode == 2 and "--language" in unsure.stderr and "mermaid" in unsure.stderr
    unknown = synth_cmd("render-code", str(fig), "--language", "cobol", "--out", "x.png")
    assert unknown.returncode == 2 and "plotly-json" in unknown.stderr
    listed = synth_cmd("render-code", "--help")
    assert "synth-scene-json" in listed.stdout
    nowhere = synth_cmd("render-code", str(fig), "--out", str(tmp_path / "no" / "f.png"))
    assert nowhere.returncode == 2 and "does not exist" in nowhere.stderr


def test_answer_text_writes_every_answer_type() -> None:
    from synth.exporters import answer_text

    eight = [f"option {i}" for i in range(8)]
    assert answer_text({"answer_type": "choice", "answer": "option 6", "choices": eight}) == (
        "(G) option 6"
    )
    assert (
        answer_text({"answer_type": "box", "answer": [10.4, 20.6, 30.0, 5.2]}) == "[10, 21, 30, 5]"
    )
    assert answer_text({"answer_type": "point", "answer": [3.4, 9.6]}) == "(3, 10)"
    assert answer_text({"answer_type": "bool", "answer": False}) == "No"


def test_validate_catches_a_balance_plan_that_does_not_match(
    small_run: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(small_run, copy)
    plan = json.loads((copy / "balance.json").read_text())
    group = next(iter(plan["groups"]))
    plan["groups"][group]["questions"] += 1
    (copy / "balance.json").write_text(json.dumps(plan))
    proc = synth_cmd("validate", str(copy))
    assert proc.returncode == 1 and "synth balance" in proc.stdout


def test_a_multiple_choice_prompt_lists_the_options_its_answer_names(tmp_path: Path) -> None:
    """A LLaVA answer "(C) Bread" is learnable only if the prompt lists (A)..(D): every domain's
    choice questions carry their options, and records without them get them on export."""
    from synth.exporters import answer_text, question_text

    out = tmp_path / "docs"
    synth_cmd(
        "generate", "--domain", "document", "--n", "12", "--seed", "4", "--out", str(out),
        "--workers", "2", *SANDBOX_ARGS, check=True,
    )  # fmt: skip
    path = export(out, "llava", tmp_path / "llava", balanced=False)
    asked = 0
    for item in json.loads(path.read_text()):
        turns = item["conversations"]
        for human, gpt in zip(turns[::2], turns[1::2], strict=True):
            chosen = re.fullmatch(r"\(([A-H])\) (.+)", gpt["value"])
            if chosen is None:
                continue
            asked += 1
            assert f"({chosen[1]}) {chosen[2]}" in human["value"], (human, gpt)
    assert asked >= 3, "the run asked multiple-choice questions"
    old = {"question": "Which way is the car facing?", "answer_type": "choice",
           "answer": "left", "choices": ["front", "left", "back"]}  # fmt: skip
    assert question_text(old) == (
        "Which way is the car facing? Options: (A) front; (B) left; (C) back."
    )
    assert answer_text(old) == "(B) left"


def test_exports_rerun_into_their_folder_keep_the_record_and_balance_by_default(
    small_run: Path, tmp_path: Path
) -> None:
    """What mutation testing found unchecked: exporting again into the same folder works
    (and leaves no stale rows), the hf record column holds the whole record but its code,
    and export() applies the run's answer balancing unless told not to."""
    import shutil

    import pyarrow.parquet as pq

    from synth.balance import Rule, write

    copy = tmp_path / "run"
    shutil.copytree(small_run, copy)
    write(copy, 11, Rule(keep_min=0.0, min_group=1))  # a plan that drops questions
    for fmt in ("llava", "hf"):
        export(copy, fmt, tmp_path / fmt)
        export(copy, fmt, tmp_path / fmt)  # again, into the same folder
    files = sorted(str(f.relative_to(tmp_path / "hf" / "data"))
                   for f in (tmp_path / "hf" / "data").rglob("*.parquet"))  # fmt: skip
    assert files == ["chart/train-00000-of-00001.parquet"], "the train split's name, nothing stale"
    rows = pq.read_table(tmp_path / "hf" / "data" / "chart").to_pylist()
    assert len(rows) == 24
    record = json.loads(rows[0]["record"])
    first = next(iter_samples(copy))[0]
    assert "code" not in record and set(record) == set(first) - {"code"}
    everything = sum(len(r["qa"]) for r, _ in iter_samples(copy))
    kept = sum(len(r["qa"]) for r in rows)
    assert kept < everything, "the default export applies balance.json"
    llava = json.loads((tmp_path / "llava" / "llava.json").read_text())
    assert sum(len(item["conversations"]) // 2 for item in llava) == kept


def _kept_qas(run: Path) -> list[dict]:  # type: ignore[type-arg]
    return [q for r, _ in iter_samples(run, balanced=True) for q in r["qa"]]


def test_sharegpt_llamafactory_swift_and_molmo_load_as_their_tools_read_them(
    small_run: Path, tmp_path: Path
) -> None:
    """Each loads with datasets' own json reader; turns alternate user/assistant, the first
    opened by <image>; every kept question is asked once, its image beside it."""
    import datasets

    qas = _kept_qas(small_run)
    for fmt, name in (("sharegpt", "sharegpt.json"), ("llamafactory", "sharegpt.json"),
                      ("swift", "swift.jsonl"), ("molmo", "molmo.jsonl")):  # fmt: skip
        out = tmp_path / fmt
        export(small_run, fmt, out)
        ds = datasets.load_dataset("json", data_files=str(out / name), split="train")
        assert len(ds) == 24, fmt
        asked = 0
        for row in ds:
            roles = [m["role"] for m in row["messages"]]
            assert roles == ["user", "assistant"] * (len(roles) // 2), fmt
            first = row["messages"][0]["content"]
            assert first.startswith("<image>") == (fmt != "molmo"), fmt
            image = row["images"][0] if fmt != "molmo" else row["image"]
            assert Image.open(out / image).size[0] > 0
            asked += len(roles) // 2
        assert asked == len(qas), fmt
        assert "| chart | 24 |" in (out / "README.md").read_text()
    info = json.loads((tmp_path / "llamafactory" / "dataset_info.json").read_text())
    entry = info["synth"]
    assert (
        entry["formatting"] == "sharegpt"
        and (tmp_path / "llamafactory" / entry["file_name"]).exists()
    )
    assert entry["tags"] == {"role_tag": "role", "content_tag": "content", "user_tag": "user",
                             "assistant_tag": "assistant"}  # fmt: skip


def test_points_and_boxes_in_every_coordinate_system() -> None:
    from synth.exporters import Style, answer_text, question_text, reply

    point = {"question": "Where is X?", "answer_type": "point", "answer": [320.0, 60.0],
             "reasoning": "It is at (320, 60). So the answer is [320.0, 60.0]."}  # fmt: skip
    box = {"question": "Box X.", "answer_type": "box", "answer": [64.0, 48.0, 128.0, 96.0]}
    size = (640, 480)
    assert answer_text(point, size) == "(320, 60)"
    assert answer_text(point, size, Style("norm1")) == "(0.500, 0.125)"
    assert answer_text(point, size, Style("norm1000")) == "(500, 125)"
    assert answer_text(box, size) == "[64, 48, 128, 96]"
    assert answer_text(box, size, Style(box_format="xyxy")) == "[64, 48, 192, 144]"
    assert answer_text(box, size, Style("norm1000", "xyxy")) == "[100, 100, 300, 300]"
    assert answer_text(box, size, Style("norm1")) == "[0.100, 0.100, 0.200, 0.200]"
    assert question_text(point, size).endswith(
        "(x, y) in pixels from the top-left corner of the 640x480 image."
    )
    assert "[x1, y1, x2, y2] on a 0-1000 scale" in question_text(
        box, size, Style("norm1000", "xyxy")
    )
    assert (
        reply(point, size, Style(reasoning=True))
        == "It is at (320, 60). So the answer is (320, 60)."
    )
    assert reply(point, size, Style("norm1", reasoning=True)) == "(0.500, 0.125)", (
        "pixel steps dropped"
    )
    with pytest.raises(ConfigError, match="--coords must be one of"):
        Style("percent")


def test_with_reasoning_and_norm1000_from_the_command_line(small_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "sg"
    synth_cmd("export", str(small_run), "--format", "sharegpt", "--out", str(out),
              "--coords", "norm1000", "--with-reasoning", check=True)  # fmt: skip
    items = json.loads((out / "sharegpt.json").read_text())
    records = {r["id"]: r for r, _ in iter_samples(small_run, balanced=True)}
    seen = {"point": 0, "other": 0}
    for item in items:
        record = records[Path(item["images"][0]).stem]
        w, h = record["image"]["width"], record["image"]["height"]
        for qa, answer in zip(record["qa"], item["messages"][1::2], strict=True):
            if qa["answer_type"] == "point":
                x, y = (float(v) for v in answer["content"].strip("()").split(","))
                assert (
                    abs(x - 1000 * qa["answer"][0] / w) <= 0.5
                    and abs(y - 1000 * qa["answer"][1] / h) <= 0.5
                )
                seen["point"] += 1
            else:
                steps = qa["reasoning"].rsplit(" So the answer is ", 1)[0]
                assert (
                    answer["content"].startswith(steps)
                    and " So the answer is " in answer["content"]
                )
                seen["other"] += 1
    assert seen["point"] >= 5 and seen["other"] >= 20, seen
    bad = synth_cmd("export", str(small_run), "--format", "sharegpt", "--out", str(out),
                    "--coords", "percent")  # fmt: skip
    assert bad.returncode == 2 and "norm1000" in bad.stderr


def test_coco_loads_with_pycocotools_and_boxes_are_the_render_facts(
    small_run: Path, tmp_path: Path
) -> None:
    from pycocotools.coco import COCO

    path = export(small_run, "coco", tmp_path / "coco")
    coco = COCO(str(path))
    records = [r for r, _ in iter_samples(small_run)]
    assert len(coco.getImgIds()) == 24
    for n, record in enumerate(records, start=1):
        img = coco.loadImgs(n)[0]
        assert img["synth_id"] == record["id"] and (tmp_path / "coco" / img["file_name"]).exists()
        want = [
            e for e in record["annotations"]["elements"] if e["bbox"][2] > 0 and e["bbox"][3] > 0
        ]
        anns = coco.loadAnns(coco.getAnnIds(imgIds=n))
        assert len(anns) == len(want)
        for a, e in zip(anns, want, strict=True):
            assert a["bbox"] == [round(v, 2) for v in e["bbox"]]
            assert coco.loadCats(a["category_id"])[0]["name"] == f"chart/{e['role']}"
            assert a["attributes"]["label"] == e.get("label", "")


def test_molmo_points_are_on_a_0_to_100_scale_with_the_target_as_alt(
    small_run: Path, tmp_path: Path
) -> None:
    path = export(small_run, "molmo", tmp_path / "molmo")
    records = {r["id"]: r for r, _ in iter_samples(small_run, balanced=True)}
    points = 0
    for line in path.read_text().splitlines():
        item = json.loads(line)
        record = records[item["id"]]
        w, h = record["image"]["width"], record["image"]["height"]
        for qa, answer in zip(record["qa"], item["messages"][1::2], strict=True):
            if qa["answer_type"] != "point":
                continue
            m = re.fullmatch(
                r'<point x="([\d.]+)" y="([\d.]+)" alt="([^"]+)">(.+)</point>', answer["content"]
            )
            assert m is not None, answer
            assert abs(float(m[1]) - 100 * qa["answer"][0] / w) <= 0.05
            assert abs(float(m[2]) - 100 * qa["answer"][1] / h) <= 0.05
            assert m[3] == m[4]
            points += 1
    assert points >= 5
