"""The README, executed: every command line of its code blocks runs, as a stranger runs it,
in a fresh clone under a temporary home folder, and must do what the README says.

The clone (``git clone`` of this checkout's HEAD) lies in ``$TMP/home/synth`` with
``HOME=$TMP/home``: a checkout in a temporary folder and under the home folder at once, the
two places the sandbox hides. It is set up with the README's own ``scripts/setup.sh``.
Counts are made small (``--n 100k`` becomes a few samples), nothing else changes.

A command line that this test does not know how to check fails it: a new README line needs a
check here (the quick test below checks that without a clone). The run itself is slow (set-up
of the clone ~1.5 min, the commands ~3 min): ``-m slow``, which CI runs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

#: samples each README output folder gets here (README: 1k to 100k)
SIZES = {
    "data/charts": 12,
    "data/documents": 3,
    "data/tables": 3,
    "data/screens": 3,
    "data/diagrams": 3,
    "data/geometry": 3,
    "data/graphs": 3,
    "data/scenes": 2,
    "data/fast": 2,
    "data/plotly": 4,
    "data/mix": 10,
    "data/scans": 3,
    "data/shapes": 3,
    "data/round2": 6,
}


def readme_blocks(text: str) -> list[tuple[str, str]]:
    """``(language, body)`` of every fenced code block."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M)


def readme_commands(text: str) -> list[str]:
    """Every command line of the bash blocks, comments dropped, spaces collapsed."""
    out = []
    for lang, body in readme_blocks(text):
        if lang != "bash":
            continue
        for line in body.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                out.append(" ".join(line.split()))
    return out


class Clone:
    def __init__(self, root: Path, home: Path) -> None:
        self.root, self.home = root, home
        self.env = {
            **os.environ,
            "HOME": str(home),
            "PATH": f"{root / '.venv' / 'bin'}:{os.environ['PATH']}",
            # the set-up downloads nothing twice: the machine's caches, not the empty home's
            "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache/pip")),
            "npm_config_cache": os.environ.get("npm_config_cache", str(Path.home() / ".npm")),
        }
        for var in ("VIRTUAL_ENV", "PYTHONPATH", "SYNTH_DOMAINS"):
            self.env.pop(var, None)

    def run(
        self, argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            cwd=self.root,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def json(self, rel: str) -> Any:
        return json.loads((self.root / rel).read_text())


def _small(argv: list[str]) -> tuple[list[str], str, int]:
    """A generate command with its --n made small: (argv, out folder, n)."""
    out = argv[argv.index("--out") + 1]
    if out not in SIZES:
        raise AssertionError(f"README writes {out}: give it a size in SIZES")
    argv = list(argv)
    argv[argv.index("--n") + 1] = str(SIZES[out])
    return argv, out, SIZES[out]


def _check_dataset(clone: Clone, out: str, n: int) -> None:
    manifest = clone.json(f"{out}/manifest.json")
    assert manifest["complete"] and manifest["counts"]["written"] == n, manifest["counts"]
    assert manifest["counts"]["failed"] == 0, (clone.root / out / "failures.jsonl").read_text()


Check = Callable[[Clone, list[str], subprocess.CompletedProcess[str]], None]


def _generate(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    if "--dry-run" in argv:
        assert "config_hash" in json.loads(proc.stdout)
        return
    _, out, n = _small(argv)
    _check_dataset(clone, out, n)


def _preview(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    assert (clone.root / argv[argv.index("--out") + 1]).read_bytes().startswith(b"\x89PNG")


def _validate(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    report = json.loads(proc.stdout)
    assert report["ok"] and report["samples"] == SIZES[argv[2]], report


def _stats(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    stats = clone.json(f"{argv[2]}/stats.json")
    assert stats["diversity"]["samples"] == SIZES[argv[2]]
    assert stats["diversity"]["text_diversity"]["questions"] > 0
    assert (clone.root / argv[2] / "stats.html").exists() and "samples" in proc.stdout


def _export(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    out = clone.root / argv[argv.index("--out") + 1]
    fmt = argv[argv.index("--format") + 1]
    if fmt in ("llava", "llamafactory"):
        items = json.loads(
            (out / ("llava.json" if fmt == "llava" else "sharegpt.json")).read_text()
        )
        assert len(items) == SIZES[argv[2]]
        images = [item["image"] if fmt == "llava" else item["images"][0] for item in items]
        assert all((out / image).exists() for image in images)
    elif fmt == "coco":
        assert len(json.loads((out / "annotations.json").read_text())["images"]) == SIZES[argv[2]]
    else:
        import datasets

        ds = datasets.load_dataset("parquet", data_dir=str(out / "data"), split="train")
        assert len(ds) == SIZES[argv[2]]


def _balance(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    plan = clone.json(f"{argv[2]}/balance.json")
    assert plan["rule"]["keep_min"] == float(argv[argv.index("--keep-min") + 1])


def _doctor(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    assert "missing" not in proc.stdout and "broken" not in proc.stdout, proc.stdout
    if "--render" in argv:
        from synth.registry import BUILTIN  # every built-in domain draws one sample

        assert proc.stdout.count("ok       render ") == len(BUILTIN), proc.stdout


def _eval(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    report = clone.json(f"{argv[2]}/eval/eval.json")
    assert report["counts"]["scored"] > 0 and report["counts"]["unknown"] == 0, report["counts"]
    assert report["slices"]["program"][f"chart/{WEAK}"]["accuracy"] == 0.0


def _target(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    import yaml

    recipe = yaml.safe_load((clone.root / argv[argv.index("--out") + 1]).read_text())
    assert recipe["domains"] == ["chart"]
    weights = recipe["weights"]["program"]
    assert max(weights, key=weights.get) == f"chart/{WEAK}", weights


def _reproduce(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    assert json.loads(proc.stdout)["identical"] is True


def _render_code(clone: Clone, argv: list[str], proc: subprocess.CompletedProcess[str]) -> None:
    assert json.loads(proc.stdout)["ok"]
    assert (clone.root / argv[argv.index("--out") + 1]).read_bytes().startswith(b"\x89PNG")


#: the program the README's simulated model gets wrong (synth eval, synth target)
WEAK = "extremum"

#: synth subcommand -> its check (after exit 0)
CHECKS: dict[str, Check] = {
    "generate": _generate,
    "preview": _preview,
    "validate": _validate,
    "stats": _stats,
    "export": _export,
    "balance": _balance,
    "doctor": _doctor,
    "reproduce": _reproduce,
    "eval": _eval,
    "target": _target,
    "render-code": _render_code,
}


def _prepare(clone: Clone, argv: list[str]) -> None:
    """What a README line takes as given: the recipe file, a chart script."""
    if "--config" in argv and not (clone.root / argv[argv.index("--config") + 1]).exists():
        (clone.root / argv[argv.index("--config") + 1]).write_text(
            "domain: chart\nn: 10\nseed: 3\nout: data/recipe\noptions: {chart: {renderer: plotly}}\n"
        )
    if argv[:2] == ["synth", "eval"]:  # a model's answers: right but on one program
        from synth.dataset import iter_samples
        from synth.exporters import answer_text

        lines = [
            {
                "id": r["id"],
                "qid": q["id"],
                "prediction": "zzz" if q["program"] == WEAK else answer_text(q),
            }
            for r, _ in iter_samples(clone.root / argv[2], balanced=True)
            for q in r["qa"]
        ]
        (clone.root / argv[argv.index("--predictions") + 1]).write_text(
            "".join(json.dumps(x) + "\n" for x in lines)
        )
    if argv[:2] == ["synth", "render-code"]:
        from synth.dataset import iter_records

        record = next(
            r
            for r in iter_records(clone.root / "data/charts")
            if r["code"]["language"] == "python-matplotlib"
        )
        (clone.root / argv[2]).write_text(record["code"]["source"])


def test_readme_commands_are_all_known() -> None:
    """Every README command is one this test can run and check (no clone needed)."""
    for command in readme_commands((ROOT / "README.md").read_text()):
        argv = shlex.split(command)
        if argv[0] == "bash":
            assert argv[1] in ("scripts/quickstart.sh", "scripts/test.sh"), command
            continue
        if argv[0] == "pip":
            assert argv[1] == "install" and argv[-1].startswith("./examples/"), command
            continue
        assert argv[0] == "synth" and argv[1] in CHECKS, f"README line not covered: {command}"
        if argv[1] == "generate" and "--dry-run" not in argv:
            _small(argv)


def test_only_lines_that_need_the_internet_or_real_weights_are_left_unrun() -> None:
    """``sh`` blocks are not run: they may hold only model downloads (no network here) and
    the commands that need the downloaded weights."""
    for lang, body in readme_blocks((ROOT / "README.md").read_text()):
        if lang not in ("sh", "shell", "console"):
            continue
        for line in body.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if not line or line.startswith(("#", "--include")):
                continue
            assert (
                line.startswith(".venv/bin/hf download ")
                or line.startswith("python scripts/predict_openai.py ")  # a model server
                or "scene3d.photoreal=controlnet" in line
                or line == "synth doctor"
            ), f"a README line that is never run: {line}"


@pytest.mark.slow
def test_every_readme_command_works_from_a_fresh_clone_under_a_temporary_home(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    clone = Clone(home / "synth", home)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone.root)], check=True)
    text = (clone.root / "README.md").read_text()
    commands = readme_commands(text)
    assert any(c.startswith("synth generate") for c in commands)
    for command in commands:
        argv = shlex.split(command)
        if argv[0] == "bash" and argv[1] == "scripts/quickstart.sh":
            proc = clone.run(argv, env={"SYNTH_N": str(SIZES["data/charts"])}, timeout=1800)
            assert proc.returncode == 0, f"{command}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            _check_dataset(clone, "data/charts", SIZES["data/charts"])
            continue
        if argv[0] == "bash" and argv[1] == "scripts/test.sh":
            # the whole suite inside the suite would recurse: its set-up, lint and one file
            proc = clone.run([*argv, "tests/test_core.py", "-q"], timeout=1800)
            assert proc.returncode == 0, f"{command}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            assert re.search(r"\d+ passed", proc.stdout), proc.stdout[-2000:]
            continue
        if argv[0] == "pip":  # an example pack, into the clone's venv: then it is a domain
            proc = clone.run(argv)
            assert proc.returncode == 0, f"{command}\n{proc.stderr[-3000:]}"
            name = clone.run(["synth", "doctor"]).stdout
            assert "ok       domain shapes" in name and "(shapes-json code)" in name, name
            continue
        assert argv[0] == "synth" and argv[1] in CHECKS, f"README line not covered: {command}"
        if argv[1] == "generate" and "--dry-run" not in argv:
            argv = _small(argv)[0]
        _prepare(clone, argv)
        proc = clone.run(argv)
        assert proc.returncode == 0, f"{command}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        assert "Traceback" not in proc.stderr, proc.stderr
        CHECKS[argv[1]](clone, argv, proc)
    # the Python blocks, in the same folder, after the data they read exists
    for i, (lang, body) in enumerate(readme_blocks(text)):
        if lang == "python":
            script = clone.root / f"readme_block_{i}.py"
            script.write_text(body)
            proc = clone.run([str(clone.root / ".venv/bin/python"), str(script)])
            assert proc.returncode == 0, f"README python block {i}:\n{body}\n{proc.stderr}"
