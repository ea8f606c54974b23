"""Run stored or given code in the sandbox: ``synth reproduce`` and ``synth render-code``.

from synth.reproduce import render_code, reproduce
png = render_code(source, language="python-matplotlib")      # raises a typed RenderError
same, png = reproduce(Path("data/charts"), "chart-bar-000000007")
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from synth._errors import ConfigError, OutputError, RenderError, RenderTimeout
from synth.dataset import iter_samples
from synth.renderers._pool import run_code


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
    """Re-render record ``sample_id`` of the dataset at ``root`` from its stored code:
    ``(bytes identical to the stored image?, new PNG)``."""
    for record, _png in iter_samples(root):
        if record["id"] == sample_id:
            code = record["code"]
            new = render_code(
                code["source"], language=code["language"], timeout_s=timeout_s, sandbox=sandbox
            )
            return hashlib.sha256(new).hexdigest() == record["image"]["sha256"], new
    raise OutputError(f"no record {sample_id!r} in {root}; ids look like chart-bar-000000007")


def render_code_cli(args: argparse.Namespace) -> int:
    try:
        source = Path(args.file).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read code file {args.file}: {exc.strerror or exc}") from None
    try:
        png = render_code(
            source, language=args.language, timeout_s=args.timeout_s, sandbox=not args.no_sandbox
        )
    except RenderError as exc:
        print(
            json.dumps({"ok": False, "kind": getattr(exc, "kind", "timeout"), "message": str(exc)})
        )
        return 1
    Path(args.out).write_bytes(png)
    print(json.dumps({"ok": True, "out": args.out, "sha256": hashlib.sha256(png).hexdigest()}))
    return 0


def reproduce_cli(args: argparse.Namespace) -> int:
    try:
        same, png = reproduce(
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
    print(json.dumps({"id": args.id, "identical": same, "sha256": hashlib.sha256(png).hexdigest()}))
    sys.stdout.flush()
    return 0 if same else 1
