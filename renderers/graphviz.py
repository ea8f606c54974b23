"""Graphviz back-end: Debian's ``dot`` lays out and draws a DOT graph in one run.

:func:`render_dot` runs ``dot -Tpng -Tjson`` on the source (the layout engine is the graph's
own ``layout`` attribute): the PNG and the layout come back together on stdout, so the
render facts are the positions Graphviz drew at, converted from points (origin bottom-left)
to image pixels (origin top-left) through the graph's ``dpi`` and ``pad``. Every node is an
element (its box and centre), every edge label too.

The source may come from outside (``render-code``, a pack): ``dot`` runs with Graphviz's web
server mode on (``SERVER_NAME``), so it loads no image or file named in the graph, under a
time limit, and an image larger than :data:`MAX_SIDE` is refused.

Warm: a worker keeps one ``dot`` running (:class:`WarmDot`) and feeds it graph after graph
on stdin, each followed by a marker graph named with a fresh random nonce; what came out
before the marker's layout is that graph's PNG and layout, byte for byte what a fresh
``dot`` draws (a test holds it to that). Anything else (an error, a second graph in the
source, a hang) ends the warm process; the graph is then drawn once more by a fresh ``dot``,
whose error is the one reported. A fresh ``dot`` per graph costs ~38 ms, the warm one
~14 ms (``scripts/bench_graph.py``). Code from outside (``render-code``, ``reproduce``)
always gets a fresh one.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import subprocess
import tempfile
import time
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


#: True in a process that renders code from outside: a fresh ``dot`` for every graph
ONE_SHOT = False


@renders("graphviz.render_dot")
def render_dot(source: str) -> Rendered:
    """Lay out and draw ``source``; a PNG and every node's and edge label's box. In a task
    forked for a pack from outside, this runs in the worker (its warm ``dot``)."""
    if shutil.which(DOT) is None:
        raise RenderError(f"the Graphviz renderer needs dot: {INSTALL_HINT}")
    if not ONE_SHOT:
        out = warm().draw(source)
        if out is not None:
            return _rendered(*out)
    return _rendered(*_one_shot(source))


def _one_shot(source: str) -> tuple[bytes, dict[str, Any]]:
    """``(png, layout)`` from a ``dot`` of its own; its failure typed."""
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
    parts = _split(run.stdout)
    if parts is None:
        raise RenderError("dot wrote no PNG and layout")
    (png, layout), rest = parts
    if rest.strip():
        raise RenderError("the DOT source holds more than one graph")
    return png, layout


def _split(out: bytes) -> tuple[tuple[bytes, dict[str, Any]], bytes] | None:
    """The first PNG and the JSON layout after it, and what follows; None if incomplete."""
    end = out.find(PNG_END)
    if end < 0:
        return None
    png, rest = out[: end + len(PNG_END)], out[end + len(PNG_END) :]
    close = rest.find(b"\n}\n")  # dot indents every inner brace: this one ends the layout
    if close < 0:
        return None
    try:
        layout = json.loads(rest[: close + 2])
    except ValueError:
        return None
    return (png, layout), rest[close + 3 :]


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


class WarmDot:
    """One ``dot`` process fed graph after graph (see the module's doc)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._err: Any = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def start(self) -> None:
        if self.pid is not None:
            return
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            [DOT, "-Tpng", "-Tjson"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            env=SAFE_ENV,
        )

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            for f in (proc.stdin, proc.stdout):
                if f is not None:
                    f.close()
        if self._err is not None:
            self._err.close()
            self._err = None

    def draw(self, source: str) -> tuple[bytes, dict[str, Any]] | None:
        """``(png, layout)`` of ``source``, or None when the warm process could not draw it
        cleanly (it is then stopped; the caller draws the graph with a fresh ``dot``)."""
        self.start()
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        nonce = f"synth_end_{secrets.token_hex(8)}"
        err_at = self._err.seek(0, os.SEEK_END)
        try:
            proc.stdin.write(f"{source}\ndigraph {nonce} {{}}\n".encode())
            proc.stdin.flush()
            out = self._read_until(proc, nonce.encode(), err_at)
        except (OSError, RenderTimeout):
            self.stop()
            raise
        parts = _split(out) if out is not None else None
        if parts is None:
            self.stop()
            return None
        (png, layout), rest = parts
        marker = _split(rest)  # the marker graph's own PNG and layout, and nothing after
        if marker is None or marker[0][1].get("name") != nonce or marker[1].strip():
            self.stop()
            return None
        return png, layout

    def _read_until(self, proc: subprocess.Popen[bytes], nonce: bytes, err_at: int) -> bytes | None:
        """stdout up to the end of the marker's layout; None on an error message or an exit."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        buf = bytearray()
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RenderTimeout(f"dot took longer than {TIMEOUT_S:g} s")
            ready, _, _ = select.select([fd], [], [], min(left, 0.05))
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return None  # it exited
                buf += chunk
                if nonce in buf and buf.rstrip().endswith(b"}"):  # the marker's layout may be whole
                    first = _split(bytes(buf))
                    if first is not None and _split(first[1]) is not None:
                        return bytes(buf)
            elif self._error_since(err_at) or proc.poll() is not None:
                return None

    def _error_since(self, at: int) -> bool:
        self._err.seek(at)
        return b"rror" in self._err.read()


@cache
def warm() -> WarmDot:
    return WarmDot()


def helper_pids() -> tuple[int, ...]:
    """The warm ``dot``, which a worker's stray sweep must spare (by process id: ``dot`` is
    in ``/usr/bin``, where a sample's strays would be too)."""
    pid = warm().pid
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
    languages={"dot": Language(render=render_dot, warm_up=lambda: warm().start())},
    install_hint=INSTALL_HINT,
    helper_pids=helper_pids,
    isolate=_isolate,
    checks=_checks,
)
