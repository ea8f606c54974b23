"""Where a Matplotlib chart's time goes inside one warm worker (CPU time per chart, same
specs, interleaved).

    python scripts/bench_chart_overhead.py --n 60

Rows: the floor (exec the script, draw to PNG bytes), the renderer with render facts, and
the whole sample (spec + render + QA + verify + record JSON), plus the facts step alone.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections import Counter

from synth import registry
from synth._seeding import sample_rng, sample_seed
from synth.build import build_record
from synth.renderers import mpl


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60)
    args = ap.parse_args()
    pack = registry.get("chart", {"renderer": "matplotlib"})  # the Matplotlib path only
    seeds = [sample_seed(0, "chart", i) for i in range(0, 10 * args.n, 10)]
    total: Counter[str] = Counter()

    def floor(src: str) -> None:
        ns: dict[str, object] = {"__name__": "bench"}
        exec(compile(src, "<chart>", "exec"), ns)
        ns["draw"](io.BytesIO())  # type: ignore[operator]

    for s in seeds[:5]:
        build_record(pack, index=0, seed=s, run_seed=0)  # warm-up
    facts_only = mpl._facts

    def timed_facts(fig, height):  # type: ignore[no-untyped-def]
        t = time.process_time()
        out = facts_only(fig, height)
        total["  of which render facts"] += time.process_time() - t
        return out

    for s in seeds:
        t = time.process_time()
        src = pack.sample(rng=sample_rng(s)).code.source
        total["spec + code"] += time.process_time() - t
        t = time.process_time()
        floor(src)
        total["floor: script alone"] += time.process_time() - t
        mpl._facts = timed_facts
        t = time.process_time()
        mpl.render_matplotlib(src)
        total["renderer with facts"] += time.process_time() - t
        mpl._facts = facts_only
        t = time.process_time()
        record, _, _ = build_record(pack, index=0, seed=s, run_seed=0)
        json.dumps(record.to_json())
        total["whole sample (as a worker does)"] += time.process_time() - t
    print(f"| step | ms per chart (CPU, n={len(seeds)}) |\n|---|---|")
    for key, value in total.items():
        print(f"| {key} | {1000 * value / len(seeds):.1f} |")


if __name__ == "__main__":
    main()
