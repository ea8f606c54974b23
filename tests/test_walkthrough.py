"""The worked example of a third-party pack (``examples/shapes_pack``), used as its author
would: installed with pip into a fresh virtual environment, beside synth and not inside it,
then run with ``synth generate`` (sandboxed), ``synth render-code`` and ``synth reproduce``.

The pack's domain and its renderer of its own reach synth through their two entry points
alone: nothing in synth names them. Its answers recompute from each record's spec.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv that sees synth's environment (a ``.pth`` adding its site folder) and has
    the pack installed in it by pip, from the pack's own folder."""
    root = tmp_path_factory.mktemp("walkthrough") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    purelib = subprocess.run(
        [str(root / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lines = "".join(f"import site; site.addsitedir({d!r})\n" for d in site.getsitepackages())
    (Path(purelib) / "synth_env.pth").write_text(lines)
    # synth's pip, installing into the new venv (where synth's setuptools builds the pack)
    pip = [sys.executable, "-m", "pip", "--python", str(root / "bin/python"), "install", "-q"]
    pip += ["--no-build-isolation"]
    source = root.parent / "shapes_pack"  # a copy: building writes beside the sources
    shutil.copytree(ROOT / "examples/shapes_pack", source)
    done = subprocess.run([*pip, "--no-deps", str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return root


def synth(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SYNTH_DOMAINS")}
    return subprocess.run(
        [str(venv / "bin/python"), "-m", "synth.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_installed_pack_generates_in_the_sandbox_and_its_answers_recompute(
    venv: Path, tmp_path: Path
) -> None:
    from synth.dataset import iter_samples

    out = tmp_path / "shapes"
    done = synth(venv, "generate", "--domain", "shapes", "--n", "6", "--workers", "2",
                 "--out", str(out), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["written"] == 6 and manifest["counts"]["failed"] == 0
    records = [record for record, _ in iter_samples(out)]
    assert [r["domain"] for r in records] == ["shapes"] * 6
    for record in records:
        assert record["code"]["language"] == "shapes-json"
        assert record["versions"]["renderer"].startswith("pillow")
        shapes = record["spec"]["shapes"]
        assert len(record["annotations"]["elements"]) == len(shapes)
        for qa in record["qa"]:
            if qa["program"] == "count_colour":
                colour = qa["question"].split()[2]
                assert qa["answer"] == sum(s["colour"] == colour for s in shapes)
            else:
                biggest = max(shapes, key=lambda s: s["size"])
                assert qa["answer"] == biggest["colour"]


def test_render_code_and_reproduce_find_the_packs_renderer(venv: Path, tmp_path: Path) -> None:
    out = tmp_path / "shapes"
    assert synth(venv, "generate", "--domain", "shapes", "--n", "2", "--out", str(out),
                 cwd=tmp_path).returncode == 0  # fmt: skip
    same = synth(venv, "reproduce", str(out), "1", cwd=tmp_path)
    assert same.returncode == 0 and json.loads(same.stdout)["identical"] is True, same.stderr
    code = tmp_path / "drawing.json"
    code.write_text(
        json.dumps(
            {
                "width": 64,
                "height": 48,
                "background": "white",
                "shapes": [
                    {
                        "kind": "square",
                        "colour": "red",
                        "rgb": [200, 0, 0],
                        "x": 8,
                        "y": 8,
                        "size": 20,
                    }
                ],
            }
        )
    )
    png = tmp_path / "drawing.png"
    drawn = synth(venv, "render-code", str(code), "--language", "shapes-json", "--out", str(png),
                  cwd=tmp_path)  # fmt: skip
    assert drawn.returncode == 0, drawn.stderr[-2000:]
    assert png.read_bytes().startswith(b"\x89PNG")
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (64, 48) and image.getpixel((18, 18)) == (200, 0, 0)


def test_doctor_lists_the_packs_renderer_and_domain(venv: Path, tmp_path: Path) -> None:
    report = synth(venv, "doctor", cwd=tmp_path).stdout
    assert "ok       pillow" in report and "(shapes-json code)" in report
    assert "ok       domain shapes (version 1)" in report
