"""Runs: same bytes for any worker count, exact resume after SIGKILL, guarded output folders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import ROOT, SANDBOX_ARGS, cli_argv, shard_bytes, synth_cmd

ARGS = ["--domain", "chart", "--n", "30", "--seed", "3", "--shard-size", "8"]


def test_one_and_two_workers_write_identical_shards(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    synth_cmd("generate", *ARGS, "--out", str(one), "--workers", "1", check=True)
    synth_cmd("generate", *ARGS, "--out", str(two), "--workers", "2", check=True)
    a, b = shard_bytes(one), shard_bytes(two)
    assert len(a) == 4 and a == b
    assert (one / "manifest.json").read_bytes() == (two / "manifest.json").read_bytes()
    assert (one / "stats.json").read_bytes() == (two / "stats.json").read_bytes()
    assert (one / "balance.json").read_bytes() == (two / "balance.json").read_bytes()
    assert json.loads((one / "balance.json").read_text())["groups"], "the run was balanced"


def test_sigkill_then_resume_gives_the_uninterrupted_dataset(tmp_path: Path) -> None:
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    synth_cmd("generate", *ARGS, "--out", str(clean), "--workers", "2", check=True)
    cmd = cli_argv("generate", *ARGS, "--out", str(killed), "--workers", "2")
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    state = killed / ".synth" / "state.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (
        not state.exists() or len(state.read_text().splitlines()) < 1
    ):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the main process and its workers, mid-shard
    proc.wait()
    published = len(list((killed / "shards").glob("*.tar")))
    assert 1 <= published < 4, "killed part-way"
    refused = synth_cmd("generate", *ARGS, "--out", str(killed), "--workers", "2")
    assert refused.returncode == 2 and "--resume" in refused.stderr
    synth_cmd("generate", *ARGS, "--out", str(killed), "--workers", "2", "--resume", check=True)
    assert shard_bytes(killed) == shard_bytes(clean)
    assert not list((killed / "shards").glob("*.tmp"))
    for name in ("manifest.json", "failures.jsonl", "stats.json", "balance.json"):
        assert (killed / name).read_bytes() == (clean / name).read_bytes(), name


def test_another_config_is_refused_unless_overwrite(small_run: Path, tmp_path: Path) -> None:
    before = shard_bytes(small_run)
    proc = synth_cmd(
        "generate",
        "--domain",
        "chart",
        "--n",
        "24",
        "--seed",
        "12",
        "--out",
        str(small_run),
        "--shard-size",
        "10",
    )
    assert proc.returncode == 2
    assert (
        "another configuration" in proc.stderr
        and "seed" in proc.stderr
        and "--overwrite" in proc.stderr
    )
    assert shard_bytes(small_run) == before, "nothing was touched"


def test_overwrite_replaces_and_rerun_of_a_complete_run_is_idempotent(tmp_path: Path) -> None:
    out = tmp_path / "o"
    synth_cmd(
        "generate", "--n", "4", "--seed", "1", "--out", str(out), "--workers", "1", check=True
    )
    first = shard_bytes(out)
    again = synth_cmd("generate", "--n", "4", "--seed", "1", "--out", str(out), "--workers", "1")
    assert again.returncode == 0 and shard_bytes(out) == first
    synth_cmd(
        "generate",
        "--n",
        "3",
        "--seed",
        "2",
        "--out",
        str(out),
        "--workers",
        "1",
        "--overwrite",
        check=True,
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["seed"] == 2 and manifest["counts"]["written"] == 3


def test_a_second_run_on_a_locked_folder_is_refused(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "locked"
    (out / ".synth").mkdir(parents=True)
    with open(out / ".synth" / "lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        proc = synth_cmd("generate", "--n", "2", "--out", str(out))
    assert proc.returncode == 2 and "another synth run" in proc.stderr


def test_records_hold_the_design_fields(small_run: Path) -> None:
    from synth.dataset import iter_samples
    from synth.generators.chart import VERSION

    records = [r for r, _ in iter_samples(small_run)]
    assert [r["seed"]["index"] for r in records] == sorted(r["seed"]["index"] for r in records)
    for r in records:
        assert r["id"].startswith(f"chart-{r['family']}-")
        assert r["generator"] == f"chart@{VERSION}"
        assert r["code"]["language"] in ("python-matplotlib", "plotly-json")
        assert (r["code"]["language"] == "plotly-json") == (
            r["spec"]["style"]["renderer"] == "plotly"
        )
        persona = r["persona"]
        assert persona["description"] and r["topic"]
        assert {"occupation", "field", "country", "interests", "style", "city"} <= persona.keys()
        assert r["spec"]["style"]["profile"] == persona["style"]
        assert r["topic"] == r["spec"]["title"] and persona["organisation"]
        assert {e["role"] for e in r["annotations"]["elements"]} >= {"title"}
        drawn_by = "plotly.js " if r["spec"]["style"]["renderer"] == "plotly" else "matplotlib "
        assert r["versions"]["renderer"].startswith(drawn_by)
        assert all(
            q["reasoning"] and q["skills"] and q["difficulty"] in range(1, 7) for q in r["qa"]
        )


def test_sigterm_keeps_finished_shards_exits_143_and_resumes_exactly(tmp_path: Path) -> None:
    clean, stopped = tmp_path / "clean", tmp_path / "stopped"
    synth_cmd("generate", *ARGS, "--out", str(clean), "--workers", "2", check=True)
    cmd = cli_argv("generate", *ARGS, "--out", str(stopped), "--workers", "2")
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    state = stopped / ".synth" / "state.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (not state.exists() or not state.read_text().strip()):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "--resume" in err
    manifest = json.loads((stopped / "manifest.json").read_text())
    assert manifest["complete"] is False and manifest["counts"]["shards"] >= 1
    assert not list((stopped / "shards").glob("*.tmp")), "the shard in flight was rolled back"
    synth_cmd("generate", *ARGS, "--out", str(stopped), "--workers", "2", "--resume", check=True)
    assert shard_bytes(stopped) == shard_bytes(clean)


def test_a_failed_write_is_a_clear_error_and_keeps_finished_shards(tmp_path: Path) -> None:
    """A written-file-size limit makes the disk 'full' for shards; nothing half-written stays."""
    import hashlib
    import resource

    out = tmp_path / "full"

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    cmd = cli_argv(
        "generate", "--n", "12", "--shard-size", "1", "--out", str(out), "--workers", "1"
    )
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, preexec_fn=small_files, timeout=600
    )
    assert proc.returncode == 2, proc.stderr
    assert str(out) in proc.stderr and "--resume" in proc.stderr and "Traceback" not in proc.stderr
    assert not list((out / "shards").glob("*.tmp"))
    from synth.writer import read_lines

    for entry in read_lines(out / ".synth" / "state.jsonl"):
        assert (
            hashlib.sha256((out / "shards" / entry["file"]).read_bytes()).hexdigest()
            == entry["sha256"]
        )


def test_recycling_workers_changes_no_byte(tmp_path: Path) -> None:
    args = ["--n", "10", "--seed", "4", "--shard-size", "5", "--workers", "2"]
    synth_cmd("generate", *args, "--out", str(tmp_path / "plain"), check=True)
    synth_cmd(
        "generate", *args, "--out", str(tmp_path / "recycled"), "--recycle-after", "2", check=True
    )
    assert shard_bytes(tmp_path / "plain") == shard_bytes(tmp_path / "recycled")
    from synth.writer import read_lines

    runs = read_lines(tmp_path / "recycled" / ".synth" / "runs.jsonl")
    assert runs[-1]["workers_replaced"] >= 3, "workers were retired every 2 samples"
    assert read_lines(tmp_path / "plain" / ".synth" / "runs.jsonl")[-1]["workers_replaced"] == 0


def test_the_installed_command_works_from_any_folder(tmp_path: Path) -> None:
    """As a user runs it: the console script, outside the checkout (workers must still find
    synth inside their sandbox, e.g. through a strict editable install's symlinks)."""
    import shutil

    exe = Path(sys.executable).parent / "synth"
    if not exe.exists():
        exe = Path(shutil.which("synth") or "")
    if not exe.is_file():
        import pytest

        pytest.skip("no installed synth command next to this Python (run bash scripts/setup.sh)")
    proc = subprocess.run(
        [str(exe), "generate", "--n", "3", "--out", "o", "--workers", "1", *SANDBOX_ARGS],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "o" / "failures.jsonl").read_text() == ""
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["counts"]["written"] == 3


def test_a_pack_in_the_home_folder_is_seen_by_its_sandboxed_workers(tmp_path: Path) -> None:
    """The README's way to develop a pack: SYNTH_DOMAINS + PYTHONPATH=. from the folder that
    holds it, here the home folder, which the sandbox otherwise hides."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "homepack.py").write_text(
        "import dataclasses\n"
        "from synth.generators.chart import DOMAIN as CHART, ChartGenerator\n"
        "from synth.pack import DomainPack\n\n\n"
        "class Pack(DomainPack):\n"
        "    name, version, install_hint = 'homepack', '1', 'nothing'\n"
        "    languages = ('python-matplotlib',)\n\n"
        "    def sample(self, *, rng):\n"
        "        s = ChartGenerator(renderer='matplotlib').sample(rng=rng)\n"
        "        return dataclasses.replace(s, domain='homepack')\n\n"
        "    def render(self, sample):\n"
        "        return CHART.render(sample)\n\n"
        "    def questions(self, sample, rendered, *, rng):\n"
        "        return CHART.questions(sample, rendered, rng=rng)\n\n\n"
        "DOMAIN = Pack()\n"
    )
    env = dict(os.environ, HOME=str(home), PYTHONPATH=".", SYNTH_DOMAINS="homepack=homepack:DOMAIN")
    proc = subprocess.run(
        [*cli_argv("generate", "--domain", "homepack", "--n", "2", "--out", "o", "--workers", "1")],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((home / "o" / "manifest.json").read_text())
    assert manifest["counts"] == {"requested": 2, "written": 2, "failed": 0, "shards": 1}


def test_plotly_charts_and_pages_share_one_worker(tmp_path: Path) -> None:
    """The README's --mix line: Plotly charts and HTML pages drawn by the same worker's
    Chromium (on 9e29a3d half of them failed: "Playwright Sync API inside the asyncio loop")."""
    out = tmp_path / "mix"
    argv = ["--domain", "chart,document,table", "--mix", "0.5,0.3,0.2", "--n", "16"]
    argv += ["--option", "chart.renderer=plotly", "--workers", "1", "--out", str(out)]
    synth_cmd("generate", *argv, check=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["written"] == 16 and manifest["counts"]["failed"] == 0
    stats = json.loads((out / "stats.json").read_text())
    assert set(stats["domain"]) == {"chart", "document", "table"}
