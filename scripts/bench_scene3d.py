"""3D scene throughput: synth generate vs the warm Blender worker alone (the floor) vs a fresh
Blender process per scene (how public generators run ``blender --background`` per scene), at
the same resolution and samples.

    python scripts/bench_scene3d.py --n 40 --workers 2 --floor-sample 12 --naive-sample 6
    python scripts/bench_scene3d.py --engine workbench --n 100 --workers 1

Prints a markdown table (paste it into BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

from bench_chart import pipeline

from synth._seeding import sample_rng, sample_seed
from synth.generators.scene3d import ASSETS, SceneGenerator
from synth.renderers.blender import BlenderClient


def scenes(
    n: int, seed: int, every: int, width: int, height: int, spp: int, engine: str
) -> list[dict]:  # type: ignore[type-arg]
    gen = SceneGenerator(width=width, height=height, samples=spp, engine=engine)
    return [
        gen.sample(rng=sample_rng(sample_seed(seed, "scene3d", i))).spec.to_json()
        for i in range(0, n, every)
    ]


def warm_per_scene(batch: list[dict]) -> float:  # type: ignore[type-arg]
    c = BlenderClient()
    c.render(batch[0], ASSETS)  # warm-up: Blender loaded, kernels compiled
    t0 = time.perf_counter()
    for s in batch:
        c.render(s, ASSETS)
    c.stop()
    return (time.perf_counter() - t0) / len(batch)


def naive_per_scene(batch: list[dict]) -> float:  # type: ignore[type-arg]
    t0 = time.perf_counter()
    for s in batch:
        c = BlenderClient()  # a new Blender process for this one scene
        c.render(s, ASSETS)
        c.stop()
    return (time.perf_counter() - t0) / len(batch)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--floor-sample", type=int, default=12)
    ap.add_argument("--naive-sample", type=int, default=6)
    ap.add_argument("--engine", default="cycles", choices=["cycles", "workbench", "eevee"])
    args = ap.parse_args()
    w, h, spp = 320, 240, 16  # what SceneGenerator() draws, and what the pipeline renders
    e = args.engine
    floor_batch = scenes(args.n, args.seed, max(1, args.n // args.floor_sample), w, h, spp, e)
    naive_batch = scenes(args.n, args.seed, max(1, args.n // args.naive_sample), w, h, spp, e)
    with tempfile.TemporaryDirectory() as tmp:
        wall, rss = pipeline(
            args.n,
            args.workers,
            args.seed,
            Path(tmp) / "s",
            "--option",
            f"scene3d.engine={e}",
            domain="scene3d",
        )
    floor = warm_per_scene(floor_batch)
    naive = naive_per_scene(naive_batch)
    per_worker = args.n / wall / args.workers
    print(
        f"python {platform.python_version()}, {e}, {args.workers} workers, n={args.n}, {w}x{h}, {spp} spp"
    )
    print()
    print("| way | scenes/s per worker | vs pipeline |")
    print("|---|---|---|")
    print(
        f"| synth generate (sandboxed workers, masks, depth, QA, shards) | {per_worker:.2f} | 1.00 |"
    )
    print(
        f"| floor: warm Blender worker alone (build + render + passes) | {1 / floor:.2f} | {per_worker * floor:.2f} of the floor |"
    )
    print(
        f"| naive: new Blender process per scene | {1 / naive:.2f} | {per_worker * naive:.1f}x faster than naive |"
    )
    print(f"\npipeline wall {wall:.1f} s, peak RSS {rss / 2**20:.0f} MiB", file=sys.stderr)


if __name__ == "__main__":
    main()
