"""Shared helpers: small real runs of the CLI in tmp folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from synth.engine.sandbox import bwrap_works

ROOT = Path(__file__).resolve().parent.parent
#: extra generate flags: where bubblewrap cannot run, tests of trusted code run unsandboxed
SANDBOX_ARGS = [] if bwrap_works() is None else ["--no-sandbox"]
if SANDBOX_ARGS:
    print(f"tests: sandbox unavailable ({bwrap_works()}); generate runs use --no-sandbox")
PACKS = Path(__file__).resolve().parent / "packs"


def cli_argv(*args: str) -> list[str]:
    """``python -m synth.cli ARGS`` (plus --no-sandbox for generate where bwrap cannot run)."""
    if args and args[0] == "generate" and SANDBOX_ARGS and "--no-sandbox" not in args:
        args = (*args, *SANDBOX_ARGS)
    return [sys.executable, "-m", "synth.cli", *args]


def synth_cmd(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m synth.cli ARGS`` in a fresh process (as a user would run ``synth``)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        cli_argv(*args),
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"synth {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def shard_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "shards").glob("*.tar"))}


def failures_by_index(out: Path) -> dict[int, dict[str, Any]]:
    """A run's failure records (``failures.jsonl``), by sample index."""
    lines = (out / "failures.jsonl").read_text().splitlines()
    return {f["index"]: f for f in map(json.loads, lines)}


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 24-sample chart dataset (2 workers, shards of 10)."""
    out = tmp_path_factory.mktemp("runs") / "small"
    synth_cmd(
        "generate",
        "--domain",
        "chart",
        "--n",
        "24",
        "--out",
        str(out),
        "--workers",
        "2",
        "--shard-size",
        "10",
        "--seed",
        "11",
        check=True,
    )
    return out


HAVE_DIFFUSERS = True
try:
    import cv2  # noqa: F401
    import diffusers  # noqa: F401
except ImportError:
    HAVE_DIFFUSERS = False
    print(
        "tests: diffusers or opencv missing (pip install 'synth[photoreal]'); photoreal tests skip"
    )
needs_diffusers = pytest.mark.skipif(
    not HAVE_DIFFUSERS, reason="diffusers missing: pip install 'synth[photoreal]'"
)


@pytest.fixture(scope="session")
def tiny_diffusion(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, tuple[str, str]]:
    """A Stable Diffusion folder and depth and Canny ControlNet folders with random weights
    (the real classes, a few MB): ``(base, (depth, canny))``."""
    if not HAVE_DIFFUSERS:
        pytest.skip("diffusers missing: pip install 'synth[photoreal]'")
    from synth.renderers._random_diffusion import build

    base, nets = build(tmp_path_factory.mktemp("tiny-diffusion"), size="tiny")
    return str(base), (str(nets[0]), str(nets[1]))
