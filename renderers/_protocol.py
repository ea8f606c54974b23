"""Plain messages over pipes, so a worker can be any Python (another venv, another version).

A frame is: 4-byte big-endian length of a UTF-8 JSON header, the header, then the binary
blobs whose lengths the header lists under ``"blobs"``. Reads go straight to the file
descriptor (no Python buffering), so ``select`` on it stays truthful.
"""

from __future__ import annotations

import json
import os
from typing import Any

MAX_HEADER = 64 * 2**20
MAX_BLOB = 512 * 2**20


def write_message(
    fd: int, header: dict[str, Any], blobs: list[bytes] | tuple[bytes, ...] = ()
) -> None:
    head = dict(header)
    head["blobs"] = [len(b) for b in blobs]
    data = json.dumps(head, ensure_ascii=False).encode()
    _write_all(fd, len(data).to_bytes(4, "big") + data)
    for blob in blobs:
        _write_all(fd, blob)


def read_message(fd: int) -> tuple[dict[str, Any], list[bytes]]:
    """The next message; EOFError when the other side closed (or died) before a whole frame."""
    size = int.from_bytes(_read_exact(fd, 4), "big")
    if size > MAX_HEADER:
        raise EOFError(f"message header of {size} bytes is over the {MAX_HEADER} limit")
    header: dict[str, Any] = json.loads(_read_exact(fd, size))
    blobs = []
    for n in header.pop("blobs", []):
        if n > MAX_BLOB:
            raise EOFError(f"message blob of {n} bytes is over the {MAX_BLOB} limit")
        blobs.append(_read_exact(fd, n))
    return header, blobs


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exact(fd: int, n: int) -> bytes:
    parts = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the pipe")
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)
