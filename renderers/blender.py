"""The client of the Blender worker (``bpy_worker.py`` in ``.venv-blender``).

One long-lived Blender process per synth worker, spoken to over synth's plain message
protocol; it keeps Blender loaded between scenes and is replaced every :data:`RECYCLE_AFTER`
scenes (bpy leaks) or when it dies. ``$SYNTH_BLENDER_PYTHON`` overrides the interpreter.
"""

from __future__ import annotations

import atexit
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from synth._errors import MissingDependencyError, RenderError
from synth.engine import protocol
from synth.engine.forked import Frame, forwarded
from synth.engine.protocol import read_message, write_message
from synth.pack import Check

ROOT = Path(__file__).resolve().parents[1]
BLENDER_PYTHON = str(ROOT / ".venv-blender/bin/python")
WORKER = str(Path(__file__).resolve().with_name("bpy_worker.py"))
RECYCLE_AFTER = 200
INSTALL_HINT = (
    "the scene3d domain needs bpy 5.0.1 in its own venv: bash scripts/setup.sh (or: "
    "python3 -m venv .venv-blender && .venv-blender/bin/pip install bpy==5.0.1; apt-get "
    "install libxrender1 libxi6 libxkbcommon0 libsm6 libgl1 libegl1)"
)


def python() -> str:
    return os.environ.get("SYNTH_BLENDER_PYTHON", BLENDER_PYTHON)


def sandbox_paths() -> tuple[str, ...]:
    """The folders a worker's sandbox must show for Blender: its venv and the interpreter
    that venv was made from (its ``pyvenv.cfg`` home), wherever they are."""
    venv = Path(python()).parent.parent
    paths = [str(venv)]
    try:
        for line in (venv / "pyvenv.cfg").read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home":
                paths.append(str(Path(value.strip()).parent))
    except OSError:
        pass
    return tuple(p for p in paths if os.path.isdir(p))


def env() -> dict[str, str]:
    """This environment without PYTHONPATH/PYTHONHOME: synth's (numpy 2) must not reach bpy,
    which pins numpy<2 in its own venv."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def helper_pids() -> tuple[int, ...]:
    """The running Blender process, which a worker's stray sweep must spare. By process id,
    not by folder: its interpreter is the system Python, which a sample must not be able to
    start and leave behind."""
    c = client()
    return (c.pid,) if c.pid is not None else ()


class BlenderClient:
    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self.version = ""
        self.rendered = 0

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        exe = python()
        if not Path(exe).exists():
            raise MissingDependencyError(f"{exe} not found: {INSTALL_HINT}")
        self._proc = subprocess.Popen(
            [exe, WORKER, str(Path(protocol.__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env(),
        )
        header, _ = self._read()
        if header.get("op") != "ready":
            raise RenderError(f"the Blender worker did not start: {header}")
        self.version = str(header.get("version", ""))
        self.rendered = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def _read(self) -> tuple[dict[str, Any], list[bytes]]:
        assert self._proc is not None and self._proc.stdout is not None
        try:
            return read_message(self._proc.stdout.fileno())
        except (EOFError, ValueError):  # it died, or printed into the pipe: end it
            if self._proc.poll() is None:
                self._proc.kill()
            code = self._proc.wait()
            self._proc = None
            if code != 0 and not self.version:
                raise MissingDependencyError(
                    f"the Blender worker exited ({code}) before it was ready: {INSTALL_HINT}"
                ) from None
            raise RenderError(f"the Blender worker died (exit {code})") from None

    def render(
        self, scene: dict[str, Any], assets: dict[str, Any]
    ) -> tuple[dict[str, Any], bytes, np.ndarray, np.ndarray]:
        """``(facts, png, index map uint8 HxW, depth float32 HxW)`` of one scene, built from
        the domain's ``assets`` (its ``palette``, ``sizes`` and ``figures``)."""
        if self.rendered >= RECYCLE_AFTER:
            self.stop()
        self.start()
        assert self._proc is not None and self._proc.stdin is not None
        msg = {"op": "render", "scene": scene, **assets}
        write_message(self._proc.stdin.fileno(), msg)
        header, blobs = self._read()
        self.rendered += 1
        if header.get("op") != "rendered":
            raise RenderError(
                f"Blender could not build or render the scene: {header.get('message')}"
            )
        h, w = header["height"], header["width"]
        index = np.frombuffer(blobs[1], dtype=np.uint8).reshape(h, w)
        depth = np.frombuffer(blobs[2], dtype=np.float32).reshape(h, w)
        return header, blobs[0], index, depth

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            assert proc.stdin is not None
            write_message(proc.stdin.fileno(), {"op": "quit"})
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


Scene = tuple[dict[str, Any], bytes, np.ndarray, np.ndarray]


def _scene_frame(out: Scene) -> Frame:
    facts, png, index, depth = out
    return {"facts": facts}, [png, index.tobytes(), depth.tobytes()]


def _scene_of(frame: Frame) -> Scene:
    head, blobs = frame
    facts = head["facts"]
    h, w = int(facts["height"]), int(facts["width"])
    index = np.frombuffer(blobs[1], dtype=np.uint8).reshape(h, w)
    return facts, blobs[0], index, np.frombuffer(blobs[2], dtype=np.float32).reshape(h, w)


@forwarded("blender.render_scene", _scene_frame, _scene_of)
def render_scene(scene: dict[str, Any], assets: dict[str, Any]) -> Scene:
    """:meth:`BlenderClient.render` on this process's Blender (from a task's own process:
    on its worker's, see :mod:`synth.engine.forked`)."""
    return client().render(scene, assets)


@cache
def client() -> BlenderClient:
    c = BlenderClient()
    atexit.register(c.stop)
    return c


def checks() -> list[Check]:
    """Blender (bpy) in its own venv: what ``synth doctor`` reports."""
    import subprocess

    try:
        out = subprocess.run(
            [python(), "-c", "import bpy; print('blender', bpy.app.version_string)"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env(),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [
            Check(False, f"bpy (scene3d domain): {python()} does not run ({exc})", INSTALL_HINT)
        ]
    line = out.stdout.strip().splitlines()[-1:] or [""]
    if out.returncode != 0 or not line[0].startswith("blender "):
        return [Check(False, f"bpy (scene3d domain): {python()} cannot import bpy", INSTALL_HINT)]
    return [Check(True, f"{line[0]} in its own venv (scene3d domain)", paths=(python(),))]
