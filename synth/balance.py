"""Answer balancing over a whole run: one deterministic selection pass, not per shard.

Question programs already draw their answers evenly where they can (yes or no first), but
what a scene or a chart allows skews them: most objects are not hidden, most counts are
small. After a run, every question is put in its group (domain and program); in a group of
categorical answers (yes/no, multiple choice, or at most :data:`MAX_VALUES` distinct words
or numbers, each seen :data:`REPEATS` times on average) each answer keeps at most ``cap`` questions, where ``cap`` is the smallest
number at least the rarest answer's count that keeps ``keep_min`` of the group. Which
questions of an over-represented answer stay is decided by a hash of (run seed, record id,
question id), so the choice depends on nothing but the dataset: not on shards, workers,
order or resumes.

The selection is stored as ``balance.json`` beside the manifest: per group, the answer
counts before and after and, per capped answer, the largest hash that stays. Readers apply
it with :class:`Selection` (``synth export`` does by default); the shards are not rewritten,
so ``synth balance DIR --keep-min 0`` re-balances (exactly even answers) without generating
again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from synth._errors import ConfigError
from synth.record import option_letter

FILE = "balance.json"
FORMAT = 1
MAX_VALUES = 12  # a text or number program with more distinct answers is not categorical
REPEATS = 5
CATEGORICAL = ("bool", "choice")


@dataclasses.dataclass(frozen=True)
class Rule:
    """``keep_min``: a group keeps at least this share of its questions (0: exactly even
    answers, whatever it costs); ``min_group``: smaller groups are left alone."""

    keep_min: float = 0.5
    min_group: int = 20

    def __post_init__(self) -> None:
        if not 0.0 <= self.keep_min <= 1.0:
            raise ConfigError(f"--keep-min must be between 0 and 1, got {self.keep_min}")
        if self.min_group < 1:
            raise ConfigError(f"--min-group must be at least 1, got {self.min_group}")


def group_of(record: dict[str, Any], qa: dict[str, Any]) -> str:
    return f"{record['domain']}/{qa['program']}"


def answer_key(qa: dict[str, Any], by: str = "value") -> str:
    """The answer as balancing counts it: its value, or for multiple choice with choices
    that differ from question to question, its position (``(B)``)."""
    if by == "position":
        return option_letter(qa["choices"], qa["answer"])
    return json.dumps(qa["answer"], sort_keys=True, ensure_ascii=False)


def rank(run_seed: int, record_id: str, qa_id: str) -> int:
    """Where a question stands among those with its answer (smaller stays first)."""
    digest = hashlib.sha256(f"{run_seed}:{record_id}:{qa_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _cap(counts: Counter[str], keep_min: float) -> int:
    """The smallest cap, at least the rarest answer's count, keeping ``keep_min`` of all."""
    total, cap = sum(counts.values()), min(counts.values())
    while sum(min(c, cap) for c in counts.values()) < keep_min * total:
        cap += 1
    return cap


def plan(records: Iterable[dict[str, Any]], run_seed: int, rule: Rule = Rule()) -> dict[str, Any]:
    """The selection (``balance.json``'s content) for every record of a run."""
    ranks: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    places: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    types: dict[str, set[str]] = defaultdict(set)
    menus: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for record in records:
        for qa in record["qa"]:
            g = group_of(record, qa)
            types[g].add(qa["answer_type"])
            if qa["answer_type"] in ("point", "box"):
                continue
            r = rank(run_seed, record["id"], qa["id"])
            ranks[g][answer_key(qa)].append(r)
            if qa["answer_type"] == "choice":
                menus[g].add(tuple(qa["choices"]))
                places[g][answer_key(qa, "position")].append(r)
    groups: dict[str, Any] = {}
    for g in sorted(ranks):
        by = "position" if len(menus[g]) > 1 else "value"
        if by == "position":  # the options change: what must not be skewed is where it is
            ranks[g] = places[g]
        counts = Counter({k: len(v) for k, v in ranks[g].items()})
        total = sum(counts.values())
        # words or numbers count as categories when few, each seen REPEATS times on average
        categorical = types[g] <= set(CATEGORICAL) or (
            len(counts) <= MAX_VALUES and total >= REPEATS * len(counts)
        )
        entry: dict[str, Any] = {
            "by": by,
            "before": dict(sorted(counts.items())),
            "questions": total,
        }
        if not categorical or total < rule.min_group or len(counts) < 2:
            entry["balanced"] = False
            entry["why"] = (
                "not categorical"
                if not categorical
                else f"fewer than {rule.min_group} questions"
                if total < rule.min_group
                else "one answer only"
            )
            groups[g] = entry
            continue
        cap = _cap(counts, rule.keep_min)
        limits = {}
        for key, rs in sorted(ranks[g].items()):
            if len(rs) > cap:
                limits[key] = f"{sorted(rs)[cap - 1]:016x}"
        after = {k: min(c, cap) for k, c in sorted(counts.items())}
        entry |= {"balanced": True, "cap": cap, "after": after, "keep_up_to": limits}
        entry["kept"] = sum(after.values())
        groups[g] = entry
    return {
        "format": FORMAT,
        "run_seed": run_seed,
        "rule": dataclasses.asdict(rule) | {"max_values": MAX_VALUES},
        "groups": groups,
        "questions": sum(e["questions"] for e in groups.values()),
        "kept": sum(e.get("kept", e["questions"]) for e in groups.values()),
    }


class Selection:
    """Which questions a balanced reader keeps (all of them when there is no plan)."""

    def __init__(self, plan: dict[str, Any] | None) -> None:
        self.seed = plan["run_seed"] if plan else 0
        self.limits: dict[str, dict[str, int]] = {}
        self.by: dict[str, str] = {}
        for g, entry in (plan or {}).get("groups", {}).items():
            if entry.get("keep_up_to"):
                self.limits[g] = {k: int(v, 16) for k, v in entry["keep_up_to"].items()}
                self.by[g] = entry["by"]

    @classmethod
    def load(cls, root: Path) -> Selection:
        return cls(load(root))

    def keep(self, record: dict[str, Any], qa: dict[str, Any]) -> bool:
        g = group_of(record, qa)
        if g not in self.limits:
            return True
        limit = self.limits[g].get(answer_key(qa, self.by[g]))
        return limit is None or rank(self.seed, record["id"], qa["id"]) <= limit

    def apply(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with only the questions the selection keeps."""
        if not self.limits:
            return record
        return {**record, "qa": [q for q in record["qa"] if self.keep(record, q)]}


def load(root: Path) -> dict[str, Any] | None:
    """The dataset's stored selection (``balance.json``), or None when it has none."""
    path = root / FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def write(root: Path, run_seed: int, rule: Rule = Rule()) -> dict[str, Any]:
    """Plan the selection over every record of the dataset at ``root``; write balance.json."""
    from synth.dataset import iter_records
    from synth.writer import write_json

    selection = plan(iter_records(root), run_seed, rule)
    write_json(root / FILE, selection)
    return selection


def report(selection: dict[str, Any]) -> str:
    """A table of what the selection does, group by group."""
    lines = ["| group | questions | kept | answers before -> after |", "|---|---|---|---|"]
    for g, e in selection["groups"].items():
        if e["balanced"]:
            change = ", ".join(f"{k}: {e['before'][k]}->{e['after'][k]}" for k in e["before"])
        else:
            change = f"left alone ({e['why']})"
        lines.append(f"| {g} | {e['questions']} | {e.get('kept', e['questions'])} | {change} |")
    lines.append(f"\n{selection['kept']} of {selection['questions']} questions kept")
    return "\n".join(lines)
