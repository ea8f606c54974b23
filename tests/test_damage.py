"""Damaged data: validate reports it (exit 1, no traceback); resume verifies every shard and
log line before trusting it; --overwrite never deletes what synth did not make."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pytest

from .conftest import shard_bytes, synth_cmd

ARGS = ["--domain", "chart", "--n", "20", "--seed", "5", "--shard-size", "6", "--workers", "2"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("damage") / "clean"
    synth_cmd("generate", *ARGS, "--out", str(out), check=True)
    return out


def _copy(clean: Path, tmp_path: Path) -> Path:
    out = tmp_path / "copy"
    shutil.copytree(clean, out)
    return out


def _flip_json_byte(shard: Path) -> None:
    """Make one record's JSON invalid UTF-8, keeping the tar well formed."""
    with tarfile.open(shard) as tar:
        member = next(m for m in tar if m.name.endswith(".json"))
        offset = member.offset_data + 10
    data = bytearray(shard.read_bytes())
    data[offset] = 0xFF
    shard.write_bytes(bytes(data))


def _validate(out: Path) -> tuple[int, dict, str]:
    proc = synth_cmd("validate", str(out))
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def test_validate_passes_a_clean_dataset(clean: Path) -> None:
    code, report, _ = _validate(clean)
    assert code == 0 and report["ok"] and report["samples"] == 20


def test_validate_reports_a_truncated_shard(clean: Path, tmp_path: Path) -> None:
    out = _copy(clean, tmp_path)
    shard = out / "shards" / "shard-000001.tar"
    shard.write_bytes(shard.read_bytes()[:3000])
    code, report, _ = _validate(out)
    assert code == 1 and not report["ok"]
    assert report["problems"]["shard checksum differs from manifest"] == 1
    assert report["problems"]["unreadable shard (ReadError: unexpected end of data)"] == 1
    assert report["samples"] == 14, "the samples before the cut are still checked"
    assert any("shard-000001.tar" in e for e in report["examples"])


def test_validate_reports_a_record_that_is_not_utf8(clean: Path, tmp_path: Path) -> None:
    out = _copy(clean, tmp_path)
    _flip_json_byte(out / "shards" / "shard-000002.tar")
    code, report, _ = _validate(out)
    assert code == 1
    assert report["problems"].get("record is not valid JSON (UnicodeDecodeError)") == 1
    assert report["samples"] == 20, "the other records are still checked"


def test_validate_fails_a_dataset_with_no_samples(tmp_path: Path) -> None:
    """Every sample fails (a pack whose render raises; a tiny --timeout let a fast sample
    through now and then)."""
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "failing_pack.py").write_text(
        "from synth.generators.chart import DOMAIN as CHART\n"
        "from synth.pack import DomainPack\n\n\n"
        "class Failing(DomainPack):\n"
        "    name, version, install_hint = 'failing', '1', 'nothing'\n"
        "    languages = ('python-matplotlib',)\n\n"
        "    def sample(self, *, rng):\n"
        "        return CHART.sample(rng=rng)\n\n"
        "    def render(self, sample):\n"
        "        raise RuntimeError('this pack never draws')\n\n"
        "    def questions(self, sample, rendered, *, rng):\n"
        "        return []\n\n\n"
        "DOMAIN = Failing()\n"
    )
    env = {"SYNTH_DOMAINS": "failing=failing_pack:DOMAIN", "PYTHONPATH": str(packs)}
    out = tmp_path / "none"
    proc = synth_cmd("generate", "--domain", "failing", "--n", "3", "--out", str(out), env=env)
    assert proc.returncode == 1 and "this pack never draws" in proc.stderr
    code, report, _ = _validate(out)
    assert code == 1 and report["samples"] == 0 and sum(report["failed"].values()) == 3


def test_resume_rebuilds_a_damaged_shard_and_repairs_the_log(clean: Path, tmp_path: Path) -> None:
    out = _copy(clean, tmp_path)
    _flip_json_byte(out / "shards" / "shard-000000.tar")
    (out / "shards" / "shard-000003.tar").unlink()  # a missing one
    state = out / ".synth" / "state.jsonl"
    lines = state.read_text().splitlines()
    lines[1] = "{}"  # shard 1's entry is damaged
    forged = json.loads(lines[2])  # shard 2's: its sha256 right, its stats not numbers
    forged["stats"]["questions"] = "many"
    lines.append(json.dumps(forged))
    lines.insert(2, "garbage \x00 not json")
    state.write_text("\n".join(lines) + "\n")
    proc = synth_cmd("generate", *ARGS, "--out", str(out), "--resume")
    assert proc.returncode == 0, proc.stderr
    assert "shard-000000.tar differs from the sha256" in proc.stderr
    assert "line 2 is damaged" in proc.stderr and "line 3 is damaged" in proc.stderr
    assert "line 6 is damaged (no stats of the shard's shape" in proc.stderr
    assert "shard-000001.tar is not in the resume log" in proc.stderr
    assert "shard-000003.tar is in the resume log but missing" in proc.stderr
    assert shard_bytes(out) == shard_bytes(clean)
    for name in ("manifest.json", "failures.jsonl", "stats.json", "balance.json"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    repaired = [json.loads(line) for line in state.read_text().splitlines()]
    assert sorted(e["shard"] for e in repaired) == [0, 1, 2, 3]
    again = synth_cmd("generate", *ARGS, "--out", str(out), "--resume")
    assert again.returncode == 0 and "resume:" not in again.stderr, "repaired once"


def test_a_log_line_pointing_outside_the_shards_is_refused(clean: Path, tmp_path: Path) -> None:
    out = _copy(clean, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    state = out / ".synth" / "state.jsonl"
    entry = json.loads(state.read_text().splitlines()[0])
    entry["file"] = "../../victim.txt"
    with open(state, "a") as f:
        f.write(json.dumps(entry) + "\n")
    proc = synth_cmd("generate", *ARGS, "--out", str(out), "--resume")
    assert proc.returncode == 0 and "is not shard-000000.tar" in proc.stderr
    assert victim.read_text() == "keep me"
    assert shard_bytes(out) == shard_bytes(clean)


def test_overwrite_never_deletes_a_folder_synth_did_not_mark(tmp_path: Path) -> None:
    out = tmp_path / "theirs"
    (out / "shards").mkdir(parents=True)
    (out / "shards" / "precious.tar").write_bytes(b"theirs")
    (out / "manifest.json").write_text("{}")
    proc = synth_cmd("generate", "--n", "2", "--out", str(out), "--overwrite")
    assert proc.returncode == 2 and "not made by synth" in proc.stderr
    assert (out / "shards" / "precious.tar").read_bytes() == b"theirs"
    assert (out / "manifest.json").read_text() == "{}"
