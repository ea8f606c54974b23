"""Every script in scripts/ runs: each benchmark at a tiny size (a benchmark that no longer
runs on main is a defect, as bench_chart.py was when charts gained Plotly), the golden check
against the stored specs. The shell scripts run in the README test (setup, quickstart, test,
and lint through test.sh). A new script without a run here fails the first test."""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    "bench_graph.py": (
        ["--n", "8", "--floor-sample", "4", "--naive-sample", "2", "--rounds", "1"],
        "| naive: a fresh Python + dot per image |",
        False,
    ),
    "bench_gate.py": (
        ["--n", "2", "--rounds", "1", "--domains", "chart,diagram"],
        "| diagram | 2 |",
        False,
    ),
    "bench_photoreal.py": (
        ["--size", "tiny", "--images", "4", "--batch", "2", "--steps", "1", "--naive", "1"],
        "| synth stage (maps, prompt, check, record) |",
        False,
    ),
    "bench_script_fork.py": (["--n", "3", "--rounds", "1"], "| forked child |", False),
    "bench_forked.py": (["--n", "3", "--workers", "1", "--domains", "chart"], "| yes (", True),
    "cost_document.py": (["--n", "3", "--rounds", "1"], "| record JSON |", False),
    "cpu_split.py": (["--domain", "document", "--n", "3", "--workers", "1"], "| all |", False),
    "diversity_before_after.py": (["--n", "6", "--workers", "1"], "| distinct questions |", True),
    "regen_golden.py": (["--check"], "same ", False),
    "mutate.py": (["synth/balance.py", "--budget", "2"], "| killed | survived | score |", True),
    "label_contrast.py": (["--n", "2"], "| pie |", False),
    "peak_memory.py": (
        ["--domains", "chart", "--n", "3", "--workers", "1"],
        "| chart | 3 | 1 |",
        True,
    ),
    "predict_openai.py": (
        ["--model", "tiny", "--limit", "20"],  # + the export and a local server: see below
        "asked 20 questions, 0 failed",
        False,
    ),
    "question_report.py": (
        ["--n", "4", "--workers", "1", "--domains", "chart,table"],
        "| difficulty | questions |",
        False,
    ),
    "same_bytes.py": (["--run", "table", "--n", "2"], "| table | 8 | 0 |", False),
}


def test_every_python_script_has_a_run() -> None:
    scripts = {p.name for p in (ROOT / "scripts").glob("*.py")}
    assert scripts == set(RUNS), f"give each script a tiny run in RUNS: {scripts ^ set(RUNS)}"


def _params() -> list[object]:
    return [
        pytest.param(name, marks=[pytest.mark.slow] if slow else [])
        for name, (_, _, slow) in RUNS.items()
    ]


@contextlib.contextmanager
def openai_server(answer: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP server that answers /v1/chat/completions in the OpenAI format with
    ``answer``; yields its base URL and the requests it got."""
    import http.server
    import threading

    seen: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, **body})
            reply = {"choices": [{"message": {"role": "assistant", "content": answer}}]}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", _params())
def test_the_script_runs_at_a_tiny_size(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    args, shows, _ = RUNS[name]
    if name == "predict_openai.py":
        from synth.exporters import export

        export(request.getfixturevalue("small_run"), "llava", tmp_path / "llava")
        with openai_server("Yes") as (url, seen):
            args = [
                str(tmp_path / "llava"),
                "--base-url",
                url,
                "--out",
                str(tmp_path / "p.jsonl"),
                *args,
            ]
            proc = subprocess.run([sys.executable, str(ROOT / "scripts" / name), *args],
                                  capture_output=True, text=True, timeout=300)  # fmt: skip
        assert proc.returncode == 0 and shows in proc.stdout, proc.stderr
        lines = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text().splitlines()]
        assert len(lines) == 20 and {x["text"] for x in lines} == {"Yes"}
        image = seen[0]["messages"][0]["content"][0]["image_url"]["url"]
        assert seen[0]["path"] == "/v1/chat/completions" and seen[0]["temperature"] == 0
        assert base64.b64decode(image.removeprefix("data:image/png;base64,")).startswith(b"\x89PNG")
        return
    if name in ("diversity_before_after.py", "same_bytes.py"):
        if shutil.which("git") is None or not (ROOT / ".git").exists():
            pytest.skip("needs git and a checkout with history")
        args = [
            *args,
            "--work" if name == "diversity_before_after.py" else "--keep",
            str(tmp_path / "work"),
        ]
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


def test_same_bytes_names_a_file_that_differs_by_one_byte(tmp_path: Path) -> None:
    """The comparison that guards a restructuring can fail: one flipped byte deep in a shard,
    or a file on one side only, is named."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from same_bytes import differences
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    a, b = tmp_path / "a", tmp_path / "b"
    for side in (a, b):
        (side / "shards").mkdir(parents=True)
        (side / "shards" / "shard-000000.tar").write_bytes(bytes(range(256)) * 40)
        (side / "manifest.json").write_text("{}")
        (side / ".synth").mkdir()
        (side / ".synth" / "lock").write_text(str(id(side)))  # differs, and is not data
    assert differences(a, b) == (2, [])
    data = bytearray((b / "shards" / "shard-000000.tar").read_bytes())
    data[9000] ^= 1
    (b / "shards" / "shard-000000.tar").write_bytes(bytes(data))
    (b / "failures.jsonl").write_text("")
    assert differences(a, b) == (3, ["failures.jsonl", "shards/shard-000000.tar"])
