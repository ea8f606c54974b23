"""How well do values printed inside marks stand out? For every value label of pie charts
and stacked bar charts, its contrast as the legibility gate measures it (how far its strokes
lie from the grey behind them, synth.legibility.contrast); under the gate's minimum (70 grey
levels) it is hard to read.

    python scripts/label_contrast.py --n 60                  # Matplotlib
    python scripts/label_contrast.py --n 60 --renderer plotly
"""

from __future__ import annotations

import argparse

import numpy as np

from synth import legibility
from synth.generators.chart import DOMAIN, ChartGenerator


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=60, help="charts per kind (seeds 0..n-1)")
    ap.add_argument("--renderer", choices=("matplotlib", "plotly"), default="matplotlib")
    ap.add_argument("--threshold", type=float, default=legibility.MIN_CONTRAST)
    args = ap.parse_args()
    print("| chart | value labels | under the threshold |\n|---|---|---|")
    for kind, variant in (("pie", None), ("bar", "stacked")):
        low = n = 0
        for seed in range(args.n):
            sample = ChartGenerator(kind, variant, renderer=args.renderer).sample(
                rng=np.random.default_rng(seed)
            )
            rendered = DOMAIN.render(sample)
            found = legibility.contrasts(rendered.png, rendered.elements, "value")
            n += len(found)
            low += sum(c < args.threshold for c in found)
        print(f"| {kind}{'/' + variant if variant else ''} | {n} | {low} |")


if __name__ == "__main__":
    main()
