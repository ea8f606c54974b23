"""Stages (synth/stage.py): batches are fixed by index whatever the arrival order, a stage's
exception becomes a typed failure per record (out of GPU memory: ``memory``), a stage that
cannot load stops the run with its own error, and the counts add up."""

from __future__ import annotations

import hashlib
import json
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from synth.stage import Item, Rejected, Stage, StageRunner, classify, drive, tally


class Recording(Stage):
    """Marks each record with the batch it came in; rejects odd seeds."""

    name = "rec"

    def __init__(self, batch: int, fail: BaseException | None = None) -> None:
        self.batch_size = batch
        self.batches: list[list[int]] = []
        self.fail = fail

    def process(self, items: list[Item]) -> list[Item | Rejected]:
        if self.fail is not None:
            raise self.fail
        self.batches.append([it.index for it in items])
        out: list[Item | Rejected] = []
        for it in items:
            if it.seed % 2:
                out.append(Rejected(it.index, "invalid_image", "odd"))
            else:
                record = {**it.record, "qa": it.record["qa"][:1], "batch": len(self.batches)}
                out.append(Item(it.index, it.seed, record, it.png, it.files))
        return out


def _item(i: int, seed: int | None = None) -> Item:
    return Item(i, i if seed is None else seed, {"qa": [{"q": 1}, {"q": 2}]}, b"png", {})


def _drain(runner: StageRunner, n: int) -> list[Item | Rejected]:
    out: list[Item | Rejected] = []
    deadline = time.monotonic() + 30
    while len(out) < n and time.monotonic() < deadline:
        out += runner.ready(0.1)
    return out


@pytest.mark.parametrize(
    "order", [[0, 1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0], [3, 0, 6, 1, 5, 2, 4]]
)
def test_batches_are_fixed_by_index_whatever_the_arrival_order(order: list[int]) -> None:
    stage = Recording(batch=3)
    runner = StageRunner(stage)
    runner.shard(10, 17)
    others = {12, 15}  # another domain's results: counted for completeness, not processed
    for k in order:
        i = 10 + k
        runner.add(i, None if i in others else _item(i, seed=2 * i))
    results = _drain(runner, 5)
    runner.close()
    assert sorted(sorted(b) for b in stage.batches) == [[10, 11], [13, 14], [16]]
    assert sorted(r.index for r in results) == [10, 11, 13, 14, 16]
    assert all(isinstance(r, Item) and len(r.record["qa"]) == 1 for r in results)
    assert runner.pending == 0


def test_a_batch_waits_for_every_index_of_its_range() -> None:
    stage = Recording(batch=2)
    runner = StageRunner(stage)
    runner.shard(0, 4)
    runner.add(0, _item(0))
    runner.add(3, _item(3))
    time.sleep(0.2)
    assert runner.ready(0.1) == [] and stage.batches == []
    runner.add(1, _item(1))
    assert [r.index for r in _drain(runner, 2)] == [0, 1]
    runner.close()


def test_counts_say_what_was_kept() -> None:
    items = [_item(0), _item(1), _item(2)]
    results = Recording(batch=3).process(items)
    assert tally(items, results) == {
        "images": 3,
        "images_kept": 2,
        "questions": 6,
        "questions_kept": 2,
        "failed_invalid_image": 1,
    }


def test_out_of_gpu_memory_is_a_memory_failure_per_record_and_the_runner_goes_on() -> None:
    torch = pytest.importorskip("torch", reason="torch absent (pip install 'synth[stats]')")
    stage = Recording(batch=2, fail=torch.OutOfMemoryError("CUDA out of memory. Tried 2 GiB"))
    runner = StageRunner(stage)
    runner.shard(0, 4)
    for i in range(2):
        runner.add(i, _item(i))
    failed = _drain(runner, 2)
    assert [(r.index, getattr(r, "kind", None)) for r in failed] == [(0, "memory"), (1, "memory")]
    stage.fail = None
    for i in range(2, 4):
        runner.add(i, _item(i, seed=4))
    assert [type(r).__name__ for r in _drain(runner, 2)] == ["Item", "Item"]
    assert runner.take_counts()["failed_memory"] == 2
    assert runner.take_counts() == {}  # taken: the next shard starts from zero
    runner.close()
    assert classify(MemoryError()) == "memory" and classify(ValueError("x")) == "exception"


def test_a_stage_that_cannot_load_stops_with_its_own_error() -> None:
    class Broken(Recording):
        def warm_up(self) -> Any:
            raise FileNotFoundError("no model at /models/sd15")

    runner = StageRunner(Broken(batch=1))
    runner.shard(0, 1)
    runner.add(0, _item(0))
    with pytest.raises(FileNotFoundError, match="/models/sd15"):
        _drain(runner, 1)
    runner.close()


def test_a_run_writes_what_the_stage_made_and_types_what_it_refused(tmp_path: Path) -> None:
    """Through ``synth generate``: the stage's image, questions and files are what the shard
    holds, its rejections are typed failures, stats count both, and the bytes are the same
    with one worker or two."""
    from synth.dataset import iter_samples

    from .conftest import PACKS, shard_bytes, synth_cmd

    env = {"SYNTH_DOMAINS": "staged=staged_pack:DOMAIN", "PYTHONPATH": str(PACKS)}
    refused = synth_cmd("generate", "--domain", "staged", "--n", "2",
                        "--out", str(tmp_path / "refused"), env=env)  # fmt: skip
    if "--no-sandbox" not in refused.args:  # a stage runs here: only a trusted pack's
        assert refused.returncode == 2, refused.stderr
        assert "SYNTH_TRUSTED_PACKS=staged" in refused.stderr
        assert not (tmp_path / "refused").exists()
    env["SYNTH_TRUSTED_PACKS"] = "staged"
    for workers in ("1", "2"):
        synth_cmd("generate", "--domain", "staged", "--n", "7", "--shard-size", "4",
                  "--max-failures", "7", "--workers", workers,
                  "--out", str(tmp_path / workers), env=env, check=True)  # fmt: skip
    assert shard_bytes(tmp_path / "1") == shard_bytes(tmp_path / "2")
    failures = [
        json.loads(line) for line in (tmp_path / "1" / "failures.jsonl").read_text().splitlines()
    ]
    assert failures and all(f["seed"] % 3 == 0 for f in failures)
    assert {f["kind"] for f in failures} == {"invalid_image"}
    samples = list(iter_samples(tmp_path / "1"))
    assert len(samples) + len(failures) == 7
    for record, png in samples:
        assert record["seed"]["sample"] % 3 != 0 and len(record["qa"]) == 1
        assert hashlib.sha256(png).hexdigest() == record["image"]["sha256"]
        # batches by index: [0, 1], [2, 3] in shard 0, [4, 5], [6] in shard 1
        i = record["seed"]["index"]
        lo = (i // 2) * 2
        assert set(record["batch"]) <= {lo, lo + 1} and i in record["batch"]
    names = tarfile.open(tmp_path / "1" / "shards" / "shard-000000.tar").getnames()
    assert any(n.endswith(".orig.png") for n in names)
    stats = json.loads((tmp_path / "1" / "stats.json").read_text())
    assert stats["stage"]["invert/images"] == 7
    assert stats["stage"]["invert/images_kept"] == len(samples) == stats["samples"]
    assert stats["questions"] == len(samples) == stats["stage"]["invert/questions_kept"]
    assert stats["invert_kept"]["images"] == round(len(samples) / 7, 4)


class Phased(Stage):
    """A three-phase stage: prepare doubles seeds, compute adds them up per batch (and fails
    on a batch holding index 3), finish writes the sum into each record."""

    name = "phased"
    batch_size = 2

    def __init__(self) -> None:
        self.threads: set[str] = set()

    def prepare(self, items: list[Item]) -> Any:
        import threading

        self.threads.add("prepare:" + threading.current_thread().name)
        return [2 * it.seed for it in items]

    def compute(self, items: list[Item], prepared: Any) -> Any:
        import threading

        self.threads.add("compute:" + threading.current_thread().name)
        if any(it.index == 3 for it in items):
            raise ValueError("bad batch")
        return sum(prepared)

    def finish(self, items: list[Item], prepared: Any, computed: Any) -> list[Item | Rejected]:
        return [Item(it.index, it.seed, {**it.record, "sum": computed}, it.png, {}) for it in items]


def test_a_phased_stage_prepares_computes_and_finishes_on_threads_of_their_own() -> None:
    stage = Phased()
    runner = StageRunner(stage)
    runner.shard(0, 6)
    for i in range(6):
        runner.add(i, _item(i))
    results = sorted(_drain(runner, 6), key=lambda r: r.index)
    runner.close()
    assert [r.record["sum"] for r in results if isinstance(r, Item)] == [2, 2, 18, 18]
    bad = [r for r in results if isinstance(r, Rejected)]
    assert [(r.index, r.kind) for r in bad] == [(2, "exception"), (3, "exception")]
    assert "bad batch" in bad[0].message
    assert len(stage.threads) == 2 and len({t.split(":")[1] for t in stage.threads}) == 2
    # process() runs the same three phases in one thread
    assert [r.record["sum"] for r in Phased().process([_item(4), _item(5)])] == [18, 18]


def test_ready_without_waiting_returns_every_finished_batch() -> None:
    runner = StageRunner(Recording(batch=2))
    runner.shard(0, 4)
    for i in range(4):
        runner.add(i, _item(i, seed=0))
    deadline = time.monotonic() + 30
    while runner._done.qsize() < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sorted(r.index for r in runner.ready(0.0)) == [0, 1, 2, 3]
    runner.close()


def test_a_stage_that_returns_too_few_results_fails_the_batch() -> None:
    class Short(Recording):
        def process(self, items: list[Item]) -> list[Item | Rejected]:
            return super().process(items)[:1]

    runner = StageRunner(Short(batch=2))
    runner.shard(0, 2)
    runner.add(0, _item(0, seed=0))
    runner.add(1, _item(1, seed=0))
    out = _drain(runner, 2)
    runner.close()
    assert [getattr(r, "kind", None) for r in out] == ["exception", "exception"]
    assert "returned 1 results for 2" in out[0].message  # type: ignore[union-attr]


def test_drive_runs_batches_in_order_one_record_at_a_time_by_default() -> None:
    class One(Stage):  # no batch_size: Stage's default
        def __init__(self) -> None:
            self.batches: list[list[int]] = []

        def process(self, items: list[Item]) -> list[Item | Rejected]:
            self.batches.append([it.index for it in items])
            return list(items)

    one = One()
    seen: list[int] = []
    drive(one, [_item(i) for i in range(3)], lambda r: seen.append(r.index))
    assert seen == [0, 1, 2] and one.batches == [[0], [1], [2]]
    two = Recording(batch=2)
    drive(two, [_item(i, seed=0) for i in range(5)], lambda r: None)
    assert two.batches == [[0, 1], [2, 3], [4]]
    assert classify(FileNotFoundError("x")) == "exception"
