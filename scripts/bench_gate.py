"""What the legibility gate costs per sample, beside what the sample's render costs.

    python scripts/bench_gate.py --n 40

For each domain, the same samples are drawn, rendered once in this process (the warm
renderer: the floor a sample cannot go under) and asked their questions; then the gate runs
on them as ``synth.build.finish`` runs it (one decode to grey, one verdict per element) and
the naive way (a decode and a fresh measure for every element of every question), each
timed over all samples and repeated ``--rounds`` times (the best round counts).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from synth import legibility, registry
from synth._seeding import sample_seed

DOMAINS = ("chart", "document", "table", "screen", "diagram")


def naive_gate(png: bytes, elements: Any, qa: Any) -> int:
    """Every question decodes the image and measures each element it reads anew."""
    dropped = 0
    for q in qa:
        image = legibility.grey(png)
        if any(legibility.failure(image, elements[i]) for i in legibility.reads(q, elements)):
            dropped += 1
    return dropped


def best(fn: Any, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="samples per domain")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--domains", default=",".join(DOMAINS))
    args = ap.parse_args()
    print("| domain | samples | questions | render ms/sample (floor) | gate ms/sample |"
          " gate / render | naive gate ms/sample | dropped |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for domain in args.domains.split(","):
        pack = registry.get(domain, {})
        made = []
        render_s = 0.0
        for i in range(args.n + 1):
            rng = np.random.default_rng(sample_seed(0, domain, i))
            sample = pack.sample(rng=rng)
            t0 = time.perf_counter()
            rendered = pack.render(sample)
            if i > 0:  # the first warms the renderer up
                render_s += time.perf_counter() - t0
                made.append((rendered, pack.questions(sample, rendered, rng=rng)))
        questions = sum(len(qa) for _, qa in made)

        dropped = sum(len(legibility.gate(r.png, r.elements, qa)[1]) for r, qa in made)
        g = best(
            lambda made=made: [legibility.gate(r.png, r.elements, q) for r, q in made], args.rounds
        )
        nv = best(
            lambda made=made: [naive_gate(r.png, list(r.elements), q) for r, q in made], args.rounds
        )
        n = len(made)
        print(
            f"| {domain} | {n} | {questions} | {1000 * render_s / n:.1f} | {1000 * g / n:.2f} |"
            f" {g / render_s:.1%} | {1000 * nv / n:.2f} | {dropped} |"
        )


if __name__ == "__main__":
    main()
