"""Does a change leave the data alone? Generate the same fixed-seed runs at a base revision and
in the working tree, and compare every file they write, byte for byte.

    python scripts/same_bytes.py --base 67dce4c            # every domain, 6 samples each
    python scripts/same_bytes.py --base HEAD --domain table --n 2

Each side runs from its own copy of the code (``git archive`` of the base; the working
tree's files that git tracks or would, edits included) with ``PYTHONPATH`` at that copy, in its own process, so
neither sees the other's modules. Both use this checkout's back-ends (mermaid.js, the Blender
venv). Prints one row per run: files compared, files that differ, and exits 1 if any does.
A restructuring (issue 18) must keep every row at 0.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from mutate import copy_checkout  # noqa: E402

#: name -> the generate arguments of one run (every domain, and each chart back-end)
RUNS = {
    "chart": ["--domain", "chart"],
    "chart-plotly": ["--domain", "chart", "--option", "chart.renderer=plotly"],
    "document": ["--domain", "document"],
    "table": ["--domain", "table"],
    "screen": ["--domain", "screen"],
    "diagram": ["--domain", "diagram"],
    "scene3d": ["--domain", "scene3d"],
}
#: written by a run but not data: the lock names the process that held it
SKIP = {".synth/lock"}


def export_revision(rev: str, dest: Path) -> None:
    """The tree of ``rev`` unpacked into ``dest``."""
    archive = dest.with_suffix(".tar")
    subprocess.run(
        ["git", "archive", "--format=tar", "-o", str(archive), rev], cwd=ROOT, check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()


def generate(code: Path, out: Path, args: list[str], n: int, seed: int) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(code),
        "SYNTH_MERMAID_JS": os.environ.get(
            "SYNTH_MERMAID_JS", str(ROOT / "node_modules/mermaid/dist/mermaid.min.js")
        ),
        "SYNTH_BLENDER_PYTHON": os.environ.get(
            "SYNTH_BLENDER_PYTHON", str(ROOT / ".venv-blender/bin/python")
        ),
    }
    command = [sys.executable, "-m", "synth.cli", "generate", *args]
    command += ["--n", str(n), "--seed", str(seed), "--workers", "1", "--out", str(out)]
    done = subprocess.run(command, cwd=code, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {code}:\n{done.stderr[-2000:]}")


def differences(a: Path, b: Path) -> tuple[int, list[str]]:
    """(files compared, the relative paths that differ or exist on one side only)."""
    names_a = {str(p.relative_to(a)) for p in a.rglob("*") if p.is_file()} - SKIP
    names_b = {str(p.relative_to(b)) for p in b.rglob("*") if p.is_file()} - SKIP
    differ = sorted(names_a ^ names_b)
    for name in sorted(names_a & names_b):
        if not filecmp.cmp(a / name, b / name, shallow=False):
            differ.append(name)
    return len(names_a | names_b), sorted(differ)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="HEAD", help="the revision to compare with (default HEAD)")
    ap.add_argument("--n", type=int, default=6, help="samples per run (default 6)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--run", action="append", choices=sorted(RUNS), help="default: all runs")
    ap.add_argument("--keep", help="keep both sides' output under this folder")
    args = ap.parse_args()
    runs = args.run or list(RUNS)
    with tempfile.TemporaryDirectory(prefix="synth-same-bytes-") as tmp:
        work = Path(args.keep or tmp)
        base, head = work / "base", work / "head"
        for side in (base, head):
            (side / "code").mkdir(parents=True, exist_ok=True)
        export_revision(args.base, base / "code")
        copy_checkout(head / "code")
        print(f"base {args.base} against the working tree; {args.n} samples, seed {args.seed}\n")
        print("| run | files | differ |\n|---|---|---|")
        bad = 0
        for name in runs:
            for side in (base, head):
                generate(side / "code", side / name, RUNS[name], args.n, args.seed)
            count, differ = differences(base / name, head / name)
            bad += len(differ)
            print(f"| {name} | {count} | {len(differ)} |", flush=True)
            for path in differ:
                print(f"    differs: {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
