"""The shard writer alone: reproducible WebDataset tars published whole, atomic JSON, and a
resume log whose torn last line is dropped."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from pathlib import Path

import pytest

from synth.writer import ShardWriter, append_line, read_lines, sha256_file, write_json

SAMPLES = [("a-000001", {"png": b"\x89PNG one", "json": b'{"id": 1}'}),
           ("a-000002", {"png": b"\x89PNG two" * 300, "json": b'{"id": 2}'})]  # fmt: skip


def _write(path: Path) -> str:
    w = ShardWriter(path)
    for key, files in SAMPLES:
        w.add(key, files)
    assert w.count == 2 and not path.exists(), "unpublished until closed"
    return w.close()


def test_a_shard_is_a_plain_reproducible_tar_in_the_order_added(tmp_path: Path) -> None:
    digest = _write(tmp_path / "shard-000000.tar")
    path = tmp_path / "shard-000000.tar"
    assert digest == sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not (tmp_path / "shard-000000.tar.tmp").exists()
    with tarfile.open(path) as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == ["a-000001.png", "a-000001.json",
                                             "a-000002.png", "a-000002.json"]  # fmt: skip
        for m, data in zip(members, [d for _, f in SAMPLES for d in f.values()], strict=True):
            assert (m.mtime, m.mode, m.uid, m.gid, m.uname, m.gname) == (
                1_700_000_000,
                0o644,
                0,
                0,
                "",
                "",
            )
            assert tar.extractfile(m).read() == data  # type: ignore[union-attr]
    assert path.read_bytes()[257:263] == b"ustar\x00", "POSIX ustar headers"
    again = _write(tmp_path / "again.tar")
    assert again == digest, "the same samples give the same bytes"


def test_a_key_with_a_dot_is_refused(tmp_path: Path) -> None:
    w = ShardWriter(tmp_path / "s.tar")
    with pytest.raises(ValueError, match="must not contain '.'"):
        w.add("a.b", {"png": b""})
    w.abort()


def test_abort_drops_the_shard_even_when_closing_fails(tmp_path: Path) -> None:
    """A disk that failed a write may fail the flush on close too: abort still removes the
    unfinished file and raises nothing."""
    w = ShardWriter(tmp_path / "s.tar")
    w.add("a", {"png": b"x" * 10})
    real = w._file

    class Failing:
        def close(self) -> None:
            real.close()
            raise OSError(28, "No space left on device")

    w._file = Failing()  # type: ignore[assignment]
    w.abort()
    assert os.listdir(tmp_path) == []


def test_json_is_written_whole_with_stable_keys_and_text(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    data = {"z": 1, "a": {"city": "Zürich", "n": [1, 2]}}
    write_json(path, data)
    assert path.read_text(encoding="utf-8") == (
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    assert '"city": "Zürich"' in path.read_text(encoding="utf-8")
    assert os.listdir(tmp_path) == ["manifest.json"]


def test_the_resume_log_keeps_every_whole_line_and_drops_a_torn_one(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    assert read_lines(log) == []
    for i in range(3):
        append_line(log, {"i": i, "city": "Zürich"})
    assert log.read_text(encoding="utf-8").splitlines() == [
        json.dumps({"city": "Zürich", "i": i}, ensure_ascii=False) for i in range(3)
    ], "one line each, no blank lines between"
    with open(log, "a", encoding="utf-8") as f:
        f.write('{"i": 3, "ci')  # killed mid-write
    assert read_lines(log) == [{"i": i, "city": "Zürich"} for i in range(3)]
    append_line(log, {"z": 1, "a": 2})  # a later run appends after the torn line
    assert read_lines(log)[-1] == {"z": 1, "a": 2} and len(read_lines(log)) == 4
    assert log.read_text(encoding="utf-8").endswith('{"a": 2, "z": 1}\n'), "keys sorted"


def test_a_large_file_hashes_over_its_blocks(tmp_path: Path) -> None:
    path = tmp_path / "big"
    data = os.urandom(3 * (1 << 20) + 17)
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
