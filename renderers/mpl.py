"""Matplotlib back-end: run a chart script's ``draw(target)`` and read where things landed.

Render facts come from the artists: every artist with a ``gid`` plus the tick labels, as
pixel boxes ``[x, y, w, h]`` (origin top-left). Line markers and scatter points become one
element each with a ``point``; pie wedges get a ``point`` that lies inside the wedge.
"""

from __future__ import annotations

import io
import math
from inspect import signature
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")

from matplotlib.artist import Artist  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Wedge  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from synth._errors import RenderError  # noqa: E402
from synth.backends import Language, Renderer  # noqa: E402
from synth.pack import Check  # noqa: E402
from synth.record import Element, Frame, Rendered  # noqa: E402

BACKEND = f"matplotlib {matplotlib.__version__}"


#: run each script in a forked child (set in sandboxed workers; see :func:`render_isolated`)
ISOLATE = False


def render_matplotlib(source: str) -> Rendered:
    """Execute a script that defines ``draw(target, inspect) -> Figure``; PNG + render facts.
    In a sandboxed worker the script runs in a child process of its own."""
    return render_isolated(source) if ISOLATE else _render(source)


def render_isolated(source: str) -> Rendered:
    """:func:`render_matplotlib` in a forked child that holds no descriptor but its log and
    a result pipe: the script cannot reach the worker's protocol, and whatever it changes
    (Matplotlib's state, modules, globals) dies with the child, so no later sample sees it.
    The result comes back as one plain message (JSON and the PNG, never a pickle: the
    script could write to that pipe too); its exception is raised here, rebuilt from its
    type's name and fields; its death is a :class:`RenderCrash`."""
    import os

    from synth._errors import RenderCrash
    from synth.engine.forked import (
        close_fds_but,
        ended,
        exception_fields,
        rebuilt_exception,
        rendered_frame,
        rendered_of,
    )
    from synth.engine.protocol import read_message, write_message

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, send, leave without running the worker's exit code
        try:
            os.close(read_fd)
            close_fds_but(write_fd)
            try:
                head, blobs = rendered_frame(_render(source))
                write_message(write_fd, {**head, "ok": True}, blobs)
            except BaseException as exc:  # noqa: BLE001 - sent back to be raised there
                write_message(write_fd, {"ok": False, **exception_fields(exc)})
            os._exit(0)
        finally:
            os._exit(1)
    os.close(write_fd)
    try:
        header, blobs = read_message(read_fd)
    except (EOFError, ValueError):
        header, blobs = {}, []
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    if not header:
        kind, message = ended(status, "the chart script")
        raise RenderCrash(message, kind)
    if header.get("ok") is False:
        raise rebuilt_exception(header, "in the chart script's process")
    if header.get("ok") is not True:
        raise RenderError("the chart script sent a malformed result (it wrote to its pipe)")
    try:
        return rendered_of((header, blobs))
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise RenderError(f"the chart script sent a malformed result: {exc}") from None


def _render(source: str) -> Rendered:
    namespace: dict[str, Any] = {"__name__": "synth_render"}
    try:
        exec(compile(source, "<chart script>", "exec"), namespace)  # noqa: S102 - our own emitted code
        draw = namespace["draw"]
    except KeyError:
        raise RenderError("the script defines no draw(target) function") from None
    buf = io.BytesIO()
    seen: dict[str, Any] = {}

    def inspect(fig: Figure) -> None:
        # inside the script's style context: text measures hit the same font cache as drawing
        width, height = (int(round(v)) for v in fig.canvas.get_width_height())
        seen.update(width=width, height=height, elements=tuple(_facts(fig, height)))
        rgba = np.asarray(fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
        seen["pixel_std"] = float(
            rgba[::3, ::3, :3].std()
        )  # a 1-in-9 sample is enough for "blank?"

    if len(signature(draw).parameters) >= 2:
        fig = draw(buf, inspect)
    else:  # a script written for draw(target) only: read the facts after the fact
        fig = draw(buf)
        if isinstance(fig, Figure):
            inspect(fig)
    if not isinstance(fig, Figure) or "elements" not in seen:
        raise RenderError(
            f"draw() returned {type(fig).__name__} without calling inspect(fig); "
            "expected a script that defines draw(target, inspect=None) -> Figure"
        )
    return Rendered(
        png=buf.getvalue(),
        width=seen["width"],
        height=seen["height"],
        elements=seen["elements"],
        backend=BACKEND,
        pixel_std=seen["pixel_std"],
    )


def _box(bb: Any, height: int) -> list[float]:
    """A display-pixel extent (origin bottom-left) as an image box."""
    return Frame(height=height).box(bb.x0, bb.y0, bb.x1, bb.y1)


def _facts(fig: Figure, height: int) -> list[Element]:
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    out: list[Element] = []
    for ax in fig.axes:
        for role, labels in (("xtick", ax.get_xticklabels()), ("ytick", ax.get_yticklabels())):
            for t in labels:
                if t.get_visible() and t.get_text():
                    out.append(
                        {
                            "label": t.get_text(),
                            "role": role,
                            "bbox": _box(t.get_window_extent(renderer), height),
                        }
                    )
    for artist in fig.findobj(lambda a: isinstance(a, Artist) and a.get_gid() is not None):
        gid = str(artist.get_gid())
        role, _, ref = gid.partition("|")
        if isinstance(artist, Line2D):
            out.extend(_line_points(artist, role, ref, height))
        elif isinstance(artist, PathCollection):
            out.extend(_collection_points(artist, ref, height))
        else:
            el: Element = {
                "role": role,
                "bbox": _box(artist.get_window_extent(renderer), height),
            }
            if ref:
                el["ref"] = ref
            if isinstance(artist, Text):
                el["label"] = artist.get_text()
            if isinstance(artist, Wedge):
                el["point"] = _wedge_point(artist, height)
            out.append(el)
    return out


def _line_points(line: Line2D, role: str, ref: str, height: int) -> list[Element]:
    return _points(line.get_transform().transform(line.get_xydata()), ref, height, half=6.0)


def _collection_points(coll: PathCollection, ref: str, height: int) -> list[Element]:
    return _points(coll.get_offset_transform().transform(coll.get_offsets()), ref, height, half=4.0)


def _points(xy: Any, ref: str, height: int, *, half: float) -> list[Element]:
    """One element per marker: its centre as ``point`` and a square of ``2 * half`` px around it."""
    out: list[Element] = []
    frame = Frame(height=height)
    for j, (x, y) in enumerate(xy):
        px, py = frame.xy(x, y)
        box = [px - half, py - half, 2 * half, 2 * half]
        out.append({"role": "point", "ref": f"{ref}|{j}", "bbox": box, "point": [px, py]})
    return out


def _wedge_point(w: Wedge, height: int) -> list[float]:
    """A point inside the wedge at its mid-angle, nearer the centre than the value labels
    (which Matplotlib puts at ``pctdistance``: mid-ring for donuts, 0.62 r for pies)."""
    theta = math.radians((w.theta1 + w.theta2) / 2)
    inner = w.r - w.width if w.width is not None else 0.0
    r = inner + 0.3 * (w.r - inner) if w.width is not None else 0.35 * w.r
    cx, cy = w.center
    x, y = w.axes.transData.transform((cx + r * math.cos(theta), cy + r * math.sin(theta)))  # type: ignore[union-attr]
    return [round(float(x), 1), round(height - float(y), 1)]


def _isolate() -> None:
    global ISOLATE
    ISOLATE = True


RENDERER = Renderer(
    name="matplotlib",
    languages={"python-matplotlib": Language(render=render_matplotlib)},
    install_hint="pip install matplotlib  (or: bash scripts/setup.sh)",
    isolate=_isolate,
    checks=lambda: [Check(True, f"{BACKEND} (python-matplotlib code)")],
)
