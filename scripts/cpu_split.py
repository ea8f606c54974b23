"""Where a run's CPU goes: samples /proc while ``synth generate`` runs and sums the CPU time
of Chromium, the worker Pythons and the main process, per sample and in all, against the
CPU the machine had during the run (cores x wall).

    python scripts/cpu_split.py --domain document --n 400 --workers 2

Prints a markdown table. A process's last reading before it exits is what counts, so the
numbers are lower bounds by at most one sampling interval (0.2 s) per process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--domain", default="document")
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp()) / "run"
    cmd = [sys.executable, "-m", "synth.cli", "generate", "--domain", args.domain]
    cmd += ["--n", str(args.n), "--workers", str(args.workers), "--out", str(out)]
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
