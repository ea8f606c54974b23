"""Where a run's CPU goes: samples /proc while ``synth generate`` runs and sums the CPU time
of Chromium, the worker Pythons and the main process, per sample and in all, against the
CPU the machine had during the run (cores x wall).

    python scripts/cpu_split.py --domain document --n 400 --workers 2
    python scripts/cpu_split.py --domain document --n 1000 --workers 2 --warm

Prints a markdown table. A process's last reading before it exits is what counts, so the
numbers are lower bounds by at most one sampling interval (0.2 s) per process.

``--warm`` counts only the run's warm middle instead: CPU read twice, when a tenth of the
samples are done and when all but a twentieth are (from the progress bar), so start-up and
shut-down drop out and both readings come from the same run (this machine's speed drifts
too much to subtract two runs of different sizes). It splits a worker's main thread (sample,
QA, checks, record) from its other threads (the render thread's Playwright client) and
also gives the machine's busy share in that window.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def processes() -> Iterator[tuple[str, str, bytes, list[str]]]:
    """Every live process: (pid, name, command line, the /proc/PID/stat fields after the
    name: [1] is the parent's pid, [11] + [12] the CPU ticks, [19] the start time)."""
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        yield d, name, cmdline, stat.rsplit(")", 1)[1].split()


def cpu_seconds(fields: list[str]) -> float:
    """User + system CPU seconds of a process, from its stat fields (see :func:`processes`)."""
    return (int(fields[11]) + int(fields[12])) / TICK


def _kind(cmdline: bytes, comm: str) -> str | None:
    if b"run-driver" in cmdline:
        return "Playwright driver (node)"
    if b"chrom" in cmdline or "chrom" in comm:
        return "Chromium"
    if b"bpy_worker" in cmdline:
        return "Blender"
    if b"_worker" in cmdline:
        return "worker Python"
    if b"synth.cli" in cmdline:
        return "main Python"
    return None


def machine_busy() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        t = [int(v) / TICK for v in f.readline().split()[1:]]
    return t[0] + t[1] + t[2] + t[5] + t[6], t[3] + t[4]


def snapshot() -> dict[str, float]:
    """CPU seconds by kind of process now; a worker's main thread and its other threads
    apart, and the machine's busy and idle seconds under "_busy" and "_idle"."""
    out: dict[str, float] = defaultdict(float)
    for d, name, cmdline, fields in processes():
        kind = _kind(cmdline, name)
        if kind == "worker Python":
            try:
                with open(f"/proc/{d}/task/{d}/stat") as f:
                    main_thread = cpu_seconds(f.read().rsplit(")", 1)[1].split())
            except OSError:
                continue
            out["worker Python: main thread"] += main_thread
            out["worker Python: other threads"] += cpu_seconds(fields) - main_thread
        elif kind is not None:
            out[kind] += cpu_seconds(fields)
    out["_busy"], out["_idle"] = machine_busy()
    return out


def warm_split(cmd: list[str], n: int) -> None:
    """Print the CPU per sample of the warm middle of one run (see the module docstring)."""
    from bench_chart import _read_bar

    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, "--progress", "bar"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    marks: list[tuple[float, int]] = []
    reader = threading.Thread(target=_read_bar, args=(proc, t0, marks), daemon=True)
    reader.start()
    readings: list[tuple[dict[str, float], int, float]] = []
    for at in (max(1, n // 10), n - n // 20):
        while proc.poll() is None and not (marks and marks[-1][1] >= at):
            time.sleep(0.02)
        if proc.poll() is None:
            readings.append((snapshot(), marks[-1][1], time.perf_counter()))
    proc.wait()
    reader.join()
    if len(readings) < 2:
        raise SystemExit("the run ended before its warm middle could be read: raise --n")
    (a, done_a, t_a), (b, done_b, t_b) = readings
    k = done_b - done_a
    used = {kind: b[kind] - a.get(kind, 0) for kind in b if not kind.startswith("_")}
    busy, idle = b["_busy"] - a["_busy"], b["_idle"] - a["_idle"]
    print(
        f"samples {done_a} to {done_b} of {n}: {k / (t_b - t_a):.2f} samples/s, "
        f"machine busy {busy / (busy + idle):.0%}"
    )
    print()
    print("| process | ms of CPU per sample |")
    print("|---|---|")
    for kind, cpu in sorted(used.items(), key=lambda kv: -kv[1]):
        print(f"| {kind} | {cpu / k * 1000:.1f} |")
    print(f"| all | {sum(used.values()) / k * 1000:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--domain", default="document")
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warm", action="store_true", help="only the warm middle of the run")
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp()) / "run"
    cmd = [sys.executable, "-m", "synth.cli", "generate", "--domain", args.domain]
    cmd += ["--n", str(args.n), "--workers", str(args.workers), "--out", str(out)]
    if args.warm:
        try:
            warm_split(cmd, args.n)
        finally:
            shutil.rmtree(out.parent, ignore_errors=True)
        return
    seen: dict[tuple[str, str], tuple[str, float]] = {}  # (pid, start time): one process
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cmd, "--progress", "off"], stdout=subprocess.DEVNULL)
    while proc.poll() is None:
        for d, name, cmdline, fields in processes():
            kind = _kind(cmdline, name)
            if kind is not None:
                seen[d, fields[19]] = (kind, cpu_seconds(fields))
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    shutil.rmtree(out.parent, ignore_errors=True)
    totals: dict[str, float] = defaultdict(float)
    for kind, cpu in seen.values():
        totals[kind] += cpu
    cores = len(os.sched_getaffinity(0))
    print(f"{args.domain}, n={args.n}, {args.workers} workers, {cores} cores, wall {wall:.1f} s")
    print()
    print("| process | CPU s | ms per sample |")
    print("|---|---|---|")
    for kind, cpu in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"| {kind} | {cpu:.1f} | {cpu / args.n * 1000:.1f} |")
    used = sum(totals.values())
    print(f"| all | {used:.1f} of {cores * wall:.1f} available ({used / (cores * wall):.0%}) | |")


if __name__ == "__main__":
    main()
