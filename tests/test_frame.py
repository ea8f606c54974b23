"""One conversion from a back-end's coordinates to image pixels (synth.record.Frame), and the
one shape every render fact has (synth.record.Element)."""

from __future__ import annotations

import io
import typing

import numpy as np
from PIL import Image

from synth.record import Element, Frame


def test_matplotlib_display_pixels_count_from_the_bottom() -> None:
    frame = Frame(height=400)
    assert frame.box(10, 300, 50, 380) == [10.0, 20.0, 40.0, 80.0]
    assert frame.box(50, 380, 10, 300) == [10.0, 20.0, 40.0, 80.0], "corners in either order"
    assert frame.xy(10, 300) == [10.0, 100.0]


def test_pdf_points_scale_to_the_rendering_dpi_and_flip() -> None:
    """A4 at 144 dpi: 2 px per point; a word at 72 pt from the left, 100 pt from the top."""
    height_pt = 842.0
    frame = Frame(scale=144 / 72, height=height_pt)
    box = frame.box(72, height_pt - 112, 120, height_pt - 100)
    assert box == [144.0, 200.0, 96.0, 24.0]


def test_svg_user_units_move_by_the_viewbox_origin_and_scale() -> None:
    """viewBox="-20 -10 200 100" drawn 400 px wide: 2 px per unit, (-20, -10) at the corner."""
    frame = Frame(scale=2.0, origin=(-20.0, -10.0))
    assert frame.box(-20, -10, 0, 5) == [0.0, 0.0, 40.0, 30.0]
    assert frame.xy(30, 40) == [100.0, 100.0]


def test_a_matplotlib_box_lands_on_the_bar() -> None:
    """Through the renderer: the box mpl reports from display pixels covers the bar's colour
    (a flipped y would put it on the white above)."""
    from synth.renderers.mpl import render_matplotlib

    script = (
        "from matplotlib.backends.backend_agg import FigureCanvasAgg\n"
        "from matplotlib.figure import Figure\n"
        "def draw(target, inspect=None):\n"
        "    fig = Figure(figsize=(3, 3), dpi=100)\n"
        "    FigureCanvasAgg(fig)\n"
        "    ax = fig.add_axes((0, 0, 1, 1))\n"
        "    ax.set_xlim(0, 10); ax.set_ylim(0, 10); ax.axis('off')\n"
        "    (bar,) = ax.bar([2], [3], width=2, bottom=[6], color='#ff0000')\n"
        "    bar.set_gid('bar|0|0')\n"
        "    fig.savefig(target, format='png')\n"
        "    if inspect is not None:\n        inspect(fig)\n"
        "    return fig\n"
    )
    rendered = render_matplotlib(script)
    (bar,) = [e for e in rendered.elements if e["role"] == "bar"]
    x, y, w, h = bar["bbox"]
    assert (x, y, w, h) == (30.0, 30.0, 60.0, 90.0)
    img = np.asarray(Image.open(io.BytesIO(rendered.png)).convert("RGB"))
    assert tuple(img[int(y + h / 2), int(x + w / 2)]) == (255, 0, 0)


def test_an_element_names_every_field_a_domain_writes() -> None:
    """Each key the domains write is declared once (mypy holds role and bbox required)."""
    hints = typing.get_type_hints(Element)
    assert {"role", "bbox", "label", "ref", "key", "point", "clipped"} <= set(hints)
    assert {"visible_px", "outline_px", "occluded", "truncated", "hidden_by"} <= set(hints)
