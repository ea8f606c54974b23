"""What building each task of a pack from outside in a process of its own costs.

A pack from outside synth (``SYNTH_DOMAINS``) has each task built in a child forked from its
warm worker (synth.engine.forked), so nothing a sample changes reaches another. Trusted
(``SYNTH_TRUSTED_PACKS``), the same pack runs in the worker as a built-in one does. This
runs the same pack both ways, sandboxed, interleaved A B A B, and checks that both ways
write the same images.

    python scripts/bench_forked.py --n 300 --workers 2 --domains chart,document

The packs are defined here: the built-in domain under another name, from outside.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from synth import registry
from synth.pack import DomainPack, Sample

HERE = Path(__file__).resolve().parent


def outside(base_name: str) -> DomainPack:
    """The built-in pack ``base_name``, named ``outside_<base_name>``."""
    base = registry.get(base_name)

    class Outside(type(base)):  # type: ignore[misc]
        name = f"outside_{base_name}"

        def sample(self, *, rng: np.random.Generator) -> Sample:
            return dataclasses.replace(super().sample(rng=rng), domain=self.name)

    pack = Outside.__new__(Outside)
    pack.__dict__.update(base.__dict__)
    return pack


CHART = outside("chart")
DOCUMENT = outside("document")


def run(domain: str, n: int, workers: int, out: Path, trusted: bool) -> tuple[float, set[str]]:
    """Wall seconds of ``synth generate`` and the hashes of the images it wrote."""
    from synth.dataset import iter_samples

    shutil.rmtree(out, ignore_errors=True)
    name = f"outside_{domain}"
    env = dict(os.environ)
    env.update(
        SYNTH_DOMAINS=f"{name}=bench_forked:{domain.upper()}",
        PYTHONPATH=os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]),
        SYNTH_TRUSTED_PACKS=name if trusted else "",
    )
    cmd = [sys.executable, "-m", "synth.cli", "generate", "--domain", name, "--n", str(n)]
    cmd += ["--workers", str(workers), "--out", str(out), "--progress", "off"]
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    return wall, {hashlib.sha256(png).hexdigest() for _, png in iter_samples(out)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--domains", default="chart,document")
    ap.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "synth-bench-forked"))
    args = ap.parse_args()
    out = Path(args.out)
    print(f"command: python scripts/bench_forked.py --n {args.n} --workers {args.workers}")
    print(f"machine: {os.cpu_count()} cores\n")
    print("| domain | in the worker (trusted), wall s | a process per task, wall s "
          "| forked throughput / in-worker | same images |")  # fmt: skip
    print("|---|---|---|---|---|")
    for domain in args.domains.split(","):
        walls: dict[bool, list[float]] = {True: [], False: []}
        images: dict[bool, set[str]] = {}
        for _ in range(2):
            for trusted in (True, False):
                wall, images[trusted] = run(domain, args.n, args.workers, out, trusted)
                walls[trusted].append(wall)
        mean = {k: sum(v) / len(v) for k, v in walls.items()}
        shown = {k: ", ".join(f"{w:.1f}" for w in v) for k, v in walls.items()}
        same = images[True] == images[False] and len(images[True]) > 0
        print(
            f"| {domain} | {shown[True]} | {shown[False]} | {mean[True] / mean[False]:.3f} "
            f"| {'yes' if same else 'NO'} ({len(images[True])}) |"
        )
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
