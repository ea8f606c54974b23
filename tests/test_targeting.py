"""synth target: weights that change what a run makes (and nothing without them), and one
round of eval -> target -> generate that asks more of what a student got wrong."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from synth._errors import ConfigError
from synth.config import RunConfig
from synth.dataset import iter_samples
from synth.targeting import activate, asking, draw_sample, parse, program_order, recipe

from .conftest import synth_cmd
from .test_evaluate import _student


@pytest.fixture(autouse=True)
def _no_weights():  # type: ignore[no-untyped-def]
    activate(())
    yield
    activate(())


def test_weights_are_checked_and_belong_to_the_run() -> None:
    assert parse({"family": {"chart/bar": 2}, "program": {"chart/sum": 0.5}}) == (
        ("family:chart/bar", 2.0),
        ("program:chart/sum", 0.5),
    )
    for bad, message in (({"colour": {}}, "give {family"), ({"family": {"bar": 2}}, "not domain/name"),
                         ({"family": {"chart/bar": 0}}, "above 0"), ({"family": {"chart/bar": True}}, "above 0")):  # fmt: skip
        with pytest.raises(ConfigError, match=message):
            parse(bad)
    with pytest.raises(ConfigError, match="does not generate"):
        RunConfig.from_mapping(
            {"out": "x", "domain": "chart", "weights": {"family": {"graph/tree": 2}}}
        )
    plain = RunConfig(out="x")
    weighted = RunConfig.from_mapping({"out": "x", "weights": {"program": {"chart/sum": 2}}})
    assert "weights" not in plain.content() and plain.content_hash() != weighted.content_hash()


def test_without_weights_programs_are_tried_in_the_same_order_as_ever() -> None:
    for seed in range(20):
        names = [f"p{i}" for i in range(9)]
        want = [int(i) for i in np.random.default_rng(seed).permutation(9)]
        with asking("chart"):
            assert program_order(np.random.default_rng(seed), names) == want


def test_a_heavier_program_is_tried_first_about_as_often_as_its_weight_says() -> None:
    """Efraimidis-Spirakis over three programs of weights 1, 1, 2: the heavy one comes
    first with probability 2 / 4."""
    activate(parse({"program": {"chart/b": 2.0}}))
    with asking("chart"):
        first = Counter(
            program_order(np.random.default_rng(s), ["a", "b", "c"])[0] for s in range(4000)
        )
    assert abs(first[1] / 4000 - 0.5) < 0.03, first
    with asking("graph"):  # another domain's programs: unweighted
        assert program_order(np.random.default_rng(0), ["a", "b", "c"]) == [
            int(i) for i in np.random.default_rng(0).permutation(3)
        ]


def test_family_weights_change_family_shares_by_their_ratio() -> None:
    from synth.generators.graph import DOMAIN, KINDS

    def share(seeds: range) -> Counter[str]:
        return Counter(
            draw_sample(lambda rng: DOMAIN.sample(rng=rng), "graph", s).family for s in seeds
        )

    plain = share(range(600))
    assert all(abs(plain[k] / 600 - 1 / len(KINDS)) < 0.06 for k in KINDS), plain
    activate(parse({"family": {"graph/tree": 4.0}}))
    heavy = share(range(600))
    # tree kept always, the others one time in four: tree's share 4 / (4 + 4 x 1) = 1/2
    assert abs(heavy["tree"] / 600 - 0.5) < 0.06, heavy
    assert heavy == share(range(600)), "deterministic"


def test_recipe_weights_slices_by_their_shrunk_error_rate() -> None:
    report = {"slices": {
        "domain": {"chart": {"n": 200, "accuracy": 0.8}},
        "family": {"chart/bar": {"n": 100, "accuracy": 0.6}, "chart/pie": {"n": 100, "accuracy": 1.0}},
        "program": {"chart/sum": {"n": 10, "accuracy": 0.0}, "chart/trend": {"n": 190, "accuracy": 0.8421}},
    }}  # fmt: skip
    data, rows = recipe([report], 1000, prior=20, floor=0.25)
    # overall error 0.2; bar: (40 + 20 x 0.2) / 120 = 0.3667 -> 1.833; pie: 4 / 120 -> 0.167 -> floor
    assert data["weights"]["family"] == {"chart/bar": 1.833, "chart/pie": 0.25}
    # sum: (10 + 4) / 30 = 0.4667 -> 2.333 (shrunk: 10 questions, all wrong, not 5x)
    assert data["weights"]["program"]["chart/sum"] == 2.333
    assert data["domains"] == ["chart"] and data["mix"] == [1.0] and data["n"] == 1000
    bar = next(r for r in rows if r["slice"] == "family: chart/bar")
    assert bar["old_share"] == 0.5 and bar["new_share"] == round(
        1.833 * 100 / (1.833 * 100 + 25), 4
    )


def test_one_round_asks_more_of_what_the_student_got_wrong(small_run: Path, tmp_path: Path) -> None:
    """eval -> target -> generate: the two programs the student fails get a larger share of
    the new run's questions than they had, and the recipe says why."""
    records = [r for r, _ in iter_samples(small_run, balanced=True)]
    weak = {"extremum", "difference"}
    preds = tmp_path / "p.jsonl"
    preds.write_text("".join(
        json.dumps({"id": r["id"], "qid": q["id"], "prediction": _student(r, q, weak)}) + "\n"
        for r in records for q in r["qa"]
    ))  # fmt: skip
    synth_cmd(
        "eval",
        str(small_run),
        "--predictions",
        str(preds),
        "--out",
        str(tmp_path / "e"),
        check=True,
    )
    proc = synth_cmd("target", "--eval", str(tmp_path / "e" / "eval.json"), "--n", "40",
                     "--out", str(tmp_path / "recipe.yaml"), check=True)  # fmt: skip
    assert "program: chart/extremum" in proc.stdout
    text = (tmp_path / "recipe.yaml").read_text()
    assert "# program: chart/extremum: error 100.0%" in text
    synth_cmd("generate", "--config", str(tmp_path / "recipe.yaml"), "--out", str(tmp_path / "next"),
              "--seed", "11", "--shard-size", "10", "--workers", "2", check=True)  # fmt: skip

    def share(run: Path) -> float:
        programs = Counter(q["program"] for r, _ in iter_samples(run) for q in r["qa"])
        return sum(programs[p] for p in weak) / sum(programs.values())

    import yaml

    weights = yaml.safe_load(text)["weights"]["program"]
    assert {k for k, w in weights.items() if w >= 2} == {f"chart/{p}" for p in weak}, weights
    # each weak program is tried before any one unit-weight program with odds w : 1 (w >= 2),
    # not 1 : 1, while a chart asks each program at most once: well short of w times more
    before, after = share(small_run), share(tmp_path / "next")
    assert after > 1.25 * before, (before, after)
    bad = synth_cmd("target", "--eval", str(preds), "--n", "10", "--out", str(tmp_path / "r2.yaml"))
    assert bad.returncode == 2 and "not a synth eval report" in bad.stderr
