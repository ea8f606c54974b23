"""Every script in scripts/ runs: each benchmark at a tiny size (a benchmark that no longer
runs on main is a defect, as bench_chart.py was when charts gained Plotly), the golden check
against the stored specs. The shell scripts run in the README test (setup, quickstart, test,
and lint through test.sh). A new script without a run here fails the first test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

#: script -> (tiny arguments, what its output must show, slow?)
RUNS: dict[str, tuple[list[str], str, bool]] = {
    "bench_chart.py": (
        ["--n", "12", "--workers", "1", "--floor-sample", "6", "--naive-sample", "2"],
        "synth = ",
        True,
    ),
    "bench_chart_overhead.py": (["--n", "3"], "| floor: script alone |", False),
    "bench_document.py": (
        ["--n", "6", "--workers", "1", "--floor-sample", "3", "--naive-sample", "2"]
        + ["--rounds", "1", "--floor-window", "1"],
        "naive: new browser per image",
        True,
    ),
    "bench_scene3d.py": (
        ["--n", "2", "--workers", "1", "--floor-sample", "1", "--naive-sample", "1"]
        + ["--engine", "workbench"],
        "naive: new Blender process per scene",
        False,
    ),
    "bench_script_fork.py": (["--n", "3", "--rounds", "1"], "| forked child |", False),
    "cost_document.py": (["--n", "3", "--rounds", "1"], "| record JSON |", False),
    "cpu_split.py": (["--domain", "document", "--n", "3", "--workers", "1"], "| all |", False),
    "diversity_before_after.py": (["--n", "6", "--workers", "1"], "| distinct questions |", True),
    "regen_golden.py": (["--check"], "same ", False),
    "mutate.py": (["qa_synth/balance.py", "--budget", "2"], "| killed | survived | score |", True),
}


def test_every_python_script_has_a_run() -> None:
    scripts = {p.name for p in (ROOT / "scripts").glob("*.py")}
    assert scripts == set(RUNS), f"give each script a tiny run in RUNS: {scripts ^ set(RUNS)}"


def _params() -> list[object]:
    return [
        pytest.param(name, marks=[pytest.mark.slow] if slow else [])
        for name, (_, _, slow) in RUNS.items()
    ]


@pytest.mark.parametrize("name", _params())
def test_the_script_runs_at_a_tiny_size(name: str, tmp_path: Path) -> None:
    args, shows, _ = RUNS[name]
    if name == "diversity_before_after.py":
        if shutil.which("git") is None or not (ROOT / ".git").exists():
            pytest.skip("needs git and a checkout with history")
        args = [*args, "--work", str(tmp_path / "work")]
    elif name == "bench_chart.py":
        args = [*args, "--out", str(tmp_path / "out")]
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"{name} {' '.join(args)}:\n{proc.stderr[-3000:]}"
    assert shows in proc.stdout, proc.stdout[-2000:]
    if name != "regen_golden.py":
        assert "|---|" in proc.stdout, "a benchmark prints its table"
    if name == "mutate.py":
        assert "run: 2 (budget 2" in proc.stdout
