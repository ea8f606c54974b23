"""Graphviz back-end: Debian's ``dot`` lays out and draws a DOT graph in one run.

:func:`render_dot` runs ``dot -Tpng -Tjson`` on the source (the layout engine is the graph's
own ``layout`` attribute): the PNG and the layout come back together on stdout, so the
render facts are the positions Graphviz drew at, converted from points (origin bottom-left)
to image pixels (origin top-left) through the graph's ``dpi`` and ``pad``. Every node is an
element (its box and centre), every edge label too.

The source may come from outside (``render-code``, a pack): ``dot`` runs with Graphviz's web
server mode on (``SERVER_NAME``), so it loads no image or file named in the graph, under a
time limit, and an image larger than :data:`MAX_SIDE` is refused.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from typing import Any

from synth._errors import RenderError, RenderTimeout
from synth.backends import Language, Renderer
from synth.pack import Check
from synth.record import Element, Rendered

DOT = "dot"
INSTALL_HINT = "apt-get install graphviz  (or: bash scripts/setup.sh)"
TIMEOUT_S = 20.0  # a layout that takes longer is a timeout failure (module setting)
MAX_SIDE = 4096  # pixels: a larger drawing is refused
PNG_END = b"IEND\xaeB`\x82"
#: Graphviz's web-server mode: no file named in a graph is read (images, shape files)
SAFE_ENV = {"SERVER_NAME": "synth", "GV_FILE_PATH": "/nonexistent/", "PATH": "/usr/bin:/bin"}


@cache
def version() -> str:
    out = subprocess.run([DOT, "-V"], capture_output=True, text=True, check=False)
    return "graphviz " + (out.stderr.split("version")[-1].split()[0] if out.stderr else "?")


def render_dot(source: str) -> Rendered:
    """Lay out and draw ``source``; a PNG and every node's and edge label's box."""
    if shutil.which(DOT) is None:
        raise RenderError(f"the Graphviz renderer needs dot: {INSTALL_HINT}")
    try:
        run = subprocess.run(
            [DOT, "-Tpng", "-Tjson"],
            input=source.encode(),
            capture_output=True,
            timeout=TIMEOUT_S,
            env=SAFE_ENV,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderTimeout(f"dot took longer than {TIMEOUT_S:g} s") from exc
    if run.returncode != 0:
        raise RenderError(f"dot failed ({run.returncode}): {run.stderr.decode()[-800:].strip()}")
    end = run.stdout.find(PNG_END)
    if end < 0:
        raise RenderError("dot wrote no PNG")
    png, layout = run.stdout[: end + len(PNG_END)], json.loads(run.stdout[end + len(PNG_END) :])
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    if max(width, height) > MAX_SIDE:
        raise RenderError(f"the graph draws {width} x {height} px, over {MAX_SIDE} a side")
    return Rendered(
        png=png,
        width=width,
        height=height,
        elements=tuple(elements(layout)),
        backend=version(),
    )


class Frame:
    """Graphviz points (y up, origin at the drawing's bottom-left) to image pixels."""

    def __init__(self, layout: dict[str, Any]) -> None:
        self.scale = float(layout.get("dpi", 96)) / 72.0
        pad = layout.get("pad", "0.0555")
        self.pad = 72.0 * float(str(pad).split(",")[0])
        self.top = float(layout["bb"].split(",")[3])

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return (x + self.pad) * self.scale, (self.top - y + self.pad) * self.scale

    def box(self, cx: float, cy: float, w_pt: float, h_pt: float) -> list[float]:
        x, y = self.xy(cx, cy)
        w, h = w_pt * self.scale, h_pt * self.scale
        return [round(x - w / 2, 1), round(y - h / 2, 1), round(w, 1), round(h, 1)]


def elements(layout: dict[str, Any]) -> list[Element]:
    """A ``node`` element per node (``ref``: its name; ``point``: its centre) and an
    ``edge_label`` per labelled edge (``ref``: the edge's index), boxes in image pixels.
    Nodes named ``__...`` (a machine's hidden start point) are left out."""
    frame = Frame(layout)
    out: list[Element] = []
    objects = layout.get("objects", [])
    for obj in objects:
        if "pos" not in obj or obj["name"].startswith("__"):  # a cluster, a hidden helper
            continue
        cx, cy = (float(v) for v in obj["pos"].split(","))
        box = frame.box(cx, cy, 72.0 * float(obj["width"]), 72.0 * float(obj["height"]))
        x, y = frame.xy(cx, cy)
        label = obj.get("label", obj["name"])
        out.append({"label": "" if label == "\\N" else label, "role": "node",
                    "ref": obj["name"], "bbox": box, "point": [round(x, 1), round(y, 1)]})  # fmt: skip
    for i, edge in enumerate(layout.get("edges", [])):
        text = next((op for op in edge.get("_ldraw_", []) if op.get("op") == "T"), None)
        if text is None or "lp" not in edge:
            continue
        cx, cy = (float(v) for v in edge["lp"].split(","))
        box = frame.box(cx, cy, float(text["width"]) + 4.0, float(text.get("size", 14)) * 1.2)
        out.append({"label": str(text["text"]), "role": "edge_label", "ref": str(i), "bbox": box})
    return out


def _checks() -> list[Check]:
    if shutil.which(DOT) is None:
        return [Check(False, "Graphviz (dot code)", INSTALL_HINT)]
    return [Check(True, f"{version()} (dot code)")]


RENDERER = Renderer(
    name="graphviz",
    languages={"dot": Language(render=render_dot)},
    install_hint=INSTALL_HINT,
    checks=_checks,
)
