"""Graphviz back-end: Debian's ``dot`` lays out and draws a DOT graph in one run.

:func:`render_dot` runs ``dot -Tpng -Tjson`` on the source (the layout engine is the graph's
own ``layout`` attribute): the PNG and the layout come back together on stdout, so the
render facts are the positions Graphviz drew at, converted from points (origin bottom-left)
to image pixels (origin top-left) through the graph's ``dpi`` and ``pad``. Every node is an
element (its box and centre), every edge label too.

The source may come from outside (``render-code``, a pack): ``dot`` runs with Graphviz's web
server mode on (``SERVER_NAME``), so it loads no image or file named in the graph, under a
time limit, and an image larger than :data:`MAX_SIDE` is refused.

Started ahead: every graph gets a ``dot`` of its own (one ``dot`` fed graph after graph draws
some graphs differently depending on those before it: Graphviz 2.43 keeps layout state
across graphs, seen with clusters), but the worker starts it before the graph comes, right
after the last one, so its start-up (~20 of its ~38 ms) overlaps the rest of the sample's
work where a core is free (``scripts/bench_graph.py``). Code from outside (``render-code``,
``reproduce``) starts its ``dot`` when it comes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from typing import Any

from synth._errors import RenderError, RenderTimeout
from synth.backends import Language, Renderer
from synth.engine.forked import renders
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


#: True in a process that renders code from outside: no ``dot`` is started ahead for it
ONE_SHOT = False


@renders("graphviz.render_dot")
def render_dot(source: str) -> Rendered:
    """Lay out and draw ``source``; a PNG and every node's and edge label's box. In a task
    forked for a pack from outside, this runs in the worker."""
    if shutil.which(DOT) is None:
        raise RenderError(f"the Graphviz renderer needs dot: {INSTALL_HINT}")
    proc = _spawn() if ONE_SHOT else ready().take()
    try:
        out, err = proc.communicate(source.encode(), timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.communicate()
        raise RenderTimeout(f"dot took longer than {TIMEOUT_S:g} s") from exc
    finally:
        if not ONE_SHOT:
            ready().refill()  # the next graph's dot starts while this sample is finished
    if proc.returncode != 0:
        raise RenderError(f"dot failed ({proc.returncode}): {err.decode()[-800:].strip()}")
    return _rendered(*_parse(out))


def _spawn() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [DOT, "-Tpng", "-Tjson"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=SAFE_ENV,
    )


def _parse(out: bytes) -> tuple[bytes, dict[str, Any]]:
    """The PNG and the JSON layout ``dot -Tpng -Tjson`` wrote for one graph."""
    end = out.find(PNG_END)
    if end < 0:
        raise RenderError("dot wrote no PNG")
    png, rest = out[: end + len(PNG_END)], out[end + len(PNG_END) :]
    try:
        layout = json.loads(rest)
    except ValueError:
        raise RenderError(
            "the DOT source holds more than one graph (or dot wrote no layout)"
        ) from None
    return png, layout


def _rendered(png: bytes, layout: dict[str, Any]) -> Rendered:
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


class ReadyDot:
    """A fresh ``dot`` started ahead of the graph it will draw (see the module's doc)."""

    def __init__(self) -> None:
        self._next: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        p = self._next
        return p.pid if p is not None and p.poll() is None else None

    def refill(self) -> None:
        if self.pid is None:
            self.stop()
            self._next = _spawn()

    def take(self) -> subprocess.Popen[bytes]:
        """The waiting ``dot`` (a new one if it died), now the caller's alone."""
        self.refill()
        proc, self._next = self._next, None
        assert proc is not None
        return proc

    def stop(self) -> None:
        proc, self._next = self._next, None
        if proc is not None:
            proc.kill()
            proc.communicate()


@cache
def ready() -> ReadyDot:
    return ReadyDot()


def helper_pids() -> tuple[int, ...]:
    """The ``dot`` waiting for the next graph, which a worker's stray sweep must spare (by
    process id: ``dot`` is in ``/usr/bin``, where a sample's strays would be too)."""
    pid = ready().pid
    return (pid,) if pid is not None else ()


def _isolate() -> None:
    global ONE_SHOT
    ONE_SHOT = True


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
    ``edge_label`` per labelled edge (``ref``: the edge's index), a ``cluster`` per titled
    cluster (``ref``: its name; the box around its nodes), boxes in image pixels. Nodes
    named ``__...`` (a machine's hidden start point) are left out."""
    frame = Frame(layout)
    out: list[Element] = []
    objects = layout.get("objects", [])
    for obj in objects:
        if "pos" not in obj and "bb" in obj and obj.get("label"):  # a cluster, and its title
            x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
            box = frame.box((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0)
            out.append({"label": obj["label"], "role": "cluster", "ref": obj["name"], "bbox": box})
            continue
        if "pos" not in obj or obj["name"].startswith("__"):  # a subgraph, a hidden helper
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
    languages={"dot": Language(render=render_dot, warm_up=lambda: ready().refill())},
    install_hint=INSTALL_HINT,
    helper_pids=helper_pids,
    isolate=_isolate,
    checks=_checks,
)
