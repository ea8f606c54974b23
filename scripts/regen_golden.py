"""Regenerate tests/golden/{chart,document,table,screen,diagram,geometry,graph,scene3d}_specs.json (specs at
fixed seeds). Run after an intended change to a sampler, and say why in the commit message.

    python scripts/regen_golden.py           # rewrite the files
    python scripts/regen_golden.py --check   # exit 1 naming the files a rewrite would change
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from synth.generators.chart import ChartGenerator
from synth.generators.diagram import DOMAIN as diagram
from synth.generators.document import DOMAIN as document
from synth.generators.geometry import DOMAIN as geometry
from synth.generators.graph import DOMAIN as graph
from synth.generators.scene3d import DOMAIN as scene3d
from synth.generators.screen import DOMAIN as screen
from synth.generators.table import DOMAIN as table

SEEDS = (0, 1, 2, 3, 42, 1234)
GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"


def goldens() -> dict[str, str]:
    """File name -> the text it should hold."""
    samplers = {"chart": ChartGenerator()} | {
        "document": document,
        "table": table,
        "screen": screen,
        "diagram": diagram,
        "geometry": geometry,
        "graph": graph,
        "scene3d": scene3d,
    }
    out = {}
    for name, sampler in samplers.items():
        specs = {str(s): sampler.sample(rng=np.random.default_rng(s)).spec.to_json() for s in SEEDS}
        out[f"{name}_specs.json"] = json.dumps(specs, indent=1, ensure_ascii=False) + "\n"
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = ap.parse_args()
    changed = []
    for name, text in goldens().items():
        path = GOLDEN / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            print(f"same     {path}")
            continue
        changed.append(name)
        if args.check:
            print(f"{'differs ' if path.exists() else 'missing '} {path}")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote    {path}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
