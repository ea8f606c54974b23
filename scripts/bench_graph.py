"""Graph throughput: synth generate vs the floor (Graphviz alone, warm) vs a fresh ``dot``
per graph vs the naive way (a fresh interpreter that runs ``dot``, per image, as public
generators do).

    python scripts/bench_graph.py --n 1000 --workers 1 --floor-sample 300 --naive-sample 30

Prints a markdown table (paste it into BENCHMARKS.md). Every way draws the same graphs: those
of the pipeline's own run (a uniform subsample of its specs for the loops). Each loop's
output is checked against the pipeline's renderer, so no way is timed drawing less.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_chart import pipeline, warm_rate

from synth._seeding import sample_rng, sample_seed
from synth.generators.graph import GraphGenerator
from synth.renderers import graphviz

NAIVE = (
    "import subprocess, sys\n"
    "subprocess.run(['dot', '-Tpng', '-o', sys.argv[1]], input=sys.stdin.buffer.read(), "
    "check=True)\n"
)


def sources(n: int, seed: int, every: int) -> list[str]:
    """The DOT of every ``every``-th sample of the run (the pipeline's own specs)."""
    return [
        GraphGenerator().sample(rng=sample_rng(sample_seed(seed, "graph", i))).code.source
        for i in range(0, n, every)
    ]


def warm_per_image(graphs: list[str], rounds: int) -> float:
    """Seconds per image: the warm ``dot`` alone, after a warm-up, median of ``rounds``."""
    dot = graphviz.WarmDot()
    for g in graphs[:5]:
        assert dot.draw(g) is not None
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for g in graphs:
            dot.draw(g)
        times.append((time.perf_counter() - t0) / len(graphs))
    dot.stop()
    return statistics.median(times)


def fresh_per_image(graphs: list[str], rounds: int) -> float:
    """Seconds per image with a fresh ``dot -Tpng -Tjson`` per graph (synth's one-shot path)."""
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for g in graphs:
            graphviz._one_shot(g)
        times.append((time.perf_counter() - t0) / len(graphs))
    return statistics.median(times)


def naive_per_image(graphs: list[str]) -> float:
    """Seconds per image: a fresh Python per graph that runs ``dot`` to a PNG file."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        for i, g in enumerate(graphs):
            out = Path(tmp) / f"{i}.png"
            subprocess.run([sys.executable, "-c", NAIVE, str(out)], input=g.encode(), check=True)
        return (time.perf_counter() - t0) / len(graphs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--floor-sample", type=int, default=300)
    ap.add_argument("--naive-sample", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of each floor loop")
    args = ap.parse_args()
    graphs = sources(args.n, args.seed, max(1, args.n // args.floor_sample))
    naive_graphs = sources(args.n, args.seed, max(1, args.n // args.naive_sample))
    for g in graphs[:10]:  # the warm path draws what a fresh dot draws
        assert graphviz.render_dot(g) == graphviz._rendered(*graphviz._one_shot(g))
    graphviz.warm().stop()
    warm = warm_per_image(graphs, args.rounds)
    fresh = fresh_per_image(graphs, args.rounds)
    marks: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        wall, peak = pipeline(
            args.n, args.workers, args.seed, Path(tmp) / "graphs", domain="graph", marks=marks
        )
    start, rate = warm_rate(marks)
    per_worker, warm_worker = args.n / wall / args.workers, rate / args.workers
    warm_again = warm_per_image(graphs, args.rounds)
    floor = (warm + warm_again) / 2
    naive = naive_per_image(naive_graphs)
    print(f"python {platform.python_version()}, {graphviz.version()}, {args.workers} workers, "
          f"n={args.n}")  # fmt: skip
    print()
    print("| way | graphs/s per worker | vs synth |")
    print("|---|---|---|")
    print(f"| synth generate (sandboxed workers, QA, checks, shards) | {per_worker:.1f} | 1.00 |")
    print(
        f"| synth generate after its first sample (start-up {start:.1f} s left out) | "
        f"{warm_worker:.1f} | {warm_worker * floor:.2f} of the floor |"
    )
    print(
        f"| floor: the warm dot alone (one process fed graph after graph) | {1 / floor:.1f} | "
        f"synth after start-up is {warm_worker * floor:.2f} of it |"
    )
    print(
        f"| a fresh dot -Tpng -Tjson per graph (no Python start) | {1 / fresh:.1f} | "
        f"warm dot {fresh / floor:.1f}x faster |"
    )
    print(
        f"| naive: a fresh Python + dot per image | {1 / naive:.1f} | "
        f"synth {per_worker * naive:.1f}x faster (after start-up {warm_worker * naive:.1f}x) |"
    )
    print(
        f"\nfloor before/after the pipeline {1 / warm:.1f} / {1 / warm_again:.1f} graphs/s, "
        f"pipeline wall {wall:.1f} s, peak RSS {peak / 2**20:.0f} MiB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
