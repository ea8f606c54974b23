"""Geometry question programs, answer first, from what the figure writes and marks.

Every answer follows from the figure's own statements (a written length or angle, tick marks
on equal halves, a right-angle mark), not from coordinates it does not show: a half of a
marked segment, the third angle of a triangle with two written, an area from a written base
and its marked height, a perimeter, whether an angle is right (yes: a marked right angle;
no: an angle at least 15 degrees off, at a constructed point or at a vertex of a right
triangle, so that the letters say nothing), the centre of a drawn circle and the midpoint of a
side (multiple choice among the labelled points), counting the labelled points, pointing.
Difficulty is measured: 1, +1 for a chain of three steps or more, +1 for a figure of more
than 6 points, +1 when it is turned.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from synth.qa_synth._phrasing import phrase
from synth.qa_synth._programs import ask, chain, pick_or_none, point_qa
from synth.record import QA, Element

if TYPE_CHECKING:
    from synth.generators.geometry import GeometrySpec

Program = Callable[["Ctx", np.random.Generator], "QA | None"]
#: a "no" for "is it a right angle" is at least this many degrees off 90
NOT_RIGHT = 15.0
#: a figure of more points than this is harder to read
MANY_POINTS = 6


class Ctx:
    def __init__(self, spec: GeometrySpec, elements: Sequence[Element]) -> None:
        self.spec = spec
        self.pts = spec.points()
        self.written = {frozenset((p, q)): v for p, q, v in spec.lengths}
        self.dots = {
            str(e.get("ref", "")).split("|")[0]: e for e in elements if e["role"] == "point"
        }

    def length(self, p: str, q: str) -> float | None:
        return self.written.get(frozenset((p, q)))

    def labels(self) -> list[str]:
        return list(self.pts)


def _q(key: str, rng: np.random.Generator, **kw: Any) -> str:
    return phrase("geometry_questions", key, rng, **kw)


def _num(v: float) -> float | int:
    r = round(v, 3)
    return int(r) if r == int(r) else r


def _say(v: float) -> str:
    return f"{_num(v):g}" if isinstance(_num(v), float) else str(_num(v))


#: the share of third-angle questions asked as multiple choice, with the answers of
#: plausible mistakes (the two given angles added, a supplement) as the wrong options
CHOICE_SHARE = 0.3
#: the share of questions that state their givens in words ("text-dominant"); the others
#: leave them to the figure ("vision-dominant"), which ``params["dominant"]`` records
TEXT_DOMINANT = 0.3


def _worded(rng: np.random.Generator, question: str, givens: str) -> tuple[str, str]:
    """The question, with its givens stated first in a share of TEXT_DOMINANT, and which
    kind it is."""
    if rng.random() < TEXT_DOMINANT:
        return f"In the figure, {givens}. {question}", "text"
    return question, "vision"


def _right_vertex(ctx: Ctx) -> str | None:
    """The vertex of the triangle whose angle is marked right, if one is."""
    return next((v for _, v, _ in ctx.spec.right if v in "ABC"), None)


def half_segment(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    cands = []
    for s in ctx.spec.made_by("midpoint"):
        a, b = s.args
        whole = ctx.length(a, b)
        if whole is not None:
            cands.append((s.name, a, b, whole))
    hit = pick_or_none(rng, cands)
    if hit is None:
        return None
    m, a, b, whole = hit
    part = f"{a}{m}" if rng.random() < 0.5 else f"{m}{b}"
    answer = whole / 2
    steps = [
        f"The tick marks show {a}{m} = {m}{b}, so {m} is the midpoint of {a}{b}.",
        f"{a}{b} = {_say(whole)}.",
        f"{part} = {_say(whole)} ÷ 2 = {_say(answer)}.",
    ]
    question, dominant = _worded(
        rng, _q("half_segment", rng, part=part), f"{a}{m} = {m}{b} and {a}{b} = {_say(whole)}"
    )
    return QA.build(
        program="half_segment",
        question=question,
        answer=_num(answer),
        answer_type="number",
        steps=steps,
        params={"midpoint": m, "segment": [a, b], "part": part, "dominant": dominant},
        skills=["geometry", "midpoint", "arithmetic"],
        difficulty=1,
    )


def third_angle(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """Two of the triangle's angles are known (written, or a right one marked): the third,
    by the angle sum."""
    names = {"A": ("B", "A", "C"), "B": ("A", "B", "C"), "C": ("A", "C", "B")}
    known = {v: d for _, v, _, d in ctx.spec.angles if v in names}
    steps = []
    right = _right_vertex(ctx)
    if right is not None and right not in known:
        known[right] = 90
        steps.append(f"The square mark shows angle {right} = 90°.")
    if len(known) != 2:
        return None
    (u, du), (w, dw) = sorted(known.items())
    asked = next(v for v in "ABC" if v not in known)
    answer = 180 - du - dw
    said = [f"angle {v} = {d}°" for v, d in sorted(known.items()) if v != right]
    steps += [
        f"The figure gives {' and '.join(said)}.",
        "The angles of a triangle add up to 180°.",
        f"Angle {asked} = 180° - {du}° - {dw}° = {answer}°.",
    ]
    p, v, q = names[asked]
    angle = f"{p}{v}{q}" if rng.random() < 0.5 else f"{q}{v}{p}"
    givens = " and ".join(f"angle {x} = {d}°" for x, d in sorted(known.items()))
    question, dominant = _worded(rng, _q("third_angle", rng, angle=angle), givens)
    params = {"known": dict(sorted(known.items())), "asked": asked, "dominant": dominant}
    if rng.random() < CHOICE_SHARE:  # the options are the answers of plausible mistakes
        mistakes = [du + dw, 180 - du, 180 - dw, 90 - min(du, dw), answer + 10]
        wrong = list(dict.fromkeys(m for m in mistakes if 0 < m < 180 and m != answer))[:3]
        opts = [f"{x}°" for x in (answer, *wrong)]
        choices = _shuffled(rng, opts)
        return QA.build(program="third_angle", question=question, answer=f"{answer}°",
                        answer_type="choice", steps=steps, params=params,
                        skills=["geometry", "angle-sum", "arithmetic"], difficulty=1,
                        choices=choices)  # fmt: skip
    return QA.build(
        program="third_angle",
        question=question,
        answer=answer,
        answer_type="number",
        steps=steps,
        params=params,
        skills=["geometry", "angle-sum", "arithmetic"],
        difficulty=1,
    )


def pythagoras(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """A right triangle with two sides written: the third, by Pythagoras (to 2 decimals)."""
    v = _right_vertex(ctx)
    if v is None:
        return None
    p, q = (x for x in "ABC" if x != v)
    legs = [ctx.length(v, p), ctx.length(v, q)]
    hyp = ctx.length(p, q)
    if hyp is None and None not in legs:
        a, b = (float(x) for x in legs if x is not None)
        square = a * a + b * b
        answer, part = round(math.sqrt(square), 2), f"{p}{q}"
        sum_ = f"{p}{q}² = {v}{p}² + {v}{q}² = {_say(a)}² + {_say(b)}² = {_say(square)}"
        givens = f"{v}{p} = {_say(a)} and {v}{q} = {_say(b)}"
    elif hyp is not None and legs.count(None) == 1:
        known, missing = (p, q) if legs[0] is not None else (q, p)
        leg = float(legs[0] if legs[0] is not None else legs[1])  # type: ignore[arg-type]
        square = hyp * hyp - leg * leg
        if square <= 0:
            return None
        answer, part = round(math.sqrt(square), 2), f"{v}{missing}"
        sum_ = (
            f"{v}{missing}² = {p}{q}² - {v}{known}² = {_say(hyp)}² - {_say(leg)}² = {_say(square)}"
        )
        givens = f"{p}{q} = {_say(hyp)} and {v}{known} = {_say(leg)}"
    else:
        return None
    steps = [
        f"The square mark shows that angle {v} is right, so {p}{q} is the hypotenuse.",
        f"By Pythagoras, {sum_}.",
        f"{part} = √{_say(square)} ≈ {_say(answer)}.",
    ]
    question, dominant = _worded(
        rng, _q("pythagoras", rng, part=part), f"angle {v} = 90°, {givens}"
    )
    return QA.build(
        program="pythagoras",
        question=question,
        answer=answer,
        answer_type="number",
        steps=steps,
        params={"right": v, "part": part, "dominant": dominant},
        skills=["geometry", "pythagoras", "multi-hop"],
        difficulty=1,
        tolerance=0.01,
    )


def radius(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """A drawn radius is written: the distance from the centre to another point of the
    circumcircle, or from the incircle's centre to another side (radii are equal)."""
    if len(ctx.spec.circles) != 1:
        return None
    centre, on = ctx.spec.circles[0]
    r = ctx.length(centre, on)
    if r is None:
        return None
    op = next(s.op for s in ctx.spec.steps if s.name == centre)
    if op == "circumcenter":
        x = str(pick_or_none(rng, [v for v in "ABC" if v != on]))
        what, target = f"{centre}{x}", f"the distance from {centre} to {x}"
        steps = [
            f"{on} and {x} both lie on the circle centred at {centre}.",
            "All radii of a circle are equal.",
            f"So {centre}{x} = {centre}{on} = {_say(r)}.",
        ]
    else:
        side = str(pick_or_none(rng, ["BC", "CA"]))
        what, target = side, f"the distance from {centre} to side {side}"
        steps = [
            f"The circle centred at {centre} touches every side of the triangle.",
            f"Its radius {centre}{on} = {_say(r)}, drawn to side AB, is perpendicular to it.",
            f"So {centre} is {_say(r)} from side {side} too.",
        ]
    question, dominant = _worded(rng, _q("radius", rng, target=target), f"{centre}{on} = {_say(r)}")
    return QA.build(
        program="radius",
        question=question,
        answer=_num(r),
        answer_type="number",
        steps=steps,
        params={"circle": [centre, on], "to": what, "dominant": dominant},
        skills=["geometry", "circle", "multi-hop"],
        difficulty=1,
    )


def _height(ctx: Ctx) -> tuple[str, float] | None:
    """The foot of the marked height from C on AB, and its written length."""
    for s in ctx.spec.made_by("foot"):
        if s.args == ("C", "A", "B") and any(v == s.name for _, v, _ in ctx.spec.right):
            h = ctx.length("C", s.name)
            if h is not None:
                return s.name, h
    return None


def area(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    base, height = ctx.length("A", "B"), _height(ctx)
    if base is None or height is None:
        return None
    h, ch = height
    answer = base * ch / 2
    steps = [
        f"C{h} meets AB at a right angle (the mark at {h}), so it is the height on base AB.",
        f"AB = {_say(base)} and C{h} = {_say(ch)}.",
        f"Area = {_say(base)} × {_say(ch)} ÷ 2 = {_say(answer)}.",
    ]
    question, dominant = _worded(
        rng,
        _q("area", rng),
        f"C{h} is perpendicular to AB, AB = {_say(base)} and C{h} = {_say(ch)}",
    )
    return QA.build(
        program="area",
        question=question,
        answer=_num(answer),
        answer_type="number",
        steps=steps,
        params={"base": ["A", "B"], "height": ["C", h], "dominant": dominant},
        skills=["geometry", "area", "multi-hop"],
        difficulty=1,
    )


def perimeter(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    sides = [ctx.length(p, q) for p, q in (("A", "B"), ("B", "C"), ("C", "A"))]
    if any(v is None for v in sides):
        return None
    ab, bc, ca = (float(v) for v in sides if v is not None)
    answer = round(ab + bc + ca, 1)
    steps = [
        f"The sides are AB = {_say(ab)}, BC = {_say(bc)} and CA = {_say(ca)}.",
        f"Perimeter = {_say(ab)} + {_say(bc)} + {_say(ca)} = {_say(answer)}.",
    ]
    return QA.build(
        program="perimeter",
        question=_q("perimeter", rng),
        answer=_num(answer),
        answer_type="number",
        steps=steps,
        params={},
        skills=["geometry", "perimeter", "arithmetic"],
        difficulty=1,
    )


def _not_right(ctx: Ctx) -> list[tuple[str, str, str]]:
    """Angles between drawn lines at least NOT_RIGHT degrees off 90 at a point a
    construction made (its letter tells nothing), or at a vertex of a triangle that has a
    right angle (at a vertex drawn per figure)."""
    marked = {r[1] for r in ctx.spec.right}
    vertex = [("B", "A", "C"), ("A", "B", "C"), ("A", "C", "B")]
    angles = vertex if marked & {"A", "B", "C"} else []
    angles += [(p, s.name, q) for s in ctx.spec.steps if s.op != "free"
               for p, q in (("A", "B"), ("A", "C"), ("B", "C")) if s.name not in (p, q)]  # fmt: skip
    return [
        (a, v, b)
        for a, v, b in angles
        if v not in marked
        and not ctx.spec.collinear(a, v, b)  # a straight angle is no question
        and _drawn(ctx, a, v)
        and _drawn(ctx, b, v)
        and abs(ctx.spec.angle(a, v, b) - 90) >= NOT_RIGHT
    ]


def right_angle(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    """Asked only where both answers can be: a right angle is marked and another angle is
    clearly not right (:func:`_not_right`); yes and no at even odds."""
    no = _not_right(ctx)
    if not ctx.spec.right or not no:
        return None
    want = bool(rng.random() < 0.5)
    if want:
        a, v, b = ctx.spec.right[int(rng.integers(len(ctx.spec.right)))]
        steps = [f"The square mark at {v} shows that angle {a}{v}{b} is a right angle."]
    else:
        a, v, b = no[int(rng.integers(len(no)))]
        steps = [f"No mark is at {v}, and angle {a}{v}{b} is clearly not 90°."]
    return QA.build(
        program="right_angle",
        question=_q("right_angle", rng, angle=f"{a}{v}{b}"),
        answer=want,
        answer_type="bool",
        steps=steps,
        params={"angle": [a, v, b]},
        skills=["geometry", "angle"],
        difficulty=1,
    )


def _drawn(ctx: Ctx, p: str, q: str) -> bool:
    """Segment PQ is drawn (or lies along a drawn one): an angle is asked only between
    drawn lines."""
    for a, b in ctx.spec.segments:
        line = {a, b}
        if {p, q} == line:
            return True
        if p in line or q in line:
            other = (line - {p, q}).pop() if len(line - {p, q}) == 1 else None
            if other is not None and ctx.spec.collinear(p, q, other):
                return True
    return False


def _choices(ctx: Ctx, answer: str, rng: np.random.Generator) -> list[str]:
    others = [p for p in ctx.labels() if p != answer]
    rng.shuffle(others)
    opts = [answer, *others[:3]]
    return _shuffled(rng, opts)


def _shuffled(rng: np.random.Generator, opts: list[str]) -> list[str]:
    """The options in an order drawn by ``rng`` (the answer's place tells nothing)."""
    return [opts[int(i)] for i in rng.permutation(len(opts))]


def circle_centre(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    if len(ctx.spec.circles) != 1:
        return None
    centre, on = ctx.spec.circles[0]
    steps = [f"Every point of the circle lies the same distance from {centre}."]
    return QA.build(
        program="circle_centre",
        question=_q("circle_centre", rng),
        answer=centre,
        answer_type="choice",
        steps=steps,
        params={"circle": [centre, on]},
        skills=["geometry", "circle"],
        difficulty=1,
        choices=_choices(ctx, centre, rng),
    )


def midpoint_of(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    s = pick_or_none(rng, ctx.spec.made_by("midpoint"))
    if s is None:
        return None
    a, b = s.args
    steps = [f"The tick marks show {a}{s.name} = {s.name}{b}."]
    return QA.build(
        program="midpoint_of",
        question=_q("midpoint_of", rng, segment=f"{a}{b}"),
        answer=s.name,
        answer_type="choice",
        steps=steps,
        params={"segment": [a, b]},
        skills=["geometry", "midpoint"],
        difficulty=1,
        choices=_choices(ctx, s.name, rng),
    )


def count_points(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    n = len(ctx.pts)
    return QA.build(
        program="count_points",
        question=_q("count_points", rng),
        answer=n,
        answer_type="number",
        steps=[f"The labelled points are {', '.join(ctx.labels())}: {n}."],
        params={},
        skills=["counting", "geometry"],
        difficulty=1,
    )


def point(ctx: Ctx, rng: np.random.Generator) -> QA | None:
    name = pick_or_none(rng, [p for p in ctx.labels() if p in ctx.dots])
    if name is None:
        return None
    what = f"point {name}"
    return point_qa(_q("point", rng, target=what), what, ctx.dots[name]["bbox"],
                    {"point": name}, ["grounding", "geometry"])  # fmt: skip


POOL: tuple[Program, ...] = (
    half_segment,
    third_angle,
    pythagoras,
    radius,
    area,
    perimeter,
    right_angle,
    circle_centre,
    midpoint_of,
    count_points,
)


def calibrated(spec: GeometrySpec, q: QA) -> int:
    """1, +1 for a chain of three steps or more, +1 for a figure of more than MANY_POINTS
    points, +1 when the figure is turned."""
    return 1 + (chain(q) >= 3) + (len(spec.steps) > MANY_POINTS) + (spec.style.rotate_deg != 0.0)


def geometry_questions(
    spec: GeometrySpec, rendered: Any, *, rng: np.random.Generator, k: int = 4
) -> list[QA]:
    """Pointing, plus ``k`` drawn from the programs that can ask."""
    ctx = Ctx(spec, list(rendered.elements))
    return [
        dataclasses.replace(q, difficulty=calibrated(spec, q))
        for q in ask(ctx, rng, (point,), POOL, k)
    ]
