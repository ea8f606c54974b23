"""A run that meets every kind of hostile sample: each is a typed failure, its worker is
replaced, and every other sample of the run is intact and correct."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import synth
from synth._seeding import sample_rng, sample_seed
from synth.dataset import iter_samples
from synth.generators.chart import ChartSpec, make_sample

from ..conftest import PACKS, SANDBOX_ARGS, failures_by_index, synth_cmd
from ..qa_synth.evaluate import check

sys.path.insert(0, str(PACKS))
import hostile_pack  # noqa: E402

ENV = {"SYNTH_DOMAINS": "hostile=hostile_pack:DOMAIN", "PYTHONPATH": str(PACKS)}


def _modes(n: int, seed: int) -> dict[int, int]:
    return {i: hostile_pack.mode_of(sample_rng(sample_seed(seed, "hostile", i))) for i in range(n)}


@pytest.mark.skipif(
    bool(SANDBOX_ARGS), reason="bubblewrap unavailable: hostile code needs the sandbox"
)
def test_every_hostile_sample_is_typed_and_the_rest_is_intact(tmp_path: Path) -> None:
    n, seed = 50, 1
    modes = _modes(n, seed)
    assert set(hostile_pack.MODES) <= set(modes.values()), "the seed exercises every hostile mode"
    out = tmp_path / "hostile"
    proc = synth_cmd(
        "generate", "--domain", "hostile", "--n", str(n), "--seed", str(seed), "--out", str(out),
        "--workers", "2", "--timeout", "5", "--shard-size", "20", "--max-failures", str(n),
        "--memory-mb", "1024", env=ENV,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    failures = failures_by_index(out)
    expected = {i: hostile_pack.MODES[m] for i, m in modes.items() if hostile_pack.MODES.get(m)}
    kinds = {i: f["kind"] for i, f in failures.items()}
    assert kinds.keys() == expected.keys()
    # a fork bomb ends by the timeout or, in a worker's memory cgroup, by the kernel's OOM
    # killer (its copies of the interpreter fill the memory before the pids cap stops them)
    bombs = {i for i, m in modes.items() if m == hostile_pack.FORK_BOMB}
    assert all(kinds[i] in ("timeout", "memory") for i in bombs), kinds
    assert {i: k for i, k in kinds.items() if i not in bombs} == {
        i: k for i, k in expected.items() if i not in bombs
    }
    for i, f in failures.items():
        assert f["seed"] == sample_seed(seed, "hostile", i) and f["domain"] == "hostile"
        assert f["id"].startswith("hostile-") and f["id"].endswith(f"-{i:09d}"), f["id"]
    # every good sample is there, in order, and equals an in-process render of its spec
    records = list(iter_samples(out))
    assert [r["seed"]["index"] for r, _ in records] == [i for i in range(n) if i not in expected]
    for record, png in records:
        redo = synth.render(make_sample(ChartSpec.from_json(record["spec"])))
        assert redo.png == png
        for qa in record["qa"]:
            check(record["spec"], qa, record["annotations"]["elements"])
    assert not Path("/usr/synth-hostile.txt").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sandbox"] == "bwrap" and manifest["counts"]["failed"] == len(expected)


@pytest.mark.parametrize("limit,code", [(0, 1), (100, 0)])
def test_max_failures_decides_the_exit_code(tmp_path: Path, limit: int, code: int) -> None:
    modes = _modes(8, 15)
    assert [hostile_pack.MODES.get(m) for m in modes.values()].count("exception") == 1
    assert all(hostile_pack.MODES.get(m) in (None, "exception") for m in modes.values())
    proc = synth_cmd(
        "generate", "--domain", "hostile", "--n", "8", "--seed", "15", "--out", str(tmp_path / "o"),
        "--workers", "1", "--max-failures", str(limit), *SANDBOX_ARGS, env=ENV,
    )  # fmt: skip
    assert proc.returncode == code, proc.stderr
    if code:
        assert "failures.jsonl" in proc.stderr


def test_a_run_prints_its_failures_by_kind_and_one_that_wrote_nothing_fails(
    tmp_path: Path,
) -> None:
    modes = _modes(8, 15)
    assert [hostile_pack.MODES.get(m) for m in modes.values()].count("exception") == 1
    proc = synth_cmd(
        "generate", "--domain", "hostile", "--n", "8", "--seed", "15", "--out", str(tmp_path / "o"),
        "--workers", "1", "--max-failures", "100", *SANDBOX_ARGS, env=ENV,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "failures by kind:" in proc.stdout and "exception: 1, first: ValueError" in proc.stdout
    # every sample past its time: nothing written is a failed run, whatever --max-failures says
    proc = synth_cmd(
        "generate", "--domain", "chart", "--n", "2", "--out", str(tmp_path / "none"),
        "--workers", "1", "--timeout", "0.01", "--max-failures", "100", *SANDBOX_ARGS,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "nothing written" in proc.stderr and "timeout: 2" in proc.stderr, proc.stderr
