"""A worker renders documents on a thread of its own while it samples the next one and
finishes the last: replies keep the tasks' order, failures on either thread are typed, a
render that hangs times out alone, and every record equals an in-process build.

The pack comes from outside: trusted, it runs in the worker as a built-in pack does;
untrusted, each task is built in a process of its own that asks the worker's browser for
its pages (synth.engine.forked). Both give the same dataset."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from synth import registry
from synth._seeding import pick_domain, sample_rng, sample_seed
from synth.build import build_record
from synth.dataset import iter_samples

from ..conftest import PACKS, failures_by_index, synth_cmd

sys.path.insert(0, str(PACKS))
import pipelined_pack  # noqa: E402

ENV = {"SYNTH_DOMAINS": "pipelined=pipelined_pack:DOMAIN", "PYTHONPATH": str(PACKS)}
DOMAINS = ("pipelined", "chart")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="apt-get install chromium")
@pytest.mark.parametrize("trusted", ["pipelined", ""], ids=["in-worker", "forked"])
def test_pipelined_tasks_keep_order_and_type_their_failures(tmp_path: Path, trusted: str) -> None:
    n, seed = 16, 4
    domains = [pick_domain(seed, i, DOMAINS, (1.0, 1.0)) for i in range(n)]
    modes = {
        i: pipelined_mode(seed, i) for i in range(n) if domains[i] == "pipelined"
    }  # a chart task (built on the main thread) comes between pipelined ones
    assert set(pipelined_pack.MODES) <= set(modes.values()) and "chart" in domains[1:]
    out = tmp_path / "run"
    proc = synth_cmd(
        "generate", "--domain", ",".join(DOMAINS), "--n", str(n), "--seed", str(seed),
        "--out", str(out), "--workers", "1", "--timeout", "10", "--max-failures", str(n),
        env={**ENV, "SYNTH_TRUSTED_PACKS": trusted},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    failures = failures_by_index(out)
    expected = {i: pipelined_pack.MODES[m] for i, m in modes.items() if pipelined_pack.MODES.get(m)}
    assert {i: f["kind"] for i, f in failures.items()} == expected
    assert "refuses to render" in failures[next(i for i, m in modes.items() if m == 1)]["message"]
    records = list(iter_samples(out))
    assert [r["seed"]["index"] for r, _ in records] == [i for i in range(n) if i not in expected]
    for record, png in records:
        i = record["seed"]["index"]
        pack = pipelined_pack.DOMAIN if domains[i] == "pipelined" else registry.get("chart")
        redo, redo_png, _ = build_record(
            pack, index=i, seed=sample_seed(seed, domains[i], i), run_seed=seed
        )
        assert record["domain"] == domains[i] and redo_png == png
        assert record["qa"] == redo.to_json()["qa"]
        assert record["annotations"] == redo.to_json()["annotations"]


def pipelined_mode(seed: int, index: int) -> int:
    return pipelined_pack.mode_of(sample_rng(sample_seed(seed, "pipelined", index)))
