"""``synth validate``: schema, files, image/record consistency and QA self-checks."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from synth import balance
from synth.config import default_max_failures
from synth.dataset import load_manifest, read_shard
from synth.record import ANSWER_TYPES, ID_PATTERN
from synth.writer import sha256_file

REQUIRED = (
    "id",
    "domain",
    "family",
    "generator",
    "seed",
    "persona",
    "topic",
    "spec",
    "code",
    "image",
    "qa",
    "annotations",
    "checks",
    "versions",
)
QA_REQUIRED = (
    "id",
    "question",
    "answer",
    "answer_type",
    "reasoning",
    "program",
    "params",
    "skills",
    "difficulty",
)


def validate(root: Path) -> dict[str, Any]:
    """A report: ``ok`` plus counts of problems by kind and up to 20 examples. Damaged data
    (a truncated shard, a record that is not JSON, a manifest of the wrong shape) is a
    problem in the report, never an exception."""
    manifest = load_manifest(root)
    problems: Counter[str] = Counter()
    examples: list[str] = []
    flags: Counter[str] = Counter()

    def bad(kind: str, where: str) -> None:
        problems[kind] += 1
        if len(examples) < 20:
            examples.append(f"{where}: {kind}")

    shards = manifest.get("shards")
    counts = manifest.get("counts")
    if not isinstance(shards, list) or not isinstance(counts, dict):
        bad("manifest lacks its shard list or counts", "manifest.json")
        shards, counts = [], {}
    n = 0
    ids: set[str] = set()
    slim: list[dict[str, Any]] = []  # what answer balancing reads, to re-plan it
    for shard in shards:
        name = str(shard.get("file")) if isinstance(shard, dict) else repr(shard)
        path = root / name
        if not isinstance(shard, dict) or not path.is_file():
            bad("missing shard", name)
            continue
        if sha256_file(path) != shard.get("sha256"):
            bad("shard checksum differs from manifest", name)
        try:
            for key, files in read_shard(path):
                n += 1
                _check_sample(key, files, ids, slim, flags, bad)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            bad(f"unreadable shard ({type(exc).__name__}: {exc})", name)
    plan = balance.load(root)
    if plan is not None and manifest.get("complete") and not problems:
        rule = balance.Rule(plan["rule"]["keep_min"], plan["rule"]["min_group"])
        if balance.plan(slim, plan["run_seed"], rule)["groups"] != plan["groups"]:
            bad(f"does not match the records; re-plan it: synth balance {root}", balance.FILE)
    written, requested = counts.get("written"), counts.get("requested")
    if n != written:
        bad(f"manifest says {written} samples, shards hold {n}", "manifest.json")
    failed = _failures(root)
    if requested and n == 0:
        bad(f"no samples: all {requested} failed", "failures.jsonl")
    if isinstance(requested, int) and sum(failed.values()) > default_max_failures(requested):
        bad(
            f"{sum(failed.values())} of {requested} samples failed, more than 10%", "failures.jsonl"
        )
    return {
        "ok": not problems,
        "samples": n,
        "complete": manifest.get("complete"),
        "failed": dict(failed),
        "problems": dict(problems),
        "flags": dict(flags),
        "examples": examples,
    }


def _check_sample(
    key: str,
    files: dict[str, bytes],
    ids: set[str],
    slim: list[dict[str, Any]],
    flags: Counter[str],
    bad: Callable[[str, str], None],
) -> None:
    if "json" not in files or "png" not in files:
        bad(f"sample lacks its {'json' if 'json' not in files else 'png'}", key)
        return
    try:
        record = json.loads(files["json"].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        bad(f"record is not valid JSON ({type(exc).__name__})", key)
        return
    if not isinstance(record, dict):
        bad("record is not a JSON object", key)
        return
    try:
        _check_record(record, files["png"], ids, slim, flags, bad)
    except (KeyError, TypeError, ValueError, OSError) as exc:  # a field of the wrong shape
        bad(f"malformed record ({type(exc).__name__}: {exc})", key)


def _check_record(
    record: dict[str, Any],
    png: bytes,
    ids: set[str],
    slim: list[dict[str, Any]],
    flags: Counter[str],
    bad: Callable[[str, str], None],
) -> None:
    rid = str(record.get("id"))
    for key in REQUIRED:
        if key not in record:
            bad(f"record lacks {key}", rid)
    if not ID_PATTERN.match(rid):
        bad("id has characters outside a-z 0-9 - _", rid)
    if rid in ids:
        bad("duplicate id", rid)
    ids.add(rid)
    slim.append(
        {
            "id": record.get("id"),
            "domain": record.get("domain"),
            "qa": [
                {k: q.get(k) for k in ("id", "program", "answer_type", "answer", "choices")}
                for q in record.get("qa", [])
            ],
        }
    )
    if hashlib.sha256(png).hexdigest() != record["image"]["sha256"]:
        bad("image bytes differ from record sha256", rid)
    try:
        with Image.open(io.BytesIO(png)) as img:
            img.load()
            size = img.size
    except (OSError, SyntaxError, Image.DecompressionBombError):
        bad("image is not a readable PNG", rid)
    else:
        if size != (record["image"]["width"], record["image"]["height"]):
            bad("image size differs from record", rid)
    for qa in record["qa"]:
        for key in QA_REQUIRED:
            if key not in qa:
                bad(f"qa lacks {key}", rid)
        if qa.get("answer_type") not in ANSWER_TYPES:
            bad("unknown answer_type", rid)
        if qa.get("answer_type") == "choice" and qa["answer"] not in qa.get("choices", []):
            bad("choice answer not among choices", rid)
        if qa.get("answer_type") == "point":
            x, y = qa["answer"]
            bx, by, bw, bh = qa["tolerance"]["box"]
            if not (bx <= x <= bx + bw and by <= y <= by + bh):
                bad("point answer outside its box", rid)
    for name, passed in record["checks"].items():
        if not passed:
            flags[name] += 1
            bad(f"record failed its own check {name} (such a sample is a failure)", rid)


def _failures(root: Path) -> Counter[str]:
    """Failed samples of the run by kind (``failures.jsonl``; damaged lines count as
    ``unreadable``)."""
    kinds: Counter[str] = Counter()
    path = root / "failures.jsonl"
    if not path.exists():
        return kinds
    for line in path.read_bytes().splitlines():
        try:
            kinds[str(json.loads(line.decode("utf-8")).get("kind"))] += 1
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            kinds["unreadable"] += 1
    return kinds
