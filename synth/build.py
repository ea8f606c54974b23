"""One sample, start to finish: generate -> render -> QA -> verify -> record.

This is the function every worker runs, and what :func:`synth.render` runs in-process, so the
API and the pipeline share one code path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import platform
import struct
import zlib
from typing import Any

import numpy as np
from PIL import Image

from synth import __version__, legibility
from synth._errors import RenderError, SampleRejected
from synth.pack import DomainPack, Sample
from synth.record import QA, Record, Rendered, make_id
from synth.targeting import asking, draw_sample


def build_record(
    pack: DomainPack, *, index: int, seed: int, run_seed: int, degrade: str = "none"
) -> tuple[Record, bytes, dict[str, bytes]]:
    """The record, PNG bytes and further files (by extension) of sample ``index`` with
    per-sample seed ``seed``."""
    sample = draw_sample(lambda rng: pack.sample(rng=rng), pack.name, seed)
    return finish(pack, sample, index=index, seed=seed, run_seed=run_seed, degrade=degrade)


def finish(
    pack: DomainPack,
    sample: Sample,
    *,
    index: int,
    seed: int,
    run_seed: int,
    degrade: str = "none",
    rendered: Rendered | None = None,
    refit: bool = True,
) -> tuple[Record, bytes, dict[str, bytes]]:
    """Render a sample (unless ``rendered`` is its render already, e.g. from a worker's render
    thread), ask its questions (on the clean render's facts), degrade the image if asked
    (moving boxes and points with it), drop the questions whose text can't be read in the
    final image (:mod:`synth.legibility`) and check the result. A sample that fails its
    checks is laid out again if its pack can (:meth:`~synth.pack.DomainPack.refit`), once;
    else it raises SampleRejected."""
    if rendered is None:
        rendered = pack.render(sample)
    spec_json = sample.spec.to_json()
    with asking(sample.domain):  # its program weights, if the run has any
        qa = pack.questions(sample, rendered, rng=qa_rng(spec_json))
    extra: dict[str, Any] = {}
    if degrade == "scan":
        from synth.degrade import scan, scan_params

        params = scan_params(spec_json)
        rendered, qa = scan(rendered, qa, params, seed=scan_seed(spec_json))
        extra["degradation"] = {"mode": "scan", **dataclasses.asdict(params)}
    qa, dropped = legibility.gate(rendered.png, rendered.elements, qa)
    if dropped:
        extra["dropped"] = dropped
    checks = verify(rendered, qa)
    failed = tuple(name for name, ok in checks.items() if not ok)
    if failed and refit:
        again = pack.refit(sample, rendered, failed)
        if again is not None:
            return finish(
                pack, again, index=index, seed=seed, run_seed=run_seed, degrade=degrade, refit=False
            )
    if failed:
        raise SampleRejected(f"checks failed: {', '.join(failed)}{_evidence(rendered)}", failed)
    sample_id = make_id(sample.domain, sample.family, index)
    record = Record(
        id=sample_id,
        domain=sample.domain,
        family=sample.family,
        generator=sample.generator,
        seed=seed,
        run_seed=run_seed,
        index=index,
        persona=sample.persona,
        topic=sample.topic,
        spec=spec_json,
        code={"language": sample.code.language, "source": sample.code.source},
        image={
            "path": f"{sample_id}.png",
            "width": rendered.width,
            "height": rendered.height,
            "sha256": hashlib.sha256(rendered.png).hexdigest(),
        },
        qa=tuple(qa),
        annotations={
            "elements": list(rendered.elements),
            **pack.targets(sample),
            **extra,
            **(
                {"files": {ext: f"{sample_id}.{ext}" for ext, _ in rendered.files}}
                if rendered.files
                else {}
            ),
        },
        checks=checks,
        versions={
            "synth": __version__,
            "renderer": rendered.backend,
            "python": platform.python_version(),
        },
    )
    return record, rendered.png, dict(rendered.files)


def _evidence(rendered: Rendered) -> str:
    """The first element off the canvas, for the failure's message."""
    w, h = rendered.width, rendered.height
    for e in rendered.elements:
        x, y, bw, bh = e["bbox"]
        if x < -1 or y < -1 or x + bw > w + 1 or y + bh > h + 1:
            what = f"{e['role']} {e.get('label', '')[:30]!r}".rstrip()
            return f" ({what} at {[round(v) for v in e['bbox']]} on a {w}x{h} image)"
    return ""


def qa_rng(spec_json: dict[str, Any]) -> np.random.Generator:
    """QA draws from a stream seeded by the spec itself, so re-rendering a stored spec asks the
    same questions and no caller has to supply a second seed."""
    digest = hashlib.sha256(json.dumps(spec_json, sort_keys=True).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def scan_seed(spec_json: dict[str, Any]) -> int:
    """The seed of a sample's scan (its noise, blur and tilt draws): from the spec, like its
    questions, over 2**62 values."""
    return int(qa_rng(spec_json).integers(2**62))


def verify(rendered: Rendered, qa: list[QA]) -> dict[str, bool]:
    """Cheap checks on the image and render facts; results are flags, not exceptions.
    Raises RenderError only when the bytes are not a PNG at all."""
    size = png_size(rendered.png)
    if size is None:
        raise RenderError("renderer returned an invalid PNG (bad signature or header)")
    if size[0] * size[1] > MAX_PIXELS:  # before anything decodes it: a few KB can inflate to GB
        raise RenderError(
            f"renderer returned an invalid PNG: {size[0]}x{size[1]} is over the "
            f"{MAX_PIXELS:,}-pixel limit"
        )
    if rendered.pixel_std is not None:
        not_blank = rendered.pixel_std > BLANK_STD
    else:
        not_blank = _top_proves_ink(rendered.png) or _sample_std(rendered.png) > BLANK_STD
    w, h = rendered.width, rendered.height
    texts = [e for e in rendered.elements if "label" in e]

    def inside(b: list[float]) -> bool:
        return b[0] >= -1 and b[1] >= -1 and b[0] + b[2] <= w + 1 and b[1] + b[3] <= h + 1

    return {
        "image_decodes": size == (w, h),
        "not_blank": not_blank,
        "boxes_on_canvas": all(inside(e["bbox"]) for e in rendered.elements),
        "text_not_clipped": all(inside(e["bbox"]) for e in texts),
        "has_questions": len(qa) > 0,
        "points_inside_boxes": all(_point_ok(q) for q in qa if q.answer_type == "point"),
    }


#: the most pixels an image may have (8192 x 8192); a larger one is never decoded
MAX_PIXELS = 8192 * 8192
#: an image whose 1-in-9 pixel sample (all channels) has at most this spread is blank
BLANK_STD = 2.0
TOP_BANDS = 16  # the fast check decodes the rows in bands of 1/16 of the image...
TOP_LIMIT = 4  # ...down to its top quarter at most


def _sample_std(png: bytes) -> float:
    """The spread of a 1-in-9 pixel sample (rows and columns 0, 3, 6, ...; RGB channels)."""
    with Image.open(io.BytesIO(png)) as img:  # no copy when already RGB(A)
        rgb = np.asarray(img) if img.mode in ("RGB", "RGBA") else np.asarray(img.convert("RGB"))
    return float(rgb[::3, ::3, :3].std())


def _top_proves_ink(png: bytes) -> bool:
    """True when the top rows alone prove :func:`_sample_std` > BLANK_STD, decoding only them.

    The sample's variance is at least the top rows' share of it times their own variance
    (the law of total variance), so a large enough spread at the top settles it; False means
    "not proven" and the whole image is decoded. Rows are decoded a band of 1/TOP_BANDS of
    the image at a time, each band once, until the rows so far prove it (a title usually
    does) or the top 1/TOP_LIMIT is done. Only 8-bit RGB/RGBA, non-interlaced PNGs (what
    Chromium writes) take this path."""
    size = png_size(png)
    if size is None or png[24:26] not in (b"\x08\x02", b"\x08\x06") or png[28] != 0:
        return False
    w, h = size
    channels = 3 if png[25] == 2 else 4
    stride = 1 + w * channels  # a filter byte, then the row's pixels
    inflate, pending = zlib.decompressobj(), idat(png)
    full = -(-h // 3) * -(-w // 3) * 3
    band, limit = -(-h // TOP_BANDS), -(-h // TOP_LIMIT)
    samples: list[np.ndarray] = []
    last = None  # the last decoded row's pixels: what the next band's filters refer to
    top = 0
    while top < limit:
        rows = min(band, h - top)
        try:
            raw = inflate.decompress(pending, rows * stride)
        except zlib.error:
            return False
        pending = inflate.unconsumed_tail
        if len(raw) < rows * stride:
            return False
        px = _decode_rows(png, raw, w, rows, last)
        samples.append(px[-top % 3 :: 3, ::3, :3])  # the image's rows 0, 3, 6...
        last, top = px[-1], top + rows
        sub = np.concatenate(samples)
        if sub.size / full * float(sub.var()) > BLANK_STD**2 * (1 + 1e-9):
            return True
    return False


def idat(png: bytes) -> bytes:
    """The compressed image data of a PNG: its IDAT chunks' contents, joined."""
    parts, pos = [], 8
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        if png[pos + 4 : pos + 8] == b"IDAT":
            parts.append(png[pos + 8 : pos + 8 + length])
        pos += 12 + length
    return b"".join(parts)


def _decode_rows(
    png: bytes, raw: bytes, w: int, rows: int, above: np.ndarray | None = None
) -> np.ndarray:
    """The pixels of ``rows`` inflated (still filtered) rows of ``png``, as a PNG decoder
    unfilters them: they are wrapped, uncompressed, as a small PNG of their own. ``above``:
    the pixels of the row before them, which their filters may refer to (it goes first, as
    an unfiltered row, and is cut off again)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    if above is not None:
        raw, rows = b"\x00" + above.tobytes() + raw, rows + 1
    head = struct.pack(">IIBBBBB", w, rows, 8, png[25], 0, 0, 0)
    top = (
        png[:8] + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")
    )
    with Image.open(io.BytesIO(top)) as img:
        px = np.asarray(img)
    return px if above is None else px[1:]


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk, or None if ``data`` is not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _point_ok(q: QA) -> bool:
    x, y = q.answer
    bx, by, bw, bh = q.tolerance["box"]
    return bool(bx <= x <= bx + bw and by <= y <= by + bh)
