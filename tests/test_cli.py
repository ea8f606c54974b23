"""Bad input: exit 2 and a message that names the fix; counts like 100k accepted."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from synth.cli import main

from .conftest import synth_cmd


@pytest.mark.parametrize("n", ["0", "-5", "abc", "1.5", "10q"])
def test_bad_counts_exit_2(n: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["generate", "--n", n, "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    assert "100k" in capsys.readouterr().err


@pytest.mark.parametrize(
    "n,value", [("100k", 100_000), ("1m", 1_000_000), ("2.5k", 2500), ("1000", 1000)]
)
def test_counts_with_suffixes_are_accepted(
    n: str, value: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["generate", "--n", n, "--out", str(tmp_path / "o"), "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["config"]["n"] == value
    assert not (tmp_path / "o").exists(), "a dry run writes nothing"


def test_unknown_domain_names_the_known_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["generate", "--domain", "charts", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "'charts'" in err and "known domains: chart" in err


def test_unwritable_output_names_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = synth_cmd("generate", "--n", "2", "--out", str(blocker / "sub"))
    assert proc.returncode == 2
    assert str(blocker / "sub") in proc.stderr and "--out" in proc.stderr


def test_missing_out_and_bad_mix_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["generate", "--n", "5"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["generate", "--n", "5", "--out", str(tmp_path), "--mix", "0.5,0.5"]) == 2
    assert "one weight per domain" in capsys.readouterr().err


def test_yaml_and_flags_resolve_to_the_same_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"domain: chart\nn: 2k\nseed: 9\nworkers: 3\nout: {tmp_path / 'o'}\n")
    assert main(["generate", "--config", str(recipe), "--dry-run"]) == 0
    from_yaml = json.loads(capsys.readouterr().out)
    assert (
        main(
            [
                "generate",
                "--domain",
                "chart",
                "--n",
                "2000",
                "--seed",
                "9",
                "--workers",
                "3",
                "--out",
                str(tmp_path / "o"),
                "--dry-run",
            ]
        )
        == 0
    )
    from_flags = json.loads(capsys.readouterr().out)
    assert from_yaml == from_flags
    assert main(["generate", "--config", str(recipe), "--seed", "10", "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["config"]["seed"] == 10, "flags override the file"


def test_unknown_yaml_key_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text("domian: chart\nout: x\n")
    assert main(["generate", "--config", str(recipe)]) == 2
    assert "'domian'" in capsys.readouterr().err


def test_doctor_lists_the_chart_domain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    assert "ok       domain chart" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("scene3d.engin=workbench", "its options: engine (cycles|workbench|eevee)"),
        ("scene3d.engine=povray", "must be one of cycles, workbench, eevee"),
        ("scene3d.samples=many", "whole number from 1 to 4096"),
        ("chart.renderer=plotly", "which this run does not generate"),
        ("diagram.style=dark", "takes no options"),
        ("table.style=striped", "its options: unanswerable (0-100)"),
        ("engine=workbench", "DOMAIN.KEY=VALUE"),
    ],
)
def test_bad_domain_options_exit_2_and_name_the_fix(
    option: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    domain = option.split(".")[0] if option.startswith(("table", "diagram")) else "scene3d"
    argv = ["generate", "--domain", domain, "--out", str(tmp_path / "o"), "--option", option]
    assert main([*argv, "--dry-run"]) == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "o").exists(), "nothing is written before the options are checked"


def test_domain_options_from_yaml_and_flags_pin_what_is_drawn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import numpy as np

    from synth import registry

    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        f"domain: chart,scene3d\nout: {tmp_path / 'o'}\n"
        "options:\n  scene3d: {engine: workbench, samples: 8}\n  chart: {renderer: plotly}\n"
    )
    assert main(["generate", "--config", str(recipe), "--dry-run"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["config"]["options"] == [
        ["chart", "renderer", "plotly"],
        ["scene3d", "engine", "workbench"],
        ["scene3d", "samples", "8"],
    ]
    argv = ["generate", "--config", str(recipe), "--option", "scene3d.samples=4", "--dry-run"]
    assert main(argv) == 0
    flagged = json.loads(capsys.readouterr().out)
    assert ["scene3d", "samples", "4"] in flagged["config"]["options"], "flags override the file"
    assert flagged["config_hash"] != out["config_hash"], "options decide the dataset's bytes"
    recipe.write_text(f"domain: chart,scene3d\nout: {tmp_path / 'o'}\n")
    assert main(["generate", "--config", str(recipe), "--dry-run"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["config"]["options"] == [] and plain["config_hash"] != out["config_hash"]

    chart = registry.get("chart", {"renderer": "plotly"})
    scenes = registry.get("scene3d", {"engine": "workbench", "samples": "8", "family": "viewpoint"})
    for seed in range(12):
        rng = np.random.default_rng(seed)
        assert chart.sample(rng=rng).code.language == "plotly-json"
        spec = scenes.sample(rng=np.random.default_rng(seed)).spec
        assert (spec.render.engine, spec.render.samples, spec.family) == (
            "workbench",
            8,
            "viewpoint",
        )
    assert registry.get("chart").sample(rng=np.random.default_rng(0)).code.language in (
        "plotly-json",
        "python-matplotlib",
    )


def test_doctor_names_the_fix_for_a_missing_blender(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNTH_BLENDER_PYTHON", "/nonexistent/python")
    assert main(["doctor"]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if "scene3d" in x)
    assert line.startswith("missing  bpy") and "bash scripts/setup.sh" in line


@pytest.mark.parametrize("timeout", ["nan", "inf", "0", "-1"])
def test_a_timeout_that_is_not_a_positive_number_exits_2(
    timeout: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["generate", "--timeout", timeout, "--out", str(tmp_path / "o"), "--dry-run"]) == 2
    assert "--timeout must be positive seconds" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--domain", "chart,table", "--mix", "nan,1"], "positive numbers"),
        (["--domain", "chart,table", "--mix", "inf,1"], "positive numbers"),
        (["--domain", "chart,table", "--mix", "0.5,0.6"], "sum to 1.1"),
    ],
)
def test_mix_weights_that_are_not_shares_exit_2(
    extra: list[str], named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--n", "5", "--out", str(tmp_path / "o"), *extra, "--dry-run"]) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_mix_shares_that_round_are_made_exact(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["generate", "--domain", "chart,table,document", "--mix", "0.333,0.333,0.334"]
    assert main([*argv, "--n", "5", "--out", str(tmp_path), "--dry-run"]) == 0
    assert sum(json.loads(capsys.readouterr().out)["config"]["mix"]) == pytest.approx(1, abs=1e-12)


@pytest.mark.parametrize(
    ("recipe", "named"),
    [
        (b"workers: 1.7\n", "workers must be a whole number"),
        (b"n: 10\nseed: 2.5\n", "seed must be a whole number"),
        (b"domain: chart\ntitle: caf\xe9\n", "not UTF-8"),
        (None, "is a folder"),
    ],
)
def test_a_bad_recipe_exits_2_naming_the_problem(
    recipe: bytes | None, named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.yaml"
    if recipe is None:
        path.mkdir()
    else:
        path.write_bytes(recipe)
    assert main(["generate", "--config", str(path), "--out", str(tmp_path / "o"), "--dry-run"]) == 2
    assert named in capsys.readouterr().err


def test_export_into_a_file_exits_2(small_run: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("mine")
    proc = synth_cmd("export", str(small_run), "--format", "llava", "--out", str(blocker))
    assert proc.returncode == 2 and "is a file" in proc.stderr and "Traceback" not in proc.stderr
    assert blocker.read_text() == "mine"


def test_doctor_never_says_ok_about_a_back_end_the_workers_cannot_see(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The audit's case: mermaid.js found by the main process, hidden from the sandbox."""
    from synth.doctor import render_each_domain
    from synth.engine import sandbox as _sandbox
    from synth.renderers import html

    if _sandbox.bwrap_works() is not None:
        pytest.skip(f"bubblewrap cannot run here: {_sandbox.bwrap_works()}")
    if html.mermaid_js_path() is None:
        pytest.skip("mermaid.js is not installed (bash scripts/setup.sh)")
    from synth import backends

    hidden = dataclasses.replace(html.RENDERER, sandbox_paths=lambda: ())  # as on 9e29a3d
    monkeypatch.setattr(html, "RENDERER", hidden)
    backends.get.cache_clear()
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "mermaid.js" in x)
    assert line.startswith("broken") and "hidden from the sandboxed workers" in line
    assert not render_each_domain(("chart", "diagram"))
    report = capsys.readouterr().out
    assert "ok       render chart: 1 sample" in report
    assert "broken   render diagram:" in report and "mermaid.min.js not found" in report
    monkeypatch.undo()
    backends.get.cache_clear()
    assert render_each_domain(("diagram",)) and "ok       render diagram" in capsys.readouterr().out
