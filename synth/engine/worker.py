"""The worker process: ``python -m synth.engine.worker CONFIG_JSON``.

It speaks :mod:`synth.engine.protocol` on the stdin/stdout it was started with, then
points its own fds 0-2 at a capped log file in its scratch folder, so code that prints
cannot corrupt the protocol and cannot fill the disk. It applies resource limits to itself
(inherited by anything it starts), builds samples or renders code on request, and reports
every failure as a typed message with its own memory use, so the pool can retire it.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import resource
import select
import signal
import socket
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from synth.engine.protocol import read_message, write_message

if TYPE_CHECKING:
    from synth.backends import Renderer
    from synth.engine.forked import Zygote
    from synth.pack import DomainPack

NETWORK_ERRNOS = {
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    errno.ECONNREFUSED,
    errno.EADDRNOTAVAIL,
    errno.ENETDOWN,
}
FS_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
#: a full scratch or /dev/shm (size-capped tmpfs mounts)
SPACE_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


def apply_limits(limits: dict[str, int]) -> None:
    """Address space, open files, written file size, processes, core dumps."""

    def lim(res: int, value: int) -> None:
        _, hard = resource.getrlimit(res)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(res, (value, value if hard == resource.RLIM_INFINITY else hard))

    if limits.get("memory_mb"):
        lim(resource.RLIMIT_AS, limits["memory_mb"] * 2**20)
    if limits.get("open_files"):
        lim(resource.RLIMIT_NOFILE, limits["open_files"])
    if limits.get("file_mb"):
        lim(resource.RLIMIT_FSIZE, limits["file_mb"] * 2**20)
    if limits.get("processes"):
        lim(resource.RLIMIT_NPROC, limits["processes"])
    lim(resource.RLIMIT_CORE, 0)


def cpu_budget(seconds: float) -> None:
    """SIGXCPU once this process has used ``seconds`` more CPU time from now."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    now = used.ru_utime + used.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (int(now + seconds) + 1, hard))


def classify(exc: BaseException, scratch: str) -> str:
    """The failure kind of an exception raised by a sample."""
    from synth._errors import (
        RenderCrash,
        RenderError,
        RenderForbidden,
        SampleRejected,
        SpecError,
    )

    if isinstance(exc, SampleRejected):
        return "rejected"
    if isinstance(exc, RenderForbidden):
        return "forbidden"
    if isinstance(exc, RenderCrash):
        return exc.kind
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, socket.gaierror):
        return "forbidden"
    if isinstance(exc, OSError):
        if exc.errno == errno.EFBIG:
            return "forbidden"  # past the written-file-size limit
        if exc.errno in NETWORK_ERRNOS or exc.errno in FS_ERRNOS or exc.errno in SPACE_ERRNOS:
            return "forbidden"
        if (
            exc.errno == errno.ENOENT
            and exc.filename
            and not str(exc.filename).startswith(scratch)
            and os.path.isabs(str(exc.filename))
        ):
            return "forbidden"  # the sandbox hides everything outside scratch and the runtime
    if isinstance(exc, SpecError):
        return "spec"
    if isinstance(exc, RenderError):
        return "invalid_image" if "invalid PNG" in str(exc) or "blank" in str(exc) else "render"
    return "exception"


#: Chromium's crash handler double-forks out of the tree that started it; spared by name
DETACHED_HELPERS = ("chrome_crashpad_handler",)


def stray_processes(
    helpers: tuple[str, ...] = (),
    spare: frozenset[int] = frozenset(),
    seen: frozenset[int] = frozenset(),
) -> list[int]:
    """Live processes in this PID namespace other than its init (1), this worker and the
    back-end's own helpers: programs under ``helpers`` folders (Chromium, Playwright's node)
    that descend from this worker, were alive at the last sweep (``seen``: a discarded
    browser's processes on their way out) or are Chromium's crash handler; and the process
    ids in ``spare`` (the Blender worker, whose interpreter is an ordinary Python). A
    helper's program that a sample started and left (reparented to init) is a stray like
    any other. Zombies are dead already, init reaps them."""
    me = os.getpid()
    parents: dict[int, int] = {}
    live = []
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) not in (1, me):
            try:
                with open(f"/proc/{d}/stat") as f:
                    state, ppid = f.read().rsplit(")", 1)[1].split()[:2]
            except (OSError, IndexError, ValueError):
                continue
            parents[int(d)] = int(ppid)
            if state != "Z" and int(d) not in spare:
                live.append(int(d))

    def descends_from_me(pid: int) -> bool:
        for _ in range(64):
            pid = parents.get(pid, 0)
            if pid == me:
                return True
            if pid <= 1:
                return False
        return False

    def helper(pid: int) -> bool:
        exe = _helper_exe(pid, helpers)
        if exe is None:
            return False
        detached = os.path.basename(exe) in DETACHED_HELPERS
        return detached or pid in seen or descends_from_me(pid)

    return [pid for pid in live if not (helpers and helper(pid))]


def helper_processes(helpers: tuple[str, ...]) -> frozenset[int]:
    """The live processes running a program under ``helpers`` folders."""
    pids = (int(d) for d in os.listdir("/proc") if d.isdigit())
    return frozenset(pid for pid in pids if _helper_exe(pid, helpers) is not None)


def _helper_exe(pid: int, helpers: tuple[str, ...]) -> str | None:
    """The program ``pid`` runs, if it lies under one of the ``helpers`` folders."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None
    return exe if any(exe.startswith(h) for h in helpers) else None


def kill_strays(pids: list[int]) -> None:
    """SIGKILL ``pids`` and wait (briefly) until none is alive, so the next task starts clean."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for _ in range(100):
        if not stray_processes():
            return
        time.sleep(0.02)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    cfg: dict[str, Any] = json.loads(sys.argv[1])
    proto_in, proto_out = os.dup(0), os.dup(1)
    scratch = cfg["scratch"]
    # fd 2 is the log the pool opened for us (outside the sandbox's view); prints go there too
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    _copy_font_cache(cfg.get("mpl_cache"), os.environ.get("MPLCONFIGDIR"))
    limits = dict(cfg.get("limits", {}))
    if cfg.get("weights"):
        from synth.targeting import activate

        activate(cfg["weights"])
    forked = frozenset(cfg.get("forked", ()))  # packs from outside: a process per task
    packs = _packs([d for d in cfg.get("domains", []) if d not in forked], cfg.get("options", {}))
    code_languages = tuple(cfg.get("languages", ()))
    forked_languages = tuple(cfg.get("forked_languages", ()))
    renderers = _renderers(
        [lang for p in packs for lang in p.languages] + list(code_languages + forked_languages)
    )
    if not all(r.limit_address_space for r in renderers):
        limits.pop("memory_mb", None)  # e.g. Chromium: the worker's memory cgroup bounds it
    apply_limits(limits)
    os.chdir(scratch)
    if cfg.get("pid_namespace"):
        _undumpable()
    if cfg.get("isolate_scripts"):
        for r in renderers:
            if r.isolate is not None:
                r.isolate()
    threaded_code = bool(code_languages) and all(
        r.render_thread for r in _renderers(list(code_languages))
    )
    # a forked task's calls to a back-end that mostly waits run on the render thread too
    threaded_forked = tuple(
        lang for lang in forked_languages for r in _renderers([lang]) if r.render_thread
    )
    renderer = (
        ThreadPoolExecutor(1, thread_name_prefix="render")
        if threaded_code or threaded_forked or any(map(_threaded, packs))
        else None
    )
    _warm_up(
        packs,
        (code_languages if threaded_code else ()) + threaded_forked,
        code_languages + forked_languages,
        renderer,
    )
    helpers = tuple(d for r in renderers for d in r.helper_dirs())
    cleaner = Scratch(scratch) if cfg.get("pid_namespace") else None
    zygote = _zygote(forked, cfg, renderer, cleaner) if forked else None
    write_message(proto_out, {"op": "ready"})  # task timeouts start now, not at process start
    _serve(proto_in, proto_out, cfg, renderers, helpers, renderer, cleaner, zygote)


def _zygote(
    forked: frozenset[str],
    cfg: dict[str, Any],
    renderer: ThreadPoolExecutor | None,
    cleaner: Scratch | None,
) -> Zygote:
    """The process that loads the packs from outside and forks a child per task of theirs
    (started now, once the worker is warm, so every child starts warm). What its warm-up
    samples leave in scratch is cleared before a task can see it."""
    from functools import partial

    from synth.engine.forked import Zygote, zygote_main

    def on_thread(fn: Callable[[], Any]) -> Any:
        return renderer.submit(fn).result() if renderer is not None else fn()

    def handle(msg: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        return _handle(msg, [], cfg)

    main = partial(
        zygote_main,
        domains=forked,
        options=cfg.get("options", {}),
        handle=handle,
        cpu_s=cfg.get("cpu_s", 60.0),
    )
    zygote = Zygote(
        forked,
        main,
        on_thread,
        deadline_s=cfg.get("cpu_s", 60.0),
        on_ready=cleaner.clear if cleaner is not None else lambda: None,
    )
    try:
        zygote.spawn()
    except RuntimeError:
        pass  # each task tries again, and fails typed if it cannot
    return zygote


def _undumpable() -> None:
    """Make this process undumpable, so nothing it starts (a forked script, a back-end) can
    open its descriptors through ``/proc/PID/fd`` or trace it, though they share its uid."""
    import ctypes

    pr_set_dumpable = 4
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_dumpable, 0, 0, 0, 0)


def _copy_font_cache(source: str | None, target: str | None) -> None:
    """Matplotlib's font list into this worker's config folder (a rebuild costs seconds)."""
    if not source or not target:
        return
    import shutil
    from pathlib import Path

    Path(target).mkdir(exist_ok=True)
    for cache in Path(source).glob("fontlist-*.json"):
        try:
            shutil.copyfile(cache, Path(target) / cache.name)
        except OSError:
            pass


class Scratch:
    """What a sample leaves in scratch and ``/dev/shm``: the entries present once the worker
    was warm (its back-ends' profiles and caches) stay, everything else goes after each task,
    so nothing piles up over a worker's life and no sample finds another's files."""

    def __init__(self, scratch: str, shm: str = "/dev/shm") -> None:
        self.dirs = [d for d in (scratch, shm) if os.path.isdir(d)]
        self.keep = {d: set(os.listdir(d)) for d in self.dirs}

    #: Chromium's shared-memory files (--disable-dev-shm-usage puts them here): it creates
    #: and unlinks each at once, so only one older than a moment is a sample's leftover
    TRANSIENT = (".org.chromium.", ".com.google.Chrome.")
    TRANSIENT_S = 10.0

    def clear(self) -> None:
        import shutil

        now = time.time()
        for d in self.dirs:
            for name in set(os.listdir(d)) - self.keep[d]:
                path = os.path.join(d, name)
                if name.startswith(self.TRANSIENT):
                    try:
                        if now - os.lstat(path).st_mtime < self.TRANSIENT_S:
                            continue
                    except OSError:
                        continue
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass


def _renderers(languages: list[str]) -> list[Renderer]:
    """The renderers of ``languages``, each once (a language no renderer declares has none:
    its pack renders on its own, and its task reports any failure, typed)."""
    from synth import backends

    out: list[Renderer] = []
    for language in languages:
        try:
            found = backends.for_language(language)
        except Exception:  # noqa: BLE001 - the task itself will report it, typed
            continue
        if found not in out:
            out.append(found)
    return out


def _threaded(pack: DomainPack) -> bool:
    """Whether ``pack`` renders on the worker's render thread: every renderer it draws with
    mostly waits (``render_thread``), so sampling and finishing go on meanwhile."""
    renderers = _renderers(list(pack.languages))
    return bool(renderers) and all(r.render_thread for r in renderers)


#: tasks a worker holds at once: one rendering while the main thread finishes the one before
#: it and samples the one after (the pool's prefetch keeps the next one queued)
PIPELINE_DEPTH = 2


@dataclasses.dataclass
class _Job:
    """A task between its message and its reply: either its reply already (a failure, or a
    task handled start to finish on the main thread) or its sample and pending render."""

    msg: dict[str, Any]
    reply: tuple[dict[str, Any], list[bytes]] | None = None
    pack: Any = None
    sample: Any = None
    render: Future[Any] | None = None

    def ready(self) -> bool:
        return self.reply is not None or (self.render is not None and self.render.done())


def _serve(
    proto_in: int,
    proto_out: int,
    cfg: dict[str, Any],
    renderers: list[Renderer],
    helpers: tuple[str, ...],
    renderer: ThreadPoolExecutor | None,
    cleaner: Scratch | None = None,
    zygote: Zygote | None = None,
) -> None:
    """Answer tasks in the order they came. A task of a pack from outside is built in a
    process of its own, forked by ``zygote`` (:mod:`synth.engine.forked`). A task of a
    ``render_thread`` pack is sampled here and rendered on the render thread, so its
    back-end draws while this thread finishes the task before it (QA, checks, record) and
    samples the one after. Any other task waits for the tasks before it to be answered,
    then is built and answered here start to finish,
    so a slow or hanging task never holds back a reply that was ready."""
    jobs: deque[_Job] = deque()
    wake_r, wake_w = os.pipe()  # the render thread says "a render finished"
    eof = False
    while jobs or not eof:
        room = not eof and len(jobs) < PIPELINE_DEPTH
        # feed the renderer first: a message waiting is sampled before the head is finished
        if jobs and jobs[0].ready() and not (room and _readable(proto_in)):
            _reply(proto_out, jobs.popleft(), cfg, renderers, helpers, zygote)
            if cleaner is not None:
                cleaner.clear()
            continue
        waiting = ([proto_in] if room else []) + ([wake_r] if jobs else [])
        readable, _, _ = select.select(waiting, [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
        if proto_in not in readable:
            continue
        try:
            msg, blobs = read_message(proto_in)
        except EOFError:
            eof = True
            continue
        if msg.get("op") == "stop":
            eof = True
            continue
        cpu_budget(cfg.get("cpu_s", 60.0))
        forked = zygote is not None and msg.get("domain") in zygote.domains
        pack = None if forked else _pipelined(msg, cfg, renderer)
        if pack is not None:
            assert renderer is not None
            jobs.append(_start(msg, pack, cfg, renderer, wake_w))
            continue
        while jobs:  # answer what came before, in order, then this task alone
            _reply(proto_out, jobs.popleft(), cfg, renderers, helpers, zygote)
        if forked and msg.get("op") == "sample":
            assert zygote is not None
            reply = zygote.run(msg)
        elif renderer is not None and msg.get("op") == "code":  # the render thread is warm
            reply = renderer.submit(_handle, msg, blobs, cfg).result()
        else:
            reply = _handle(msg, blobs, cfg)
        _reply(proto_out, _Job(msg, reply), cfg, renderers, helpers, zygote)
        if cleaner is not None:
            cleaner.clear()


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


def _pipelined(
    msg: dict[str, Any], cfg: dict[str, Any], renderer: ThreadPoolExecutor | None
) -> Any:
    """The pack of a sample task that renders on the render thread, else None."""
    if renderer is None or msg.get("op") != "sample":
        return None
    from synth import registry

    try:
        pack = registry.get(msg["domain"], cfg.get("options", {}).get(msg["domain"]))
    except Exception:  # noqa: BLE001 - built alone, the task reports it typed
        return None
    return pack if _threaded(pack) else None


def _start(
    msg: dict[str, Any], pack: Any, cfg: dict[str, Any], renderer: ThreadPoolExecutor, wake: int
) -> _Job:
    """Sample a task here and hand its render to the render thread."""
    from synth.targeting import draw_sample

    try:
        sample = draw_sample(lambda rng: pack.sample(rng=rng), msg["domain"], msg["seed"])
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a typed message
        return _Job(msg, _typed(msg, exc, cfg))
    render = renderer.submit(pack.render, sample)
    render.add_done_callback(lambda _: os.write(wake, b"."))
    return _Job(msg, pack=pack, sample=sample, render=render)


def _reply(
    proto_out: int,
    job: _Job,
    cfg: dict[str, Any],
    renderers: list[Renderer],
    helpers: tuple[str, ...],
    zygote: Zygote | None = None,
) -> None:
    """Finish ``job`` if need be (QA, checks, record), sweep stray processes (sparing the
    back-ends' helpers and the zygote), send the reply and empty the log for the next task."""
    if job.reply is None:
        assert job.render is not None
        try:
            job.reply = _record_reply(
                job.msg, job.pack, job.sample, cfg, rendered=job.render.result()
            )
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a typed message
            job.reply = _typed(job.msg, exc, cfg)
    reply, out = job.reply
    if cfg.get("pid_namespace"):
        spare = frozenset(p for r in renderers for p in r.helper_pids())
        if zygote is not None and zygote.pid is not None:
            spare |= {zygote.pid}
        strays = stray_processes(helpers, spare, _SWEPT.get("helpers", frozenset()))
        if strays:
            kill_strays(strays)
            reply = _failure(
                job.msg, "forbidden", f"the sample left {len(strays)} process(es) running", ""
            )
            out = []
        if helpers:
            _SWEPT["helpers"] = helper_processes(helpers)
    reply["rss_mb"] = round(rss_mb(), 1)  # the pool retires workers that grow too big
    write_message(proto_out, reply, out)
    os.ftruncate(1, 0)
    os.lseek(1, 0, os.SEEK_SET)


#: the helper processes alive at the last stray sweep (spared at the next one)
_SWEPT: dict[str, frozenset[int]] = {}


def _packs(domains: list[str], options: dict[str, dict[str, str]]) -> list[DomainPack]:
    from synth import registry

    out = []
    for name in domains:
        try:
            out.append(registry.get(name, options.get(name)))
        except Exception:  # noqa: BLE001 - the task itself will report it, typed
            pass
    return out


def _warm_up(
    packs: list[DomainPack],
    threaded_code: tuple[str, ...],
    code_languages: tuple[str, ...],
    renderer: ThreadPoolExecutor | None,
) -> None:
    """Import the run's domain packs and ready every language they (and a code task) draw
    with before the first task. A language warms up on the thread that will render it: the
    render thread for a ``render_thread`` pack (while this thread loads the packs' data,
    ``warm_up_data``), this thread otherwise."""
    from synth import backends

    def call(fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 - the task itself will report it, typed
            pass

    def warm_ups(languages: tuple[str, ...]) -> list[Callable[[], None]]:
        try:  # a language no renderer runs warms nothing: its task reports it, typed
            known = backends.languages()
        except Exception:  # noqa: BLE001 - a broken registration: the tasks report it
            return []
        return backends.warm_ups(lang for lang in languages if lang in known)

    threaded = [p for p in packs if renderer is not None and _threaded(p)]
    on_thread = warm_ups(tuple(lang for p in threaded for lang in p.languages) + threaded_code)
    here = warm_ups(
        tuple(lang for p in packs if p not in threaded for lang in p.languages)
        + tuple(lang for lang in code_languages if lang not in threaded_code)
    )
    backends_ready: list[Future[None]] = []
    if renderer is not None:
        backends_ready = [renderer.submit(call, fn) for fn in on_thread]
    from synth.build import build_record  # noqa: F401

    for pack in packs:
        call(pack.warm_up_data)
    for fn in here:
        call(fn)
    for done in backends_ready:
        done.result()


def _failure(msg: dict[str, Any], kind: str, message: str, tb: str) -> dict[str, Any]:
    return {
        "op": "failed",
        "index": msg.get("index"),
        "kind": kind,
        "message": message,
        "traceback": tb[-2000:],
    }


def _handle(
    msg: dict[str, Any], blobs: list[bytes], cfg: dict[str, Any]
) -> tuple[dict[str, Any], list[bytes]]:
    try:
        if msg["op"] == "sample":
            from synth import registry
            from synth.targeting import draw_sample

            pack = registry.get(msg["domain"], cfg.get("options", {}).get(msg["domain"]))
            sample = draw_sample(lambda rng: pack.sample(rng=rng), msg["domain"], msg["seed"])
            return _record_reply(msg, pack, sample, cfg)
        if msg["op"] == "code":
            from synth import backends

            language = msg["language"]
            if language not in backends.languages():
                known = ", ".join(backends.languages())
                return _failure(
                    msg, "exception", f"unknown language {language!r}; known: {known}", ""
                ), []
            render = backends.for_language(language).languages[language].render
            rendered = render(blobs[0].decode())
            from synth.build import verify

            if not verify(rendered, [])["not_blank"]:  # raises on a non-PNG: invalid_image
                return _failure(msg, "invalid_image", "the image is blank", ""), []
            info = {
                "op": "rendered",
                "width": rendered.width,
                "height": rendered.height,
                "elements": list(rendered.elements),
                "backend": rendered.backend,
            }
            return info, [rendered.png]
        return _failure(msg, "exception", f"unknown op {msg.get('op')!r}", ""), []
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a typed message
        return _typed(msg, exc, cfg)


def _record_reply(
    msg: dict[str, Any], pack: Any, sample: Any, cfg: dict[str, Any], rendered: Any = None
) -> tuple[dict[str, Any], list[bytes]]:
    """The "done" reply of a sampled task: render it (unless ``rendered`` already is its
    render), ask, check, and serialise the record."""
    from synth.build import finish

    record, png, files = finish(
        pack,
        sample,
        index=msg["index"],
        seed=msg["seed"],
        run_seed=cfg["run_seed"],
        degrade=cfg.get("degrade", "none"),
        rendered=rendered,
    )
    data = record.to_json()
    blob = json.dumps(data, ensure_ascii=False).encode()
    header = {"op": "done", "index": msg["index"], "files": list(files), "summary": summary(data)}
    return header, [blob, png, *files.values()]


#: what a run's bookkeeping reads of a record and of each of its questions
SUMMARY_KEYS = ("id", "domain", "family", "checks")
QA_SUMMARY_KEYS = ("program", "answer_type", "answer", "choices")


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """The fields of a record the run's writer and statistics read (see ``Done.summary``):
    sent beside the record, they spare the run parsing it (elements and all)."""
    out = {k: record[k] for k in SUMMARY_KEYS}
    out["qa"] = [{k: q[k] for k in QA_SUMMARY_KEYS if k in q} for q in record["qa"]]
    out["dropped"] = [
        {"program": d["program"], "reason": d["reason"]}
        for d in record["annotations"].get("dropped", ())
    ]
    return out


def _typed(
    msg: dict[str, Any], exc: BaseException, cfg: dict[str, Any]
) -> tuple[dict[str, Any], list[bytes]]:
    """The failure reply of a task that raised ``exc``."""
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    kind = classify(exc, cfg["scratch"])
    return _failure(
        msg, kind, f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc))
    ), []


if __name__ == "__main__":
    main()
