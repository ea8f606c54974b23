"""Scoring a model's answers to a synth dataset, by the metric each answer type calls for.

Predictions are JSON lines, one per question answered:

* ``{"id": RECORD_ID, "qid": "q3", "prediction": "..."}`` (the record and its question), or
* ``{"question_id": "RECORD_ID/q3", "text": "..."}``: what LLaVA's ``model_vqa`` writes for
  questions keyed ``RECORD_ID/QID`` (the ``question_ids`` of ``synth export --format llava``).

Each prediction is scored 0 to 1:

* ``number``: right within the record's tolerance, or, where it has none, ChartQA's relaxed
  accuracy (within 5% of the answer); the first number in the text is read (commas, a
  leading currency sign and a trailing unit or % are allowed).
* ``text``: ANLS (1 minus the normalised Levenshtein distance, 0 at 0.5 or more) after
  lower-casing and collapsing spaces and punctuation at the ends.
* ``bool``: the first yes/no (or true/false) word.
* ``choice``: the option letter, ``(B)``, ``B`` or ``B.``, or the option's own text.
* ``point``: inside the record's box; ``box``: IoU with the answer of 0.5 or more. Both in
  pixels unless ``coords`` and ``box_format`` say how the export asked for them.

A prediction whose value cannot be read scores 0 and is counted as unparseable. Questions
without a prediction are counted as missing, predictions for no known question as unknown;
none is dropped silently. A line that is not such JSON is a :class:`~synth._errors.ConfigError`
naming its line (exit 2).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from synth._errors import ConfigError
from synth.dataset import iter_samples

#: ChartQA's relaxed accuracy: a number within 5% of the answer
RELAXED = 0.05
ANLS_THRESHOLD = 0.5
IOU_THRESHOLD = 0.5
#: the slices a report breaks accuracy down by (fields of the record or of its question, and
#: the size of the text it reads)
SLICES = ("domain", "family", "program", "skill", "difficulty", "answer_type", "text_size")

_NUMBER = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?|[-−]?\.\d+")


def read_predictions(path: Path) -> dict[tuple[str, str], str]:
    """``(record id, question id) -> prediction`` from a JSON-lines file; a malformed line is a
    ConfigError naming it. A question answered twice keeps its first answer."""
    out: dict[tuple[str, str], str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"--predictions {path} does not exist") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path}:{n}: not JSON ({exc.msg}); each line is one prediction"
            ) from None
        key = _key(item)
        text = item.get("prediction", item.get("text")) if isinstance(item, dict) else None
        if key is None or not isinstance(text, str | int | float | bool) or text is None:
            raise ConfigError(
                f'{path}:{n}: a prediction is {{"id", "qid", "prediction"}} or '
                f'{{"question_id": "ID/QID", "text"}}; got {line[:120]}'
            )
        out.setdefault(key, str(text))
    return out


def _key(item: Any) -> tuple[str, str] | None:
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("id"), str) and isinstance(item.get("qid"), str):
        return item["id"], item["qid"]
    qid = item.get("question_id")
    if isinstance(qid, str) and "/" in qid:
        record, _, q = qid.rpartition("/")
        return record, q
    return None


# reading a prediction ---------------------------------------------------------------------


def numbers(text: str) -> list[float]:
    out = []
    for m in _NUMBER.finditer(text):
        try:
            out.append(float(m.group().replace(",", "").replace("−", "-")))
        except ValueError:
            continue
    return out


def normalise(text: str) -> str:
    return " ".join(text.lower().strip().strip(".,;:!?\"'").split())


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def anls(prediction: str, answer: str) -> float:
    """1 - normalised edit distance, or 0 at ANLS_THRESHOLD or more (DocVQA's ANLS)."""
    p, a = normalise(prediction), normalise(answer)
    if not p and not a:
        return 1.0
    nl = levenshtein(p, a) / max(len(p), len(a))
    return 1.0 - nl if nl < ANLS_THRESHOLD else 0.0


def iou(a: list[float], b: list[float]) -> float:
    """Intersection over union of two ``[x, y, w, h]`` boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _pixels(values: list[float], size: tuple[int, int], coords: str) -> list[float]:
    if coords == "pixel":
        return values
    scale = 1.0 if coords == "norm1" else 1000.0
    w, h = size
    return [v / scale * (h if i % 2 else w) for i, v in enumerate(values)]


def score(
    qa: dict[str, Any],
    prediction: str,
    size: tuple[int, int],
    *,
    coords: str = "pixel",
    box_format: str = "xywh",
) -> tuple[float, bool]:
    """``(score 0..1, parsed)`` of ``prediction`` for the question ``qa`` of an image of ``size``."""
    kind, answer = qa["answer_type"], qa["answer"]
    if kind == "bool":
        m = re.search(r"\b(yes|no|true|false)\b", prediction.lower())
        if m is None:
            return 0.0, False
        return float((m.group(1) in ("yes", "true")) == bool(answer)), True
    if kind == "choice":
        choices = list(qa.get("choices") or [])
        letter = re.match(r"\s*\(?([A-H])\)?(?:[.:)\s]|$)", prediction)
        if letter is not None and ord(letter.group(1)) - 65 < len(choices):
            return float(choices[ord(letter.group(1)) - 65] == answer), True
        said = normalise(re.sub(r"^\s*\([A-H]\)\s*", "", prediction))
        hits = [c for c in choices if normalise(str(c)) == said]
        return (float(hits[0] == answer), True) if hits else (0.0, False)
    if kind == "number":
        got = numbers(prediction)
        if not got:
            return 0.0, False
        a = float(answer)
        tol = qa.get("tolerance")
        allowed = float(tol) if isinstance(tol, int | float) else RELAXED * abs(a)
        return float(abs(got[0] - a) <= allowed + 1e-9), True
    if kind == "point":
        got = numbers(prediction)
        if len(got) < 2:
            return 0.0, False
        x, y = _pixels(got[:2], size, coords)
        bx, by, bw, bh = (qa.get("tolerance") or {}).get("box", [answer[0], answer[1], 0, 0])
        return float(bx <= x <= bx + bw and by <= y <= by + bh), True
    if kind == "box":
        got = numbers(prediction)
        if len(got) < 4:
            return 0.0, False
        box = _pixels(got[:4], size, coords)
        if box_format == "xyxy":
            box = [box[0], box[1], box[2] - box[0], box[3] - box[1]]
        return float(iou(box, list(answer)) >= IOU_THRESHOLD), True
    return anls(prediction, str(answer)), True


# the report -------------------------------------------------------------------------------


def wilson(k: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson interval of a share ``k / n``."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def text_size(record: dict[str, Any], qa: dict[str, Any]) -> str | None:
    """``small`` when the smallest text the question reads (a label it names, a value it
    quotes: :func:`synth.legibility.reads`) is under SMALL_TEXT_PX tall, else ``normal``;
    None when it reads none."""
    from types import SimpleNamespace

    from synth.legibility import SMALL_TEXT_PX, reads

    elements = record.get("annotations", {}).get("elements", [])
    q = SimpleNamespace(question=qa["question"], reasoning=qa.get("reasoning", ""),
                        answer=qa["answer"], answer_type=qa["answer_type"])  # fmt: skip
    heights = [elements[i]["bbox"][3] for i in reads(q, elements)]  # type: ignore[arg-type]
    if not heights:
        return None
    return "small" if min(heights) < SMALL_TEXT_PX else "normal"


def _slice_keys(record: dict[str, Any], qa: dict[str, Any]) -> Iterable[tuple[str, str]]:
    yield "domain", record["domain"]
    yield "family", f"{record['domain']}/{record['family']}"
    yield "program", f"{record['domain']}/{qa['program']}"
    for skill in qa.get("skills", ()):
        yield "skill", str(skill)
    yield "difficulty", str(qa.get("difficulty", 1))
    yield "answer_type", qa["answer_type"]
    size = text_size(record, qa)
    if size is not None:
        yield "text_size", size


def evaluate(
    root: Path,
    predictions: dict[tuple[str, str], str],
    *,
    balanced: bool = True,
    coords: str = "pixel",
    box_format: str = "xywh",
) -> dict[str, Any]:
    """The report of ``predictions`` on the dataset at ``root`` (see the module's doc)."""
    acc: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: {"n": 0, "score": 0.0, "unparseable": 0}
    )
    seen: set[tuple[str, str]] = set()
    missing, failures = 0, []
    for record, _ in iter_samples(root, balanced=balanced):
        size = (int(record["image"]["width"]), int(record["image"]["height"]))
        for qa in record["qa"]:
            key = (record["id"], qa["id"])
            if key not in predictions:
                missing += 1
                continue
            seen.add(key)
            s, parsed = score(qa, predictions[key], size, coords=coords, box_format=box_format)
            for slice_key in [("all", "all"), *_slice_keys(record, qa)]:
                cell = acc[slice_key]
                cell["n"] += 1
                cell["score"] += s
                cell["unparseable"] += not parsed
            if s < 1.0:
                failures.append({"id": record["id"], "qid": qa["id"], "score": round(s, 3),
                                 "program": qa["program"], "family": record["family"],
                                 "domain": record["domain"]})  # fmt: skip
    slices: dict[str, dict[str, Any]] = defaultdict(dict)
    for (kind, name), cell in sorted(acc.items()):
        n = int(cell["n"])
        lo, hi = wilson(cell["score"], n)
        slices[kind][name] = {
            "n": n,
            "accuracy": round(cell["score"] / n, 4),
            "ci95": [round(lo, 4), round(hi, 4)],
            "unparseable": int(cell["unparseable"]),
        }
    unknown = sorted(f"{r}/{q}" for r, q in predictions.keys() - seen)
    return {
        "dataset": str(root),
        "metrics": {
            "number": f"the record's tolerance, else within {RELAXED:.0%}",
            "text": f"ANLS (threshold {ANLS_THRESHOLD})",
            "bool": "yes/no",
            "choice": "option",
            "point": "inside the box",
            "box": f"IoU >= {IOU_THRESHOLD}",
        },  # fmt: skip
        "counts": {
            "predictions": len(predictions),
            "scored": int(acc[("all", "all")]["n"]),
            "missing": missing,
            "unknown": len(unknown),
            "unparseable": int(acc[("all", "all")]["unparseable"]),
        },
        "unknown_ids": unknown[:50],
        "slices": dict(slices),
        "failures": failures,
    }


def weakest(report: dict[str, Any], least: int = 1) -> list[tuple[str, str, dict[str, Any]]]:
    """Every slice but ``all`` with at least ``least`` questions, weakest first."""
    rows = [
        (kind, name, cell)
        for kind, cells in report["slices"].items()
        if kind != "all"
        for name, cell in cells.items()
        if cell["n"] >= least
    ]
    return sorted(rows, key=lambda r: (r[2]["accuracy"], -r[2]["n"], r[0], r[1]))


def plot(report: dict[str, Any], path: Path, top: int = 25) -> Path:
    """A bar chart of the weakest ``top`` slices with their 95% intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = weakest(report)[:top]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.2), dpi=100)
    labels = [f"{kind}: {name} (n={cell['n']})" for kind, name, cell in rows]
    accs = [cell["accuracy"] for _, _, cell in rows]
    lo = [a - cell["ci95"][0] for a, (_, _, cell) in zip(accs, rows, strict=True)]
    hi = [cell["ci95"][1] - a for a, (_, _, cell) in zip(accs, rows, strict=True)]
    ax.barh(range(len(rows)), accs, xerr=[lo, hi], color="#c0504d", ecolor="#333333")
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("accuracy (95% interval)")
    ax.set_title("Weakest slices first")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def summary(report: dict[str, Any], top: int = 10) -> str:
    c = report["counts"]
    overall = report["slices"]["all"]["all"] if report["slices"].get("all") else None
    head = (
        f"scored {c['scored']} questions"
        + (f": accuracy {overall['accuracy']:.3f}" if overall else "")
        + f"; missing {c['missing']}, unknown {c['unknown']}, unparseable {c['unparseable']}"
    )
    lines = [head, "weakest slices:"]
    for kind, name, cell in weakest(report, least=5)[:top]:
        lines.append(f"  {kind:12} {name:40} {cell['accuracy']:.3f}  (n={cell['n']})")
    return "\n".join(lines)
