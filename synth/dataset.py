"""Reading a synth output folder back: manifest, shards, records (no external reader needed)."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from synth._errors import OutputError


def load_manifest(root: Path) -> dict[str, Any]:
    path = root / "manifest.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(
            f"{root} is not a synth dataset (no manifest.json); run synth generate --out {root} first"
        ) from None
    except json.JSONDecodeError as exc:
        raise OutputError(f"{path} is not valid JSON: {exc}") from None
    return data


def iter_records(root: Path) -> Iterator[dict[str, Any]]:
    """Every record, in shard and index order, reading only the JSON members."""
    for shard in load_manifest(root)["shards"]:
        with tarfile.open(root / shard["file"], "r") as tar:
            for member in tar:
                if member.name.endswith(".json"):
                    f = tar.extractfile(member)
                    if f is not None:
                        yield json.loads(f.read())


def iter_samples(root: Path, *, balanced: bool = False) -> Iterator[tuple[dict[str, Any], bytes]]:
    """``(record, png bytes)`` for every sample, in shard and index order; ``balanced``:
    with only the questions the run's answer balancing keeps (``balance.json``)."""
    manifest = load_manifest(root)
    if balanced:
        from synth.balance import Selection

        selection = Selection.load(root)
        for record, png in iter_samples(root):
            yield selection.apply(record), png
        return
    for shard in manifest["shards"]:
        for _, files in read_shard(root / shard["file"]):
            if {"json", "png"} <= files.keys():
                yield json.loads(files["json"]), files["png"]


def read_shard(path: Path) -> Iterator[tuple[str, dict[str, bytes]]]:
    """``(key, {ext: bytes})`` per sample of one WebDataset shard, in order; a sample is
    complete once its ``json`` and ``png`` are read (further files come before them). A
    sample cut short by the end of the tar is yielded with what it has."""
    with tarfile.open(path, "r") as tar:
        pending: dict[str, dict[str, bytes]] = {}
        for member in tar:
            key, _, ext = member.name.partition(".")
            f = tar.extractfile(member)
            if f is None:
                continue
            pending.setdefault(key, {})[ext] = f.read()
            if {"json", "png"} <= pending[key].keys():
                yield key, pending.pop(key)
    yield from pending.items()
