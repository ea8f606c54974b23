"""What running each Matplotlib script in a forked child costs (``render-code`` and
``reproduce`` do; ``generate`` does not), in one warm process, interleaved.

    python scripts/bench_script_fork.py --n 40 --rounds 2

Rows: the script rendered in this process (the floor), the same script in a child forked
for it (``mpl.render_isolated``), and a bare fork + exit of this process (the part of the
cost that is not the render's copy-on-write faults and lost caches).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from synth.generators.chart import ChartGenerator
from synth.renderers import mpl


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    gen = ChartGenerator(renderer="matplotlib")
    sources = [gen.sample(rng=np.random.default_rng(i)).code.source for i in range(args.n)]
    for source in sources:  # warm: fonts, caches
        mpl._render(source)
    rows: dict[str, list[float]] = {"in this process": [], "forked child": [], "fork + exit": []}
    for _ in range(args.rounds):
        for name, render in (
            ("in this process", mpl._render),
            ("forked child", mpl.render_isolated),
        ):
            t0 = time.perf_counter()
            for source in sources:
                render(source)
            rows[name].append((time.perf_counter() - t0) / len(sources) * 1000)
        t0 = time.perf_counter()
        for _ in sources:
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
        rows["fork + exit"].append((time.perf_counter() - t0) / len(sources) * 1000)
    rss = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    print(f"charts: {args.n}, rounds: {args.rounds}, this process: {rss:.0f} MB resident")
    print("\n| way | ms per chart (each round) | of the floor |\n|---|---|---|")
    floor = sum(rows["in this process"]) / args.rounds
    for name, ms in rows.items():
        mean = sum(ms) / len(ms)
        print(f"| {name} | {', '.join(f'{m:.1f}' for m in ms)} | {mean / floor:.2f} |")


if __name__ == "__main__":
    main()
