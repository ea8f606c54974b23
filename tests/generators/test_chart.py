"""Chart generator: valid specs for any seed, variety, determinism, standalone scripts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.generators.chart import KINDS, ChartGenerator, ChartSpec

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "chart_specs.json"


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_any_seed_gives_a_valid_spec_that_round_trips_through_json(seed: int) -> None:
    sample = ChartGenerator().sample(rng=np.random.default_rng(seed))
    spec = sample.spec
    assert spec.variant in KINDS[spec.kind]
    for s in spec.series:
        assert len(s.values) == len(spec.categories)
    if spec.value_axis is not None:
        top = (
            max(spec.totals())
            if spec.variant == "stacked"
            else max(max(s.values) for s in spec.series)
        )
        bottom = min(min(s.values) for s in spec.series)
        assert spec.value_axis.lo <= bottom and top <= spec.value_axis.hi, "data fits the axis"
        assert 4 <= len(spec.value_axis.ticks()) - 1 <= 8
    assert not any(c.lower().startswith("category ") for c in spec.categories), (
        "real names, never 'Category A'"
    )
    again = ChartSpec.from_json(json.loads(json.dumps(spec.to_json())))
    assert again == spec


def test_same_seed_same_sample_and_different_seeds_differ() -> None:
    a = ChartGenerator().sample(rng=np.random.default_rng(7))
    b = ChartGenerator().sample(rng=np.random.default_rng(7))
    c = ChartGenerator().sample(rng=np.random.default_rng(8))
    assert a == b
    assert a.code.source != c.code.source


def test_all_kinds_variants_and_styles_occur() -> None:
    kinds: Counter[tuple[str, str]] = Counter()
    themes, fonts, sizes, labels, legends = set(), set(), set(), set(), set()
    for seed in range(600):
        spec = ChartGenerator().sample(rng=np.random.default_rng(seed)).spec
        kinds[(spec.kind, spec.variant)] += 1
        themes.add(spec.style.theme)
        fonts.add(spec.style.font_family)
        sizes.add((spec.style.width_px, spec.style.height_px))
        labels.add(spec.style.value_labels)
        legends.add(spec.style.legend_loc)
    assert set(kinds) == {(k, v) for k, vs in KINDS.items() for v in vs}
    assert (
        len(themes) >= 6
        and len(fonts) >= 3
        and len(sizes) >= 5
        and labels == {True, False}
        and len(legends) >= 4
    )


def test_golden_specs_are_unchanged() -> None:
    """Specs at fixed seeds; regenerate with: python scripts/regen_golden.py"""
    golden = json.loads(GOLDEN.read_text())
    for seed, spec in golden.items():
        assert ChartGenerator().sample(rng=np.random.default_rng(int(seed))).spec.to_json() == spec


@pytest.mark.parametrize(
    "gen",
    [
        ChartGenerator("bar", "grouped", renderer="matplotlib"),
        ChartGenerator("pie", "donut", renderer="matplotlib"),
        ChartGenerator("scatter", renderer="matplotlib"),
        ChartGenerator("histogram", renderer="matplotlib"),
        ChartGenerator("area", "stacked", renderer="matplotlib"),
        ChartGenerator("line", "multi", renderer="matplotlib"),
    ],
    ids=lambda g: f"{g.kind}-{g.variant}",
)
def test_the_records_script_alone_reproduces_the_png_bytes(
    gen: ChartGenerator, tmp_path: Path
) -> None:
    sample = gen.sample(rng=np.random.default_rng(3))
    result = synth.render(sample)
    script = tmp_path / "chart.py"
    script.write_text(result.record["code"]["source"])
    out = tmp_path / "out.png"
    subprocess.run([sys.executable, str(script), str(out)], check=True, cwd=tmp_path, timeout=120)
    assert out.read_bytes() == result.png


def test_public_surface_is_pinned() -> None:
    import synth.generators.chart as chart

    assert set(chart.__all__) == {
        "DOMAIN",
        "KINDS",
        "PROFILES",
        "AreaChart",
        "Axis",
        "BarChart",
        "ChartDomain",
        "ChartGenerator",
        "ChartSpec",
        "ChartStyle",
        "Histogram",
        "LineChart",
        "PieChart",
        "ScatterChart",
        "Series",
    }
    assert set(synth.__all__) >= {"render", "RunConfig", "Record", "QA", "SynthError"}
