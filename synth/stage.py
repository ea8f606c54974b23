"""Stages: work a pack does on finished records in the run's own process, after the sandboxed
workers, on one thread of its own: diffusion on the one GPU (``scene3d.photoreal``), fed by
every worker's renders.

A pack declares one by returning a :class:`Stage` from :meth:`~synth.pack.DomainPack.stage`.
The run hands each of that pack's finished records to a :class:`StageRunner`, which groups
them in fixed batches by index (so the bytes do not depend on timing or the number of
workers), calls :meth:`Stage.process` on its thread, and gives back the records it kept,
rewritten, and a typed failure for each it did not.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass
class Item:
    """One finished record on its way through a stage: ``record`` is the record's JSON dict,
    ``files`` its further files by extension (``mask.png``, ``depth.npz``)."""

    index: int
    seed: int
    record: dict[str, Any]
    png: bytes
    files: dict[str, bytes]


@dataclasses.dataclass(frozen=True)
class Rejected:
    """An item the stage failed: ``kind`` is a failure kind (``invalid_image``, ``memory``)."""

    index: int
    kind: str
    message: str
    traceback: str = ""


class Stage:
    """What a pack runs on its finished records in the run's process. :attr:`batch_size`
    records (fewer at a shard's end) come at a time, always the same ones for the same run.

    Subclass and define :meth:`process`, or, to keep a GPU busy, its three phases:
    :meth:`prepare` (CPU: decode, control maps), :meth:`compute` (the model) and
    :meth:`finish` (CPU: checks, records). A runner then prepares the next batch and
    finishes the last one while the model works on this one."""

    #: name of the stage, in records and ``stats.json``
    name: str = ""
    batch_size: int = 1

    def warm_up(self) -> None:
        """Load what :meth:`compute` needs (a model), once, on the thread that computes."""

    def process(self, items: list[Item]) -> list[Item | Rejected]:
        """Each item rewritten, or rejected; one result per item, in order."""
        prepared = self.prepare(items)
        return self.finish(items, prepared, self.compute(items, prepared))

    def prepare(self, items: list[Item]) -> Any:
        """What :meth:`compute` needs of a batch, made on the CPU."""
        return None

    def compute(self, items: list[Item], prepared: Any) -> Any:
        """The model's work on a batch."""
        raise NotImplementedError(f"{type(self).__name__}.process or .compute")

    def finish(self, items: list[Item], prepared: Any, computed: Any) -> list[Item | Rejected]:
        """The batch's results from what :meth:`compute` made (default: that itself)."""
        return list(computed)


@dataclasses.dataclass
class _Batch:
    """A batch between a runner's phases."""

    items: list[Item]
    prepared: Any = None
    computed: Any = None
    error: BaseException | None = None
    fatal: BaseException | None = None


def classify(exc: BaseException) -> str:
    """A stage's exception as a failure kind: out of (GPU) memory -> ``memory``."""
    name = type(exc).__name__
    if isinstance(exc, MemoryError) or name == "OutOfMemoryError" or "out of memory" in str(exc):
        return "memory"
    return "exception"


class StageRunner:
    """Feeds one :class:`Stage` from the run's loop. ``add`` every result of a shard's index
    range (with its item if it is the stage's, else None): a batch is the stage's items among the
    indices ``[lo + k*B, lo + (k+1)*B)``, processed once all of those indices are in, so
    which records share a batch never depends on timing. ``ready`` returns what is done."""

    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.counts: Counter[str] = Counter()
        self._todo: queue.Queue[list[Item] | None] = queue.Queue()
        self._done: queue.Queue[tuple[list[Item | Rejected], BaseException | None]] = queue.Queue()
        # prepare -> compute -> finish, a thread each, two batches at most between them
        self._prepared: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)
        self._computed: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)
        self._threads = [
            threading.Thread(target=loop, name=f"stage-{stage.name}-{loop.__name__}", daemon=True)
            for loop in (self._prepare_loop, self._compute_loop, self._finish_loop)
        ]
        for t in self._threads:
            t.start()
        self._groups: dict[int, tuple[int, list[Item]]] = {}  # group -> (seen, items)
        self._range = (0, 0)
        self.pending = 0

    def shard(self, lo: int, hi: int) -> None:
        """Start a shard: indices ``[lo, hi)``."""
        self._range = (lo, hi)
        self._groups.clear()

    def add(self, index: int, item: Item | None) -> None:
        """Result ``index`` arrived; ``item`` if it is the stage's to process, else None."""
        lo, hi = self._range
        b = max(1, self.stage.batch_size)
        g = (index - lo) // b
        size = min(hi, lo + (g + 1) * b) - (lo + g * b)
        seen, items = self._groups.get(g, (0, []))
        if item is not None:
            items.append(item)
        seen += 1
        if seen < size:
            self._groups[g] = (seen, items)
            return
        self._groups.pop(g, None)
        if items:
            items.sort(key=lambda it: it.index)
            self.pending += len(items)
            self._todo.put(items)

    def ready(self, timeout: float = 0.0) -> list[Item | Rejected]:
        """Finished items (waiting up to ``timeout`` for the first batch)."""
        out: list[Item | Rejected] = []
        try:
            batch = [self._done.get(timeout=timeout)] if timeout else []
        except queue.Empty:
            batch = []
        while True:
            try:
                batch.append(self._done.get_nowait())
            except queue.Empty:
                break
        for results, fatal in batch:
            if fatal is not None:
                raise fatal
            self.pending -= len(results)
            out += results
        return out

    def close(self) -> None:
        self._todo.put(None)
        for t in self._threads:
            t.join(timeout=60)

    def _phases(self) -> tuple[Any, Any, Any]:
        st = self.stage
        if type(st).process is not Stage.process:  # one phase: process on the model's thread
            return (
                (lambda items: None),
                (lambda items, p: st.process(items)),
                (lambda items, p, c: c),
            )
        return st.prepare, st.compute, st.finish

    def _prepare_loop(self) -> None:
        prepare = self._phases()[0]
        while (items := self._todo.get()) is not None:
            batch = _Batch(items)
            try:
                batch.prepared = prepare(items)
            except BaseException as exc:  # noqa: BLE001 - the batch's typed failure
                batch.error = exc
            self._prepared.put(batch)
        self._prepared.put(None)

    def _compute_loop(self) -> None:
        compute = self._phases()[1]
        warm: BaseException | None = None
        try:
            self.stage.warm_up()
        except BaseException as exc:  # noqa: BLE001 - reported with the first batch
            warm = exc
        while (batch := self._prepared.get()) is not None:
            if warm is not None:
                batch.fatal = warm  # a stage that cannot even load stops the run
            elif batch.error is None:
                try:
                    batch.computed = compute(batch.items, batch.prepared)
                except BaseException as exc:  # noqa: BLE001 - the batch's typed failure
                    batch.error = exc
            self._computed.put(batch)
        self._computed.put(None)

    def _finish_loop(self) -> None:
        finish = self._phases()[2]
        while (batch := self._computed.get()) is not None:
            if batch.fatal is not None:
                self._done.put(([], batch.fatal))
                continue
            items = batch.items
            try:
                if batch.error is not None:
                    raise batch.error
                results = list(finish(items, batch.prepared, batch.computed))
                if len(results) != len(items):
                    raise RuntimeError(
                        f"stage {self.stage.name} returned {len(results)} results for {len(items)}"
                    )
            except BaseException as exc:  # noqa: BLE001 - each item becomes a typed failure
                kind = classify(exc)
                tb = "".join(traceback.format_exception(exc))
                results = [
                    Rejected(it.index, kind, f"{type(exc).__name__}: {exc}", tb) for it in items
                ]
            self.counts.update(tally(items, results))
            self._done.put((results, None))

    def take_counts(self) -> dict[str, int]:
        """The counts since the last call (a shard's, for its stats), and start again."""
        out = dict(sorted(self.counts.items()))
        self.counts.clear()
        return out


def tally(items: list[Item], results: list[Item | Rejected]) -> Counter[str]:
    """What ``stats.json`` counts of a batch: images in and kept, questions in and kept,
    and failures by kind."""
    c: Counter[str] = Counter()
    for it, r in zip(items, results, strict=True):
        c["images"] += 1
        c["questions"] += len(it.record["qa"])
        if isinstance(r, Item):
            c["images_kept"] += 1
            c["questions_kept"] += len(r.record["qa"])
        else:
            c[f"failed_{r.kind}"] += 1
    return c


def drive(stage: Stage, items: list[Item], on_each: Callable[[Item | Rejected], None]) -> None:
    """Run ``items`` through ``stage`` in this thread, ``batch_size`` at a time, in the
    order given (in your own code, scripts and tests; a run uses a StageRunner)."""
    stage.warm_up()
    b = max(1, stage.batch_size)
    for start in range(0, len(items), b):
        for r in stage.process(items[start : start + b]):
            on_each(r)
