"""Regenerate tests/golden/{chart,document,table,screen,diagram,scene3d}_specs.json (specs at fixed seeds). Run
after an intended change to a sampler, and say why in the commit message."""

import json
from pathlib import Path

import numpy as np

from synth.generators.chart import ChartGenerator
from synth.generators.diagram import DOMAIN as diagram
from synth.generators.document import DOMAIN as document
from synth.generators.scene3d import DOMAIN as scene3d
from synth.generators.screen import DOMAIN as screen
from synth.generators.table import DOMAIN as table

SEEDS = (0, 1, 2, 3, 42, 1234)
out = Path(__file__).resolve().parent.parent / "tests" / "golden" / "chart_specs.json"
specs = {
    str(s): ChartGenerator().sample(rng=np.random.default_rng(s)).spec.to_json() for s in SEEDS
}
out.write_text(json.dumps(specs, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {len(specs)} specs to {out}")

for name, domain in (
    ("document", document),
    ("table", table),
    ("screen", screen),
    ("diagram", diagram),
    ("scene3d", scene3d),
):
    got = {str(s): domain.sample(rng=np.random.default_rng(s)).spec.to_json() for s in SEEDS}
    out = out.with_name(f"{name}_specs.json")
    out.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(got)} specs to {out}")
