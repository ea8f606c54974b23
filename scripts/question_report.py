"""What the image shows decides the question (issue 19): one fixed-seed run per domain, and
per domain the questions the legibility gate dropped, the samples rejected (by reason), the
text-only baseline per program, the grammar error rate, and the deciding gaps of chart
comparisons per difficulty. Prints markdown tables (the DATA.md section).

    python scripts/question_report.py --n 150                 # chart document table screen diagram
    python scripts/question_report.py --n 40 --domains scene3d
    python scripts/question_report.py --n 150 --domains chart --option chart.difficulty=hard

The text-only baseline sees the question alone: trained on the even-numbered records, it
answers each question of the odd-numbered ones with the most common answer its exact wording
had (the most common answer of its program when the wording is new; for multiple choice, the
option at the most common position); "program prior" is that fallback alone, which knows
the program. A baseline near the prior means the wording gives nothing away. Questions
worded as field lookups are also scored together: a page's missing field is asked in the
same words as a shown one, so there the prior is saying "not stated" to all of them.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from synth.dataset import iter_records
from synth.generators.chart import ChartSpec
from synth.generators.chart.kinds import kind_of
from synth.qa_synth.chart import Ctx, deciding_gap
from synth.qa_synth.grammar import error_rate
from synth.record import QA

DOMAINS = ("chart", "document", "table", "screen", "diagram")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=150, help="samples per domain")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--domains", default=",".join(DOMAINS))
    ap.add_argument("--option", action="append", default=[], help="passed to synth generate")
    ap.add_argument("--out", type=Path, default=None, help="keep the runs here (default: temp)")
    args = ap.parse_args()
    domains = [d for d in args.domains.split(",") if d]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp)
        runs = {d: generate(d, root / d, args) for d in domains}
        print(f"{args.n} samples per domain, seed {args.seed}\n")
        gate_and_rejections(runs)
        baseline(runs)
        grammar(runs)
        difficulties(runs)
        if "chart" in runs:
            gaps(runs["chart"])
            positions(runs["chart"])


def generate(domain: str, out: Path, args: argparse.Namespace) -> Path:
    cmd = [sys.executable, "-m", "synth.cli", "generate", "--domain", domain, "--n", str(args.n),
           "--seed", str(args.seed), "--workers", str(args.workers), "--out", str(out),
           "--max-failures", str(args.n)]  # fmt: skip
    for o in args.option:
        cmd += ["--option", o]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return out


def gate_and_rejections(runs: dict[str, Path]) -> None:
    print(
        "| domain | records | questions | dropped: contrast | dropped: size | rejected (by checks failed) | other failures |"
    )
    print("|---|---|---|---|---|---|---|")
    for domain, out in runs.items():
        stats = json.loads((out / "stats.json").read_text())
        dropped = stats.get("dropped", {})
        reasons: Counter[str] = Counter()
        other: Counter[str] = Counter()
        for line in (out / "failures.jsonl").read_text().splitlines():
            f = json.loads(line)
            if f["kind"] == "rejected":
                m = re.search(r"checks failed: ([\w, ]+)", f["message"])
                reasons[m.group(1) if m else "?"] += 1
            else:
                other[f["kind"]] += 1
        rejected = ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items())) or "0"
        others = ", ".join(f"{k}: {v}" for k, v in sorted(other.items())) or "0"
        print(f"| {domain} | {stats['samples']} | {stats['questions']} | {dropped.get('contrast', 0)} "
              f"| {dropped.get('size', 0)} | {rejected} | {others} |")  # fmt: skip
    print()


def _right(q: dict[str, Any], guess: Any) -> bool:
    tol = q.get("tolerance")
    if (
        q["answer_type"] == "number"
        and isinstance(guess, int | float)
        and isinstance(tol, int | float)
    ):
        return abs(guess - q["answer"]) <= tol
    return json.dumps(guess) == json.dumps(q["answer"])


def baseline(runs: dict[str, Path]) -> None:
    print("Text-only baseline (question text alone), accuracy on the odd-numbered records:\n")
    print("| domain | program | questions | text-only | program prior |")
    print("|---|---|---|---|---|")
    for domain, out in runs.items():
        train: dict[str, Counter[str]] = defaultdict(Counter)
        prior: dict[str, Counter[str]] = defaultdict(Counter)
        test: list[dict[str, Any]] = []
        positions: Counter[int] = Counter()
        for r in iter_records(out):
            for q in r["qa"]:
                if q["answer_type"] in ("point", "box"):
                    continue  # a place in the image: no text alone gives it
                if r["seed"]["index"] % 2 == 0:
                    train[q["question"]][json.dumps(q["answer"])] += 1
                    prior[q["program"]][json.dumps(q["answer"])] += 1
                    if q["answer_type"] == "choice":
                        positions[q["choices"].index(q["answer"])] += 1
                else:
                    test.append(q)
        by: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        for q in test:
            fallback = prior[q["program"]].most_common(1)
            p = json.loads(fallback[0][0]) if fallback else None
            seen = train.get(q["question"])
            t = json.loads(seen.most_common(1)[0][0]) if seen else p
            if q["answer_type"] == "choice":  # the options differ: guess the usual position
                spot = positions.most_common(1)[0][0] if positions else 0
                p = q["choices"][min(spot, len(q["choices"]) - 1)]
                t = t if seen else p
            by[q["program"]].append((_right(q, t), _right(q, p)))
        for program, hits in sorted(by.items()):
            n = len(hits)
            text = sum(a for a, _ in hits) / n
            pri = sum(b for _, b in hits) / n
            print(f"| {domain} | {program} | {n} | {text:.2f} | {pri:.2f} |")
        # which of the questions worded as look-ups have no answer is what the text must
        # not tell: the prior there is "always not stated" (it knows no program); pages
        # ask about a missing field as field look-ups, tables about a missing row as cells
        lookup = "table_lookup" if domain == "table" else "field_lookup"
        fields = by.get(lookup, []) + by.get("unanswerable", [])
        if by.get("unanswerable"):
            n = len(fields)
            text = sum(a for a, _ in fields) / n
            share = len(by["unanswerable"]) / n
            print(
                f'| {domain} | {lookup} + unanswerable | {n} | {text:.2f} | {share:.2f} (always "not stated") |'
            )
    print()


def grammar(runs: dict[str, Path]) -> None:
    print("| domain | texts (questions and reasoning) | with a grammar problem | by pattern |")
    print("|---|---|---|---|")
    for domain, out in runs.items():
        texts = [
            t for r in iter_records(out) for q in r["qa"] for t in (q["question"], q["reasoning"])
        ]
        rate, n, by = error_rate(texts)
        print(
            f"| {domain} | {n} | {rate:.2%} | {', '.join(f'{k}: {v}' for k, v in by.items()) or '-'} |"
        )
    print()


def _qa(q: dict[str, Any]) -> QA:
    return QA(id=q["id"], question=q["question"], answer=q["answer"],
              answer_type=q["answer_type"], reasoning=q["reasoning"], program=q["program"],
              params=q["params"], skills=tuple(q["skills"]), difficulty=q["difficulty"],
              choices=tuple(q["choices"]) if q.get("choices") else None,
              tolerance=q.get("tolerance"))  # fmt: skip


def difficulties(runs: dict[str, Path]) -> None:
    """How the calibrated difficulty spreads in each domain (share of its questions)."""
    counts = {d: Counter(q["difficulty"] for r in iter_records(out) for q in r["qa"])
              for d, out in runs.items()}  # fmt: skip
    levels = sorted({k for c in counts.values() for k in c})
    print("Difficulty of the questions (share of each domain's questions):\n")
    print("| domain | questions | " + " | ".join(f"difficulty {k}" for k in levels) + " |")
    print("|---|---|" + "---|" * len(levels))
    for d, c in counts.items():
        n = sum(c.values())
        cells = " | ".join(f"{c[k] / n:.2f}" for k in levels)
        print(f"| {d} | {n} | {cells} |")
    print()


def gaps(out: Path) -> None:
    """Chart comparisons' deciding gaps in pixels (synth.qa_synth.chart.deciding_gap, scaled
    by the render's ticks), by the difficulty each question was given."""
    by: dict[int, list[float]] = defaultdict(list)
    for r in iter_records(out):
        spec = ChartSpec.from_json(r["spec"])
        ctx = Ctx(spec, r["annotations"]["elements"], kind_of(spec.kind))
        if not ctx.ppu:
            continue  # pies: no value axis
        for q in r["qa"]:
            g = deciding_gap(ctx, _qa(q))
            if g is not None:
                by[q["difficulty"]].append(g * ctx.ppu)
    print("Deciding gaps of chart comparisons (pixels between the marks that decide them):\n")
    print("| difficulty | questions | smallest | 10th percentile | median |")
    print("|---|---|---|---|---|")
    for d, px in sorted(by.items()):
        px.sort()
        q10 = px[max(0, math.ceil(0.1 * len(px)) - 1)]
        print(f"| {d} | {len(px)} | {px[0]:.0f} | {q10:.0f} | {px[len(px) // 2]:.0f} |")
    print()


def positions(out: Path) -> None:
    """Where on the chart the answers of category questions lie: the share at the first and
    at the last category, against what answers spread evenly over the categories would give
    (the mean of 1/n): a program whose answers sit at one end can be guessed from the layout
    alone."""
    seen: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for r in iter_records(out):
        cats = [str(c) for c in r["spec"]["categories"]]
        for q in r["qa"]:
            if q["answer_type"] in ("text", "choice") and str(q["answer"]) in cats:
                seen[q["program"]].append((cats.index(str(q["answer"])), len(cats)))
    print("Answer positions of chart questions whose answer is a category:\n")
    print("| program | questions | at the first | at the last | even spread would give |")
    print("|---|---|---|---|---|")
    for program, hits in sorted(seen.items()):
        n = len(hits)
        first = sum(i == 0 for i, _ in hits) / n
        last = sum(i == k - 1 for i, k in hits) / n
        even = sum(1 / k for _, k in hits) / n
        print(f"| {program} | {n} | {first:.2f} | {last:.2f} | {even:.2f} |")
    print()


if __name__ == "__main__":
    main()
