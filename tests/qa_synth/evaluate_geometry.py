"""An independent evaluator: rebuilds a geometry figure's points from its spec JSON with its
own formulas (linear solves, not the generator's closed forms) and recomputes each answer
from what the figure writes, checking that what it writes is true of the drawing."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _line_meet(p1: np.ndarray, d1: np.ndarray, p2: np.ndarray, d2: np.ndarray) -> np.ndarray:
    t = np.linalg.solve(np.column_stack([d1, -d2]), p2 - p1)
    return np.asarray(p1 + t[0] * d1)


def points(spec: dict[str, Any]) -> dict[str, np.ndarray]:
    pts: dict[str, np.ndarray] = {}
    for s in spec["steps"]:
        args = [pts[a] for a in s["args"]]
        op = s["op"]
        if op == "free":
            p = np.array([s["x"], s["y"]], dtype=float)
        elif op == "midpoint":
            p = (args[0] + args[1]) / 2
        elif op == "on_segment":
            p = args[0] + s["value"] * (args[1] - args[0])
        elif op in ("foot", "reflect"):
            d = args[2] - args[1]
            normal = np.array([-d[1], d[0]])
            f = _line_meet(args[1], d, args[0], normal)  # the line, and the normal through P
            p = f if op == "foot" else 2 * f - args[0]
        elif op == "centroid":
            p = sum(args) / 3
        elif op == "circumcenter":  # two perpendicular bisectors meet
            a, b, c = args
            ab, bc = b - a, c - b
            p = _line_meet(
                (a + b) / 2, np.array([-ab[1], ab[0]]), (b + c) / 2, np.array([-bc[1], bc[0]])
            )
        elif op == "incenter":  # two angle bisectors meet
            a, b, c = args
            ua = (b - a) / np.linalg.norm(b - a) + (c - a) / np.linalg.norm(c - a)
            ub = (a - b) / np.linalg.norm(a - b) + (c - b) / np.linalg.norm(c - b)
            p = _line_meet(a, ua, b, ub)
        else:  # intersect
            p = _line_meet(args[0], args[1] - args[0], args[2], args[3] - args[2])
        pts[s["name"]] = p
    return pts


def _dist(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.linalg.norm(p - q))


def _angle(p: np.ndarray, v: np.ndarray, q: np.ndarray) -> float:
    a, b = p - v, q - v
    cos = float(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def recompute(spec: dict[str, Any], qa: dict[str, Any]) -> Any:
    pts = points(spec)
    written = {frozenset((p, q)): v for p, q, v in spec["lengths"]}
    for (p, q), v in ((tuple(k), v) for k, v in written.items()):
        assert abs(_dist(pts[p], pts[q]) - v) <= 0.05 + 1e-9, (p, q, v)  # written = drawn
    prog, prm = qa["program"], qa["params"]
    if prog == "half_segment":
        a, b = prm["segment"]
        m = prm["midpoint"]
        assert abs(_dist(pts[a], pts[m]) - _dist(pts[m], pts[b])) < 1e-9
        return round(written[frozenset((a, b))] / 2, 3)
    if prog == "third_angle":
        known = {v: d for _, v, _, d in spec["angles"]}
        for a, v, b in spec["right"]:
            if v in "ABC":
                assert abs(_angle(pts[a], pts[v], pts[b]) - 90) < 1e-6
                known[v] = 90
        for v, d in known.items():  # what is written is what is drawn, to the degree
            others = [x for x in "ABC" if x != v]
            assert abs(_angle(pts[others[0]], pts[v], pts[others[1]]) - d) <= 0.5 + 1e-6
        assert len(known) == 2 and prm["asked"] not in known
        third = 180 - sum(known.values())
        if qa["answer_type"] == "choice":
            assert len(set(qa["choices"])) == len(qa["choices"]) >= 3
            return f"{third}°"
        return third
    if prog == "pythagoras":
        v = prm["right"]
        p, q = (x for x in "ABC" if x != v)
        assert abs(_angle(pts[p], pts[v], pts[q]) - 90) < 1e-6
        sides = {frozenset(k): x for k, x in written.items() if frozenset(k) <= set("ABC")}
        hyp, legs = sides.get(frozenset((p, q))), [sides.get(frozenset((v, x))) for x in (p, q)]
        if hyp is None:
            return round(math.sqrt(legs[0] ** 2 + legs[1] ** 2), 2)
        leg = next(x for x in legs if x is not None)
        return round(math.sqrt(hyp**2 - leg**2), 2)
    if prog == "radius":
        centre, on = prm["circle"]
        r = written[frozenset((centre, on))]
        if len(prm["to"]) == 2 and prm["to"][0] == centre:  # the circumcircle: another vertex
            x = prm["to"][1]
            assert abs(_dist(pts[centre], pts[x]) - _dist(pts[centre], pts[on])) < 1e-6
        else:  # the incircle: its centre is as far from the side named
            p, q = prm["to"]
            d = pts[q] - pts[p]
            e = pts[centre] - pts[p]
            off = abs(float(d[0] * e[1] - d[1] * e[0])) / np.linalg.norm(d)
            assert abs(off - _dist(pts[centre], pts[on])) < 1e-6
        return r
    if prog == "area":
        c, h = prm["height"]
        assert abs(_angle(pts["A"], pts[h], pts[c]) - 90) < 1e-6
        return round(written[frozenset(("A", "B"))] * written[frozenset((c, h))] / 2, 3)
    if prog == "perimeter":
        return round(sum(written[frozenset(s)] for s in (("A", "B"), ("B", "C"), ("C", "A"))), 1)
    if prog == "right_angle":
        a, v, b = prm["angle"]
        angle = _angle(pts[a], pts[v], pts[b])
        marked = [a, v, b] in [list(r) for r in spec["right"]]
        assert (abs(angle - 90) < 1e-6) == marked or abs(angle - 90) >= 15
        return marked
    if prog == "circle_centre":
        centre, on = prm["circle"]
        r = _dist(pts[centre], pts[on])
        op = next(s["op"] for s in spec["steps"] if s["name"] == centre)
        if op == "circumcenter":
            assert all(abs(_dist(pts[centre], pts[v]) - r) < 1e-6 for v in "ABC")
        else:  # the incircle touches all three sides
            for p, q in (("A", "B"), ("B", "C"), ("C", "A")):
                d = pts[q] - pts[p]
                e = pts[centre] - pts[p]
                off = abs(float(d[0] * e[1] - d[1] * e[0])) / np.linalg.norm(d)
                assert abs(off - r) < 1e-6
        return centre
    if prog == "midpoint_of":
        a, b = prm["segment"]
        return next(
            k for k, p in pts.items() if k not in (a, b) and _dist(p, (pts[a] + pts[b]) / 2) < 1e-9
        )
    if prog == "count_points":
        return len(spec["steps"])
    raise AssertionError(f"unknown program {prog}")
