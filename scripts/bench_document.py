"""Document throughput: synth generate vs the floor (screenshotting prepared pages in one warm
browser) vs the naive way (a new browser per image, as public generators do).

    python scripts/bench_document.py --n 1000 --workers 2 --floor-sample 200 --naive-sample 15

Prints a markdown table (paste it into BENCHMARKS.md). Floor and naive render the HTML of a
uniform subsample of the same specs the pipeline renders. The machine's speed drifts (a
shared VM), so the two-loop floor is measured before and after each of ``--rounds`` pipeline
runs and each run is compared with the mean of the floors around it.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_chart import pipeline, warm_rate

from synth._seeding import sample_rng, sample_seed
from synth.generators.document import DocumentGenerator
from synth.renderers.html import CHROMIUM, LAUNCH_ARGS, load_script


def pages(n: int, seed: int, every: int) -> list[tuple[str, int, int]]:
    """(html, width, height) of every ``every``-th document of the run; a page drawn "as tall
    as its content" gets the height the pipeline's image has (measured once, untimed), so
    the floor screenshots exactly the pipeline's pixels."""
    from synth.renderers.html import render_html, reset

    out = []
    for i in range(0, n, every):
        s = DocumentGenerator().sample(rng=sample_rng(sample_seed(seed, "document", i)))
        w, h = s.spec.style.width_px, s.spec.style.height_px
        if not h:
            h = render_html(s.code.source, w, 0).height
        out.append((s.code.source, w, h))
    reset()  # one Playwright per thread: the floor loops start their own
    return out


def floor_per_image(
    docs: list[tuple[str, int, int]], start: Any = None, window_s: float = 0.0
) -> float:
    """Seconds per image: load + screenshot in one warm page (nothing else), with the
    fastest calls we know, the pipeline's own: a viewport set through CDP only when it
    changes, the page written in by one ``Runtime.evaluate`` that awaits its load event
    (what Playwright's ``set_content`` does, without its round trips), and Chromium's
    ``Page.captureScreenshot``.

    Alone, the loop draws ``docs`` once. With ``start`` (a barrier shared with the other
    loops) it waits there once warm, then draws ``docs`` round and round until ``window_s``
    have passed, so every loop's clock runs while all the others' do (the last page may end
    up to one page later)."""
    import base64

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(LAUNCH_ARGS))
        page = browser.new_page(device_scale_factor=1)
        cdp = page.context.new_cdp_session(page)
        size = (0, 0)

        def shot(html: str, w: int, h: int) -> bytes:
            nonlocal size
            if size != (w, h):
                metrics = {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": False}
                cdp.send("Emulation.setDeviceMetricsOverride", metrics)
                size = (w, h)
            # the pipeline's own load script, measuring nothing
            expression = load_script(html, "() => 0")
            cdp.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True})
            clip = {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}
            return base64.b64decode(cdp.send("Page.captureScreenshot", {"clip": clip})["data"])

        for doc in docs[:5]:  # warm-up: fonts, caches
            shot(*doc)
        if start is not None:
            start.wait()
        t0 = time.perf_counter()
        done = 0
        while done < len(docs) if start is None else time.perf_counter() - t0 < window_s:
            shot(*docs[done % len(docs)])
            done += 1
        elapsed = time.perf_counter() - t0
        browser.close()
    return elapsed / done


def parallel_floor_per_image(
    docs: list[tuple[str, int, int]], workers: int, window_s: float = 10.0
) -> float:
    """Seconds per image per loop when ``workers`` floor loops run at once (each its own
    browser), as the pipeline's workers do: Chromium spreads one page over several processes,
    so one loop alone already uses more than one core. The loops start their clocks together
    once all are warm and draw for the same ``window_s``, so no loop is timed while another
    is still starting or already done (a loop that was timed alone at its start or its end
    would make the floor look faster than two loops at once are)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import Manager

    chunks = [docs[i::workers] for i in range(workers)]
    with Manager() as manager, ProcessPoolExecutor(workers) as ex:
        start = manager.Barrier(workers)
        per = list(ex.map(floor_per_image, chunks, [start] * workers, [window_s] * workers))
    return sum(per) / len(per)


#: the public generator in ../shared/backends.md waits this long after loading each page
PUBLIC_WAIT_S = 2.0


def naive_per_image(docs: list[tuple[str, int, int]]) -> float:
    """Seconds per image when every image starts its own browser (no fixed sleep added)."""
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    with sync_playwright() as pw:
        for html, w, h in docs:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(LAUNCH_ARGS))
            page = browser.new_page(viewport={"width": w, "height": h}, device_scale_factor=1)
            page.set_content(html, wait_until="load")
            page.screenshot(type="png")
            browser.close()
    return (time.perf_counter() - t0) / len(docs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--floor-sample", type=int, default=200)
    ap.add_argument("--naive-sample", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=2, help="pipeline runs, each between floors")
    ap.add_argument(
        "--floor-window", type=float, default=10.0, help="seconds each two-loop floor is timed"
    )
    args = ap.parse_args()
    floor_docs = pages(args.n, args.seed, max(1, args.n // args.floor_sample))
    naive_docs = pages(args.n, args.seed, max(1, args.n // args.naive_sample))
    floors = [parallel_floor_per_image(floor_docs, args.workers, args.floor_window)]
    walls, warm, starts, rss = [], [], [], 0
    for _ in range(args.rounds):
        marks: list[tuple[float, int]] = []
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "docs"
            wall, peak = pipeline(
                args.n, args.workers, args.seed, out, domain="document", marks=marks
            )
        walls.append(wall)
        start, rate = warm_rate(marks)
        starts.append(start)
        warm.append(rate / args.workers)
        rss = max(rss, peak)
        floors.append(parallel_floor_per_image(floor_docs, args.workers, args.floor_window))
    around = [(floors[i] + floors[i + 1]) / 2 for i in range(args.rounds)]
    ratios = [args.n / wall / args.workers * f for wall, f in zip(walls, around, strict=True)]
    warm_ratios = [r * f for r, f in zip(warm, around, strict=True)]
    floor = floor_per_image(floor_docs)
    floor_par = sum(floors) / len(floors)
    naive = naive_per_image(naive_docs)
    wall = sum(walls) / len(walls)
    per_worker = args.n / wall / args.workers
    print(f"python {platform.python_version()}, {args.workers} workers, n={args.n}")
    print()
    print("| way | docs/s per worker | vs pipeline |")
    print("|---|---|---|")
    print(f"| synth generate (sandboxed workers, QA, shards) | {per_worker:.2f} | 1.00 |")
    print(
        f"| floor: screenshot prepared pages, warm page | {1 / floor:.2f} | "
        f"{per_worker * floor:.2f} of the floor |"
    )
    print(
        f"| floor, {args.workers} loops at once (one per worker) | {1 / floor_par:.2f} | "
        f"{statistics.median(ratios):.2f} of this floor (median; each run against the "
        f"floors around it: {', '.join(f'{r:.2f}' for r in ratios)}) |"
    )
    print(
        f"| synth generate after its first sample (warm, as the floor is timed) | "
        f"{statistics.median(warm):.2f} | {statistics.median(warm_ratios):.2f} of the "
        f"{args.workers}-loop floor (median; runs: "
        f"{', '.join(f'{r:.2f}' for r in warm_ratios)}); start-up before the first sample "
        f"{statistics.median(starts):.1f} s |"
    )
    print(
        f"| naive: new browser per image | {1 / naive:.2f} | "
        f"{per_worker * naive:.1f}x faster than naive |"
    )
    slept = naive + PUBLIC_WAIT_S
    print(
        f"| naive as public generators run it: + a fixed {PUBLIC_WAIT_S:g} s wait (computed) | "
        f"{1 / slept:.2f} | {per_worker * slept:.1f}x faster than it |"
    )
    print(
        f"\npipeline walls {', '.join(f'{w:.1f}' for w in walls)} s, two-loop floors "
        f"{', '.join(f'{1 / f:.2f}' for f in floors)} images/s per loop, "
        f"peak RSS of the run {rss / 2**20:.0f} MiB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
