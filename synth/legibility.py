"""The legibility gate: a question is asked only when the text it reads can be read.

A question *reads* every text element of its image whose label it names, answers or quotes
in its reasoning (a category, a series in the legend, a printed value, a cell, a node). Each
such element is measured in the final image's pixels:

- **contrast**: how far the text's strokes lie from the grey level behind them (see
  :func:`contrast`); under :data:`MIN_CONTRAST` it is hard to read (dark grey on navy lies
  ~40 levels off, black on white ~250);
- **size**: the height of its box in pixels; under :data:`MIN_HEIGHT` a glyph is a smudge.

A question reading an element that fails either is dropped, and the reason is kept in the
record (``annotations.dropped``) and counted in ``stats.json`` (``dropped``). The gate knows
no domain: it needs only the render facts every back-end writes (:class:`~synth.record.
Element`), so a new domain is gated as soon as its elements carry labels.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from synth.record import QA, Element, show

#: grey levels (of 255) that a text's strokes must lie off its background
MIN_CONTRAST = 70.0
#: pixels that a text's box must be tall
MIN_HEIGHT = 7.0
#: text under this many pixels tall, though legible, makes a question harder to read off the
#: image (its difficulty; ``synth eval``'s small-text slice)
SMALL_TEXT_PX = 12.0
#: pixels a box is inset by before it is measured (a cell's or a node's frame lies there)
INSET = 2
#: how many of a box's pixels are taken as the text's strokes: INK_PX, or INK_SHARE of a
#: small box
INK_PX = 12
INK_SHARE = 0.01
#: labelled roles that are not text in the image (a scene object's label describes it)
NOT_TEXT = frozenset({"object"})


def grey(png: bytes) -> np.ndarray:
    """The image as grey levels 0-255 (ITU-R 601 luma, what PIL's "L" mode gives), one byte
    a pixel (a box is widened to floats when it is measured)."""
    with Image.open(io.BytesIO(png)) as img:
        return np.asarray(img.convert("L"))


def contrast(image: np.ndarray, bbox: Sequence[float]) -> float:
    """How far the text in ``bbox`` ``[x, y, w, h]`` of a grey ``image`` stands out from what
    lies behind it: the box is inset by :data:`INSET` pixels (off a frame drawn around it),
    its background is its median grey level (text covers well under half of its box), and
    its contrast is how far its most different pixels lie from that: the distance of the
    k-th most different pixel, k being :data:`INK_PX`, or :data:`INK_SHARE` of a small box
    (the cores of the strokes, not a stray pixel, however little of a wide box the text
    fills); 0 for a box that lies off the image."""
    x, y, w, h = (int(round(v)) for v in bbox)
    x0, y0, x1, y1 = max(x, 0), max(y, 0), max(x + w, 0), max(y + h, 0)
    if x1 - x0 > 2 * INSET + 2 and y1 - y0 > 2 * INSET + 2:
        x0, y0, x1, y1 = x0 + INSET, y0 + INSET, x1 - INSET, y1 - INSET
    patch = image[y0:y1, x0:x1].astype(np.float32)
    if patch.size == 0:
        return 0.0
    distance = np.abs(patch - np.median(patch)).ravel()
    k = max(1, min(round(INK_SHARE * distance.size), INK_PX))
    return float(np.partition(distance, distance.size - k)[distance.size - k])


def contrasts(png: bytes, elements: Sequence[Element], role: str) -> list[float]:
    """The :func:`contrast` of every element of ``role`` in the image ``png``, in order."""
    image = grey(png)
    return [contrast(image, e["bbox"]) for e in elements if e["role"] == role]


def is_text(e: Element) -> bool:
    return bool(e.get("label", "").strip()) and e["role"] not in NOT_TEXT


def reads(q: QA, elements: Sequence[Element]) -> list[int]:
    """Indices of the text elements ``q`` names in its question, its answer or its
    reasoning: a label counts when it appears whole (not inside a longer word or number).
    Where the same text is named twice, once inside the other (a page's cell and the text
    node in it), only the innermost box counts: it is the text itself."""
    said = " ".join([q.question, q.reasoning, _said(q.answer, q.answer_type)])
    named = [
        i
        for i, e in enumerate(elements)
        if is_text(e)
        and e["label"].strip() in said  # most labels aren't: skip their pattern
        and _pattern(e["label"].strip()).search(said)
    ]
    return [
        i
        for i in named
        if not any(
            j != i
            and elements[j]["label"].strip() == elements[i]["label"].strip()
            and _inside(elements[j]["bbox"], elements[i]["bbox"])
            for j in named
        )
    ]


def _inside(inner: Sequence[float], outer: Sequence[float]) -> bool:
    """``inner`` lies within ``outer`` (to a pixel) and is smaller."""
    ix, iy, iw, ih = inner
    ox, oy, ow, oh = outer
    return (
        ix >= ox - 1
        and iy >= oy - 1
        and ix + iw <= ox + ow + 1
        and iy + ih <= oy + oh + 1
        and iw * ih < ow * oh
    )


def failure(image: np.ndarray, e: Element) -> str | None:
    """Why text element ``e`` can't be read in ``image`` (``"contrast"``, ``"size"``), or
    None when it can."""
    if e["bbox"][3] < MIN_HEIGHT:
        return "size"
    if contrast(image, e["bbox"]) < MIN_CONTRAST:
        return "contrast"
    return None


def gate(
    png: bytes, elements: Sequence[Element], qa: Sequence[QA]
) -> tuple[list[QA], list[dict[str, Any]]]:
    """The questions whose text can all be read, and one entry per dropped question:
    ``{"qa": id, "program", "reason", "element": index, "label"}`` (the first element that
    fails, in image order)."""
    image: np.ndarray | None = None
    verdicts: dict[int, str | None] = {}
    kept: list[QA] = []
    dropped: list[dict[str, Any]] = []
    for q in qa:
        why: tuple[int, str] | None = None
        for i in reads(q, elements):
            if i not in verdicts:
                if image is None:
                    image = grey(png)
                verdicts[i] = failure(image, elements[i])
            reason = verdicts[i]
            if reason is not None:
                why = (i, reason)
                break
        if why is None:
            kept.append(q)
        else:
            i, reason = why
            dropped.append(
                {
                    "qa": q.id,
                    "program": q.program,
                    "reason": reason,
                    "element": i,
                    "label": elements[i]["label"],
                }
            )
    return kept, dropped


def _said(answer: Any, answer_type: str) -> str:
    return "" if answer_type in ("point", "box") else show(answer)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(label: str) -> re.Pattern[str]:
    """``label`` as a whole: not preceded or followed by a letter, a digit, or a decimal
    point or comma that continues a number."""
    p = _PATTERNS.get(label)
    if p is None:
        if len(_PATTERNS) > 50_000:
            _PATTERNS.clear()
        p = re.compile(r"(?<![\w.,])" + re.escape(label) + r"(?![\w]|[.,]\d)")
        _PATTERNS[label] = p
    return p
