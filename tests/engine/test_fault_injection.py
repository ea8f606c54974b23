"""Fault injection: SIGKILL the main process at 5 random points of a 2,000-sample run,
resume each time, and compare the result byte for byte with an uninterrupted run.

Slow (two 2,000-sample runs): run with ``bash scripts/test.sh -m slow`` (CI does)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from ..conftest import ROOT, cli_argv, shard_bytes, synth_cmd

ARGS = ["--domain", "chart", "--n", "2000", "--seed", "21", "--shard-size", "100", "--workers", "2"]


@pytest.mark.slow
def test_five_sigkills_and_resumes_give_the_uninterrupted_dataset(tmp_path: Path) -> None:
    clean, hurt = tmp_path / "clean", tmp_path / "hurt"
    t0 = time.monotonic()
    synth_cmd("generate", *ARGS, "--out", str(clean), check=True, timeout=3000)
    full = time.monotonic() - t0
    rng = np.random.default_rng(2026)
    kill_after = sorted(rng.uniform(0.05, 0.9, size=5) * full / 5)  # spread over the run
    for k, delay in enumerate(kill_after):
        flags = ["--resume"] if k else []
        cmd = cli_argv("generate", *ARGS, "--out", str(hurt), *flags)
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(float(delay) + 3.0)  # start-up, then a random point of the work
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    synth_cmd("generate", *ARGS, "--out", str(hurt), "--resume", check=True, timeout=3000)
    assert shard_bytes(hurt) == shard_bytes(clean)
    for name in ("manifest.json", "failures.jsonl", "stats.json"):
        assert (hurt / name).read_bytes() == (clean / name).read_bytes(), name
    assert not list((hurt / "shards").glob("*.tmp"))
