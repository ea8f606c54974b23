"""A worker that crashes, hangs or raises costs one typed failure; the run goes on intact."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from synth._seeding import sample_rng, sample_seed

from .conftest import PACKS, synth_cmd

sys.path.insert(0, str(PACKS))
import hostile_pack  # noqa: E402


def _modes(n: int, seed: int) -> dict[int, int]:
    return {i: hostile_pack.mode_of(sample_rng(sample_seed(seed, "hostile", i))) for i in range(n)}


def test_crash_hang_and_exception_become_typed_failures(tmp_path: Path) -> None:
    n, seed = 30, 5
    modes = _modes(n, seed)
    assert {3, 5, 7} <= set(modes.values()), "the seed exercises every fault"
    out = tmp_path / "hostile"
    env = {"SYNTH_DOMAINS": "hostile=hostile_pack:DOMAIN", "PYTHONPATH": str(PACKS)}
    proc = synth_cmd(
        "generate",
        "--domain",
        "hostile",
        "--n",
        str(n),
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--workers",
        "2",
        "--timeout",
        "3",
        "--shard-size",
        "12",
        "--max-failures",
        "30",
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    by_index = {f["index"]: f for f in failures}
    want = {3: "crash", 5: "timeout", 7: "exception"}
    assert set(by_index) == {i for i, m in modes.items() if m in want}
    for i, f in by_index.items():
        assert f["kind"] == want[modes[i]], f
        assert f["seed"] == sample_seed(seed, "hostile", i) and f["domain"] == "hostile"
    assert "SIGKILL" in next(f["message"] for f in failures if f["kind"] == "crash")
    assert "refuses to render" in next(f["traceback"] for f in failures if f["kind"] == "exception")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["counts"]["written"] == n - len(failures)
    stats = json.loads((out / "stats.json").read_text())
    assert stats["failures"] == {
        k: sum(1 for f in failures if f["kind"] == k) for k in {f["kind"] for f in failures}
    }
    # the good samples are all there, valid, in index order
    report = json.loads(synth_cmd("validate", str(out), check=True).stdout)
    assert report["ok"] and report["samples"] == n - len(failures)
    assert f"{len(failures)} failed" in proc.stdout


@pytest.mark.parametrize("limit,code", [(0, 1), (100, 0)])
def test_max_failures_decides_the_exit_code(tmp_path: Path, limit: int, code: int) -> None:
    env = {"SYNTH_DOMAINS": "hostile=hostile_pack:DOMAIN", "PYTHONPATH": str(PACKS)}
    modes = _modes(8, 4)
    assert any(m == 7 for m in modes.values()) and not any(m in (3, 5) for m in modes.values())
    proc = synth_cmd(
        "generate",
        "--domain",
        "hostile",
        "--n",
        "8",
        "--seed",
        "4",
        "--out",
        str(tmp_path / "o"),
        "--workers",
        "1",
        "--max-failures",
        str(limit),
        env=env,
    )
    assert proc.returncode == code, proc.stderr
    if code:
        assert "failures.jsonl" in proc.stderr
