"""``synth validate``: schema, files, image/record consistency and QA self-checks."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from pathlib import Path
from typing import Any

from PIL import Image

from synth.dataset import iter_samples, load_manifest
from synth.qa_synth import balance
from synth.record import ANSWER_TYPES, ID_PATTERN

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
    """A report: ``ok`` plus counts of problems by kind and up to 20 examples."""
    manifest = load_manifest(root)
    problems: Counter[str] = Counter()
    examples: list[str] = []
    ids: set[str] = set()
    flags: Counter[str] = Counter()

    def bad(kind: str, where: str) -> None:
        problems[kind] += 1
        if len(examples) < 20:
            examples.append(f"{where}: {kind}")

    for shard in manifest["shards"]:
        path = root / shard["file"]
        if not path.exists():
            bad("missing shard", shard["file"])
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != shard["sha256"]:
            bad("shard checksum differs from manifest", shard["file"])
    n = 0
    slim: list[dict[str, Any]] = []  # what answer balancing reads, to re-plan it
    for record, png in iter_samples(root):
        n += 1
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
        rid = str(record.get("id"))
        for key in REQUIRED:
            if key not in record:
                bad(f"record lacks {key}", rid)
        if not ID_PATTERN.match(rid):
            bad("id has characters outside a-z 0-9 - _", rid)
        if rid in ids:
            bad("duplicate id", rid)
        ids.add(rid)
        if hashlib.sha256(png).hexdigest() != record["image"]["sha256"]:
            bad("image bytes differ from record sha256", rid)
        with Image.open(io.BytesIO(png)) as img:
            if img.size != (record["image"]["width"], record["image"]["height"]):
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
                flags[name] += 1  # verify flags are reported, not errors
    plan = balance.load(root)
    if plan is not None and manifest["complete"]:
        rule = balance.Rule(plan["rule"]["keep_min"], plan["rule"]["min_group"])
        if balance.plan(slim, plan["run_seed"], rule)["groups"] != plan["groups"]:
            bad(f"does not match the records; re-plan it: synth balance {root}", balance.FILE)
    counts = manifest["counts"]
    if n != counts["written"]:
        bad(f"manifest says {counts['written']} samples, shards hold {n}", "manifest.json")
    return {
        "ok": not problems,
        "samples": n,
        "complete": manifest["complete"],
        "problems": dict(problems),
        "flags": dict(flags),
        "examples": examples,
    }
