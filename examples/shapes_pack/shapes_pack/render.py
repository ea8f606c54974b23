"""The pack's renderer: ``shapes-json`` code (a canvas and its shapes) drawn with Pillow.

One declaration tells synth everything about it: the language it runs and the function
that renders a piece of code alone (``synth render-code``, ``synth reproduce`` and the
domain's own ``render`` all call it), its install hint and what ``synth doctor`` checks.
Pillow needs no warm-up, no helper process, and lives under the worker's memory limit, so
the other fields keep their defaults.
"""

from __future__ import annotations

import io
import json
from typing import Any

from synth.backends import Language, Renderer
from synth.pack import Check
from synth.record import Rendered

LANGUAGE = "shapes-json"


def render_shapes(source: str) -> Rendered:
    """PNG of the shapes, and one element per shape: its label, its box in pixels."""
    from PIL import Image, ImageDraw

    code: dict[str, Any] = json.loads(source)
    width, height = int(code["width"]), int(code["height"])
    image = Image.new("RGB", (width, height), code["background"])
    draw = ImageDraw.Draw(image)
    elements = []
    for i, shape in enumerate(code["shapes"]):
        x, y, size, fill = shape["x"], shape["y"], shape["size"], tuple(shape["rgb"])
        box = (x, y, x + size, y + size)
        if shape["kind"] == "circle":
            draw.ellipse(box, fill=fill)
        elif shape["kind"] == "square":
            draw.rectangle(box, fill=fill)
        else:  # triangle, apex up
            draw.polygon([(x, y + size), (x + size / 2, y), (x + size, y + size)], fill=fill)
        label = f"{shape['colour']} {shape['kind']}"
        elements.append(
            {"label": label, "role": "shape", "key": f"shape-{i}", "bbox": [x, y, size, size]}
        )
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False, compress_level=6)
    return Rendered(
        png=buf.getvalue(),
        width=width,
        height=height,
        elements=tuple(elements),
        backend=f"pillow {Image.__version__}" if hasattr(Image, "__version__") else "pillow",
    )


def checks() -> list[Check]:
    try:
        import PIL
    except ImportError:
        return [Check(False, "pillow (shapes-json code)", "pip install pillow")]
    return [Check(True, f"pillow {PIL.__version__} (shapes-json code)")]


RENDERER = Renderer(
    name="pillow-shapes",
    languages={LANGUAGE: Language(render=render_shapes)},
    install_hint="pip install pillow",
    checks=checks,
)
