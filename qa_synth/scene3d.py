"""3D scene question programs, answer first, as functional programs over the scene spec.

Tabletop: count, exist (yes/no, balanced), query an attribute, compare attributes, relate
(left/right in the camera's view, in front of/behind along its axis, each with a margin),
compare counts, count_relation (multi-hop: how many objects are left of X), occlusion (is
X partly hidden; which object hides X), point and box. An object is named only by a
description that matches exactly one object, and only objects with at least
:data:`MIN_VISIBLE_PX` visible pixels (from the render's index map) and at most
:data:`MAX_OCCLUDED` of their outline hidden are ever a subject. Viewpoint: which way the object faces, camera elevation and shot distance
(the sampler keeps every camera away from its bin's edges). Each question's difficulty is
measured, not set per program (:func:`calibrated`): its chain of steps, the objects it
checks, how close its relation is to its margin, how small and how hidden its objects are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.qa_synth._phrasing import count_of, plural
from synth.qa_synth._programs import ask, chain, pick_or_none
from synth.record import QA

if TYPE_CHECKING:
    from synth.generators.scene3d import SceneSpec

MIN_VISIBLE_PX = 80
MAX_OCCLUDED = 0.6  # an object more hidden than this is never a subject
HIDDEN_MIN = 0.2  # "partly hidden": at least this share of the outline shows other objects
OCCLUDER_SHARE = 0.8  # "which object hides X": one object covers this share of what is hidden
LR_MARGIN_M = 0.4  # left/right: centres this far apart along the camera's right axis
FB_MARGIN_M = 0.6  # front/behind: along the view axis
FACINGS = (
    "towards the camera",
    "towards the camera and to the left",
    "to the left",
    "away and to the left",
    "away from the camera",
    "away and to the right",
    "to the right",
    "towards the camera and to the right",
)
Program = Callable[["Ctx", np.random.Generator], "QA | None"]


class Ctx:
    def __init__(self, spec: SceneSpec, elements: Any) -> None:
        self.spec = spec
        self.attrs = spec.vocabulary()  # attribute -> its words, in the spec's order
        px = {int(e["key"].split("-")[1]): e for e in elements if e.get("role") == "object"}
        self.el = px
        self.visible = [
            px.get(i, {}).get("visible_px", 0) >= MIN_VISIBLE_PX
            and px.get(i, {}).get("occluded", 0.0) <= MAX_OCCLUDED
            for i in range(len(spec.objects))
        ]

    def attr(self, i: int, a: str) -> str:
        return str(getattr(self.spec.objects[i], a))

    def name(self, i: int) -> str | None:
        """The shortest description that matches object ``i`` alone (None: none does)."""
        o = self.spec.objects[i]
        for keys in (
            ("shape",),
            ("colour", "shape"),
            ("size", "shape"),
            ("material", "shape"),
            ("size", "colour", "shape"),
            ("size", "colour", "material", "shape"),
        ):
            matches = [
                j
                for j in range(len(self.spec.objects))
                if all(self.attr(j, k) == getattr(o, k) for k in keys)
            ]
            if matches == [i]:
                return "the " + " ".join(self.attr(i, k) for k in keys)
        return None

    def subjects(self) -> list[int]:
        return [i for i in range(len(self.spec.objects)) if self.visible[i] and self.name(i)]


def count(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    a = str(pick_or_none(rng, list(ctx.attrs)))
    v = str(pick_or_none(rng, list(ctx.attrs[a])))
    hits = [i for i in range(len(ctx.spec.objects)) if ctx.attr(i, a) == v]
    if not all(ctx.visible[i] for i in hits):
        return None  # an object hardly visible would make the count undecidable
    noun = f"{plural(v)}" if a == "shape" else f"{v} objects"
    steps = [f"Find every {v} object: {len(hits)}."]
    return QA.build(
        program="count",
        question=f"How many {noun} are there?",
        answer=len(hits),
        answer_type="number",
        steps=steps,
        params={"attribute": a, "value": v},
        skills=["counting", "3d"],
        difficulty=1,
    )


def exist(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    want = bool(rng.random() < 0.5)
    pairs = [
        (c, s)
        for c in ctx.attrs["colour"]
        for s in ctx.attrs["shape"]
        if any(
            ctx.attr(i, "colour") == c and ctx.attr(i, "shape") == s
            for i in range(len(ctx.spec.objects))
        )
        == want
    ]
    pair = pick_or_none(rng, pairs)
    if pair is None:
        return None
    c, s = pair
    hits = [
        i
        for i in range(len(ctx.spec.objects))
        if ctx.attr(i, "colour") == c and ctx.attr(i, "shape") == s
    ]
    if not all(ctx.visible[i] for i in hits):
        return None
    steps = [f"{'A' if want else 'No'} {c} {s} is in the scene."]
    return QA.build(
        program="exist",
        question=f"Is there a {c} {s}?",
        answer=want,
        answer_type="bool",
        steps=steps,
        params={"colour": c, "shape": s},
        skills=["3d", "attribute"],
        difficulty=1,
    )


def query(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    i = pick_or_none(rng, ctx.subjects())
    if i is None:
        return None
    name = ctx.name(i)
    asked = [a for a in ctx.attrs if a not in (name or "").split() and a != "shape"]
    asked = [a for a in asked if ctx.attr(i, a) not in (name or "")]
    a = pick_or_none(rng, asked)
    if a is None:
        return None
    word = {"colour": "colour", "material": "material", "size": "size"}[a]
    steps = [f"{name} is {ctx.spec.objects[i].describe()}.".capitalize()]
    return QA.build(
        program="query",
        question=f"What {word} is {name}?",
        answer=ctx.attr(i, a),
        answer_type="text",
        steps=steps,
        params={"object": i, "attribute": a},
        skills=["3d", "attribute"],
        difficulty=1,
    )


def compare_attr(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    subs = ctx.subjects()
    if len(subs) < 2:
        return None
    i, j = (int(v) for v in rng.choice(subs, size=2, replace=False))
    a = str(pick_or_none(rng, ["colour", "material", "size"]))
    same = ctx.attr(i, a) == ctx.attr(j, a)
    ni, nj = ctx.name(i), ctx.name(j)
    steps = [f"{ni} is {ctx.attr(i, a)}; {nj} is {ctx.attr(j, a)}.".capitalize()]
    return QA.build(
        program="compare_attr",
        question=f"Do {ni} and {nj} have the same {a}?",
        answer=same,
        answer_type="bool",
        steps=steps,
        params={"a": i, "b": j, "attribute": a},
        skills=["3d", "attribute", "comparison"],
        difficulty=2,
    )


def relate(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    subs = ctx.subjects()
    if len(subs) < 2:
        return None
    i, j = (int(v) for v in rng.choice(subs, size=2, replace=False))
    rel = str(pick_or_none(rng, ["left of", "right of", "in front of", "behind"]))
    answer = _side(ctx, i, j, rel)
    if answer is None:
        return None  # too close to call
    ni, nj = ctx.name(i), ctx.name(j)
    steps = [f"Seen from the camera, {ni} is {'' if answer else 'not '}{rel} {nj}."]
    return QA.build(
        program="relate",
        question=f"Is {ni} {rel} {nj}?",
        answer=bool(answer),
        answer_type="bool",
        steps=steps,
        params={"a": i, "b": j, "relation": rel},
        skills=["3d", "spatial-relation"],
        difficulty=2,
    )


def count_relation(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    i = pick_or_none(rng, ctx.subjects())
    if i is None or not all(ctx.visible):
        return None
    left = [_side(ctx, j, i, "left of") for j in range(len(ctx.spec.objects)) if j != i]
    if None in left:
        return None  # an object too close to call
    n = sum(1 for is_left in left if is_left)
    name = ctx.name(i)
    steps = [f"Find {name}.", f"Count the objects to its left in the image: {n}."]
    return QA.build(
        program="count_relation",
        question=f"How many objects are left of {name}?",
        answer=n,
        answer_type="number",
        steps=steps,
        params={"object": i},
        skills=["3d", "spatial-relation", "counting", "multi-hop"],
        difficulty=3,
    )


def _side(ctx: Ctx, k: int, j: int, rel: str) -> bool | None:
    """Whether object k is ``rel`` object j in the camera's view (None: within the margin)."""
    (xk, dk), (xj, dj) = ctx.spec.camera_coords(k), ctx.spec.camera_coords(j)
    if rel in ("left of", "right of"):
        if abs(xk - xj) < LR_MARGIN_M:
            return None
        return xk < xj if rel == "left of" else xk > xj
    if abs(dk - dj) < FB_MARGIN_M:
        return None
    return dk < dj if rel == "in front of" else dk > dj


def relate_query(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """A chain: find the anchor, keep the objects on one side of it, keep those of one kind
    (exactly one is left), and read an attribute of it. The kind must fit several objects
    in the scene, or the relation would not change the answer (degenerate)."""
    j = pick_or_none(rng, ctx.subjects())
    if j is None:
        return None
    rel = str(pick_or_none(rng, ["left of", "right of", "in front of", "behind"]))
    sides = {k: _side(ctx, k, j, rel) for k in range(len(ctx.spec.objects)) if k != j}
    if None in sides.values():
        return None  # an object too close to the anchor to call
    kinds = [("shape",), ("colour",), ("size", "shape"), ("material", "shape")]
    keys = kinds[int(rng.integers(len(kinds)))]
    found = []
    for k, on_side in sides.items():
        if not on_side:
            continue
        same = [m for m in range(len(ctx.spec.objects)) if _same(ctx, m, k, keys)]
        hits = [m for m in same if m != j and sides[m]]
        if len(hits) == 1 and len(same) >= 2 and all(ctx.visible[m] for m in same):
            found.append(k)
    k = pick_or_none(rng, found)
    if k is None:
        return None
    asked = [a for a in ("colour", "material", "size", "shape") if a not in keys]
    a = str(pick_or_none(rng, asked))
    kind = " ".join(ctx.attr(k, key) for key in keys)
    noun = kind if "shape" in keys else f"{kind} object"
    name = ctx.name(j)
    steps = [
        f"Find {name}.",
        f"Among the objects {rel} it, one is a {noun}.",
        f"That {noun} is {ctx.attr(k, a)}.",
    ]
    return QA.build(
        program="relate_query",
        question=f"What {'shape' if a == 'shape' else a} is the {noun} {rel} {name}?",
        answer=ctx.attr(k, a),
        answer_type="text",
        steps=steps,
        params={"anchor": j, "relation": rel, "kind": {key: ctx.attr(k, key) for key in keys}}
        | {"attribute": a, "object": k},
        skills=["3d", "spatial-relation", "attribute", "multi-hop"],
        difficulty=3,
    )


def _same(ctx: Ctx, m: int, k: int, keys: tuple[str, ...]) -> bool:
    return all(ctx.attr(m, key) == ctx.attr(k, key) for key in keys)


def compare_count(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not all(ctx.visible):
        return None
    a, b = (str(s) for s in rng.choice(ctx.attrs["shape"], size=2, replace=False))
    na = sum(1 for o in ctx.spec.objects if o.shape == a)
    nb = sum(1 for o in ctx.spec.objects if o.shape == b)
    if na == nb:
        return None
    steps = [f"There {'is' if na == 1 else 'are'} {count_of(na, a)} and {count_of(nb, b)}."]
    return QA.build(
        program="compare_count",
        question=f"Are there more {plural(a)} than {plural(b)}?",
        answer=na > nb,
        answer_type="bool",
        steps=steps,
        params={"a": a, "b": b},
        skills=["3d", "counting", "comparison"],
        difficulty=2,
    )


def hidden(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """Yes: other objects cover at least HIDDEN_MIN of its outline; no: none of it, and none
    of it is outside the frame (between the two: not asked). Balanced yes/no."""
    want = bool(rng.random() < 0.5)
    subs = [
        i
        for i in ctx.subjects()
        if (
            ctx.el[i].get("occluded", 0.0) >= HIDDEN_MIN
            if want
            else not ctx.el[i].get("hidden_by") and ctx.el[i].get("truncated", 0.0) == 0.0
        )
    ]
    i = pick_or_none(rng, subs)
    if i is None or "occluded" not in ctx.el[i]:
        return None
    name = ctx.name(i)
    share = ctx.el[i]["occluded"]
    step = (
        f"Other objects in front of it cover {share:.0%} of {name}'s outline."
        if want
        else f"Nothing stands between the camera and {name}."
    )
    return QA.build(
        program="hidden",
        question=f"Is {name} partly hidden behind another object?",
        answer=want,
        answer_type="bool",
        steps=[step],
        params={"object": i},
        skills=["3d", "occlusion"],
        difficulty=2,
    )


def occluder(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """Which object hides X: X is partly hidden, mostly by one named, visible object; the
    choices are that object and up to three other named ones."""
    cands = []
    for i in ctx.subjects():
        e = ctx.el[i]
        by = e.get("hidden_by") or []
        if e.get("occluded", 0.0) < HIDDEN_MIN or not by:
            continue
        j, px = by[0]
        if px >= OCCLUDER_SHARE * sum(c for _, c in by) and j in ctx.subjects():
            cands.append((i, j))
    pair = pick_or_none(rng, cands)
    if pair is None:
        return None
    i, j = pair
    others = [k for k in ctx.subjects() if k not in (i, j)]
    rng.shuffle(others)
    names = [str(ctx.name(k)) for k in [j, *others[:3]]]
    choices = [names[int(k)] for k in rng.permutation(len(names))]
    ni, nj = ctx.name(i), ctx.name(j)
    return QA.build(
        program="occluder",
        question=f"Which object partly hides {ni}?",
        answer=nj,
        answer_type="choice",
        steps=[f"{nj} stands between the camera and {ni} and covers part of it.".capitalize()],
        params={"object": i, "occluder": j},
        skills=["3d", "occlusion", "spatial-relation"],
        difficulty=3,
        choices=choices,
    )


def _facing(spec: SceneSpec) -> int:
    rel = (spec.camera.azimuth_deg - spec.objects[0].rotation_deg) % 360
    return int(((rel + 22.5) % 360) // 45)


def facing(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if not ctx.visible[0]:
        return None
    o = ctx.spec.objects[0]
    answer = FACINGS[_facing(ctx.spec)]
    steps = [f"The {o.shape}'s front points {answer}."]
    return QA.build(
        program="facing",
        question=f"Which way is the {o.shape} facing?",
        answer=answer,
        answer_type="choice",
        steps=steps,
        params={},
        skills=["3d", "orientation", "viewpoint"],
        difficulty=2,
        choices=FACINGS,
    )


def elevation(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    el = ctx.spec.camera.elevation_deg
    answer = "from above" if el >= 30 else ("at eye level" if el >= 0 else "from below")
    o = ctx.spec.objects[0]
    return QA.build(
        program="elevation",
        question=f"Is the {o.shape} seen from above, at eye level or from below?",
        answer=answer,
        answer_type="choice",
        steps=[f"The camera is {el:g} degrees above the table."],
        params={},
        skills=["3d", "viewpoint"],
        difficulty=1,
        choices=("from above", "at eye level", "from below"),
    )


def shot(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    d = ctx.spec.camera.distance_m
    answer = "close-up" if d < 5 else ("medium shot" if d < 9 else "long shot")
    return QA.build(
        program="shot",
        question="Is this a close-up, a medium shot or a long shot?",
        answer=answer,
        answer_type="choice",
        steps=[f"The camera is {d:g} m from the object."],
        params={},
        skills=["3d", "viewpoint"],
        difficulty=1,
        choices=("close-up", "medium shot", "long shot"),
    )


def point(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    i = pick_or_none(rng, ctx.subjects())
    if i is None:
        return None
    x, y, w, h = ctx.el[i]["bbox"]
    u, v, _ = ctx.spec.project(ctx.spec.objects[i].centre())
    if not (x <= u <= x + w and y <= v <= y + h):
        u, v = x + w / 2, y + h / 2
    pt = [round(u, 1), round(v, 1)]
    name = ctx.name(i) or "the object"
    return QA.build(
        program="point",
        question=f"Point to {name}.",
        answer=pt,
        answer_type="point",
        steps=[f"{name} is at about ({pt[0]}, {pt[1]}).".capitalize()],
        params={"object": i},
        skills=["grounding", "3d"],
        difficulty=1,
        tolerance={"box": [x, y, w, h]},
    )


def box(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    i = pick_or_none(rng, ctx.subjects())
    if i is None:
        return None
    b = [float(v) for v in ctx.el[i]["bbox"]]
    name = ctx.name(i) or "the object"
    return QA.build(
        program="box",
        question=f"Give the bounding box of {name}.",
        answer=b,
        answer_type="box",
        steps=[f"The visible pixels of {name} span this box."],
        params={"object": i},
        skills=["grounding", "3d"],
        difficulty=2,
    )


TABLETOP: tuple[Program, ...] = (
    count,
    exist,
    query,
    compare_attr,
    relate,
    count_relation,
    relate_query,
    compare_count,
    hidden,
    occluder,
    box,
)
VIEWPOINT: tuple[Program, ...] = (elevation, shot, box)


def scene_questions(
    spec: SceneSpec, rendered: Any, *, rng: np.random.Generator, k: int = 5
) -> list[QA]:
    ctx = Ctx(spec, rendered.elements)
    if spec.family == "viewpoint":
        qa = ask(ctx, rng, (facing, point), VIEWPOINT, k)
    else:
        qa = ask(ctx, rng, (point,), TABLETOP, k)
    area = rendered.width * rendered.height
    return [dataclasses.replace(q, difficulty=calibrated(ctx, q, area)) for q in qa]


#: an object showing less than this share of the image's pixels is small in it
SMALL_OBJECT = 0.004
#: a question that checks every object of a scene of more than this many is harder
MANY_OBJECTS = 5
#: a relation decided by less than this many times its margin is a close call
CLOSE_CALL = 2.0
#: programs that check every object in the scene
SCANS = frozenset({"count", "exist", "compare_count", "count_relation", "relate_query"})


def named(q: QA) -> list[int]:
    """The objects ``q`` names or answers with (its params that are object indices)."""
    keys = ("object", "a", "b", "anchor", "occluder")
    return [v for k, v in q.params.items() if k in keys and isinstance(v, int)]


def closest_call(ctx: Ctx, q: QA) -> float | None:
    """How many margins apart the closest pair a spatial question compares lies along its
    axis (None: it compares no positions)."""
    rel = q.params.get("relation", "left of" if q.program == "count_relation" else None)
    if rel is None:
        return None
    if q.program == "relate":
        pairs = [(q.params["a"], q.params["b"])]
    else:
        j = q.params["anchor" if q.program == "relate_query" else "object"]
        pairs = [(k, j) for k in range(len(ctx.spec.objects)) if k != j]
    axis, margin = (0, LR_MARGIN_M) if rel in ("left of", "right of") else (1, FB_MARGIN_M)
    gaps = [
        abs(ctx.spec.camera_coords(a)[axis] - ctx.spec.camera_coords(b)[axis]) for a, b in pairs
    ]
    return min(gaps) / margin


def calibrated(ctx: Ctx, q: QA, area: int) -> int:
    """A scene question's difficulty from what makes it hard to answer from the image: 1,
    plus one for a chain of three steps or more, one for checking every object of a scene
    of more than MANY_OBJECTS, one for a relation decided by less than CLOSE_CALL margins,
    one when an object it names is small (under SMALL_OBJECT of the image) and one when an
    object it names is partly hidden (HIDDEN_MIN of its outline or more)."""
    objs = [ctx.el.get(i, {}) for i in named(q)]
    call = closest_call(ctx, q)
    return (
        1
        + (chain(q) >= 3)
        + (q.program in SCANS and len(ctx.spec.objects) > MANY_OBJECTS)
        + (call is not None and call < CLOSE_CALL)
        + any(e.get("visible_px", 0) < SMALL_OBJECT * area for e in objs)
        + any(e.get("occluded", 0.0) >= HIDDEN_MIN for e in objs)
    )
