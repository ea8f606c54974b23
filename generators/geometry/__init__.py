"""Geometry domain: triangle constructions drawn by Matplotlib, with problems built answer
first from the construction.

A spec is a construction (:class:`Step`): three free points, then steps such as a
midpoint, the foot of a perpendicular, the centroid, the circumcentre or the incentre, a
point on a segment at a ratio, a reflection, the meeting point of two lines. Coordinates
follow from the steps (:meth:`GeometrySpec.points`); a figure whose points crowd, whose
angles are tiny or whose lines meet at a glancing angle is drawn again. What the figure
states is part of the spec: lengths written on segments, angles written in arcs, right-angle
marks, tick marks on equal halves. Questions (``synth.qa_synth.geometry``) are computed from
what is written, so every answer follows from the picture: a half of a marked segment, the
third angle of a triangle, an area from a base and its height, a perimeter, whether an
angle is right, the centre of a drawn circle, counting, pointing.

    synth generate --domain geometry --n 1000 --out data/geometry
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from synth._errors import SpecError
from synth.generators._common import pick, plain
from synth.pack import Code, DomainPack, OptionKind, Sample, read_options
from synth.personas import sample_persona
from synth.record import QA, Rendered

__all__ = ["DOMAIN", "GeometryDomain", "GeometryGenerator", "GeometrySpec", "Step", "emit_script"]

VERSION = "1"
LANGUAGE = "python-matplotlib"
OPS = (
    "free",
    "midpoint",
    "foot",
    "centroid",
    "circumcenter",
    "incenter",
    "on_segment",
    "reflect",
    "intersect",
)
#: a figure whose points lie closer than this share of its size is drawn again
MIN_GAP = 0.08
#: no angle of the triangle under this many degrees
MIN_ANGLE = 25.0
#: two lines meant to meet must cross at more than this many degrees
MIN_CROSSING = 20.0
THEMES = ("textbook", "colour", "grid", "blueprint")
FONTS = ("DejaVu Sans", "DejaVu Serif", "Liberation Sans", "Liberation Serif")

Point = tuple[float, float]


@dataclasses.dataclass(frozen=True)
class Step:
    """One construction step: point ``name`` is ``op`` of the points ``args`` (``value``: a
    free point's coordinates are ``x, y``; ``on_segment``'s ratio from the first point)."""

    op: str
    name: str
    args: tuple[str, ...] = ()
    value: float = 0.0
    x: float = 0.0
    y: float = 0.0


@dataclasses.dataclass(frozen=True)
class GeometryStyle:
    theme: str
    font_family: str
    font_px: int
    line_width: float
    rotate_deg: float  # the whole figure turned by this much
    profile: str


@dataclasses.dataclass(frozen=True)
class GeometrySpec:
    """A construction and what its figure states. ``lengths``: ``(P, Q, value)`` written on
    segment PQ; ``angles``: ``(P, V, Q, degrees)`` written in the arc at V; ``right``:
    ``(P, V, Q)`` marked as right angles; ``ticks``: pairs of segments marked equal;
    ``segments`` and ``circles`` (centre, a point on it) are drawn."""

    kind: str
    steps: tuple[Step, ...]
    segments: tuple[tuple[str, str], ...]
    circles: tuple[tuple[str, str], ...]
    lengths: tuple[tuple[str, str, float], ...]
    angles: tuple[tuple[str, str, str, int], ...]
    right: tuple[tuple[str, str, str], ...]
    ticks: tuple[tuple[tuple[str, str], tuple[str, str]], ...]
    style: GeometryStyle

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if len(set(names)) != len(names):
            raise SpecError(f"geometry: point names repeat: {names}")
        seen: set[str] = set()
        for s in self.steps:
            if s.op not in OPS:
                raise SpecError(f"geometry: unknown step {s.op!r}; one of {OPS}")
            if not set(s.args) <= seen:
                raise SpecError(f"geometry: step {s.name} uses points not yet made: {s.args}")
            seen.add(s.name)
        used = {p for seg in self.segments for p in seg} | {p for c in self.circles for p in c}
        if not used <= seen:
            raise SpecError(f"geometry: the figure draws unknown points {sorted(used - seen)}")

    @property
    def family(self) -> str:
        return self.kind

    @functools.cached_property
    def _solved(self) -> dict[str, Point]:
        """The construction solved once (a frozen spec never changes)."""
        pts: dict[str, Point] = {}
        for s in self.steps:
            pts[s.name] = solve(s, pts)
        return pts

    def points(self) -> dict[str, Point]:
        """Every point's coordinates, step by step (a copy: the caller may change it)."""
        return dict(self._solved)

    def angle(self, p: str, v: str, q: str) -> float:
        """The angle PVQ of the drawing, in degrees."""
        pts = self._solved
        return angle_at(pts[p], pts[v], pts[q])

    def collinear(self, p: str, q: str, r: str) -> bool:
        """Points P, Q, R lie on one line (to a millionth of the figure)."""
        pts = self._solved
        u, w = _sub(pts[q], pts[p]), _sub(pts[r], pts[p])
        return abs(_cross(u, w)) <= 1e-6 * max(_dot(u, u), _dot(w, w), 1.0)

    def made_by(self, op: str) -> list[Step]:
        return [s for s in self.steps if s.op == op]

    def caption(self) -> str:
        """The whole figure in words, every statement true of it (a caption target)."""
        out = ["Triangle ABC."]
        for s in self.steps:
            a = s.args
            if s.op == "midpoint":
                out.append(f"{s.name} is the midpoint of {a[0]}{a[1]}.")
            elif s.op == "foot" and a[0] == "C":
                out.append(f"{s.name} is the foot of the perpendicular from C to AB.")
            elif s.op == "centroid":
                out.append(f"{s.name} is the centroid, joined to A, B and C.")
            elif s.op == "circumcenter":
                out.append(f"The circle centred at {s.name} passes through A, B and C.")
            elif s.op == "incenter":
                out.append(f"The circle centred at {s.name} touches all three sides.")
            elif s.op == "foot":
                out.append(f"It touches AB at {s.name}.")
        out += [f"{p}{v}{q} is a right angle." for p, v, q in self.right]
        out += [f"{p}{q} = {v:g}." for p, q, v in self.lengths]
        out += [f"Angle {p}{v}{q} = {d}°." for p, v, q, d in self.angles]
        return " ".join(out)

    def to_json(self) -> dict[str, Any]:
        return plain(dataclasses.asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GeometrySpec:
        d = dict(data)
        d["steps"] = tuple(Step(**{**s, "args": tuple(s["args"])}) for s in d["steps"])
        d["segments"] = tuple(tuple(s) for s in d["segments"])
        d["circles"] = tuple(tuple(c) for c in d["circles"])
        d["lengths"] = tuple(tuple(v) for v in d["lengths"])
        d["angles"] = tuple(tuple(v) for v in d["angles"])
        d["right"] = tuple(tuple(v) for v in d["right"])
        d["ticks"] = tuple((tuple(a), tuple(b)) for a, b in d["ticks"])
        d["style"] = GeometryStyle(**d["style"])
        return cls(**d)


# -- the construction --------------------------------------------------------------------


def _sub(a: Point, b: Point) -> Point:
    return (a[0] - b[0], a[1] - b[1])


def _cross(a: Point, b: Point) -> float:
    return a[0] * b[1] - a[1] * b[0]


def _dot(a: Point, b: Point) -> float:
    return a[0] * b[0] + a[1] * b[1]


def dist(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def angle_at(p: Point, v: Point, q: Point) -> float:
    """The angle PVQ in degrees."""
    a, b = _sub(p, v), _sub(q, v)
    return math.degrees(math.atan2(abs(_cross(a, b)), _dot(a, b)))


def foot(p: Point, a: Point, b: Point) -> Point:
    ab = _sub(b, a)
    t = _dot(_sub(p, a), ab) / _dot(ab, ab)
    return (a[0] + t * ab[0], a[1] + t * ab[1])


def meet(a: Point, b: Point, c: Point, d: Point) -> Point:
    """Where line AB meets line CD (SpecError when they are near parallel)."""
    r, s = _sub(b, a), _sub(d, c)
    denom = _cross(r, s)
    if abs(denom) < 1e-9 * (1 + abs(_dot(r, r))) or _crossing(r, s) < MIN_CROSSING:
        raise SpecError("geometry: the lines meet at too glancing an angle")
    t = _cross(_sub(c, a), s) / denom
    return (a[0] + t * r[0], a[1] + t * r[1])


def _crossing(r: Point, s: Point) -> float:
    ang = math.degrees(math.atan2(abs(_cross(r, s)), _dot(r, s)))
    return min(ang, 180 - ang)


def solve(s: Step, pts: Mapping[str, Point]) -> Point:
    """The coordinates of the point step ``s`` makes from the points already made."""
    p = [pts[a] for a in s.args]
    if s.op == "free":
        return (s.x, s.y)
    if s.op == "midpoint":
        return ((p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2)
    if s.op == "on_segment":
        t = s.value
        return (p[0][0] + t * (p[1][0] - p[0][0]), p[0][1] + t * (p[1][1] - p[0][1]))
    if s.op == "foot":
        return foot(p[0], p[1], p[2])
    if s.op == "centroid":
        return (sum(q[0] for q in p) / 3, sum(q[1] for q in p) / 3)
    if s.op == "reflect":
        f = foot(p[0], p[1], p[2])
        return (2 * f[0] - p[0][0], 2 * f[1] - p[0][1])
    if s.op == "intersect":
        return meet(p[0], p[1], p[2], p[3])
    a, b, c = p
    if s.op == "circumcenter":
        d = 2 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]))
        ux = sum(_dot(q, q) * (r[1] - t[1]) for q, r, t in ((a, b, c), (b, c, a), (c, a, b)))
        uy = sum(_dot(q, q) * (t[0] - r[0]) for q, r, t in ((a, b, c), (b, c, a), (c, a, b)))
        return (ux / d, uy / d)
    # incenter: the sides' lengths weigh the opposite vertices
    la, lb, lc = dist(b, c), dist(c, a), dist(a, b)
    w = la + lb + lc
    return ((la * a[0] + lb * b[0] + lc * c[0]) / w, (la * a[1] + lb * b[1] + lc * c[1]) / w)


# -- sampling -----------------------------------------------------------------------------

#: what may be built on triangle ABC, and what its figure then states
CONSTRUCTIONS = ("midpoint", "altitude", "centroid", "circumcircle", "incircle", "angles")


#: the share of triangles with a right angle (marked), at a vertex drawn per figure
RIGHT_SHARE = 0.3
#: letters for the points a construction makes, drawn per figure: a convention (M for a
#: midpoint, O for a centre) would answer "which point is the midpoint" without a look
LETTERS = "DEFKLMNPQRSTUVWXYZ"


def _triangle(rng: np.random.Generator, right: str) -> tuple[Point, Point, Point]:
    """A triangle on a 0-10 frame, no angle under MIN_ANGLE, and no angle within 15 degrees
    of right unless ``right`` names the vertex whose angle is exactly right (its two sides
    along perpendicular directions)."""
    while True:
        if right:
            v = (float(rng.uniform(3.5, 6.5)), float(rng.uniform(5.5, 7.5)))
            phi = math.radians(float(rng.uniform(200, 250)))  # one side points down and left
            ka, kb = float(rng.uniform(4, 8)), float(rng.uniform(4, 8))
            p = (v[0] + ka * math.cos(phi), v[1] + ka * math.sin(phi))
            q = (v[0] + kb * math.sin(phi), v[1] - kb * math.cos(phi))
            a, b, c = {"A": (v, p, q), "B": (p, v, q), "C": (p, q, v)}[right]
        else:
            a = (round(float(rng.uniform(0, 2)), 2), round(float(rng.uniform(0, 1.5)), 2))
            b = (round(float(rng.uniform(7, 10)), 2), round(float(rng.uniform(0, 1.5)), 2))
            c = (round(float(rng.uniform(1.5, 8.5)), 2), round(float(rng.uniform(4.5, 8)), 2))
        angles = (angle_at(b, a, c), angle_at(a, b, c), angle_at(a, c, b))
        if min(angles) >= MIN_ANGLE and (right or max(angles) <= 90 - 15 or max(angles) >= 105):
            return a, b, c


def _len1(a: Point, b: Point) -> float:
    """A length as the figure writes it: one decimal."""
    return round(dist(a, b), 1)


def sample_geometry(rng: np.random.Generator, most: int = 3) -> tuple[GeometrySpec, dict[str, Any]]:
    """A figure of 1 to ``most`` constructions on a triangle, and the persona record."""
    persona = sample_persona(rng)
    for _ in range(50):
        spec = _draw(rng, persona.style, most)
        if spec is not None:
            return spec, persona.to_json()
    raise SpecError("geometry: no figure without crowded points in 50 draws")


def _draw(rng: np.random.Generator, profile: str, most: int = 3) -> GeometrySpec | None:
    is_right = bool(rng.random() < RIGHT_SHARE)
    at = str(pick(rng, ("A", "B", "C"))) if is_right else ""
    a, b, c = _triangle(rng, at)
    steps = [Step("free", "A", x=a[0], y=a[1]), Step("free", "B", x=b[0], y=b[1])]
    steps.append(Step("free", "C", x=c[0], y=c[1]))
    k = int(rng.integers(1, most + 1))
    chosen = sorted(int(i) for i in rng.choice(len(CONSTRUCTIONS), size=k, replace=False))
    made = [CONSTRUCTIONS[i] for i in chosen]
    if "angles" in made and "centroid" in made:
        made.remove("angles")  # a centroid's lines from A and B cross the arcs
    letters = iter(str(x) for x in rng.permutation(list(LETTERS)))
    segments = [("A", "B"), ("B", "C"), ("C", "A")]
    circles: list[tuple[str, str]] = []
    angles: list[tuple[str, str, str, int]] = []
    sides = {"A": ("B", "A", "C"), "B": ("A", "B", "C"), "C": ("A", "C", "B")}
    right: list[tuple[str, str, str]] = [sides[at]] if is_right else []
    ticks: list[tuple[tuple[str, str], tuple[str, str]]] = []
    for what in made:
        if what == "midpoint":
            m = next(letters)
            steps.append(Step("midpoint", m, ("A", "B")))
            ticks.append(((("A", m)), (m, "B")))
            segments.append(("C", m))
        elif what == "altitude":
            h = next(letters)
            steps.append(Step("foot", h, ("C", "A", "B")))
            segments.append(("C", h))
            f = foot(c, a, b)  # the mark goes on the longer part of the base
            right.append(("A", h, "C") if dist(f, a) >= dist(f, b) else ("B", h, "C"))
        elif what == "centroid":
            g = next(letters)
            steps.append(Step("centroid", g, ("A", "B", "C")))
            segments += [("A", g), ("B", g), ("C", g)]
        elif what == "circumcircle":  # with one radius drawn (its length is written)
            o = next(letters)
            steps.append(Step("circumcenter", o, ("A", "B", "C")))
            on = str(pick(rng, ("A", "B", "C")))
            circles.append((o, on))
            segments.append((o, on))
        elif what == "incircle":  # with the radius to where it touches AB
            i = next(letters)
            steps.append(Step("incenter", i, ("A", "B", "C")))
            steps.append(Step("foot", next(letters), (i, "A", "B")))
            circles.append((i, steps[-1].name))
            segments.append((i, steps[-1].name))
        else:  # two of the triangle's angles known (a right one is marked), the third asked
            xyz = {"A": (b, a, c), "B": (a, b, c), "C": (a, c, b)}
            names = {"A": ("B", "A", "C"), "B": ("A", "B", "C"), "C": ("A", "C", "B")}
            acute = [v for v in "ABC" if v != at]
            written = [str(pick(rng, acute))] if is_right else ["A", "B"]
            for v in written:
                angles.append((*names[v], round(angle_at(*xyz[v]))))
    try:
        spec = GeometrySpec(
            kind=_kind(made),
            steps=tuple(steps),
            segments=tuple(segments),
            circles=tuple(circles),
            lengths=(),
            angles=tuple(angles),
            right=tuple(right),
            ticks=tuple(ticks),
            style=_style(rng, profile),
        )
        pts = spec.points()
    except SpecError:
        return None
    if not _spread(pts, spec):
        return None
    lengths = _lengths(spec, pts, rng)
    return dataclasses.replace(spec, lengths=tuple(lengths))


def _kind(made: list[str]) -> str:
    return "triangle_" + "_".join(made)


def _lengths(
    spec: GeometrySpec, pts: Mapping[str, Point], rng: np.random.Generator
) -> list[tuple[str, str, float]]:
    """What the figure writes on its segments. A right triangle: two of its three sides
    (the third is asked). Another: AB always, the other two half the time, or always when
    no angle is written (so a perimeter can be asked). An altitude's length, and each drawn
    radius's."""
    sides = [("A", "B"), ("B", "C"), ("C", "A")]
    if any(v in "ABC" for _, v, _ in spec.right):
        left_out = sides[int(rng.integers(3))]
        out = [(p, q, _len1(pts[p], pts[q])) for p, q in sides if (p, q) != left_out]
    else:
        out = [("A", "B", _len1(pts["A"], pts["B"]))]
        if not spec.angles or rng.random() < 0.5:
            out += [(p, q, _len1(pts[p], pts[q])) for p, q in sides[1:]]
    for s in spec.made_by("foot"):
        if s.args[0] == "C":
            out.append(("C", s.name, _len1(pts["C"], pts[s.name])))
    for centre, on in spec.circles:
        out.append((centre, on, _len1(pts[centre], pts[on])))
    return out


def _spread(pts: Mapping[str, Point], spec: GeometrySpec) -> bool:
    """No two points closer than MIN_GAP of the figure's size; a foot lies on its side
    (between A and B, away from both)."""
    xs = [p[0] for p in pts.values()]
    ys = [p[1] for p in pts.values()]
    size = max(max(xs) - min(xs), max(ys) - min(ys))
    names = list(pts)
    for i, p in enumerate(names):
        for q in names[:i]:
            if dist(pts[p], pts[q]) < MIN_GAP * size:
                return False
    for s in spec.made_by("foot"):
        a, b = pts[s.args[1]], pts[s.args[2]]
        t = _dot(_sub(pts[s.name], a), _sub(b, a)) / _dot(_sub(b, a), _sub(b, a))
        if not 0.15 <= t <= 0.85:
            return False
    return True


def _style(rng: np.random.Generator, profile: str) -> GeometryStyle:
    return GeometryStyle(
        theme=str(pick(rng, THEMES)),
        font_family=str(pick(rng, FONTS)),
        font_px=int(pick(rng, (14, 16, 18))),
        line_width=float(pick(rng, (1.5, 2.0, 2.5))),
        rotate_deg=float(round(rng.uniform(-25, 25), 1)) if rng.random() < 0.3 else 0.0,
        profile=profile,
    )


# -- the figure ---------------------------------------------------------------------------

SIZE_PX = 640
PALETTES = {
    "textbook": ("#000000", "#ffffff", "#000000", "#000000"),
    "colour": ("#1f3b73", "#ffffff", "#c0392b", "#117a65"),
    "grid": ("#000000", "#ffffff", "#1f4e9c", "#000000"),
    "blueprint": ("#ffffff", "#123a6b", "#ffd166", "#ffffff"),
}


def emit_script(spec: GeometrySpec) -> str:
    """A standalone Matplotlib script that draws ``spec``: ``draw(target, inspect)`` as the
    chart scripts have, every label and mark tagged (gid) for the render facts."""
    st = spec.style
    pts = spec.points()
    turn = math.radians(st.rotate_deg)
    shown = {
        k: (round(x * math.cos(turn) - y * math.sin(turn), 4),
            round(x * math.sin(turn) + y * math.cos(turn), 4))
        for k, (x, y) in pts.items()
    }  # fmt: skip
    ink, paper, accent, text_ink = PALETTES[st.theme]
    radius = {
        c: round(dist(pts[c], pts[p]), 4) for c, p in spec.circles
    }  # a rotation keeps distances
    data = {
        "points": shown,
        "segments": [list(s) for s in spec.segments],
        "circles": [[c, radius[c]] for c, _ in spec.circles],
        "lengths": [[p, q, _written(spec, pts, p, q, v)] for p, q, v in spec.lengths],
        "angles": [[p, v, q, f"{d}°"] for p, v, q, d in spec.angles],
        "right": [list(r) for r in spec.right],
        "ticks": [[list(a), list(b)] for a, b in spec.ticks],
    }
    return _SCRIPT.format(
        version=VERSION,
        kind=spec.kind,
        data=repr(data),
        ink=ink,
        paper=paper,
        accent=accent,
        text_ink=text_ink,
        grid=st.theme == "grid",
        font=st.font_family,
        font_pt=round(st.font_px * 72 / 100, 2),
        lw=st.line_width,
        size=SIZE_PX / 100,
    )


def _written(spec: GeometrySpec, pts: Mapping[str, Point], p: str, q: str, v: float) -> str:
    """A length as written on its segment: the number alone, or "AB = 6.9" when another
    point lies on the segment (the number alone could be read as a part's)."""
    a, b = pts[p], pts[q]
    inside = [
        k
        for k, x in pts.items()
        if k not in (p, q)
        and abs(_cross(_sub(b, a), _sub(x, a))) < 1e-6 * _dot(_sub(b, a), _sub(b, a))
        and 0 < _dot(_sub(x, a), _sub(b, a)) < _dot(_sub(b, a), _sub(b, a))
    ]
    return f"{p}{q} = {v:g}" if inside else f"{v:g}"


_SCRIPT = '''"""A geometry figure ({kind}), generated by synth geometry@{version}.

Run alone: python this_file.py out.png  (writes the same PNG bytes as the dataset).
"""
import math
import sys

import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Arc, Circle, Polygon

FIGURE = {data}
INK, PAPER, ACCENT, TEXT = "{ink}", "{paper}", "{accent}", "{text_ink}"
SAVE = {{"format": "png", "dpi": 100, "metadata": {{"Software": None}}}}
RC = {{"font.family": "{font}", "font.size": {font_pt}, "svg.hashsalt": "synth"}}


def unit(dx, dy):
    n = math.hypot(dx, dy) or 1.0
    return dx / n, dy / n


def side(dx):
    """Text anchored on the side facing the line it labels, so it grows away from it."""
    return "left" if dx > 0.35 else ("right" if dx < -0.35 else "center")


def rise(dy):
    return "bottom" if dy > 0.35 else ("top" if dy < -0.35 else "center")


def draw(target, inspect=None):
    """Draw the figure, save it to ``target``, return the Figure; ``inspect(fig)`` runs
    after saving."""
    pts = FIGURE["points"]
    xs = [p[0] for p in pts.values()] + [pts[c][0] + s * r for c, r in FIGURE["circles"] for s in (-1, 1)]
    ys = [p[1] for p in pts.values()] + [pts[c][1] + s * r for c, r in FIGURE["circles"] for s in (-1, 1)]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    pad = 0.16 * span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = span / 2 + pad
    centre = (sum(p[0] for p in pts.values()) / len(pts), sum(p[1] for p in pts.values()) / len(pts))
    gap = 0.035 * span
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=({size}, {size}), dpi=100)
        FigureCanvasAgg(fig)
        fig.patch.set_facecolor(PAPER)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_facecolor(PAPER)
        ax.set_xlim(cx - half, cx + half)
        ax.set_ylim(cy - half, cy + half)
        ax.set_aspect("equal")
        if {grid}:
            step = span / 12
            for i in range(-14, 15):
                ax.axvline(cx + i * step, color="#b8cfe8", lw=0.6, zorder=0)
                ax.axhline(cy + i * step, color="#b8cfe8", lw=0.6, zorder=0)
        ax.set_axis_off()
        ax.set_xticks([])
        ax.set_yticks([])
        for p, q in FIGURE["segments"]:
            ax.plot([pts[p][0], pts[q][0]], [pts[p][1], pts[q][1]], color=INK, lw={lw}, zorder=2)
        for c, r in FIGURE["circles"]:
            ax.add_patch(Circle(pts[c], r, fill=False, color=ACCENT, lw={lw}, zorder=2))
        for (a, b), (c, d) in FIGURE["ticks"]:
            for p, q in ((a, b), (c, d)):
                mx, my = (pts[p][0] + pts[q][0]) / 2, (pts[p][1] + pts[q][1]) / 2
                ux, uy = unit(pts[q][0] - pts[p][0], pts[q][1] - pts[p][1])
                t = 0.025 * span
                ax.plot([mx - uy * t, mx + uy * t], [my + ux * t, my - ux * t], color=INK, lw={lw})
        for a, v, b in FIGURE["right"]:
            ua = unit(pts[a][0] - pts[v][0], pts[a][1] - pts[v][1])
            ub = unit(pts[b][0] - pts[v][0], pts[b][1] - pts[v][1])
            s = 0.04 * span
            corner = [pts[v], (pts[v][0] + ua[0] * s, pts[v][1] + ua[1] * s),
                      (pts[v][0] + (ua[0] + ub[0]) * s, pts[v][1] + (ua[1] + ub[1]) * s),
                      (pts[v][0] + ub[0] * s, pts[v][1] + ub[1] * s)]
            ax.add_patch(Polygon(corner, closed=True, fill=False, color=ACCENT, lw=1.2))
        for a, v, b, said in FIGURE["angles"]:
            t1 = math.degrees(math.atan2(pts[a][1] - pts[v][1], pts[a][0] - pts[v][0]))
            t2 = math.degrees(math.atan2(pts[b][1] - pts[v][1], pts[b][0] - pts[v][0]))
            if (t2 - t1) % 360 > 180:
                t1, t2 = t2, t1
            r = 0.09 * span
            ax.add_patch(Arc(pts[v], 2 * r, 2 * r, theta1=t1, theta2=t2, color=ACCENT, lw=1.2))
            mid = math.radians(t1 + ((t2 - t1) % 360) / 2)
            tx, ty = pts[v][0] + 1.9 * r * math.cos(mid), pts[v][1] + 1.9 * r * math.sin(mid)
            ax.text(tx, ty, said, ha="center", va="center", color=TEXT, gid="angle|" + v)
        for p, q, said in FIGURE["lengths"]:
            # along the segment where it is farthest from every point (a foot or a
            # midpoint may sit at its middle)
            spots = [(pts[p][0] + t * (pts[q][0] - pts[p][0]), pts[p][1] + t * (pts[q][1] - pts[p][1]))
                     for t in (0.5, 0.3, 0.7)]
            mx, my = max(spots, key=lambda s: min(math.hypot(s[0] - x, s[1] - y) for x, y in pts.values()))
            ux, uy = unit(pts[q][0] - pts[p][0], pts[q][1] - pts[p][1])
            nx, ny = -uy, ux
            if (mx - centre[0]) * nx + (my - centre[1]) * ny < 0:
                nx, ny = -nx, -ny
            ax.text(mx + nx * gap, my + ny * gap, said, ha=side(nx), va=rise(ny),
                    color=TEXT, gid="length|" + p + "-" + q)
        for name, (x, y) in pts.items():
            ax.plot([x], [y], "o", color=INK, ms=5, zorder=3, gid="point|" + name)
            ux, uy = unit(x - centre[0], y - centre[1])
            ax.text(x + ux * gap, y + uy * gap, name, ha=side(ux), va=rise(uy), color=TEXT,
                    fontweight="bold", gid="label|" + name)
        fig.savefig(target, **SAVE)
        if inspect is not None:
            inspect(fig)
    return fig


if __name__ == "__main__":
    draw(sys.argv[1] if len(sys.argv) > 1 else "figure.png")
'''


@dataclasses.dataclass(frozen=True)
class GeometryGenerator:
    """Draws geometry samples of 1 to ``constructions`` constructions each."""

    constructions: int = 3

    def sample(self, *, rng: np.random.Generator) -> Sample:
        spec, persona = sample_geometry(rng, self.constructions)
        return Sample(
            domain="geometry",
            family=spec.family,
            generator=f"geometry@{VERSION}",
            spec=spec,
            code=Code(LANGUAGE, emit_script(spec)),
            persona=persona,
            topic=spec.kind.replace("_", " "),
        )


class GeometryDomain(DomainPack):
    """The geometry domain pack (registered as ``geometry``)."""

    name = "geometry"
    version = VERSION
    install_hint = "pip install matplotlib (bash scripts/setup.sh)"
    languages = (LANGUAGE,)
    #: ``--option geometry.constructions=N``: at most N constructions on each triangle
    #: (1: simple figures; 3, the default: up to three, crowded)
    options: ClassVar[Mapping[str, OptionKind]] = {"constructions": range(1, 4)}

    def __init__(self, generator: GeometryGenerator | None = None) -> None:
        self.generator = generator or GeometryGenerator()

    def configure(self, options: Mapping[str, str]) -> GeometryDomain:
        return GeometryDomain(
            dataclasses.replace(self.generator, **read_options(self.name, options, self.options))
        )

    def sample(self, *, rng: np.random.Generator) -> Sample:
        return self.generator.sample(rng=rng)

    def targets(self, sample: Sample) -> dict[str, Any]:
        """A caption of the whole figure (as MAVIS-Caption has)."""
        return {"caption": sample.spec.caption()}

    def render(self, sample: Sample) -> Rendered:
        from synth.renderers.mpl import render_matplotlib

        return render_matplotlib(sample.code.source)

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        from synth.qa_synth.geometry import geometry_questions

        return geometry_questions(sample.spec, rendered, rng=rng)


DOMAIN = GeometryDomain()
