"""A pool of long-lived, isolated worker processes that build samples.

Each worker is ``python -m synth.engine.worker`` (inside bubblewrap unless the run opted
out with ``--no-sandbox``), spoken to over its stdin/stdout with the plain message protocol
of :mod:`synth.engine.protocol`. Workers keep their back-ends warm and get up to
``prefetch`` tasks queued. A worker that passes the per-task timeout is killed with its whole
process group and PID namespace; one that dies is replaced. Either way its task becomes a
typed failure and the tasks queued behind it go to other workers. Workers also leave on
their own after ``recycle_after`` tasks (long sessions leak) and are replaced silently.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from synth.engine.protocol import read_message, write_message
from synth.engine.sandbox import (
    MPL_CACHE_MOUNT,
    Cgroups,
    Limits,
    bwrap_command,
    make_cgroups,
    make_scratch,
    mpl_cache_dir,
    read_tail,
    require_sandbox,
    worker_env,
)

Task = tuple[int, str, int]  # (index, domain, per-sample seed)


@dataclasses.dataclass(frozen=True)
class Done:
    """A finished sample: the record as JSON bytes, its PNG and the record's fields a run's
    bookkeeping reads (``summary``: id, domain, family, checks and, per question, program,
    answer type, answer and choices, and per question the legibility gate dropped, program
    and reason), so the run need not parse the whole record."""

    index: int
    record_json: bytes
    png: bytes
    files: dict[str, bytes] = dataclasses.field(default_factory=dict)  # by extension
    summary: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Failed:
    """A sample that produced no record. ``kind``: timeout | memory | crash | exception |
    forbidden | invalid_image | spec | render."""

    index: int
    domain: str
    seed: int
    kind: str
    message: str
    traceback: str = ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


Result = Done | Failed


@dataclasses.dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    scratch: Path
    pending: deque[Task]
    head_since: float
    cgroups: Cgroups = dataclasses.field(default_factory=lambda: Cgroups({}))
    ready: bool = False
    done: int = 0
    retiring: bool = False
    oom_seen: int = 0


class WorkerPool:
    """``n`` workers; :meth:`submit` tasks, :meth:`poll` results."""

    def __init__(
        self,
        n: int,
        *,
        run_seed: int,
        timeout_s: float,
        sandbox: bool = True,
        limits: Limits | None = None,
        recycle_after: int = 0,
        recycle_rss_mb: float = 0.0,
        prefetch: int = 2,
        domains: tuple[str, ...] = (),
        degrade: str = "none",
        options: dict[str, dict[str, str]] | None = None,
        isolate_scripts: bool = False,
        weights: tuple[tuple[str, float], ...] = (),
    ) -> None:
        if sandbox:
            require_sandbox()
        self.weights = weights
        self.isolate_scripts = isolate_scripts
        self.domains = domains
        self.degrade = degrade
        self.options = options or {}
        self.sandbox = sandbox
        self.run_seed = run_seed
        self.timeout_s = timeout_s
        self.limits = limits or Limits(cpu_s=timeout_s)
        self.recycle_after = recycle_after
        self.recycle_rss_mb = recycle_rss_mb
        self.prefetch = prefetch
        self._retry: deque[Task] = deque()
        self.replaced = 0
        self.workers: list[_Worker] = []
        for _ in range(n):
            self.workers.append(self._start())

    def _start(self) -> _Worker:
        return start_worker(
            run_seed=self.run_seed,
            sandbox=self.sandbox,
            limits=self.limits,
            domains=self.domains,
            degrade=self.degrade,
            options=self.options,
            isolate_scripts=self.isolate_scripts,
            weights=self.weights,
        )

    def _open(self) -> list[_Worker]:
        return [w for w in self.workers if not w.retiring and len(w.pending) < self.prefetch]

    def has_capacity(self) -> bool:
        return not self._retry and bool(self._open())

    def submit(self, task: Task) -> None:
        self._send(min(self._open(), key=lambda w: len(w.pending)), task)

    def _send(self, worker: _Worker, task: Task) -> None:
        if not worker.pending and worker.ready:
            worker.head_since = time.monotonic()
        worker.pending.append(task)
        index, domain, seed = task
        try:
            assert worker.proc.stdin is not None
            write_message(
                worker.proc.stdin.fileno(),
                {"op": "sample", "index": index, "domain": domain, "seed": seed},
            )
        except OSError:
            pass  # the worker is gone; poll() notices and fails or requeues its tasks

    def _drain_retry(self) -> None:
        while self._retry:
            open_workers = self._open()
            if not open_workers:
                return
            self._send(min(open_workers, key=lambda w: len(w.pending)), self._retry.popleft())

    def poll(self, timeout: float) -> list[Result]:
        """Results that arrived within ``timeout`` seconds (possibly none)."""
        self._drain_retry()
        results: list[Result] = []
        for w in list(self.workers):  # retire drained workers; replace ones that died idle
            if not w.pending and (w.retiring or w.proc.poll() is not None):
                self._replace(w, "crash", "")
        busy = [w for w in self.workers if w.pending or not w.ready]
        if not busy:
            return results
        now = time.monotonic()
        deadline = min(
            w.head_since + (self.timeout_s if w.ready else STARTUP_TIMEOUT_S) for w in busy
        )
        fds = {w.proc.stdout.fileno(): w for w in busy if w.proc.stdout is not None}
        ready, _, _ = select.select(list(fds), [], [], max(0.0, min(timeout, deadline - now)))
        for fd in ready:
            w = fds[fd]
            try:
                header, blobs = read_message(fd, deadline=time.monotonic() + self.timeout_s)
            except TimeoutError:
                failed = self._replace(w, "timeout", "the worker sent half a message and stopped")
                if failed is not None:
                    results.append(failed)
                continue
            except (EOFError, OSError, ValueError):
                failed = self._replace(w, *self._death(w))
                if failed is not None:
                    results.append(failed)
                continue
            if header.get("op") == "ready" and not w.ready:
                w.ready = True
                w.head_since = time.monotonic()  # its first task's clock starts now
                continue
            broken = frame_error(header, blobs, w.pending[0][0] if w.pending else None)
            if broken:
                failed = self._replace(w, "forbidden", f"the worker broke the protocol: {broken}")
                if failed is not None:
                    results.append(failed)
                continue
            index, domain, seed = w.pending.popleft()
            w.head_since = time.monotonic()
            w.done += 1
            too_big = self.recycle_rss_mb > 0 and header.get("rss_mb", 0) > self.recycle_rss_mb
            # the whole tree (Chromium, Blender) near its memory limit: restart it gracefully
            # before the kernel kills a process of it mid-sample
            too_big |= w.cgroups.resident_mb() > TREE_RECYCLE_SHARE * self.limits.memory_mb
            if too_big or (
                self.recycle_after > 0 and w.done + len(w.pending) >= self.recycle_after
            ):
                w.retiring = True  # no new tasks; replaced once its queue drains
            if header["op"] == "done":
                files = dict(zip(header.get("files", []), blobs[2:], strict=True))
                results.append(Done(index, blobs[0], blobs[1], files, header["summary"]))
            else:
                kind = "memory" if self._oom(w) else header["kind"]
                results.append(
                    Failed(
                        index, domain, seed, kind, header["message"], header.get("traceback", "")
                    )
                )
        now = time.monotonic()
        for w in list(self.workers):
            if w.pending and w.ready and now - w.head_since > self.timeout_s:
                kind, message = "timeout", f"no result within {self.timeout_s:g} s"
                if self._oom(w):  # a back-end process killed for memory, its render never ends
                    kind, message = "memory", f"over the {self.limits.memory_mb} MB memory limit"
                failed = self._replace(w, kind, message)
                if failed is not None:
                    results.append(failed)
            elif not w.ready and now - w.head_since > STARTUP_TIMEOUT_S:
                failed = self._replace(
                    w, "crash", f"worker not ready after {STARTUP_TIMEOUT_S:g} s"
                )
                if failed is not None:
                    results.append(failed)
        return results

    def _oom(self, w: _Worker) -> bool:
        """Whether the kernel killed a process of ``w``'s tree for memory since last asked
        (Chromium's renderer, say, which the worker then reports as a render failure)."""
        kills = w.cgroups.oom_kills()
        seen, w.oom_seen = w.oom_seen, kills
        return kills > seen

    def _death(self, w: _Worker) -> tuple[str, str]:
        """The failure kind and message of a worker that died or closed its pipe."""
        reason = _exit_reason(w.proc, w.scratch)
        if self._oom(w):
            return "memory", f"over the {self.limits.memory_mb} MB memory limit ({reason})"
        return "crash", reason

    def _replace(self, w: _Worker, kind: str, message: str) -> Failed | None:
        """Kill ``w`` and all it started, fail its current task (if any), requeue the rest."""
        if w.retiring and not w.pending:
            _stop(w.proc)
        _kill(w.proc)
        shutil.rmtree(w.scratch, ignore_errors=True)
        w.cgroups.remove()
        self.workers[self.workers.index(w)] = self._start()
        self.replaced += 1
        if not w.pending:
            return None
        index, domain, seed = w.pending.popleft()
        self._retry.extend(w.pending)
        w.pending.clear()
        if kind == "crash" and "SIGXCPU" in message:
            kind, message = (
                "timeout",
                f"used more than {self.limits.cpu_s:g} CPU seconds ({message})",
            )
        return Failed(index, domain, seed, kind, message)

    def close(self) -> None:
        for w in self.workers:
            try:
                assert w.proc.stdin is not None
                write_message(w.proc.stdin.fileno(), {"op": "stop"})
                w.proc.stdin.close()
            except OSError:
                pass
        for w in self.workers:
            try:
                w.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            _kill(w.proc)
            shutil.rmtree(w.scratch, ignore_errors=True)
            w.cgroups.remove()

    def terminate(self) -> None:
        for w in self.workers:
            _kill(w.proc)
            shutil.rmtree(w.scratch, ignore_errors=True)
            w.cgroups.remove()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.terminate()


STARTUP_TIMEOUT_S = 300.0  # a worker that is not ready by then is broken, not slow
#: a worker whose whole tree holds more than this share of --memory-mb is recycled
TREE_RECYCLE_SHARE = 0.75


def start_worker(
    *,
    run_seed: int,
    sandbox: bool,
    limits: Limits,
    domains: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    degrade: str = "none",
    options: dict[str, dict[str, str]] | None = None,
    isolate_scripts: bool = False,
    weights: tuple[tuple[str, float], ...] = (),
) -> _Worker:
    """Start one worker process (in bubblewrap when ``sandbox``) with its own scratch folder.
    Its log (fds 1 and 2) is a file the pool opens in its host folder, which the sandbox
    does not show, so nothing a sample does can turn it into a link or a FIFO.
    ``isolate_scripts``: run each piece of code in a process of its own (code from outside:
    ``render-code``, ``reproduce``; a renderer's ``isolate``); for Matplotlib it costs ~30 ms
    a chart, so ``generate``, whose scripts its own generators wrote, runs them in the
    worker. ``languages``: the code languages a code task will bring."""
    scratch = make_scratch()
    # a pack from outside builds each task in a process of its own (synth.engine.forked);
    # its host in the sandbox says which languages it draws with
    from synth import registry

    forked = [d for d in domains if sandbox and registry.outside(d)]
    forked_languages: set[str] = set()
    for d in forked:
        try:
            forked_languages.update(registry.described(d, (options or {}).get(d)).languages)
        except Exception:  # noqa: BLE001, S112 - a pack that does not load: its tasks say so
            continue
    cfg = {
        "run_seed": run_seed,
        "degrade": degrade,
        "options": options or {},
        "scratch": str(scratch),
        "cpu_s": limits.cpu_s,
        "pid_namespace": sandbox,
        "isolate_scripts": sandbox and isolate_scripts,
        "domains": list(domains),
        "forked": forked,
        "forked_languages": sorted(forked_languages),
        "weights": [list(w) for w in weights],  # synth.targeting: more of some families, programs
        "languages": list(languages),  # of code tasks: their renderers warm up, limits apply
        "mpl_cache": MPL_CACHE_MOUNT if sandbox else mpl_cache_dir(),
        "limits": {
            "memory_mb": limits.memory_mb,
            "open_files": limits.open_files,
            "file_mb": limits.file_mb,
        },
    }
    cgroups = make_cgroups(limits) if sandbox else Cgroups({})
    argv = [sys.executable, "-m", "synth.engine.worker", json.dumps(cfg)]
    env = worker_env(scratch)
    cmd = bwrap_command(argv, scratch, env, limits=limits) if sandbox else argv
    with open(scratch / LOG, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            start_new_session=True,  # its own process group: one killpg takes everything
            close_fds=True,
            preexec_fn=cgroups.join if cgroups.paths else None,
        )
    return _Worker(proc, scratch, deque(), time.monotonic(), cgroups)


#: the worker's log in its host folder: what it and its back-ends print (fds 1 and 2)
LOG = "worker.log"


def frame_error(header: dict[str, Any], blobs: list[bytes], index: int | None) -> str:
    """What is wrong with a worker's reply to task ``index`` ("" when nothing): a frame a
    sample forged or cut must fail that sample, never the run."""
    op = header.get("op")
    if index is None:
        return f"a {op!r} message with no task waiting"
    if header.get("index") != index:
        return f"an answer for task {header.get('index')!r} while task {index} was waiting"
    if op == "done":
        files = header.get("files", [])
        summary = header.get("summary")
        if not (isinstance(files, list) and all(isinstance(f, str) for f in files)):
            return "a record whose file list is not a list of names"
        if len(blobs) != 2 + len(files):
            return f"a record with {len(blobs)} blobs for {len(files)} files"
        if not (
            isinstance(summary, dict)
            and isinstance(summary.get("qa"), list)
            and isinstance(summary.get("dropped", []), list)
            and all(isinstance(d, dict) for d in summary.get("dropped", []))
        ):
            return "a record without its summary"
        return ""
    if op == "failed":
        if not (isinstance(header.get("kind"), str) and isinstance(header.get("message"), str)):
            return "a failure without a kind and a message"
        return ""
    return f"an unknown message {op!r}"


def run_code(
    language: str,
    source: str,
    *,
    timeout_s: float = 60.0,
    sandbox: bool = True,
    limits: Limits | None = None,
) -> tuple[dict[str, Any], bytes]:
    """Render one piece of code in a fresh worker: ``(header, png)`` where ``header["op"]`` is
    ``"rendered"`` (with width, height, elements, backend) or ``"failed"`` (with kind,
    message, traceback)."""
    if sandbox:
        require_sandbox()
    limits = limits or Limits(cpu_s=timeout_s)
    w = start_worker(
        run_seed=0,
        sandbox=sandbox,
        isolate_scripts=True,  # code from outside: its own process, away from the protocol
        limits=limits,
        languages=(language,),
    )
    try:
        assert w.proc.stdin is not None and w.proc.stdout is not None
        write_message(
            w.proc.stdin.fileno(),
            {"op": "code", "index": None, "language": language},
            [source.encode()],
        )
        out = w.proc.stdout.fileno()
        deadline: float | None = None
        while True:
            wait_s = STARTUP_TIMEOUT_S if deadline is None else deadline - time.monotonic()
            ready, _, _ = select.select([out], [], [], max(0.0, wait_s))
            if not ready:
                if w.cgroups.oom_kills():  # e.g. Chromium's renderer, killed for memory
                    message = f"over the {limits.memory_mb} MB memory limit, then no result"
                    return {"op": "failed", "kind": "memory", "message": message}, b""
                message = f"no result within {timeout_s:g} s"
                return {"op": "failed", "kind": "timeout", "message": message}, b""
            try:
                header, blobs = read_message(out, deadline=time.monotonic() + timeout_s)
            except TimeoutError:
                return {"op": "failed", "kind": "timeout", "message": "half a message"}, b""
            except (EOFError, OSError, ValueError):
                reason = _exit_reason(w.proc, w.scratch)
                kind = "timeout" if "SIGXCPU" in reason else "crash"
                if w.cgroups.oom_kills():
                    kind = "memory"
                return {"op": "failed", "kind": kind, "message": reason}, b""
            if header.get("op") == "ready" and deadline is None:
                deadline = time.monotonic() + timeout_s  # the code's clock starts now
                continue
            broken = _code_frame_error(header, blobs)
            if broken:
                message = f"the worker broke the protocol: {broken}"
                return {"op": "failed", "kind": "forbidden", "message": message}, b""
            if header["op"] == "failed" and w.cgroups.oom_kills():
                header["kind"] = "memory"
            return header, (blobs[0] if blobs else b"")
    finally:
        _stop(w.proc)
        _kill(w.proc)
        shutil.rmtree(w.scratch, ignore_errors=True)
        w.cgroups.remove()


def _code_frame_error(header: dict[str, Any], blobs: list[bytes]) -> str:
    """What is wrong with a worker's reply to a code task ("" when nothing)."""
    op = header.get("op")
    if op == "rendered":
        sizes = all(isinstance(header.get(k), int) for k in ("width", "height"))
        ok = len(blobs) == 1 and sizes and isinstance(header.get("elements"), list)
        return "" if ok else "a malformed render"
    if op == "failed":
        ok = isinstance(header.get("kind"), str) and isinstance(header.get("message"), str)
        return "" if ok else "a failure without a kind and a message"
    return f"an unexpected message {op!r}"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Ask a worker to leave and give it a moment (it holds no task)."""
    try:
        assert proc.stdin is not None
        write_message(proc.stdin.fileno(), {"op": "stop"})
        proc.wait(timeout=2)
    except (OSError, subprocess.TimeoutExpired):
        pass


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not wait
        pass
    for f in (proc.stdin, proc.stdout):
        if f is not None:
            try:
                f.close()
            except OSError:
                pass


def _exit_reason(proc: subprocess.Popen[bytes], scratch: Path) -> str:
    """Why a worker died, with the tail of what it printed (its import errors, say)."""
    reason = _exit_status(proc)
    text = read_tail(scratch / LOG).decode(errors="replace").strip()
    return f"{reason}; it printed: {text[-400:]}" if text else reason


def _exit_status(proc: subprocess.Popen[bytes]) -> str:
    try:
        code = proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        return "worker stopped answering"
    if code < 0:
        try:
            return f"worker killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"worker killed by signal {-code}"
    if code > 128 and code - 128 in {s.value for s in signal.Signals}:
        # bwrap reports its child's death by signal N as exit status 128 + N
        return f"worker killed by signal {signal.Signals(code - 128).name}"
    return f"worker exited with code {code}"
