"""The graph domain: specs that draw what they say, answers recomputed by networkx, boxes
that hold their labels, and Graphviz kept from files, time and size it should not have."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from synth._errors import RenderError, RenderTimeout, SampleRejected, SpecError
from synth.build import qa_rng
from synth.generators.graph import (
    DOMAIN,
    KINDS,
    Edge,
    GraphGenerator,
    GraphSpec,
    emit_dot,
    overlapping,
)
from synth.qa_synth.graph import FIXED, POOL, graph_questions

from ..qa_synth.evaluate_graph import build, recompute

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="apt-get install graphviz (bash scripts/setup.sh)"
)


def _sample(seed: int, kind: str | None = None):  # type: ignore[no-untyped-def]
    return GraphGenerator(kind).sample(rng=np.random.default_rng(seed))


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), kind=st.sampled_from(KINDS))
def test_every_answer_recomputes_from_the_spec(seed: int, kind: str) -> None:
    """networkx, from the spec JSON alone, gives every answer (no render: pointing aside)."""
    sample = _sample(seed, kind)
    spec = json.loads(json.dumps(sample.spec.to_json()))
    assert GraphSpec.from_json(spec) == sample.spec
    qa = graph_questions(sample.spec, None, rng=qa_rng(spec))
    assert qa, "every graph gets questions"
    for q in qa:
        d = json.loads(json.dumps(q.to_json()))
        assert recompute(spec, d) == d["answer"], d
        assert d["reasoning"].endswith(".")


def test_golden_specs_are_unchanged() -> None:
    """Specs at fixed seeds; regenerate with: python scripts/regen_golden.py"""
    golden = Path(__file__).resolve().parent.parent / "golden" / "graph_specs.json"
    for seed, spec in json.loads(golden.read_text()).items():
        assert DOMAIN.sample(rng=np.random.default_rng(int(seed))).spec.to_json() == spec, seed


def test_each_kind_is_the_structure_it_claims() -> None:
    import networkx as nx

    for seed in range(60):
        for kind in KINDS:
            spec = _sample(seed, kind).spec.to_json()
            g = build(spec)
            if kind == "tree":
                assert nx.is_arborescence(g), spec
            elif kind == "state_machine":
                # complete and deterministic over {0, 1}; every state reachable from the start
                moves = Counter((e["src"], s) for e in spec["edges"] for s in e["label"].split(","))
                assert set(moves.values()) == {1} and len(moves) == 2 * len(spec["labels"])
                assert nx.descendants(g, spec["start"]) | {spec["start"]} == set(g)
                assert 1 <= len(spec["accepting"]) < len(spec["labels"])
            elif kind == "network":
                assert nx.is_connected(g) and not spec["directed"]
                assert all(e["label"] == str(e["weight"]) for e in spec["edges"])
            elif kind == "matching":
                (_, left), (_, right) = spec["groups"]
                assert sorted(left + right) == list(range(len(spec["labels"])))
                assert all(e["src"] in left and e["dst"] in right for e in spec["edges"])
                assert all(g.degree(v) >= 1 for v in left)
            else:
                # a plan, or a plan with one arrow turned back (removing it leaves no cycle)
                assert nx.is_weakly_connected(g)
                if not nx.is_directed_acyclic_graph(g):
                    assert any(
                        nx.is_directed_acyclic_graph(nx.restricted_view(g, [], [edge]))
                        for edge in g.edges
                    )


def test_questions_are_balanced_and_every_program_asks() -> None:
    programs: Counter[str] = Counter()
    answers: Counter[tuple[str, bool]] = Counter()
    for seed in range(600):
        sample = _sample(seed, KINDS[seed % len(KINDS)])
        for q in graph_questions(sample.spec, None, rng=np.random.default_rng(seed)):
            programs[q.program] += 1
            if q.answer_type == "bool":
                answers[q.program, q.answer] += 1
    # every program but pointing, which needs render facts (tested with them below)
    assert set(programs) == {p.__name__ for p in (*FIXED, *POOL)} - {"point"}, programs
    for program in ("accepts", "before", "cycle", "everyone_placed"):
        yes, no = answers[program, True], answers[program, False]
        assert yes + no >= 30 and 0.35 < yes / (yes + no) < 0.65, (program, yes, no)


def _ink(png: bytes, box: list[float]) -> float:
    """The share of the box's pixels darker than the background."""
    im = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32)
    x, y, w, h = (int(round(v)) for v in box)
    crop = im[max(0, y) : y + h, max(0, x) : x + w]
    return float((crop < 200).mean()) if crop.size else 0.0


def test_boxes_hold_their_labels_and_pointing_lands_on_the_node() -> None:
    """Every node and edge label has a box inside the image with ink in it, where the
    page is otherwise white; each node is named once; pointing answers lie in the box."""
    for seed in range(8):
        for kind in KINDS:
            sample = _sample(seed, kind)
            r = DOMAIN.render(sample)
            im = Image.open(io.BytesIO(r.png))
            assert im.size == (r.width, r.height)
            nodes = {e["ref"]: e for e in r.elements if e["role"] == "node"}
            assert sorted(nodes) == sorted(f"n{i}" for i in range(len(sample.spec.labels)))
            for i, label in enumerate(sample.spec.labels):
                assert nodes[f"n{i}"]["label"] == label
            labelled = [e for e in sample.spec.edges if e.label]
            assert len([e for e in r.elements if e["role"] == "edge_label"]) == len(labelled)
            clusters = {e["label"]: e["bbox"] for e in r.elements if e["role"] == "cluster"}
            assert sorted(clusters) == sorted(title for title, _ in sample.spec.groups)
            for title, members in sample.spec.groups:  # a group's box holds its nodes
                cx, cy, cw, ch = clusters[title]
                for i in members:
                    x, y, w, h = nodes[f"n{i}"]["bbox"]
                    assert cx <= x and cy <= y and x + w <= cx + cw and y + h <= cy + ch
            for e in r.elements:
                x, y, w, h = e["bbox"]
                assert 0 <= x and 0 <= y and x + w <= r.width and y + h <= r.height, e
                assert _ink(r.png, e["bbox"]) > 0.02, e
            # a band of white margin around the drawing: boxes are not shifted off it
            assert _ink(r.png, [0, 0, r.width, 8]) == 0.0
            assert overlapping(r.elements) is None
            for q in DOMAIN.questions(sample, r, rng=qa_rng(sample.spec.to_json())):
                if q.program == "point":
                    bx, by, bw, bh = nodes[f"n{q.params['node']}"]["bbox"]
                    px, py = q.answer
                    assert bx <= px <= bx + bw and by <= py <= by + bh


def test_a_node_box_is_where_its_text_is_drawn() -> None:
    """Render one node alone at a known place: its box's centre is the drawn ellipse's."""
    spec = GraphSpec("tree", "org chart", ("Director", "Sales"), (Edge(0, 1),), True,
                     _sample(0, "tree").spec.style)  # fmt: skip
    from synth.renderers.graphviz import render_dot

    r = render_dot(emit_dot(spec))
    im = np.asarray(Image.open(io.BytesIO(r.png)).convert("L")) < 200
    for e in (e for e in r.elements if e["role"] == "node"):
        x, y, w, h = (int(v) for v in e["bbox"])
        ys, xs = np.nonzero(im[y : y + h + 1, x : x + w + 1])
        assert (
            abs((xs.min() + xs.max()) / 2 - w / 2) <= 2
            and abs((ys.min() + ys.max()) / 2 - h / 2) <= 2
        )


def test_network_labels_stay_apart_and_a_clash_is_rejected_by_name() -> None:
    rejected = 0
    for seed in range(40):
        sample = _sample(seed, "network")
        try:
            DOMAIN.render(sample)
        except SampleRejected as exc:
            assert exc.checks == ("labels_apart",) and "overlap" in str(exc)
            rejected += 1
    assert rejected <= 2
    a = {"label": "A", "role": "node", "bbox": [0.0, 0.0, 20.0, 10.0]}
    b = {"label": " 7 ", "role": "edge_label", "bbox": [18.0, 8.0, 10.0, 10.0]}
    assert overlapping([a, b]) == (a, b)
    assert overlapping([a, {**b, "bbox": [19.5, 8.0, 10.0, 10.0]}]) is None  # a pixel: apart


def test_the_same_source_draws_the_same_bytes() -> None:
    from synth.renderers.graphviz import render_dot

    sample = _sample(5, "network")
    assert render_dot(sample.code.source).png == render_dot(sample.code.source).png


def test_a_spec_that_names_missing_nodes_or_repeats_labels_is_refused() -> None:
    style = _sample(0, "tree").spec.style
    with pytest.raises(SpecError, match="out of 0..1"):
        GraphSpec("tree", "org chart", ("A", "B"), (Edge(0, 2),), True, style)
    with pytest.raises(SpecError, match="repeat"):
        GraphSpec("tree", "org chart", ("A", "A"), (), True, style)


# hostile DOT: what code from outside can make Graphviz do -------------------------------


def test_graphviz_reads_no_file_named_in_a_graph(tmp_path: Path) -> None:
    """An image attribute naming a file on disk draws nothing from it (web-server mode)."""
    from synth.renderers.graphviz import render_dot

    red = tmp_path / "red.png"
    Image.new("RGB", (200, 200), "red").save(red)
    plain = 'digraph { a [label="", shape=box, width=3, height=3]; }'
    with_image = plain.replace('label=""', f'label="", image="{red}"')
    rgb = np.asarray(Image.open(io.BytesIO(render_dot(with_image).png)).convert("RGB"))
    assert not ((rgb[..., 0] > 200) & (rgb[..., 1] < 50)).any(), "the file's red was drawn"
    assert render_dot(with_image).png == render_dot(plain).png


def test_a_huge_or_endless_graph_is_a_typed_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.renderers import graphviz

    with pytest.raises(RenderError, match="over 4096 a side"):
        graphviz.render_dot('digraph { dpi=2000; size="50,50!"; a -> b; }')
    monkeypatch.setattr(graphviz, "TIMEOUT_S", 0.5)
    many = "digraph {" + ";".join(f"n{i} -> n{(i * 7 + 3) % 3000}" for i in range(3000)) + "}"
    with pytest.raises(RenderTimeout, match="longer than 0.5 s"):
        graphviz.render_dot(many)
    with pytest.raises(RenderError, match="syntax error"):
        graphviz.render_dot("digraph { a -> ; }")


def test_sandboxed_runs_match_across_workers_and_reproduce(tmp_path: Path) -> None:
    from synth.dataset import iter_samples

    from ..conftest import shard_bytes, synth_cmd

    args = ["generate", "--domain", "graph", "--n", "8", "--seed", "3", "--shard-size", "4"]
    for workers in ("1", "2"):
        out = tmp_path / workers
        synth_cmd(*args, "--out", str(out), "--workers", workers, check=True)
        counts = json.loads((out / "manifest.json").read_text())["counts"]
        assert counts["written"] == 8 and counts["failed"] == 0, counts
    one, two = shard_bytes(tmp_path / "1"), shard_bytes(tmp_path / "2")
    assert len(one) == 2 and one == two
    families = Counter(rec["family"] for rec, _ in iter_samples(tmp_path / "1"))
    assert len(families) >= 3, families
    rec, png = next(iter_samples(tmp_path / "1"))
    again = synth_cmd("reproduce", str(tmp_path / "1"), rec["id"], "--out", str(tmp_path / "r.png"))
    assert again.returncode == 0 and json.loads(again.stdout)["identical"] is True, again.stderr
    assert (tmp_path / "r.png").read_bytes() == png


def test_render_code_draws_a_dot_file_or_types_its_failure(tmp_path: Path) -> None:
    from ..conftest import SANDBOX_ARGS, synth_cmd

    good = tmp_path / "g.dot"
    good.write_text(_sample(2, "state_machine").code.source)
    ok = synth_cmd("render-code", str(good), "--out", str(tmp_path / "g.png"), *SANDBOX_ARGS)
    assert ok.returncode == 0 and json.loads(ok.stdout)["language"] == "dot", ok.stderr
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    bad = tmp_path / "b.gv"
    bad.write_text('digraph { a [image="/etc/passwd"]; a -> ; }')
    failed = synth_cmd("render-code", str(bad), "--out", str(tmp_path / "b.png"), *SANDBOX_ARGS)
    assert failed.returncode == 1 and "syntax error" in json.loads(failed.stdout)["message"]
    assert not (tmp_path / "b.png").exists()


# the dot started ahead -------------------------------------------------------------


def _fresh(source: str):  # type: ignore[no-untyped-def]
    """The graph drawn by a dot started when it comes (code from outside's way)."""
    from synth.renderers import graphviz

    graphviz.ONE_SHOT = True
    try:
        return graphviz.render_dot(source)
    finally:
        graphviz.ONE_SHOT = False


def test_a_dot_started_ahead_draws_what_one_started_now_draws() -> None:
    """Graph after graph, of every kind (clusters too, which a dot fed several graphs lays
    out differently after some others): the same bytes and boxes."""
    from synth.renderers import graphviz

    for seed in range(25):
        source = _sample(seed, KINDS[seed % len(KINDS)]).code.source
        assert graphviz.render_dot(source) == _fresh(source)
        assert graphviz.helper_pids() == (graphviz.ready().pid,) != (None,)


def test_a_bad_graph_is_typed_and_the_next_graph_is_drawn_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A syntax error, two graphs in one source, a hang: each its own typed failure; the
    next graph is drawn as ever, by the dot started ahead for it."""
    from synth.renderers import graphviz

    good = _sample(1, "network").code.source
    want = _fresh(good)
    bad = [
        ("digraph { a -> ; }", RenderError, "syntax error"),
        ("digraph { a -> b }\ndigraph x { }", RenderError, "more than one graph"),
        (good + good, RenderError, "more than one graph"),
    ]
    for source, error, message in bad:
        with pytest.raises(error, match=message):
            graphviz.render_dot(source)
        assert graphviz.ready().pid is not None, "the next graph's dot is waiting"
        assert graphviz.render_dot(good) == want
    monkeypatch.setattr(graphviz, "TIMEOUT_S", 0.5)
    many = "digraph {" + ";".join(f"n{i} -> n{(i * 7 + 3) % 3000}" for i in range(3000)) + "}"
    waiting = graphviz.ready().pid
    with pytest.raises(RenderTimeout):
        graphviz.render_dot(many)
    assert waiting is not None and not Path(f"/proc/{waiting}").exists(), "the hung dot was killed"
    monkeypatch.setattr(graphviz, "TIMEOUT_S", 20.0)
    assert graphviz.render_dot(good) == want


def test_code_from_outside_starts_its_dot_when_it_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.renderers import graphviz

    graphviz.ready().stop()
    monkeypatch.setattr(graphviz, "ONE_SHOT", False)
    graphviz.RENDERER.isolate()  # type: ignore[misc]
    assert graphviz.ONE_SHOT is True
    source = _sample(3, "tree").code.source
    assert graphviz.render_dot(source).png.startswith(b"\x89PNG")
    assert graphviz.ready().pid is None, "no dot waits in a process that renders code from outside"


def _qas(kind: str, seeds: range):  # type: ignore[no-untyped-def]
    for seed in seeds:
        sample = _sample(seed, kind)
        spec = sample.spec.to_json()
        for q in graph_questions(sample.spec, None, rng=np.random.default_rng(seed)):
            yield spec, q


def _chain(text: str, sep: str) -> list[str]:
    return [part.strip() for part in text.split(sep)]


def test_reasoning_walks_the_graph_it_answers_from() -> None:
    """The chain of thought is checked against the structure (networkx), not only the
    answer: a path of real arrows from A to B, a cycle that closes, a route whose legs are
    roads and add up, a crowd that outnumbers its options, the depth it states."""
    seen: Counter[str] = Counter()
    orders: Counter[bool] = Counter()
    for kind in ("dependency", "network", "matching", "tree"):
        for spec, q in _qas(kind, range(150)):
            g, names = build(spec), spec["labels"]
            idx = {name: i for i, name in enumerate(names)}
            text = q.reasoning
            if q.program == "before":
                orders[q.params["a"] < q.params["b"]] += 1
                if q.answer:
                    hops = _chain(text.split(": ", 1)[1].split(". So")[0], "->")
                    assert hops[0] == names[q.params["a"]] and hops[-1] == names[q.params["b"]]
                    assert all(
                        g.has_edge(idx[x], idx[y]) for x, y in zip(hops, hops[1:], strict=False)
                    )
                    seen["before"] += 1
            elif q.program == "cycle" and q.answer:
                hops = _chain(text.split("The arrows ", 1)[1].split(" come back")[0], "->")
                assert hops[0] == hops[-1] and len(hops) >= 3
                assert all(g.has_edge(idx[x], idx[y]) for x, y in zip(hops, hops[1:], strict=False))
                seen["cycle"] += 1
            elif q.program == "shortest_route":
                assert q.params["a"] != q.params["b"]
                m = re.search(r"route is (.*)\. (\d+(?: \+ \d+)*) = (\d+)\.", text)
                assert m is not None, text
                stops = _chain(m[1], " - ")  # place names may hold ". " ("St. Gallen")
                assert stops[0] == names[q.params["a"]] and stops[-1] == names[q.params["b"]]
                legs = [
                    g.edges[idx[x], idx[y]]["weight"]
                    for x, y in zip(stops, stops[1:], strict=False)
                ]
                assert sum(legs) == q.answer == int(m[3]) and " + ".join(map(str, legs)) == m[2]
                seen["route"] += 1
            elif q.program == "everyone_placed" and not q.answer:
                people, options = text.split(" can only take ")
                crowd = people.split(" and ")
                taken = _chain(options.split(":")[0], ",")
                assert len(crowd) > len(taken)
                assert set(taken) == {names[v] for p in crowd for v in g.neighbors(idx[p])}
                seen["crowd"] += 1
            elif q.program == "depth":
                assert f"That is {q.answer} level{'s' if q.answer != 1 else ''} down." in text
                seen["depth"] += 1
    assert min(seen.values()) >= 5 and len(seen) == 5, seen
    assert orders[True] > 10 and orders[False] > 10, "pairs are asked both ways round"


def test_machine_inputs_use_both_symbols_and_difficulty_follows_their_length() -> None:
    symbols: Counter[str] = Counter()
    for _, q in _qas("state_machine", range(120)):
        if q.program in ("run", "accepts"):
            word = q.params["input"]
            symbols.update(word)
            steps = q.reasoning.count(". ")
            assert q.difficulty == 2 + (len(word) > 4) + (steps >= 3), (q.difficulty, word, steps)
    assert symbols["0"] > 100 and symbols["1"] > 100, symbols


def test_pointing_finds_the_node_by_role_and_name() -> None:
    """With render facts, the point lies in the node's own box, not in a decoy of another
    role that shares its name."""
    from synth.record import Rendered

    for seed in range(30):
        sample = _sample(seed, KINDS[seed % len(KINDS)])
        n = len(sample.spec.labels)
        decoys = [{"label": "", "role": "edge_label", "ref": f"n{i}", "bbox": [0.0, 0.0, 5.0, 5.0]}
                  for i in range(n)]  # fmt: skip
        nodes = [{"label": sample.spec.labels[i], "role": "node", "ref": f"n{i}",
                  "bbox": [100.0 + 50 * i, 200.0, 40.0, 20.0]} for i in range(n)]  # fmt: skip
        r = Rendered(png=b"", width=2000, height=400, elements=(*decoys, *nodes), backend="")
        (q,) = [q for q in graph_questions(sample.spec, r, rng=np.random.default_rng(seed))
                if q.program == "point"]  # fmt: skip
        i = q.params["node"]
        assert q.answer == [100.0 + 50 * i + 20, 210.0] and q.tolerance == {"box": nodes[i]["bbox"]}
        assert sample.spec.labels[i] in q.question


#: each program's difficulty before the reasoning's length adds one (three steps or more)
BASE = {"count_nodes": 1, "point": 1, "parent": 1, "children": 1, "depth": 2,
        "common_ancestor": 3, "leaves": 2, "before": 2, "cycle": 3, "prerequisites": 1,
        "first_task": 2, "last_task": 2, "all_before": 3, "road_length": 1,
        "shortest_route": 3, "roads_at": 1, "matching_size": 3, "everyone_placed": 3,
        "options": 1}  # fmt: skip


def test_difficulty_is_the_programs_plus_one_for_a_long_chain() -> None:
    lengths: Counter[int] = Counter()
    for kind in KINDS:
        for spec, q in _qas(kind, range(60)):
            steps = q.reasoning.count(". ")
            if q.program in ("run", "accepts"):
                word = q.params["input"]
                lengths[len(word)] += 1
                base = 2 + (len(word) > 4)
                assert q.reasoning.startswith(f"Start at {spec['labels'][spec['start']]}.")
            else:
                base = BASE[q.program] + (q.program == "count_nodes" and len(spec["labels"]) > 8)
            assert q.difficulty == min(5, base + (steps >= 3)), (q.program, steps, q.reasoning)
    assert set(lengths) == {3, 4, 5}, lengths


def test_a_matching_question_names_people_as_people() -> None:
    asked = 0
    for _, q in _qas("matching", range(80)):
        if q.program == "matching_size" and "projects" in q.question:
            assert "people" in q.question and "persons" not in q.question, q.question
            asked += 1
    assert asked >= 3


def test_the_kind_option_pins_one_kind_and_a_wrong_one_names_the_choices() -> None:
    from synth._errors import ConfigError

    trees = DOMAIN.configure({"kind": "tree"})
    assert {trees.sample(rng=np.random.default_rng(s)).family for s in range(12)} == {"tree"}
    with pytest.raises(ConfigError, match="one of tree, state_machine, dependency"):
        DOMAIN.configure({"kind": "forest"})
    with pytest.raises(ConfigError, match="no option 'colour'"):
        DOMAIN.configure({"colour": "red"})
