"""How well do values printed inside marks stand out? For every value label of pie charts
and stacked bar charts, the spread of grey levels inside its box (text against what lies
behind it); a spread under 70 grey levels is hard to read.

    python scripts/label_contrast.py --n 60                  # Matplotlib
    python scripts/label_contrast.py --n 60 --renderer plotly
"""

from __future__ import annotations

import argparse
import io

import numpy as np
from PIL import Image

from synth.generators.chart import DOMAIN, ChartGenerator


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=60, help="charts per kind (seeds 0..n-1)")
    ap.add_argument("--renderer", choices=("matplotlib", "plotly"), default="matplotlib")
    ap.add_argument("--threshold", type=float, default=70.0)
    args = ap.parse_args()
    print("| chart | value labels | under the threshold |\n|---|---|---|")
    for kind, variant in (("pie", None), ("bar", "stacked")):
        low = n = 0
        for seed in range(args.n):
            sample = ChartGenerator(kind, variant, renderer=args.renderer).sample(
                rng=np.random.default_rng(seed)
            )
            rendered = DOMAIN.render(sample)
            img = np.asarray(Image.open(io.BytesIO(rendered.png)).convert("L"), dtype=float)
            for e in rendered.elements:
                if e["role"] != "value":
                    continue
                x, y, w, h = (int(round(v)) for v in e["bbox"])
                patch = img[max(y, 0) : y + h, max(x, 0) : x + w]
                if patch.size:
                    n += 1
                    low += bool(np.percentile(patch, 95) - np.percentile(patch, 5) < args.threshold)
        print(f"| {kind}{'/' + variant if variant else ''} | {n} | {low} |")


if __name__ == "__main__":
    main()
