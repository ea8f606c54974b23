"""Where each object would cover the image if nothing else were in the scene: its outline.

Every shape synth builds is convex (cube, sphere, cylinder, cone) or a union of convex parts
(the viewpoint figures), and a perspective projection keeps convex things convex, so an
object's outline is the union of the convex hulls of its parts' projected vertices, filled
at pixel centres. Compared with the object's pixels in the render's index map it gives how
much of the object other objects hide (occlusion), and which ones; compared with the image
frame, how much of it lies outside (truncation).

The vertices are Blender's own primitives (:mod:`synth.renderers.bpy_adapter` builds them
with 48 segments and 24 rings), so outlines and masks agree up to anti-aliased edges.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from synth.generators.scene3d._spec import FIGURE_PARTS, Obj, SceneSpec, radians

SEGMENTS, RINGS = 48, 24


def _unit_vertices(shape: str) -> np.ndarray:
    """The vertices of Blender's unit primitive (half-extent 1) centred on the origin."""
    a = np.arange(SEGMENTS) * 2 * math.pi / SEGMENTS
    circle = np.stack([np.cos(a), np.sin(a)], axis=1)
    if shape == "cube":
        s = 1 / math.sqrt(2)
        return np.array([[x, y, z] for x in (-s, s) for y in (-s, s) for z in (-s, s)])
    if shape == "sphere":
        rings = [
            np.column_stack([circle * math.sin(p), np.full(SEGMENTS, math.cos(p))])
            for p in np.arange(1, RINGS) * math.pi / RINGS
        ]
        return np.vstack([[[0, 0, 1]], *rings, [[0, 0, -1]]])
    if shape == "cylinder":
        return np.vstack([np.column_stack([circle, np.full(SEGMENTS, z)]) for z in (-1.0, 1.0)])
    if shape == "cone":
        return np.vstack([np.column_stack([circle, np.full(SEGMENTS, -1.0)]), [[0, 0, 1]]])
    raise ValueError(f"unknown shape {shape!r}")


def _turn(points: np.ndarray, rx: float, ry: float, rz: float) -> np.ndarray:
    """Rotate by Blender's XYZ Euler angles (degrees): x first, then y, then z."""
    cx, sx = math.cos(radians(rx)), math.sin(radians(rx))
    cy, sy = math.cos(radians(ry)), math.sin(radians(ry))
    cz, sz = math.cos(radians(rz)), math.sin(radians(rz))
    mx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    my = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    mz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return points @ (mz @ my @ mx).T  # type: ignore[no-any-return]


def object_parts(o: Obj) -> list[np.ndarray]:
    """World-space vertices of each convex part of object ``o`` (metres)."""
    r, centre = o.radius_m, np.array(o.centre())
    if o.shape not in FIGURE_PARTS:
        return [centre + _turn(_unit_vertices(o.shape) * r, 0, 0, o.rotation_deg)]
    parts = []
    for shape, dx, dy, dz, sx, sy, sz, rx, ry in FIGURE_PARTS[o.shape]:
        local = _turn(_unit_vertices(shape) * np.array([sx, sy, sz]) * r, rx, ry, 0)
        local = local + np.array([dx, dy, dz]) * r
        parts.append(centre + _turn(local, 0, 0, o.rotation_deg))
    return parts


def project_points(spec: SceneSpec, points: np.ndarray) -> np.ndarray:
    """Pixel ``(u, v)`` of each world point: :meth:`SceneSpec.project`, for many points."""
    cam, right, up, fwd = (np.array(v) for v in spec.camera_axes())
    d = points - cam
    depth = d @ fwd
    w, h, f_px = spec.render.width_px, spec.render.height_px, spec.focal_px()
    return np.column_stack([w / 2 + f_px * (d @ right) / depth, h / 2 - f_px * (d @ up) / depth])


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull, counter-clockwise in (u, v) (Andrew's monotone chain)."""
    pts = sorted(set(map(tuple, np.round(points, 9).tolist())))
    if len(pts) < 3:
        return np.array(pts)

    def turn(o: Any, a: Any, b: Any) -> float:
        return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))

    lower: list[Any] = []
    upper: list[Any] = []
    for p in pts:
        while len(lower) >= 2 and turn(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and turn(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def _fill(hull: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """Pixels (centres) of columns x0..x1-1 and rows y0..y1-1 inside a convex polygon."""
    ys, xs = np.mgrid[y0:y1, x0:x1]
    px, py = xs + 0.5, ys + 0.5
    inside = np.ones(px.shape, dtype=bool)
    for (ax, ay), (bx, by) in zip(hull, np.roll(hull, -1, axis=0), strict=True):
        inside &= (bx - ax) * (py - ay) - (by - ay) * (px - ax) >= 0
    return inside


def outlines(spec: SceneSpec) -> list[tuple[np.ndarray, int]]:
    """For each object: its outline inside the image (bool, height x width) and the number
    of outline pixels in all, inside the frame or not."""
    w, h = spec.render.width_px, spec.render.height_px
    out = []
    for o in spec.objects:
        inside = np.zeros((h, w), dtype=bool)
        total = 0
        hulls = [_hull(project_points(spec, p)) for p in object_parts(o)]
        lo = np.floor(np.vstack(hulls).min(axis=0)).astype(int)
        hi = np.ceil(np.vstack(hulls).max(axis=0)).astype(int) + 1
        union = np.zeros((hi[1] - lo[1], hi[0] - lo[0]), dtype=bool)
        for hull in hulls:
            if len(hull) >= 3:
                union |= _fill(hull, lo[0], lo[1], hi[0], hi[1])
        total = int(union.sum())
        cx0, cy0 = max(lo[0], 0), max(lo[1], 0)
        cx1, cy1 = min(hi[0], w), min(hi[1], h)
        if cx0 < cx1 and cy0 < cy1:
            inside[cy0:cy1, cx0:cx1] = union[cy0 - lo[1] : cy1 - lo[1], cx0 - lo[0] : cx1 - lo[0]]
        out.append((inside, total))
    return out


def occlusion_facts(spec: SceneSpec, index: np.ndarray) -> list[dict[str, Any]]:
    """Per object, from its outline and the render's index map (pixel = object + 1):
    ``outline_px`` (outline pixels inside the image), ``occluded`` (share of those that show
    another object), ``truncated`` (share of the whole outline outside the frame) and
    ``hidden_by`` (``[[object, pixels], ...]``, most first)."""
    facts = []
    for i, (inside, total) in enumerate(outlines(spec)):
        n = int(inside.sum())
        seen = index[inside]
        others = np.bincount(seen, minlength=len(spec.objects) + 1)
        hidden = [[j - 1, int(c)] for j, c in enumerate(others) if j not in (0, i + 1) and c]
        hidden.sort(key=lambda jc: (-jc[1], jc[0]))
        facts.append(
            {
                "outline_px": n,
                "occluded": round(sum(c for _, c in hidden) / n, 3) if n else 0.0,
                "truncated": round(1 - n / total, 3) if total else 1.0,
                "hidden_by": hidden,
            }
        )
    return facts
