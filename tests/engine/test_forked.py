"""The zygote that builds each task of a pack from outside in a process of its own
(synth.engine.forked), driven directly: forwarded calls run in the worker and come back
typed, and whatever a task's process does to itself, its channel or its zygote fails that
task alone, typed, and the next task runs in a fresh process."""

from __future__ import annotations

import json
import os
import signal
import time
from functools import partial
from typing import Any

import pytest

from synth._errors import RenderTimeout
from synth.engine import forked
from synth.engine.forked import Frame, Zygote, forwarded, zygote_main

#: set by a "patch" task in its own process; a later task must never see it
PATCHED: list[str] = []


def _pid_frame(pid: int) -> Frame:
    return {"pid": pid}, []


def _pid_of(frame: Frame) -> int:
    return int(frame[0]["pid"])


@forwarded("test.worker_pid", _pid_frame, _pid_of)
def worker_pid(fail: bool = False) -> int:
    """The pid of the process this really runs in (the worker's, called from a task)."""
    if fail:
        raise RenderTimeout("the page did not settle")
    return os.getpid()


def _done(msg: dict[str, Any], **facts: Any) -> Frame:
    summary = {"qa": [], "dropped": []}
    head = {"op": "done", "index": msg["index"], "files": [], "summary": summary}
    return head, [json.dumps(facts).encode(), b"png"]


def handle(msg: dict[str, Any]) -> Frame:
    """A task, by its ``mode``, as a pack's code might behave."""
    mode = msg["mode"]
    if mode == "ok":
        log_open = os.fstat(2) is not None  # raises when fd 2 (the log) was closed
        return _done(msg, me=os.getpid(), worker=worker_pid(), patched=list(PATCHED), log=log_open)
    if mode == "patch":
        PATCHED.append("by a sample")
        return _done(msg, me=os.getpid(), worker=worker_pid(), patched=list(PATCHED))
    if mode == "raise":
        try:
            worker_pid(fail=True)
        except RenderTimeout as exc:  # rebuilt with its own type
            return {
                "op": "failed",
                "index": msg["index"],
                "kind": "render",
                "message": str(exc),
            }, []
    if mode == "die":
        os._exit(3)
    if mode == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if mode == "hang":
        time.sleep(3600)
    if mode == "garbage":
        assert forked._CHANNEL is not None
        os.write(forked._CHANNEL, b"\x00\x00\x00\x05{{{{{")
        os._exit(0)
    if mode == "other_index":
        return _done({"index": 999999})
    if mode == "kill_zygote":
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(3600)
    raise AssertionError(mode)


@pytest.fixture
def zygote() -> Any:
    main = partial(zygote_main, domains=frozenset(), options={}, handle=handle, cpu_s=30.0)
    z = Zygote(frozenset({"outside"}), main, lambda fn: fn(), deadline_s=3.0)
    z.spawn()
    yield z
    z.kill()


def _run(z: Zygote, index: int, mode: str) -> Frame:
    return z.run({"op": "sample", "index": index, "mode": mode})


def test_a_task_runs_in_its_own_process_and_its_calls_run_in_the_worker(zygote: Zygote) -> None:
    first_zygote = zygote.pid
    seen = []
    for i, mode in enumerate(["ok", "patch", "ok", "ok"]):
        head, blobs = _run(zygote, i, mode)
        assert head["op"] == "done" and head["index"] == i
        seen.append(json.loads(blobs[0]))
    assert [s["patched"] for s in seen] == [[], ["by a sample"], [], []]  # died with its process
    assert all(s["worker"] == os.getpid() for s in seen)  # the forwarded call ran here
    assert seen[0]["log"] is True  # the task's process writes to the worker's log
    assert len({s["me"] for s in seen} | {os.getpid(), first_zygote}) == 6
    assert zygote.pid == first_zygote


def test_a_forwarded_calls_error_is_raised_in_the_task_with_its_type(zygote: Zygote) -> None:
    head, _ = _run(zygote, 0, "raise")
    assert head == {"op": "failed", "index": 0, "kind": "render", "message": head["message"]}
    assert "did not settle" in head["message"]


@pytest.mark.parametrize(
    "mode,kind,words",
    [
        ("die", "crash", "exited with code 3"),
        ("segfault", "crash", "SIGSEGV"),
        ("hang", "timeout", "no result within 3 s"),
        ("garbage", "forbidden", "broke its channel"),
        ("other_index", "forbidden", "task 999999"),
        ("kill_zygote", "forbidden", "killed the process it came from"),
    ],
)
def test_a_task_that_misbehaves_fails_alone_and_the_next_one_runs(
    zygote: Zygote, mode: str, kind: str, words: str
) -> None:
    head, blobs = _run(zygote, 7, mode)
    assert (head["op"], head["index"], head["kind"]) == ("failed", 7, kind), head
    assert words in head["message"] and blobs == []
    head, blobs = _run(zygote, 8, "ok")
    assert head["op"] == "done" and json.loads(blobs[0])["worker"] == os.getpid()
    assert zygote.pid is not None
    os.kill(zygote.pid, 0)  # alive (a new one where the old one was killed)


def test_an_unknown_call_is_an_error_frame_not_an_exception() -> None:
    head, blobs = forked.serve({"op": "call", "name": "os.system", "args": ["id"]}, lambda f: f())
    assert head["op"] == "error" and "no forwarded call 'os.system'" in head["message"]
    assert blobs == []
    head, _ = forked.serve(
        {"op": "call", "name": "test.worker_pid", "args": [], "kwargs": {"fail": True}},
        lambda f: f(),
    )
    assert (head["op"], head["type"]) == ("error", "RenderTimeout")


def test_a_pack_that_hangs_while_loading_fails_each_task_typed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A zygote that never says it is ready (a pack whose import or data never ends) is
    killed after START_S; each task then fails as a crash that says so, and no process is
    left behind."""
    monkeypatch.setattr(forked, "START_S", 1.0)

    def hangs(fd: int) -> Any:
        time.sleep(3600)

    z = Zygote(frozenset({"outside"}), hangs, lambda fn: fn(), deadline_s=3.0)
    for index in (0, 1):
        head, blobs = z.run({"op": "sample", "index": index, "mode": "ok"})
        assert (head["op"], head["index"], head["kind"]) == ("failed", index, "crash")
        assert "did not start" in head["message"] and blobs == []
        assert z.pid is None


def test_a_warm_up_sample_that_hangs_is_abandoned_and_the_zygote_starts() -> None:
    """The zygote's throwaway warm-up samples (seeds 0, 1, 2) each get a task's time: one
    that never ends is abandoned, so a pack cannot keep its zygote from starting."""

    def hangs_at_warm_up(msg: dict[str, Any]) -> Frame:
        if msg["index"] == -1:
            try:
                time.sleep(3600)
            except TimeoutError as exc:  # as _handle does: every failure becomes a reply
                return {"op": "failed", "index": -1, "kind": "timeout", "message": str(exc)}, []
        return handle(msg)

    main = partial(
        zygote_main, domains=frozenset({"geometry"}), options={}, handle=hangs_at_warm_up, cpu_s=1.0
    )  # a pack that loads (it is warmed up only then); its samples are the handle's
    z = Zygote(frozenset({"geometry"}), main, lambda fn: fn(), deadline_s=3.0)
    t0 = time.monotonic()
    try:
        z.spawn()
        assert 3.0 <= time.monotonic() - t0 < 20.0  # three warm-up samples, a second each
        head, blobs = _run(z, 0, "ok")
        assert head["op"] == "done" and json.loads(blobs[0])["worker"] == os.getpid()
    finally:
        z.kill()


def test_a_task_index_past_the_small_ints_is_matched_by_value(zygote: Zygote) -> None:
    for index in (1_000, 123_456_789):
        head, _ = _run(zygote, index, "ok")
        assert (head["op"], head["index"]) == ("done", index)


def test_killing_a_zygote_leaves_no_descriptor_open() -> None:
    before = set(os.listdir("/proc/self/fd"))
    main = partial(zygote_main, domains=frozenset(), options={}, handle=handle, cpu_s=30.0)
    z = Zygote(frozenset({"outside"}), main, lambda fn: fn(), deadline_s=3.0)
    z.spawn()
    assert len(set(os.listdir("/proc/self/fd")) - before) == 1  # its socket
    z.kill()
    assert set(os.listdir("/proc/self/fd")) <= before and z.fd == -1


def test_an_exception_comes_back_with_its_type_or_as_a_foreign_error() -> None:
    """A builtin or synth exception is rebuilt with its type (so the failure is typed as
    here); a pack's own type, or a name that is not an exception at all, is a ForeignError;
    a forwarded function keeps its own name."""
    from synth.engine.forked import ForeignError, exception_fields, rebuilt_exception

    again = rebuilt_exception(exception_fields(RenderTimeout("slow")), "there")
    assert type(again) is RenderTimeout and str(again) == "slow"
    for name in ("MyPackError", "print", "open"):
        exc = rebuilt_exception({"type": name, "message": "m"}, "there")
        assert type(exc) is ForeignError and str(exc) == f"{name}: m"
    assert worker_pid.__name__ == "worker_pid" and "really runs" in (worker_pid.__doc__ or "")
