"""Plain messages over pipes, so a worker can be any Python (another venv, another version).

A frame is: 4-byte big-endian length of a UTF-8 JSON header, the header, then the binary
blobs whose lengths the header lists under ``"blobs"``. Reads go straight to the file
descriptor (no Python buffering), so ``select`` on it stays truthful.
"""

from __future__ import annotations

import json
import os
import select
import time
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


def read_message(fd: int, deadline: float | None = None) -> tuple[dict[str, Any], list[bytes]]:
    """The next message. EOFError when the other side closed (or died) before a whole frame,
    ValueError when the frame is malformed, TimeoutError when ``deadline`` (a
    ``time.monotonic()`` value) passes before the whole frame came."""
    size = int.from_bytes(_read_exact(fd, 4, deadline), "big")
    if size > MAX_HEADER:
        raise EOFError(f"message header of {size} bytes is over the {MAX_HEADER} limit")
    try:
        header = json.loads(_read_exact(fd, size, deadline))
    except UnicodeDecodeError as exc:
        raise ValueError(f"message header is not UTF-8: {exc}") from None
    if not isinstance(header, dict):
        raise ValueError(f"message header is a {type(header).__name__}, not an object")
    sizes = header.pop("blobs", [])
    if not (isinstance(sizes, list) and all(type(n) is int and 0 <= n for n in sizes)):
        raise ValueError("message blob sizes are not a list of sizes")
    blobs = []
    for n in sizes:
        if n > MAX_BLOB:
            raise EOFError(f"message blob of {n} bytes is over the {MAX_BLOB} limit")
        blobs.append(_read_exact(fd, n, deadline))
    return header, blobs


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    parts = []
    while n:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError("the other side sent part of a message, then stopped")
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the pipe")
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)
