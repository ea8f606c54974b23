"""The Blender worker: ``.venv-blender/bin/python renderers/bpy_worker.py PROTOCOL_PY``.

Runs in its own venv (bpy 5.0.1 pins numpy<2), keeps Blender loaded between scenes and
speaks synth's plain message protocol (``synth/engine/protocol.py``, stdlib only, loaded from
the path its client passes) on stdin/stdout:

    -> {"op": "render", "scene": {...}}              <- {"op": "rendered", ...} + [png, index, depth]
    -> {"op": "quit"}

``index`` is one byte per pixel (0: table or sky, i + 1: object i), ``depth`` float32 metres
along the view axis (row-major, top row first; +inf where no surface is hit). Both come from
the multilayer EXR of the render that made the PNG; for Workbench and EEVEE, which have no
object-index pass, the index comes from a second, flat Workbench render. Nothing here
imports synth but its protocol module: only the stdlib, numpy and bpy.
"""

from __future__ import annotations

import importlib.util
import os
import struct
import sys
import tempfile
import traceback
from typing import Any

import numpy as np


def _load_protocol(path: str) -> Any:
    """synth's protocol module, from its file: nothing else of synth reaches this process."""
    spec = importlib.util.spec_from_file_location("synth_protocol", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_protocol = _load_protocol(sys.argv[1])
read_message, write_message = _protocol.read_message, _protocol.write_message

#: depth at or past this (metres) is background: stored as +inf whatever the engine wrote
NO_SURFACE_M = 999.0
PNG_TEXT_CHUNKS = (b"tEXt", b"iTXt", b"zTXt", b"tIME", b"eXIf")


def strip_png_metadata(png: bytes) -> bytes:
    """The PNG without text, time and EXIF chunks (Blender writes the render time there)."""
    out, pos = [png[:8]], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        end = pos + 12 + length
        if kind not in PNG_TEXT_CHUNKS:
            out.append(png[pos:end])
        pos = end
    return b"".join(out)


def read_exr(path: str) -> dict[str, np.ndarray]:
    """Channels of an uncompressed, single-part, scanline OpenEXR file, as float32 arrays
    (top row first). Enough for what Blender writes with ``exr_codec = NONE``."""
    data = open(path, "rb").read()
    if data[:4] != b"\x76\x2f\x31\x01":
        raise ValueError(f"{path} is not an OpenEXR file")
    pos, attrs = 8, {}
    while data[pos] != 0:
        name_end = data.index(b"\0", pos)
        name = data[pos:name_end].decode()
        type_end = data.index(b"\0", name_end + 1)
        kind = data[name_end + 1 : type_end].decode()
        (size,) = struct.unpack("<i", data[type_end + 1 : type_end + 5])
        attrs[name] = (kind, data[type_end + 5 : type_end + 5 + size])
        pos = type_end + 5 + size
    pos += 1
    if attrs["compression"][1] != b"\0":
        raise ValueError("only uncompressed EXR files are read here")
    channels, raw, cpos = [], attrs["channels"][1], 0
    while raw[cpos] != 0:
        end = raw.index(b"\0", cpos)
        (ptype,) = struct.unpack("<i", raw[end + 1 : end + 5])
        channels.append((raw[cpos:end].decode(), ptype))
        cpos = end + 17
    xmin, ymin, xmax, ymax = struct.unpack("<4i", attrs["dataWindow"][1])
    w, h = xmax - xmin + 1, ymax - ymin + 1
    offsets = struct.unpack(f"<{h}Q", data[pos : pos + 8 * h])
    dtypes = {1: np.float16, 2: np.float32, 0: np.uint32}
    out = {name: np.zeros((h, w), dtype=np.float32) for name, _ in channels}
    for offset in offsets:
        y, _size = struct.unpack("<2i", data[offset : offset + 8])
        p = offset + 8
        for name, ptype in channels:
            dt = np.dtype(dtypes[ptype])
            out[name][y - ymin] = np.frombuffer(data, dtype=dt, count=w, offset=p)
            p += w * dt.itemsize
    return out


def _facts(index: np.ndarray, n: int) -> list[dict[str, Any]]:
    facts = []
    for i in range(n):
        ys, xs = np.nonzero(index == i + 1)
        if len(xs):
            box = [
                int(xs.min()),
                int(ys.min()),
                int(xs.max() - xs.min() + 1),
                int(ys.max() - ys.min() + 1),
            ]
        else:
            box = [0, 0, 0, 0]
        facts.append({"object": i, "visible_px": int(len(xs)), "bbox": box})
    return facts


def main() -> None:
    fd_in, fd_out = sys.stdin.fileno(), os.dup(sys.stdout.fileno())
    # Blender's prints must not hit the pipe, the ones at import included (a warning that
    # it cannot list the mounted file systems, in a sandbox)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import bpy_adapter

    write_message(fd_out, {"op": "ready", "version": bpy_adapter.version()})
    scratch = tempfile.mkdtemp(prefix="synth-bpy-")
    while True:
        try:
            msg, _ = read_message(fd_in)
        except EOFError:
            return
        if msg.get("op") == "quit":
            return
        try:
            scene = msg["scene"]
            bpy_adapter.build(scene, msg["palette"], msg["sizes"], msg["figures"])
            exr, png_path = os.path.join(scratch, "r.exr"), os.path.join(scratch, "r.png")
            ids = os.path.join(scratch, "ids.exr")
            flat = bpy_adapter.render(exr, png_path, ids)
            with open(png_path, "rb") as f:
                png = strip_png_metadata(f.read())
            layers = read_exr(exr)
            if flat:  # red = index / 255 in a flat, unfiltered render
                red = next(v for k, v in read_exr(ids).items() if k.endswith("Combined.R"))
                index = np.rint(red * 255).clip(0, 255).astype(np.uint8)
            else:
                name = next(k for k in layers if k.endswith(("Object Index.X", "IndexOB.X")))
                index = np.rint(layers[name]).clip(0, 255).astype(np.uint8)
            depth_name = next(k for k in layers if k.endswith("Depth.Z"))
            depth = layers[depth_name].astype(np.float32)
            depth[depth >= NO_SURFACE_M] = np.inf  # Cycles writes 1e10 there, EEVEE its clip end
            h, w = index.shape
            reply = {
                "op": "rendered",
                "width": w,
                "height": h,
                "objects": _facts(index, len(scene["objects"])),
                "version": bpy_adapter.version(),
            }
            write_message(fd_out, reply, [png, index.tobytes(), depth.tobytes()])
        except Exception as exc:  # noqa: BLE001 - every failure goes back typed
            write_message(
                fd_out,
                {
                    "op": "failed",
                    "kind": "exception",
                    "message": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc()[-2000:],
                },
            )


if __name__ == "__main__":
    main()
