"""An independent evaluator: recomputes 3D scene answers from the spec JSON alone, and the
occlusion answers from the record's elements (what the render measured)."""

from __future__ import annotations

import math
from typing import Any


def _camera_axes(cam: dict[str, Any]) -> tuple[list[float], list[float], list[float]]:
    az, el = math.radians(cam["azimuth_deg"]), math.radians(cam["elevation_deg"])
    d, tz = cam["distance_m"], cam.get("target_z_m", 0.0)
    pos = [d * math.cos(el) * math.cos(az), d * math.cos(el) * math.sin(az), tz + d * math.sin(el)]
    fwd = [-pos[0], -pos[1], tz - pos[2]]
    n = math.hypot(*fwd)
    fwd = [v / n for v in fwd]
    right = [fwd[1], -fwd[0], 0.0]  # fwd x up(z)
    n = math.hypot(*right)
    return pos, fwd, [v / n for v in right]


def _coords(spec: dict[str, Any], i: int) -> tuple[float, float]:
    pos, fwd, right = _camera_axes(spec["camera"])
    o = spec["objects"][i]
    r = {"small": 0.35, "large": 0.7}[o["size"]]
    z = r / math.sqrt(2) if o["shape"] == "cube" else r  # a cube's half-side
    d = [o["x_m"] - pos[0], o["y_m"] - pos[1], z - pos[2]]
    return sum(a * b for a, b in zip(d, right, strict=True)), sum(
        a * b for a, b in zip(d, fwd, strict=True)
    )


#: how far apart two centres must be, in metres, for a person to call the relation from the
#: image: across the view (left/right) and along it (front/behind, which is read from size and
#: overlap, so it needs more)
CLEAR_ACROSS_M = 0.4
CLEAR_ALONG_M = 0.6


def _clear(relation: str, dx: float, dd: float) -> bool:
    """Whether two objects ``dx`` apart across the view and ``dd`` along it can be told apart
    for ``relation``."""
    if relation in ("left of", "right of"):
        return abs(dx) >= CLEAR_ACROSS_M
    return abs(dd) >= CLEAR_ALONG_M


def _describes(name: str, objs: list[dict[str, Any]], j: int) -> bool:
    """``the red cube`` names object j and no other."""
    words = set(name.removeprefix("the ").split())
    fits = [
        k
        for k, o in enumerate(objs)
        if words <= {o["colour"], o["shape"], o["material"], o["size"]}
    ]
    return fits == [j]


def recompute(
    spec: dict[str, Any], qa: dict[str, Any], elements: list[dict[str, Any]] | None = None
) -> Any:
    p, prm, objs = qa["program"], qa["params"], spec["objects"]
    if p in ("hidden", "occluder"):
        el = {int(e["key"].split("-")[1]): e for e in elements or []}[prm["object"]]
        if p == "hidden":
            if el["occluded"] >= 0.2:
                return True
            return False if not el["hidden_by"] else "undecided"
        j = el["hidden_by"][0][0]
        return qa["answer"] if _describes(qa["answer"], objs, j) else f"object {j}"
    if p == "count":
        return sum(o[prm["attribute"]] == prm["value"] for o in objs)
    if p == "exist":
        return any(o["colour"] == prm["colour"] and o["shape"] == prm["shape"] for o in objs)
    if p == "query":
        return objs[prm["object"]][prm["attribute"]]
    if p == "compare_attr":
        return objs[prm["a"]][prm["attribute"]] == objs[prm["b"]][prm["attribute"]]
    if p == "relate":
        (xa, da), (xb, db) = _coords(spec, prm["a"]), _coords(spec, prm["b"])
        if not _clear(prm["relation"], xa - xb, da - db):
            return "too close to call"
        return {"left of": xa < xb, "right of": xa > xb, "in front of": da < db, "behind": da > db}[
            prm["relation"]
        ]
    if p == "count_relation":
        xi = _coords(spec, prm["object"])[0]
        others = [_coords(spec, j)[0] for j in range(len(objs)) if j != prm["object"]]
        if not all(_clear("left of", x - xi, 0.0) for x in others):
            return "an object too close to call"
        return sum(x < xi for x in others)
    if p == "relate_query":
        rel, (xa, da) = prm["relation"], _coords(spec, prm["anchor"])
        for k in range(len(objs)):
            x, d = _coords(spec, k)
            if k != prm["anchor"] and not _clear(rel, x - xa, d - da):
                return "an object too close to the anchor to call"

        def on_side(k: int) -> bool:
            x, d = _coords(spec, k)
            return {"left of": x < xa, "right of": x > xa, "in front of": d < da, "behind": d > da}[
                rel
            ]

        hits = [
            k
            for k, o in enumerate(objs)
            if k != prm["anchor"] and on_side(k) and all(o[a] == v for a, v in prm["kind"].items())
        ]
        kind_count = sum(all(o[a] == v for a, v in prm["kind"].items()) for o in objs)
        if len(hits) != 1 or kind_count < 2:
            return "ambiguous or degenerate"
        return objs[hits[0]][prm["attribute"]]
    if p == "compare_count":
        return sum(o["shape"] == prm["a"] for o in objs) > sum(o["shape"] == prm["b"] for o in objs)
    if p == "facing":
        rel = (spec["camera"]["azimuth_deg"] - objs[0]["rotation_deg"]) % 360
        names = [
            "towards the camera",
            "towards the camera and to the left",
            "to the left",
            "away and to the left",
            "away from the camera",
            "away and to the right",
            "to the right",
            "towards the camera and to the right",
        ]
        return names[round(rel / 45) % 8]
    if p == "elevation":
        el = spec["camera"]["elevation_deg"]
        return "from above" if el >= 30 else "at eye level" if el >= 0 else "from below"
    if p == "shot":
        d = spec["camera"]["distance_m"]
        return "close-up" if d < 5 else "medium shot" if d < 9 else "long shot"
    raise KeyError(f"no recompute for program {p}")
