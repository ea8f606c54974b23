"""A sample that fails its own checks never becomes a record: it is a typed ``rejected``
failure that names the checks and the evidence, the run goes on, and ``validate`` calls a
record with a failed check a problem."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from synth._seeding import sample_rng, sample_seed
from synth.dataset import iter_records

from .conftest import PACKS, failures_by_index, synth_cmd

sys.path.insert(0, str(PACKS))
import offcanvas_pack  # noqa: E402

ENV = {"SYNTH_DOMAINS": "offcanvas=offcanvas_pack:DOMAIN", "PYTHONPATH": str(PACKS)}


def test_a_sample_off_its_canvas_is_a_rejected_failure_not_a_record(tmp_path: Path) -> None:
    n, seed = 12, 5
    spills = {
        i
        for i in range(n)
        if offcanvas_pack.spills(
            offcanvas_pack.DOMAIN.sample(rng=sample_rng(sample_seed(seed, "offcanvas", i)))
        )
    }
    assert 0 < len(spills) < n, "the seed draws both kinds of sample"
    out = tmp_path / "o"
    synth_cmd("generate", "--domain", "offcanvas", "--n", str(n), "--seed", str(seed),
              "--workers", "2", "--max-failures", str(n), "--out", str(out), env=ENV, check=True)  # fmt: skip
    failures = failures_by_index(out)
    assert set(failures) == spills
    for f in failures.values():
        assert f["kind"] == "rejected"
        assert "boxes_on_canvas" in f["message"] and "value 'Total'" in f["message"]
    records = list(iter_records(out))
    assert sorted(r["seed"]["index"] for r in records) == sorted(set(range(n)) - spills)
    assert all(all(r["checks"].values()) for r in records)
    stats = json.loads((out / "stats.json").read_text())
    assert stats["failures"] == {"rejected": len(spills)}


def test_validate_calls_a_record_with_a_failed_check_a_problem(tmp_path: Path) -> None:
    """A dataset written before this rule (or edited, its manifest made to agree) is not ok."""
    import hashlib
    import io
    import tarfile

    out = tmp_path / "o"
    synth_cmd("generate", "--domain", "table", "--n", "2", "--workers", "1", "--out", str(out),
              check=True)  # fmt: skip
    assert json.loads(synth_cmd("validate", str(out)).stdout)["ok"]
    shard = out / "shards" / "shard-000000.tar"
    with tarfile.open(shard) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(shard, "w") as tar:
        for m, data in members:
            if m.name.endswith("000000001.json"):
                record = json.loads(data)
                record["checks"]["text_not_clipped"] = False
                data = json.dumps(record).encode()
                m.size = len(data)
            tar.addfile(m, io.BytesIO(data))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["shards"][0]["sha256"] = hashlib.sha256(shard.read_bytes()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest))
    report = json.loads(synth_cmd("validate", str(out)).stdout)
    assert not report["ok"]
    assert any("failed its own check text_not_clipped" in p for p in report["problems"]), report


def test_a_screen_whose_content_runs_past_its_bottom_is_refit_to_its_content() -> None:
    """Issue 19: 3 of 150 screens (seed 0) had their last table rows below the screen and
    were rejected. Such a page is now made as tall as its content (a full-page capture),
    with every check passing and the spec saying so (height 0: fit)."""
    from synth.build import build_record
    from synth.generators.screen import DOMAIN as SCREEN
    from synth.legibility import grey

    refit = 0
    for index in range(150):
        seed = sample_seed(0, "screen", index)
        sample = SCREEN.sample(rng=sample_rng(seed))
        fixed = sample.spec.style.height_px
        at_fixed = SCREEN.render(sample)
        if all(e["bbox"][1] + e["bbox"][3] <= fixed + 1 for e in at_fixed.elements):
            continue
        record, png, _ = build_record(SCREEN, index=index, seed=seed, run_seed=0)
        assert record.spec["style"]["height_px"] == 0
        assert record.image["height"] > fixed
        assert all(record.checks.values())
        assert grey(png).shape == (record.image["height"], record.image["width"])
        # its code renders alone at the same size (synth reproduce reads the body's height)
        assert re.search(r"body \{ width: \d+px; height:", record.code["source"]) is None
        refit += 1
        if refit == 2:
            break
    assert refit >= 1, "some screen of the 150 runs past its bottom"
