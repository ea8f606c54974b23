"""Peak memory of a ``synth generate`` run, counted two ways, with every process of its
tree: the main process, the sandboxed workers, and what they start (Chromium and its
helpers, Playwright's node driver, Blender).

    python scripts/peak_memory.py --domains chart,document --n 300

Summed RSS counts a page once per process that maps it, so a browser's shared libraries and
shared memory count many times over; PSS (``/proc/PID/smaps_rollup``) splits each shared
page between the processes that map it, so the tree's PSS adds up to what the run really
holds. Both are sampled every 0.2 s; the peak of each is printed, and the PSS at that peak
split by kind of process.
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
from collections import Counter
from pathlib import Path

KINDS = (("chrom", "chromium"), ("headless_shell", "chromium"), ("node", "node (Playwright)"),
         ("blender", "blender"), ("python", "python (main and workers)"))  # fmt: skip


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    parents[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(c for c, pp in parents.items() if pp == p)
    return out


def _kind(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip().lower()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            exe = f.read().split(b"\0")[0].decode(errors="replace").lower()
    except OSError:
        return "gone"
    for needle, kind in KINDS:
        if needle in comm or needle in os.path.basename(exe):
            return kind
    return f"other ({comm})"


def _rollup(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes, from smaps_rollup; (0, 0) once the process is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


class Peak(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.stop = pid, False
        self.rss = self.pss = 0
        self.split: Counter[str] = Counter()
        self.processes = 0

    def run(self) -> None:
        while not self.stop:
            rss = pss = 0
            split: Counter[str] = Counter()
            pids = _tree(self.pid)
            for p in pids:
                r, s = _rollup(p)
                rss, pss = rss + r, pss + s
                split[_kind(p)] += s
            self.rss = max(self.rss, rss)
            if pss > self.pss:
                self.pss, self.split, self.processes = pss, split, len(pids)
            time.sleep(0.2)


def measure(domain: str, n: int, workers: int, out: Path) -> Peak:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "synth.cli", "generate", "--domain", domain, "--n", str(n),
           "--seed", "0", "--workers", str(workers), "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = Peak(proc.pid)
    peak.start()
    if proc.wait() != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
    peak.stop = True
    peak.join()
    return peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--domains", default="chart,document")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    mib = 2**20
    print("| domain | n | workers | processes at the peak | peak summed RSS MiB |"
          " peak PSS MiB | PSS at the peak, by kind (MiB) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for domain in args.domains.split(","):
            p = measure(domain, args.n, args.workers, Path(tmp) / domain)
            split = ", ".join(f"{k} {v / mib:.0f}" for k, v in p.split.most_common() if v)
            print(f"| {domain} | {args.n} | {args.workers} | {p.processes} | {p.rss / mib:.0f} |"
                  f" {p.pss / mib:.0f} | {split} |")  # fmt: skip


if __name__ == "__main__":
    main()
