"""Graph throughput: synth generate vs the floor (the renderer alone in a loop, each ``dot``
started ahead) vs each ``dot`` started when its graph comes vs one ``dot`` shared by every
graph (faster, but it lays some out differently) vs the naive way (a fresh interpreter that
runs ``dot``, per image, as public generators do).

    python scripts/bench_graph.py --n 1000 --workers 1 --floor-sample 300 --naive-sample 30

Prints a markdown table (paste it into BENCHMARKS.md). Every way draws the same graphs: those
of the pipeline's own run (a uniform subsample of its specs for the loops).
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


def loop_per_image(graphs: list[str], rounds: int, *, ahead: bool) -> float:
    """Seconds per image of ``render_dot`` alone in a loop, median of ``rounds``: with its
    dot started ahead (synth's way in a worker) or started when the graph comes."""
    graphviz.ONE_SHOT = not ahead
    try:
        for g in graphs[:5]:
            graphviz.render_dot(g)
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            for g in graphs:
                graphviz.render_dot(g)
            times.append((time.perf_counter() - t0) / len(graphs))
    finally:
        graphviz.ONE_SHOT = False
        graphviz.ready().stop()
    return statistics.median(times)


def shared_per_image(graphs: list[str]) -> tuple[float, int]:
    """Seconds per image when one dot draws every graph, and how many of its drawings
    differ from a dot of their own: why synth does not share one."""
    text = "\n".join(graphs).encode()
    t0 = time.perf_counter()
    out = subprocess.run([graphviz.DOT, "-Tpng"], input=text, capture_output=True).stdout
    per = (time.perf_counter() - t0) / len(graphs)
    pngs = [p + graphviz.PNG_END for p in out.split(graphviz.PNG_END)[:-1]]
    alone = [
        subprocess.run([graphviz.DOT, "-Tpng"], input=g.encode(), capture_output=True).stdout
        for g in graphs
    ]
    return per, sum(a != b for a, b in zip(pngs, alone, strict=True))


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
    ahead = loop_per_image(graphs, args.rounds, ahead=True)
    fresh = loop_per_image(graphs, args.rounds, ahead=False)
    marks: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        wall, peak = pipeline(
            args.n, args.workers, args.seed, Path(tmp) / "graphs", domain="graph", marks=marks
        )
    start, rate = warm_rate(marks)
    per_worker, warm_worker = args.n / wall / args.workers, rate / args.workers
    ahead_again = loop_per_image(graphs, args.rounds, ahead=True)
    floor = (ahead + ahead_again) / 2
    shared, differ = shared_per_image(graphs)
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
        f"| floor: render_dot alone in a loop, each dot started ahead | {1 / floor:.1f} | "
        f"synth after start-up is {warm_worker * floor:.2f} of it |"
    )
    print(
        f"| render_dot alone, each dot started when its graph comes | {1 / fresh:.1f} | "
        f"started ahead: {fresh / floor:.2f}x |"
    )
    print(
        f"| not used: one dot fed every graph | {1 / shared:.1f} | {differ} of {len(graphs)} "
        f"drawn differently than alone |"
    )
    print(
        f"| naive: a fresh Python + dot per image | {1 / naive:.1f} | "
        f"synth {per_worker * naive:.1f}x faster (after start-up {warm_worker * naive:.1f}x) |"
    )
    print(
        f"\nfloor before/after the pipeline {1 / ahead:.1f} / {1 / ahead_again:.1f} graphs/s, "
        f"pipeline wall {wall:.1f} s, peak RSS {peak / 2**20:.0f} MiB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
