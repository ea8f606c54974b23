"""Sharded output: WebDataset tars written in index order, then published atomically.

A shard is written to ``shard-NNNNNN.tar.tmp`` and renamed only when complete, so a reader
(and ``--resume``) never sees a truncated shard. Tar headers are fixed (mtime, owner, mode),
so the same samples give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

MTIME = 1_700_000_000  # fixed so tars are reproducible


class ShardWriter:
    """One WebDataset shard: ``{key}.{ext}`` members grouped by sample, in the order added."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self._file = open(self.tmp, "wb")  # noqa: SIM115 - closed in close()/abort()
        self._hash = hashlib.sha256()
        self._tar = tarfile.TarFile(
            fileobj=_HashingFile(self._file, self._hash),  # type: ignore[arg-type]
            mode="w",
            format=tarfile.USTAR_FORMAT,
        )
        self.count = 0

    def add(self, key: str, files: dict[str, bytes]) -> None:
        """Add one sample: ``files`` maps an extension (``png``, ``json``) to its bytes."""
        if "." in key:
            raise ValueError(f"WebDataset key {key!r} must not contain '.'")
        for ext, data in files.items():
            info = tarfile.TarInfo(f"{key}.{ext}")
            info.size = len(data)
            info.mtime = MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            self._tar.addfile(info, io.BytesIO(data))
        self.count += 1

    def close(self) -> str:
        """Finish the tar, make it durable, publish it under its final name; its sha256."""
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.tmp, self.path)
        _fsync_dir(self.path.parent)
        return self._hash.hexdigest()

    def abort(self) -> None:
        """Drop the unfinished shard."""
        try:
            self._file.close()
        except OSError:
            pass  # the write that failed may fail again on flush; the file goes anyway
        finally:
            self.tmp.unlink(missing_ok=True)


class _HashingFile:
    """A write-only file wrapper that hashes what goes through it."""

    def __init__(self, f: Any, h: Any) -> None:
        self._f, self._h = f, h

    def write(self, data: bytes) -> int:
        self._h.update(data)
        return int(self._f.write(data))

    def tell(self) -> int:
        return int(self._f.tell())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (tmp + rename) with stable key order."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    os.replace(tmp, path)


def append_line(path: Path, data: Any) -> None:
    """Append one JSON line and make it durable (the resume log). After a line torn by a
    kill, the new one starts on a line of its own."""
    with open(path, "a+b") as f:
        size = os.fstat(f.fileno()).st_size
        torn = size > 0 and os.pread(f.fileno(), 1, size - 1) != b"\n"
        text = ("\n" if torn else "") + json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n"
        f.write(text.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def read_lines(path: Path) -> list[dict[str, Any]]:
    """JSON lines of ``path``; a damaged line (a torn last line, killed mid-write, with more
    appended after it by a later run) is skipped, the lines after it kept."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out
