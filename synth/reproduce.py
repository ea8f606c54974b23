"""Run stored or given code in the sandbox: ``synth reproduce`` and ``synth render-code``.

from synth.reproduce import render_code, reproduce
png = render_code(source, language="python-matplotlib")      # raises a typed RenderError
same, png = reproduce(Path("data/charts"), "7")              # an id, or a sample's index

A record's ``code`` is what ``reproduce`` re-renders, in a language a registered renderer
runs (:func:`synth.backends.languages`); the built-in ones: ``python-matplotlib`` (a script defining ``draw(target)`` that saves the figure to
``target``; run alone, ``python chart.py out.png``), ``plotly-json`` (a Plotly figure),
``html`` (a self-contained page), ``mermaid`` (Mermaid text) or ``synth-scene-json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from synth import backends
from synth._errors import ConfigError, OutputError, RenderError, RenderTimeout
from synth.dataset import iter_records
from synth.engine.pool import run_code

#: what a code file's name says about its language (``.json`` is read to tell which)
SUFFIXES = {
    ".py": "python-matplotlib",
    ".html": "html",
    ".htm": "html",
    ".mmd": "mermaid",
    ".dot": "dot",
    ".gv": "dot",
}


class RenderFailed(RenderError):
    """The code did not produce an image; ``kind`` is the typed failure
    (crash, memory, forbidden, exception, invalid_image, ...)."""

    def __init__(self, kind: str, message: str, traceback: str = "") -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.traceback = kind, traceback


class RenderMemoryError(RenderFailed, MemoryError):
    pass


class RenderForbidden(RenderFailed, PermissionError):
    pass


def render_code(
    source: str,
    *,
    language: str = "python-matplotlib",
    timeout_s: float = 60.0,
    sandbox: bool = True,
) -> bytes:
    """PNG bytes of ``source`` rendered in a fresh sandboxed worker; typed errors otherwise."""
    header, png = run_code(language, source, timeout_s=timeout_s, sandbox=sandbox)
    if header["op"] == "rendered":
        return png
    kind, message, tb = header["kind"], header["message"], header.get("traceback", "")
    if kind == "timeout":
        raise RenderTimeout(f"timeout: {message}")
    if kind == "memory":
        raise RenderMemoryError(kind, message, tb)
    if kind == "forbidden":
        raise RenderForbidden(kind, message, tb)
    raise RenderFailed(kind, message, tb)


def reproduce(
    root: Path, sample_id: str, *, timeout_s: float = 60.0, sandbox: bool = True
) -> tuple[bool, bytes]:
    """Re-render record ``sample_id`` (its id, or its index such as ``7``) of the dataset at
    ``root`` from its stored code, degraded again as the run degraded it: ``(bytes identical
    to the stored image?, new PNG)``."""
    same, png, _ = _reproduce(root, sample_id, timeout_s=timeout_s, sandbox=sandbox)
    return same, png


def _reproduce(
    root: Path, sample_id: str, *, timeout_s: float, sandbox: bool
) -> tuple[bool, bytes, dict[str, Any]]:
    record = find_record(root, sample_id)
    code = record["code"]
    new = render_code(
        code["source"], language=code["language"], timeout_s=timeout_s, sandbox=sandbox
    )
    about: dict[str, Any] = {"id": record["id"]}
    degradation = record.get("annotations", {}).get("degradation")
    if degradation:
        from synth.build import qa_rng
        from synth.degrade import ScanParams, scan_image

        params = ScanParams(**{k: v for k, v in degradation.items() if k != "mode"})
        new = scan_image(new, params, seed=int(qa_rng(record["spec"]).integers(2**62)))
        about["degraded"] = degradation["mode"]
    expected = record["image"]["sha256"]
    photoreal = record.get("annotations", {}).get("photoreal")
    if photoreal:  # the code draws the render the diffusion started from (render.png)
        expected = photoreal["render_sha256"]
        about["compared_with"] = "render.png (the image before scene3d.photoreal)"
    return hashlib.sha256(new).hexdigest() == expected, new, about


def find_record(root: Path, sample_id: str) -> dict[str, Any]:
    """The record with id ``sample_id``, or with that index when it is a number."""
    index = int(sample_id) if sample_id.isdigit() else None
    first: list[str] = []
    for record in iter_records(root):
        seed = record.get("seed")
        at = seed.get("index") if isinstance(seed, dict) else None
        if record["id"] == sample_id or (index is not None and at == index):
            return record
        if len(first) < 3:
            first.append(record["id"])
    raise OutputError(
        f"no record {sample_id!r} in {root}; give an id such as "
        f"{', '.join(first) or '(the dataset is empty)'}, or a sample index such as 7"
    )


def guess_language(path: Path, source: str) -> str:
    """The language of a code file from its name, and for ``.json`` from its keys."""
    if path.suffix.lower() in SUFFIXES:
        return SUFFIXES[path.suffix.lower()]
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(source)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path} is not valid JSON ({exc}); fix it or pass --language"
            ) from None
        if isinstance(data, dict) and {"objects", "camera"} <= data.keys():
            return "synth-scene-json"
        if isinstance(data, dict) and ("data" in data or "layout" in data):
            return "plotly-json"
    raise ConfigError(
        f"cannot tell which language {path} is written in; pass --language, one of: "
        + ", ".join(backends.languages())
    )


def check_out(out: str | None) -> None:
    """An output file's folder must exist (exit 2 before any work, not a traceback after)."""
    if out is not None and not Path(out).resolve().parent.is_dir():
        raise ConfigError(f"--out {out}: folder {Path(out).parent} does not exist; create it first")


def render_code_cli(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"code file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read code file {path}: {exc.strerror or exc}") from None
    check_out(args.out)
    language = args.language or guess_language(path, source)
    if language not in backends.languages():
        raise ConfigError(
            f"--language {language}: no renderer runs it; one of: {', '.join(backends.languages())}"
        )
    try:
        png = render_code(
            source, language=language, timeout_s=args.timeout_s, sandbox=not args.no_sandbox
        )
    except RenderError as exc:
        print(
            json.dumps({"ok": False, "kind": getattr(exc, "kind", "timeout"), "message": str(exc)})
        )
        return 1
    Path(args.out).write_bytes(png)
    print(
        json.dumps(
            {
                "ok": True,
                "out": args.out,
                "language": language,
                "sha256": hashlib.sha256(png).hexdigest(),
            }
        )
    )
    return 0


def reproduce_cli(args: argparse.Namespace) -> int:
    check_out(args.out)
    try:
        same, png, about = _reproduce(
            Path(args.dir), args.id, timeout_s=args.timeout_s, sandbox=not args.no_sandbox
        )
    except RenderError as exc:
        print(
            json.dumps(
                {
                    "id": args.id,
                    "ok": False,
                    "kind": getattr(exc, "kind", "timeout"),
                    "message": str(exc),
                }
            )
        )
        return 1
    if args.out:
        Path(args.out).write_bytes(png)
    report = {**about, "identical": same, "sha256": hashlib.sha256(png).hexdigest()}
    if not same:
        report["reason"] = (
            "the re-rendered image's bytes differ from the stored image's sha256: another "
            "renderer version, fonts or machine, or the dataset was changed (synth validate)"
        )
    print(json.dumps(report))
    sys.stdout.flush()
    return 0 if same else 1
