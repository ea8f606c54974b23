"""--degrade scan: the image is rotated, blurred, noised and JPEG-compressed, and every box and
point moves with it."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synth.config import RunConfig
from synth.dataset import iter_samples
from synth.degrade import ScanParams, scan
from synth.record import QA, Rendered

from .conftest import SANDBOX_ARGS, synth_cmd


def _square_page(x: int, y: int) -> Rendered:
    a = np.full((300, 400, 3), 255, np.uint8)
    a[y : y + 20, x : x + 30] = 0
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    box = [float(x), float(y), 30.0, 20.0]
    return Rendered(buf.getvalue(), 400, 300, ({"label": "sq", "role": "field", "bbox": box},), "t")


@pytest.mark.parametrize("angle", [1.5, -1.5, 8.0])
def test_boxes_and_points_follow_the_pixels(angle: float) -> None:
    page = _square_page(300, 40)
    q = QA(
        "q0",
        "Point to it.",
        [314.5, 49.5],
        "point",
        "r",
        "point",
        {},
        ("grounding",),
        1,
        tolerance={"box": [300.0, 40.0, 30.0, 20.0]},
    )
    out, (moved,) = scan(page, [q], ScanParams(angle, 0.3, 2.0, 85), seed=1)
    gray = np.asarray(Image.open(io.BytesIO(out.png)).convert("L"))
    ys, xs = np.nonzero(gray < 100)
    assert abs(xs.mean() - moved.answer[0]) < 1.0 and abs(ys.mean() - moved.answer[1]) < 1.0
    x, y, w, h = out.elements[0]["bbox"]
    assert (
        x - 1 <= xs.min() and xs.max() <= x + w + 1 and y - 1 <= ys.min() and ys.max() <= y + h + 1
    )
    assert moved.tolerance["box"] == out.elements[0]["bbox"]
    again, _ = scan(page, [q], ScanParams(angle, 0.3, 2.0, 85), seed=1)
    assert again.png == out.png  # deterministic


def test_degrade_is_in_the_config_hash_only_when_on(tmp_path: Path) -> None:
    plain = RunConfig(out=str(tmp_path))
    assert "degrade" not in plain.content()  # datasets made before the flag keep their hash
    assert RunConfig(out=str(tmp_path), degrade="scan").content_hash() != plain.content_hash()
    proc = synth_cmd("generate", "--out", str(tmp_path / "x"), "--degrade", "blurry")
    assert proc.returncode == 2 and "none" in proc.stderr and "scan" in proc.stderr


@pytest.mark.skipif(shutil.which("chromium") is None, reason="apt-get install chromium")
def test_scanned_documents_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "scans"
    synth_cmd(
        "generate",
        "--domain",
        "document",
        "--n",
        "4",
        "--workers",
        "2",
        "--degrade",
        "scan",
        "--out",
        str(out),
        check=True,
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["degrade"] == "scan"
    for record, png in iter_samples(out):
        deg = record["annotations"]["degradation"]
        assert deg["mode"] == "scan" and -1.5 <= deg["angle_deg"] <= 1.5
        assert all(record["checks"].values()), record["checks"]
        with Image.open(io.BytesIO(png)) as im:
            assert im.size == (record["image"]["width"], record["image"]["height"])
        for q in record["qa"]:
            if q["answer_type"] == "point":
                x, y, w, h = q["tolerance"]["box"]
                assert x <= q["answer"][0] <= x + w and y <= q["answer"][1] <= y + h
    record = next(iter_samples(out))[0]
    again = synth_cmd("reproduce", str(out), str(record["seed"]["index"]), *SANDBOX_ARGS)
    report = json.loads(again.stdout)
    assert again.returncode == 0 and report["identical"] and report["degraded"] == "scan", report
