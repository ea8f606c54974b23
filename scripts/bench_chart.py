"""Chart throughput: synth generate vs the floor (renderer alone, warm) vs the naive way
(a fresh Python process per chart), plus the run's peak memory at two sizes.

    python scripts/bench_chart.py --n 10000 --workers 2 --floor-sample 400 --naive-sample 40 \
        --memory-n 2000,20000
    python scripts/bench_chart.py --domain geometry --n 1000   # another Matplotlib domain

Prints a markdown table (paste it into BENCHMARKS.md). The floor and naive timings run on a
uniform subsample of the *same* specs the pipeline renders (every k-th index).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from synth import registry
from synth._seeding import sample_rng, sample_seed
from synth.pack import Sample

#: the domain measured (--domain): its pack samples and renders
DOMAIN = {"name": "chart"}


def chart_samples(n: int, seed: int, every: int) -> list[Sample]:
    """The run's own samples at every ``every``-th index (Matplotlib and Plotly, as drawn)."""
    pack = registry.get(DOMAIN["name"])
    return [
        pack.sample(rng=sample_rng(sample_seed(seed, DOMAIN["name"], i)))
        for i in range(0, n, every)
    ]


def floor_per_image(samples: list[Sample]) -> float:
    """Seconds per image of the renderer alone in one warm process: the chart domain's own
    render (a Matplotlib script run in-process, or the Plotly figure in this process's warm
    Chromium page), no QA, no records, no sandbox."""
    pack = registry.get(DOMAIN["name"])
    for sample in samples[:5]:
        pack.render(sample)  # warm-up: imports, font cache, style files, the browser
    t0 = time.perf_counter()
    for sample in samples:
        pack.render(sample)
    return (time.perf_counter() - t0) / len(samples)


def naive_per_image(samples: list[Sample], parallel: int = 1) -> float:
    """Wall seconds per image with a fresh interpreter per chart, ``parallel`` at a time: a
    Matplotlib script run alone (``python chart.py out.png``); a Plotly figure through
    ``synth render-code --no-sandbox`` (a fresh process and a fresh browser)."""
    from concurrent.futures import ThreadPoolExecutor

    with tempfile.TemporaryDirectory() as tmp:
        commands = []
        for i, sample in enumerate(samples):
            if sample.code.language == "python-matplotlib":
                p = Path(tmp) / f"c{i}.py"
                commands.append([sys.executable, str(p), str(p.with_suffix(".png"))])
            else:
                p = Path(tmp) / f"c{i}.json"
                commands.append(
                    [sys.executable, "-m", "synth.cli", "render-code", str(p), "--no-sandbox"]
                    + ["--out", str(p.with_suffix(".png"))]
                )
            p.write_text(sample.code.source)

        def one(cmd: list[str]) -> None:
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(parallel) as ex:
            list(ex.map(one, commands))
        return (time.perf_counter() - t0) / len(commands)


class TreeRSS(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, False

    def run(self) -> None:
        while not self.stop:
            self.peak = max(self.peak, _tree_rss(self.pid))
            time.sleep(0.2)


def _tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            parents[int(d)] = int(parts[1])
            rss[int(d)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(c for c, pp in parents.items() if pp == p)
    return total


def pipeline(
    n: int,
    workers: int,
    seed: int,
    out: Path,
    *extra: str,
    domain: str = "chart",
    marks: list[tuple[float, int]] | None = None,
) -> tuple[float, int]:
    """Wall seconds and peak tree RSS of ``synth generate`` (a fresh command, as a user runs it).

    With ``marks``, the run draws its progress bar into a pipe and ``marks`` gets
    (seconds since start, samples done) each time the bar is redrawn (every 0.1 s): the
    moment the first sample is done separates start-up (imports, workers, warm browsers)
    from the warm rate after it."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "synth.cli",
        "generate",
        "--domain",
        domain,
        "--n",
        str(n),
        "--seed",
        str(seed),
        "--workers",
        str(workers),
        "--out",
        str(out),
        "--progress",
        "off" if marks is None else "bar",
        *extra,
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=None if marks is None else subprocess.PIPE
    )
    mon = TreeRSS(proc.pid)
    mon.start()
    reader = None
    if marks is not None:
        reader = threading.Thread(target=_read_bar, args=(proc, t0, marks), daemon=True)
        reader.start()
    if proc.wait() != 0:
        raise SystemExit(f"synth generate failed: {cmd}")
    wall = time.perf_counter() - t0
    mon.stop = True
    mon.join()
    if reader is not None:
        reader.join()
        marks.append((wall, n))
    return wall, mon.peak


def _read_bar(proc: subprocess.Popen[bytes], t0: float, marks: list[tuple[float, int]]) -> None:
    """Timestamps of the progress bar's redraws: ``[###...] done/total ...`` after each \\r."""
    assert proc.stderr is not None
    buf = b""
    while chunk := proc.stderr.read1(4096):
        now = time.perf_counter() - t0
        buf += chunk
        *lines, buf = re.split(rb"[\r\n]", buf)
        for line in lines:
            if m := re.search(rb"\] (\d+)/\d+", line):
                marks.append((now, int(m.group(1))))


def warm_rate(marks: list[tuple[float, int]]) -> tuple[float, float]:
    """(seconds until the first sample was done, samples per second after it, to the end)."""
    t_first, n_first = next((t, k) for t, k in marks if k > 0)
    t_end, n_end = marks[-1]
    return t_first, (n_end - n_first) / (t_end - t_first)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument(
        "--domain",
        default="chart",
        help="a domain whose code is a Matplotlib script or a Plotly figure",
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--floor-sample", type=int, default=400)
    ap.add_argument("--naive-sample", type=int, default=40)
    ap.add_argument(
        "--memory-n", default="", help="comma-separated sizes for the memory check, e.g. 2000,20000"
    )
    ap.add_argument(
        "--sandbox-n",
        type=int,
        default=0,
        help="also compare sandboxed and --no-sandbox runs of this size",
    )
    ap.add_argument("--only-sandbox", action="store_true", help="run only the sandbox comparison")
    ap.add_argument(
        "--sandbox-domain", default="chart", help="the domain of the sandbox comparison"
    )
    ap.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "synth-bench"))
    args = ap.parse_args()
    DOMAIN["name"] = args.domain
    out = Path(args.out)
    if not args.only_sandbox:
        main_table(args, out)
    if args.sandbox_n:
        sandbox_table(args, out)


def sandbox_table(args: argparse.Namespace, out: Path) -> None:
    """Sandboxed vs --no-sandbox, interleaved A B A B so drift hits both alike."""
    walls: dict[str, list[float]] = {"bwrap": [], "none": []}
    for _ in range(2):
        for mode, extra in (("bwrap", ()), ("none", ("--no-sandbox",))):
            w, _ = pipeline(
                args.sandbox_n,
                args.workers,
                args.seed,
                out / f"sb-{mode}",
                *extra,
                domain=args.sandbox_domain,
            )
            walls[mode].append(w)
            shutil.rmtree(out / f"sb-{mode}", ignore_errors=True)
    print(
        f"\nsandbox cost, {args.sandbox_domain}, n={args.sandbox_n}, {args.workers} workers, "
        "two runs each (interleaved):"
    )
    print("\n| workers run | wall s (run 1, run 2) | images/s (mean) |")
    print("|---|---|---|")
    rates = {}
    for mode, ws in walls.items():
        rates[mode] = args.sandbox_n / (sum(ws) / len(ws))
        label = "bubblewrap sandbox (default)" if mode == "bwrap" else "--no-sandbox"
        print(f"| {label} | {ws[0]:.1f}, {ws[1]:.1f} | {rates[mode]:.2f} |")
    print(f"\nsandboxed throughput = {rates['bwrap'] / rates['none']:.3f} of unsandboxed")


def main_table(args: argparse.Namespace, out: Path) -> None:
    floor_src = chart_samples(args.n, args.seed, max(1, args.n // args.floor_sample))
    naive_src = chart_samples(args.n, args.seed, max(1, args.n // args.naive_sample))
    t_floor_before = floor_per_image(floor_src)
    t_naive = naive_per_image(naive_src)
    t_naive_par = naive_per_image(naive_src, parallel=args.workers)
    wall, peak = pipeline(args.n, args.workers, args.seed, out / "run", domain=args.domain)
    t_floor_after = floor_per_image(floor_src)  # before and after: this machine's speed drifts
    t_floor = (t_floor_before + t_floor_after) / 2
    rate = args.n / wall
    floor_rate = args.workers / t_floor
    naive_rate = 1 / t_naive
    naive_par_rate = 1 / t_naive_par
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"command: python scripts/bench_chart.py --domain {args.domain} --n {args.n} --workers {args.workers} --floor-sample {args.floor_sample} --naive-sample {args.naive_sample}"
        + (f" --memory-n {args.memory_n}" if args.memory_n else "")
    )
    print()
    rows = [
        (
            f"synth generate, {args.workers} workers, n={args.n} (wall, incl. start-up)",
            rate,
            1 / rate,
            "1.00",
        ),
        (
            f"floor: renderer alone in a warm loop x {args.workers} ({len(floor_src)} of the same specs; "
            f"{t_floor_before:.3f} s before, {t_floor_after:.3f} s after the run)",
            floor_rate,
            t_floor,
            f"synth = {rate / floor_rate:.2f} of floor",
        ),
        (
            f"naive: a fresh Python process per chart, one at a time ({len(naive_src)} of the same specs)",
            naive_rate,
            t_naive,
            f"synth {rate / naive_rate:.1f}x faster",
        ),
        (
            f"naive, {args.workers} fresh processes at a time",
            naive_par_rate,
            t_naive_par,
            f"synth {rate / naive_par_rate:.1f}x faster",
        ),
    ]
    print("| what | images/s | s/image (per worker for the floor) | comparison |")
    print("|---|---|---|---|")
    for what, r, t, cmp in rows:
        print(f"| {what} | {r:.2f} | {t:.3f} | {cmp} |")
    print(f"\npeak RSS of the run (main + workers), n={args.n}: {peak / 2**20:.0f} MiB")
    if args.memory_n:
        print("\n| n | wall s | peak RSS MiB |")
        print("|---|---|---|")
        for m in (int(x) for x in args.memory_n.split(",")):
            w, p = pipeline(m, args.workers, args.seed, out / f"mem{m}")
            print(f"| {m} | {w:.0f} | {p / 2**20:.0f} |")
            shutil.rmtree(out / f"mem{m}", ignore_errors=True)


if __name__ == "__main__":
    main()
