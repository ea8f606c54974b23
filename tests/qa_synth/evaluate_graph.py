"""An independent evaluator for graph questions: rebuilds the graph from the spec JSON with
networkx (no code shared with ``synth.qa_synth.graph``) and recomputes each answer from the
question's ``params``."""

from __future__ import annotations

from typing import Any

import networkx as nx


def build(spec: dict[str, Any]) -> nx.Graph:
    g: nx.Graph = nx.DiGraph() if spec["directed"] else nx.Graph()
    g.add_nodes_from(range(len(spec["labels"])))
    for e in spec["edges"]:
        g.add_edge(e["src"], e["dst"], weight=e["weight"], label=e["label"])
    return g


def machine_end(spec: dict[str, Any], word: str) -> int:
    moves = {}
    for e in spec["edges"]:
        for symbol in e["label"].split(","):
            assert (e["src"], symbol) not in moves, "deterministic: one move per state and input"
            moves[e["src"], symbol] = e["dst"]
    state = spec["start"]
    for symbol in word:
        state = moves[state, symbol]
    return int(state)


def recompute(spec: dict[str, Any], qa: dict[str, Any]) -> Any:
    g, p, names = build(spec), qa["params"], spec["labels"]
    prog = qa["program"]
    if prog == "count_nodes":
        return g.number_of_nodes()
    if prog == "parent":
        (up,) = g.predecessors(p["node"])
        return names[up]
    if prog == "children":
        return g.out_degree(p["node"])
    if prog == "depth":
        (root,) = [v for v in g if g.in_degree(v) == 0]
        return nx.shortest_path_length(g, root, p["node"])
    if prog == "common_ancestor":
        return names[nx.lowest_common_ancestor(g, p["a"], p["b"])]
    if prog == "leaves":
        return sum(1 for v in g if g.out_degree(v) == 0)
    if prog == "run":
        return names[machine_end(spec, p["input"])]
    if prog == "accepts":
        return machine_end(spec, p["input"]) in spec["accepting"]
    if prog == "before":
        return nx.has_path(g, p["a"], p["b"])
    if prog == "cycle":
        return not nx.is_directed_acyclic_graph(g)
    if prog == "prerequisites":
        return g.in_degree(p["node"])
    if prog == "first_task":
        (first,) = [v for v in g if g.in_degree(v) == 0]
        return names[first]
    if prog == "last_task":
        (last,) = [v for v in g if g.out_degree(v) == 0]
        return names[last]
    if prog == "all_before":
        return len(nx.ancestors(g, p["node"]))
    if prog in ("matching_size", "everyone_placed"):
        left = set(spec["groups"][0][1])
        size = len(nx.bipartite.hopcroft_karp_matching(g, top_nodes=left)) // 2
        return size if prog == "matching_size" else size == len(left)
    if prog == "options":
        return g.degree(p["node"])
    if prog == "road_length":
        return g.edges[p["a"], p["b"]]["weight"]
    if prog == "shortest_route":
        return nx.shortest_path_length(g, p["a"], p["b"], weight="weight")
    if prog == "roads_at":
        return g.degree(p["node"])
    raise AssertionError(f"no evaluator for program {prog}")
