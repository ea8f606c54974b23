"""``synth generate``: plan -> worker pool -> ordered shard writer, resumable.

Sample ``i`` always lands in shard ``i // shard_size`` at position ``i % shard_size`` and has
the seed ``sample_seed(run_seed, domain, i)``, so the dataset's bytes depend on the config
only: not on worker count, scheduling, or how often the run was killed and resumed.

Output folder::

    manifest.json        config, its hash, versions, counts, shard list (complete: true at the end)
    shards/shard-NNNNNN.tar   WebDataset: {id}.png + {id}.json per sample
    failures.jsonl       one typed failure per line, in index order
    stats.json           counts by family, program, answer type, check, failure kind,
                         questions the legibility gate dropped (by reason and program), and
                         what a stage (scene3d.photoreal) kept: images and questions
    .synth/state.jsonl   the resume log: one line per published shard
    .synth/lock          held while a run writes here
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import platform
import shutil
import signal
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth import __version__, registry
from synth._errors import ConfigError, OutputError, TooManyFailures
from synth._progress import Progress
from synth._seeding import pick_domain, sample_seed
from synth.config import RunConfig
from synth.engine.pool import Done, Failed, WorkerPool
from synth.engine.sandbox import Limits, require_sandbox
from synth.stage import Item, StageRunner
from synth.writer import ShardWriter, append_line, read_lines, sha256_file, write_json

STATE_DIR = ".synth"
DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EIO}
OUR_FILES = (
    "manifest.json",
    "failures.jsonl",
    "stats.json",
    "balance.json",
    "stats.html",
    "stats.png",
    "shards",
    STATE_DIR,
)


class Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def shard_name(k: int) -> str:
    return f"shard-{k:06d}.tar"


def generate(cfg: RunConfig) -> dict[str, Any]:
    """Run (or resume) a generation; returns the final manifest. Raises OutputError when the
    folder cannot be used and TooManyFailures past ``max_failures``."""
    registry.check_names(cfg.domains)
    from synth.targeting import activate

    activate(cfg.weights)  # a failed sample's id names its family, drawn as the workers draw it
    if cfg.sandbox:
        require_sandbox()  # refuse before touching the output folder
    for d in cfg.domains:
        # load now: a missing dependency, a bad option or a stage's missing model fails
        # before any work (a pack from outside loads in the sandbox: registry.described)
        staged = registry.load(d, cfg.options_for(d), sandbox=cfg.sandbox)
        if staged and cfg.sandbox and registry.outside(d):
            raise ConfigError(
                f"domain {d!r} declares a stage, which runs in synth's own process, "
                f"outside the sandbox: trust its pack with {registry.TRUST_VAR}={d}"
            )
    out = cfg.out_path
    _make_writable(out)
    lock = _lock(out)  # before looking at the folder: a concurrent run owns it
    try:
        _prepare(out, cfg)
        return _generate_locked(cfg, out)
    finally:
        lock.close()


def _make_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".synth-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(
            f"cannot write to output folder {out}: {exc.strerror or exc}; choose another --out"
        ) from None


def _prepare(out: Path, cfg: RunConfig) -> None:
    """Refuse a folder holding something else; clear it for --overwrite."""
    run_file = out / STATE_DIR / "run.json"
    ours = run_file.exists()  # written before anything else: the folder is synth's
    if not ours:
        present = sorted(p.name for p in out.iterdir() if p.name != STATE_DIR)
        clash = [name for name in present if name in OUR_FILES]
        if clash:  # --overwrite or not: what synth did not make, it never deletes or rewrites
            raise OutputError(
                f"output folder {out} holds {', '.join(clash)} not made by synth (no "
                f"{STATE_DIR}/run.json); choose another --out, or move those files away"
            )
        if present and not cfg.overwrite:
            raise OutputError(
                f"output folder {out} is not empty and was not made by synth ({', '.join(present[:5])}); "
                "choose an empty folder, or add --overwrite to write beside those files"
            )
    elif cfg.overwrite:
        _clear(out)
    else:
        try:
            previous = json.loads(run_file.read_text())
        except (OSError, json.JSONDecodeError):
            previous = {}
        if previous.get("config_hash") != cfg.content_hash():
            raise OutputError(
                f"output folder {out} holds a dataset made with another configuration "
                f"({_diff(previous.get('content', {}), cfg.content())}); "
                "use another --out, or --overwrite to replace it"
            )
        manifest = _read_json(out / "manifest.json")
        if not cfg.resume and not manifest.get("complete"):
            raise OutputError(
                f"output folder {out} holds an unfinished run of this configuration; "
                "add --resume to continue it, or --overwrite to start again"
            )
    (out / STATE_DIR).mkdir(exist_ok=True)
    (out / "shards").mkdir(exist_ok=True)
    write_json(run_file, {"config_hash": cfg.content_hash(), "content": cfg.content()})


def _diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    changed = [f"{k}: {old.get(k)!r} there, {new[k]!r} now" for k in new if old.get(k) != new[k]]
    return "; ".join(changed) or "unknown configuration"


def _clear(out: Path) -> None:
    for name in OUR_FILES:
        p = out / name
        if name == STATE_DIR:  # keep the lock we hold; drop the rest
            for child in p.iterdir() if p.exists() else ():
                if child.name != "lock":
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            continue
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def _lock(out: Path) -> Any:
    (out / STATE_DIR).mkdir(exist_ok=True)
    f = open(out / STATE_DIR / "lock", "w")  # noqa: SIM115 - held for the run
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        raise OutputError(
            f"another synth run is writing to {out} (lock {out / STATE_DIR / 'lock'}); wait for it or use another --out"
        ) from None
    return f


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, json.JSONDecodeError):
        return {}


def _generate_locked(cfg: RunConfig, out: Path) -> dict[str, Any]:
    shards_dir = out / "shards"
    for tmp in shards_dir.glob("*.tmp"):
        tmp.unlink()
    state_path = out / STATE_DIR / "state.jsonl"
    n_shards = cfg.n_shards()
    done_shards = verified_shards(out, cfg, warn=_warn)
    todo = [k for k in range(n_shards) if k not in done_shards]
    already = sum(cfg.shard_len(k) for k in done_shards)
    progress = Progress(cfg.n, done=already, mode=cfg.progress)
    failed_so_far = sum(len(e["failed"]) for e in done_shards.values())
    finished = already
    write_json(out / "manifest.json", _manifest(cfg, done_shards, complete=False))

    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def on_signal(signum: int, frame: Any) -> None:
        raise Interrupted(signum)

    for s in previous:
        signal.signal(s, on_signal)
    pool: WorkerPool | None = None
    writer: ShardWriter | None = None
    stages = _Stages(cfg if todo else None)
    try:
        if todo:
            pool = WorkerPool(
                min(cfg.workers, len(todo) * cfg.shard_size),
                run_seed=cfg.seed,
                timeout_s=cfg.timeout_s,
                sandbox=cfg.sandbox,
                limits=Limits(memory_mb=cfg.memory_mb, cpu_s=cfg.timeout_s),
                recycle_after=cfg.recycle_after,
                recycle_rss_mb=cfg.recycle_rss_mb,
                domains=cfg.domains,
                degrade=cfg.degrade,
                options={d: cfg.options_for(d) for d in cfg.domains},
                weights=cfg.weights,
            )
        for k in todo:
            lo, hi = k * cfg.shard_size, min(cfg.n, (k + 1) * cfg.shard_size)
            writer = ShardWriter(shards_dir / shard_name(k))
            if pool is None:  # pragma: no cover - todo is non-empty here
                raise RuntimeError("no worker pool")
            entry = _run_shard(
                cfg, pool, stages, writer, k, lo, hi, progress, finished, failed_so_far
            )
            finished += hi - lo
            writer = None
            # the resume log, the in-memory state and the manifest move together: a signal
            # in between would leave a manifest that misses a shard the log has
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            try:
                append_line(state_path, entry)
                done_shards[k] = entry
                failed_so_far += len(entry["failed"])
                write_json(out / "manifest.json", _manifest(cfg, done_shards, complete=False))
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        if pool is not None:
            pool.close()
            append_line(
                out / STATE_DIR / "runs.jsonl",
                {
                    "samples_built": finished - already,
                    "workers_replaced": pool.replaced,
                    "sandbox": cfg.sandbox,
                },
            )  # about this invocation, not the dataset (so not in manifest.json or stats.json)
            pool = None
        stages.close()
    except BaseException as exc:
        if writer is not None:
            writer.abort()
        if pool is not None:
            pool.terminate()
        stages.close()
        try:
            write_json(out / "manifest.json", _manifest(cfg, done_shards, complete=False))
        except OSError:
            pass  # the disk may be what failed; the resume log still says what is done
        if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
            raise OutputError(
                f"writing to {out} failed: {exc.strerror or exc} ({len(done_shards)} finished shards are "
                "kept); free space or raise the limit, then continue with --resume"
            ) from exc
        raise
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    progress.finish()
    from synth import balance

    # over every shard at once, before the run is marked complete (a kill here resumes here)
    balance.write(out, cfg.seed)
    manifest = _manifest(cfg, done_shards, complete=True)
    _write_failures(out, done_shards)
    write_json(out / "stats.json", _stats(done_shards))
    write_json(out / "manifest.json", manifest)
    counts = manifest["counts"]
    if counts["failed"] > cfg.effective_max_failures() or (counts["written"] == 0 and cfg.n):
        raise TooManyFailures(
            f"{counts['failed']} of {cfg.n} samples failed (more than --max-failures "
            f"{cfg.effective_max_failures()}, or nothing written); see "
            f"{out / 'failures.jsonl'}\n{failure_summary(out)}"
        )
    return manifest


def _warn(message: str) -> None:
    print(f"synth: resume: {message}", file=sys.stderr)


def verified_shards(
    out: Path, cfg: RunConfig, *, warn: Callable[[str], None]
) -> dict[int, dict[str, Any]]:
    """The resume log's shards that can be trusted, by index: a well-formed entry for this
    run whose file is there with the sha256 the log recorded. Everything else is reported
    through ``warn`` and dropped: a damaged log line (the log is rewritten without it, once),
    a damaged shard (deleted, so it is built again) and a shard the log does not list (a run
    killed between publishing it and logging it)."""
    state_path = out / STATE_DIR / "state.jsonl"
    shards_dir = out / "shards"
    n_shards = cfg.n_shards()
    entries: dict[int, dict[str, Any]] = {}
    damaged = False
    lines = state_path.read_bytes().split(b"\n") if state_path.exists() else []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        entry, why = _state_entry(raw, cfg, n_shards)
        if entry is None:
            damaged = True
            warn(
                f"{state_path} line {number} is damaged ({why}); dropped, its shard is built again"
            )
            continue
        entries[int(entry["shard"])] = entry  # a later line for the same shard wins
    trusted: dict[int, dict[str, Any]] = {}
    for k, entry in sorted(entries.items()):
        path = shards_dir / entry["file"]
        if not path.is_file():
            warn(f"{path} is in the resume log but missing; building it again")
        elif sha256_file(path) != entry["sha256"]:
            warn(f"{path} differs from the sha256 in the resume log (damaged); building it again")
            path.unlink()
        else:
            trusted[k] = entry
    if len(trusted) != len(entries):
        damaged = True
    for path in sorted(shards_dir.glob("shard-*.tar")):
        if not any(path.name == e["file"] for e in trusted.values()):
            warn(f"{path} is not in the resume log; building it again")
            path.unlink()
    if damaged:
        tmp = state_path.with_name(state_path.name + ".tmp")
        tmp.write_text(
            "".join(
                json.dumps(e, sort_keys=True, ensure_ascii=False) + "\n"
                for _, e in sorted(trusted.items())
            ),
            encoding="utf-8",
        )
        os.replace(tmp, state_path)
        warn(f"{state_path} repaired: {len(trusted)} trusted shards")
    return trusted


def _state_entry(raw: bytes, cfg: RunConfig, n_shards: int) -> tuple[dict[str, Any] | None, str]:
    """A resume-log line, checked against this run's shape; ``(None, why)`` when it is bad."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"not JSON: {exc}"
    if not isinstance(entry, dict):
        return None, "not a JSON object"
    k = entry.get("shard")
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < n_shards:
        return None, f"shard {k!r} is not an index below {n_shards}"
    expected = cfg.shard_len(k)
    failed, n = entry.get("failed"), entry.get("n")
    if entry.get("file") != shard_name(k):
        return None, f"file {entry.get('file')!r} is not {shard_name(k)}"
    sha = entry.get("sha256")
    if not (isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)):
        return None, "no sha256"
    if not isinstance(failed, list) or not all(isinstance(f, dict) for f in failed):
        return None, "no list of failures"
    if not isinstance(n, int) or n + len(failed) != expected:
        return None, f"{n!r} written + {len(failed)} failed is not the shard's {expected} samples"
    if not _stats_shaped(entry.get("stats")):
        return None, "no stats of the shard's shape (counts by name, and questions)"
    return entry, ""


def _stats_shaped(stats: Any) -> bool:
    """A shard's stats as _ShardStats writes them: whole counts by name, and ``questions``."""

    def count(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    return (
        isinstance(stats, dict)
        and count(stats.get("questions"))
        and all(
            isinstance(v, dict) and all(count(c) for c in v.values())
            for k, v in stats.items()
            if k != "questions"
        )
    )


def failure_summary(out: Path) -> str:
    """The run's failures by kind, each with its first message ("" when none failed)."""
    by_kind: dict[str, list[str]] = {}
    path = out / "failures.jsonl"
    for failure in read_lines(path) if path.exists() else []:
        by_kind.setdefault(str(failure.get("kind")), []).append(str(failure.get("message")))
    return "\n".join(
        f"  {kind}: {len(messages)}, first: {messages[0][:300]}"
        for kind, messages in sorted(by_kind.items(), key=lambda kv: -len(kv[1]))
    )


class _Stages:
    """The run's stages (:mod:`synth.stage`): one runner per domain whose pack declares one,
    shown every result of the shard so that it knows when a batch is whole."""

    def __init__(self, cfg: RunConfig | None) -> None:
        self.runners: dict[str, StageRunner] = {}
        self.seeds: dict[int, int] = {}
        if cfg is None:  # nothing left to build
            return
        for d in cfg.domains:
            if cfg.sandbox and registry.outside(d):
                continue  # never imported here; one with a stage was refused (generate)
            stage = registry.get(d, cfg.options_for(d)).stage()
            if stage is not None:
                self.runners[d] = StageRunner(stage)

    @property
    def pending(self) -> int:
        return sum(r.pending for r in self.runners.values())

    def shard(self, lo: int, hi: int) -> None:
        for r in self.runners.values():
            r.shard(lo, hi)

    def route(self, result: Done | Failed) -> Done | Failed | None:
        """``result`` if it goes straight to the writer, None if a stage took it."""
        if not self.runners:
            return result
        domain = result.summary["domain"] if isinstance(result, Done) else result.domain
        taken = False
        for d, runner in self.runners.items():
            item = None
            if d == domain and isinstance(result, Done):
                record = json.loads(result.record_json)
                item = Item(
                    result.index, int(record["seed"]["sample"]), record, result.png, result.files
                )
                self.seeds[result.index] = item.seed
                taken = True
            runner.add(result.index, item)
        return None if taken else result

    def ready(self, timeout: float) -> list[Done | Failed]:
        from synth.engine.worker import summary

        out: list[Done | Failed] = []
        for d, runner in self.runners.items():
            for r in runner.ready(timeout if runner.pending else 0.0):
                seed = self.seeds.pop(r.index)
                if isinstance(r, Item):
                    blob = json.dumps(r.record, ensure_ascii=False).encode()
                    out.append(Done(r.index, blob, r.png, r.files, summary(r.record)))
                else:
                    out.append(Failed(r.index, d, seed, r.kind, r.message, r.traceback))
        return out

    def take_counts(self) -> dict[str, int]:
        """What the stages did in this shard, as ``NAME/COUNT`` (images, images_kept, ...)."""
        return {
            f"{r.stage.name}/{k}": v
            for r in self.runners.values()
            for k, v in r.take_counts().items()
        }

    def close(self) -> None:
        for r in self.runners.values():
            r.close()
        self.runners.clear()


def _run_shard(
    cfg: RunConfig,
    pool: WorkerPool,
    stages: _Stages,
    writer: ShardWriter,
    k: int,
    lo: int,
    hi: int,
    progress: Progress,
    base: int,
    failed_before: int,
) -> dict[str, Any]:
    """Build samples [lo, hi) and write them in index order; the shard's resume-log entry."""
    nxt = lo  # next index to submit
    cursor = lo  # next index to write
    buffered: dict[int, Done | Failed] = {}
    failures: list[dict[str, Any]] = []
    stats = _ShardStats()
    stages.shard(lo, hi)
    while cursor < hi:
        while nxt < hi and pool.has_capacity():
            domain = pick_domain(cfg.seed, nxt, cfg.domains, cfg.mix)
            pool.submit((nxt, domain, sample_seed(cfg.seed, domain, nxt)))
            nxt += 1
        for result in pool.poll(0.05 if stages.pending else 0.5):
            routed = stages.route(result)
            if routed is not None:
                buffered[routed.index] = routed
        for result in stages.ready(0.05 if stages.pending and nxt == hi else 0.0):
            buffered[result.index] = result
        while cursor in buffered:
            result = buffered.pop(cursor)
            if isinstance(result, Done):
                record = result.summary  # what the record says that the writer and stats read
                # further files first: a reader yields a sample once its json and png are in
                files = {**result.files, "json": result.record_json, "png": result.png}
                writer.add(record["id"], files)
                stats.add(record)
            else:
                failures.append(
                    _failure_record(result, cfg.options_for(result.domain), sandbox=cfg.sandbox)
                )
                stats.fail(result)
            cursor += 1
        progress.update(base + (cursor - lo), failed_before + len(failures))
    stats.c["stage"].update(stages.take_counts())
    sha = writer.close()
    return {
        "shard": k,
        "file": writer.path.name,
        "sha256": sha,
        "n": writer.count,
        "failed": failures,
        "stats": stats.to_json(),
    }


def _failure_record(
    f: Failed, options: dict[str, str] | None = None, *, sandbox: bool = True
) -> dict[str, Any]:
    """A failure line: what failed, how, and what re-runs it alone (``build_record(
    registry.get(domain, options), index=index, seed=seed, run_seed=run_seed)``)."""
    out = f.to_json()
    out["id"] = _failed_id(f.domain, f.index, f.seed, options, sandbox=sandbox)
    return out


def _failed_id(
    domain: str, index: int, seed: int, options: dict[str, str] | None = None, *, sandbox: bool
) -> str:
    """The id the sample would have had. Generating a spec is trusted code (it is the
    emitted code that runs sandboxed), so the family is recomputed here when possible; a
    pack from outside recomputes it in its pack host (registry.family)."""
    from synth.record import make_id

    return make_id(domain, registry.family(domain, options, seed, sandbox=sandbox), index)


class _ShardStats:
    def __init__(self) -> None:
        self.c: dict[str, Counter[str]] = {
            k: Counter()
            for k in (
                "family",
                "program",
                "answer_type",
                "checks_failed",
                "failures",
                "yes_no",
                "choice_position",
                "domain",
                "dropped",
                "dropped_program",
                "stage",
            )
        }
        self.questions = 0

    def add(self, record: dict[str, Any]) -> None:
        self.c["domain"][record["domain"]] += 1
        self.c["family"][f"{record['domain']}/{record['family']}"] += 1
        for name, ok in record["checks"].items():
            if not ok:
                self.c["checks_failed"][name] += 1
        for q in record["qa"]:
            self.questions += 1
            self.c["program"][q["program"]] += 1
            self.c["answer_type"][q["answer_type"]] += 1
            if q["answer_type"] == "bool":
                self.c["yes_no"]["yes" if q["answer"] else "no"] += 1
            if q["answer_type"] == "choice":
                self.c["choice_position"][str(q["choices"].index(q["answer"]))] += 1
        for d in record.get("dropped", ()):
            self.c["dropped"][str(d.get("reason"))] += 1
            self.c["dropped_program"][str(d.get("program"))] += 1

    def fail(self, f: Failed) -> None:
        self.c["failures"][f.kind] += 1

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: dict(sorted(v.items())) for k, v in self.c.items()}
        out["questions"] = self.questions
        return out


def _stats(done: dict[int, dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Counter[str]] = {}
    questions = 0
    samples = 0
    for entry in done.values():
        samples += entry["n"]
        for key, value in entry["stats"].items():
            if key == "questions":
                questions += value
                continue
            total.setdefault(key, Counter()).update(value)
    out: dict[str, Any] = {k: dict(sorted(v.items())) for k, v in sorted(total.items())}
    out["samples"] = samples
    out["questions"] = questions
    yn = total.get("yes_no", Counter())
    out["yes_fraction"] = round(yn["yes"] / max(1, yn["yes"] + yn["no"]), 4)
    stage = total.get("stage", Counter())
    for name in sorted({k.split("/")[0] for k in stage}):
        # Ultimate3D reports 93% of its diffused images kept the ground truth; so do we
        out[f"{name}_kept"] = {
            what: round(stage[f"{name}/{what}_kept"] / max(1, stage[f"{name}/{what}"]), 4)
            for what in ("images", "questions")
        }
    return out


def _write_failures(out: Path, done: dict[int, dict[str, Any]]) -> None:
    tmp = out / "failures.jsonl.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for k in sorted(done):
            for fail in done[k]["failed"]:
                f.write(json.dumps(fail, sort_keys=True) + "\n")
    os.replace(tmp, out / "failures.jsonl")


def versions() -> dict[str, str]:
    import matplotlib
    import numpy

    return {
        "synth": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "matplotlib": matplotlib.__version__,
    }


def _manifest(cfg: RunConfig, done: dict[int, dict[str, Any]], *, complete: bool) -> dict[str, Any]:
    shards = [
        {"file": f"shards/{e['file']}", "n": e["n"], "sha256": e["sha256"]}
        for _, e in sorted(done.items())
    ]
    written = sum(e["n"] for e in done.values())
    failed = sum(len(e["failed"]) for e in done.values())
    return {
        "format": "synth-webdataset/1",
        "complete": complete,
        "config": cfg.content(),
        "config_hash": cfg.content_hash(),
        "versions": versions(),
        "sandbox": "bwrap" if cfg.sandbox else "none (--no-sandbox)",
        "counts": {"requested": cfg.n, "written": written, "failed": failed, "shards": len(shards)},
        "shards": shards,
    }


def summary(manifest: dict[str, Any], out: Path) -> str:
    c = manifest["counts"]
    line = f"wrote {c['written']} samples in {c['shards']} shards to {out}; {c['failed']} failed (see {out / 'failures.jsonl'})"
    if c["failed"]:
        line += "\nfailures by kind:\n" + failure_summary(out)
    from synth import balance

    plan = balance.load(out)
    if plan is not None:
        line += (
            f"\nanswer balancing keeps {plan['kept']} of {plan['questions']} questions "
            f"(see {out / balance.FILE}; synth export applies it)"
        )
    return line
