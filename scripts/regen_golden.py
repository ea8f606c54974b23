"""Regenerate tests/golden/chart_specs.json and document_specs.json (specs at fixed seeds). Run after an intended change
to the chart sampler, and say why in the commit message."""

import json
from pathlib import Path

import numpy as np

from synth.generators.chart import ChartGenerator
from synth.generators.document import DocumentGenerator

SEEDS = (0, 1, 2, 3, 42, 1234)
out = Path(__file__).resolve().parent.parent / "tests" / "golden" / "chart_specs.json"
specs = {
    str(s): ChartGenerator().sample(rng=np.random.default_rng(s)).spec.to_json() for s in SEEDS
}
out.write_text(json.dumps(specs, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {len(specs)} specs to {out}")

docs = {
    str(s): DocumentGenerator().sample(rng=np.random.default_rng(s)).spec.to_json() for s in SEEDS
}
out = out.with_name("document_specs.json")
out.write_text(json.dumps(docs, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {len(docs)} specs to {out}")
