"""A pool of long-lived worker processes that build samples.

Workers are started with ``spawn`` (no inherited locks or back-end state), keep their
back-ends warm, and receive one small task message per sample over their own pipe; results
stream back as each sample finishes. A worker that exceeds the per-sample timeout is killed
(with everything it started) and replaced; one that dies is replaced too. Either way its
sample becomes a typed failure and the samples queued behind it go to other workers.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import signal
import time
import traceback
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any

Task = tuple[int, str, int]  # (index, domain, per-sample seed)


@dataclasses.dataclass(frozen=True)
class Done:
    """A finished sample: the record as JSON bytes and its PNG."""

    index: int
    record_json: bytes
    png: bytes


@dataclasses.dataclass(frozen=True)
class Failed:
    """A sample that produced no record. ``kind``: timeout | crash | exception | spec |
    render | invalid_image."""

    index: int
    domain: str
    seed: int
    kind: str
    message: str
    traceback: str = ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


Result = Done | Failed


def _worker_main(conn: Connection, run_seed: int) -> None:
    """Worker loop: receive tasks, build records, send results; ``None`` means stop."""
    import json

    from synth import registry
    from synth._errors import RenderError, SpecError
    from synth.build import build_record

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, domain, seed = task
        try:
            record, png = build_record(
                registry.get(domain), index=index, seed=seed, run_seed=run_seed
            )
            blob = json.dumps(record.to_json(), ensure_ascii=False, sort_keys=False).encode()
            conn.send(Done(index, blob, png))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a record
            kind = (
                "spec"
                if isinstance(exc, SpecError)
                else "render"
                if isinstance(exc, RenderError)
                else "exception"
            )
            if "invalid PNG" in str(exc):
                kind = "invalid_image"
            tb = "".join(traceback.format_exception(exc))[-2000:]
            conn.send(Failed(index, domain, seed, kind, f"{type(exc).__name__}: {exc}", tb))


@dataclasses.dataclass
class _Worker:
    proc: Any
    conn: Connection
    pending: deque[Task]
    head_since: float
    done: int = 0


class WorkerPool:
    """``n`` spawned workers; :meth:`submit` tasks, :meth:`poll` results."""

    def __init__(self, n: int, *, run_seed: int, timeout_s: float, prefetch: int = 2) -> None:
        self._ctx = mp.get_context("spawn")
        self._run_seed = run_seed
        self.timeout_s = timeout_s
        self.prefetch = prefetch
        self._retry: deque[Task] = deque()
        self.workers = [self._start() for _ in range(n)]
        self.replaced = 0

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(child, self._run_seed), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent, deque(), time.monotonic())

    def in_flight(self) -> int:
        return sum(len(w.pending) for w in self.workers) + len(self._retry)

    def has_capacity(self) -> bool:
        return not self._retry and any(len(w.pending) < self.prefetch for w in self.workers)

    def submit(self, task: Task) -> None:
        worker = min(self.workers, key=lambda w: len(w.pending))
        self._send(worker, task)

    def _send(self, worker: _Worker, task: Task) -> None:
        if not worker.pending:
            worker.head_since = time.monotonic()
        worker.pending.append(task)
        worker.conn.send(task)

    def _drain_retry(self) -> None:
        while self._retry:
            worker = min(self.workers, key=lambda w: len(w.pending))
            if len(worker.pending) >= self.prefetch:
                return
            self._send(worker, self._retry.popleft())

    def poll(self, timeout: float) -> list[Result]:
        """Results that arrived within ``timeout`` seconds (possibly none)."""
        self._drain_retry()
        now = time.monotonic()
        busy = [w for w in self.workers if w.pending]
        if not busy:
            return []
        deadline = min(w.head_since + self.timeout_s for w in busy)
        wait_s = max(0.0, min(timeout, deadline - now))
        handles: dict[Any, _Worker] = {}
        for w in busy:
            handles[w.conn] = w
            handles[w.proc.sentinel] = w
        ready = wait(list(handles), timeout=wait_s)
        results: list[Result] = []
        dead: set[int] = set()
        for h in ready:
            w = handles[h]
            if id(w) in dead:
                continue
            if h is w.conn:
                results.extend(self._receive(w, dead))
            elif not w.conn.poll():  # exited with nothing left to read
                failed = self._replace(w, "crash", _exit_reason(w.proc))
                if failed is not None:
                    results.append(failed)
                dead.add(id(w))
        now = time.monotonic()
        for w in list(self.workers):
            if w.pending and id(w) not in dead and now - w.head_since > self.timeout_s:
                failed = self._replace(w, "timeout", f"no result within {self.timeout_s:g} s")
                if failed is not None:
                    results.append(failed)
        return results

    def _receive(self, w: _Worker, dead: set[int]) -> list[Result]:
        out: list[Result] = []
        try:
            while w.conn.poll():
                msg = w.conn.recv()
                task = w.pending.popleft()
                w.head_since = time.monotonic()
                w.done += 1
                out.append(msg)
                if msg.index != task[0]:  # pragma: no cover - protocol invariant
                    raise RuntimeError(f"worker answered {msg.index} for task {task[0]}")
        except (EOFError, OSError):
            failed = self._replace(w, "crash", _exit_reason(w.proc))
            if failed is not None:
                out.append(failed)
            dead.add(id(w))
        return out

    def _replace(self, w: _Worker, kind: str, message: str) -> Failed | None:
        """Kill ``w``, fail its current task (if any), requeue the rest, start a new worker."""
        _kill(w.proc)
        if not w.pending:
            self.workers[self.workers.index(w)] = self._start()
            return None
        index, domain, seed = w.pending.popleft()
        self._retry.extend(w.pending)
        w.pending.clear()
        self.workers[self.workers.index(w)] = self._start()
        self.replaced += 1
        return Failed(index, domain, seed, kind, message)

    def close(self) -> None:
        for w in self.workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in self.workers:
            w.proc.join(timeout=5)
            if w.proc.is_alive():
                _kill(w.proc)
            w.conn.close()

    def terminate(self) -> None:
        for w in self.workers:
            _kill(w.proc)
            w.conn.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.terminate()


def _kill(proc: Any) -> None:
    if proc.is_alive():
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.join(timeout=5)


def _exit_reason(proc: Any) -> str:
    proc.join(timeout=1)
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            return f"worker killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"worker killed by signal {-code}"
    return f"worker exited with code {code}"
