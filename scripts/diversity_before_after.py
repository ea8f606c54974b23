"""Measure what personas did to diversity: 2,000 charts from the last commit before personas
(e3f47f9) and 2,000 from this checkout, same seed and workers, then `synth stats` on both.
For scale, a third column is a single-template generator: one chart (topic, style, categories)
with freshly drawn numbers each time, rendered and questioned by this checkout.

    python scripts/diversity_before_after.py [--n 2000] [--workers 2] [--work /tmp/diversity]

Prints a Markdown table (the one in DATA.md). Needs git and the .venv from scripts/setup.sh.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "e3f47f9"  # main before issue 4: 33 fixed topics, one persona string per topic


def run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout


def _single(index: int) -> tuple[str, dict[str, bytes]]:
    """Sample ``index`` of the single-template baseline: the same bar chart, new numbers."""
    import dataclasses

    import numpy as np

    import synth
    from synth.generators.chart import BarChart, Series, make_sample
    from synth.generators.chart._data import separate_extremes
    from synth.generators.chart._spec import nice_axis

    base = BarChart("vertical").sample(rng=np.random.default_rng(0)).spec
    rng = np.random.default_rng(index)
    lo, hi = min(base.series[0].values), max(base.series[0].values)
    values = [round(float(v), base.decimals) for v in rng.uniform(lo, hi, len(base.categories))]
    values = separate_extremes(values, 0.05 * (hi - lo), base.decimals)
    spec = dataclasses.replace(
        base,
        series=(Series(base.series[0].name, tuple(values)),),
        value_axis=nice_axis(0.0, max(values), decimals=base.decimals, from_zero=True),
    )
    result = synth.render(make_sample(spec), index=index)
    record = result.record
    return record["id"], {"json": json.dumps(record).encode(), "png": result.png}


def single_template(out: Path, n: int, workers: int) -> None:
    from multiprocessing import Pool

    from synth.writer import ShardWriter, write_json

    (out / "shards").mkdir(parents=True, exist_ok=True)
    writer = ShardWriter(out / "shards" / "shard-000000.tar")
    with Pool(workers) as pool:
        for key, files in pool.imap(_single, range(n), chunksize=8):
            writer.add(key, files)
    writer.close()
    write_json(out / "manifest.json", {"shards": [{"file": "shards/shard-000000.tar"}]})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--work", type=Path, default=Path("/tmp/diversity"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    old = args.work / "checkout-before"
    if not old.exists():
        run(["git", "worktree", "add", "--detach", str(old), BEFORE], ROOT)
    reports = {}
    for label, checkout in (("before", old), ("after", ROOT)):
        out = args.work / f"charts-{label}"
        if not (out / "manifest.json").exists():
            gen = [sys.executable, "-m", "synth.cli", "generate", "--domain", "chart"]
            gen += ["--n", str(args.n), "--seed", "0", "--workers", str(args.workers)]
            run([*gen, "--out", str(out), "--no-sandbox"], checkout)  # same code, less set-up
        # the stats of this checkout measure both, so the measure itself is the same
        reports[label] = json.loads(
            run([sys.executable, "-m", "synth.cli", "stats", str(out), "--json"], ROOT)
        )
    single = args.work / "charts-single-template"
    if not (single / "manifest.json").exists():
        single_template(single, args.n, args.workers)
    reports["single"] = json.loads(
        run([sys.executable, "-m", "synth.cli", "stats", str(single), "--json"], ROOT)
    )
    rows = [
        ("distinct topic templates", "distinct_topic_templates"),
        ("distinct topics (titles as drawn)", "distinct_topics"),
        ("distinct personas", "distinct_personas"),
        ("distinct questions", "distinct_questions"),
        ("text diversity, questions", ("text_diversity", "questions")),
        ("text diversity, topics", ("text_diversity", "topics")),
        ("image diversity (pHash-256)", "image_diversity"),
        ("colour diversity (RGB histograms)", "colour_diversity"),
        ("near-duplicate pairs (<= 10 of 256 bits)", ("near_duplicates", "pairs")),
        ("near-duplicate rate", ("near_duplicates", "rate")),
        ("program entropy (bits)", "program_entropy_bits"),
    ]
    print(f"| {args.n} charts, seed 0 | single template | before (e3f47f9) | after |")
    print("|---|---|---|---|")
    for name, key in rows:
        vals = []
        for label in ("single", "before", "after"):
            v = reports[label]
            for k in key if isinstance(key, tuple) else (key,):
                v = v[k]
            vals.append(v)
        print(f"| {name} | {vals[0]} | {vals[1]} | {vals[2]} |")


if __name__ == "__main__":
    main()
