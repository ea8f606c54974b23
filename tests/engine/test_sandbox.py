"""Hostile code in the sandbox: each case is contained, typed, and leaves nothing behind.

Every test runs real code in a real bubblewrap worker (skipped, with the reason, where
bubblewrap cannot build namespaces). Network tests aim only at 127.0.0.1 and the
documentation range 192.0.2.0/24, never at a real outside host.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from synth.engine.pool import run_code
from synth.engine.sandbox import PIDS_CGROUP_ROOT, bwrap_works
from synth.generators.chart import ChartGenerator

REASON = bwrap_works()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"sandbox unavailable: {REASON}")

TIMEOUT = 6.0


def _run(code: str, timeout: float = TIMEOUT) -> tuple[dict, float]:
    t0 = time.monotonic()
    header, _ = run_code("python-matplotlib", code, timeout_s=timeout)
    return header, time.monotonic() - t0


def test_a_normal_chart_renders_in_the_sandbox() -> None:
    sample = ChartGenerator(renderer="matplotlib").sample(rng=np.random.default_rng(1))
    header, png = run_code("python-matplotlib", sample.code.source, timeout_s=60)
    assert header["op"] == "rendered" and png.startswith(b"\x89PNG")
    import synth

    assert png == synth.render(sample).png, "sandboxed and in-process renders are byte-identical"


def test_infinite_loop_times_out() -> None:
    header, took = _run("while True:\n    pass\n")
    assert header["kind"] == "timeout" and took < TIMEOUT + 10


def test_unbounded_allocation_is_a_memory_failure() -> None:
    header, _ = _run(
        "chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 2**20))\n", timeout=60
    )
    assert header["kind"] == "memory", header


@pytest.mark.skipif(
    not (PIDS_CGROUP_ROOT / "cgroup.procs").exists(),
    reason="no pids cgroup here: a fork bomb would only be stopped by the timeout",
)
def test_fork_bomb_is_capped_and_killed() -> None:
    before = len([d for d in os.listdir("/proc") if d.isdigit()])
    code = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    header, _ = _run(code)
    assert header["kind"] == "timeout"
    after = len([d for d in os.listdir("/proc") if d.isdigit()])  # run_code waited for the group
    assert after <= before + 5, f"{after - before} processes survived the fork bomb"
    assert not list(PIDS_CGROUP_ROOT.glob(f"synth-{os.getpid()}-*")), (
        "the worker's cgroup was removed"
    )


def test_a_script_that_kills_its_worker_fails_its_own_sample() -> None:
    """A script runs in a child of its worker (same uid): it may kill the worker, which
    fails that sample as a crash and is replaced; bwrap's init above it is root's and
    refuses (hostile_pack mode 12 shows that for a pack)."""
    header, _ = _run(
        "import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(60)\n"
    )
    assert header["kind"] == "crash" and "SIGKILL" in header["message"], header


def test_segfault_is_a_crash() -> None:
    header, _ = _run("import ctypes\nctypes.string_at(0)\n")
    assert header["kind"] == "crash" and "SIGSEGV" in header["message"]


def test_reading_outside_scratch_is_forbidden(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    with tempfile.NamedTemporaryFile("w", dir=Path.home(), suffix=".synth-test") as in_home:
        in_home.write("home s3cret")
        in_home.flush()
        for path in (secret, Path(in_home.name)):
            header, _ = _run(f"print(open({str(path)!r}).read())\n")
            assert header["kind"] == "forbidden" and "s3cret" not in header["message"], header


def test_writing_outside_scratch_is_forbidden(tmp_path: Path) -> None:
    for target in (
        tmp_path / "escape.txt",
        Path.home() / "escape.synth-test",
        Path("/usr/escape.txt"),
    ):
        header, _ = _run(f"open({str(target)!r}, 'w').write('x')\n")
        assert header["kind"] == "forbidden", header
        assert not target.exists()


@pytest.mark.parametrize("host", ["127.0.0.1", "192.0.2.1"])
def test_tcp_connections_fail_at_once(host: str) -> None:
    header, took = _run(f"import socket\nsocket.create_connection(({host!r}, 80), timeout=30)\n")
    assert header["kind"] == "forbidden", header
    assert took < 10, "no network namespace would have waited for the 30 s connect timeout"


def test_printing_a_gigabyte_hits_the_output_limit() -> None:
    header, _ = _run(
        "import sys\nfor _ in range(1024):\n    sys.stdout.write('x' * 2**20)\n", timeout=60
    )
    assert header["kind"] == "forbidden" and "File too large" in header["message"], header


def test_a_child_that_outlives_its_parent_is_killed_and_reported() -> None:
    sample = ChartGenerator(renderer="matplotlib").sample(rng=np.random.default_rng(2))
    orphan = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(3600)\n    os._exit(0)\n"
    header, _ = _run(orphan + sample.code.source, timeout=60)
    assert header["kind"] == "forbidden" and "process" in header["message"], header


def test_the_environment_is_an_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_TEST_API_TOKEN", "tok")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "key")
    header, _ = _run("import os\nraise RuntimeError(sorted(os.environ))\n")
    assert header["kind"] == "exception"
    assert "SYNTH_TEST_API_TOKEN" not in header["message"] and "AWS_SECRET" not in header["message"]
    assert "PATH" in header["message"]
