"""Scan-like degradation (``--degrade scan``): a slight rotation, blur, sensor noise and JPEG
compression, applied after rendering, with every box and point of the record moved to match.

The parameters come from a stream seeded by the spec, so a degraded dataset is as
deterministic as a clean one. Boxes ``[x, y, w, h]`` become the axis-aligned box around the
rotated corners, clipped to the image; points are rotated.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import math
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from synth.record import QA, Element, Rendered


@dataclasses.dataclass(frozen=True)
class ScanParams:
    angle_deg: float  # counter-clockwise, about the image centre
    blur_radius: float
    noise_sigma: float
    jpeg_quality: int


def scan_params(spec_json: dict[str, Any]) -> ScanParams:
    digest = hashlib.sha256((json.dumps(spec_json, sort_keys=True) + "|scan").encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
    return ScanParams(
        angle_deg=round(float(rng.uniform(-1.5, 1.5)), 3),
        blur_radius=round(float(rng.uniform(0.2, 0.8)), 3),
        noise_sigma=round(float(rng.uniform(2.0, 7.0)), 3),
        jpeg_quality=int(rng.integers(55, 90)),
    )


class _Rotation:
    def __init__(self, angle_deg: float, width: int, height: int) -> None:
        t = math.radians(angle_deg)
        self.c, self.s = math.cos(t), math.sin(t)
        self.cx, self.cy = width / 2, height / 2
        self.w, self.h = width, height

    def point(self, x: float, y: float) -> list[float]:
        dx, dy = x - self.cx, y - self.cy
        return [
            round(self.cx + dx * self.c + dy * self.s, 2),
            round(self.cy - dx * self.s + dy * self.c, 2),
        ]

    def box(self, b: list[float]) -> list[float]:
        x, y, w, h = b
        corners = [self.point(px, py) for px in (x, x + w) for py in (y, y + h)]
        xs = [min(max(c[0], 0.0), self.w) for c in corners]
        ys = [min(max(c[1], 0.0), self.h) for c in corners]
        return [
            round(min(xs), 2),
            round(min(ys), 2),
            round(max(xs) - min(xs), 2),
            round(max(ys) - min(ys), 2),
        ]


def scan_image(png: bytes, params: ScanParams, seed: int) -> bytes:
    """The PNG bytes of ``png`` scanned: rotated, blurred, noised (``seed``), JPEG'd."""
    with Image.open(io.BytesIO(png)) as im:
        img = im.convert("RGB")
    w, h = img.size
    img = img.rotate(params.angle_deg, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    img = img.filter(ImageFilter.GaussianBlur(params.blur_radius))
    rng = np.random.default_rng(seed)
    noisy = np.asarray(img, dtype=np.float32) + rng.normal(0, params.noise_sigma, (h, w, 3))
    img = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    jpeg = io.BytesIO()
    img.save(jpeg, format="JPEG", quality=params.jpeg_quality)
    with Image.open(jpeg) as scanned:
        out = io.BytesIO()
        scanned.convert("RGB").save(out, format="PNG")
    return out.getvalue()


def scan(
    rendered: Rendered, qa: list[QA], params: ScanParams, seed: int
) -> tuple[Rendered, list[QA]]:
    """The degraded image with its elements and QA geometry moved to match."""
    png = scan_image(rendered.png, params, seed)
    rot = _Rotation(params.angle_deg, rendered.width, rendered.height)
    elements: list[Element] = []
    for e in rendered.elements:
        moved: Element = {**e, "bbox": rot.box(e["bbox"])}
        if "point" in e:
            moved["point"] = rot.point(*e["point"])
        elements.append(moved)
    moved_qa = [_move(q, rot) for q in qa]
    return (
        dataclasses.replace(rendered, png=png, elements=tuple(elements), pixel_std=None),
        moved_qa,
    )


def _move(q: QA, rot: _Rotation) -> QA:
    if q.answer_type == "point":
        tol = q.tolerance
        if isinstance(tol, dict) and "box" in tol:
            tol = {**tol, "box": rot.box(tol["box"])}
        return dataclasses.replace(q, answer=rot.point(*q.answer), tolerance=tol)
    if q.answer_type == "box":
        return dataclasses.replace(q, answer=rot.box(q.answer))
    return q
