"""Tasks of packs from outside synth, each in a process of its own (issue 16, item 6).

A sandboxed worker forks a *zygote* once it is warm. The zygote closes every descriptor but
its log and one socket to the worker, imports the packs from outside and loads their data,
then forks a child per task. The child samples, renders, asks and checks, sends its reply
on the socket and exits, so whatever the pack's code changes (a library patched, a global
set) dies with it and no later sample sees it. Neither the zygote nor the child ever holds
the worker's protocol pipes.

What the child cannot do alone, because it lives in the worker (the warm browser on its
render thread, the Blender process), it asks of the worker with a *forwarded call*: a
function declared with :func:`forwarded` sends its name and JSON arguments, the worker runs
the real function and sends back the result as plain data (never a pickle). Every frame from
the zygote's side is read with a deadline and checked; anything else fails that sample,
typed, and the worker starts a new zygote.
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import time
from collections.abc import Callable
from typing import Any, NoReturn, ParamSpec, TypeVar

from synth.engine.protocol import read_message, write_message
from synth.record import Rendered

P = ParamSpec("P")
R = TypeVar("R")
Frame = tuple[dict[str, Any], list[bytes]]

#: seconds a zygote has to import its packs, load their data and warm them up
START_S = 120.0
#: throwaway samples a zygote builds of each pack before its first task
WARM_UP_SAMPLES = 3

#: in a task's child: its socket to the worker (forwarded calls go there); None elsewhere
_CHANNEL: int | None = None

#: name -> (the real function, how its result becomes a frame)
CALLS: dict[str, tuple[Callable[..., Any], Callable[[Any], Frame]]] = {}


def forwarded(
    name: str, encode: Callable[[Any], Frame], decode: Callable[[Frame], Any]
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a function that runs in the worker: called in a task's child, it sends its
    JSON arguments to the worker and returns ``decode`` of the frame that ``encode`` made of
    the real result there; called anywhere else, it is the function itself."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        CALLS[name] = (fn, encode)

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            if _CHANNEL is None:
                return fn(*args, **kwargs)
            write_message(_CHANNEL, {"op": "call", "name": name, "args": args, "kwargs": kwargs})
            header, blobs = read_message(_CHANNEL)
            if header.get("op") == "error":
                raise rebuilt_exception(header, "in the worker")
            result: R = decode((header, blobs))
            return result

        return call

    return wrap


def renders(name: str) -> Callable[[Callable[P, Rendered]], Callable[P, Rendered]]:
    """:func:`forwarded` for a function that returns a :class:`Rendered`."""
    return forwarded(name, rendered_frame, rendered_of)


def rendered_frame(r: Rendered) -> Frame:
    head = {"width": r.width, "height": r.height, "backend": r.backend}
    head.update(elements=list(r.elements), pixel_std=r.pixel_std, files=[n for n, _ in r.files])
    return head, [r.png, *(data for _, data in r.files)]


def rendered_of(frame: Frame) -> Rendered:
    head, blobs = frame
    return Rendered(
        png=blobs[0],
        width=int(head["width"]),
        height=int(head["height"]),
        elements=tuple(head["elements"]),
        backend=str(head["backend"]),
        pixel_std=None if head["pixel_std"] is None else float(head["pixel_std"]),
        files=tuple(zip(head["files"], blobs[1:], strict=True)),
    )


def serve(header: dict[str, Any], on_thread: Callable[[Callable[[], Any]], Any]) -> Frame:
    """The worker's answer to a forwarded call (``on_thread`` runs the real function where
    the back-end lives): its result's frame, or an error frame; never an exception."""
    from synth._errors import RenderError

    name, args, kwargs = header.get("name"), header.get("args"), header.get("kwargs")
    entry = CALLS.get(name) if isinstance(name, str) else None
    if entry is None or not isinstance(args, list) or not isinstance(kwargs, dict):
        known = ", ".join(sorted(CALLS))
        exc = RenderError(f"no forwarded call {name!r} with a list and a dict; known: {known}")
        return {"op": "error", **exception_fields(exc)}, []
    fn, encode = entry
    try:
        head, blobs = encode(on_thread(lambda: fn(*args, **kwargs)))
    except Exception as exc:  # noqa: BLE001 - it is the child's to raise, typed
        return {"op": "error", **exception_fields(exc)}, []
    return {**head, "op": "result"}, blobs


class Zygote:
    """The worker's side of its zygote: :meth:`run` hands it a task and serves the task's
    forwarded calls until the reply and the child's exit status came."""

    def __init__(
        self,
        domains: frozenset[str],
        main: Callable[[int], NoReturn],
        on_thread: Callable[[Callable[[], Any]], Any],
        deadline_s: float,
        on_ready: Callable[[], None] = lambda: None,
    ) -> None:
        self.domains = domains
        self.main = main  # the zygote's own loop (:func:`zygote_main`), given its socket
        self.on_thread = on_thread
        self.deadline_s = deadline_s
        self.on_ready = on_ready  # e.g. clear what its warm-up samples left in scratch
        self.pid: int | None = None
        self.fd = -1

    def spawn(self) -> None:
        """Fork the zygote and wait until its packs are loaded (a RuntimeError if not)."""
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the zygote
            try:
                os.setpgid(0, 0)  # its task children join its group: one killpg ends all
                ours.close()
                close_fds_but(theirs.fileno())
                self.main(theirs.detach())
            finally:
                os._exit(1)
        theirs.close()
        self.pid, self.fd = pid, ours.detach()
        deadline = time.monotonic() + START_S
        try:
            while True:  # its warm-up samples may call the worker's back-ends
                header, _ = read_message(self.fd, deadline)
                if header.get("op") != "call":
                    break
                write_message(self.fd, *serve(header, self.on_thread))
        except (EOFError, OSError, ValueError) as exc:
            self.kill()
            raise RuntimeError(f"the packs' process did not start: {exc}") from None
        if header.get("op") != "ready":
            self.kill()
            raise RuntimeError(f"the packs' process did not start: it sent {header.get('op')!r}")
        self.on_ready()

    def run(self, msg: dict[str, Any]) -> Frame:
        """Task ``msg``'s reply, built in a child of the zygote: a record or a typed failure."""
        from synth.engine.pool import frame_error

        index = msg.get("index")
        reply: Frame | None = None
        try:
            if self.pid is None:
                self.spawn()
            write_message(self.fd, msg)
            deadline = time.monotonic() + self.deadline_s
            while True:
                header, blobs = read_message(self.fd, deadline)
                op = header.get("op")
                if op == "call" and reply is None:
                    write_message(self.fd, *serve(header, self.on_thread))
                elif op == "exited" and header.get("index") == index:
                    return reply or (_death(msg, header.get("status")), [])
                elif op in ("done", "failed") and reply is None:
                    broken = frame_error(header, blobs, index)
                    if broken:
                        raise ValueError(broken)
                    reply = header, blobs
                else:
                    raise ValueError(f"an unexpected {op!r} message")
        except TimeoutError:
            self.kill()
            return failure(msg, "timeout", f"no result within {self.deadline_s:g} s"), []
        except ValueError as exc:
            self.kill()
            return failure(msg, "forbidden", f"the sample broke its channel: {exc}"), []
        except (EOFError, OSError, RuntimeError) as exc:
            if self.kill() is not None:  # it was dead before we killed it: the sample did it
                return failure(msg, "forbidden", "the sample killed the process it came from"), []
            return failure(msg, "crash", f"the sample's process died: {exc}"), []

    def kill(self) -> int | None:
        """End the zygote and every task child of its group (the next task starts another);
        its exit status if it had ended already."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid is None:
            return None
        pid, self.pid = self.pid, None
        done, status = os.waitpid(pid, os.WNOHANG)
        try:
            os.killpg(pid, signal.SIGKILL)  # its children too, though it is gone
        except ProcessLookupError:
            pass
        if not done:
            os.waitpid(pid, 0)
        # a task child outlives the kill by a moment: gone before the worker's stray sweep
        for _ in range(400):
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.005)
        return status if done else None


def zygote_main(
    fd: int,
    domains: frozenset[str],
    options: dict[str, dict[str, str]],
    handle: Callable[[dict[str, Any]], Frame],
    cpu_s: float,
) -> NoReturn:
    """The zygote: load the packs and warm them up, then fork a child per task (``handle``
    builds its reply) and report the child's exit status after it.

    Warming up builds :data:`WARM_UP_SAMPLES` throwaway samples of each pack here, so that
    every child starts with what a first sample loads (fonts, parsers, caches): without
    them each child paid for a first sample. Every zygote builds the same ones, so every
    child of every worker starts alike."""
    from synth import registry
    from synth.engine.worker import cpu_budget

    global _CHANNEL
    _CHANNEL = fd
    for name in sorted(domains):
        try:
            registry.get(name, options.get(name)).warm_up_data()
        except Exception:  # noqa: BLE001, S112 - the task itself will report it, typed
            continue
        for seed in range(WARM_UP_SAMPLES):  # each within a task's time, or abandoned
            signal.signal(signal.SIGALRM, _abandon)
            signal.alarm(max(1, int(cpu_s)))
            try:
                handle({"op": "sample", "domain": name, "seed": seed, "index": -1})
            except TimeoutError:  # the alarm came as the sample returned
                pass
            finally:
                signal.alarm(0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    _CHANNEL = None
    write_message(fd, {"op": "ready"})
    while True:
        try:
            msg, _ = read_message(fd)
        except (EOFError, OSError, ValueError):
            os._exit(0)
        pid = os.fork()
        if pid == 0:  # the task's child
            try:
                _CHANNEL = fd
                _die_with_parent()
                cpu_budget(cpu_s)
                write_message(fd, *handle(msg))
                os._exit(0)
            finally:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        write_message(fd, {"op": "exited", "index": msg.get("index"), "status": status})


def _abandon(signum: int, frame: Any) -> None:
    raise TimeoutError("a warm-up sample took longer than a task may")


def _die_with_parent() -> None:
    """SIGKILL this process when its parent ends (a sample that kills its zygote goes too,
    so its worker reads the end of the socket instead of waiting out the deadline)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # it ended before the line above
        os._exit(1)


def _death(msg: dict[str, Any], status: Any) -> dict[str, Any]:
    """The failure of a task whose child exited with ``status`` before it replied."""
    if not isinstance(status, int):
        return failure(msg, "forbidden", "the sample broke its channel: a status that is not one")
    return failure(msg, *ended(status, "the sample's process"))


def ended(status: int, who: str) -> tuple[str, str]:
    """The failure kind and message of process ``who`` that ended with wait ``status``
    before it answered: killed past its CPU seconds (SIGXCPU) is a timeout, else a crash."""
    if os.WIFSIGNALED(status):
        sig = signal.Signals(os.WTERMSIG(status))
        kind = "timeout" if sig == signal.SIGXCPU else "crash"
        return kind, f"{who} was killed by signal {sig.name}"
    return "crash", f"{who} exited with code {os.WEXITSTATUS(status)}"


def failure(msg: dict[str, Any], kind: str, message: str) -> dict[str, Any]:
    return {"op": "failed", "index": msg.get("index"), "kind": kind, "message": message}


def close_fds_but(*keep: int) -> None:
    """Close every descriptor of this process except 0-2 and ``keep``."""
    kept = sorted({0, 1, 2, *keep})
    for lo, hi in zip(kept, [*kept[1:], os.sysconf("SC_OPEN_MAX")], strict=True):
        os.closerange(lo + 1, hi)


class ForeignError(Exception):
    """An exception of another process's own type (not rebuilt from its name)."""


def exception_fields(exc: BaseException) -> dict[str, Any]:
    """``exc`` as plain data, to be raised again in another process."""
    import traceback

    fields: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, OSError):
        fields.update(errno=exc.errno, strerror=exc.strerror, filename=exc.filename)
    if hasattr(exc, "kind"):
        fields["kind"] = str(exc.kind)
    fields["traceback"] = "".join(traceback.format_exception(exc))[-1500:]
    return fields


def rebuilt_exception(fields: dict[str, Any], where: str) -> BaseException:
    """The exception another process reported, as a builtin or synth exception of the same
    type where there is one (so the failure is typed as it would be here), else a
    :class:`ForeignError`; ``where`` says which process in its note."""
    import builtins

    from synth import _errors

    name, message = str(fields.get("type", "")), str(fields.get("message", ""))
    known = getattr(builtins, name, None) or getattr(_errors, name, None)
    if name == "gaierror":
        known = socket.gaierror
    exc: BaseException
    if (
        isinstance(known, type)
        and issubclass(known, OSError)
        and isinstance(fields.get("errno"), int)
    ):
        filename = fields.get("filename")
        exc = known(
            fields["errno"], str(fields.get("strerror")), *([str(filename)] if filename else [])
        )
    elif known is _errors.RenderCrash:
        exc = _errors.RenderCrash(message, str(fields.get("kind", "crash")))
    elif (
        isinstance(known, type)
        and issubclass(known, Exception)
        and known.__module__ in ("builtins", _errors.__name__)
    ):
        try:
            exc = known(message)
        except Exception:  # noqa: BLE001 - a builtin that takes other arguments
            exc = ForeignError(f"{name}: {message}")
    else:
        exc = ForeignError(f"{name}: {message}")
    exc.add_note(f"{where}:\n{fields.get('traceback', '')}")
    return exc
