"""An independent evaluator: recomputes diagram answers from the spec JSON alone."""

from __future__ import annotations

from typing import Any


def _reach(edges: list[list[str]], a: str) -> dict[str, int]:
    dist, frontier = {a: 0}, [a]
    while frontier:
        nxt = []
        for n in frontier:
            for src, dst, _ in edges:
                if src == n and dst not in dist:
                    dist[dst] = dist[n] + 1
                    nxt.append(dst)
        frontier = nxt
    return dist


def recompute(spec: dict[str, Any], qa: dict[str, Any]) -> Any:
    p, prm = qa["program"], qa["params"]
    labels = {n["id"]: n["label"] for n in spec["nodes"]}
    edges = [[e["src"], e["dst"], e["label"]] for e in spec["edges"]]
    names, msgs = spec["participants"], spec["messages"]
    if p == "next_step":
        (dst,) = [d for s, d, _ in edges if s == prm["node"]]
        return labels[dst]
    if p == "previous_step":
        (src,) = [s for s, d, _ in edges if d == prm["node"]]
        return labels[src]
    if p == "branch":
        (dst,) = [d for s, d, lb in edges if s == prm["node"] and lb == prm["label"]]
        return labels[dst]
    if p == "count_decisions":
        return sum(n["shape"] == "decision" for n in spec["nodes"])
    if p == "count_steps":
        return sum(n["shape"] == "process" for n in spec["nodes"])
    if p == "path_exists":
        return prm["b"] in _reach(edges, prm["a"])
    if p == "fewest_steps":
        start = next(n["id"] for n in spec["nodes"] if n["label"] == "Start")
        end = next(n["id"] for n in spec["nodes"] if n["label"] == "End")
        return _reach(edges, start)[end]
    if p == "sender":
        return names[msgs[prm["message"]]["src"]]
    if p == "receiver":
        return names[msgs[prm["message"]]["dst"]]
    if p == "next_message":
        return msgs[prm["message"] + 1]["text"]
    if p == "count_messages":
        return len(msgs)
    if p == "count_from":
        return sum(m["src"] == prm["participant"] for m in msgs)
    if p == "sends_to":
        return any(m["src"] == prm["a"] and m["dst"] == prm["b"] for m in msgs)
    raise KeyError(f"no recompute for program {p}")
