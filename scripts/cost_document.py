"""What one document costs, step by step, in warm in-process loops (no workers, no contention):
the floor's calls, the same calls with the measure, ``render_html``, and the Python steps of a
sample around them.

    python scripts/cost_document.py --n 200 --rounds 2

Chromium's CPU and the rest of the process tree's (this Python plus Playwright's node driver)
are read from /proc before and after each block of pages, and the block's wall time; the ways
take turns block by block, so a drift of the machine's speed hits all of them alike. Prints
two markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cpu_split import cpu_seconds, processes

from synth import backends, registry
from synth._seeding import sample_rng, sample_seed
from synth.build import finish, qa_rng, verify
from synth.renderers import html


def tree_cpu() -> tuple[float, float]:
    """(Chromium's CPU seconds, everything else's in this process tree)."""
    me, chromium, other = str(os.getpid()), 0.0, time.process_time()
    for d, _, cmdline, fields in processes():
        if d == me or (fields[1] != me and b"chrom" not in cmdline):
            continue  # not ours: Chromium's helpers are grandchildren, node is a child
        if b"chrom" in cmdline:
            chromium += cpu_seconds(fields)
        else:
            other += cpu_seconds(fields)
    return chromium, other


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="documents (seed 0, every 3rd index)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    pack = registry.get("document")
    backends.warm_up(pack)
    samples = [
        (i, pack.sample(rng=sample_rng(sample_seed(0, "document", i))))
        for i in range(0, 3 * args.n, 3)
    ]
    b = html._browser()
    page = b.page

    def pixels(source: str, width: int, height: int, measure: str) -> Any:
        b.viewport(page, width, height)
        b.evaluate(page, html.load_script(source, measure))
        return b.capture(page, width, height)

    pages = []  # (source, width, height asked, final height)
    for _, s in samples:
        st = s.spec.style
        h = st.height_px or html.render_html(s.code.source, st.width_px, 0).height
        pages.append((s.code.source, st.width_px, st.height_px, h))
    ways: dict[str, Callable[[str, int, int, int], Any]] = {
        "floor: load + screenshot": lambda src, w, h, hf: pixels(src, w, hf, "() => 0"),
        "floor + measure": lambda src, w, h, hf: pixels(src, w, hf, html._MEASURE),
        "render_html (the pipeline's)": lambda src, w, h, hf: html.render_html(src, w, h),
    }
    cost: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for _ in range(args.rounds):
        for lo in range(0, len(pages), 25):
            block = pages[lo : lo + 25]
            for name, way in ways.items():
                way(*block[0])  # the page's viewport and caches as the loop has them
                c0, o0 = tree_cpu()
                t0 = time.perf_counter()
                for p in block:
                    way(*p)
                cost[name][2] += time.perf_counter() - t0
                c1, o1 = tree_cpu()
                cost[name][0] += c1 - c0
                cost[name][1] += o1 - o0
    per = args.rounds * len(pages) / 1000
    print(
        "| way | Chromium ms per document | Python + node ms per document "
        "| wall ms per document (one loop, a core to spare) |"
    )
    print("|---|---|---|---|")
    for name, (chromium, other, wall) in cost.items():
        print(f"| {name} | {chromium / per:.1f} | {other / per:.1f} | {wall / per:.1f} |")

    rendered = [pack.render(s) for _, s in samples]
    steps: dict[str, float] = defaultdict(float)

    @contextmanager
    def timed(step: str) -> Iterator[None]:
        t0 = time.process_time()
        yield
        steps[step] += time.process_time() - t0

    for _ in range(args.rounds):
        for (i, s), r in zip(samples, rendered, strict=True):
            with timed("sample (spec, persona, HTML)"):
                pack.sample(rng=sample_rng(sample_seed(0, "document", i)))
            with timed("spec JSON"):
                spec = s.spec.to_json()
            with timed("QA seed (hash of the spec)"):
                rng = qa_rng(spec)
            with timed("questions"):
                qa = pack.questions(s, r, rng=rng)
            with timed("checks (blank, boxes)"):
                verify(r, qa)
            with timed("targets (transcription, key-values)"):
                pack.targets(s)
            with timed("finish (all of the above but sample)"):
                rec = finish(pack, s, index=i, seed=i, run_seed=0, rendered=r)[0]
            with timed("record JSON"):
                json.dumps(rec.to_json(), ensure_ascii=False).encode()
    print()
    print("| Python step | ms of CPU per document |")
    print("|---|---|")
    for step, seconds in steps.items():
        print(f"| {step} | {seconds / per:.2f} |")
    print(f"\n{len(pages)} documents x {args.rounds} rounds", file=sys.stderr)


if __name__ == "__main__":
    main()
