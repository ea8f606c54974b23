"""``synth preview``: a contact sheet PNG of images, each with a question and its answer."""

from __future__ import annotations

import io
import math
import textwrap
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from synth.dataset import iter_samples
from synth.exporters import answer_text

CELL_W, IMG_H, TEXT_H = 320, 240, 64


def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans from Matplotlib's data (has the dashes, degrees and accents we print)."""
    try:
        import matplotlib

        return ImageFont.truetype(
            str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), 11
        )
    except (ImportError, OSError):
        return ImageFont.load_default()


def shown_question(qa: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The question a sheet shows under an image: the first whose answer can be read off it
    as text (not "not stated", not a point or a box), else the first."""
    for q in qa:
        if q["answer_type"] not in ("point", "box") and q["program"] != "unanswerable":
            return q
    return qa[0] if qa else None


def contact_sheet(root: Path, *, n: int = 36) -> bytes:
    """PNG bytes: up to ``n`` samples in a grid, each with its first question and answer."""
    cells = []
    for record, png in iter_samples(root):
        cells.append((record, png))
        if len(cells) >= n:
            break
    cols = max(1, min(6, math.ceil(math.sqrt(len(cells)))))
    rows = max(1, math.ceil(len(cells) / cols))
    sheet = Image.new("RGB", (cols * CELL_W, rows * (IMG_H + TEXT_H)), "white")
    draw = ImageDraw.Draw(sheet)
    font = _font()
    for i, (record, png) in enumerate(cells):
        x0, y0 = (i % cols) * CELL_W, (i // cols) * (IMG_H + TEXT_H)
        with Image.open(io.BytesIO(png)) as img:
            thumb = img.convert("RGB")
            thumb.thumbnail((CELL_W - 8, IMG_H - 8))
            sheet.paste(thumb, (x0 + (CELL_W - thumb.width) // 2, y0 + 4))
        qa = shown_question(record["qa"])
        text = f"Q: {qa['question']}\nA: {answer_text(qa)}" if qa else "(no questions)"
        lines = [seg for para in text.split("\n") for seg in textwrap.wrap(para, 50)][:4]
        draw.multiline_text(
            (x0 + 4, y0 + IMG_H), "\n".join(lines), fill="black", font=font, spacing=2
        )
    buf = io.BytesIO()
    sheet.save(buf, format="PNG")
    return buf.getvalue()
